#include "gateway/openapi.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "common/log.h"
#include "gateway/well_known_types.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

constexpr absl::string_view kErrorSchema = "aftersales.Error";
// Query parameters go this deep into nested messages ("order.order_id" is two).
constexpr int kMaxQueryDepth = 4;

std::string Ref(absl::string_view schema_name) {
  return absl::StrCat("{\"$ref\":", JsonQuote(absl::StrCat("#/components/schemas/", schema_name)),
                      "}");
}

// "{name=stores/*}" -> "{name}": OpenAPI names path parameters and knows no patterns.
std::string OpenApiPath(absl::string_view path_template) {
  std::string out;
  bool in_variable = false;
  bool in_pattern = false;
  for (const char c : path_template) {
    if (c == '{') in_variable = true;
    if (c == '}') in_variable = in_pattern = false;
    if (in_variable && c == '=') in_pattern = true;
    if (!in_pattern) out += c;
  }
  return out;
}

// Builds components/schemas as operations ask for message and enum types.
class Schemas {
 public:
  // The schema of one value of the field: repeated and map fields are not this one's business.
  std::string ValueSchema(const FieldDescriptor& field) {
    switch (field.type()) {
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return R"({"type":"integer","format":"int32"})";
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return R"({"type":"integer","format":"int64","minimum":0,"maximum":4294967295})";
      // The JSON mapping writes 64-bit integers as strings: a double cannot hold them all.
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
        return R"({"type":"string","format":"int64","pattern":"^-?[0-9]+$"})";
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return R"({"type":"string","format":"uint64","pattern":"^[0-9]+$"})";
      case FieldDescriptor::TYPE_DOUBLE:
        return R"({"type":"number","format":"double"})";
      case FieldDescriptor::TYPE_FLOAT:
        return R"({"type":"number","format":"float"})";
      case FieldDescriptor::TYPE_BOOL:
        return R"({"type":"boolean"})";
      case FieldDescriptor::TYPE_STRING:
        return R"({"type":"string"})";
      case FieldDescriptor::TYPE_BYTES:
        return R"({"type":"string","format":"byte"})";
      case FieldDescriptor::TYPE_ENUM:
        if (field.enum_type()->full_name() == "google.protobuf.NullValue") {
          return R"({"nullable":true})";
        }
        Want(*field.enum_type());
        return Ref(field.enum_type()->full_name());
      case FieldDescriptor::TYPE_MESSAGE:
      case FieldDescriptor::TYPE_GROUP:
        return MessageSchema(*field.message_type());
    }
    return "{}";
  }

  std::string FieldSchema(const FieldDescriptor& field) {
    if (field.is_map()) {
      return absl::StrCat(R"({"type":"object","additionalProperties":)",
                          ValueSchema(*field.message_type()->map_value()), "}");
    }
    if (field.is_repeated()) {
      return absl::StrCat(R"({"type":"array","items":)", ValueSchema(field), "}");
    }
    return ValueSchema(field);
  }

  // A reference for plain messages; the well-known types inline, in the form JSON gives them.
  std::string MessageSchema(const pb::Descriptor& type) {
    switch (WellKnownTypeOf(type)) {
      case WellKnownType::kTimestamp:
        return R"({"type":"string","format":"date-time","example":"2026-11-23T09:30:00Z"})";
      case WellKnownType::kDuration:
        return R"({"type":"string","pattern":"^-?[0-9]+(\\.[0-9]{1,9})?s$","example":"3600s"})";
      case WellKnownType::kWrapper: {
        std::string value = ValueSchema(*type.FindFieldByNumber(1));
        value.pop_back();  // the closing brace
        return absl::StrCat(value, R"(,"nullable":true})");
      }
      case WellKnownType::kFieldMask:
        return R"({"type":"string","description":"field paths, comma-separated"})";
      case WellKnownType::kAny:
        return R"({"type":"object","required":["@type"],"properties":{"@type":{"type":"string"}},"additionalProperties":true})";
      case WellKnownType::kStruct:
        return R"({"type":"object","additionalProperties":true})";
      case WellKnownType::kValue:
        return "{}";
      case WellKnownType::kListValue:
        return R"({"type":"array","items":{}})";
      case WellKnownType::kNone:
        break;
    }
    Want(type);
    return Ref(type.full_name());
  }

