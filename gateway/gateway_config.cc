#include "gateway/gateway_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace aftersales::gateway {

std::vector<ConfigVar> GatewayConfigVars() {
  return {
      {"listen", "127.0.0.1:8080", "host:port the HTTP server listens on"},
      {"grpc_listen", "",
       "host:port of the gRPC entry for mobile clients and automation (every service's RPCs, "
       "forwarded with the same authentication and limits); off when empty"},
      {"admin_listen", "",
       "host:port for GET /metrics apart from the public port; when empty /metrics is public"},
      {"grpc_tls_cert_file", "", "PEM certificate chain: the gRPC entry speaks TLS"},
      {"grpc_tls_key_file", "", "PEM private key of grpc_tls_cert_file"},
      {"backends", "tickets=127.0.0.1:50051",
       "comma-separated name=host:port; service aftersales.<name>.v1.* is served by <name>"},
      {"backend_timeout", "15s", "deadline of each backend call"},
      {"http_threads", "2", "threads serving HTTP connections"},
      {"max_body_bytes", "1048576", "larger request bodies are refused with 413"},
      {"max_header_bytes", "16384", "larger request headers are refused with 431"},
      {"max_connections", "10000", "open connections past this get 503 and are closed"},
      {"max_requests_in_flight", "2000", "requests being answered at once past this get 503"},
      {"idle_timeout", "60s", "a kept-alive connection idle this long is closed"},
      {"io_timeout", "30s", "longest time to read a request's body or write a response"},
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
      {"identity_previous_key", "",
       "during a rotation of identity_key, the key being replaced: still accepted, never used to "
       "sign; empty otherwise",
       /*secret=*/true},
      {"rate_limit_person", "20/40",
       "requests a second / burst per person (agents, supervisors, admins); 429 past it"},
      {"rate_limit_service", "200/400", "requests a second / burst per API key or service"},
      {"rate_limit_unauthenticated", "5/20",
       "requests a second / burst per client IP without valid credentials"},
      {"cors_origins", "",
       "comma-separated browser origins allowed to call the API (https://desk.example.com); "
       "none when empty"},
      {"shutdown_grace", "0s",
       "on SIGTERM, how long to keep serving (with /readyz 503) before the drain"},
      {"drain_timeout", "10s", "on SIGTERM, how long requests in flight may take to finish"},
      {"readiness_interval", "2s", "how often backends' health is checked for /readyz"},
  };
}

absl::StatusOr<GatewayOptions> GatewayOptionsFromConfig(const Config& config) {
  GatewayOptions o;
  o.listen = config.Get("listen");
  o.grpc_listen = config.Get("grpc_listen");
  o.admin_listen = config.Get("admin_listen");
  o.grpc_tls_cert_file = config.Get("grpc_tls_cert_file");
  o.grpc_tls_key_file = config.Get("grpc_tls_key_file");
  if (o.grpc_tls_cert_file.empty() != o.grpc_tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--grpc_tls_cert_file and --grpc_tls_key_file go together: give both, or neither");
  }
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
  if (absl::StatusOr<absl::Duration> grace = config.GetDuration("shutdown_grace"); !grace.ok()) {
    return grace.status();
  } else {
    o.shutdown_grace = *grace;
  }
  if (absl::Status s = duration("readiness_interval", o.readiness_interval); !s.ok()) return s;
  int64_t threads = 0;
  if (absl::Status s = positive("http_threads", 256, threads); !s.ok()) return s;
  o.http_threads = static_cast<int>(threads);
  int64_t max_body = 0;
  if (absl::Status s = positive("max_body_bytes", int64_t{1} << 30, max_body); !s.ok()) return s;
  o.max_body_bytes = static_cast<size_t>(max_body);
  int64_t n = 0;
  if (absl::Status s = positive("max_header_bytes", int64_t{1} << 20, n); !s.ok()) return s;
  o.max_header_bytes = static_cast<size_t>(n);
  if (absl::Status s = positive("max_connections", 1000000, n); !s.ok()) return s;
  o.max_connections = static_cast<size_t>(n);
  if (absl::Status s = positive("max_requests_in_flight", 1000000, n); !s.ok()) return s;
  o.max_requests_in_flight = static_cast<int>(n);
  if (absl::Status s = duration("idle_timeout", o.idle_timeout); !s.ok()) return s;
  if (absl::Status s = duration("io_timeout", o.io_timeout); !s.ok()) return s;
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
  for (absl::string_view origin :
       absl::StrSplit(config.Get("cors_origins"), ',', absl::SkipWhitespace())) {
    origin = absl::StripAsciiWhitespace(origin);
    if (!absl::StartsWith(origin, "https://") && !absl::StartsWith(origin, "http://")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--cors_origins: '", origin, "' is not an origin like https://desk.example.com"));
    }
    o.cors_origins.emplace_back(absl::StripSuffix(origin, "/"));
  }
  o.identity_key = config.Get("identity_key");
  o.identity_previous_key = config.Get("identity_previous_key");
  if (o.identity_key.empty()) {
    return absl::InvalidArgumentError(
        "--identity_key (AFTERSALES_IDENTITY_KEY) is required: the secret shared with every "
        "service that signs who each call acts for");
  }
  return o;
}

}  // namespace aftersales::gateway
