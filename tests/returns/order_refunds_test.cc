// A return's refund held to what its order still has to refund.
#include "services/returns/order_refunds.h"

#include <gtest/gtest.h>

namespace aftersales::returns {
namespace {

// One unit at 60.00 USD, refunded in full by the rules (60.00, or 65.00 with 5.00 shipping).
ReturnRequest Request(int64_t quantity = 1) {
  ReturnRequest r;
  r.order_id = "113-1";
  r.item_price = Money{6000, "USD"};
  r.quantity = quantity;
  return r;
}

ReturnShippingDecision Refunding(int64_t minor) {
  ReturnShippingDecision d;
  d.eligible = true;
  d.refund_amount = Money{minor, "USD"};
  return d;
}

bool Fired(const ReturnShippingDecision& d, absl::string_view id) { return d.Fired(id); }

struct HoldCase {
  std::string name;
  int64_t refund;  // what the rules decided
  OrderTotals order;
  std::vector<EarlierReturn> earlier;
  bool want_eligible;
  int64_t want_refund;
  std::string want_rule;  // empty: nothing fired
};

class HoldToOrderTable : public ::testing::TestWithParam<HoldCase> {};

TEST_P(HoldToOrderTable, RefundsNoMoreThanTheOrderHasLeft) {
  const HoldCase& c = GetParam();
  ReturnShippingDecision d = Refunding(c.refund);
  HoldToOrder(Request(), c.order, "", c.earlier, d);
  EXPECT_EQ(d.eligible, c.want_eligible);
  EXPECT_EQ(d.refund_amount.amount_minor, c.want_refund);
  if (c.want_rule.empty()) {
    EXPECT_TRUE(d.fired_rules.empty()) << d.fired_rules.front().sentence;
  } else {
    EXPECT_TRUE(Fired(d, c.want_rule)) << c.want_rule;
  }
}

INSTANTIATE_TEST_SUITE_P(
    OrderRefunds, HoldToOrderTable,
    ::testing::Values(
        HoldCase{.name = "FirstReturnRefundsInFull",
                 .refund = 6500,
                 .order = {.goods_minor = 6000, .shipping_minor = 500, .units = 1},
                 .earlier = {},
                 .want_eligible = true,
                 .want_refund = 6500,
                 .want_rule = ""},
        HoldCase{.name = "ASecondReturnOfTheOnlyUnitIsRefused",
                 .refund = 6000,
                 .order = {.goods_minor = 6000, .shipping_minor = 0, .units = 1},
                 .earlier = {{.refund_minor = 6000, .line_minor = 6000, .units = 1}},
                 .want_eligible = false,
                 .want_refund = 0,
                 .want_rule = "order_fully_refunded"},
        HoldCase{.name = "ShippingIsRefundedOncePerOrder",
                 .refund = 6500,
                 .order = {.goods_minor = 12000, .shipping_minor = 500, .units = 2},
                 .earlier = {{.refund_minor = 6500, .line_minor = 6000, .units = 1}},
                 .want_eligible = true,
                 .want_refund = 6000,
                 .want_rule = "order_refund_capped"},
        HoldCase{.name = "APartialRefundKeptLeavesTheRestOfTheUnit",
                 .refund = 6000,
                 .order = {.goods_minor = 6000, .shipping_minor = 0, .units = 1},
                 .earlier = {{.refund_minor = 1200, .line_minor = 6000, .units = 0}},
                 .want_eligible = true,
                 .want_refund = 4800,
                 .want_rule = "order_refund_capped"},
        HoldCase{.name = "TwoUnitsTwoReturnsBothInFull",
                 .refund = 6000,
                 .order = {.goods_minor = 12000, .shipping_minor = 0, .units = 2},
                 .earlier = {{.refund_minor = 6000, .line_minor = 6000, .units = 1}},
                 .want_eligible = true,
                 .want_refund = 6000,
                 .want_rule = ""},
        HoldCase{.name = "AFeeKeptByTheSellerIsNotRefundedLater",
                 .refund = 6000,
                 .order = {.goods_minor = 6000, .shipping_minor = 0, .units = 1},
                 .earlier = {{.refund_minor = 4800, .line_minor = 6000, .units = 1}},
                 .want_eligible = false,
                 .want_refund = 0,
                 .want_rule = "order_fully_refunded"}),
    [](const auto& info) { return info.param.name; });

TEST(OrderRefunds, AnUnknownOrderIsSaidAndStandsOnTheRequest) {
  ReturnShippingDecision d = Refunding(6000);
  const std::vector<EarlierReturn> earlier = {{.refund_minor = 6000, .line_minor = 6000, .units = 1}};
  HoldToOrder(Request(), std::nullopt, "is not known to the tickets service", earlier, d);
  EXPECT_TRUE(d.eligible);
  EXPECT_EQ(d.refund_amount.amount_minor, 6000);
  ASSERT_TRUE(Fired(d, "order_unknown"));
  EXPECT_NE(d.fired_rules.back().sentence.find("not known to the tickets service"), std::string::npos);
  EXPECT_NE(d.fired_rules.back().sentence.find("60.00"), std::string::npos)
      << "names what earlier returns refund: " << d.fired_rules.back().sentence;
}

TEST(OrderRefunds, ARefusedOrPlatformDecisionIsLeftAlone) {
  ReturnShippingDecision refused;
  HoldToOrder(Request(), OrderTotals{.goods_minor = 0, .shipping_minor = 0, .units = 0}, "", {}, refused);
  EXPECT_TRUE(refused.fired_rules.empty());
  ReturnShippingDecision platform = Refunding(0);
  platform.platform_handles = true;
  HoldToOrder(Request(), OrderTotals{.goods_minor = 0, .shipping_minor = 0, .units = 0}, "", {}, platform);
  EXPECT_TRUE(platform.eligible);
}

}  // namespace
}  // namespace aftersales::returns
