#pragma once

// A buyer's request to cancel an order: before shipment, cancel it the harmless way; after,
// have the parcel refused rather than returned.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {

namespace cancel_rule_id {
inline constexpr absl::string_view kBeforeShipment = "cancel_before_shipment_buyer_cancelled";
inline constexpr absl::string_view kAfterShipment = "cancel_after_shipment_refuse_delivery";
inline constexpr absl::string_view kAskedBeforeShipment = "cancel_asked_before_shipment";
}  // namespace cancel_rule_id

enum class CancellationOutcome { kCancelAsBuyerCancelled, kAskBuyerToRefuseDelivery };

absl::string_view EnumName(CancellationOutcome value);  // "CANCEL_AS_BUYER_CANCELLED", ...

struct CancellationCase {
  absl::Time requested_at;
  // When the parcel shipped; empty when it has not.
  std::optional<absl::Time> shipped_at;
  Money order_total;  // everything the buyer paid, shipping included
};

struct CancellationDecision {
  CancellationOutcome outcome = CancellationOutcome::kCancelAsBuyerCancelled;
  // The marketplace cancellation reason to use; empty when the order is not cancelled.
  std::string cancel_reason;
  Money refund_amount;
  // Refund now; false: refund once the carrier records the refusal.
  bool refund_now = false;
  std::vector<FiredRule> fired_rules;
};

// OK, or INVALID_ARGUMENT naming requested_at, shipped_at or order_total.
absl::Status ValidateCancellationCase(const CancellationCase& cancellation);

// Not shipped: cancel with the reason "buyer_cancelled" (it does not count against the seller's
// cancellation rate) and refund in full now. Shipped: ask the buyer to refuse the delivery (no
// return freight), then refund in full; when the buyer had asked before it shipped, the seller
// missed the request and refunds now without waiting for the refusal.
CancellationDecision DecideCancellation(const CancellationCase& cancellation);

}  // namespace aftersales::returns
