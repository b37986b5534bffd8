#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/server.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/identity_token.h"
#include "gateway/authenticator.h"
#include "gateway/backends.h"
#include "gateway/gateway_config.h"
#include "gateway/rate_limiter.h"

namespace aftersales::gateway {

// The gateway's gRPC entry, for mobile clients and automation that speak gRPC: every call to an
// Aftersales service (/aftersales.<name>.v1.<Service>/<Method>) is forwarded unchanged, as bytes,
// to the backend <name>, after the same authentication (metadata "authorization: Bearer ..." or
// "x-api-key"), the same rate limits and the same signed identity as an HTTP request. One
// public entry for both: services never face clients directly.
class GrpcFront {
 public:
  GrpcFront(std::map<std::string, Backend*> backends, const Authenticator& authenticator,
            const IdentitySigner& identity, RateLimiter& limiter, const GatewayOptions& options);

  // Listens on options.grpc_listen (h2c, or TLS with options.grpc_tls_cert_file/_key_file).
  // UNAVAILABLE when the address cannot be bound.
  absl::Status Start();
  int port() const { return port_; }
  // Stops taking calls; those in flight get until deadline.
  void Shutdown(absl::Time deadline);

 private:
  class Forward;

  std::map<std::string, Backend*> backends_;
  const Authenticator& authenticator_;
  const IdentitySigner& identity_;
  RateLimiter& limiter_;
  const GatewayOptions& options_;
  std::unique_ptr<grpc::CallbackGenericService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace aftersales::gateway
