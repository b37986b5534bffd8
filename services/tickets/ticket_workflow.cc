#include "services/tickets/ticket_workflow.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"

namespace aftersales::tickets {
namespace {

using v1::Ticket;

absl::Status Forbidden(const Ticket& ticket, absl::string_view action, absl::string_view hint) {
  return absl::FailedPreconditionError(absl::StrCat("ticket ", ticket.ticket_id(), " is ",
                                                    Ticket::Status_Name(ticket.status()),
                                                    ": cannot ", action, hint.empty() ? "" : "; ",
                                                    hint));
}

void StartClock(Ticket& ticket, absl::Time received_at, const WorkflowContext& ctx) {
  const ReplyClock clock =
      StartReplyClock(received_at, ticket.channel(), ticket.category(), ticket.buyer().tier(),
                      ctx.hours, ctx.targets);
  *ticket.mutable_reply_due_at() = ToProtoTime(clock.due_at);
  ticket.set_sla_policy(clock.policy);
  ticket.set_sla_business_hours(clock.business_hours);
}

void StopClock(Ticket& ticket) {
  ticket.clear_reply_due_at();
  ticket.set_breached(false);
}

void Touch(Ticket& ticket, const WorkflowContext& ctx) {
  *ticket.mutable_updated_at() = ToProtoTime(ctx.now);
}

// A running clock that ends at `at` past its due time counts one late reply.
void CountLateIfOverdue(Ticket& ticket, absl::Time at) {
  if (ticket.has_reply_due_at() && IsBreached(FromProtoTime(ticket.reply_due_at()), at)) {
    ticket.set_late_replies(ticket.late_replies() + 1);
  }
}

}  // namespace

void OpenTicket(Ticket& ticket, absl::Time received_at, const WorkflowContext& ctx) {
  ticket.set_status(Ticket::OPEN);
  *ticket.mutable_created_at() = ToProtoTime(ctx.now);
  Touch(ticket, ctx);
  StartClock(ticket, received_at, ctx);
  RefreshBreached(ticket, ctx.now);
}

absl::Status ApplyInboundMessage(Ticket& ticket, absl::Time sent_at, const WorkflowContext& ctx) {
  const bool clock_running = ticket.has_reply_due_at();
  if (ticket.status() != Ticket::OPEN || !clock_running) {
    StartClock(ticket, sent_at, ctx);
  }
  ticket.set_status(Ticket::OPEN);
  ticket.clear_follow_up_at();
  ticket.clear_resolved_at();
  Touch(ticket, ctx);
  RefreshBreached(ticket, ctx.now);
  return absl::OkStatus();
}

absl::Status ApplyOutboundMessage(Ticket& ticket, absl::Time sent_at, bool automatic,
                                  const WorkflowContext& ctx) {
  if (ticket.status() == Ticket::RESOLVED) {
    return Forbidden(ticket, "send a reply", "reopen it first");
  }
  Touch(ticket, ctx);
  // An auto-reply does not stop the clock: the marketplace still counts the message unanswered.
  if (automatic) return absl::OkStatus();
  // Late or not is judged when the reply reaches us, not by the time the caller claims: an
  // imported, backdated reply cannot turn a late reply into one on time.
  CountLateIfOverdue(ticket, ctx.now);
  StopClock(ticket);
  ticket.set_status(Ticket::WAITING_ON_BUYER);
  // Review threads get no automatic follow-up: a reminder about a review is pressure, and the
  // reviews service paces them itself.
  if (ticket.category() == v1::REVIEW_OUTREACH || ticket.category() == v1::REVIEW_REQUEST) {
    ticket.clear_follow_up_at();
    return absl::OkStatus();
  }
  *ticket.mutable_follow_up_at() = ToProtoTime(sent_at + ctx.targets.follow_up_after);
  return absl::OkStatus();
}

absl::Status Assign(Ticket& ticket, const std::string& assignee, const WorkflowContext& ctx) {
  if (ticket.status() == Ticket::RESOLVED) return Forbidden(ticket, "assign", "reopen it first");
  ticket.set_assignee(assignee);
  Touch(ticket, ctx);
  return absl::OkStatus();
}

absl::Status MarkNoResponseNeeded(Ticket& ticket, const WorkflowContext& ctx) {
  if (ticket.status() != Ticket::OPEN || !ticket.has_reply_due_at()) {
    return Forbidden(ticket, "mark no response needed", "no reply clock is running");
  }
  StopClock(ticket);
  Touch(ticket, ctx);
  return absl::OkStatus();
}

absl::Status Resolve(Ticket& ticket, const WorkflowContext& ctx) {
  if (ticket.status() == Ticket::RESOLVED) return Forbidden(ticket, "resolve", "");
  ticket.set_status(Ticket::RESOLVED);
  // Resolving does not answer the buyer: a pending reply past its due time is a late one. Only
  // "no response needed" stops a clock without a reply.
  CountLateIfOverdue(ticket, ctx.now);
  StopClock(ticket);
  ticket.clear_follow_up_at();
  *ticket.mutable_resolved_at() = ToProtoTime(ctx.now);
  Touch(ticket, ctx);
  return absl::OkStatus();
}

absl::Status Reopen(Ticket& ticket, const WorkflowContext& ctx) {
  if (ticket.status() != Ticket::RESOLVED) return Forbidden(ticket, "reopen", "only resolved tickets reopen");
  ticket.set_status(Ticket::OPEN);
  ticket.clear_resolved_at();
  // No clock: nobody wrote, so nobody waits on a reply. The ticket stays out of the reply queue
  // until the buyer writes again (ApplyInboundMessage starts the clock then).
  StopClock(ticket);
  Touch(ticket, ctx);
  return absl::OkStatus();
}

bool TakeDueFollowUp(Ticket& ticket, const WorkflowContext& ctx) {
  if (ticket.status() != Ticket::WAITING_ON_BUYER || !ticket.has_follow_up_at()) return false;
  if (FromProtoTime(ticket.follow_up_at()) > ctx.now) return false;
  ticket.clear_follow_up_at();
  Touch(ticket, ctx);
  return true;
}

void RefreshBreached(Ticket& ticket, absl::Time now) {
  ticket.set_breached(ticket.has_reply_due_at() &&
                      IsBreached(FromProtoTime(ticket.reply_due_at()), now));
}

std::optional<absl::Time> NextFollowUpAttempt(int attempts, absl::Time now) {
  if (attempts >= kFollowUpAttempts) return std::nullopt;
  return now + absl::Minutes(1) * (1 << std::clamp(attempts - 1, 0, 10));
}

absl::Status CheckMessageTime(absl::Time sent_at, absl::Time now,
                              std::optional<absl::Time> previous_message, bool may_backdate) {
  if (sent_at > now + kClockSkew) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sent_at: ", absl::FormatTime(absl::RFC3339_sec, sent_at, absl::UTCTimeZone()),
        " is in the future; leave it unset for now"));
  }
  if (previous_message.has_value() && sent_at < *previous_message - kClockSkew) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sent_at: ", absl::FormatTime(absl::RFC3339_sec, sent_at, absl::UTCTimeZone()),
        " is before the ticket's previous message (",
        absl::FormatTime(absl::RFC3339_sec, *previous_message, absl::UTCTimeZone()),
        "); messages are added in the order they were written"));
  }
  if (!may_backdate && sent_at < now - kClockSkew) {
    return absl::PermissionDeniedError(
        "sent_at: only automation (role service) may backdate a message it imports; leave it "
        "unset to send now");
  }
  return absl::OkStatus();
}

std::optional<absl::Time> OutOfHoursReplyDue(absl::Time received_at, absl::Time now,
                                             const std::optional<WeeklyHours>& hours,
                                             std::optional<absl::Time> last_auto_reply) {
  // A message imported from the past gets no auto-reply: the buyer is not waiting on it now.
  if (!hours.has_value() || received_at < now - kClockSkew) return std::nullopt;
  const std::optional<absl::Time> opening = NextOpening(now, *hours);
  if (!opening.has_value()) return std::nullopt;
  // One auto-reply per closed stretch: the buyer who writes three times overnight is told once.
  if (last_auto_reply.has_value() && NextOpening(*last_auto_reply, *hours) == opening) {
    return std::nullopt;
  }
  return opening;
}

}  // namespace aftersales::tickets
