// Claim deadlines, alerts, defect counting and appeals (claim_rules.h).
#include "services/claims/claim_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "common/time_util.h"

namespace aftersales::claims {
namespace {

absl::Time At(int y, int m, int d, int h, absl::string_view zone_name = "UTC") {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(std::string(zone_name), &zone));
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), zone);
}

struct KindReason {
  v1::ClaimKind kind;
  v1::ClaimReason reason;
  bool allowed;
};

class KindAndReason : public ::testing::TestWithParam<KindReason> {};

TEST_P(KindAndReason, OnlyTheMarketplacesOwnReasons) {
  const KindReason& c = GetParam();
  const absl::Status s = CheckKindAndReason(c.kind, c.reason);
  if (c.allowed) {
    EXPECT_TRUE(s.ok()) << s;
  } else {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr(v1::ClaimKind_Name(c.kind)));
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr(v1::ClaimReason_Name(c.reason)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Claims, KindAndReason,
    ::testing::Values(KindReason{v1::A_TO_Z, v1::NOT_RECEIVED, true},
                      KindReason{v1::A_TO_Z, v1::EXTRA_CUSTOMS_FEES, true},
                      KindReason{v1::A_TO_Z, v1::NO_LOCAL_RETURN_OPTION, true},
                      KindReason{v1::A_TO_Z, v1::UNAUTHORIZED_TRANSACTION, false},
                      KindReason{v1::A_TO_Z, v1::DUPLICATE_CHARGE, false},
                      KindReason{v1::CHARGEBACK, v1::UNAUTHORIZED_TRANSACTION, true},
                      KindReason{v1::CHARGEBACK, v1::DUPLICATE_CHARGE, true},
                      KindReason{v1::CHARGEBACK, v1::RETURN_REFUSED, false},
                      KindReason{v1::ALIEXPRESS_DISPUTE, v1::NOT_AS_DESCRIBED, true},
                      KindReason{v1::ALIEXPRESS_DISPUTE, v1::RETURN_REFUSED, false},
                      KindReason{v1::EBAY_MONEY_BACK, v1::RETURN_REFUSED, true},
                      KindReason{v1::EBAY_MONEY_BACK, v1::EXTRA_CUSTOMS_FEES, false}));

TEST(KindAndReason, UnknownKindOrNoReasonNamesTheField) {
  EXPECT_TRUE(absl::StartsWith(CheckKindAndReason(v1::KIND_UNSPECIFIED, v1::NOT_RECEIVED).message(), "kind:"));
  EXPECT_TRUE(absl::StartsWith(CheckKindAndReason(v1::A_TO_Z, v1::REASON_UNSPECIFIED).message(), "reason:"));
}

TEST(RespondBy, EachKindHasItsWindow) {
  const v1::ClaimSettings s = DefaultClaimSettings();
  const absl::Time opened = At(2026, 11, 2, 9);
  EXPECT_EQ(RespondBy(v1::A_TO_Z, opened, "US", s), opened + absl::Hours(72));
  EXPECT_EQ(RespondBy(v1::CHARGEBACK, opened, "US", s), opened + absl::Hours(24 * 7));
  EXPECT_EQ(RespondBy(v1::ALIEXPRESS_DISPUTE, opened, "", s), opened + absl::Hours(24 * 5));
}

TEST(RespondBy, EbayCountsBusinessDaysOnTheSitesCalendar) {
  const v1::ClaimSettings s = DefaultClaimSettings();
  // Thursday in Berlin: Fri, Mon, Tue -> the end of Tuesday, Berlin time.
  EXPECT_EQ(RespondBy(v1::EBAY_MONEY_BACK, At(2026, 11, 26, 15, "Europe/Berlin"), "DE", s),
            At(2026, 12, 2, 0, "Europe/Berlin"));
  // Across the end of summer time (Sunday 25 October 2026 in the EU): Friday 23rd -> Mon, Tue,
  // Wed -> the end of Wednesday 28th, on winter time.
  const absl::Time due = RespondBy(v1::EBAY_MONEY_BACK, At(2026, 10, 23, 12, "Europe/Berlin"), "DE", s);
  EXPECT_EQ(due, At(2026, 10, 29, 0, "Europe/Berlin"));
  EXPECT_EQ(due, At(2026, 10, 28, 23, "UTC"));
}

TEST(RespondBy, StoreSettingsChangeTheWindows) {
  v1::ClaimSettings s = DefaultClaimSettings();
  s.mutable_a_to_z_respond_within()->set_seconds(48 * 3600);
  s.set_ebay_respond_business_days(1);
  const absl::Time opened = At(2026, 11, 2, 9);  // a Monday
  EXPECT_EQ(RespondBy(v1::A_TO_Z, opened, "US", s), opened + absl::Hours(48));
  EXPECT_EQ(RespondBy(v1::EBAY_MONEY_BACK, opened, "UK", s), At(2026, 11, 4, 0, "Europe/London"));
}

TEST(ClaimSettings, ValidationNamesTheField) {
  EXPECT_TRUE(ValidateClaimSettings(DefaultClaimSettings()).ok());
  v1::ClaimSettings s = DefaultClaimSettings();
  s.mutable_chargeback_respond_within()->set_seconds(60);
  EXPECT_TRUE(absl::StartsWith(ValidateClaimSettings(s).message(), "chargeback_respond_within:"));
  s = DefaultClaimSettings();
  s.set_ebay_respond_business_days(0);
  EXPECT_TRUE(absl::StartsWith(ValidateClaimSettings(s).message(), "ebay_respond_business_days:"));
  s = DefaultClaimSettings();
  s.set_statement_max_chars(100);
  EXPECT_TRUE(absl::StartsWith(ValidateClaimSettings(s).message(), "statement_max_chars:"));
}

TEST(Alerts, TwentyFourAndSixHoursBeforeAndAtTheDeadlineLeavingOutThosePast) {
  const absl::Time due = At(2026, 11, 5, 9);
  std::vector<ClaimAlert> all = AlertsFor(due, due - absl::Hours(72));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].kind, "alert_24h");
  EXPECT_EQ(all[0].due_at, due - absl::Hours(24));
  EXPECT_EQ(all[1].kind, "alert_6h");
  EXPECT_EQ(all[1].due_at, due - absl::Hours(6));
  EXPECT_EQ(all[2].kind, "expiry");
  EXPECT_EQ(all[2].due_at, due);
  std::vector<ClaimAlert> late = AlertsFor(due, due - absl::Hours(5));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].kind, "expiry");
}

