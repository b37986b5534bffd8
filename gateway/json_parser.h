#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace aftersales::gateway {

// Reads JSON into a message per the proto3 JSON mapping, as protobuf's util::JsonStringToMessage
// does with ignore_unknown_fields = false: proto or lowerCamel (json_name) field names; integers
// as numbers or strings, range-checked; 1e3 accepted where it is integral; floats also as "NaN",
// "Infinity", "-Infinity"; bytes as standard or URL-safe base64; enums by name or number;
// Timestamp as RFC 3339, Duration as "1.5s", wrappers as bare values; null leaves a field unset.
// Strings must be valid UTF-8. A key given twice: the later value wins for a singular field, a
// message merges, a repeated field appends (what concatenating the two binary messages gives).
//
// Why not util::JsonStringToMessage: it converts through google.protobuf.Type descriptions and a
// token stream into binary, then parses that binary again; filling the message by reflection
// takes a fraction of the time. Any, Struct, Value, ListValue and FieldMask are not read here:
// check JsonParserHandles once and hand such types to protobuf.
//
// INVALID_ARGUMENT naming the field path and the problem: "buyer.tier: unknown enum value
// \"GOLD\" (one of ...)", or for malformed JSON "expected ',' or '}' at byte 57" (bytes count
// from 1).

// False when a message type reachable from `type` is a well-known type ParseJson does not read
// (Any, Struct, Value, ListValue, FieldMask), or a proto2 group.
bool JsonParserHandles(const google::protobuf::Descriptor& type);

// Merges a JSON object into `message`. Nesting deeper than 64 objects and arrays is rejected.
absl::Status ParseJson(absl::string_view json, google::protobuf::Message& message);

// Merges a JSON value into one field of `message`: an object for a message or map field, an
// array for a repeated field, a plain value otherwise. Error paths start below the field.
absl::Status ParseJsonField(absl::string_view json, const google::protobuf::FieldDescriptor& field,
                            google::protobuf::Message& message);

// The text forms of the JSON mapping, for query strings and path variables too: an RFC 3339
// time ("2026-11-23T10:00:00Z", "2026-11-23T18:00:00.5+08:00"; strict about the shape) and a
// duration ("1.5s", "-3s"). False when the text is not one, or is out of protobuf's range.
bool ParseJsonTimestamp(absl::string_view text, google::protobuf::Timestamp& out);
bool ParseJsonDuration(absl::string_view text, google::protobuf::Duration& out);

// An enum's value names, "TIER_UNSPECIFIED, VIP, ...": for errors that list what is accepted.
std::string EnumNames(const google::protobuf::EnumDescriptor& type);

}  // namespace aftersales::gateway
