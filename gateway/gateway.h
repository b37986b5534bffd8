#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/api_handler.h"
#include "gateway/api_routes.h"
#include "gateway/authenticator.h"
#include "gateway/backend_health.h"
#include "gateway/backends.h"
#include "gateway/gateway_config.h"
#include "gateway/grpc_front.h"
#include "gateway/http_server.h"
#include "common/metrics.h"
#include "common/periodic.h"

namespace aftersales::gateway {

// The whole gateway, assembled: routes from the API protos, one channel per backend, the
// readiness poller and the HTTP server. Embeddable (tests start one on port 0).
class Gateway {
 public:
  // Builds everything but serves nothing yet. proto_files defaults to every linked API file.
  // Errors: a bad setting (development mode off loopback, no identity key, ...), a malformed
  // API binding.
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(
      const GatewayOptions& options, const std::vector<std::string_view>& proto_files);
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(const GatewayOptions& options);
  // Shuts down if Shutdown was not called.
  ~Gateway();

  // Listens and starts the health poller. UNAVAILABLE when the address is taken.
  absl::Status Start();
  int port() const { return server_->port(); }
  // The gRPC entry's port; 0 when off.
  int grpc_port() const { return grpc_front_ == nullptr ? 0 : grpc_front_->port(); }
  // The admin (/metrics) port; 0 when off.
  int admin_port() const { return admin_ == nullptr ? 0 : admin_->port(); }

  // SIGTERM: stops accepting, lets requests in flight finish (up to drain_timeout), cancels the
  // backend calls still running after that, and stops the threads.
  void Shutdown();
  // SIGTERM as Kubernetes sends it: /readyz turns 503 at once, requests are served for
  // shutdown_grace while the pod leaves the endpoints, then Shutdown.
  void GracefulShutdown();

  const ApiRoutes& routes() const { return routes_; }

 private:
  Gateway(const GatewayOptions& options, std::unique_ptr<Authenticator> authenticator,
          IdentitySigner identity, ApiRoutes routes);

  GatewayOptions options_;
  std::unique_ptr<Authenticator> authenticator_;
  IdentitySigner identity_;
  ApiRoutes routes_;
  // Declared in the order they depend on each other; destroyed in reverse.
  CallsInFlight calls_;
  std::vector<std::unique_ptr<Backend>> backends_;
  std::unique_ptr<BackendHealth> health_;
  std::unique_ptr<ApiHandler> handler_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<GrpcFront> grpc_front_;
  std::unique_ptr<AdminHttpServer> admin_;
  // Rereads the JWKS file when it changes.
  std::unique_ptr<PeriodicTask> key_refresh_;
  // API keys, when a backend named "identity" is configured.
  std::unique_ptr<ApiKeyCache> api_keys_;
  std::unique_ptr<PeriodicTask> api_key_sync_;
  bool shut_down_ = false;
};

}  // namespace aftersales::gateway
