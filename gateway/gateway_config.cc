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
      {"auth_mode", "development",
       "how callers are authenticated; 'development' (no credentials, fixed principal) is the "
       "only mode so far"},
      {"dev_role", "admin", "development mode: role of the development principal"},
      {"dev_stores", "*", "development mode: stores of the development principal ('*' is all)"},
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
  o.auth_mode = config.Get("auth_mode");
  o.dev_role = config.Get("dev_role");
  o.dev_stores = config.Get("dev_stores");
  return o;
}

}  // namespace aftersales::gateway
