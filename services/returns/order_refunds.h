#pragma once

// What an order still has to refund, and a return's decision held to it: DOMAIN.md's money
// rules seen across one order rather than one return. Pure: the desk reads the order (from the
// tickets service) and the order's earlier returns (from this service, under a lock on the
// order) and hands them in.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/returns/return_rules.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {

namespace rule_id {
inline constexpr absl::string_view kOrderRefundCapped = "order_refund_capped";
inline constexpr absl::string_view kOrderFullyRefunded = "order_fully_refunded";
inline constexpr absl::string_view kOrderUnknown = "order_unknown";
}  // namespace rule_id

// The order as the tickets service holds it, in the return's currency.
struct OrderTotals {
  // Price x quantity over its items.
  int64_t goods_minor = 0;
  // What the buyer paid for standard outbound delivery.
  int64_t shipping_minor = 0;
  int64_t units = 0;
};

// An earlier return of the same order that still counts (not rejected): what it refunded, or
// what its decision promises while it is open.
struct EarlierReturn {
  int64_t refund_minor = 0;
  // Its line: price x quantity. A refund beyond it is outbound shipping.
  int64_t line_minor = 0;
  int64_t units = 0;
};

// What is left to refund on the order after the earlier returns.
struct OrderBalance {
  int64_t goods_left = 0;
  int64_t shipping_left = 0;
  int64_t units_left = 0;
};

OrderBalance BalanceOf(const OrderTotals& order, absl::Span<const EarlierReturn> earlier);

// The most a return whose line is `line_minor` may still refund on the order after the other
// returns: its goods up to what is left of the order's, plus the shipping left.
int64_t MostRefundable(const OrderTotals& order, absl::Span<const EarlierReturn> others,
                       int64_t line_minor);

// Holds `decision` (for `request`) to what the order still has to refund. A refund counts as
// goods up to the return's line and as outbound shipping beyond it, so shipping is refunded at
// most once per order and the goods at most once per unit sold:
// - nothing left of the goods (every unit already returned or refunded): not eligible
//   (order_fully_refunded);
// - less left than the decision refunds: the refund is capped (order_refund_capped), goods and
//   shipping each to what is left;
// - no order (nullopt): the decision stands on the request's own figures, and order_unknown
//   says why (`unknown_because`: "is not known to the tickets service", ...) with what earlier
//   returns already refund.
// A decision that refunds nothing, or one the platform handles, is left as it is.
void HoldToOrder(const ReturnRequest& request, const std::optional<OrderTotals>& order,
                 absl::string_view unknown_because, absl::Span<const EarlierReturn> earlier,
                 ReturnShippingDecision& decision);

}  // namespace aftersales::returns
