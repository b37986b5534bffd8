#include "common/business_days.h"

#include <algorithm>

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

absl::string_view SiteTimeZone(absl::string_view site) {
  struct SiteZone {
    absl::string_view site;
    absl::string_view zone;
  };
  // A site spanning zones counts its westmost, where a day ends last: no buyer loses hours of
  // a window to the calendar of another coast.
  static constexpr SiteZone kZones[] = {
      {"US", "Pacific/Honolulu"},     {"CA", "America/Vancouver"}, {"MX", "America/Tijuana"},
      {"BR", "America/Rio_Branco"},  {"UK", "Europe/London"},     {"IE", "Europe/Dublin"},
      {"DE", "Europe/Berlin"},       {"FR", "Europe/Paris"},      {"IT", "Europe/Rome"},
      {"ES", "Atlantic/Canary"},     {"NL", "Europe/Amsterdam"},  {"BE", "Europe/Brussels"},
      {"AT", "Europe/Vienna"},       {"SE", "Europe/Stockholm"},  {"PL", "Europe/Warsaw"},
      {"JP", "Asia/Tokyo"},          {"AU", "Australia/Perth"},   {"SG", "Asia/Singapore"},
      {"AE", "Asia/Dubai"},          {"SA", "Asia/Riyadh"},       {"IN", "Asia/Kolkata"},
      {"TR", "Europe/Istanbul"},
  };
  for (const SiteZone& z : kZones) {
    if (z.site == site) return z.zone;
  }
  // No site (AliExpress, Shopify) or an unknown one: the last zone on Earth to end its day.
  return "Etc/GMT+12";
}

}  // namespace aftersales
