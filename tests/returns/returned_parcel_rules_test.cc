// DecideReturnedParcel: a parcel back at the seller undelivered.
#include "services/returns/returned_parcel_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace aftersales::returns {
namespace {

struct ParcelRow {
  std::string name;
  bool shown_in_time;
  bool address_error;
  bool before_export;
  bool reship;
  ParcelRefund want;
  int64_t want_refund;
  bool want_now;
  bool want_compensation;
  std::vector<std::string> want_rules;
};

// Failure messages name the case rather than dump its bytes.
void PrintTo(const ParcelRow& c, std::ostream* os) { *os << c.name; }

class ReturnedParcelTable : public ::testing::TestWithParam<ParcelRow> {};

TEST_P(ReturnedParcelTable, Decides) {
  const ParcelRow& row = GetParam();
  ReturnedParcelCase c;
  c.buyer_cause_shown_in_time = row.shown_in_time;
  c.seller_address_error = row.address_error;
  c.returned_before_export = row.before_export;
  c.reship_requested = row.reship;
  c.item_total = Money{60'00, "USD"};
  c.outbound_shipping = Money{8'00, "USD"};
  ASSERT_TRUE(ValidateReturnedParcelCase(c).ok());
  const ReturnedParcelDecision d = DecideReturnedParcel(c);
  EXPECT_EQ(EnumName(d.outcome), EnumName(row.want));
  EXPECT_EQ(d.refund_amount, (Money{row.want_refund, "USD"}));
  EXPECT_EQ(d.refund_now, row.want_now);
  EXPECT_EQ(d.shipping_compensation, row.want_compensation);
  std::vector<std::string> ids;
  for (const FiredRule& r : d.fired_rules) ids.emplace_back(r.id);
  EXPECT_EQ(ids, row.want_rules);
}

INSTANTIATE_TEST_SUITE_P(
    Parcel, ReturnedParcelTable,
    ::testing::Values(ParcelRow{"BuyerCauseNotShownRefundsInFullNow",
                                false,
                                false,
                                false,
                                false,
                                ParcelRefund::kRefundFull,
                                68'00,
                                true,
                                false,
                                {"returned_parcel_cause_not_shown"}},
                      ParcelRow{"BuyerCauseShownInTimeRefundsWithoutShipping",
                                true,
                                false,
                                false,
                                false,
                                ParcelRefund::kRefundWithoutShipping,
                                60'00,
                                false,
                                true,
                                {"returned_parcel_buyer_caused"}},
                      ParcelRow{"SellerAddressErrorRefundsInFullWithoutCompensation",
                                false,
                                true,
                                false,
                                false,
                                ParcelRefund::kRefundFull,
                                68'00,
                                true,
                                false,
                                {"returned_parcel_seller_address_error"}},
                      ParcelRow{"SellerAddressErrorOutweighsBuyerEvidence",
                                true,
                                true,
                                false,
                                false,
                                ParcelRefund::kRefundFull,
                                68'00,
                                true,
                                false,
                                {"returned_parcel_seller_address_error"}},
                      ParcelRow{
                          "BackBeforeExportRefundsAtOnce",
                          true,
                          false,
                          true,
                          false,
                          ParcelRefund::kRefundWithoutShipping,
                          60'00,
                          true,
                          true,
                          {"returned_parcel_buyer_caused", "returned_before_export_refund_now"}},
                      ParcelRow{"ReshipInsteadOfRefund",
                                true,
                                false,
                                false,
                                true,
                                ParcelRefund::kNoRefund,
                                0,
                                false,
                                true,
                                {"returned_parcel_buyer_caused", "returned_parcel_reship"}}),
    [](const ::testing::TestParamInfo<ParcelRow>& info) { return info.param.name; });

TEST(ReturnedParcel, ReshipPostageFollowsWhoCausedIt) {
  ReturnedParcelCase c;
  c.item_total = Money{60'00, "USD"};
  c.reship_requested = true;
  c.seller_address_error = true;
  EXPECT_THAT(DecideReturnedParcel(c).fired_rules.back().sentence,
              ::testing::HasSubstr("seller's"));
  c.seller_address_error = false;
  c.buyer_cause_shown_in_time = true;
  EXPECT_THAT(DecideReturnedParcel(c).fired_rules.back().sentence, ::testing::HasSubstr("buyer's"));
}

TEST(ReturnedParcel, FreeShippingRefundsTheItems) {
  ReturnedParcelCase c;
  c.item_total = Money{60'00, "USD"};
  EXPECT_TRUE(ValidateReturnedParcelCase(c).ok());
  EXPECT_EQ(DecideReturnedParcel(c).refund_amount, (Money{60'00, "USD"}));
}

TEST(ReturnedParcel, ValidationNamesTheField) {
  ReturnedParcelCase c;
  c.item_total = Money{-1, "USD"};
  EXPECT_TRUE(absl::StartsWith(ValidateReturnedParcelCase(c).message(), "item_total"));
  c.item_total = Money{1, "USD"};
  c.outbound_shipping = Money{1, "EUR"};
  EXPECT_TRUE(absl::StartsWith(ValidateReturnedParcelCase(c).message(), "outbound_shipping"));
}

}  // namespace
}  // namespace aftersales::returns
