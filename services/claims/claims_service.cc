#include "services/claims/claims_service.h"

#include "common/server.h"

namespace aftersales::claims {

grpc::ServerUnaryReactor* ClaimsService::CreateClaim(grpc::CallbackServerContext* ctx, const v1::CreateClaimRequest* req,
                                             v1::CreateClaimResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.CreateClaim(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::GetClaim(grpc::CallbackServerContext* ctx, const v1::GetClaimRequest* req,
                                             v1::GetClaimResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.GetClaim(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::ListClaims(grpc::CallbackServerContext* ctx, const v1::ListClaimsRequest* req,
                                             v1::ListClaimsResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.ListClaims(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::RecordOutcome(grpc::CallbackServerContext* ctx, const v1::RecordOutcomeRequest* req,
                                             v1::RecordOutcomeResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.RecordOutcome(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::AppealClaim(grpc::CallbackServerContext* ctx, const v1::AppealClaimRequest* req,
                                             v1::AppealClaimResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.AppealClaim(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::GetClaimStats(grpc::CallbackServerContext* ctx, const v1::GetClaimStatsRequest* req,
                                             v1::GetClaimStatsResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.GetClaimStats(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::BuildPacket(grpc::CallbackServerContext* ctx, const v1::BuildPacketRequest* req,
                                             v1::BuildPacketResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.BuildPacket(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::GetPacket(grpc::CallbackServerContext* ctx, const v1::GetPacketRequest* req,
                                             v1::GetPacketResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.GetPacket(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::GetClaimSettings(grpc::CallbackServerContext* ctx, const v1::GetClaimSettingsRequest* req,
                                             v1::GetClaimSettingsResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.GetClaimSettings(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::PutClaimSettings(grpc::CallbackServerContext* ctx, const v1::PutClaimSettingsRequest* req,
                                             v1::PutClaimSettingsResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.PutClaimSettings(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ClaimsService::ExportPacket(grpc::CallbackServerContext* ctx,
                                                     const v1::ExportPacketRequest* req,
                                                     google::api::HttpBody* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.ExportPacket(caller, *req, resp->mutable_content_type(), resp->mutable_data());
  });
}

}  // namespace aftersales::claims
