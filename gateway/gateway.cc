#include "gateway/gateway.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/api_proto_files.h"

namespace aftersales::gateway {
namespace {

// After the drain timeout, cancelled calls get this long to report back before the threads stop.
constexpr absl::Duration kCancelGrace = absl::Seconds(2);

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(const GatewayOptions& options) {
  return Create(options, ApiProtoFiles());
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(
    const GatewayOptions& options, const std::vector<std::string_view>& proto_files) {
  AuthOptions auth = options.auth;
  auth.listen_addresses = {options.listen};
  if (!options.grpc_listen.empty()) auth.listen_addresses.push_back(options.grpc_listen);
  absl::StatusOr<std::unique_ptr<Authenticator>> authenticator = Authenticator::Create(auth);
  if (!authenticator.ok()) return authenticator.status();
  absl::StatusOr<IdentitySigner> identity = IdentitySigner::Create(options.identity_key, "gateway", options.identity_previous_key);
  if (!identity.ok()) return identity.status();
  std::vector<std::string> backend_names;
  for (const BackendAddress& b : options.backends) backend_names.push_back(b.name);
  absl::StatusOr<ApiRoutes> routes = BuildApiRoutes(proto_files, backend_names);
  if (!routes.ok()) return routes.status();
  return std::unique_ptr<Gateway>(
      new Gateway(options, *std::move(authenticator), *std::move(identity), *std::move(routes)));
}

Gateway::Gateway(const GatewayOptions& options, std::unique_ptr<Authenticator> authenticator,
                 IdentitySigner identity, ApiRoutes routes)
    : options_(options),
      authenticator_(std::move(authenticator)),
      identity_(std::move(identity)),
      routes_(std::move(routes)) {
  std::vector<Backend*> backends;
  for (const BackendAddress& address : options_.backends) {
    backends_.push_back(std::make_unique<Backend>(address, RetryableMethods(routes_, address.name),
                                                  options_.backend_timeout, calls_));
    backends.push_back(backends_.back().get());
  }
  std::vector<Backend*> route_backends;
  for (const ApiRoute& route : routes_.routes) {
    for (Backend* b : backends) {
      if (b->name() == route.backend) route_backends.push_back(b);
    }
  }
  for (const BackendAddress& address : options_.backends) {
    if (address.name != "identity") continue;
    api_keys_ = std::make_unique<ApiKeyCache>(MakeChannel(address.target, {}), identity_);
    authenticator_->SetApiKeys(api_keys_.get());
  }
  health_ = std::make_unique<BackendHealth>(backends, options_.readiness_interval);
  handler_ =
      std::make_unique<ApiHandler>(routes_, std::move(route_backends), *health_,
                                          *authenticator_, identity_, options_);
  HttpServerOptions http;
  http.listen = options_.listen;
  http.threads = options_.http_threads;
  http.max_body_bytes = options_.max_body_bytes;
  http.max_header_bytes = options_.max_header_bytes;
  http.max_connections = options_.max_connections;
  http.max_requests_in_flight = options_.max_requests_in_flight;
  http.idle_timeout = options_.idle_timeout;
  http.io_timeout = options_.io_timeout;
  server_ = std::make_unique<HttpServer>(std::move(http), *handler_);
  if (!options_.grpc_listen.empty()) {
    std::map<std::string, Backend*> by_name;
    for (Backend* b : backends) by_name[b->name()] = b;
    grpc_front_ = std::make_unique<GrpcFront>(std::move(by_name), *authenticator_, identity_,
                                              handler_->limiter(), options_);
  }
}

absl::Status Gateway::Start() {
  if (authenticator_->development()) {
    LogWarning(absl::StrCat(
        "auth_mode development (loopback only): a request without credentials acts as the "
        "development ",
        authenticator_->DescribeDevelopmentPrincipal(),
        ", which X-Dev-Principal, X-Dev-Role and X-Dev-Stores override"));
  }
  if (!routes_.services_without_backend.empty()) {
    LogWarning("services with no configured backend get no routes",
               {{"services", absl::StrJoin(routes_.services_without_backend, ",")}});
  }
  for (const ApiRoute& route : routes_.routes) {
    LogInfo("route", {{"method", route.http_method},
                      {"path", route.path_template},
                      {"rpc", route.rpc_path},
                      {"backend", route.backend}});
  }
  if (absl::Status s = server_->Start(); !s.ok()) return s;
  if (grpc_front_ != nullptr) {
    if (absl::Status s = grpc_front_->Start(); !s.ok()) return s;
  }
  if (!options_.admin_listen.empty()) {
    handler_->ServeMetricsPublicly(false);
    absl::StatusOr<std::unique_ptr<AdminHttpServer>> admin =
        AdminHttpServer::Start(options_.admin_listen, [this] { return handler_->MetricsText(); });
    if (!admin.ok()) return admin.status();
    admin_ = *std::move(admin);
  }
  health_->Start();
  if (api_keys_ != nullptr) {
    // Logs when syncing starts failing and when it recovers, not twice a second in between.
    api_key_sync_ = std::make_unique<PeriodicTask>(
        "api_key_sync", absl::Milliseconds(250), [this, failing = false]() mutable {
          const absl::Status s = api_keys_->Sync();
          if (!s.ok() && !failing) {
            LogWarning("API keys not synced; past 3 s without a sync they answer 503",
                       {{"error", std::string(s.message())}});
          } else if (s.ok() && failing) {
            LogInfo("API keys synced again");
          }
          failing = !s.ok();
          return false;
        });
  }
  key_refresh_ = std::make_unique<PeriodicTask>("jwks_refresh", absl::Seconds(2), [this] {
    authenticator_->RefreshKeys();
    return false;
  });
  LogInfo("serving HTTP", {{"listen", options_.listen},
                           {"port", absl::StrCat(server_->port())},
                           {"routes", absl::StrCat(routes_.routes.size())}});
  return absl::OkStatus();
}

void Gateway::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  key_refresh_.reset();
  api_key_sync_.reset();
  // gRPC calls drain alongside HTTP requests; their backend calls are counted in calls_, so the
  // cancel below ends the ones still running at the deadline.
  std::thread grpc_drain;
  if (grpc_front_ != nullptr) {
    grpc_drain = std::thread(
        [this, deadline = absl::Now() + options_.drain_timeout] { grpc_front_->Shutdown(deadline); });
  }
  server_->StopAccepting();
  if (!server_->WaitIdle(options_.drain_timeout)) {
    LogWarning("requests still in flight after the drain timeout: cancelling their backend calls",
               {{"drain_timeout", absl::FormatDuration(options_.drain_timeout)}});
    calls_.CancelAll();
    server_->WaitIdle(kCancelGrace);
  }
  calls_.CancelAll();  // and from here on every new backend call is refused
  // Every backend callback must have run before the threads it posts to and the objects it
  // touches go away. Cancelled calls end quickly and no new one starts, so this wait ends.
  while (!calls_.WaitIdle(kCancelGrace)) {
    LogWarning("waiting for cancelled backend calls to end");
  }
  if (grpc_drain.joinable()) grpc_drain.join();
  admin_.reset();
  server_->Stop();
  health_.reset();
  LogInfo("stopped");
}

void Gateway::GracefulShutdown() {
  handler_->StartDraining();
  if (options_.shutdown_grace > absl::ZeroDuration()) {
    LogInfo("shutdown grace: still serving, /readyz 503",
            {{"grace", absl::FormatDuration(options_.shutdown_grace)}});
    absl::SleepFor(options_.shutdown_grace);
  }
  Shutdown();
}

Gateway::~Gateway() { Shutdown(); }

}  // namespace aftersales::gateway
