#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aftersales/reviews/v1/reviews.pb.h"
#include "common/identity.h"
#include "common/mysql.h"
#include "services/reviews/order_facts.h"
#include "services/reviews/phrase_rule_set.h"

namespace aftersales::reviews {

struct ReviewDeskOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // What the tickets and returns services know about an order.
  OrderFactsReader read_order;
  absl::Duration unanswered_wait = kDefaultUnansweredWait;
};

// The reviews use cases: validation, the rules (outreach_rules.h, the filter), the store, in
// transactions. The gRPC handlers are thin over this.
class ReviewDesk {
 public:
  ReviewDesk(Database& db, PhraseRuleSet& rules, ReviewDeskOptions options);

  absl::Status ScreenMessage(const Caller& caller, const v1::ScreenMessageRequest& request,
                             v1::ScreenMessageResponse* response);
  absl::Status GetPhraseRules(const Caller& caller, const v1::GetPhraseRulesRequest& request,
                              v1::GetPhraseRulesResponse* response);
  absl::Status PutPhraseRules(const Caller& caller, const v1::PutPhraseRulesRequest& request,
                              v1::PutPhraseRulesResponse* response);

  absl::Status IngestReview(const Caller& caller, const v1::IngestReviewRequest& request,
                            v1::IngestReviewResponse* response);
  absl::Status GetReview(const Caller& caller, const v1::GetReviewRequest& request, v1::GetReviewResponse* response);
  absl::Status ListReviews(const Caller& caller, const v1::ListReviewsRequest& request,
                           v1::ListReviewsResponse* response);
  absl::Status FlagMalicious(const Caller& caller, const v1::FlagMaliciousRequest& request,
                             v1::FlagMaliciousResponse* response);

  absl::Status GetOutreachCase(const Caller& caller, const v1::GetOutreachCaseRequest& request,
                               v1::GetOutreachCaseResponse* response);
  absl::Status ListOutreachCases(const Caller& caller, const v1::ListOutreachCasesRequest& request,
                                 v1::ListOutreachCasesResponse* response);
  absl::Status SetOutreachCause(const Caller& caller, const v1::SetOutreachCauseRequest& request,
                                v1::SetOutreachCauseResponse* response);
  absl::Status DraftOutreach(const Caller& caller, const v1::DraftOutreachRequest& request,
                             v1::DraftOutreachResponse* response);
  absl::Status SendOutreachMessage(const Caller& caller, const std::string& idempotency_key,
                                   const v1::SendOutreachMessageRequest& request,
                                   v1::SendOutreachMessageResponse* response, bool* replayed);
  absl::Status OptOut(const Caller& caller, const v1::OptOutRequest& request, v1::OptOutResponse* response);
  absl::Status RecordBuyerReply(const Caller& caller, const v1::RecordBuyerReplyRequest& request,
                                v1::RecordBuyerReplyResponse* response);
  absl::Status CloseOutreach(const Caller& caller, const v1::CloseOutreachRequest& request,
                             v1::CloseOutreachResponse* response);
  absl::Status SendFeedbackNote(const Caller& caller, const v1::SendFeedbackNoteRequest& request,
                                v1::SendFeedbackNoteResponse* response);

  absl::Status RequestReview(const Caller& caller, const v1::RequestReviewRequest& request,
                             v1::RequestReviewResponse* response);
  absl::Status GetReviewRequestSettings(const Caller& caller, const v1::GetReviewRequestSettingsRequest& request,
                                        v1::GetReviewRequestSettingsResponse* response);
  absl::Status PutReviewRequestSettings(const Caller& caller, const v1::PutReviewRequestSettingsRequest& request,
                                        v1::PutReviewRequestSettingsResponse* response);

  // Sends (or skips, saying why) scheduled review requests that are due; returns how many it
  // handled. Replicas share the rows (FOR UPDATE SKIP LOCKED).
  absl::StatusOr<int> SweepReviewRequests(int batch_size);
  // Delivered outbox entries and idempotency keys past their keeping time.
  absl::Status PurgeExpired();

 private:
  // The filter in force; UNAVAILABLE before the rules were first loaded: a message is never let
  // through unscreened.
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> Filter() const;
  absl::StatusOr<ScreenResult> Screen(absl::string_view text, ScreenContext context) const;
  // Reads the case for a change, checks the caller may touch its store, applies change, saves.
  absl::StatusOr<v1::OutreachCase> ChangeCase(
      const Caller& caller, const std::string& case_id,
      const std::function<absl::Status(Transaction&, v1::OutreachCase&, absl::Time now)>& change);
  // Records the message on the case and enqueues it for the tickets service.
  absl::Status SendOnCase(Transaction& tx, v1::OutreachCase& outreach, v1::OutreachMessage message, absl::Time now);
  // The review request decision and its outbox entry, for a row whose order facts were read.
  absl::StatusOr<v1::OutreachMessage> SendReviewRequest(Transaction& tx, const v1::RequestReviewRequest& request,
                                                        const OrderFacts& facts, absl::Time now);

  Database& db_;
  PhraseRuleSet& rules_;
  ReviewDeskOptions options_;
};

}  // namespace aftersales::reviews
