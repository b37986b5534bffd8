#include "services/reviews/outreach_rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/time_util.h"

namespace aftersales::reviews {
namespace {

// aftersales.tickets.v1.Category ranges, by DOMAIN.md's prefixes.
bool IsLogistics(int category) { return category >= 1 && category < 20; }
bool IsProduct(int category) { return category >= 20 && category < 40; }
constexpr int kServiceMisunderstanding = 121;

std::string Rfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone()); }

}  // namespace

CauseGuess GuessCause(const OrderFacts& order, absl::Time posted_at) {
  if (order.refunded) return {v1::AFTER_REFUND, "the order was refunded before the review"};
  if (!order.known) return {v1::UNKNOWN, "the tickets service does not know the order"};
  bool contacted = false, misunderstanding = false, logistics = false, product = false;
  for (const OrderFacts::TicketFact& t : order.tickets) {
    if (t.opened_at > posted_at) continue;
    contacted = true;
    misunderstanding |= t.category == kServiceMisunderstanding;
    logistics |= IsLogistics(t.category);
    product |= IsProduct(t.category);
  }
  if (!contacted) return {v1::NO_CONTACT_BEFORE_REVIEW, "no ticket about the order before the review"};
  if (misunderstanding) return {v1::MISUNDERSTANDING, "a ticket about a misunderstanding before the review"};
  if (logistics) return {v1::LOGISTICS, "a delivery ticket before the review"};
  if (product) return {v1::PRODUCT, "a product ticket before the review"};
  return {v1::UNKNOWN, "tickets before the review name no cause"};
}

absl::Status CheckCanSendOutreach(const v1::OutreachCase& outreach, absl::Time now, absl::Duration unanswered_wait) {
  if (outreach.opted_out()) {
    return absl::FailedPreconditionError(
        absl::StrCat("outreach case ", outreach.case_id(), ": the buyer asked not to be contacted; no message is sent"));
  }
  if (outreach.status() == v1::OutreachCase::CLOSED) {
    return absl::FailedPreconditionError(absl::StrCat("outreach case ", outreach.case_id(), " is closed"));
  }
  // The last message we sent, if the buyer has not answered since.
  std::optional<absl::Time> unanswered;
  for (const v1::OutreachMessage& m : outreach.messages()) {
    const absl::Time sent = FromProtoTime(m.sent_at());
    if (!outreach.has_last_buyer_reply_at() || sent > FromProtoTime(outreach.last_buyer_reply_at())) {
      unanswered = sent;
    }
  }
  if (unanswered.has_value() && now < *unanswered + unanswered_wait) {
    return absl::FailedPreconditionError(absl::StrCat(
        "outreach case ", outreach.case_id(), ": our message of ", Rfc3339(*unanswered),
        " is unanswered; the next one may go from ", Rfc3339(*unanswered + unanswered_wait),
        " (one unanswered message per ", absl::FormatDuration(unanswered_wait), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckReviewRequestEligible(const OrderFacts& order, absl::Time now, int earliest_day, bool opted_out,
                                        bool already_requested) {
  if (already_requested) return absl::FailedPreconditionError("the order already had its one review request");
  if (opted_out) return absl::FailedPreconditionError("the buyer asked not to be contacted");
  if (!order.known) return absl::FailedPreconditionError("the tickets service does not know the order");
  if (!order.delivered_at.has_value()) {
    return absl::FailedPreconditionError("the order has no delivery scan yet: requests go 5-30 days after delivery");
  }
  const absl::Time from = *order.delivered_at + absl::Hours(24) * earliest_day;
  const absl::Time until = *order.delivered_at + absl::Hours(24) * kLatestReviewRequestDay;
  if (now < from) {
    return absl::FailedPreconditionError(
        absl::StrCat("too early: delivered ", Rfc3339(*order.delivered_at), "; a request may go from ", Rfc3339(from)));
  }
  if (now > until) {
    return absl::FailedPreconditionError(absl::StrCat("too late: delivered ", Rfc3339(*order.delivered_at),
                                                      "; requests may go until ", Rfc3339(until)));
  }
  for (const OrderFacts::TicketFact& t : order.tickets) {
    if (t.open) return absl::FailedPreconditionError("the buyer has an open ticket about the order");
  }
  if (order.open_return) return absl::FailedPreconditionError("the order has an open return");
  return absl::OkStatus();
}

std::string FillPlaceholders(std::string_view text, const DraftValues& values) {
  return absl::StrReplaceAll(absl::string_view(text.data(), text.size()),
                             {{"{buyer_name}", values.buyer_name},
                              {"{product}", values.product},
                              {"{order_id}", values.order_id},
                              {"{store_name}", values.store_name}});
}

std::string ComposeDraft(const LanguageTexts& texts, OutreachCause cause, Remedy remedy, const DraftValues& values) {
  const auto sentence = [&](std::string_view s) { return FillPlaceholders(s, values); };
  const bool cjk = texts.language == "ja" || texts.language == "zh";
  const std::string space = cjk ? "" : " ";
  return absl::StrCat(sentence(texts.greeting), "\n\n", sentence(texts.cause[static_cast<int>(cause)]), space,
                      sentence(texts.remedy[static_cast<int>(remedy)]), "\n\n", sentence(texts.closing));
}

std::string_view PoliteAddress(absl::string_view language) {
  const std::string_view lang = TextsFor(language).language;
  if (lang == "de") return "liebe Kundin, lieber Kunde";
  if (lang == "fr") return "Madame, Monsieur";
  if (lang == "es") return "estimado cliente";
  if (lang == "it") return "cliente";
  if (lang == "ja") return "お客";
  if (lang == "zh") return "亲爱的顾客";
  return "there";
}

OutreachCause CauseForTexts(v1::OutreachCause cause) {
  switch (cause) {
    case v1::NO_CONTACT_BEFORE_REVIEW: return OutreachCause::kNoContactBeforeReview;
    case v1::MISUNDERSTANDING: return OutreachCause::kMisunderstanding;
    case v1::AFTER_REFUND: return OutreachCause::kAfterRefund;
    case v1::PRODUCT: return OutreachCause::kProduct;
    case v1::LOGISTICS: return OutreachCause::kLogistics;
    default: return OutreachCause::kUnknown;
  }
}

Remedy RemedyForTexts(v1::Remedy remedy) {
  switch (remedy) {
    case v1::REFUND: return Remedy::kRefund;
    case v1::PARTIAL_REFUND: return Remedy::kPartialRefund;
    case v1::REPLACEMENT: return Remedy::kReplacement;
    case v1::HOW_TO_USE_HELP: return Remedy::kHowToUseHelp;
    default: return Remedy::kApologyOnly;
  }
}

}  // namespace aftersales::reviews
