#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "gateway/authenticator.h"
#include "gateway/backends.h"
#include "gateway/rate_limiter.h"

namespace aftersales::gateway {

// Every setting of the gateway, with its default: each is --name=value or AFTERSALES_<NAME>.
std::vector<ConfigVar> GatewayConfigVars();

struct GatewayOptions {
  std::string listen = "127.0.0.1:8080";
  // The gRPC entry (GrpcFront); off when empty. TLS when both files are given.
  std::string grpc_listen;
  // GET /metrics here instead of on the public port; off (public /metrics) when empty.
  std::string admin_listen;
  std::string grpc_tls_cert_file;
  std::string grpc_tls_key_file;
  std::vector<BackendAddress> backends;
  absl::Duration backend_timeout = absl::Seconds(15);
  int http_threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 10000;
  int max_requests_in_flight = 2000;
  absl::Duration idle_timeout = absl::Seconds(60);
  absl::Duration io_timeout = absl::Seconds(30);
  // auth.listen_addresses is filled from listen.
  AuthOptions auth;
  // Signs the identity every backend call carries (the services' --identity_key).
  std::string identity_key;
  // Accepted during a rotation, never used to sign.
  std::string identity_previous_key;
  absl::Duration drain_timeout = absl::Seconds(10);
  // After SIGTERM: /readyz answers 503 and requests are still served for this long, then the
  // drain starts.
  absl::Duration shutdown_grace = absl::ZeroDuration();
  // Requests per principal (people, automation) and per client IP for requests without valid
  // credentials.
  RateLimit person_rate = {20, 40};
  RateLimit service_rate = {200, 400};
  RateLimit unauthenticated_rate = {5, 20};
  // Browser origins allowed to call the API ("https://desk.example.com"); none when empty.
  std::vector<std::string> cors_origins;
  absl::Duration readiness_interval = absl::Seconds(2);
};

// Reads and checks the settings. INVALID_ARGUMENT naming the setting that is wrong.
absl::StatusOr<GatewayOptions> GatewayOptionsFromConfig(const Config& config);

}  // namespace aftersales::gateway
