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

// The seller wrote. A reply by a person stops the clock (counting it late when past due) and
// waits on the buyer, with the follow-up scheduled; an automatic message (auto-reply) changes
// nothing. A resolved ticket must be reopened first.
absl::Status ApplyOutboundMessage(v1::Ticket& ticket, absl::Time sent_at, bool automatic,
                                  const WorkflowContext& ctx);

absl::Status Assign(v1::Ticket& ticket, const std::string& assignee, const WorkflowContext& ctx);

// Stops a running clock: the buyer's message needs no reply and leaves the late-response count.
absl::Status MarkNoResponseNeeded(v1::Ticket& ticket, const WorkflowContext& ctx);

absl::Status Resolve(v1::Ticket& ticket, const WorkflowContext& ctx);

// Back to OPEN from RESOLVED, with a reply clock from now: an open ticket is one the buyer waits on.
absl::Status Reopen(v1::Ticket& ticket, const WorkflowContext& ctx);

// The follow-up is due: true when it should go out now (the ticket still waits on the buyer and
// the follow-up time has come); then the follow-up time is cleared so it goes out once.
bool TakeDueFollowUp(v1::Ticket& ticket, const WorkflowContext& ctx);

// Sets `breached` from the due time and now. Called on every read.
void RefreshBreached(v1::Ticket& ticket, absl::Time now);

}  // namespace aftersales::tickets
