#pragma once

#include "aftersales/claims/v1/claims.grpc.pb.h"
#include "common/executor.h"
#include "services/claims/claim_desk.h"

namespace aftersales::claims {

// The gRPC face of the ClaimDesk: each handler takes the caller the interceptor verified and
// runs the use case on the executor (SQL and evidence reads block; gRPC's threads must not).
// No rules live here.
class ClaimsService final : public v1::ClaimsService::CallbackService {
 public:
  ClaimsService(ClaimDesk& desk, BoundedExecutor& executor) : desk_(desk), executor_(executor) {}

  grpc::ServerUnaryReactor* CreateClaim(grpc::CallbackServerContext* ctx, const v1::CreateClaimRequest* req,
                                 v1::CreateClaimResponse* resp) override;
  grpc::ServerUnaryReactor* GetClaim(grpc::CallbackServerContext* ctx, const v1::GetClaimRequest* req,
                                 v1::GetClaimResponse* resp) override;
  grpc::ServerUnaryReactor* ListClaims(grpc::CallbackServerContext* ctx, const v1::ListClaimsRequest* req,
                                 v1::ListClaimsResponse* resp) override;
  grpc::ServerUnaryReactor* RecordOutcome(grpc::CallbackServerContext* ctx, const v1::RecordOutcomeRequest* req,
                                 v1::RecordOutcomeResponse* resp) override;
  grpc::ServerUnaryReactor* AppealClaim(grpc::CallbackServerContext* ctx, const v1::AppealClaimRequest* req,
                                 v1::AppealClaimResponse* resp) override;
  grpc::ServerUnaryReactor* GetClaimStats(grpc::CallbackServerContext* ctx, const v1::GetClaimStatsRequest* req,
                                 v1::GetClaimStatsResponse* resp) override;
  grpc::ServerUnaryReactor* BuildPacket(grpc::CallbackServerContext* ctx, const v1::BuildPacketRequest* req,
                                 v1::BuildPacketResponse* resp) override;
  grpc::ServerUnaryReactor* GetPacket(grpc::CallbackServerContext* ctx, const v1::GetPacketRequest* req,
                                 v1::GetPacketResponse* resp) override;
  grpc::ServerUnaryReactor* GetClaimSettings(grpc::CallbackServerContext* ctx, const v1::GetClaimSettingsRequest* req,
                                 v1::GetClaimSettingsResponse* resp) override;
  grpc::ServerUnaryReactor* PutClaimSettings(grpc::CallbackServerContext* ctx, const v1::PutClaimSettingsRequest* req,
                                 v1::PutClaimSettingsResponse* resp) override;
  grpc::ServerUnaryReactor* ExportPacket(grpc::CallbackServerContext* ctx, const v1::ExportPacketRequest* req,
                                         google::api::HttpBody* resp) override;

 private:
  ClaimDesk& desk_;
  BoundedExecutor& executor_;
};

}  // namespace aftersales::claims
