#include "services/tickets/ticket_workflow.h"

#include <gtest/gtest.h>

#include "common/time_util.h"

namespace aftersales::tickets {
namespace {

using v1::Ticket;

const absl::Time kStart = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 8, 0, 0), absl::UTCTimeZone());

WorkflowContext At(absl::Time now) { return WorkflowContext{now, SlaTargets{}, std::nullopt}; }

Ticket NewTicket() {
  Ticket t;
  t.set_ticket_id("tkt_1");
  t.set_channel(v1::MARKETPLACE_MESSAGE);
  t.set_category(v1::LOGISTICS_DELAYED);
  t.mutable_buyer()->set_tier(v1::Buyer::REGULAR);
  OpenTicket(t, kStart, At(kStart));
  return t;
}

TEST(TicketWorkflow, NewTicketIsOpenWithTheClockRunning) {
  const Ticket t = NewTicket();
  EXPECT_EQ(t.status(), Ticket::OPEN);
  ASSERT_TRUE(t.has_reply_due_at());
  EXPECT_EQ(FromProtoTime(t.reply_due_at()), kStart + absl::Hours(24));
  EXPECT_EQ(t.sla_policy(), "first_reply_24h");
  EXPECT_FALSE(t.breached());
}

TEST(TicketWorkflow, OutboundReplyStopsTheClockAndSchedulesFollowUp) {
  Ticket t = NewTicket();
  const absl::Time reply = kStart + absl::Hours(3);
  ASSERT_TRUE(ApplyOutboundMessage(t, reply, false, At(reply)).ok());
  EXPECT_EQ(t.status(), Ticket::WAITING_ON_BUYER);
  EXPECT_FALSE(t.has_reply_due_at());
  EXPECT_EQ(t.late_replies(), 0);
  EXPECT_EQ(FromProtoTime(t.follow_up_at()), reply + absl::Hours(72));
}

TEST(TicketWorkflow, AutomaticReplyDoesNotStopTheClock) {
  Ticket t = NewTicket();
  const absl::Time reply = kStart + absl::Minutes(1);
  ASSERT_TRUE(ApplyOutboundMessage(t, reply, /*automatic=*/true, At(reply)).ok());
  EXPECT_EQ(t.status(), Ticket::OPEN);
  EXPECT_TRUE(t.has_reply_due_at());
  EXPECT_FALSE(t.has_follow_up_at());
}

TEST(TicketWorkflow, ReplyAfterTheDueTimeCountsAsLate) {
  Ticket t = NewTicket();
  const absl::Time late = kStart + absl::Hours(30);
  RefreshBreached(t, late);
  EXPECT_TRUE(t.breached());
  ASSERT_TRUE(ApplyOutboundMessage(t, late, false, At(late)).ok());
  EXPECT_EQ(t.late_replies(), 1);
  EXPECT_FALSE(t.breached());
}

TEST(TicketWorkflow, BuyerReplyReopensTheClockAndCancelsFollowUp) {
  Ticket t = NewTicket();
  ASSERT_TRUE(ApplyOutboundMessage(t, kStart + absl::Hours(1), false, At(kStart + absl::Hours(1))).ok());
  const absl::Time again = kStart + absl::Hours(10);
  ASSERT_TRUE(ApplyInboundMessage(t, again, At(again)).ok());
  EXPECT_EQ(t.status(), Ticket::OPEN);
  EXPECT_EQ(FromProtoTime(t.reply_due_at()), again + absl::Hours(24));
  EXPECT_FALSE(t.has_follow_up_at());
}

TEST(TicketWorkflow, SecondBuyerMessageKeepsTheEarlierDueTime) {
  Ticket t = NewTicket();
  const absl::Time second = kStart + absl::Hours(5);
  ASSERT_TRUE(ApplyInboundMessage(t, second, At(second)).ok());
  EXPECT_EQ(FromProtoTime(t.reply_due_at()), kStart + absl::Hours(24));
}

