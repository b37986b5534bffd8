#pragma once

#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace aftersales::reviews {

// Why the buyer was unhappy, as the outreach case records it.
enum class OutreachCause {
  kNoContactBeforeReview = 0,
  kMisunderstanding = 1,
  kAfterRefund = 2,
  kProduct = 3,
  kLogistics = 4,
  kUnknown = 5,
};
inline constexpr int kOutreachCauseCount = 6;

// What the seller offers the unhappy buyer.
enum class Remedy {
  kRefund = 0,
  kPartialRefund = 1,
  kReplacement = 2,
  kHowToUseHelp = 3,
  kApologyOnly = 4,
};
inline constexpr int kRemedyCount = 5;

// The sentences a draft is assembled from, in one language. Every sentence is compliant on its
// own and in any combination: no request to change or remove a review, no request for a
// positive one, nothing offered in exchange for a review, no contact off the platform, no
// pressure. Placeholders: {buyer_name}, {product}, {order_id}, {store_name}; a sentence uses
// only those it needs, and {product} may be left out of a draft when the product's own name
// would trip the filter.
struct LanguageTexts {
  std::string_view language;  // BCP-47 primary tag: en, de, fr, es, it, ja, zh
  std::string_view greeting;  // "Hello {buyer_name},"
  // Acknowledges what went wrong, one per OutreachCause (indexed by its value); mentions
  // {product} or {order_id} so the message is about this purchase.
  std::string_view cause[kOutreachCauseCount];
  // States the concrete fix, one per Remedy (indexed by its value), unconditionally: the fix is
  // never tied to the review.
  std::string_view remedy[kRemedyCount];
  // Invites a reply on the marketplace's own messaging, then signs off with {store_name}.
  std::string_view closing;
  // Seller feedback only, once the problem is resolved: the one neutral sentence that the buyer
  // may update or remove the feedback if they wish, with no incentive and no pressure.
  std::string_view feedback_note;
  // A whole neutral review request (5-30 days after delivery), without subject line marketing,
  // links or any hint at the rating wanted; uses {buyer_name}, {product}, {store_name}.
  std::string_view review_request;
};

// Every language we write in; the first is English, the fallback.
const std::vector<LanguageTexts>& AllLanguageTexts();

// The texts for a BCP-47 tag ("de-AT" finds "de", "zh-Hant" finds "zh"); English when unknown.
const LanguageTexts& TextsFor(absl::string_view language);

}  // namespace aftersales::reviews
