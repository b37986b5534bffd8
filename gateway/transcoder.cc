#include "gateway/transcoder.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>
#include <google/protobuf/util/type_resolver_util.h>
#include <google/protobuf/wire_format_lite.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "common/validation.h"
#include "gateway/json_parser.h"
#include "gateway/json_printer.h"
#include "gateway/route_table.h"
#include "gateway/well_known_types.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

// Resolves the types of every linked (generated) message for the JSON converter. Created once;
// the resolver only reads the generated pool, which is safe from any thread.
pb::util::TypeResolver& GeneratedTypeResolver() {
  static pb::util::TypeResolver* const resolver = pb::util::NewTypeResolverForDescriptorPool(
      kTypeUrlPrefix, pb::DescriptorPool::generated_pool());
  return *resolver;
}

std::string TypeUrl(const pb::Descriptor& type) {
  return absl::StrCat(kTypeUrlPrefix, "/", type.full_name());
}

pb::StringPiece ToPiece(absl::string_view s) { return pb::StringPiece(s.data(), s.size()); }

// protobuf's JSON errors carry a caret diagram after the first line; the first line names the
// field and the problem.
std::string FirstLine(const pb::util::Status& status) {
  const pb::StringPiece message = status.message();
  const absl::string_view text(message.data(), message.size());
  return std::string(text.substr(0, text.find('\n')));
}

absl::Status JsonError(absl::string_view problem, absl::string_view where) {
  return absl::InvalidArgumentError(absl::StrCat("invalid JSON ", where, ": ", problem));
}
absl::Status JsonError(const pb::util::Status& status, absl::string_view where) {
  return JsonError(FirstLine(status), where);
}
absl::Status JsonError(const absl::Status& status, absl::string_view where) {
  return JsonError(status.message(), where);
}

bool IsBlank(absl::string_view text) { return absl::StripAsciiWhitespace(text).empty(); }

const FieldDescriptor* FindField(const pb::Descriptor& type, absl::string_view name) {
  const std::string key(name);
  const FieldDescriptor* field = type.FindFieldByName(key);
  return field != nullptr ? field : type.FindFieldByCamelcaseName(key);
}

// Resolves "order.order_id" to its fields. Every step but the last must be a singular message;
// the last is returned whatever it is, for the caller to judge.
absl::StatusOr<std::vector<const FieldDescriptor*>> ResolveFieldPath(const pb::Descriptor& root,
                                                                     absl::string_view path) {
  std::vector<const FieldDescriptor*> fields;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    const pb::Descriptor* type = &root;
    if (!fields.empty()) {
      const FieldDescriptor& through = *fields.back();
      if (through.is_repeated()) {
        return absl::InvalidArgumentError(absl::StrCat("'", path, "' goes through repeated field '",
                                                       through.name(), "', which it cannot index"));
      }
      if (through.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", path, "' goes through '", through.name(), "', which is not a message"));
      }
      type = through.message_type();
    }
    const FieldDescriptor* field = FindField(*type, name);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          fields.empty() ? absl::StrCat("the request has no field '", name, "'")
                         : absl::StrCat("'", fields.back()->name(), "' has no field '", name, "'"));
    }
    fields.push_back(field);
  }
  return fields;
}

absl::Status BadValue(absl::string_view what, absl::string_view text, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": '", text, "' is not ", expected));
}

