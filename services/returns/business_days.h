#pragma once

// Deadlines counted in business days: DOMAIN.md's refund "within 2 business days" of receipt
// and Amazon stepping in when a request is left unanswered for 2 business days.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/business_days.h"
#include "aftersales/returns/v1/returns.pb.h"

namespace aftersales::returns {

using ::aftersales::BusinessCalendar;
using ::aftersales::BusinessDaysAfter;
using ::aftersales::IsBusinessDay;

// One deadline a return's state sets: "respond" while it waits for the seller's answer, "refund"
// once the item is in and until it is refunded.
struct ReturnDeadline {
  std::string kind;
  absl::Time due_at;
  bool met = false;
};

// The deadlines of `ret` as it stands: respond, 2 business days after the request, met once the
// seller answered (authorized, rejected, ...); refund, refund_days business days after the item
// was received, met once refunded or closed. None for a return the platform handles.
std::vector<ReturnDeadline> DeadlinesOf(const v1::Return& ret, const BusinessCalendar& calendar,
                                        int refund_days);

}  // namespace aftersales::returns
