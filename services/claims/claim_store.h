#pragma once

// SQL for the claims database. Every statement on a store's rows names its store_id.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/claims/v1/claims.pb.h"
#include "common/mysql.h"

namespace aftersales::claims::store {

absl::Status InsertClaim(Transaction& tx, const v1::Claim& claim);
absl::Status UpdateClaim(Transaction& tx, const v1::Claim& claim);
// NOT_FOUND naming the claim.
absl::StatusOr<v1::Claim> ReadClaim(Transaction& tx, const std::string& claim_id, bool for_update);
absl::StatusOr<std::optional<v1::Claim>> FindByMarketplaceId(Transaction& tx, const std::string& store_id,
                                                             const std::string& marketplace_claim_id);

struct ClaimFilter {
  std::string store_id;
  std::string status;  // empty: any
  std::optional<absl::Time> due_before;
  int page_size = 50;
  std::string page_token;
};
// Soonest respond_by first, then claim_id; next_page_token empty on the last page.
absl::StatusOr<std::vector<v1::Claim>> ListClaims(Transaction& tx, const ClaimFilter& filter,
                                                  std::string* next_page_token);
// The store's claims opened in [from, to), oldest first (at most `limit`).
absl::StatusOr<std::vector<v1::Claim>> ClaimsOpenedBetween(Transaction& tx, const std::string& store_id,
                                                           absl::Time from, absl::Time to, int limit);

// Schedules alerts; an alert already scheduled (same claim, kind and time) is kept.
struct AlertRow {
  int64_t alert_id = 0;
  std::string claim_id;
  std::string kind;
  absl::Time due_at;
  std::string store_id;
};
absl::Status ScheduleAlerts(Transaction& tx, const v1::Claim& claim,
                            const std::vector<std::pair<std::string, absl::Time>>& alerts);
// Cancels the claim's pending alerts (decided, or a new deadline replaces them).
absl::Status CancelPendingAlerts(Transaction& tx, const std::string& store_id, const std::string& claim_id);
// Locks up to `limit` due pending alerts, skipping rows another sweeper holds.
absl::StatusOr<std::vector<AlertRow>> LockDueAlerts(Transaction& tx, absl::Time now, int limit);
absl::Status MarkAlertRaised(Transaction& tx, const AlertRow& alert, absl::Time now);
absl::Status MarkAlertCancelled(Transaction& tx, const AlertRow& alert);

absl::Status InsertPacket(Transaction& tx, const std::string& store_id, const v1::Packet& packet);
// NOT_FOUND when no packet was built for the claim yet.
absl::StatusOr<v1::Packet> LatestPacket(Transaction& tx, const std::string& store_id, const std::string& claim_id);

absl::StatusOr<std::optional<v1::ClaimSettings>> ReadSettings(Transaction& tx, const std::string& store_id);
absl::Status WriteSettings(Transaction& tx, const std::string& store_id, const v1::ClaimSettings& settings,
                           absl::Time now);

}  // namespace aftersales::claims::store
