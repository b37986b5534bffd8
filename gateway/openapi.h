#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "gateway/api_routes.h"

namespace aftersales::gateway {

// The gateway's HTTP API as an OpenAPI 3.0 document (JSON), served at GET /openapi.json so that
// web and mobile developers can browse it and generate clients. Built from the same routes the
// gateway serves, so it cannot drift from them: one operation per route, path variables as path
// parameters, the other fields of a bodiless route as query parameters (dotted for nested
// fields), the body as the binding says, and every message as a schema under
// components/schemas, named by its full proto name.
//
// Schemas follow what the gateway reads and prints (json_parser.h, json_printer.h): proto field
// names, 64-bit integers as strings, enums by name, Timestamp as an RFC 3339 string and
// Duration as "1.5s". Every error answers with the Error schema, {code, message, details}.
std::string OpenApiDocument(const ApiRoutes& api, absl::string_view title,
                            absl::string_view version);

}  // namespace aftersales::gateway
