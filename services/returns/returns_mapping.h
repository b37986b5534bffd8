#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "services/returns/cancellation_rules.h"
#include "services/returns/duty_rules.h"
#include "services/returns/order_refunds.h"
#include "services/returns/return_policy.h"
#include "services/returns/return_rules.h"
#include "services/returns/returned_parcel_rules.h"

namespace aftersales::returns {

// Between the API's messages and the rules' plain structs. Proto enum value v (v >= 1) is the
// domain value v - 1; UNSPECIFIED becomes a value IsKnown rejects, so validation names the field.

Money FromProto(const common::v1::Money& money);
common::v1::Money ToProto(const Money& money);

ReturnRequest FromProto(const v1::ReturnCase& c);
v1::ReturnDecision ToProto(const ReturnShippingDecision& decision);

// The tickets service's order as totals in `currency`, or INVALID_ARGUMENT saying why it cannot
// be read so (an item priced in another currency).
absl::StatusOr<OrderTotals> TotalsOf(const tickets::v1::Order& order, absl::string_view currency);
// What `principal` refunded on `returns` (but `except_return_id`) in `currency`: the agent
// approval limit counts it, per order.
int64_t RefundedBy(const std::vector<v1::Return>& returns, absl::string_view principal,
                   absl::string_view except_return_id, absl::string_view currency);
// The returns of an order in `currency` that still count against it, except
// `except_return_id`: each with what it refunded, and, with count_promises, what an open one
// promises (a new decision reserves against those; a refund counts only refunds made, so the
// first of two promises on one unit can be paid). One closed without a refund counts nothing.
// A partial refund kept, or a replacement, takes money, not a unit.
std::vector<EarlierReturn> EarlierReturnsOf(const std::vector<v1::Return>& returns,
                                            absl::string_view except_return_id,
                                            absl::string_view currency, bool count_promises);

// A policy as the API shows it; agent_refund_limit is kept beside the rules.
struct StoredPolicy {
  ReturnPolicy rules;
  Money agent_refund_limit;
  // 0 for the defaults; one more on every stored change.
  int64_t version = 0;
  // Set when the amounts above were converted (PolicyInStoredCurrency) from the policy as
  // stored: its currency and the rate used.
  std::string converted_from;
  int64_t conversion_rate_micros = 0;
};
// The policy with its amounts and agent limit in `currency` (PolicyInCurrency), or
// INVALID_ARGUMENT naming item_price when the policy does not quote in it. An empty currency
// keeps the policy's.
absl::StatusOr<StoredPolicy> PolicyInStoredCurrency(const StoredPolicy& policy,
                                                    absl::string_view currency);
// The fired rule that tells the agent a decision's amounts were converted, or none.
std::optional<FiredRule> ConversionRule(const StoredPolicy& policy);
RestockingFeePercents FromProto(const v1::ReturnPolicy::RestockingFeePercents& fees);
v1::ReturnPolicy::RestockingFeePercents ToProto(const RestockingFeePercents& fees);
StoredPolicy DefaultStoredPolicy(Marketplace marketplace, absl::string_view site,
                                 absl::string_view currency = "");
// Checks the rules (ValidateReturnPolicy) and the limit: INVALID_ARGUMENT naming the field.
absl::StatusOr<StoredPolicy> FromProto(const v1::ReturnPolicy& policy);
v1::ReturnPolicy ToProto(const StoredPolicy& policy);

DutyCase FromProto(const v1::DecideDutyRequest& request);
v1::DecideDutyResponse ToProto(const DutyDecision& decision);
ReturnedParcelCase FromProto(const v1::DecideReturnedParcelRequest& request);
v1::DecideReturnedParcelResponse ToProto(const ReturnedParcelDecision& decision);
CancellationCase FromProto(const v1::DecideCancellationRequest& request);
v1::DecideCancellationResponse ToProto(const CancellationDecision& decision);

}  // namespace aftersales::returns
