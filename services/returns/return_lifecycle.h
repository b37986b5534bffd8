#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "common/identity.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {

// The life of a return request, as pure functions over the resource:
//   REQUESTED -> AUTHORIZED -> LABEL_ISSUED -> IN_TRANSIT -> RECEIVED -> REFUNDED -> CLOSED
// with REJECTED (from REQUESTED or AUTHORIZED), RETURNLESS_REFUNDED (refunded when nothing
// travels back) and CLOSED (after a refund or a rejection, or on receipt of a replaced item with
// nothing to refund). Each function either changes the
// return, appends the event to its history and returns OK, or returns FAILED_PRECONDITION
// naming the state that forbids it and leaves the return as it was.

struct Actor {
  std::string principal;
  Role role = Role::kAgent;
  absl::Time now;
};

// Only an eligible return the seller handles (not the platform) is authorized.
absl::Status Authorize(v1::Return& ret, const Actor& actor, const std::string& note);
// From AUTHORIZED, when the decision has the seller's label (prepaid or insured) and the item
// travels back. cost: what the label cost; the decision's estimate when not given.
absl::Status IssueLabel(v1::Return& ret, const Actor& actor, const std::string& carrier,
                        const std::string& tracking_number, const Money& cost);
// From LABEL_ISSUED, or from AUTHORIZED when the buyer arranges the shipping.
absl::Status RecordTracking(v1::Return& ret, const Actor& actor, const std::string& carrier,
                            const std::string& tracking_number);
// From IN_TRANSIT or LABEL_ISSUED (a parcel can arrive with no scan): RECEIVED, with refund_due
// as settled on receipt. From REFUNDED, for a return refunded before it arrived: the condition is
// recorded as evidence, the refund made stands and refund_due is not read.
absl::Status MarkReceived(v1::Return& ret, const Actor& actor, ItemCondition condition,
                          const Money& refund_due, const std::string& note);
// RECEIVED, or IN_TRANSIT (refund early on proof of sending), -> REFUNDED; AUTHORIZED when
// nothing travels back (returnless, abandon, partial refund) -> RETURNLESS_REFUNDED.
// The amount must be in the order's currency and at most the price paid plus outbound shipping
// (INVALID_ARGUMENT); above the agent limit, or above the refund due under the rules, an agent
// gets PERMISSION_DENIED (a supervisor's larger refund is recorded as an override). The limit
// is per order: earlier_on_order_minor is what this actor refunded on the order's other returns.
absl::Status Refund(v1::Return& ret, const Actor& actor, const Money& amount,
                    const Money& agent_limit, const std::string& note,
                    int64_t earlier_on_order_minor = 0);
absl::Status Reject(v1::Return& ret, const Actor& actor, const std::string& reason);
// A supervisor's (or admin's) goodwill: a REQUESTED return the rules refused takes `decision`,
// made again with its refusals overridden, and its refund; the reason goes in the history.
// PERMISSION_DENIED for agents and automation; FAILED_PRECONDITION for a return already eligible
// or past REQUESTED.
absl::Status AcceptAsGoodwill(v1::Return& ret, const Actor& actor, const v1::ReturnDecision& decision,
                              const Money& refund_due, const std::string& reason);
// After a refund or a rejection; a received return with nothing to refund; and a return the
// platform handles (FBA), straight from REQUESTED.
absl::Status Close(v1::Return& ret, const Actor& actor);

// PERMISSION_DENIED when an agent refunds more than the limit on one order (this amount plus
// earlier_on_order_minor, what the agent refunded on the order before); supervisors, admins and
// automation have none.
absl::Status CheckRefundApproval(Role role, const Money& amount, const Money& agent_limit,
                                 int64_t earlier_on_order_minor = 0);

// True when the decision sends nothing back to the seller.
bool NothingTravelsBack(const v1::ReturnDecision& decision);

}  // namespace aftersales::returns
