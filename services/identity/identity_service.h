#pragma once

#include "aftersales/identity/v1/identity.grpc.pb.h"
#include "common/executor.h"
#include "services/identity/api_key_desk.h"

namespace aftersales::identity {

// The gRPC face of the ApiKeyDesk: each handler runs the use case on the executor for the
// caller the access interceptor verified. No rules live here.
class IdentityService final : public v1::IdentityService::CallbackService {
 public:
  IdentityService(ApiKeyDesk& desk, BoundedExecutor& executor) : desk_(desk), executor_(executor) {}

  grpc::ServerUnaryReactor* CreateApiKey(grpc::CallbackServerContext* ctx,
                                         const v1::CreateApiKeyRequest* req,
                                         v1::CreateApiKeyResponse* resp) override;
  grpc::ServerUnaryReactor* ListApiKeys(grpc::CallbackServerContext* ctx,
                                        const v1::ListApiKeysRequest* req,
                                        v1::ListApiKeysResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeApiKey(grpc::CallbackServerContext* ctx,
                                         const v1::RevokeApiKeyRequest* req,
                                         v1::RevokeApiKeyResponse* resp) override;
  grpc::ServerUnaryReactor* SyncApiKeys(grpc::CallbackServerContext* ctx,
                                        const v1::SyncApiKeysRequest* req,
                                        v1::SyncApiKeysResponse* resp) override;

 private:
  ApiKeyDesk& desk_;
  BoundedExecutor& executor_;
};

}  // namespace aftersales::identity
