#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/tickets/v1/tickets.pb.h"

namespace aftersales::tickets {

// Reply targets from DOMAIN.md; each is configuration with this default.
struct SlaTargets {
  absl::Duration first_reply = absl::Hours(24);
  absl::Duration return_request = absl::Hours(48);
  absl::Duration vip = absl::Hours(2);
  // Silence after the seller's reply before the automatic follow-up.
  absl::Duration follow_up_after = absl::Hours(72);
};

// A team's working week in its own time zone. Windows are [open, close) in minutes after local
// midnight on an ISO weekday (1 Monday .. 7 Sunday).
struct WeeklyHours {
  struct Window {
    int day_of_week;
    int open_minute;
    int close_minute;
  };
  absl::TimeZone zone;
  std::vector<Window> windows;
};

// Checks and converts the API form: INVALID_ARGUMENT naming the field at fault.
absl::StatusOr<WeeklyHours> ParseBusinessHours(const v1::BusinessHours& hours);

// start plus `amount` of working time. Windows are laid out on the civil calendar of the team's
// zone, so a window keeps its local hours across daylight-saving changes (a 09:00-18:00 day is 9
// real hours whether or not the clocks moved that night). Starting outside hours counts from the
// next opening. A week with no windows adds calendar time.
absl::Time AddBusinessTime(absl::Time start, absl::Duration amount, const WeeklyHours& hours);

// The next time the team's hours open after `t`, or nullopt when they are open at `t` (or the
// week has no windows: always open).
std::optional<absl::Time> NextOpening(absl::Time t, const WeeklyHours& hours);

// The running reply clock of a ticket.
struct ReplyClock {
  absl::Time due_at;
  // "vip_2h", "return_request_48h", "first_reply_24h" (named after the configured durations).
  std::string policy;
  bool business_hours = false;
};

// Whether a ticket's reply clock on this channel counts the team's business hours (when it keeps
// any): marketplace messages count calendar hours, because the marketplace's late-response rate
// does; email, chat and phone count business hours. Callers need not read the hours otherwise.
bool CountsBusinessHours(v1::Channel channel);

// The clock for a buyer message received at `received_at`:
// - the target is the tightest that applies: VIP buyers 2 h, return requests 48 h, else 24 h;
// - marketplace messages count calendar hours (the marketplace's late-response rate does);
//   email, chat and phone count the team's business hours when it keeps any.
ReplyClock StartReplyClock(absl::Time received_at, v1::Channel channel, v1::Category category,
                           v1::Buyer::Tier tier, const std::optional<WeeklyHours>& hours,
                           const SlaTargets& targets);

// The clock ran out: the due time has passed with no reply.
inline bool IsBreached(absl::Time due_at, absl::Time now) { return now > due_at; }

}  // namespace aftersales::tickets
