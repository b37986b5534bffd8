#include "services/identity/identity_service.h"

#include "common/server.h"

namespace aftersales::identity {

grpc::ServerUnaryReactor* IdentityService::CreateApiKey(grpc::CallbackServerContext* ctx,
                                                        const v1::CreateApiKeyRequest* req,
                                                        v1::CreateApiKeyResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.CreateApiKey(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* IdentityService::ListApiKeys(grpc::CallbackServerContext* ctx,
                                                       const v1::ListApiKeysRequest* req,
                                                       v1::ListApiKeysResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.ListApiKeys(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* IdentityService::RevokeApiKey(grpc::CallbackServerContext* ctx,
                                                        const v1::RevokeApiKeyRequest* req,
                                                        v1::RevokeApiKeyResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.RevokeApiKey(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* IdentityService::SyncApiKeys(grpc::CallbackServerContext* ctx,
                                                       const v1::SyncApiKeysRequest* req,
                                                       v1::SyncApiKeysResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.SyncApiKeys(caller, *req, resp);
  });
}

}  // namespace aftersales::identity
