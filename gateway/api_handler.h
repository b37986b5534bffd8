#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/api_routes.h"
#include "common/identity_token.h"
#include "gateway/authenticator.h"
#include "gateway/backend_health.h"
#include "gateway/backends.h"
#include "gateway/gateway_config.h"
#include "gateway/rate_limiter.h"
#include "gateway/http_metrics.h"
#include "gateway/http_server.h"

namespace aftersales::gateway {

// Answers the gateway's HTTP requests:
// - GET /healthz: 200 {"status":"ok"} while the process runs;
// - GET /readyz: 200 while the gateway serves, naming the backends whose last health check was
//   not SERVING (their routes answer 503; the others go on);
// - GET /metrics: request counters in Prometheus text;
// - GET /openapi.json: the API as an OpenAPI 3.0 document (openapi.h), for client developers;
// - every API route: authenticate, transcode to the RPC's request, call the backend without
//   blocking a thread, and answer with the response as JSON or the error mapped to HTTP.
// Every response carries X-Request-Id (the client's when it is 1..128 printable ASCII characters,
// else a new one) and every request writes one JSON access-log line.
//
// Errors are JSON {"code":"NOT_FOUND","message":"...","details":[]}: unknown path 404, known path
// but other method 405 with Allow, bad body or query 400 naming the field, backend errors mapped
// by http_status.h.
// Whether a client's X-Request-Id is kept: one of ours, or a UUID.
bool IsAcceptableRequestId(absl::string_view id);

class ApiHandler : public HttpHandler {
 public:
  // backends: one per route of api (same index), each serving that route's RPC. All arguments
  // must outlive the handler.
  ApiHandler(const ApiRoutes& api, std::vector<Backend*> backends, const BackendHealth& health,
             const Authenticator& authenticator, const IdentitySigner& identity,
             const GatewayOptions& options);

  void Handle(const HttpRequest& request, HttpResponder responder) override;
  // From now on /readyz answers 503 (the pod is leaving the load balancer); requests still work.
  void StartDraining() { draining_ = true; }
  // The buckets every entry (HTTP and gRPC) takes from.
  RateLimiter& limiter() { return limiter_; }
  // Request counters in Prometheus text, for the admin port.
  std::string MetricsText() const;
  // Whether GET /metrics is answered on the public port too (no admin port configured).
  void ServeMetricsPublicly(bool on) { public_metrics_ = on; }
  HttpResponse Reject(const HttpRequest& request, boost::beast::http::status status,
                      absl::string_view why) override;

 private:
  struct Exchange;

  void CallBackend(const HttpRequest& request, Exchange exchange, const RouteMatch& match,
                   absl::string_view query, HttpResponder responder);
  // Counts the request and writes its access-log line.
  void Record(const Exchange& exchange, int http_status, absl::string_view error);
  // Records the request and sends its response.
  void Finish(const Exchange& exchange, HttpResponse response, const HttpResponder& responder);
  static std::string PublicMessage(const Exchange& x, const grpc::Status& status);
  HttpResponse Error(const Exchange& exchange, int http_status, grpc::StatusCode code,
                     absl::string_view message) const;
  HttpResponse Json(const Exchange& exchange, int http_status, std::string body) const;
  // 429 with Retry-After when key's bucket is empty; nullopt to go on.
  std::optional<HttpResponse> RateLimited(const Exchange& exchange, const std::string& key,
                                          const RateLimit& limit);

  const ApiRoutes& api_;
  const std::vector<Backend*> backends_;
  const BackendHealth& health_;
  const Authenticator& authenticator_;
  const IdentitySigner& identity_;
  const GatewayOptions& options_;
  RateLimiter limiter_;
  HttpMetrics metrics_;
  std::atomic<bool> draining_{false};
  bool public_metrics_ = true;
  // HttpMetrics ids, per route id of api_.
  std::vector<int> route_series_;
  int healthz_series_;
  int readyz_series_;
  int metrics_series_;
  int openapi_series_;
  // GET /openapi.json: built once, from the same routes the handler serves.
  std::string openapi_json_;
};

}  // namespace aftersales::gateway