// Sets (or, for a repeated field, adds) a scalar, string or enum field from its text form.
absl::Status SetScalar(pb::Message& message, const FieldDescriptor& field, absl::string_view text,
                       absl::string_view what) {
  const pb::Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value;
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(text, &value) && !absl::WebSafeBase64Unescape(text, &value)) {
          return BadValue(what, text, "base64");
        }
      } else if (!IsValidUtf8(text)) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": not valid UTF-8"));
      } else {
        value = std::string(text);
      }
      repeated ? r.AddString(&message, &field, std::move(value))
               : r.SetString(&message, &field, std::move(value));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value;
      if (text == "true" || text == "1") {
        value = true;
      } else if (text == "false" || text == "0") {
        value = false;
      } else {
        return BadValue(what, text, "true or false");
      }
      repeated ? r.AddBool(&message, &field, value) : r.SetBool(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value;
      if (!absl::SimpleAtoi(text, &value)) return BadValue(what, text, "a 32-bit integer");
      repeated ? r.AddInt32(&message, &field, value) : r.SetInt32(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!absl::SimpleAtoi(text, &value)) return BadValue(what, text, "a 64-bit integer");
      repeated ? r.AddInt64(&message, &field, value) : r.SetInt64(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t value;
      if (!absl::SimpleAtoi(text, &value))
        return BadValue(what, text, "an unsigned 32-bit integer");
      repeated ? r.AddUInt32(&message, &field, value) : r.SetUInt32(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value;
      if (!absl::SimpleAtoi(text, &value))
        return BadValue(what, text, "an unsigned 64-bit integer");
      repeated ? r.AddUInt64(&message, &field, value) : r.SetUInt64(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float value;
      if (!absl::SimpleAtof(text, &value)) return BadValue(what, text, "a number");
      repeated ? r.AddFloat(&message, &field, value) : r.SetFloat(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double value;
      if (!absl::SimpleAtod(text, &value)) return BadValue(what, text, "a number");
      repeated ? r.AddDouble(&message, &field, value) : r.SetDouble(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumDescriptor& type = *field.enum_type();
      const pb::EnumValueDescriptor* named = type.FindValueByName(std::string(text));
      int number = 0;
      if (named != nullptr) {
        number = named->number();
      } else if (!absl::SimpleAtoi(text, &number) || type.FindValueByNumber(number) == nullptr) {
        return BadValue(what, text, absl::StrCat("one of ", EnumNames(type)));
      }
      repeated ? r.AddEnumValue(&message, &field, number)
               : r.SetEnumValue(&message, &field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": names a message; name one of its fields"));
}

// Sets a Timestamp (RFC 3339), Duration ("1.5s") or wrapper field from its text form.
absl::Status SetWellKnown(pb::Message& message, const FieldDescriptor& field,
                          absl::string_view text, absl::string_view what) {
  const pb::Reflection& r = *message.GetReflection();
  pb::Message& value =
      field.is_repeated() ? *r.AddMessage(&message, &field) : *r.MutableMessage(&message, &field);
  const std::string& type = field.message_type()->full_name();
  if (type == "google.protobuf.Timestamp") {
    pb::Timestamp parsed;
    if (!ParseJsonTimestamp(text, parsed)) {
      return BadValue(what, text, "an RFC 3339 time like 2024-05-01T09:30:00Z");
    }
    value.CopyFrom(parsed);
    return absl::OkStatus();
  }
  if (type == "google.protobuf.Duration") {
    pb::Duration parsed;
    if (!ParseJsonDuration(text, parsed)) {
      return BadValue(what, text, "a duration like 1.5s");
    }
    value.CopyFrom(parsed);
    return absl::OkStatus();
  }
  // google.protobuf.Int64Value and friends hold their value in field 1.
  return SetScalar(value, *value.GetDescriptor()->FindFieldByNumber(1), text, what);
}

// Sets the field at the end of path in message, creating the messages on the way.
absl::Status SetField(pb::Message& message, absl::Span<const FieldDescriptor* const> path,
                      absl::string_view text, absl::string_view what) {
  pb::Message* target = &message;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    target = target->GetReflection()->MutableMessage(target, path[i]);
  }
  const FieldDescriptor& leaf = *path.back();
  if (leaf.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    if (!leaf.is_map() && IsWellKnownScalar(WellKnownTypeOf(*leaf.message_type()))) {
      return SetWellKnown(*target, leaf, text, what);
    }
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": names a message, not a value; name one of its fields"));
  }
  return SetScalar(*target, leaf, text, what);
}

}  // namespace

