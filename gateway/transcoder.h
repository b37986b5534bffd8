#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/zero_copy_stream.h>
#include <google/protobuf/util/json_util.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace aftersales::gateway {

// Turns the HTTP side of one RPC into its request message and its response message into JSON,
// following the RPC's google.api.http binding. Built once per route at start-up, then only read
// (safe to share between threads).
//
// The request is assembled from the JSON body first, then the query parameters and path
// variables, so a path variable wins over the same field in the body (as in a binary merge: the
// last value of a singular field counts). Requests accept proto and lowerCamel field names.
class Transcoder {
 public:
  // body: "" (no body; any field may come from the query string), "*" (the JSON body is the
  // whole request; no query parameters) or a top-level field of the request (the body is that
  // field; query parameters may fill the other fields). path_variables: the field paths of the
  // path template's variables, "order.order_id"; each must name a singular scalar, enum or
  // string field. INVALID_ARGUMENT naming the field otherwise.
  static absl::StatusOr<Transcoder> Create(const google::protobuf::MethodDescriptor& method,
                                           absl::string_view body,
                                           absl::Span<const std::string> path_variables);

  // The serialized request. path_values are in path_variables order; query is the raw query
  // string without '?'. INVALID_ARGUMENT naming the field and what is wrong: malformed JSON, a
  // field the message does not have, a value of the wrong type, an unknown enum name.
  absl::StatusOr<std::string> BuildRequest(absl::string_view body,
                                           absl::Span<const std::string> path_values,
                                           absl::string_view query) const;

  // Prints a serialized response as JSON with the proto field names ("ticket_id") and every
  // primitive field, also when it holds its default (false, 0, ""): see json_printer.h. INTERNAL
  // when the bytes are not a valid response message.
  absl::Status ResponseToJson(google::protobuf::io::ZeroCopyInputStream& response,
                              std::string& json) const;
  absl::Status ResponseToJson(absl::string_view response, std::string& json) const;

  const google::protobuf::Descriptor& request_type() const { return *request_type_; }
  // The field the i-th path variable fills (the last of "order.order_id"), in the template's
  // order.
  const google::protobuf::FieldDescriptor& path_variable_field(size_t i) const {
    return *path_fields_[i].back();
  }
  const google::protobuf::Descriptor& response_type() const { return *response_type_; }

 private:
  enum class BodyKind { kNone, kWholeMessage, kMessageField, kOtherField };
  using FieldPath = std::vector<const google::protobuf::FieldDescriptor*>;

  Transcoder() = default;
  absl::Status ApplyQuery(absl::string_view query, google::protobuf::Message& request) const;
  absl::Status ApplyQueryAndPath(absl::string_view query, absl::Span<const std::string> path_values,
                                 google::protobuf::Message& request) const;
  // For bodies whose types json_parser.h does not read (Any, Struct, Value, FieldMask): protobuf's
  // converter, which is several times slower.
  absl::StatusOr<std::string> BuildRequestWithProtobufJson(
      absl::string_view body, absl::Span<const std::string> path_values,
      absl::string_view query) const;
  std::string BodyWhere() const;

  const google::protobuf::Descriptor* request_type_ = nullptr;
  const google::protobuf::Descriptor* response_type_ = nullptr;
  const google::protobuf::Message* request_prototype_ = nullptr;
  const google::protobuf::Message* response_prototype_ = nullptr;
  std::string request_type_url_;
  BodyKind body_kind_ = BodyKind::kNone;
  const google::protobuf::FieldDescriptor* body_field_ = nullptr;
  // For kMessageField: the type URL of the body field's message.
  std::string body_type_url_;
  std::vector<FieldPath> path_fields_;
  // Decided once per route: whether every type the body can hold is one ParseJson reads.
  bool body_parsed_by_reflection_ = true;
  google::protobuf::util::JsonParseOptions parse_options_;
};

}  // namespace aftersales::gateway
