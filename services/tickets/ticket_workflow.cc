#include "services/tickets/ticket_workflow.h"

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
  if (ticket.has_reply_due_at() && sent_at > FromProtoTime(ticket.reply_due_at())) {
    ticket.set_late_replies(ticket.late_replies() + 1);
  }
  StopClock(ticket);
  ticket.set_status(Ticket::WAITING_ON_BUYER);
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
  // An open ticket is one the buyer waits on: a reopened one owes a reply from now, on the
  // ticket's own clock (VIP, return request, business hours), unless marked no response needed.
  StartClock(ticket, ctx.now, ctx);
  Touch(ticket, ctx);
  RefreshBreached(ticket, ctx.now);
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

}  // namespace aftersales::tickets
