#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aftersales/reviews/v1/reviews.pb.h"
#include "services/reviews/outreach_texts.h"
#include "services/reviews/phrase_filter.h"

namespace aftersales::reviews {

// DOMAIN.md's numbers for outreach and review requests.
inline constexpr int kHighestNegativeRating = 3;
inline constexpr absl::Duration kFirstContactWithin = absl::Hours(24);
inline constexpr absl::Duration kDefaultUnansweredWait = absl::Hours(48);
inline constexpr int kRepeatOffenderReviews = 3;
inline constexpr absl::Duration kRepeatOffenderWindow = absl::Hours(24 * 90);
inline constexpr int kEarliestReviewRequestDay = 5;
inline constexpr int kLatestReviewRequestDay = 30;

// What the tickets and returns services know about an order, as the rules need it.
struct OrderFacts {
  bool known = false;  // tickets holds the order
  // From the order, when known: who bought what.
  std::string buyer_id;
  std::string buyer_name;
  std::string buyer_language;
  std::string product_title;
  int marketplace = 0;  // aftersales.common.v1.Marketplace
  std::string site;
  std::optional<absl::Time> delivered_at;
  // Tickets about the order (not our own outreach threads) with when they were opened, their
  // category and whether they are still open.
  struct TicketFact {
    absl::Time opened_at;
    int category = 0;  // aftersales.tickets.v1.Category
    bool open = false;
  };
  std::vector<TicketFact> tickets;
  bool refunded = false;     // a return of the order was refunded
  bool open_return = false;  // a return neither refunded, rejected nor closed
};

struct CauseGuess {
  v1::OutreachCause cause = v1::UNKNOWN;
  std::string reason;
};

// Why the buyer was unhappy, from what happened on the order before the review:
// a refund → AFTER_REFUND; no ticket before the review → NO_CONTACT_BEFORE_REVIEW; a
// misunderstanding ticket → MISUNDERSTANDING; a logistics ticket → LOGISTICS; a product ticket →
// PRODUCT; otherwise UNKNOWN. An agent can correct it.
CauseGuess GuessCause(const OrderFacts& order, absl::Time posted_at);

// Whether another outreach message may go now: not after an opt-out, not on a closed case, and
// not while our last message is unanswered and younger than `unanswered_wait`.
absl::Status CheckCanSendOutreach(const v1::OutreachCase& outreach, absl::Time now, absl::Duration unanswered_wait);

// Whether the order may get its one review request now (FAILED_PRECONDITION saying why not).
// earliest_day: the store's days after delivery, 5..30.
absl::Status CheckReviewRequestEligible(const OrderFacts& order, absl::Time now, int earliest_day, bool opted_out,
                                        bool already_requested);

// The values a draft's placeholders take.
struct DraftValues {
  std::string buyer_name;
  std::string product;
  std::string order_id;
  std::string store_name;
};

// The first outreach message for a case: greeting, the cause's sentence, the remedy's, closing.
// A product name that trips the filter is replaced by the order number, so a draft always passes.
std::string ComposeDraft(const LanguageTexts& texts, OutreachCause cause, Remedy remedy, const DraftValues& values);

// Fills {buyer_name}, {product}, {order_id}, {store_name}.
std::string FillPlaceholders(std::string_view text, const DraftValues& values);

// The buyer's own form of address when no name is known.
std::string_view PoliteAddress(absl::string_view language);

// Maps between the proto enums and the draft texts' indexes.
OutreachCause CauseForTexts(v1::OutreachCause cause);
Remedy RemedyForTexts(v1::Remedy remedy);

}  // namespace aftersales::reviews
