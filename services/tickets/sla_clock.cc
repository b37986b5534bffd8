#include "services/tickets/sla_clock.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/validation.h"

namespace aftersales::tickets {
namespace {

// "HH:MM" to minutes after midnight; 24:00 allowed as a closing time.
std::optional<int> ParseClock(absl::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int hour = 0;
  int minute = 0;
  if (!absl::SimpleAtoi(text.substr(0, 2), &hour) || !absl::SimpleAtoi(text.substr(3, 2), &minute)) {
    return std::nullopt;
  }
  if (hour < 0 || minute < 0 || minute > 59 || hour > 24 || (hour == 24 && minute != 0)) {
    return std::nullopt;
  }
  return hour * 60 + minute;
}

int IsoWeekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday: return 1;
    case absl::Weekday::tuesday: return 2;
    case absl::Weekday::wednesday: return 3;
    case absl::Weekday::thursday: return 4;
    case absl::Weekday::friday: return 5;
    case absl::Weekday::saturday: return 6;
    case absl::Weekday::sunday: return 7;
  }
  return 1;
}

// The absolute instant of a local wall time. In a spring-forward gap the wall time does not
// exist; the instant the clocks jumped is used. In a fall-back overlap, the first occurrence.
absl::Time LocalInstant(absl::CivilDay day, int minute, const absl::TimeZone& zone) {
  const absl::CivilMinute civil = absl::CivilMinute(day) + minute;
  const absl::TimeZone::TimeInfo info = zone.At(civil);
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

std::string PolicyName(absl::string_view kind, absl::Duration d) {
  return absl::StrCat(kind, "_", absl::ToInt64Hours(d) * 60 == absl::ToInt64Minutes(d)
                                     ? absl::StrCat(absl::ToInt64Hours(d), "h")
                                     : absl::StrCat(absl::ToInt64Minutes(d), "m"));
}

}  // namespace

absl::StatusOr<WeeklyHours> ParseBusinessHours(const v1::BusinessHours& hours) {
  WeeklyHours out;
  // Checked against the installed zones first: LoadTimeZone would also open a path it is given.
  if (!ValidateTimeZone("business_hours.time_zone", hours.time_zone(), true).ok() ||
      !absl::LoadTimeZone(hours.time_zone(), &out.zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "business_hours.time_zone: '", hours.time_zone(), "' is not an IANA zone like Asia/Shanghai"));
  }
  if (hours.windows_size() > 70) {
    return absl::InvalidArgumentError("business_hours.windows: at most 70 windows are accepted");
  }
  for (int i = 0; i < hours.windows_size(); ++i) {
    const auto& w = hours.windows(i);
    const std::string field = absl::StrCat("business_hours.windows[", i, "]");
    if (w.day_of_week() < 1 || w.day_of_week() > 7) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".day_of_week: ", w.day_of_week(), " is not 1 (Monday) .. 7 (Sunday)"));
    }
    const std::optional<int> open = ParseClock(w.open());
    const std::optional<int> close = ParseClock(w.close());
    if (!open || *open >= 24 * 60) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".open: '", w.open(), "' is not HH:MM"));
    }
    if (!close) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".close: '", w.close(), "' is not HH:MM"));
    }
    if (*close <= *open) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".close: ", w.close(),
                                                     " must be after open ", w.open()));
    }
    out.windows.push_back({w.day_of_week(), *open, *close});
  }
  std::sort(out.windows.begin(), out.windows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.day_of_week, a.open_minute) < std::tie(b.day_of_week, b.open_minute);
  });
  for (size_t i = 1; i < out.windows.size(); ++i) {
    const auto& prev = out.windows[i - 1];
    const auto& cur = out.windows[i];
    if (prev.day_of_week == cur.day_of_week && cur.open_minute < prev.close_minute) {
      return absl::InvalidArgumentError(absl::StrCat(
          "business_hours.windows: two windows overlap on day ", cur.day_of_week));
    }
  }
  return out;
}

namespace {

// Calls visit(open, close) for each window that closes after `from`, in time order, until it
// returns false. Windows are sorted by day and opening and end by local midnight
// (ParseBusinessHours), so no window of an earlier day can still be open at `from`. A week holds
// at least one window; the bound guards a malformed one.
template <typename Visit>
void VisitWindowsFrom(absl::Time from, const WeeklyHours& hours, Visit visit) {
  absl::CivilDay day = absl::ToCivilDay(from, hours.zone);
  for (int guard = 0; guard < 3660; ++guard, ++day) {
    const int weekday = IsoWeekday(day);
    for (const auto& w : hours.windows) {
      if (w.day_of_week != weekday) continue;
      const absl::Time close = LocalInstant(day, w.close_minute, hours.zone);
      if (close <= from) continue;
      if (!visit(LocalInstant(day, w.open_minute, hours.zone), close)) return;
    }
  }
}

}  // namespace

absl::Time AddBusinessTime(absl::Time start, absl::Duration amount, const WeeklyHours& hours) {
  if (hours.windows.empty()) return start + amount;
  absl::Duration left = amount;
  absl::Time cursor = start;
  std::optional<absl::Time> done;
  VisitWindowsFrom(start, hours, [&](absl::Time open, absl::Time close) {
    const absl::Time from = std::max(open, cursor);
    if (from + left <= close) {
      done = from + left;
      return false;
    }
    left -= close - from;
    cursor = close;
    return true;
  });
  return done.value_or(cursor + left);
}

std::optional<absl::Time> NextOpening(absl::Time t, const WeeklyHours& hours) {
  std::optional<absl::Time> opening;
  VisitWindowsFrom(t, hours, [&](absl::Time open, absl::Time) {
    // The first window that has not closed: open now (none to wait for), or opening later.
    if (open > t) opening = open;
    return false;
  });
  return opening;
}

bool CountsBusinessHours(v1::Channel channel) { return channel != v1::MARKETPLACE_MESSAGE; }

ReplyClock StartReplyClock(absl::Time received_at, v1::Channel channel, v1::Category category,
                           v1::Buyer::Tier tier, const std::optional<WeeklyHours>& hours,
                           const SlaTargets& targets) {
  absl::Duration target = targets.first_reply;
  std::string policy = PolicyName("first_reply", targets.first_reply);
  if (category == v1::RETURN_REQUEST) {
    target = targets.return_request;
    policy = PolicyName("return_request", targets.return_request);
  }
  if (tier == v1::Buyer::VIP && targets.vip < target) {
    target = targets.vip;
    policy = PolicyName("vip", targets.vip);
  }
  ReplyClock clock;
  clock.policy = std::move(policy);
  clock.business_hours =
      CountsBusinessHours(channel) && hours.has_value() && !hours->windows.empty();
  clock.due_at = clock.business_hours ? AddBusinessTime(received_at, target, *hours)
                                      : received_at + target;
  return clock;
}

}  // namespace aftersales::tickets