v1::Claim Decided(v1::ClaimOutcome outcome, absl::Duration after_opening) {
  v1::Claim c;
  c.set_claim_id("clm-1");
  c.set_kind(v1::A_TO_Z);
  *c.mutable_opened_at() = ToProtoTime(At(2026, 11, 1, 0));
  *c.mutable_respond_by() = ToProtoTime(At(2026, 11, 4, 0));
  c.set_status(v1::Claim::DECIDED);
  c.set_outcome(outcome);
  *c.mutable_outcome_at() = ToProtoTime(At(2026, 11, 1, 0) + after_opening);
  return c;
}

TEST(DefectRate, WithdrawnInTimeAndWonDoNotCount) {
  EXPECT_FALSE(CountsAsDefect(Decided(v1::WON, absl::Hours(30))));
  EXPECT_FALSE(CountsAsDefect(Decided(v1::WITHDRAWN, absl::Hours(71))));
  EXPECT_FALSE(CountsAsDefect(Decided(v1::WITHDRAWN, absl::Hours(72))));
  EXPECT_TRUE(CountsAsDefect(Decided(v1::WITHDRAWN, absl::Hours(73))));
  EXPECT_TRUE(CountsAsDefect(Decided(v1::LOST, absl::Hours(30))));
  EXPECT_TRUE(CountsAsDefect(Decided(v1::REFUNDED, absl::Hours(30))));
  v1::Claim open = Decided(v1::OUTCOME_UNSPECIFIED, absl::ZeroDuration());
  open.clear_outcome_at();
  open.set_status(v1::Claim::OPEN);
  EXPECT_TRUE(CountsAsDefect(open));
}

TEST(Outcome, OnceUnlessAppealedAndNeverBeforeTheClaim) {
  v1::Claim open = Decided(v1::OUTCOME_UNSPECIFIED, absl::ZeroDuration());
  open.clear_outcome_at();
  open.set_status(v1::Claim::OPEN);
  const absl::Time now = At(2026, 11, 10, 0);
  EXPECT_TRUE(CheckOutcome(open, v1::WON, At(2026, 11, 3, 0), now).ok());
  EXPECT_EQ(CheckOutcome(open, v1::OUTCOME_UNSPECIFIED, now, now).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(CheckOutcome(open, v1::WON, At(2026, 10, 30, 0), now).message(), "decided_at:"));
  EXPECT_TRUE(absl::StartsWith(CheckOutcome(open, v1::WON, now + absl::Hours(1), now).message(), "decided_at:"));
  EXPECT_EQ(CheckOutcome(Decided(v1::WON, absl::Hours(5)), v1::LOST, now, now).code(),
            absl::StatusCode::kFailedPrecondition);
  v1::Claim appealed = Decided(v1::LOST, absl::Hours(5));
  appealed.set_status(v1::Claim::APPEALED);
  *appealed.mutable_appealed_at() = ToProtoTime(At(2026, 11, 8, 0));
  EXPECT_TRUE(CheckOutcome(appealed, v1::WON, At(2026, 11, 9, 0), now).ok());
  EXPECT_FALSE(CheckOutcome(appealed, v1::WON, At(2026, 11, 7, 0), now).ok());
}

TEST(Appeal, OnlyALostClaimWithinThirtyDaysOnce) {
  const v1::Claim lost = Decided(v1::LOST, absl::Hours(24));
  const absl::Time decided = FromProtoTime(lost.outcome_at());
  EXPECT_TRUE(CheckAppeal(lost, decided + absl::Hours(24 * 30)).ok());
  const absl::Status late = CheckAppeal(lost, decided + absl::Hours(24 * 30) + absl::Seconds(1));
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckAppeal(Decided(v1::WON, absl::Hours(1)), decided).code(), absl::StatusCode::kFailedPrecondition);
  v1::Claim again = lost;
  *again.mutable_appealed_at() = ToProtoTime(decided + absl::Hours(1));
  EXPECT_EQ(CheckAppeal(again, decided + absl::Hours(2)).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Status, AnOpenClaimPastItsDeadlineIsExpired) {
  v1::Claim c = Decided(v1::OUTCOME_UNSPECIFIED, absl::ZeroDuration());
  c.set_status(v1::Claim::OPEN);
  EXPECT_EQ(StatusAt(c, At(2026, 11, 3, 23)), v1::Claim::OPEN);
  EXPECT_EQ(StatusAt(c, At(2026, 11, 4, 0)), v1::Claim::EXPIRED);
  c.set_status(v1::Claim::DECIDED);
  EXPECT_EQ(StatusAt(c, At(2026, 11, 9, 0)), v1::Claim::DECIDED);
}

}  // namespace
}  // namespace aftersales::claims
