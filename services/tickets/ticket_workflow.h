#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "services/tickets/sla_clock.h"

namespace aftersales::tickets {

// What the ticket rules need to know beyond the ticket itself.
struct WorkflowContext {
  absl::Time now;
  SlaTargets targets;
  // The store team's hours, when it keeps any.
  std::optional<WeeklyHours> hours;
};

// The state changes of a ticket, as pure functions over the resource. Each either changes the
// ticket and returns OK, or returns FAILED_PRECONDITION naming the state that forbids it and
// leaves the ticket as it was. None touches messages: the caller stores those.

// A new ticket: OPEN with the reply clock running from the buyer's first message.
void OpenTicket(v1::Ticket& ticket, absl::Time received_at, const WorkflowContext& ctx);

// The buyer wrote. A resolved or waiting ticket opens again and the clock starts from this
// message; on an open ticket an already running clock keeps its (earlier) due time.
absl::Status ApplyInboundMessage(v1::Ticket& ticket, absl::Time sent_at, const WorkflowContext& ctx);

// The seller wrote. A reply by a person stops the clock and waits on the buyer, with the
// follow-up scheduled from sent_at; an automatic message (auto-reply) changes nothing. The reply
// counts late when the clock is past due at ctx.now, the time it reached us, whatever sent_at
// says. A resolved ticket must be reopened first.
absl::Status ApplyOutboundMessage(v1::Ticket& ticket, absl::Time sent_at, bool automatic,
                                  const WorkflowContext& ctx);

absl::Status Assign(v1::Ticket& ticket, const std::string& assignee, const WorkflowContext& ctx);

// Stops a running clock: the buyer's message needs no reply and leaves the late-response count.
absl::Status MarkNoResponseNeeded(v1::Ticket& ticket, const WorkflowContext& ctx);

// Closes the ticket. A running clock past due counts as a late reply: resolving is no answer.
absl::Status Resolve(v1::Ticket& ticket, const WorkflowContext& ctx);

// Back to OPEN from RESOLVED, with no reply clock: the agent reopened it, the buyer did not write.
// A buyer message starts the clock as usual.
absl::Status Reopen(v1::Ticket& ticket, const WorkflowContext& ctx);

// The follow-up is due: true when it should go out now (the ticket still waits on the buyer and
// the follow-up time has come); then the follow-up time is cleared so it goes out once.
bool TakeDueFollowUp(v1::Ticket& ticket, const WorkflowContext& ctx);

// Sets `breached` from the due time and now. Called on every read.
void RefreshBreached(v1::Ticket& ticket, absl::Time now);

// Attempts of a follow-up before it is set aside.
inline constexpr int kFollowUpAttempts = 5;

// A follow-up failed for the `attempts`-th time: when to try again (1, 2, 4, 8 minutes after
// `now`), or nullopt once it has failed kFollowUpAttempts times and is set aside.
std::optional<absl::Time> NextFollowUpAttempt(int attempts, absl::Time now);

// How far a caller's clock may run ahead of or behind ours before a time counts as another one.
inline constexpr absl::Duration kClockSkew = absl::Minutes(2);

// When a message may say it was written (sent_at): not in the future, not before the ticket's
// previous message, and not in the past unless the caller may backdate (automation importing a
// conversation). INVALID_ARGUMENT or PERMISSION_DENIED naming sent_at otherwise.
absl::Status CheckMessageTime(absl::Time sent_at, absl::Time now,
                              std::optional<absl::Time> previous_message, bool may_backdate);

// A buyer message received at `received_at` outside the team's hours gets an automatic reply
// saying when the team is back: that opening, or nullopt when no auto-reply is due (no hours
// kept, within hours, a message imported from the past, or the ticket had its auto-reply in this
// closed stretch already, at last_auto_reply).
std::optional<absl::Time> OutOfHoursReplyDue(absl::Time received_at, absl::Time now,
                                             const std::optional<WeeklyHours>& hours,
                                             std::optional<absl::Time> last_auto_reply);

}  // namespace aftersales::tickets