absl::StatusOr<Transcoder> Transcoder::Create(const pb::MethodDescriptor& method,
                                              absl::string_view body,
                                              absl::Span<const std::string> path_variables) {
  Transcoder t;
  t.request_type_ = method.input_type();
  t.response_type_ = method.output_type();
  t.request_type_url_ = TypeUrl(*t.request_type_);
  t.request_prototype_ = pb::MessageFactory::generated_factory()->GetPrototype(t.request_type_);
  t.response_prototype_ = pb::MessageFactory::generated_factory()->GetPrototype(t.response_type_);
  t.parse_options_.ignore_unknown_fields = false;

  const auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(method.full_name(), ": ", why));
  };
  if (body.empty()) {
    t.body_kind_ = BodyKind::kNone;
  } else if (body == "*") {
    t.body_kind_ = BodyKind::kWholeMessage;
  } else {
    t.body_field_ = t.request_type_->FindFieldByName(std::string(body));
    if (t.body_field_ == nullptr) {
      return error(
          absl::StrCat("body field '", body, "' is not a field of ", t.request_type_->full_name()));
    }
    if (t.body_field_->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !t.body_field_->is_repeated()) {
      t.body_kind_ = BodyKind::kMessageField;
      t.body_type_url_ = TypeUrl(*t.body_field_->message_type());
    } else {
      t.body_kind_ = BodyKind::kOtherField;
    }
  }
  t.body_parsed_by_reflection_ = JsonParserHandles(
      t.body_kind_ == BodyKind::kMessageField ? *t.body_field_->message_type() : *t.request_type_);
  for (const std::string& variable : path_variables) {
    absl::StatusOr<FieldPath> path = ResolveFieldPath(*t.request_type_, variable);
    if (!path.ok()) return error(absl::StrCat("path variable: ", path.status().message()));
    const FieldDescriptor& leaf = *path->back();
    if (leaf.is_repeated() || leaf.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return error(absl::StrCat("path variable '", variable,
                                "' must name a singular scalar or string field"));
    }
    t.path_fields_.push_back(*std::move(path));
  }
  return t;
}

