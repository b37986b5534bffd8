#pragma once

// Who pays a return's shipping, which label, what it costs, what the buyer gets back and what
// happens to the item: DOMAIN.md "Returns: who pays and what happens to the item", as a pure
// function of a request and the store's policy. Every decision lists the rules that shaped it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/returns/return_policy.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {

// Stable ids of the rules a ReturnShippingDecision can fire.
namespace rule_id {
// Eligibility.
inline constexpr absl::string_view kPlatformFulfilled = "platform_fulfilled";
inline constexpr absl::string_view kCategoryExcluded = "category_excluded";
inline constexpr absl::string_view kCategoryConditionNotAccepted =
    "category_condition_not_accepted";
inline constexpr absl::string_view kEuNotWithdrawable = "eu_not_withdrawable";
inline constexpr absl::string_view kOutsideWindow = "outside_window";
inline constexpr absl::string_view kWithinWindow = "within_window";
inline constexpr absl::string_view kCategoryOwnWindow = "category_own_window";
inline constexpr absl::string_view kEuWithdrawal14Days = "eu_withdrawal_14_days";
inline constexpr absl::string_view kEuWithdrawalOverridesStoreRule =
    "eu_withdrawal_overrides_store_rule";
inline constexpr absl::string_view kLateReturnAccepted = "late_return_accepted";
// Who pays.
inline constexpr absl::string_view kSellerFaultPrepaidLabel = "seller_fault_prepaid_label";
inline constexpr absl::string_view kBuyerRemorseLocalBuyerPays = "buyer_remorse_local_buyer_pays";
inline constexpr absl::string_view kBuyerRemorseToChinaSellerPays =
    "buyer_remorse_to_china_seller_pays";
inline constexpr absl::string_view kFreeReturnsSellerPays = "free_returns_seller_pays";
inline constexpr absl::string_view kEuBuyerPaysDirectCost = "eu_buyer_pays_direct_cost";
inline constexpr absl::string_view kEuSellerAgreedToPay = "eu_seller_agreed_to_pay";
inline constexpr absl::string_view kEuReturnCostNotDisclosed = "eu_return_cost_not_disclosed";
inline constexpr absl::string_view kNoLocalReturnAddress = "no_local_return_address";
// Label.
inline constexpr absl::string_view kInsuredLabelOverThreshold = "insured_label_over_threshold";
inline constexpr absl::string_view kBuyerArrangesReturn = "buyer_arranges_return";
inline constexpr absl::string_view kNoCarrierRate = "no_carrier_rate";
// Fees.
inline constexpr absl::string_view kSellerFaultNoRestockingFee = "seller_fault_no_restocking_fee";
inline constexpr absl::string_view kRestockingFeeUsed = "restocking_fee_used";
inline constexpr absl::string_view kRestockingFeeDamaged = "restocking_fee_damaged";
inline constexpr absl::string_view kLateReturnRestockingFee = "late_return_restocking_fee";
// What happens to the item.
inline constexpr absl::string_view kReturnToLocalAddress = "return_to_local_address";
inline constexpr absl::string_view kReturnToWarehouse = "return_to_warehouse";
inline constexpr absl::string_view kReturnToOrigin = "return_to_origin";
inline constexpr absl::string_view kAmazonReturnlessLowValue = "amazon_returnless_low_value";
inline constexpr absl::string_view kReturnlessLowValue = "returnless_low_value";
inline constexpr absl::string_view kReturnlessCostExceedsValue = "returnless_cost_exceeds_value";
inline constexpr absl::string_view kDefectiveAbandonAndRefund = "defective_abandon_and_refund";
inline constexpr absl::string_view kDestroyedAbandonAndRefund = "destroyed_abandon_and_refund";
inline constexpr absl::string_view kNotShippedBackAbandon = "not_shipped_back_abandon";
inline constexpr absl::string_view kNothingToShipBack = "nothing_to_ship_back";
inline constexpr absl::string_view kDamagedOnArrivalPartialRefund =
    "damaged_on_arrival_partial_refund";
inline constexpr absl::string_view kDamagedOnArrivalReplace = "damaged_on_arrival_replace";
inline constexpr absl::string_view kCarrierClaim = "carrier_claim";
// Refund.
inline constexpr absl::string_view kRefundAfterReceipt = "refund_after_receipt";
// A supervisor's goodwill overrode a refusal.
inline constexpr absl::string_view kGoodwillAccepted = "goodwill_accepted";
// Receipt.
inline constexpr absl::string_view kQuoteHolds = "quote_holds";
// The policy's amounts were converted to the request's currency at the policy's rate.
inline constexpr absl::string_view kPolicyAmountsConverted = "policy_amounts_converted";
inline constexpr absl::string_view kConditionWorseThanClaimed = "condition_worse_than_claimed";
inline constexpr absl::string_view kRestockingFeeConfirmed = "restocking_fee_confirmed";
inline constexpr absl::string_view kRestockingFeeWaived = "restocking_fee_waived";
inline constexpr absl::string_view kEuRefundWithin14Days = "eu_refund_within_14_days";
}  // namespace rule_id

