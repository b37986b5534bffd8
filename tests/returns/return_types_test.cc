// Money formatting and rounding, and the enum names the API maps to.
#include "services/returns/return_types.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace aftersales::returns {
namespace {

TEST(Money, FormatsByTheCurrencysMinorUnit) {
  EXPECT_EQ(FormatMoney(Money{2500, "USD"}), "25.00 USD");
  EXPECT_EQ(FormatMoney(Money{5, "EUR"}), "0.05 EUR");
  EXPECT_EQ(FormatMoney(Money{15000, "JPY"}), "15000 JPY");
  EXPECT_EQ(FormatMoney(Money{1005, "KWD"}), "1.005 KWD");
  EXPECT_EQ(FormatMoney(Money{50, "KWD"}), "0.050 KWD");
  EXPECT_EQ(FormatMoney(Money{-150, "GBP"}), "-1.50 GBP");
}

TEST(Money, PercentRoundsDownOrUpAsAsked) {
  EXPECT_EQ(PercentOfFloor(3333, 50), 1666);
  EXPECT_EQ(PercentOfCeil(3333, 50), 1667);
  EXPECT_EQ(PercentOfFloor(8000, 20), 1600);
  EXPECT_EQ(PercentOfCeil(8000, 20), 1600);
  EXPECT_EQ(PercentOfFloor(-3333, 50), -1667);
  EXPECT_EQ(PercentOfCeil(-3333, 50), -1666);
  // The largest line validation lets through does not overflow.
  EXPECT_EQ(PercentOfFloor(kMaxAmountMinor * 10'000, 100), kMaxAmountMinor * 10'000);
}

TEST(Money, ValidationNamesTheField) {
  EXPECT_TRUE(ValidateMoney("price", Money{0, "USD"}).ok());
  EXPECT_TRUE(
      absl::StartsWith(ValidateMoney("price", Money{1, "usd"}).message(), "price.currency_code"));
  EXPECT_FALSE(ValidateMoney("price", Money{-1, "USD"}).ok());
  EXPECT_TRUE(ValidateMoney("profit", Money{-1, "USD"}, /*allow_negative=*/true).ok());
}

TEST(Enums, NamesMatchTheApi) {
  EXPECT_EQ(EnumName(Marketplace::kAliexpress), "ALIEXPRESS");
  EXPECT_EQ(EnumName(ProductCategory::kGiftCard), "GIFT_CARD");
  EXPECT_EQ(EnumName(ProductCategory::kWatches), "WATCHES");
  EXPECT_EQ(EnumName(ReturnReason::kBetterPriceFound), "BETTER_PRICE_FOUND");
  EXPECT_EQ(EnumName(ItemCondition::kOpenedUnused), "OPENED_UNUSED");
  EXPECT_EQ(EnumName(Payer::kShared), "SHARED");
  EXPECT_EQ(EnumName(LabelType::kPrepaidInsured), "PREPAID_INSURED");
  EXPECT_EQ(EnumName(Disposition::kPartialRefundKeep), "PARTIAL_REFUND_KEEP");
  EXPECT_EQ(EnumName(static_cast<Payer>(9)), "UNKNOWN");
  EXPECT_FALSE(IsKnown(static_cast<ReturnReason>(-1)));
  EXPECT_TRUE(IsKnown(ReturnReason::kDefective));
}

}  // namespace
}  // namespace aftersales::returns
