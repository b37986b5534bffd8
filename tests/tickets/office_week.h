#pragma once

#include <gtest/gtest.h>

#include <string>

#include "services/tickets/sla_clock.h"

namespace aftersales::tickets::testing {

// Monday to Friday 09:00-18:00 in `zone`: the team week the clock tests count on.
inline WeeklyHours OfficeWeek(const std::string& zone) {
  v1::BusinessHours hours;
  hours.set_time_zone(zone);
  for (int day = 1; day <= 5; ++day) {
    auto* w = hours.add_windows();
    w->set_day_of_week(day);
    w->set_open("09:00");
    w->set_close("18:00");
  }
  absl::StatusOr<WeeklyHours> parsed = ParseBusinessHours(hours);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return *parsed;
}

}  // namespace aftersales::tickets::testing