// A buyer's return request as the API carries it (field names are the proto's).
struct ReturnRequest {
  std::string store_id;
  // order: OrderRef{marketplace, site, order_id}.
  Marketplace marketplace = Marketplace::kAmazon;
  std::string site;
  std::string order_id;
  std::string buyer_country;  // ISO 3166-1 alpha-2 ("GB" for the UK)
  Fulfillment fulfillment = Fulfillment::kMerchant;
  ProductCategory category = ProductCategory::kGeneral;
  Money item_price;  // per unit, what the buyer paid
  Money item_cost;   // per unit, what the item is worth to the seller (landed cost)
  int64_t quantity = 1;
  // What the buyer paid for standard outbound delivery; {0, ""} for free shipping. Refunded on
  // seller-fault returns and on EU withdrawals. 
  Money outbound_shipping;
  std::optional<absl::Time> ordered_at;
  absl::Time delivered_at;
  absl::Time requested_at;
  ReturnReason reason = ReturnReason::kDefective;
  ItemCondition condition = ItemCondition::kUnopened;
  // The whole return parcel (all units), what the rate table is read with. 0 for goods that
  // are not shipped (digital, gift cards): nothing travels back.
  int64_t weight_grams = 0;
  // IANA zone of the buyer, whose calendar the windows' days are; the site's when empty.
  std::string buyer_time_zone;
  // Set when a supervisor accepts the return as goodwill (the reason): a rule that would refuse
  // it is recorded (goodwill_accepted, with the reason) and the decision goes on.
  std::string goodwill_reason;
};

// Goods with no parcel (digital, gift cards): no weight, no label, nothing travels back.
bool NotShipped(ProductCategory category);

struct ReturnShippingDecision {
  // false: no return is accepted; ineligible_reason says why (the sentence of the rule that
  // refused it), and payer, label and money are NONE / zero, disposition empty.
  bool eligible = false;
  std::string ineligible_reason;
  // Who pays the return shipping.
  Payer return_shipping_payer = Payer::kNone;
  LabelType label = LabelType::kNone;
  // The return label from the rate table (an estimate for a buyer-arranged return); zero when
  // nothing travels back or the route has no rate (then no_carrier_rate fired).
  Money label_cost;
  Money restocking_fee;
  // What the buyer gets back: price x quantity (+ outbound shipping where the rules say) minus
  // the restocking fee and a buyer-paid label deducted from it; never below zero.
  Money refund_amount;
  // Empty when ineligible or when the platform handles the return.
  std::optional<Disposition> disposition;
  // The seller answers by then: requested_at + policy.respond_within.
  absl::Time respond_by;
  // Latest refund time where it is known now: respond_by when nothing travels back (refund with
  // the answer); the EU statutory deadline on a withdrawal; empty when the refund waits for the
  // item (refund_after_receipt says within how many business days of receipt).
  std::optional<absl::Time> refund_due_by;
  // Fulfilled by the platform (FBA): the platform handles the return; payer and label NONE,
  // money zero, no disposition.
  bool platform_handles = false;
  std::vector<FiredRule> fired_rules;

  bool Fired(absl::string_view id) const;
};

// OK, or INVALID_ARGUMENT naming the field (proto names: store_id, order.marketplace, order.site,
// order.order_id, buyer_country, fulfillment, category, item_price, item_cost, quantity,
// outbound_shipping, ordered_at, delivered_at, requested_at, reason, condition, weight_grams):
// missing or unknown values, negative money, price and cost in different currencies, quantity
// outside 1..10000, weight outside 1..1000000 g, a bad country, delivered before ordered,
// requested before delivered. A time before 2000-01-01 counts as missing.
absl::Status ValidateReturnRequest(const ReturnRequest& request);

