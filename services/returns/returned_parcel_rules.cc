#include "services/returns/returned_parcel_rules.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace aftersales::returns {
namespace {

void Fire(ReturnedParcelDecision& d, absl::string_view id, std::string sentence) {
  d.fired_rules.push_back(FiredRule{id, std::move(sentence)});
}

}  // namespace

absl::string_view EnumName(ParcelRefund value) {
  switch (value) {
    case ParcelRefund::kRefundFull:
      return "REFUND_FULL";
    case ParcelRefund::kRefundWithoutShipping:
      return "REFUND_WITHOUT_SHIPPING";
    case ParcelRefund::kNoRefund:
      return "NO_REFUND";
  }
  return "UNKNOWN";
}

absl::Status ValidateReturnedParcelCase(const ReturnedParcelCase& parcel) {
  const ReturnedParcelCase& c = parcel;
  if (absl::Status s = ValidateMoney("item_total", c.item_total); !s.ok()) return s;
  if (c.outbound_shipping.amount_minor == 0 && c.outbound_shipping.currency_code.empty()) {
    return absl::OkStatus();
  }
  if (absl::Status s = ValidateMoney("outbound_shipping", c.outbound_shipping); !s.ok()) return s;
  if (c.outbound_shipping.currency_code != c.item_total.currency_code) {
    return absl::InvalidArgumentError(
        absl::StrCat("outbound_shipping: currency ", c.outbound_shipping.currency_code,
                     " differs from item_total's ", c.item_total.currency_code));
  }
  return absl::OkStatus();
}

ReturnedParcelDecision DecideReturnedParcel(const ReturnedParcelCase& parcel) {
  const ReturnedParcelCase& c = parcel;
  const std::string& currency = c.item_total.currency_code;
  const auto text = [&](int64_t amount) { return FormatMoney(Money{amount, currency}); };
  const int64_t shipping =
      c.outbound_shipping.currency_code == currency ? c.outbound_shipping.amount_minor : 0;
  const int64_t full = c.item_total.amount_minor + shipping;
  const bool buyer_caused = c.buyer_cause_shown_in_time && !c.seller_address_error;

  ReturnedParcelDecision d;
  d.refund_amount = Money{0, currency};
  if (c.seller_address_error) {
    d.outcome = ParcelRefund::kRefundFull;
    d.refund_amount.amount_minor = full;
    Fire(d, parcel_rule_id::kSellerAddressError,
         absl::StrCat("The seller wrote the wrong address: the buyer gets ", text(full),
                      " back in full and the seller gets no shipping compensation."));
  } else if (buyer_caused) {
    d.outcome = ParcelRefund::kRefundWithoutShipping;
    d.refund_amount.amount_minor = c.item_total.amount_minor;
    d.shipping_compensation = true;
    Fire(d, parcel_rule_id::kBuyerCaused,
         absl::StrCat("The seller showed in time that the buyer caused the return: refund the "
                      "items (",
                      text(c.item_total.amount_minor), ") without the shipping (", text(shipping),
                      ")."));
  } else {
    d.outcome = ParcelRefund::kRefundFull;
    d.refund_amount.amount_minor = full;
    Fire(d, parcel_rule_id::kCauseNotShown,
         absl::StrCat("The seller has not shown within the deadline that the buyer caused the "
                      "return: refund ",
                      text(full), " in full."));
  }
  if (c.reship_requested) {
    d.outcome = ParcelRefund::kNoRefund;
    d.refund_amount.amount_minor = 0;
    Fire(d, parcel_rule_id::kReship,
         absl::StrCat("The buyer asked to have it sent again: no refund; the new postage is the ",
                      buyer_caused ? "buyer's." : "seller's."));
    return d;
  }
  d.refund_now = c.returned_before_export || d.outcome == ParcelRefund::kRefundFull;
  if (c.returned_before_export) {
    Fire(d, parcel_rule_id::kBeforeExportRefundNow,
         absl::StrCat("The parcel came back before leaving the country: refund ",
                      text(d.refund_amount.amount_minor), " now, without waiting for it."));
  }
  return d;
}

}  // namespace aftersales::returns