  // Writes every schema asked for, including those the written ones ask for in turn.
  std::string Components() {
    std::map<std::string, std::string> written;
    written[std::string(kErrorSchema)] =
        R"({"type":"object","required":["code","message","details"],"properties":{)"
        R"("code":{"type":"string","description":"the gRPC status code by name","example":"INVALID_ARGUMENT"},)"
        R"("message":{"type":"string","description":"what is wrong, naming the field"},)"
        R"("details":{"type":"array","items":{}}}})";
    while (!wanted_messages_.empty() || !wanted_enums_.empty()) {
      if (!wanted_enums_.empty()) {
        const pb::EnumDescriptor* type = *wanted_enums_.begin();
        wanted_enums_.erase(wanted_enums_.begin());
        written[type->full_name()] = EnumSchema(*type);
        continue;
      }
      const pb::Descriptor* type = *wanted_messages_.begin();
      wanted_messages_.erase(wanted_messages_.begin());
      written[type->full_name()] = ObjectSchema(*type);
    }
    std::vector<std::string> entries;
    entries.reserve(written.size());
    for (const auto& [name, schema] : written) {
      entries.push_back(absl::StrCat(JsonQuote(name), ":", schema));
    }
    return absl::StrCat("{", absl::StrJoin(entries, ","), "}");
  }

 private:
  struct ByName {
    template <typename T>
    bool operator()(const T* a, const T* b) const {
      return a->full_name() < b->full_name();
    }
  };

  void Want(const pb::Descriptor& type) {
    if (seen_messages_.insert(&type).second) wanted_messages_.insert(&type);
  }
  void Want(const pb::EnumDescriptor& type) {
    if (seen_enums_.insert(&type).second) wanted_enums_.insert(&type);
  }

  static std::string EnumSchema(const pb::EnumDescriptor& type) {
    std::vector<std::string> names;
    for (int i = 0; i < type.value_count(); ++i) names.push_back(JsonQuote(type.value(i)->name()));
    return absl::StrCat(R"({"type":"string","enum":[)", absl::StrJoin(names, ","), "]}");
  }

  std::string ObjectSchema(const pb::Descriptor& type) {
    std::vector<std::string> properties;
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor& field = *type.field(i);
      properties.push_back(absl::StrCat(JsonQuote(field.name()), ":", FieldSchema(field)));
    }
    std::vector<std::string> oneofs;
    for (int i = 0; i < type.real_oneof_decl_count(); ++i) {
      // Real oneofs come before proto3 optional's synthetic ones.
      const pb::OneofDescriptor& oneof = *type.oneof_decl(i);
      std::vector<std::string> members;
      for (int f = 0; f < oneof.field_count(); ++f) members.push_back(oneof.field(f)->name());
      oneofs.push_back(
          absl::StrCat(oneof.name(), ": at most one of ", absl::StrJoin(members, ", ")));
    }
    std::string schema = R"({"type":"object")";
    if (!oneofs.empty()) {
      absl::StrAppend(&schema, R"(,"description":)",
                      JsonQuote(absl::StrCat(absl::StrJoin(oneofs, "; "), ".")));
    }
    absl::StrAppend(&schema, R"(,"properties":{)", absl::StrJoin(properties, ","), "}}");
    return schema;
  }

  std::set<const pb::Descriptor*> seen_messages_;
  std::set<const pb::EnumDescriptor*> seen_enums_;
  std::set<const pb::Descriptor*, ByName> wanted_messages_;
  std::set<const pb::EnumDescriptor*, ByName> wanted_enums_;
};

std::string Parameter(absl::string_view name, absl::string_view in, bool required,
                      const std::string& schema) {
  return absl::StrCat("{\"name\":", JsonQuote(name), ",\"in\":", JsonQuote(in),
                      ",\"required\":", required ? "true" : "false", ",\"schema\":", schema, "}");
}

