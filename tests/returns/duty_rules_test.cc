// DecideDuty: DOMAIN.md's three rules for duty on a "free shipping" order.
#include "services/returns/duty_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace aftersales::returns {
namespace {

struct DutyRow {
  std::string name;
  bool told;
  bool at_fault;
  int64_t duty;
  int64_t profit;
  int64_t return_cost;
  DutyOutcome want;
  int64_t want_seller;
  int64_t want_buyer;
  std::string want_rule;
};

// Failure messages name the case rather than dump its bytes.
void PrintTo(const DutyRow& c, std::ostream* os) { *os << c.name; }

class DutyTable : public ::testing::TestWithParam<DutyRow> {};

TEST_P(DutyTable, DecidesWhoPays) {
  const DutyRow& row = GetParam();
  const DutyCase c{row.told, row.at_fault, Money{row.duty, "EUR"}, Money{row.profit, "EUR"},
                   Money{row.return_cost, "EUR"}};
  ASSERT_TRUE(ValidateDutyCase(c).ok()) << ValidateDutyCase(c);
  const DutyDecision d = DecideDuty(c);
  EXPECT_EQ(EnumName(d.outcome), EnumName(row.want));
  EXPECT_EQ(d.seller_pays, (Money{row.want_seller, "EUR"}));
  EXPECT_EQ(d.buyer_pays, (Money{row.want_buyer, "EUR"}));
  ASSERT_EQ(d.fired_rules.size(), 1u);
  EXPECT_EQ(d.fired_rules[0].id, row.want_rule);
  EXPECT_THAT(d.fired_rules[0].sentence, ::testing::HasSubstr(FormatMoney(c.duty)));
}

INSTANTIATE_TEST_SUITE_P(
    Duty, DutyTable,
    ::testing::Values(
        // (1) Told before shipping, not at fault: the buyer pays, whatever the numbers.
        DutyRow{"BuyerToldAndSellerNotAtFaultBuyerPays", true, false, 30'00, 5'00, 10'00,
                DutyOutcome::kBuyerPays, 0, 30'00, "duty_buyer_told_pays"},
        // Told, but the seller caused it: rule (1) does not apply; profit covers it.
        DutyRow{"SellerAtFaultPaysEvenWhenBuyerWasTold", true, true, 20'00, 50'00, 10'00,
                DutyOutcome::kSellerPays, 20'00, 0, "duty_seller_at_fault_pays"},
        // At fault, with a profit below the duty: not shared, the buyer carries none of it.
        DutyRow{"SellerAtFaultNeverSharesTheDuty", false, true, 30'00, 20'00, 15'00,
                DutyOutcome::kSellerPays, 30'00, 0, "duty_seller_at_fault_pays"},
        // A 5.00 loss and a 9.00 duty: keeping the sale costs 14.00, more than a 12.00 return
        // (compared as zero profit it would cost 9.00 and be kept).
        DutyRow{"ALossIsComparedAsALossNotAsZero", false, false, 9'00, -5'00, 12'00,
                DutyOutcome::kGoToReturn, 0, 0, "duty_go_to_return"},
        DutyRow{"NotToldSellerPaysWhenProfitCoversDuty", false, false, 20'00, 50'00, 10'00,
                DutyOutcome::kSellerPays, 20'00, 0, "duty_seller_pays_within_profit"},
        DutyRow{"DutyEqualToProfitIsPaidBySeller", false, false, 20'00, 20'00, 1'00,
                DutyOutcome::kSellerPays, 20'00, 0, "duty_seller_pays_within_profit"},
        // (2) Profit below the duty, the rest no more than a return: shared.
        DutyRow{"ProfitBelowDutyButAboveReturnCostIsShared", false, false, 30'00, 20'00, 15'00,
                DutyOutcome::kShared, 20'00, 10'00, "duty_shared"},
        DutyRow{"UncoveredDutyEqualToReturnCostIsStillShared", false, false, 30'00, 20'00, 10'00,
                DutyOutcome::kShared, 20'00, 10'00, "duty_shared"},
        // (3) What the seller would carry beyond its profit exceeds a return: go to return.
        DutyRow{"UncoveredDutyAboveReturnCostGoesToReturn", false, false, 30'00, 20'00, 9'99,
                DutyOutcome::kGoToReturn, 0, 0, "duty_go_to_return"},
        DutyRow{"LossMakingItemWithBigDutyGoesToReturn", false, true, 40'00, -5'00, 12'00,
                DutyOutcome::kGoToReturn, 0, 0, "duty_go_to_return"},
        DutyRow{"NoProfitButSmallDutyIsPaidBySeller", false, false, 8'00, 0, 12'00,
                DutyOutcome::kSellerPays, 8'00, 0, "duty_seller_pays_no_profit"}),
    [](const ::testing::TestParamInfo<DutyRow>& info) { return info.param.name; });

TEST(Duty, SharedSentenceSaysWhatEachSidePays) {
  const DutyDecision d = DecideDuty(
      DutyCase{false, false, Money{30'00, "USD"}, Money{20'00, "USD"}, Money{15'00, "USD"}});
  ASSERT_EQ(d.outcome, DutyOutcome::kShared);
  EXPECT_THAT(d.fired_rules[0].sentence, ::testing::HasSubstr("covers 20.00 USD"));
  EXPECT_THAT(d.fired_rules[0].sentence, ::testing::HasSubstr("buyer for 10.00 USD"));
}

TEST(Duty, ValidationNamesTheField) {
  const Money eur{10'00, "EUR"};
  EXPECT_TRUE(absl::StartsWith(
      ValidateDutyCase(DutyCase{false, false, Money{-1, "EUR"}, eur, eur}).message(), "duty"));
  EXPECT_TRUE(absl::StartsWith(
      ValidateDutyCase(DutyCase{false, false, eur, Money{5, "USD"}, eur}).message(),
      "item_profit"));
  EXPECT_TRUE(absl::StartsWith(
      ValidateDutyCase(DutyCase{false, false, eur, eur, Money{-5, "EUR"}}).message(),
      "return_cost"));
  EXPECT_TRUE(ValidateDutyCase(DutyCase{false, false, eur, Money{-5, "EUR"}, eur}).ok());
}

}  // namespace
}  // namespace aftersales::returns
