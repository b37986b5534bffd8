#include "services/returns/cancellation_rules.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace aftersales::returns {
namespace {

void Fire(CancellationDecision& d, absl::string_view id, std::string sentence) {
  d.fired_rules.push_back(FiredRule{id, std::move(sentence)});
}

}  // namespace

absl::string_view EnumName(CancellationOutcome value) {
  switch (value) {
    case CancellationOutcome::kCancelAsBuyerCancelled:
      return "CANCEL_AS_BUYER_CANCELLED";
    case CancellationOutcome::kAskBuyerToRefuseDelivery:
      return "ASK_BUYER_TO_REFUSE_DELIVERY";
  }
  return "UNKNOWN";
}

absl::Status ValidateCancellationCase(const CancellationCase& cancellation) {
  const CancellationCase& c = cancellation;
  if (!IsSetTime(c.requested_at)) return absl::InvalidArgumentError("requested_at: is required");
  if (c.shipped_at && !IsSetTime(*c.shipped_at)) {
    return absl::InvalidArgumentError("shipped_at: is not a valid time");
  }
  return ValidateMoney("order_total", c.order_total);
}

CancellationDecision DecideCancellation(const CancellationCase& cancellation) {
  const CancellationCase& c = cancellation;
  CancellationDecision d;
  d.refund_amount = c.order_total;
  const std::string total = FormatMoney(c.order_total);
  if (!c.shipped_at) {
    d.outcome = CancellationOutcome::kCancelAsBuyerCancelled;
    d.cancel_reason = "buyer_cancelled";
    d.refund_now = true;
    Fire(d, cancel_rule_id::kBeforeShipment,
         absl::StrCat("Not shipped yet: cancel the order as \"buyer cancelled\" (it does not count "
                      "against the seller's cancellation rate) and refund ",
                      total, " now."));
    return d;
  }
  d.outcome = CancellationOutcome::kAskBuyerToRefuseDelivery;
  Fire(d, cancel_rule_id::kAfterShipment,
       absl::StrCat("Already shipped: ask the buyer to refuse the delivery (no return freight "
                    "for them to pay), then refund ",
                    total, "."));
  if (c.requested_at < *c.shipped_at) {
    d.refund_now = true;
    Fire(d, cancel_rule_id::kAskedBeforeShipment,
         absl::StrCat("The buyer asked to cancel before the parcel shipped: refund ", total,
                      " now, without waiting for the refusal."));
  }
  return d;
}

}  // namespace aftersales::returns