// The decision for a valid request (ValidateReturnRequest OK) under a valid policy
// (ValidateReturnPolicy OK) in the same currency; QuoteReturnShipping checks all three. Outside
// the window or in an excluded category is a decision (eligible = false), not an error.
//
// Rules, in order:
// 1. Fulfilled by the platform: the platform handles it (platform_fulfilled).
// 2. Seller fault (defective, not as described, wrong item, missing parts, damaged in transit):
//    accepted for seller_fault_window_days; no restocking fee; outbound shipping refunded.
//    Defective, or damaged (destroyed) on a reason other than transit damage, or a category that
//    is not shipped back: abandon and refund in full. Damaged in transit: the cheaper of a
//    partial refund (damaged_on_arrival_refund_percent) with the buyer keeping the item, and a
//    replacement (item cost + freight from the nearest stock) plus the broken one coming back;
//    the carrier is claimed against. Otherwise the item travels back on the seller's prepaid
//    label.
// 3. Buyer remorse (no longer needed, ordered by mistake, better price): refused for an excluded
//    category, an EU non-withdrawable item, a condition worse than the category accepts, or
//    outside the window (category window or return_window_days, and at least the EU withdrawal
//    days for EU sites and EU buyers); after the window an original-condition item is still
//    taken when the policy accepts late returns (late restocking fee). Back to a local address
//    or warehouse in the buyer's country: the buyer pays, deducted from the refund, except with
//    free returns, or an EU seller who agreed to pay or did not tell the buyer before the sale.
//    Back to the origin (China): the seller pays the international label. Restocking fee by
//    condition. EU: the refund includes outbound shipping and is due within 14 days.
// 4. Whenever the item would travel back: returnless refund, in this order, when Amazon refunds
//    on its own (Amazon, no local address, line at or below the Amazon threshold), when the line
//    is below the low-value threshold, or when the seller would pay a label costing more than
//    the item's cost; otherwise a local warehouse before a local address before the origin.
//    The label is insured when the line is above the insured threshold.
// Money: "line" is price x quantity. Fees round down and partial refunds up (the buyer's way).
ReturnShippingDecision DecideReturnShipping(const ReturnRequest& request,
                                            const ReturnPolicy& policy);

// What the agent says of a proposed restocking fee on receipt: the buyer accepted it (confirm),
// refused it (waive), or nothing (the policy's default).
enum class FeeChoice { kPolicyDefault, kConfirm, kWaive };

// What the item's arrival settles: the refund and the restocking fee kept.
struct ReceiptCase {
  // The return as it was quoted (its condition is the one the buyer claimed).
  const ReturnRequest* quoted = nullptr;
  // What the buyer was told: the refund, and the restocking fee proposed.
  Money quoted_refund;
  Money quoted_fee;
  // The fee table of the policy the quote used.
  RestockingFeePercents quoted_fee_percents;
  ItemCondition found = ItemCondition::kUnopened;
  // What the agent said of the fee, and the policy's answer when they said nothing.
  FeeChoice choice = FeeChoice::kPolicyDefault;
  bool charge_by_default = false;
};
struct ReceiptDecision {
  Money refund_due;
  Money fee;
  std::vector<FiredRule> fired_rules;
};

// The quote holds: receipt never re-decides under a policy that changed since. The refund is
// the quoted one with the fee added back, less the fee kept:
// - the fee kept is the proposed one, or, when the item arrived worse than claimed, the fee that
//   condition carries under the quote's own fee table (condition_worse_than_claimed), never
//   more; none on a seller-fault return;
// - a fee is asked, not taken: waived (the agent's WAIVE, or the policy's default when they
//   said nothing), the seller bears it.
ReceiptDecision DecideOnReceipt(const ReceiptCase& receipt);

// ValidateReturnRequest, then the request against the policy (order.marketplace, order.site and
// item_price's currency must match it), then DecideReturnShipping. The handler's one call; the
// policy is assumed validated when it was stored.
absl::StatusOr<ReturnShippingDecision> QuoteReturnShipping(const ReturnRequest& request,
                                                           const ReturnPolicy& policy);

}  // namespace aftersales::returns
