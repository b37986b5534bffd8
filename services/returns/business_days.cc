#include "services/returns/business_days.h"

#include "common/time_util.h"

namespace aftersales::returns {
namespace {

// Amazon steps in when a return request waits this long for the seller's answer.
constexpr int kRespondBusinessDays = 2;

}  // namespace

std::vector<ReturnDeadline> DeadlinesOf(const v1::Return& ret, const BusinessCalendar& calendar,
                                        int refund_days) {
  std::vector<ReturnDeadline> out;
  if (ret.decision().platform_handles()) return out;
  out.push_back({"respond",
                 BusinessDaysAfter(FromProtoTime(ret.return_case().requested_at()),
                                   kRespondBusinessDays, calendar),
                 ret.status() != v1::Return::REQUESTED});
  for (const v1::Return::Event& e : ret.history()) {
    if (e.action() != "markReceived") continue;
    out.push_back({"refund", BusinessDaysAfter(FromProtoTime(e.at()), refund_days, calendar),
                   ret.has_refunded() || ret.status() == v1::Return::CLOSED});
    break;
  }
  return out;
}

}  // namespace aftersales::returns