absl::Status Transcoder::ApplyQuery(absl::string_view query, pb::Message& request) const {
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    const std::string name = PercentDecode(pair.substr(0, eq), true);
    const std::string value =
        eq == absl::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    const std::string what = absl::StrCat("query parameter '", name, "'");
    if (body_kind_ == BodyKind::kWholeMessage) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " is not accepted: the JSON body carries the whole request"));
    }
    absl::StatusOr<FieldPath> path = ResolveFieldPath(*request_type_, name);
    if (!path.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown ", what, ": ", path.status().message()));
    }
    if (body_field_ != nullptr && path->front() == body_field_) {
      return absl::InvalidArgumentError(absl::StrCat(what, " is not accepted: field '",
                                                     body_field_->name(), "' comes from the body"));
    }
    if (absl::Status s = SetField(request, *path, value, what); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Transcoder::BuildRequest(absl::string_view body,
                                                     absl::Span<const std::string> path_values,
                                                     absl::string_view query) const {
  const bool has_body = !IsBlank(body);
  if (has_body && body_kind_ == BodyKind::kNone) {
    return absl::InvalidArgumentError(
        "this route takes no request body; send the fields as query parameters");
  }
  if (path_values.size() != path_fields_.size()) {
    return absl::InternalError("path values do not match the route's variables");
  }
  if (has_body && !body_parsed_by_reflection_) {
    return BuildRequestWithProtobufJson(body, path_values, query);
  }

  // Most requests fit this block, so building them allocates little.
  alignas(16) char block[4096];
  pb::ArenaOptions arena_options;
  arena_options.initial_block = block;
  arena_options.initial_block_size = sizeof(block);
  pb::Arena arena(arena_options);
  pb::Message& request = *request_prototype_->New(&arena);
  if (has_body) {
    const absl::Status s = body_kind_ == BodyKind::kWholeMessage
                               ? ParseJson(body, request)
                               : ParseJsonField(body, *body_field_, request);
    if (!s.ok()) return JsonError(s, BodyWhere());
  }
  // Set after the body, so a path variable overwrites the same field from the body.
  if (absl::Status s = ApplyQueryAndPath(query, path_values, request); !s.ok()) return s;
  return request.SerializeAsString();
}

// The client sent the body as a whole, whichever request field it fills: error paths start at
// its top ("reason: ..."), and the field's name would only puzzle.
std::string Transcoder::BodyWhere() const { return "body"; }

absl::Status Transcoder::ApplyQueryAndPath(absl::string_view query,
                                           absl::Span<const std::string> path_values,
                                           pb::Message& request) const {
  if (absl::Status s = ApplyQuery(query, request); !s.ok()) return s;
  for (size_t i = 0; i < path_values.size(); ++i) {
    const std::string what = absl::StrCat("path variable '", path_fields_[i].back()->name(), "'");
    if (absl::Status s = SetField(request, path_fields_[i], path_values[i], what); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Transcoder::BuildRequestWithProtobufJson(
    absl::string_view body, absl::Span<const std::string> path_values,
    absl::string_view query) const {
  std::string bytes;
  pb::util::TypeResolver& resolver = GeneratedTypeResolver();
  switch (body_kind_) {
    case BodyKind::kNone:
      break;
    case BodyKind::kWholeMessage: {
      const pb::util::Status s = pb::util::JsonToBinaryString(
          &resolver, request_type_url_, ToPiece(body), &bytes, parse_options_);
      if (!s.ok()) return JsonError(s, BodyWhere());
      break;
    }
    case BodyKind::kMessageField: {
      std::string field_bytes;
      const pb::util::Status s = pb::util::JsonToBinaryString(
          &resolver, body_type_url_, ToPiece(body), &field_bytes, parse_options_);
      if (!s.ok()) return JsonError(s, BodyWhere());
      // The field's bytes, framed as the request's length-delimited field.
      pb::io::StringOutputStream stream(&bytes);
      pb::io::CodedOutputStream out(&stream);
      pb::internal::WireFormatLite::WriteBytes(body_field_->number(), field_bytes, &out);
      break;
    }
    case BodyKind::kOtherField: {
      // A repeated or scalar field: parse {"field": <body>} as the request.
      const std::string wrapped = absl::StrCat("{", JsonQuote(body_field_->name()), ":", body, "}");
      const pb::util::Status s = pb::util::JsonToBinaryString(
          &resolver, request_type_url_, ToPiece(wrapped), &bytes, parse_options_);
      if (!s.ok()) return JsonError(s, BodyWhere());
      break;
    }
  }
  if (path_values.empty() && query.empty()) return bytes;
  // Binary merge: the last value of a singular field counts, so these win over the body.
  std::unique_ptr<pb::Message> rest(request_prototype_->New());
  if (absl::Status s = ApplyQueryAndPath(query, path_values, *rest); !s.ok()) return s;
  rest->AppendToString(&bytes);
  return bytes;
}

absl::Status Transcoder::ResponseToJson(pb::io::ZeroCopyInputStream& response,
                                        std::string& json) const {
  // Most replies fit this block, so parsing them allocates nothing.
  alignas(16) char block[8192];
  pb::ArenaOptions arena_options;
  arena_options.initial_block = block;
  arena_options.initial_block_size = sizeof(block);
  pb::Arena arena(arena_options);
  pb::Message* message = response_prototype_->New(&arena);
  if (!message->ParseFromZeroCopyStream(&response)) {
    return absl::InternalError(
        absl::StrCat("the backend's reply is not a valid ", response_type_->full_name()));
  }
  json.clear();
  return AppendJson(*message, json);
}

absl::Status Transcoder::ResponseToJson(absl::string_view response, std::string& json) const {
  pb::io::ArrayInputStream in(response.data(), static_cast<int>(response.size()));
  return ResponseToJson(in, json);
}

}  // namespace aftersales::gateway
