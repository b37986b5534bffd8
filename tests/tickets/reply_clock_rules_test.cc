// The rules that keep reply clocks honest: when a message may say it was written, what counts
// as a late reply, what resolving and reopening do to a clock, and when the out-of-hours reply
// goes out. Pure rules, no server.
#include <gtest/gtest.h>

#include "common/time_util.h"
#include "services/tickets/sla_clock.h"
#include "services/tickets/ticket_workflow.h"
#include "tests/tickets/office_week.h"

namespace aftersales::tickets {
namespace {

using v1::Ticket;

// Monday 2026-11-23 08:00 UTC.
const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2026, 11, 23, 8, 0, 0), absl::UTCTimeZone());

WorkflowContext At(absl::Time now) { return WorkflowContext{now, SlaTargets{}, std::nullopt}; }

Ticket NewTicket() {
  Ticket t;
  t.set_ticket_id("tkt_1");
  t.set_channel(v1::MARKETPLACE_MESSAGE);
  t.set_category(v1::LOGISTICS_DELAYED);
  t.mutable_buyer()->set_tier(v1::Buyer::REGULAR);
  OpenTicket(t, kStart, At(kStart));  // due kStart + 24 h
  return t;
}

struct MessageTimeCase {
  std::string name;
  absl::Duration sent_from_now;
  // The ticket's previous message, from now; none when unset.
  std::optional<absl::Duration> previous_from_now;
  bool may_backdate;
  absl::StatusCode want;
};

class MessageTimeTable : public ::testing::TestWithParam<MessageTimeCase> {};

TEST_P(MessageTimeTable, SentAtIsCheckedAgainstNowAndTheConversation) {
  const MessageTimeCase& c = GetParam();
  const absl::Time now = kStart + absl::Hours(5);
  std::optional<absl::Time> previous;
  if (c.previous_from_now) previous = now + *c.previous_from_now;
  const absl::Status s = CheckMessageTime(now + c.sent_from_now, now, previous, c.may_backdate);
  EXPECT_EQ(s.code(), c.want) << s;
  if (!s.ok()) {
    EXPECT_NE(s.message().find("sent_at"), absl::string_view::npos) << s;
  }
}

INSTANTIATE_TEST_SUITE_P(
    ReplyClockRules, MessageTimeTable,
    ::testing::Values(
        MessageTimeCase{.name = "NowIsFine",
                        .sent_from_now = absl::ZeroDuration(),
                        .previous_from_now = -absl::Hours(1),
                        .may_backdate = false,
                        .want = absl::StatusCode::kOk},
        MessageTimeCase{.name = "ASmallSkewEitherWayIsFine",
                        .sent_from_now = absl::Seconds(90),
                        .previous_from_now = absl::Seconds(30),
                        .may_backdate = false,
                        .want = absl::StatusCode::kOk},
        MessageTimeCase{.name = "TheFutureIsRefused",
                        .sent_from_now = absl::Minutes(10),
                        .previous_from_now = std::nullopt,
                        .may_backdate = true,
                        .want = absl::StatusCode::kInvalidArgument},
        MessageTimeCase{.name = "BeforeThePreviousMessageIsRefused",
                        .sent_from_now = -absl::Hours(3),
                        .previous_from_now = -absl::Hours(1),
                        .may_backdate = true,
                        .want = absl::StatusCode::kInvalidArgument},
        MessageTimeCase{.name = "APersonMayNotBackdate",
                        .sent_from_now = -absl::Hours(2),
                        .previous_from_now = -absl::Hours(3),
                        .may_backdate = false,
                        .want = absl::StatusCode::kPermissionDenied},
        MessageTimeCase{.name = "AutomationMayBackdateAnImport",
                        .sent_from_now = -absl::Hours(2),
                        .previous_from_now = -absl::Hours(3),
                        .may_backdate = true,
                        .want = absl::StatusCode::kOk},
        MessageTimeCase{.name = "AFirstMessageMayBeImportedFromAnyPast",
                        .sent_from_now = -absl::Hours(24 * 30),
                        .previous_from_now = std::nullopt,
                        .may_backdate = true,
                        .want = absl::StatusCode::kOk}),
    [](const auto& info) { return info.param.name; });

TEST(ReplyClockRules, ABackdatedReplyThatArrivesLateStillCountsLate) {
  Ticket t = NewTicket();
  // Imported 30 h after the buyer wrote, claiming it went out after 1 h.
  const absl::Time arrived = kStart + absl::Hours(30);
  ASSERT_TRUE(ApplyOutboundMessage(t, kStart + absl::Hours(1), false, At(arrived)).ok());
  EXPECT_EQ(t.late_replies(), 1);
  EXPECT_FALSE(t.has_reply_due_at()) << "the reply still stops the clock";
  EXPECT_EQ(FromProtoTime(t.follow_up_at()), kStart + absl::Hours(1) + absl::Hours(72))
      << "the buyer's silence counts from when the reply went out";
}

TEST(ReplyClockRules, AReplyOnTimeIsNotLateWhateverItsSentAt) {
  Ticket t = NewTicket();
  const absl::Time arrived = kStart + absl::Hours(2);
  ASSERT_TRUE(ApplyOutboundMessage(t, arrived, false, At(arrived)).ok());
  EXPECT_EQ(t.late_replies(), 0);
}

