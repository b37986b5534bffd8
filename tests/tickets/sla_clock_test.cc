#include "services/tickets/sla_clock.h"

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "tests/tickets/office_week.h"

namespace aftersales::tickets {
namespace {

using v1::Buyer;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone z;
  EXPECT_TRUE(absl::LoadTimeZone(name, &z)) << name;
  return z;
}

absl::Time At(const std::string& zone, int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), Zone(zone));
}

using testing::OfficeWeek;

struct ClockCase {
  std::string name;
  absl::Time received;
  v1::Channel channel;
  v1::Category category;
  Buyer::Tier tier;
  bool with_hours;
  std::string hours_zone;
  absl::Time want_due;
  std::string want_policy;
  bool want_business_hours;
};

class ReplyClockTable : public ::testing::TestWithParam<ClockCase> {};

TEST_P(ReplyClockTable, DueTimeAndPolicy) {
  const ClockCase& c = GetParam();
  std::optional<WeeklyHours> hours;
  if (c.with_hours) hours = OfficeWeek(c.hours_zone);
  const ReplyClock clock =
      StartReplyClock(c.received, c.channel, c.category, c.tier, hours, SlaTargets{});
  EXPECT_EQ(clock.due_at, c.want_due) << absl::FormatTime(clock.due_at) << " want "
                                      << absl::FormatTime(c.want_due);
  EXPECT_EQ(clock.policy, c.want_policy);
  EXPECT_EQ(clock.business_hours, c.want_business_hours);
}

const char kUtc[] = "UTC";
const char kShanghai[] = "Asia/Shanghai";
const char kNewYork[] = "America/New_York";
const char kBerlin[] = "Europe/Berlin";

INSTANTIATE_TEST_SUITE_P(
    Sla, ReplyClockTable,
    ::testing::Values(
        // Marketplace messages count calendar hours, weekends included.
        ClockCase{"MarketplaceMessageIs24CalendarHours", At(kUtc, 2026, 11, 20, 22),
                  v1::MARKETPLACE_MESSAGE, v1::LOGISTICS_DELAYED, Buyer::REGULAR, false, "",
                  At(kUtc, 2026, 11, 21, 22), "first_reply_24h", false},
        ClockCase{"MarketplaceIgnoresBusinessHoursOverWeekend", At(kUtc, 2026, 11, 20, 22),
                  v1::MARKETPLACE_MESSAGE, v1::PRODUCT_DEFECT, Buyer::REGULAR, true, kShanghai,
                  At(kUtc, 2026, 11, 21, 22), "first_reply_24h", false},
        ClockCase{"ReturnRequestIs48Hours", At(kUtc, 2026, 11, 23, 10), v1::MARKETPLACE_MESSAGE,
                  v1::RETURN_REQUEST, Buyer::REGULAR, false, "", At(kUtc, 2026, 11, 25, 10),
                  "return_request_48h", false},
        ClockCase{"VipIsTwoHours", At(kUtc, 2026, 11, 23, 10), v1::MARKETPLACE_MESSAGE,
                  v1::LOGISTICS_LOST, Buyer::VIP, false, "", At(kUtc, 2026, 11, 23, 12), "vip_2h",
                  false},
        ClockCase{"VipReturnRequestTakesTheTighterTwoHours", At(kUtc, 2026, 11, 23, 10),
                  v1::MARKETPLACE_MESSAGE, v1::RETURN_REQUEST, Buyer::VIP, false, "",
                  At(kUtc, 2026, 11, 23, 12), "vip_2h", false},
        ClockCase{"DisputedBuyerGetsTheRegularClock", At(kUtc, 2026, 11, 23, 10),
                  v1::MARKETPLACE_MESSAGE, v1::SERVICE_LATE_REPLY, Buyer::DISPUTED, false, "",
                  At(kUtc, 2026, 11, 24, 10), "first_reply_24h", false},
        ClockCase{"EmailWithoutHoursCountsCalendarTime", At(kUtc, 2026, 11, 20, 22), v1::EMAIL,
                  v1::PRESALE_STOCK, Buyer::REGULAR, false, "", At(kUtc, 2026, 11, 21, 22),
                  "first_reply_24h", false},
        // Friday 17:00 Shanghai: 1 h on Friday, then Monday 9 h + Tuesday 9 h + 5 h Wednesday.
        ClockCase{"EmailCountsBusinessHoursAcrossTheWeekend", At(kShanghai, 2026, 11, 20, 17),
                  v1::EMAIL, v1::PRESALE_PRICE, Buyer::REGULAR, true, kShanghai,
                  At(kShanghai, 2026, 11, 25, 14), "first_reply_24h", true},
        // Saturday: counting starts at Monday's opening.
        ClockCase{"ChatOnSaturdayStartsMondayMorning", At(kShanghai, 2026, 11, 21, 11), v1::CHAT,
                  v1::PRESALE_SIZE, Buyer::VIP, true, kShanghai, At(kShanghai, 2026, 11, 23, 11),
                  "vip_2h", true},
        // Before opening: counting starts at 09:00 the same day.
        ClockCase{"PhoneBeforeOpeningStartsAtOpening", At(kShanghai, 2026, 11, 23, 6), v1::PHONE,
                  v1::PRESALE_STOCK, Buyer::VIP, true, kShanghai, At(kShanghai, 2026, 11, 23, 11),
                  "vip_2h", true},
        // New York springs forward on Sunday 8 March 2026: Friday 17:00 + 2 h = Monday 10:00
        // local, which is 14:00 UTC (EDT), not 15:00 UTC (EST).
        ClockCase{"BusinessHoursKeepLocalTimeAcrossSpringForward", At(kNewYork, 2026, 3, 6, 17),
                  v1::EMAIL, v1::PRESALE_STOCK, Buyer::VIP, true, kNewYork,
                  At(kUtc, 2026, 3, 9, 14), "vip_2h", true},
        // New York falls back on Sunday 1 November 2026: Friday 17:00 EDT + 2 h = Monday 10:00
        // EST = 15:00 UTC.
        ClockCase{"BusinessHoursKeepLocalTimeAcrossFallBack", At(kNewYork, 2026, 10, 30, 17),
                  v1::EMAIL, v1::PRESALE_STOCK, Buyer::VIP, true, kNewYork,
                  At(kUtc, 2026, 11, 2, 15), "vip_2h", true},
        // Berlin springs forward on 29 March 2026: a marketplace 24 h clock is 24 real hours,
        // so the local due time moves an hour later on the wall clock.
        ClockCase{"CalendarClockIsRealHoursAcrossDst", At(kBerlin, 2026, 3, 28, 12),
                  v1::MARKETPLACE_MESSAGE, v1::PRODUCT_DEFECT, Buyer::REGULAR, false, "",
                  At(kBerlin, 2026, 3, 29, 13), "first_reply_24h", false},
        // 24 business hours from Monday 09:00 Berlin: Mon 9 + Tue 9 + Wed 6 = Wed 15:00.
        ClockCase{"TwentyFourBusinessHoursSpanThreeDays", At(kBerlin, 2026, 11, 23, 9), v1::EMAIL,
                  v1::PRODUCT_DEFECT, Buyer::REGULAR, true, kBerlin, At(kBerlin, 2026, 11, 25, 15),
                  "first_reply_24h", true}),
    [](const ::testing::TestParamInfo<ClockCase>& info) { return info.param.name; });

