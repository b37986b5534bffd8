#include "services/returns/order_refunds.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace aftersales::returns {
namespace {

std::string Text(int64_t minor, absl::string_view currency) {
  return FormatMoney(Money{minor, std::string(currency)});
}

}  // namespace

OrderBalance BalanceOf(const OrderTotals& order, absl::Span<const EarlierReturn> earlier) {
  OrderBalance b{order.goods_minor, order.shipping_minor, order.units};
  for (const EarlierReturn& e : earlier) {
    const int64_t goods = std::min(e.refund_minor, e.line_minor);
    b.goods_left -= goods;
    b.shipping_left -= e.refund_minor - goods;
    b.units_left -= e.units;
  }
  b.goods_left = std::max<int64_t>(b.goods_left, 0);
  b.shipping_left = std::max<int64_t>(b.shipping_left, 0);
  b.units_left = std::max<int64_t>(b.units_left, 0);
  return b;
}

int64_t MostRefundable(const OrderTotals& order, absl::Span<const EarlierReturn> others,
                       int64_t line_minor) {
  const OrderBalance left = BalanceOf(order, others);
  return std::min(line_minor, left.goods_left) + left.shipping_left;
}

void HoldToOrder(const ReturnRequest& r, const std::optional<OrderTotals>& order,
                 absl::string_view unknown_because, absl::Span<const EarlierReturn> earlier,
                 ReturnShippingDecision& d) {
  if (!d.eligible || d.platform_handles) return;
  const std::string& currency = d.refund_amount.currency_code;
  if (!order.has_value()) {
    int64_t promised = 0;
    for (const EarlierReturn& e : earlier) promised += e.refund_minor;
    std::string sentence = absl::StrCat("Order ", r.order_id, " ", unknown_because,
                                        ": the refund stands on this request's own figures");
    if (!earlier.empty()) {
      absl::StrAppend(&sentence, "; ", earlier.size(), " earlier return(s) of it refund ",
                      Text(promised, currency), " already: check they are other items");
    }
    d.fired_rules.push_back(FiredRule{rule_id::kOrderUnknown, absl::StrCat(sentence, ".")});
    return;
  }
  const OrderBalance left = BalanceOf(*order, earlier);
  if (left.goods_left == 0 || left.units_left == 0) {
    d.eligible = false;
    d.ineligible_reason = absl::StrCat(
        "Every unit of order ", r.order_id, " (", order->units, ", ",
        Text(order->goods_minor, currency),
        ") is already refunded or in another return: nothing is left to refund.");
    d.fired_rules.push_back(FiredRule{rule_id::kOrderFullyRefunded, d.ineligible_reason});
    d.refund_amount.amount_minor = 0;
    d.refund_due_by.reset();
    return;
  }
  const int64_t line = r.item_price.amount_minor * r.quantity;
  const int64_t refund = d.refund_amount.amount_minor;
  const int64_t goods = std::min(refund, line);
  const int64_t shipping = refund - goods;
  const int64_t capped_goods = std::min(goods, left.goods_left);
  const int64_t capped_shipping = std::min(shipping, left.shipping_left);
  if (capped_goods + capped_shipping == refund) return;
  d.refund_amount.amount_minor = capped_goods + capped_shipping;
  std::string sentence = absl::StrCat("Order ", r.order_id, " has ",
                                      Text(left.goods_left + left.shipping_left, currency),
                                      " left to refund after its earlier returns (goods ",
                                      Text(left.goods_left, currency), ", outbound shipping ",
                                      Text(left.shipping_left, currency), "): the refund is ",
                                      Text(d.refund_amount.amount_minor, currency), ", not ",
                                      Text(refund, currency));
  if (capped_shipping < shipping) absl::StrAppend(&sentence, "; shipping is refunded once per order");
  d.fired_rules.push_back(FiredRule{rule_id::kOrderRefundCapped, absl::StrCat(sentence, ".")});
}

}  // namespace aftersales::returns
