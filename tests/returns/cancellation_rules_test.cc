// DecideCancellation: before shipment cancel as buyer-cancelled; after, refuse delivery.
#include "services/returns/cancellation_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"

namespace aftersales::returns {
namespace {

absl::Time Utc(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

TEST(Cancellation, BeforeShipmentCancelAsBuyerCancelledAndRefundNow) {
  const CancellationDecision d =
      DecideCancellation(CancellationCase{Utc(2026, 3, 1), std::nullopt, Money{45'00, "GBP"}});
  EXPECT_EQ(d.outcome, CancellationOutcome::kCancelAsBuyerCancelled);
  EXPECT_EQ(d.cancel_reason, "buyer_cancelled");
  EXPECT_TRUE(d.refund_now);
  EXPECT_EQ(d.refund_amount, (Money{45'00, "GBP"}));
  ASSERT_EQ(d.fired_rules.size(), 1u);
  EXPECT_EQ(d.fired_rules[0].id, "cancel_before_shipment_buyer_cancelled");
  EXPECT_THAT(d.fired_rules[0].sentence, ::testing::HasSubstr("45.00 GBP"));
}

TEST(Cancellation, AfterShipmentAskBuyerToRefuseDeliveryThenRefund) {
  const CancellationDecision d =
      DecideCancellation(CancellationCase{Utc(2026, 3, 5), Utc(2026, 3, 3), Money{45'00, "GBP"}});
  EXPECT_EQ(d.outcome, CancellationOutcome::kAskBuyerToRefuseDelivery);
  EXPECT_EQ(d.cancel_reason, "");
  EXPECT_FALSE(d.refund_now);
  EXPECT_EQ(d.refund_amount, (Money{45'00, "GBP"}));
  ASSERT_EQ(d.fired_rules.size(), 1u);
  EXPECT_EQ(d.fired_rules[0].id, "cancel_after_shipment_refuse_delivery");
}

TEST(Cancellation, AskedBeforeShipmentButShippedAnywayRefundsNow) {
  const CancellationDecision d =
      DecideCancellation(CancellationCase{Utc(2026, 3, 2), Utc(2026, 3, 3), Money{45'00, "GBP"}});
  EXPECT_EQ(d.outcome, CancellationOutcome::kAskBuyerToRefuseDelivery);
  EXPECT_TRUE(d.refund_now);
  ASSERT_EQ(d.fired_rules.size(), 2u);
  EXPECT_EQ(d.fired_rules[1].id, "cancel_asked_before_shipment");
}

TEST(Cancellation, ValidationNamesTheField) {
  EXPECT_TRUE(absl::StartsWith(
      ValidateCancellationCase(CancellationCase{absl::UnixEpoch(), std::nullopt, Money{1, "USD"}})
          .message(),
      "requested_at"));
  EXPECT_TRUE(
      absl::StartsWith(ValidateCancellationCase(
                           CancellationCase{Utc(2026, 3, 2), absl::UnixEpoch(), Money{1, "USD"}})
                           .message(),
                       "shipped_at"));
  EXPECT_TRUE(absl::StartsWith(
      ValidateCancellationCase(CancellationCase{Utc(2026, 3, 2), std::nullopt, Money{-1, "USD"}})
          .message(),
      "order_total"));
}

}  // namespace
}  // namespace aftersales::returns
