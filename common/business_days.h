#pragma once

// Deadlines counted in business days, shared by every service that has one: returns' refund
// "within 2 business days" of receipt, eBay's 3 business days to answer a money-back request.

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace aftersales {

// A marketplace site's working calendar: Saturday and Sunday off, and the holidays its admins
// keep, in the site's zone.
struct BusinessCalendar {
  absl::TimeZone zone;
  std::vector<absl::CivilDay> holidays;
};

bool IsBusinessDay(absl::CivilDay day, const BusinessCalendar& calendar);

// The end (local midnight) of the `days`-th business day after the local day of `from`: a
// request on Friday with 2 days is due at the end of Tuesday, or of Wednesday when Monday is a
// holiday.
absl::Time BusinessDaysAfter(absl::Time from, int days, const BusinessCalendar& calendar);

// The IANA zone whose calendar a marketplace site counts days on when the buyer's own is
// unknown: the westmost of a site that spans zones; Etc/GMT+12 (the last day to end) for none.
absl::string_view SiteTimeZone(absl::string_view site);

// Whether every site's zone loads. A missing one would silently count a site's deadlines in
// UTC (LoadTimeZone falls back to it), so the services that count them refuse to start instead.
absl::Status CheckSiteTimeZones();

}  // namespace aftersales