// The fields a bodiless route (or the fields beside a body field) takes from the query string:
// every singular or repeated scalar, enum, Timestamp, Duration and wrapper, with dotted names
// through singular messages.
void AddQueryParameters(const pb::Descriptor& type, const std::string& prefix, int depth,
                        const std::set<std::string>& taken, Schemas& schemas,
                        std::vector<std::string>& out) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    const std::string name = absl::StrCat(prefix, field.name());
    if (taken.count(name) > 0 || field.is_map()) continue;
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !IsWellKnownScalar(WellKnownTypeOf(*field.message_type()))) {
      if (!field.is_repeated() && depth + 1 < kMaxQueryDepth) {
        AddQueryParameters(*field.message_type(), absl::StrCat(name, "."), depth + 1, taken,
                           schemas, out);
      }
      continue;
    }
    out.push_back(Parameter(name, "query", false, schemas.FieldSchema(field)));
  }
}

std::string Operation(const ApiRoute& route, absl::Span<const std::string> variables, int binding,
                      Schemas& schemas) {
  const pb::MethodDescriptor& method = *route.method;
  const pb::Descriptor& request = *method.input_type();
  std::vector<std::string> parameters;
  std::set<std::string> taken;
  for (size_t i = 0; i < variables.size(); ++i) {
    taken.insert(variables[i]);
    parameters.push_back(Parameter(variables[i], "path", true,
                                   schemas.FieldSchema(route.transcoder.path_variable_field(i))));
  }
  std::string request_body;
  if (route.body == "*") {
    request_body = schemas.MessageSchema(request);
  } else {
    if (!route.body.empty()) {
      taken.insert(route.body);
      const FieldDescriptor* field = request.FindFieldByName(route.body);
      if (field != nullptr) request_body = schemas.FieldSchema(*field);
    }
    AddQueryParameters(request, "", 0, taken, schemas, parameters);
  }

  parameters.push_back(absl::StrCat(
      R"({"name":"X-Request-Id","in":"header","required":false,)",
      R"("description":"a UUID (or an id of ours, req_...), echoed and logged; any other value is replaced with a new one",)",
      R"("schema":{"type":"string","maxLength":128}})"));
  const bool writes = route.http_method != "GET";
  if (writes) {
    parameters.push_back(absl::StrCat(
        R"({"name":"Idempotency-Key","in":"header","required":false,)",
        R"("description":"on creates: a retry with the same key and body answers the first result and writes nothing",)",
        R"("schema":{"type":"string","minLength":1,"maxLength":255}})"));
  }

  std::string op = absl::StrCat(
      "{\"operationId\":",
      JsonQuote(absl::StrCat(method.service()->name(), "_", method.name(),
                             binding == 0 ? "" : absl::StrCat("_", binding))),
      ",\"summary\":", JsonQuote(absl::StrCat(method.name(), " (", method.full_name(), ")")),
      ",\"tags\":[", JsonQuote(route.backend), "]");
  if (!parameters.empty())
    absl::StrAppend(&op, ",\"parameters\":[", absl::StrJoin(parameters, ","), "]");
  if (!request_body.empty()) {
    // Every field is optional as far as the gateway goes (an empty body is an empty message);
    // the service says which it needs.
    absl::StrAppend(&op,
                    ",\"requestBody\":{\"required\":false,\"content\":{\"application/json\":{"
                    "\"schema\":",
                    request_body, "}}}");
  }
  absl::StrAppend(
      &op, ",\"responses\":{\"200\":{\"description\":\"OK\",",
      writes
          ? R"("headers":{"Idempotent-Replayed":{"description":"the stored answer of an earlier call with this Idempotency-Key; nothing was done now","schema":{"type":"string","enum":["true"]}}},)"
          : "",
      "\"content\":{\"application/json\":{\"schema\":",
      schemas.MessageSchema(*method.output_type()),
      "}}},"
      // What any call may meet at the gateway before its service answers.
      "\"401\":{\"description\":\"No credentials, or a token or API key that is not valid; "
      "WWW-Authenticate says which\",\"headers\":{\"WWW-Authenticate\":{\"schema\":{\"type\":"
      "\"string\"}}},\"content\":{\"application/json\":{\"schema\":",
      Ref(kErrorSchema),
      "}}},\"403\":{\"description\":\"The caller's role may not call this, or the store is "
      "not theirs\",\"content\":{\"application/json\":{\"schema\":",
      Ref(kErrorSchema),
      "}}},\"429\":{\"description\":\"Past the caller's rate; retry after Retry-After "
      "seconds\",\"headers\":{\"Retry-After\":{\"schema\":{\"type\":\"integer\"}}},"
      "\"content\":{\"application/json\":{\"schema\":",
      Ref(kErrorSchema),
      "}}},\"default\":{\"description\":\"An error. The status follows the gRPC code: 400 "
      "INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE; 401 UNAUTHENTICATED; 403 "
      "PERMISSION_DENIED; 404 NOT_FOUND (also an unknown path); 405 UNIMPLEMENTED for a method "
      "the path does not take; 409 ALREADY_EXISTS or ABORTED; 413 RESOURCE_EXHAUSTED for a body "
      "over the limit; 429 RESOURCE_EXHAUSTED; 499 "
      "CANCELLED; 500 INTERNAL, UNKNOWN or DATA_LOSS (the message gives the request id); 501 "
      "UNIMPLEMENTED; 503 UNAVAILABLE; 504 DEADLINE_EXCEEDED. 429 and 503 are worth a retry.\","
      "\"content\":{\"application/json\":{\"schema\":",
      Ref(kErrorSchema), "}}}}}");
  return op;
}

}  // namespace