TEST(ReplyClockRules, ResolvingPastTheDueTimeCountsThePendingReplyLate) {
  Ticket t = NewTicket();
  ASSERT_TRUE(Resolve(t, At(kStart + absl::Hours(25))).ok());
  EXPECT_EQ(t.late_replies(), 1);
  EXPECT_FALSE(t.has_reply_due_at());
}

TEST(ReplyClockRules, ResolvingBeforeTheDueTimeCountsNothing) {
  Ticket t = NewTicket();
  ASSERT_TRUE(Resolve(t, At(kStart + absl::Hours(23))).ok());
  EXPECT_EQ(t.late_replies(), 0);
}

TEST(ReplyClockRules, NoResponseNeededStopsTheClockWithoutALateReply) {
  Ticket t = NewTicket();
  ASSERT_TRUE(MarkNoResponseNeeded(t, At(kStart + absl::Hours(30))).ok());
  ASSERT_TRUE(Resolve(t, At(kStart + absl::Hours(31))).ok());
  EXPECT_EQ(t.late_replies(), 0);
}

TEST(ReplyClockRules, ReopeningStartsNoClockAndResolvingItAgainCountsNothing) {
  Ticket t = NewTicket();
  ASSERT_TRUE(ApplyOutboundMessage(t, kStart + absl::Hours(1), false, At(kStart + absl::Hours(1))).ok());
  ASSERT_TRUE(Resolve(t, At(kStart + absl::Hours(2))).ok());
  ASSERT_TRUE(Reopen(t, At(kStart + absl::Hours(50))).ok());
  EXPECT_FALSE(t.has_reply_due_at());
  ASSERT_TRUE(Resolve(t, At(kStart + absl::Hours(100))).ok());
  EXPECT_EQ(t.late_replies(), 0);
}


absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

struct OutOfHoursCase {
  std::string name;
  absl::Time now;
  bool with_hours;
  // How long before now the buyer wrote.
  absl::Duration written_before_now;
  std::optional<absl::Time> last_auto_reply;
  std::optional<absl::Time> want;
};

class OutOfHoursTable : public ::testing::TestWithParam<OutOfHoursCase> {};

TEST_P(OutOfHoursTable, TheAutoReplyGoesOutOncePerClosedStretch) {
  const OutOfHoursCase& c = GetParam();
  std::optional<WeeklyHours> hours;
  if (c.with_hours) hours = testing::OfficeWeek("Asia/Shanghai");  // 01:00-10:00 UTC
  EXPECT_EQ(OutOfHoursReplyDue(c.now - c.written_before_now, c.now, hours, c.last_auto_reply),
            c.want);
}

INSTANTIATE_TEST_SUITE_P(
    ReplyClockRules, OutOfHoursTable,
    ::testing::Values(
        // Tuesday 12:00 UTC is 20:00 in Shanghai: back Wednesday 09:00 (01:00 UTC).
        OutOfHoursCase{.name = "EveningGetsTheNextOpening",
                       .now = Utc(2026, 11, 24, 12),
                       .with_hours = true,
                       .written_before_now = absl::ZeroDuration(),
                       .last_auto_reply = std::nullopt,
                       .want = Utc(2026, 11, 25, 1)},
        OutOfHoursCase{.name = "WithinHoursNone",
                       .now = Utc(2026, 11, 24, 3),
                       .with_hours = true,
                       .written_before_now = absl::ZeroDuration(),
                       .last_auto_reply = std::nullopt,
                       .want = std::nullopt},
        // Saturday 02:00 UTC (10:00 Shanghai): back Monday 09:00 Shanghai.
        OutOfHoursCase{.name = "WeekendGetsMonday",
                       .now = Utc(2026, 11, 28, 2),
                       .with_hours = true,
                       .written_before_now = absl::ZeroDuration(),
                       .last_auto_reply = std::nullopt,
                       .want = Utc(2026, 11, 30, 1)},
        OutOfHoursCase{.name = "NoHoursKeptNone",
                       .now = Utc(2026, 11, 24, 12),
                       .with_hours = false,
                       .written_before_now = absl::ZeroDuration(),
                       .last_auto_reply = std::nullopt,
                       .want = std::nullopt},
        OutOfHoursCase{.name = "SecondMessageTheSameNightNone",
                       .now = Utc(2026, 11, 24, 16),
                       .with_hours = true,
                       .written_before_now = absl::ZeroDuration(),
                       .last_auto_reply = Utc(2026, 11, 24, 12),
                       .want = std::nullopt},
        OutOfHoursCase{.name = "TheNextNightAgain",
                       .now = Utc(2026, 11, 25, 12),
                       .with_hours = true,
                       .written_before_now = absl::ZeroDuration(),
                       .last_auto_reply = Utc(2026, 11, 24, 12),
                       .want = Utc(2026, 11, 26, 1)},
        OutOfHoursCase{.name = "AnImportedOldMessageNone",
                       .now = Utc(2026, 11, 24, 12),
                       .with_hours = true,
                       .written_before_now = absl::Hours(6),
                       .last_auto_reply = std::nullopt,
                       .want = std::nullopt}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace aftersales::tickets
