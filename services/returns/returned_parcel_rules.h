#pragma once

// A parcel that came back to the seller undelivered: what the buyer gets back, and when.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {

namespace parcel_rule_id {
inline constexpr absl::string_view kSellerAddressError = "returned_parcel_seller_address_error";
inline constexpr absl::string_view kBuyerCaused = "returned_parcel_buyer_caused";
inline constexpr absl::string_view kCauseNotShown = "returned_parcel_cause_not_shown";
inline constexpr absl::string_view kReship = "returned_parcel_reship";
inline constexpr absl::string_view kBeforeExportRefundNow = "returned_before_export_refund_now";
}  // namespace parcel_rule_id

enum class ParcelRefund { kRefundFull, kRefundWithoutShipping, kNoRefund };

absl::string_view EnumName(ParcelRefund value);  // "REFUND_FULL", ...

struct ReturnedParcelCase {
  // The seller showed, within the platform's deadline, that the buyer caused the return
  // (refused the parcel, gave a wrong address, did not collect it). Evidence shown late counts
  // as not shown.
  bool buyer_cause_shown_in_time = false;
  // The seller wrote the wrong address on the parcel.
  bool seller_address_error = false;
  // The parcel came back before it left the origin country (never exported).
  bool returned_before_export = false;
  // The buyer asked for the parcel to be sent again instead of a refund.
  bool reship_requested = false;
  Money item_total;         // what the buyer paid for the items
  Money outbound_shipping;  // what the buyer paid for shipping; zero for free shipping
};

struct ReturnedParcelDecision {
  ParcelRefund outcome = ParcelRefund::kRefundFull;
  Money refund_amount;
  // Refund now, without waiting for the parcel to arrive back.
  bool refund_now = false;
  // The seller may recover the outbound shipping (the buyer caused the return); never when the
  // seller wrote the wrong address.
  bool shipping_compensation = false;
  std::vector<FiredRule> fired_rules;
};

// OK, or INVALID_ARGUMENT naming item_total or outbound_shipping: bad currency, negative,
// different currencies.
absl::Status ValidateReturnedParcelCase(const ReturnedParcelCase& parcel);

// For a valid case, in order:
// - the seller wrote the wrong address: the seller's fault, refund in full (items and
//   shipping), no shipping compensation;
// - the seller showed in time that the buyer caused it: refund the items without the shipping
//   (the seller keeps the shipping as its compensation);
// - otherwise (not shown, or shown late): refund in full.
// A reship instead of a refund: no refund; the new postage is the buyer's when the buyer caused
// it, else the seller's. The refund goes out at once (refund_now) when the parcel came back
// before leaving the country, and whenever the refund is in full (the seller's fault or nothing
// shown: there is nothing left to wait for); a refund without shipping waits for the parcel.
ReturnedParcelDecision DecideReturnedParcel(const ReturnedParcelCase& parcel);

}  // namespace aftersales::returns
