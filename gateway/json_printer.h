#pragma once

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/status.h"

namespace aftersales::gateway {

// Appends a message as JSON per the proto3 JSON mapping, byte for byte as protobuf's own printer
// (util::MessageToJsonString) does with preserve_proto_field_names and
// always_print_primitive_fields: proto field names; scalars, strings, enums, repeated and map
// fields printed even when empty or default; unset messages left out; 64-bit integers as
// strings; enums by name; Timestamp and Duration as RFC 3339 / "1.5s" strings; wrappers as bare
// values.
//
// Why not util::MessageToJsonString: it serializes the message again, converts the bytes through
// google.protobuf.Type descriptions and builds a tree of default values on every call, ~37 us for
// one ticket; reading the message by reflection takes a few. Any, Struct, Value, ListValue and
// FieldMask, rare in this API, are still handed to protobuf's printer.
//
// INTERNAL for a Timestamp or Duration out of the range JSON can express.
absl::Status AppendJson(const google::protobuf::Message& message, std::string& out);

}  // namespace aftersales::gateway
