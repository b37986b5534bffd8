// ValidateReturnRequest and QuoteReturnShipping: bad input is INVALID_ARGUMENT naming the
// field; a request outside the window is a decision, not an error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "services/returns/return_rules.h"

namespace aftersales::returns {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

ReturnRequest Valid() {
  ReturnRequest r;
  r.store_id = "store-1";
  r.marketplace = Marketplace::kAmazon;
  r.site = "US";
  r.order_id = "111-2222222-3333333";
  r.buyer_country = "US";
  r.item_price = Money{80'00, "USD"};
  r.item_cost = Money{40'00, "USD"};
  r.quantity = 1;
  r.ordered_at = Utc(2026, 2, 20);
  r.delivered_at = Utc(2026, 3, 2);
  r.requested_at = Utc(2026, 3, 12);
  r.reason = ReturnReason::kNoLongerNeeded;
  r.condition = ItemCondition::kUnopened;
  r.weight_grams = 800;
  return r;
}

struct BadRequest {
  std::string name;
  std::function<void(ReturnRequest&)> breaks;
  std::string field;
};

// Failure messages name the case rather than dump its bytes.
void PrintTo(const BadRequest& c, std::ostream* os) { *os << c.name; }

class RequestValidation : public ::testing::TestWithParam<BadRequest> {};

TEST_P(RequestValidation, NamesTheField) {
  ReturnRequest r = Valid();
  GetParam().breaks(r);
  const absl::Status s = ValidateReturnRequest(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), GetParam().field + ":")) << s;
}

INSTANTIATE_TEST_SUITE_P(
    Returns, RequestValidation,
    ::testing::Values(
        BadRequest{"MissingStore", [](ReturnRequest& r) { r.store_id = ""; }, "store_id"},
        BadRequest{"MissingOrderId", [](ReturnRequest& r) { r.order_id = ""; }, "order.order_id"},
        BadRequest{"UnknownMarketplace",
                   [](ReturnRequest& r) { r.marketplace = static_cast<Marketplace>(9); },
                   "order.marketplace"},
        BadRequest{"LowerCaseSite", [](ReturnRequest& r) { r.site = "us"; }, "order.site"},
        BadRequest{"MissingBuyerCountry", [](ReturnRequest& r) { r.buyer_country = ""; },
                   "buyer_country"},
        BadRequest{"ThreeLetterBuyerCountry", [](ReturnRequest& r) { r.buyer_country = "USA"; },
                   "buyer_country"},
        BadRequest{"UnspecifiedFulfillment",
                   [](ReturnRequest& r) { r.fulfillment = static_cast<Fulfillment>(-1); },
                   "fulfillment"},
        BadRequest{"UnknownCategory",
                   [](ReturnRequest& r) { r.category = static_cast<ProductCategory>(15); },
                   "category"},
        BadRequest{"UnknownReason",
                   [](ReturnRequest& r) { r.reason = static_cast<ReturnReason>(8); }, "reason"},
        BadRequest{"UnspecifiedCondition",
                   [](ReturnRequest& r) { r.condition = static_cast<ItemCondition>(-1); },
                   "condition"},
        BadRequest{"NegativePrice", [](ReturnRequest& r) { r.item_price.amount_minor = -1; },
                   "item_price"},
        BadRequest{"MissingPriceCurrency",
                   [](ReturnRequest& r) { r.item_price.currency_code = ""; },
                   "item_price.currency_code"},
        BadRequest{"NegativeCost", [](ReturnRequest& r) { r.item_cost.amount_minor = -5; },
                   "item_cost"},
        BadRequest{"CostInAnotherCurrency",
                   [](ReturnRequest& r) { r.item_cost.currency_code = "CNY"; }, "item_cost"},
        BadRequest{"AbsurdPrice",
                   [](ReturnRequest& r) { r.item_price.amount_minor = kMaxAmountMinor + 1; },
                   "item_price"},
        BadRequest{"ZeroQuantity", [](ReturnRequest& r) { r.quantity = 0; }, "quantity"},
        BadRequest{"HugeQuantity", [](ReturnRequest& r) { r.quantity = 10'001; }, "quantity"},
        BadRequest{"OutboundShippingInAnotherCurrency",
                   [](ReturnRequest& r) {
                     r.outbound_shipping = Money{5'00, "EUR"};
                   },
                   "outbound_shipping"},
        BadRequest{"NegativeOutboundShipping",
                   [](ReturnRequest& r) {
                     r.outbound_shipping = Money{-5'00, "USD"};
                   },
                   "outbound_shipping"},
        BadRequest{"ZeroWeight", [](ReturnRequest& r) { r.weight_grams = 0; }, "weight_grams"},
        BadRequest{"NegativeWeight", [](ReturnRequest& r) { r.weight_grams = -10; },
                   "weight_grams"},
        BadRequest{"MissingDelivery", [](ReturnRequest& r) { r.delivered_at = absl::UnixEpoch(); },
                   "delivered_at"},
        BadRequest{"MissingRequestTime",
                   [](ReturnRequest& r) { r.requested_at = absl::InfinitePast(); }, "requested_at"},
        BadRequest{"DeliveredBeforeOrdered",
                   [](ReturnRequest& r) { r.delivered_at = Utc(2026, 2, 10); }, "delivered_at"},
        BadRequest{"RequestedBeforeDelivered",
                   [](ReturnRequest& r) { r.requested_at = Utc(2026, 3, 1); }, "requested_at"},
        BadRequest{"UnsetOrderTime", [](ReturnRequest& r) { r.ordered_at = absl::UnixEpoch(); },
                   "ordered_at"}),
    [](const ::testing::TestParamInfo<BadRequest>& info) { return info.param.name; });

TEST(RequestValidation, AcceptsAValidRequest) {
  EXPECT_TRUE(ValidateReturnRequest(Valid()).ok()) << ValidateReturnRequest(Valid());
}

TEST(RequestValidation, OrderTimeIsOptional) {
  ReturnRequest r = Valid();
  r.ordered_at.reset();
  EXPECT_TRUE(ValidateReturnRequest(r).ok());
}

TEST(RequestValidation, FreeShippingNeedsNoCurrency) {
  ReturnRequest r = Valid();
  r.outbound_shipping = Money{0, ""};
  EXPECT_TRUE(ValidateReturnRequest(r).ok());
}

TEST(RequestValidation, RequestOnTheDeliveryInstantIsValid) {
  ReturnRequest r = Valid();
  r.requested_at = r.delivered_at;
  EXPECT_TRUE(ValidateReturnRequest(r).ok());
}

TEST(QuoteReturnShipping, RejectsBadRequestsBeforeDeciding) {
  ReturnRequest r = Valid();
  r.quantity = 0;
  const absl::StatusOr<ReturnShippingDecision> d =
      QuoteReturnShipping(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("quantity"));
}

TEST(QuoteReturnShipping, PriceMustBeInTheSiteCurrency) {
  ReturnRequest r = Valid();
  r.item_price.currency_code = "EUR";
  r.item_cost.currency_code = "EUR";
  const absl::StatusOr<ReturnShippingDecision> d =
      QuoteReturnShipping(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(d.status().message(), "item_price:")) << d.status();
}

TEST(ReturnRequestValidation, AMissingMarketplaceSaysItIsRequiredAndWhichAreAccepted) {
  ReturnRequest r = Valid();
  r.marketplace = static_cast<Marketplace>(-1);  // what an unset proto enum maps to
  const absl::Status s = ValidateReturnRequest(r);
  EXPECT_EQ(s.message(), "order.marketplace: is required: AMAZON, ALIEXPRESS, EBAY or SHOPIFY");
}

TEST(QuoteReturnShipping, OrderMustBeOnThePolicysSiteAndMarketplace) {
  const ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  ReturnRequest r = Valid();
  r.site = "CA";
  EXPECT_TRUE(absl::StartsWith(QuoteReturnShipping(r, p).status().message(), "order.site:"));
  r = Valid();
  r.marketplace = Marketplace::kEbay;
  EXPECT_TRUE(absl::StartsWith(QuoteReturnShipping(r, p).status().message(), "order.marketplace:"));
}

TEST(QuoteReturnShipping, OutsideTheWindowIsADecisionNotAnError) {
  ReturnRequest r = Valid();
  r.requested_at = r.delivered_at + absl::Hours(24 * 100);
  const absl::StatusOr<ReturnShippingDecision> d =
      QuoteReturnShipping(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(d->eligible);
  EXPECT_FALSE(d->ineligible_reason.empty());
}

TEST(QuoteReturnShipping, ExcludedCategoryIsADecisionNotAnError) {
  ReturnRequest r = Valid();
  r.category = ProductCategory::kGiftCard;
  const absl::StatusOr<ReturnShippingDecision> d =
      QuoteReturnShipping(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(d->eligible);
  EXPECT_TRUE(d->Fired("category_excluded"));
}

}  // namespace
}  // namespace aftersales::returns
