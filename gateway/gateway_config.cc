#include "gateway/gateway_config.h"

#include "absl/strings/str_cat.h"

namespace aftersales::gateway {

std::vector<ConfigVar> GatewayConfigVars() {
  return {
      {"listen", "127.0.0.1:8080", "host:port the HTTP server listens on"},
      {"backends", "tickets=127.0.0.1:50051",
       "comma-separated name=host:port; service aftersales.<name>.v1.* is served by <name>"},
      {"backend_timeout", "15s", "deadline of each backend call"},
      {"http_threads", "2", "threads serving HTTP connections"},
      {"max_body_bytes", "1048576", "larger request bodies are refused with 413"},
      {"auth_mode", "jwt",
       "'jwt': people's bearer JWTs (RS256/ES256, --jwks_file) and API keys; 'development' "
       "(loopback only): also HS256 tokens under --dev_jwt_secret, and a request without "
       "credentials acts as the development principal"},
      {"jwks_file", "", "the identity provider's public keys (JWKS), reread when it changes"},
      {"jwt_issuer", "", "the iss every token must carry"},
      {"jwt_audience", "", "the aud every token must name"},
      {"jwt_clock_skew", "60s", "slack on exp and nbf for clocks that differ"},
      {"dev_jwt_secret", "", "development mode: HS256 secret (32+ characters) of dev tokens",
       /*secret=*/true},
      {"dev_role", "admin", "development mode: role of the development principal"},
      {"dev_stores", "*", "development mode: stores of the development principal ('*' is all)"},
      {"identity_key", "",
       "secret (32+ characters) shared with every service: signs who each backend call acts "
       "for; required",
       /*secret=*/true},
      {"rate_limit_person", "20/40",
       "requests a second / burst per person (agents, supervisors, admins); 429 past it"},
      {"rate_limit_service", "200/400", "requests a second / burst per API key or service"},
      {"rate_limit_unauthenticated", "5/20",
       "requests a second / burst per client IP without valid credentials"},
      {"drain_timeout", "10s", "on SIGTERM, how long requests in flight may take to finish"},
      {"readiness_interval", "2s", "how often backends' health is checked for /readyz"},
  };
}

absl::StatusOr<GatewayOptions> GatewayOptionsFromConfig(const Config& config) {
  GatewayOptions o;
  o.listen = config.Get("listen");
  absl::StatusOr<std::vector<BackendAddress>> backends =
      ParseBackendAddresses(config.Get("backends"));
  if (!backends.ok()) return backends.status();
  o.backends = *std::move(backends);

  const auto duration = [&](absl::string_view name, absl::Duration& out) -> absl::Status {
    absl::StatusOr<absl::Duration> d = config.GetDuration(name);
    if (!d.ok()) return d.status();
    if (*d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " must be positive"));
    }
    out = *d;
    return absl::OkStatus();
  };
  const auto positive = [&](absl::string_view name, int64_t max, int64_t& out) -> absl::Status {
    absl::StatusOr<int64_t> n = config.GetInt(name);
    if (!n.ok()) return n.status();
    if (*n < 1 || *n > max) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " must be 1..", max));
    }
    out = *n;
    return absl::OkStatus();
  };
  if (absl::Status s = duration("backend_timeout", o.backend_timeout); !s.ok()) return s;
  if (absl::Status s = duration("drain_timeout", o.drain_timeout); !s.ok()) return s;
  if (absl::Status s = duration("readiness_interval", o.readiness_interval); !s.ok()) return s;
  int64_t threads = 0;
  if (absl::Status s = positive("http_threads", 256, threads); !s.ok()) return s;
  o.http_threads = static_cast<int>(threads);
  int64_t max_body = 0;
  if (absl::Status s = positive("max_body_bytes", int64_t{1} << 30, max_body); !s.ok()) return s;
  o.max_body_bytes = static_cast<size_t>(max_body);
  o.auth.mode = config.Get("auth_mode");
  o.auth.jwks_file = config.Get("jwks_file");
  o.auth.jwt_issuer = config.Get("jwt_issuer");
  o.auth.jwt_audience = config.Get("jwt_audience");
  if (absl::Status s = duration("jwt_clock_skew", o.auth.jwt_clock_skew); !s.ok()) return s;
  o.auth.dev_jwt_secret = config.Get("dev_jwt_secret");
  o.auth.dev_role = config.Get("dev_role");
  o.auth.dev_stores = config.Get("dev_stores");
  for (auto [name, out] : {std::pair{"rate_limit_person", &o.person_rate},
                           std::pair{"rate_limit_service", &o.service_rate},
                           std::pair{"rate_limit_unauthenticated", &o.unauthenticated_rate}}) {
    if (!ParseRateLimit(config.Get(name), *out)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, ": requests a second / burst, like 20/40 (burst refilled within 10 min)"));
    }
  }
  o.identity_key = config.Get("identity_key");
  if (o.identity_key.empty()) {
    return absl::InvalidArgumentError(
        "--identity_key (AFTERSALES_IDENTITY_KEY) is required: the secret shared with every "
        "service that signs who each call acts for");
  }
  return o;
}

}  // namespace aftersales::gateway
