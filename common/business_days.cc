#include "common/business_days.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace aftersales {

bool IsBusinessDay(absl::CivilDay day, const BusinessCalendar& calendar) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  if (weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday) return false;
  return std::find(calendar.holidays.begin(), calendar.holidays.end(), day) ==
         calendar.holidays.end();
}

absl::Time BusinessDaysAfter(absl::Time from, int days, const BusinessCalendar& calendar) {
  absl::CivilDay day = absl::ToCivilDay(from, calendar.zone);
  // A calendar with every day a holiday would never end: a year bounds the walk.
  for (int counted = 0, guard = 0; counted < days && guard < 366; ++guard) {
    ++day;
    if (IsBusinessDay(day, calendar)) ++counted;
  }
  return absl::FromCivil(day + 1, calendar.zone);
}

namespace {

struct SiteZone {
  absl::string_view site;
  absl::string_view zone;
};
// A site spanning zones counts its westmost, where a day ends last: no buyer loses hours of
// a window to the calendar of another coast.
constexpr SiteZone kSiteZones[] = {
    {"US", "Pacific/Honolulu"},     {"CA", "America/Vancouver"}, {"MX", "America/Tijuana"},
    {"BR", "America/Rio_Branco"},  {"UK", "Europe/London"},     {"IE", "Europe/Dublin"},
    {"DE", "Europe/Berlin"},       {"FR", "Europe/Paris"},      {"IT", "Europe/Rome"},
    {"ES", "Atlantic/Canary"},     {"NL", "Europe/Amsterdam"},  {"BE", "Europe/Brussels"},
    {"AT", "Europe/Vienna"},       {"SE", "Europe/Stockholm"},  {"PL", "Europe/Warsaw"},
    {"JP", "Asia/Tokyo"},          {"AU", "Australia/Perth"},   {"SG", "Asia/Singapore"},
    {"AE", "Asia/Dubai"},          {"SA", "Asia/Riyadh"},       {"IN", "Asia/Kolkata"},
    {"TR", "Europe/Istanbul"},
};
// No site (AliExpress, Shopify) or an unknown one: the last zone on Earth to end its day.
constexpr absl::string_view kNoSiteZone = "Etc/GMT+12";

}  // namespace

absl::string_view SiteTimeZone(absl::string_view site) {
  for (const SiteZone& z : kSiteZones) {
    if (z.site == site) return z.zone;
  }
  return kNoSiteZone;
}

absl::Status CheckSiteTimeZones() {
  std::vector<absl::string_view> missing;
  absl::TimeZone zone;
  for (const SiteZone& z : kSiteZones) {
    if (!absl::LoadTimeZone(std::string(z.zone), &zone)) missing.push_back(z.zone);
  }
  if (!absl::LoadTimeZone(std::string(kNoSiteZone), &zone)) missing.push_back(kNoSiteZone);
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the sites' time zones cannot be loaded (", absl::StrJoin(missing, ", "),
      "): deadlines would be counted in UTC. Install the time-zone data (Debian: tzdata, "
      "/usr/share/zoneinfo) or set TZDIR to where it is"));
}

}  // namespace aftersales
