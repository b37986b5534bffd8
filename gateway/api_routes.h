#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/channel.h"
#include "gateway/route_table.h"
#include "gateway/transcoder.h"

namespace aftersales::gateway {

// One HTTP binding of an RPC.
struct ApiRoute {
  std::string http_method;    // "GET"
  std::string path_template;  // "/v1/tickets/{ticket_id}"
  // gRPC's method path, "/aftersales.tickets.v1.TicketsService/GetTicket". Routes live as long as
  // the gateway, so calls may hold on to it.
  std::string rpc_path;
  std::string backend;  // "tickets"
  const google::protobuf::MethodDescriptor* method = nullptr;
  // The binding's body: "" (none), "*" (the whole request) or the request field it fills.
  std::string body;
  Transcoder transcoder;
};

// The HTTP API of the linked services, built once at start-up from their google.api.http
// annotations (additional_bindings included). A route's id in `table` is its index in `routes`.
struct ApiRoutes {
  RouteTable table;
  std::vector<ApiRoute> routes;
  // Services with annotated RPCs whose backend is not configured: they get no routes.
  std::vector<std::string> services_without_backend;
};

// Routes every annotated unary RPC of every service in the proto files (names as the generated
// descriptor pool knows them) that a configured backend serves. Errors: a file the binary does not
// link, a malformed or unsupported binding, two RPCs claiming one method and path.
absl::StatusOr<ApiRoutes> BuildApiRoutes(absl::Span<const std::string_view> proto_files,
                                         absl::Span<const std::string> backend_names);

// The backend that serves a service: aftersales.<name>.v1.XService is served by <name>. Empty for
// a service named otherwise.
std::string BackendForService(const google::protobuf::ServiceDescriptor& service);

// The RPCs a backend serves behind GET routes: reads, which the channel may safely retry.
std::vector<RetryableMethod> RetryableMethods(const ApiRoutes& api, absl::string_view backend);

}  // namespace aftersales::gateway
