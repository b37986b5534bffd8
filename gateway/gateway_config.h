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
  std::vector<BackendAddress> backends;
  absl::Duration backend_timeout = absl::Seconds(15);
  int http_threads = 2;
  size_t max_body_bytes = 1 << 20;
  // auth.listen_addresses is filled from listen.
  AuthOptions auth;
  // Signs the identity every backend call carries (the services' --identity_key).
  std::string identity_key;
  absl::Duration drain_timeout = absl::Seconds(10);
  // Requests per principal (people, automation) and per client IP for requests without valid
  // credentials.
  RateLimit person_rate = {20, 40};
  RateLimit service_rate = {200, 400};
  RateLimit unauthenticated_rate = {5, 20};
  absl::Duration readiness_interval = absl::Seconds(2);
};

// Reads and checks the settings. INVALID_ARGUMENT naming the setting that is wrong.
absl::StatusOr<GatewayOptions> GatewayOptionsFromConfig(const Config& config);

}  // namespace aftersales::gateway
