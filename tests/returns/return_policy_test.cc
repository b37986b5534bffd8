// DefaultReturnPolicy per site and ValidateReturnPolicy.
#include "services/returns/return_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>

#include "absl/strings/match.h"

namespace aftersales::returns {
namespace {

const CategoryRule* RuleFor(const ReturnPolicy& p, ProductCategory c) {
  for (const CategoryRule& rule : p.category_rules) {
    if (rule.category == c) return &rule;
  }
  return nullptr;
}

TEST(DefaultReturnPolicy, UsIsThirtyDaysInDollarsWithoutEuRules) {
  const ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  EXPECT_EQ(p.site, "US");
  EXPECT_EQ(p.currency_code, "USD");
  EXPECT_EQ(p.return_window_days, 30);
  EXPECT_FALSE(p.eu_withdrawal_rights);
  EXPECT_EQ(p.insured_label_threshold, (Money{100'00, "USD"}));
  EXPECT_EQ(p.low_value_threshold, (Money{25'00, "USD"}));
  EXPECT_EQ(p.amazon_returnless_threshold, (Money{25'00, "USD"}));
  EXPECT_EQ(p.origin_country, "CN");
  EXPECT_EQ(p.respond_within, absl::Hours(48));
  EXPECT_EQ(p.damaged_on_arrival_refund_percent, 20);
  EXPECT_EQ(p.restocking_fee_percent.used, 50);
  EXPECT_EQ(p.restocking_fee_percent.damaged, 50);
  EXPECT_EQ(p.restocking_fee_percent.late_original_condition, 20);
  EXPECT_EQ(p.restocking_fee_percent.unopened, 0);
  EXPECT_FALSE(p.accept_late_returns);
  EXPECT_FALSE(p.free_returns);
  EXPECT_TRUE(p.local_return_countries.empty());
  EXPECT_TRUE(p.warehouse_countries.empty());
}

TEST(DefaultReturnPolicy, EuSitesGetWithdrawalAndAmazonsThirtyDaysOnTop) {
  for (const char* site : {"DE", "FR", "IT", "ES", "NL", "BE", "IE", "SE", "PL", "AT"}) {
    const ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, site);
    EXPECT_TRUE(p.eu_withdrawal_rights) << site;
    EXPECT_EQ(p.eu_withdrawal_days, 14) << site;
    EXPECT_EQ(p.eu_refund_within_days, 14) << site;
    EXPECT_EQ(p.return_window_days, 30) << site;
    EXPECT_TRUE(p.eu_buyer_told_return_cost) << site;
    EXPECT_FALSE(p.eu_seller_pays_return_cost) << site;
  }
  EXPECT_EQ(DefaultReturnPolicy(Marketplace::kAmazon, "DE").currency_code, "EUR");
  EXPECT_EQ(DefaultReturnPolicy(Marketplace::kAmazon, "SE").currency_code, "SEK");
  EXPECT_EQ(DefaultReturnPolicy(Marketplace::kAmazon, "PL").currency_code, "PLN");
  EXPECT_EQ(DefaultReturnPolicy(Marketplace::kAmazon, "DE").insured_label_threshold,
            (Money{100'00, "EUR"}));
}

TEST(DefaultReturnPolicy, UkIsNotEuAndPricesInPounds) {
  const ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "UK");
  EXPECT_FALSE(p.eu_withdrawal_rights);
  EXPECT_EQ(p.currency_code, "GBP");
  EXPECT_EQ(p.insured_label_threshold, (Money{100'00, "GBP"}));
  // Rates are keyed by ISO country: the UK site's buyers are in GB.
  ASSERT_FALSE(p.carrier_rates.empty());
  EXPECT_EQ(p.carrier_rates[0].origin_country, "GB");
  EXPECT_EQ(SiteCountry("UK"), "GB");
  EXPECT_FALSE(IsEuCountry("GB"));
  EXPECT_FALSE(IsEuCountry("UK"));
}

TEST(DefaultReturnPolicy, JapanPricesInWholeYen) {
  const ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "JP");
  EXPECT_FALSE(p.eu_withdrawal_rights);
  EXPECT_EQ(p.currency_code, "JPY");
  EXPECT_EQ(p.insured_label_threshold, (Money{15000, "JPY"}));
  EXPECT_EQ(p.low_value_threshold, (Money{3750, "JPY"}));
}

TEST(DefaultReturnPolicy, UnknownOrEmptySiteFallsBackToDollars) {
  const ReturnPolicy shopify = DefaultReturnPolicy(Marketplace::kShopify, "");
  EXPECT_EQ(shopify.currency_code, "USD");
  EXPECT_FALSE(shopify.eu_withdrawal_rights);
  EXPECT_TRUE(shopify.carrier_rates.empty());
  EXPECT_EQ(DefaultReturnPolicy(Marketplace::kEbay, "ZZ").currency_code, "USD");
}

TEST(DefaultReturnPolicy, RestrictedCategories) {
  const ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  for (ProductCategory c : {ProductCategory::kDigital, ProductCategory::kGiftCard,
                            ProductCategory::kCustomized, ProductCategory::kHazmat}) {
    ASSERT_NE(RuleFor(p, c), nullptr) << EnumName(c);
    EXPECT_FALSE(RuleFor(p, c)->returns_accepted) << EnumName(c);
  }
  EXPECT_FALSE(RuleFor(p, ProductCategory::kHazmat)->ship_back);
  EXPECT_EQ(RuleFor(p, ProductCategory::kBaby)->window_days, 90);
  EXPECT_EQ(RuleFor(p, ProductCategory::kWatches)->worst_accepted_condition,
            ItemCondition::kOpenedUnused);
  EXPECT_EQ(RuleFor(p, ProductCategory::kCollectibles)->worst_accepted_condition,
            ItemCondition::kUnopened);
  for (ProductCategory c : {ProductCategory::kAutomotive, ProductCategory::kJewelry}) {
    ASSERT_NE(RuleFor(p, c), nullptr) << EnumName(c);
  }
  EXPECT_EQ(RuleFor(p, ProductCategory::kGeneral), nullptr);
}

TEST(DefaultReturnPolicy, EveryKnownSiteIsValid) {
  for (Marketplace m : {Marketplace::kAmazon, Marketplace::kAliexpress, Marketplace::kEbay,
                        Marketplace::kShopify}) {
    for (const char* site : {"",   "US", "CA", "MX", "BR", "UK", "JP", "AU", "SG", "AE", "SA", "IN",
                             "TR", "DE", "FR", "IT", "ES", "NL", "BE", "IE", "AT", "SE", "PL"}) {
      const absl::Status s = ValidateReturnPolicy(DefaultReturnPolicy(m, site));
      EXPECT_TRUE(s.ok()) << EnumName(m) << " " << site << ": " << s;
    }
  }
}

TEST(EuCountries, MemberStatesAndEeaOnly) {
  for (const char* c : {"DE", "FR", "GR", "HR", "CY", "MT", "NO", "IS", "LI"}) {
    EXPECT_TRUE(IsEuCountry(c)) << c;
  }
  for (const char* c : {"GB", "CH", "US", "TR", "CN", "", "de"}) EXPECT_FALSE(IsEuCountry(c)) << c;
}

struct BadPolicy {
  std::string name;
  std::function<void(ReturnPolicy&)> breaks;
  std::string field;
};

// Failure messages name the case rather than dump its bytes.
void PrintTo(const BadPolicy& c, std::ostream* os) { *os << c.name; }

class PolicyValidation : public ::testing::TestWithParam<BadPolicy> {};

TEST_P(PolicyValidation, NamesTheField) {
  ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "DE");
  GetParam().breaks(p);
  const absl::Status s = ValidateReturnPolicy(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), GetParam().field + ":")) << s;
}

INSTANTIATE_TEST_SUITE_P(
    Returns, PolicyValidation,
    ::testing::Values(
        BadPolicy{"BadCurrency", [](ReturnPolicy& p) { p.currency_code = "eur"; }, "currency_code"},
        BadPolicy{"BadSite", [](ReturnPolicy& p) { p.site = "Germany"; }, "site"},
        BadPolicy{"ZeroWindow", [](ReturnPolicy& p) { p.return_window_days = 0; },
                  "return_window_days"},
        BadPolicy{"WindowOverAYear", [](ReturnPolicy& p) { p.return_window_days = 400; },
                  "return_window_days"},
        BadPolicy{"WithdrawalBelowTheLaw", [](ReturnPolicy& p) { p.eu_withdrawal_days = 10; },
                  "eu_withdrawal_days"},
        BadPolicy{"EuRefundLaterThanTheLaw", [](ReturnPolicy& p) { p.eu_refund_within_days = 30; },
                  "eu_refund_within_days"},
        BadPolicy{"SellerFaultWindowNegative",
                  [](ReturnPolicy& p) { p.seller_fault_window_days = -1; },
                  "seller_fault_window_days"},
        BadPolicy{"LateReturnsWithoutDays",
                  [](ReturnPolicy& p) {
                    p.accept_late_returns = true;
                    p.late_return_days = 0;
                  },
                  "late_return_days"},
        BadPolicy{"FeeOver100", [](ReturnPolicy& p) { p.restocking_fee_percent.used = 101; },
                  "restocking_fee_percent.used"},
        BadPolicy{"NegativeLateFee",
                  [](ReturnPolicy& p) { p.restocking_fee_percent.late_original_condition = -1; },
                  "restocking_fee_percent.late_original_condition"},
        BadPolicy{"PartialRefundOver100",
                  [](ReturnPolicy& p) { p.damaged_on_arrival_refund_percent = 120; },
                  "damaged_on_arrival_refund_percent"},
        BadPolicy{"NoResponseTime",
                  [](ReturnPolicy& p) { p.respond_within = absl::ZeroDuration(); },
                  "respond_within"},
        BadPolicy{"NegativeThreshold",
                  [](ReturnPolicy& p) { p.insured_label_threshold.amount_minor = -1; },
                  "insured_label_threshold"},
        BadPolicy{"ThresholdInAnotherCurrency",
                  [](ReturnPolicy& p) { p.low_value_threshold.currency_code = "USD"; },
                  "low_value_threshold"},
        BadPolicy{"AmazonThresholdInAnotherCurrency",
                  [](ReturnPolicy& p) { p.amazon_returnless_threshold.currency_code = "GBP"; },
                  "amazon_returnless_threshold"},
        BadPolicy{"BadOrigin", [](ReturnPolicy& p) { p.origin_country = "China"; },
                  "origin_country"},
        BadPolicy{"BadLocalCountry",
                  [](ReturnPolicy& p) {
                    p.local_return_countries = {"DE", "d"};
                  },
                  "local_return_countries[1]"},
        BadPolicy{"DuplicateWarehouseCountry",
                  [](ReturnPolicy& p) {
                    p.warehouse_countries = {"DE", "DE"};
                  },
                  "warehouse_countries[1]"},
        BadPolicy{"DuplicateCategoryRule",
                  [](ReturnPolicy& p) {
                    p.category_rules.push_back(CategoryRule{ProductCategory::kBaby});
                  },
                  "category_rules[9].category"},
        BadPolicy{"CategoryWindowTooLong",
                  [](ReturnPolicy& p) { p.category_rules[4].window_days = 500; },
                  "category_rules[4].window_days"},
        BadPolicy{"UnknownEuExclusion",
                  [](ReturnPolicy& p) {
                    p.eu_non_withdrawable.push_back({static_cast<ProductCategory>(99), false});
                  },
                  "eu_non_withdrawable[3].category"},
        BadPolicy{"RateWithBadCountry",
                  [](ReturnPolicy& p) { p.carrier_rates[1].destination_country = "CHN"; },
                  "carrier_rates[1].destination_country"},
        BadPolicy{"DuplicateRoute",
                  [](ReturnPolicy& p) { p.carrier_rates.push_back(p.carrier_rates[0]); },
                  "carrier_rates[3]"},
        BadPolicy{"RateWithoutBrackets",
                  [](ReturnPolicy& p) { p.carrier_rates[0].brackets.clear(); },
                  "carrier_rates[0].brackets"},
        BadPolicy{"BracketsNotIncreasing",
                  [](ReturnPolicy& p) { p.carrier_rates[0].brackets[2].max_grams = 1000; },
                  "carrier_rates[0].brackets[2].max_grams"},
        BadPolicy{"NegativeRate",
                  [](ReturnPolicy& p) { p.carrier_rates[2].brackets[0].price.amount_minor = -1; },
                  "carrier_rates[2].brackets[0].price"},
        BadPolicy{
            "RateInAnotherCurrency",
            [](ReturnPolicy& p) { p.carrier_rates[0].brackets[0].price.currency_code = "USD"; },
            "carrier_rates[0].brackets[0].price"},
        BadPolicy{"QuoteCurrencyIsThePolicys",
                  [](ReturnPolicy& p) { p.quote_currencies = {{"EUR", 1'000'000}}; },
                  "quote_currencies[0].currency_code"},
        BadPolicy{"QuoteCurrencyTwice",
                  [](ReturnPolicy& p) {
                    p.quote_currencies = {{"USD", 1'080'000}, {"USD", 1'090'000}};
                  },
                  "quote_currencies[1].currency_code"},
        BadPolicy{"QuoteCurrencyMalformed",
                  [](ReturnPolicy& p) { p.quote_currencies = {{"usd", 1'080'000}}; },
                  "quote_currencies[0].currency_code"},
        BadPolicy{"QuoteCurrencyWithoutRate",
                  [](ReturnPolicy& p) { p.quote_currencies = {{"USD", 0}}; },
                  "quote_currencies[0].rate"},
        BadPolicy{"UnknownMarketplace",
                  [](ReturnPolicy& p) { p.marketplace = static_cast<Marketplace>(7); },
                  "marketplace"}),
    [](const ::testing::TestParamInfo<BadPolicy>& info) { return info.param.name; });

TEST(QuoteCurrencies, RatesAreDecimalsWithUpToSixPlaces) {
  EXPECT_EQ(*ParseRateMicros("rate", "0.92"), 920'000);
  EXPECT_EQ(*ParseRateMicros("rate", "151.3"), 151'300'000);
  EXPECT_EQ(*ParseRateMicros("rate", "1"), 1'000'000);
  EXPECT_EQ(*ParseRateMicros("rate", "0.000001"), 1);
  for (absl::string_view bad : {"", "0", "0.0", ".5", "5.", "0,92", "-1", "1e3", "0.0000001",
                                "10000000", "1000000.5", " 1"}) {
    const absl::StatusOr<int64_t> parsed = ParseRateMicros("quote_currencies[0].rate", bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "quote_currencies[0].rate:"));
  }
  for (int64_t micros : {int64_t{920'000}, int64_t{151'300'000}, int64_t{1'000'000}, int64_t{1},
                         int64_t{123'456'789}}) {
    EXPECT_EQ(*ParseRateMicros("rate", FormatRateMicros(micros)), micros) << micros;
  }
  EXPECT_EQ(FormatRateMicros(151'300'000), "151.3");
}

TEST(QuoteCurrencies, ConversionRoundsToTheTargetsMinorUnit) {
  // 25.00 USD at 151.3 JPY per USD: 3782.5 yen, rounded half away from zero.
  EXPECT_EQ(ConvertMoney(Money{25'00, "USD"}, "JPY", 151'300'000).amount_minor, 3783);
  // 15000 JPY at 0.0066 USD per JPY: 99.00 USD.
  EXPECT_EQ(ConvertMoney(Money{15000, "JPY"}, "USD", 6'600).amount_minor, 99'00);
  // 10.00 EUR at 0.85: 8.50 GBP; 3 decimals for KWD.
  EXPECT_EQ(ConvertMoney(Money{10'00, "EUR"}, "GBP", 850'000).amount_minor, 8'50);
  EXPECT_EQ(ConvertMoney(Money{10'00, "USD"}, "KWD", 307'000).amount_minor, 3'070);
  EXPECT_EQ(ConvertMoney(Money{-1'05, "USD"}, "EUR", 500'000).amount_minor, -53);
  // The largest amount at the largest rate stays in range instead of wrapping.
  EXPECT_EQ(ConvertMoney(Money{kMaxAmountMinor, "JPY"}, "KWD", 1'000'000'000'000).amount_minor,
            kMaxAmountMinor);
}

TEST(QuoteCurrencies, APolicyInAnotherCurrencyHasEveryAmountConverted) {
  ReturnPolicy usd = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  usd.quote_currencies = {{"EUR", 920'000}, {"JPY", 150'000'000}};
  ASSERT_TRUE(ValidateReturnPolicy(usd).ok());
  int64_t rate = -1;
  const absl::StatusOr<ReturnPolicy> same = PolicyInCurrency(usd, "USD", &rate);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(rate, 0);
  EXPECT_EQ(same->insured_label_threshold.amount_minor, usd.insured_label_threshold.amount_minor);

  const absl::StatusOr<ReturnPolicy> jpy = PolicyInCurrency(usd, "JPY", &rate);
  ASSERT_TRUE(jpy.ok()) << jpy.status();
  EXPECT_EQ(rate, 150'000'000);
  EXPECT_EQ(jpy->currency_code, "JPY");
  EXPECT_TRUE(jpy->quote_currencies.empty());
  EXPECT_EQ(jpy->insured_label_threshold, (Money{15000, "JPY"}));
  EXPECT_EQ(jpy->low_value_threshold, (Money{3750, "JPY"}));
  EXPECT_EQ(jpy->carrier_rates[0].brackets[0].price, (Money{900, "JPY"}));
  // Converted, it is a valid policy of its own: every amount is in its currency.
  EXPECT_TRUE(ValidateReturnPolicy(*jpy).ok()) << ValidateReturnPolicy(*jpy);

  const absl::StatusOr<ReturnPolicy> gbp = PolicyInCurrency(usd, "GBP");
  EXPECT_EQ(gbp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(gbp.status().message(), "item_price:")) << gbp.status();
  EXPECT_NE(gbp.status().message().find("USD, EUR, JPY"), std::string::npos) << gbp.status();
}

}  // namespace
}  // namespace aftersales::returns