TEST(TicketWorkflow, NoResponseNeededStopsTheClock) {
  Ticket t = NewTicket();
  ASSERT_TRUE(MarkNoResponseNeeded(t, At(kStart + absl::Hours(30))).ok());
  EXPECT_FALSE(t.has_reply_due_at());
  RefreshBreached(t, kStart + absl::Hours(48));
  EXPECT_FALSE(t.breached());
  EXPECT_EQ(t.status(), Ticket::OPEN);
  // Nothing left to stop.
  EXPECT_EQ(MarkNoResponseNeeded(t, At(kStart)).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(TicketWorkflow, BuyerMessageAfterNoResponseNeededStartsANewClock) {
  Ticket t = NewTicket();
  ASSERT_TRUE(MarkNoResponseNeeded(t, At(kStart)).ok());
  const absl::Time later = kStart + absl::Hours(2);
  ASSERT_TRUE(ApplyInboundMessage(t, later, At(later)).ok());
  EXPECT_EQ(FromProtoTime(t.reply_due_at()), later + absl::Hours(24));
}

TEST(TicketWorkflow, ResolvedTicketRefusesRepliesAndAssignmentUntilReopened) {
  Ticket t = NewTicket();
  ASSERT_TRUE(Resolve(t, At(kStart)).ok());
  EXPECT_EQ(t.status(), Ticket::RESOLVED);
  EXPECT_FALSE(t.has_reply_due_at());
  EXPECT_TRUE(t.has_resolved_at());
  const Ticket before = t;
  EXPECT_EQ(ApplyOutboundMessage(t, kStart, false, At(kStart)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Assign(t, "agent-1", At(kStart)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Resolve(t, At(kStart)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(t.SerializeAsString(), before.SerializeAsString()) << "a refused change changes nothing";
  ASSERT_TRUE(Reopen(t, At(kStart)).ok());
  EXPECT_EQ(t.status(), Ticket::OPEN);
  EXPECT_TRUE(Assign(t, "agent-1", At(kStart)).ok());
  EXPECT_EQ(t.assignee(), "agent-1");
}

TEST(TicketWorkflow, AReopenedTicketWaitsForTheBuyerWithoutAClock) {
  Ticket t = NewTicket();
  ASSERT_TRUE(Resolve(t, At(kStart + absl::Hours(1))).ok());
  const absl::Time reopened = kStart + absl::Hours(30);
  ASSERT_TRUE(Reopen(t, At(reopened)).ok());
  EXPECT_EQ(t.status(), Ticket::OPEN);
  // The agent reopened it; the buyer did not write: no fresh 24 h out of nothing.
  EXPECT_FALSE(t.has_reply_due_at());
  EXPECT_FALSE(t.breached());
  // The buyer writes: the clock starts from that message.
  const absl::Time wrote = reopened + absl::Hours(5);
  ASSERT_TRUE(ApplyInboundMessage(t, wrote, At(wrote)).ok());
  ASSERT_TRUE(t.has_reply_due_at());
  EXPECT_EQ(FromProtoTime(t.reply_due_at()), wrote + absl::Hours(24));
}

TEST(TicketWorkflow, OnlyResolvedTicketsReopen) {
  Ticket t = NewTicket();
  const absl::Status s = Reopen(t, At(kStart));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("OPEN"), absl::string_view::npos) << s.message();
}

TEST(TicketWorkflow, BuyerWritingToAResolvedTicketOpensIt) {
  Ticket t = NewTicket();
  ASSERT_TRUE(Resolve(t, At(kStart)).ok());
  ASSERT_TRUE(ApplyInboundMessage(t, kStart + absl::Hours(1), At(kStart + absl::Hours(1))).ok());
  EXPECT_EQ(t.status(), Ticket::OPEN);
  EXPECT_TRUE(t.has_reply_due_at());
  EXPECT_FALSE(t.has_resolved_at());
}

TEST(TicketWorkflow, FollowUpGoesOutOnceWhenDue) {
  Ticket t = NewTicket();
  ASSERT_TRUE(ApplyOutboundMessage(t, kStart, false, At(kStart)).ok());
  EXPECT_FALSE(TakeDueFollowUp(t, At(kStart + absl::Hours(71))));
  EXPECT_TRUE(TakeDueFollowUp(t, At(kStart + absl::Hours(72))));
  EXPECT_FALSE(TakeDueFollowUp(t, At(kStart + absl::Hours(73))));
  EXPECT_EQ(t.status(), Ticket::WAITING_ON_BUYER);
}

TEST(TicketWorkflow, ResolvedTicketGetsNoFollowUp) {
  Ticket t = NewTicket();
  ASSERT_TRUE(ApplyOutboundMessage(t, kStart, false, At(kStart)).ok());
  ASSERT_TRUE(Resolve(t, At(kStart + absl::Hours(1))).ok());
  EXPECT_FALSE(TakeDueFollowUp(t, At(kStart + absl::Hours(100))));
}

}  // namespace
}  // namespace aftersales::tickets
