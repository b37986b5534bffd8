#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aftersales/claims/v1/claims.pb.h"
#include "common/identity.h"
#include "common/mysql.h"
#include "services/claims/evidence_reader.h"
#include "services/tickets/order_reader.h"

namespace aftersales::claims {

struct ClaimDeskOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Required: a claim is for an order the tickets service holds.
  tickets::OrderReader read_order;
  EvidenceReader read_evidence;
  OrderCounter count_orders;
};

// The claims use cases: validation, the rules (claim_rules.h, packet_builder.h), the store, in
// transactions. The gRPC handlers are thin over this.
class ClaimDesk {
 public:
  ClaimDesk(Database& db, ClaimDeskOptions options);

  absl::Status CreateClaim(const Caller& caller, const v1::CreateClaimRequest& request,
                           v1::CreateClaimResponse* response);
  absl::Status GetClaim(const Caller& caller, const v1::GetClaimRequest& request, v1::GetClaimResponse* response);
  absl::Status ListClaims(const Caller& caller, const v1::ListClaimsRequest& request,
                          v1::ListClaimsResponse* response);
  absl::Status RecordOutcome(const Caller& caller, const v1::RecordOutcomeRequest& request,
                             v1::RecordOutcomeResponse* response);
  absl::Status AppealClaim(const Caller& caller, const v1::AppealClaimRequest& request,
                           v1::AppealClaimResponse* response);
  absl::Status GetClaimStats(const Caller& caller, const v1::GetClaimStatsRequest& request,
                             v1::GetClaimStatsResponse* response);
  absl::Status BuildPacket(const Caller& caller, const v1::BuildPacketRequest& request,
                           v1::BuildPacketResponse* response);
  absl::Status GetPacket(const Caller& caller, const v1::GetPacketRequest& request, v1::GetPacketResponse* response);
  absl::Status ExportPacket(const Caller& caller, const v1::ExportPacketRequest& request,
                            std::string* content_type, std::string* data);
  absl::Status GetClaimSettings(const Caller& caller, const v1::GetClaimSettingsRequest& request,
                                v1::GetClaimSettingsResponse* response);
  absl::Status PutClaimSettings(const Caller& caller, const v1::PutClaimSettingsRequest& request,
                                v1::PutClaimSettingsResponse* response);

  // Raises due alerts (24 h, 6 h, expiry): each adds to the claim's history and queues a ticket
  // for the agents; an alert of a decided claim or a replaced deadline is cancelled. Replicas
  // share the rows (FOR UPDATE SKIP LOCKED). Returns how many it handled.
  absl::StatusOr<int> SweepAlerts(int batch_size);
  // Delivered outbox entries past their keeping time.
  absl::Status PurgeExpired();

 private:
  absl::StatusOr<v1::Claim> ChangeClaim(const Caller& caller, const std::string& claim_id,
                                        const std::function<absl::Status(Transaction&, v1::Claim&, absl::Time)>& change);
  absl::StatusOr<v1::ClaimSettings> SettingsOf(Transaction& tx, const std::string& store_id);

  Database& db_;
  ClaimDeskOptions options_;
};

}  // namespace aftersales::claims