TEST(ReplyClock, ConfiguredTargetsNameThePolicy) {
  SlaTargets targets;
  targets.first_reply = absl::Hours(12);
  targets.vip = absl::Minutes(90);
  const absl::Time t = At(kUtc, 2026, 1, 5, 8);
  EXPECT_EQ(StartReplyClock(t, v1::MARKETPLACE_MESSAGE, v1::PRODUCT_DEFECT, Buyer::REGULAR,
                            std::nullopt, targets)
                .policy,
            "first_reply_12h");
  const ReplyClock vip = StartReplyClock(t, v1::MARKETPLACE_MESSAGE, v1::PRODUCT_DEFECT,
                                         Buyer::VIP, std::nullopt, targets);
  EXPECT_EQ(vip.policy, "vip_90m");
  EXPECT_EQ(vip.due_at, t + absl::Minutes(90));
}

TEST(ReplyClock, BreachedOnlyAfterTheDueTime) {
  const absl::Time due = At(kUtc, 2026, 1, 5, 8);
  EXPECT_FALSE(IsBreached(due, due));
  EXPECT_TRUE(IsBreached(due, due + absl::Seconds(1)));
}

TEST(BusinessHours, SplitDayWindowsSkipLunch) {
  v1::BusinessHours proto;
  proto.set_time_zone(kShanghai);
  for (auto [open, close] : {std::pair{"09:00", "12:00"}, std::pair{"13:00", "18:00"}}) {
    auto* w = proto.add_windows();
    w->set_day_of_week(1);
    w->set_open(open);
    w->set_close(close);
  }
  absl::StatusOr<WeeklyHours> hours = ParseBusinessHours(proto);
  ASSERT_TRUE(hours.ok()) << hours.status();
  // Monday 11:00 + 2 h = 12:00 (1 h) then 13:00 + 1 h = 14:00.
  EXPECT_EQ(AddBusinessTime(At(kShanghai, 2026, 11, 23, 11), absl::Hours(2), *hours),
            At(kShanghai, 2026, 11, 23, 14));
  // Past Monday's close: next Monday.
  EXPECT_EQ(AddBusinessTime(At(kShanghai, 2026, 11, 23, 18), absl::Hours(1), *hours),
            At(kShanghai, 2026, 11, 30, 10));
}

TEST(BusinessHours, RejectsWhatAPersonMustFix) {
  auto parse_error = [](const std::string& zone, int day, const std::string& open,
                        const std::string& close) {
    v1::BusinessHours proto;
    proto.set_time_zone(zone);
    auto* w = proto.add_windows();
    w->set_day_of_week(day);
    w->set_open(open);
    w->set_close(close);
    return ParseBusinessHours(proto).status();
  };
  EXPECT_EQ(parse_error("Mars/Olympus", 1, "09:00", "18:00").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_NE(parse_error("Mars/Olympus", 1, "09:00", "18:00").message().find("time_zone"),
            absl::string_view::npos);
  EXPECT_NE(parse_error(kUtc, 8, "09:00", "18:00").message().find("day_of_week"),
            absl::string_view::npos);
  EXPECT_NE(parse_error(kUtc, 1, "9am", "18:00").message().find("open"), absl::string_view::npos);
  EXPECT_NE(parse_error(kUtc, 1, "18:00", "09:00").message().find("after open"),
            absl::string_view::npos);
  EXPECT_TRUE(parse_error(kUtc, 1, "00:00", "24:00").ok());

  v1::BusinessHours overlapping;
  overlapping.set_time_zone(kUtc);
  for (auto [open, close] : {std::pair{"09:00", "13:00"}, std::pair{"12:00", "18:00"}}) {
    auto* w = overlapping.add_windows();
    w->set_day_of_week(2);
    w->set_open(open);
    w->set_close(close);
  }
  EXPECT_NE(ParseBusinessHours(overlapping).status().message().find("overlap"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace aftersales::tickets
