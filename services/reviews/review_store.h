#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/reviews/v1/reviews.pb.h"
#include "common/mysql.h"
#include "services/reviews/phrase_rules.h"

// The reviews database, in SQL. Every function runs inside the caller's transaction.
namespace aftersales::reviews::store {

// ---- Phrase rules ----
struct RuleSet {
  int64_t version = 0;
  std::string edited_by;
  absl::Time edited_at;
  std::vector<PhraseRule> rules;
};
// The newest version's number, 0 when none.
absl::StatusOr<int64_t> CurrentRuleVersion(Transaction& tx, bool for_update = false);
absl::StatusOr<RuleSet> ReadRuleSet(Transaction& tx, int64_t version);
absl::Status InsertRuleSet(Transaction& tx, const RuleSet& set, const std::string& note);

// ---- Reviews ----
absl::Status InsertReview(Transaction& tx, const v1::Review& review);
absl::Status UpdateReview(Transaction& tx, const v1::Review& review);
absl::StatusOr<v1::Review> ReadReview(Transaction& tx, const std::string& review_id, bool for_update);
absl::StatusOr<std::optional<v1::Review>> FindReviewByMarketplaceId(Transaction& tx, const std::string& store_id,
                                                                    int marketplace, const std::string& marketplace_review_id);
// Reviews of 3 stars or fewer by one buyer in one store posted at or after `since`.
absl::StatusOr<int64_t> CountNegativeReviewsByBuyer(Transaction& tx, const std::string& store_id,
                                                    const std::string& buyer_id, absl::Time since);
struct ReviewPage {
  std::vector<v1::Review> reviews;
  std::string next_page_token;
};
absl::StatusOr<ReviewPage> ListReviews(Transaction& tx, const v1::ListReviewsRequest& request);

// ---- Outreach cases ----
absl::Status InsertCase(Transaction& tx, const v1::OutreachCase& outreach);
absl::Status UpdateCase(Transaction& tx, const v1::OutreachCase& outreach);
absl::StatusOr<v1::OutreachCase> ReadCase(Transaction& tx, const std::string& case_id, bool for_update);
struct CasePage {
  std::vector<v1::OutreachCase> cases;
  std::string next_page_token;
};
absl::StatusOr<CasePage> ListCases(Transaction& tx, const v1::ListOutreachCasesRequest& request);

// ---- Opt-outs ----
absl::Status RecordOptOut(Transaction& tx, const std::string& store_id, const std::string& buyer_id, absl::Time now);
absl::StatusOr<bool> IsOptedOut(Transaction& tx, const std::string& store_id, const std::string& buyer_id);

// ---- Review requests ----
struct ReviewRequestRow {
  std::string store_id;
  std::string order_id;
  std::string state;  // SCHEDULED, SENT, SKIPPED
  absl::Time due_at;
  std::string reason;
  v1::RequestReviewRequest request;
};
absl::StatusOr<std::optional<ReviewRequestRow>> ReadReviewRequest(Transaction& tx, const std::string& store_id,
                                                                  const std::string& order_id, bool for_update);
absl::Status PutReviewRequest(Transaction& tx, const ReviewRequestRow& row, std::optional<absl::Time> requested_at);
// SCHEDULED rows due by `now` that no other replica holds (FOR UPDATE SKIP LOCKED).
absl::StatusOr<std::vector<ReviewRequestRow>> ClaimDueReviewRequests(Transaction& tx, absl::Time now, int limit);

absl::StatusOr<std::optional<v1::ReviewRequestSettings>> ReadSettings(Transaction& tx, const std::string& store_id);
absl::Status PutSettings(Transaction& tx, const std::string& store_id, const v1::ReviewRequestSettings& settings,
                         absl::Time now);

}  // namespace aftersales::reviews::store