std::string OpenApiDocument(const ApiRoutes& api, absl::string_view title,
                            absl::string_view version) {
  Schemas schemas;
  // Path -> method -> operation; std::map keeps the document stable from run to run.
  std::map<std::string, std::map<std::string, std::string>> paths;
  std::map<const pb::MethodDescriptor*, int> bindings;
  for (size_t id = 0; id < api.routes.size(); ++id) {
    const ApiRoute& route = api.routes[id];
    const std::string method = absl::AsciiStrToLower(route.http_method);
    const std::string path = OpenApiPath(route.path_template);
    paths[path][method] =
        Operation(route, api.table.path_template(static_cast<int>(id)).variables(),
                  bindings[route.method]++, schemas);
  }
  std::vector<std::string> path_entries;
  for (const auto& [path, operations] : paths) {
    std::vector<std::string> entries;
    for (const auto& [method, operation] : operations) {
      entries.push_back(absl::StrCat(JsonQuote(method), ":", operation));
    }
    path_entries.push_back(absl::StrCat(JsonQuote(path), ":{", absl::StrJoin(entries, ","), "}"));
  }
  return absl::StrCat(
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":", JsonQuote(title),
      ",\"version\":", JsonQuote(version), ",\"description\":",
      JsonQuote("Generated from the google.api.http annotations of the services this gateway "
                "serves. Field names are the proto names (lowerCamel is accepted too); 64-bit "
                "integers are strings. Send Idempotency-Key on creates to make a retry safe, and "
                "X-Request-Id to find a request in the logs."),
      ",\"license\":{\"name\":\"Proprietary\",\"url\":\"https://aftersales.invalid/license\"}"
      "},\"servers\":[{\"url\":\"/\"}],"
      // A person's bearer JWT, or an API key as a bearer token or in X-Api-Key.
      "\"security\":[{\"bearerAuth\":[]},{\"apiKeyHeader\":[]}],"
      "\"paths\":{", absl::StrJoin(path_entries, ","),
      "},\"components\":{\"securitySchemes\":{"
      "\"bearerAuth\":{\"type\":\"http\",\"scheme\":\"bearer\",\"bearerFormat\":\"JWT\","
      "\"description\":\"A person's token from the identity provider (RS256 or ES256), or an "
      "API key ak_<id>_<secret>\"},"
      "\"apiKeyHeader\":{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"X-Api-Key\","
      "\"description\":\"An API key ak_<id>_<secret>, made by an admin (POST /v1/apiKeys)\"}},"
      "\"schemas\":", schemas.Components(), "}}");
}

}  // namespace aftersales::gateway
