// Business-day deadlines: weekends and a site's holidays skipped.
#include "services/returns/business_days.h"

#include <gtest/gtest.h>

#include "common/time_util.h"

namespace aftersales::returns {
namespace {

BusinessCalendar Utc(std::vector<absl::CivilDay> holidays = {}) {
  return BusinessCalendar{absl::UTCTimeZone(), std::move(holidays)};
}

absl::Time At(int y, int m, int d, int h = 10) {
  return absl::FromCivil(absl::CivilHour(y, m, d, h), absl::UTCTimeZone());
}

struct DaysCase {
  std::string name;
  absl::Time from;
  int days;
  std::vector<absl::CivilDay> holidays;
  absl::Time want;
};

class BusinessDaysTable : public ::testing::TestWithParam<DaysCase> {};

TEST_P(BusinessDaysTable, EndOfTheNthWorkingDay) {
  const DaysCase& c = GetParam();
  EXPECT_EQ(BusinessDaysAfter(c.from, c.days, Utc(c.holidays)), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    BusinessDays, BusinessDaysTable,
    ::testing::Values(
        // 2026-11-23 is a Monday.
        DaysCase{.name = "MondayPlusTwoIsEndOfWednesday",
                 .from = At(2026, 11, 23),
                 .days = 2,
                 .holidays = {},
                 .want = At(2026, 11, 26, 0)},
        DaysCase{.name = "FridayPlusTwoSkipsTheWeekend",
                 .from = At(2026, 11, 27),
                 .days = 2,
                 .holidays = {},
                 .want = At(2026, 12, 2, 0)},
        DaysCase{.name = "SaturdayCountsFromMonday",
                 .from = At(2026, 11, 28),
                 .days = 1,
                 .holidays = {},
                 .want = At(2026, 12, 1, 0)},
        DaysCase{.name = "AHolidaySkipsADay",
                 .from = At(2026, 12, 23),
                 .days = 2,
                 .holidays = {absl::CivilDay(2026, 12, 25)},
                 .want = At(2026, 12, 29, 0)}),
    [](const auto& info) { return info.param.name; });

v1::Return Requested(absl::Time at) {
  v1::Return r;
  r.set_status(v1::Return::REQUESTED);
  *r.mutable_return_case()->mutable_requested_at() = ToProtoTime(at);
  return r;
}

TEST(ReturnDeadlines, TheAnswerIsDueWithinTwoBusinessDaysAndMetByAnyAnswer) {
  v1::Return r = Requested(At(2026, 11, 27));
  std::vector<ReturnDeadline> d = DeadlinesOf(r, Utc(), 2);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "respond");
  EXPECT_EQ(d[0].due_at, At(2026, 12, 2, 0));
  EXPECT_FALSE(d[0].met);
  r.set_status(v1::Return::AUTHORIZED);
  EXPECT_TRUE(DeadlinesOf(r, Utc(), 2)[0].met);
}

TEST(ReturnDeadlines, AReceivedItemIsRefundedWithinTheBusinessDays) {
  v1::Return r = Requested(At(2026, 11, 20));
  r.set_status(v1::Return::RECEIVED);
  v1::Return::Event* e = r.add_history();
  e->set_action("markReceived");
  *e->mutable_at() = ToProtoTime(At(2026, 11, 27));
  std::vector<ReturnDeadline> d = DeadlinesOf(r, Utc(), 2);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].kind, "refund");
  EXPECT_EQ(d[1].due_at, At(2026, 12, 2, 0));
  EXPECT_FALSE(d[1].met);
  r.mutable_refunded()->set_amount_minor(100);
  EXPECT_TRUE(DeadlinesOf(r, Utc(), 2)[1].met);
}

TEST(ReturnDeadlines, APlatformHandledReturnHasNone) {
  v1::Return r = Requested(At(2026, 11, 27));
  r.mutable_decision()->set_platform_handles(true);
  EXPECT_TRUE(DeadlinesOf(r, Utc(), 2).empty());
}

}  // namespace
}  // namespace aftersales::returns

// The returns and claims services refuse to start without these: a site's deadlines would
// otherwise be counted in UTC without a word.
TEST(SiteTimeZones, EverySiteZoneLoadsFromTheInstalledData) {
  EXPECT_TRUE(aftersales::CheckSiteTimeZones().ok()) << aftersales::CheckSiteTimeZones();
}
