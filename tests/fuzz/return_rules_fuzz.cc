// libFuzzer target over the return rules: any case a store's policy and a buyer's request can
// make. The bytes pick a site's default policy and change its figures within the ranges
// ValidateReturnPolicy states, then a request; what validation refuses is skipped. The policy is
// converted to the request's currency as the desk does, then every decision, and the receipt
// that settles it, must keep the promises return_rules.h makes for all cases: amounts never
// negative and in the policy's currency; a refusal has its reason among the fired rules and
// nothing else; an accepted return has a disposition, a label only with a payer; the refund is
// what the buyer paid less the fee and a label they pay, never more; on receipt, refund and fee
// add up to the quote's.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/returns/return_policy.h"
#include "services/returns/return_rules.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {
namespace {

constexpr int64_t kDaySeconds = 86'400;

// Known sites (their defaults), no site, and one without defaults of its own.
constexpr auto kSites = std::to_array<absl::string_view>(
    {"",   "US", "CA", "MX", "BR", "UK", "JP", "AU", "SG", "AE", "SA", "IN",
     "TR", "DE", "FR", "IT", "ES", "NL", "BE", "IE", "AT", "SE", "PL", "CH"});
constexpr auto kCountries = std::to_array<absl::string_view>(
    {"US", "GB", "DE", "FR", "CN", "JP", "PL", "IE", "CA", "AU", "NO", "CH", "SE", "MX"});
// Two, zero and three decimals.
constexpr auto kCurrencies =
    std::to_array<absl::string_view>({"USD", "EUR", "GBP", "JPY", "SEK", "KWD", "CAD", "PLN"});
// The site's zone (empty), and zones far from it on either side of UTC.
constexpr auto kZones = std::to_array<absl::string_view>(
    {"", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Pacific/Kiritimati",
     "Pacific/Pago_Pago", "UTC", "Australia/Lord_Howe"});

void Expect(bool holds, const char* promise) {
  if (holds) return;
  std::fprintf(stderr, "return rules fuzz: broken: %s\n", promise);
  std::abort();
}

template <typename T, size_t N>
T Pick(FuzzedDataProvider& in, const std::array<T, N>& options) {
  return options[in.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

template <typename E>
E PickEnum(FuzzedDataProvider& in, int count) {
  return static_cast<E>(in.ConsumeIntegralInRange<int>(0, count - 1));
}

// Everyday sums half the time, else anything validation lets through.
int64_t Amount(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(0, 1'000'00)
                          : in.ConsumeIntegralInRange<int64_t>(0, kMaxAmountMinor);
}

std::vector<std::string> Countries(FuzzedDataProvider& in) {
  std::vector<std::string> picked;
  for (absl::string_view c : kCountries) {
    if (in.ConsumeBool()) picked.emplace_back(c);
  }
  return picked;
}

// A rate as an admin types it ("0.92"), else any rate in range.
int64_t Rate(FuzzedDataProvider& in) {
  const std::string text = in.ConsumeRandomLengthString(12);
  if (absl::StatusOr<int64_t> typed = ParseRateMicros("rate", text); typed.ok()) {
    // What is shown back must read as the same rate.
    absl::StatusOr<int64_t> again = ParseRateMicros("rate", FormatRateMicros(*typed));
    Expect(again.ok() && *again == *typed, "FormatRateMicros reads back as the same rate");
    return *typed;
  }
  return in.ConsumeIntegralInRange<int64_t>(1, 1'000'000'000'000);
}

void ChangeCategoryRules(FuzzedDataProvider& in, ReturnPolicy& p) {
  for (CategoryRule& rule : p.category_rules) {
    if (!in.ConsumeBool()) continue;
    rule.returns_accepted = in.ConsumeBool();
    rule.window_days = in.ConsumeIntegralInRange(0, 365);
    rule.worst_accepted_condition = PickEnum<ItemCondition>(in, 4);
    rule.ship_back = in.ConsumeBool();
  }
  const auto category = PickEnum<ProductCategory>(in, 15);
  const bool listed = std::any_of(p.category_rules.begin(), p.category_rules.end(),
                                  [&](const CategoryRule& r) { return r.category == category; });
  if (!listed && in.ConsumeBool()) {
    p.category_rules.push_back({category, in.ConsumeBool(), in.ConsumeIntegralInRange(0, 365),
                                PickEnum<ItemCondition>(in, 4), in.ConsumeBool()});
  }
  if (in.ConsumeBool()) p.eu_non_withdrawable.clear();
}

void AddCarrierRates(FuzzedDataProvider& in, ReturnPolicy& p) {
  const int routes = in.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < routes; ++i) {
    CarrierRate rate{std::string(Pick(in, kCountries)), std::string(Pick(in, kCountries)), {}};
    int64_t grams = 0;
    const int brackets = in.ConsumeIntegralInRange(1, 4);
    for (int b = 0; b < brackets; ++b) {
      grams += in.ConsumeIntegralInRange<int64_t>(1, 20'000);
      rate.brackets.push_back({grams, Money{Amount(in), p.currency_code}});
    }
    p.carrier_rates.push_back(std::move(rate));
  }
}

ReturnPolicy FuzzedPolicy(FuzzedDataProvider& in) {
  ReturnPolicy p =
      DefaultReturnPolicy(PickEnum<Marketplace>(in, 4), Pick(in, kSites), Pick(in, kCurrencies));
  // The defaults as they are, now and then.
  if (in.ConsumeIntegralInRange(0, 3) == 0) return p;
  p.return_window_days = in.ConsumeIntegralInRange(1, 365);
  p.seller_fault_window_days = in.ConsumeIntegralInRange(1, 730);
  p.eu_withdrawal_rights = in.ConsumeBool();
  p.eu_withdrawal_days = in.ConsumeIntegralInRange(14, 365);
  p.eu_refund_within_days = in.ConsumeIntegralInRange(1, 14);
  p.eu_buyer_told_return_cost = in.ConsumeBool();
  p.eu_seller_pays_return_cost = in.ConsumeBool();
  ChangeCategoryRules(in, p);
  p.insured_label_threshold.amount_minor = Amount(in);
  p.low_value_threshold.amount_minor = Amount(in);
  p.amazon_returnless_threshold.amount_minor = Amount(in);
  for (int* percent :
       {&p.restocking_fee_percent.unopened, &p.restocking_fee_percent.opened_unused,
        &p.restocking_fee_percent.used, &p.restocking_fee_percent.damaged,
        &p.restocking_fee_percent.late_original_condition, &p.damaged_on_arrival_refund_percent}) {
    *percent = in.ConsumeIntegralInRange(0, 100);
  }
  p.charge_restocking_fee_by_default = in.ConsumeBool();
  p.accept_late_returns = in.ConsumeBool();
  p.late_return_days = in.ConsumeIntegralInRange(1, 365);
  p.local_return_countries = Countries(in);
  p.warehouse_countries = Countries(in);
  p.origin_country = std::string(Pick(in, kCountries));
  AddCarrierRates(in, p);
  p.free_returns = in.ConsumeBool();
  p.deduct_buyer_label_from_refund = in.ConsumeBool();
  p.respond_within = absl::Seconds(in.ConsumeIntegralInRange<int64_t>(1, 30 * kDaySeconds));
  p.refund_after_receipt_business_days = in.ConsumeIntegralInRange(0, 30);
  const int currencies = in.ConsumeIntegralInRange(0, 2);
  for (int i = 0; i < currencies; ++i) {
    p.quote_currencies.push_back({std::string(Pick(in, kCurrencies)), Rate(in)});
  }
  return p;
}

ReturnRequest FuzzedRequest(FuzzedDataProvider& in, const ReturnPolicy& p) {
  ReturnRequest r;
  r.store_id = "store-1";
  r.marketplace = p.marketplace;
  r.site = p.site;
  r.order_id = "111-2222222-3333333";
  r.buyer_country = std::string(Pick(in, kCountries));
  r.fulfillment = PickEnum<Fulfillment>(in, 2);
  r.category = PickEnum<ProductCategory>(in, 15);
  r.reason = PickEnum<ReturnReason>(in, 8);
  r.condition = PickEnum<ItemCondition>(in, 4);
  // The policy's currency, one it quotes in, or one it does not know.
  std::string currency = p.currency_code;
  if (!in.ConsumeBool()) {
    currency = !p.quote_currencies.empty() && in.ConsumeBool()
                   ? p.quote_currencies[in.ConsumeIntegralInRange<size_t>(
                                            0, p.quote_currencies.size() - 1)]
                         .currency_code
                   : std::string(Pick(in, kCurrencies));
  }
  r.item_price = Money{Amount(in), currency};
  r.item_cost = Money{Amount(in), currency};
  r.quantity = in.ConsumeBool() ? 1 : in.ConsumeIntegralInRange<int64_t>(1, 10'000);
  if (in.ConsumeBool()) r.outbound_shipping = Money{Amount(in), currency};
  r.weight_grams =
      NotShipped(r.category) && in.ConsumeBool()
          ? 0
          : in.ConsumeIntegralInRange<int64_t>(1, in.ConsumeBool() ? 30'000 : 1'000'000);
  const absl::Time y2000 = absl::FromUnixSeconds(946'684'800);
  r.delivered_at =
      y2000 + absl::Seconds(in.ConsumeIntegralInRange<int64_t>(0, 60 * 365 * kDaySeconds));
  if (in.ConsumeBool()) {
    r.ordered_at =
        r.delivered_at - absl::Seconds(in.ConsumeIntegralInRange<int64_t>(0, 90 * kDaySeconds));
  }
  r.requested_at =
      r.delivered_at + absl::Seconds(in.ConsumeIntegralInRange<int64_t>(0, 800 * kDaySeconds));
  r.buyer_time_zone = std::string(Pick(in, kZones));
  if (in.ConsumeIntegralInRange(0, 3) == 0) r.goodwill_reason = "Loyal buyer since 2019";
  return r;
}

bool IsSellerFault(ReturnReason reason) {
  return reason == ReturnReason::kDefective || reason == ReturnReason::kNotAsDescribed ||
         reason == ReturnReason::kWrongItem || reason == ReturnReason::kMissingParts ||
         reason == ReturnReason::kDamagedInTransit;
}

void CheckDecision(const ReturnRequest& r, const ReturnPolicy& p, const ReturnShippingDecision& d) {
  Expect(!d.fired_rules.empty(), "every decision lists the rules that shaped it");
  for (const FiredRule& rule : d.fired_rules) {
    Expect(!rule.id.empty() && !rule.sentence.empty(), "a fired rule has an id and a sentence");
  }
  for (const Money* m : {&d.label_cost, &d.restocking_fee, &d.refund_amount}) {
    Expect(m->currency_code == p.currency_code, "amounts are in the policy's currency");
    Expect(m->amount_minor >= 0, "amounts are never negative");
  }
  Expect(d.respond_by == r.requested_at + p.respond_within,
         "respond_by is requested_at + respond_within");
  Expect(!d.refund_due_by || *d.refund_due_by >= r.requested_at,
         "a refund is not due before it was asked for");
  const bool no_money = d.label_cost.amount_minor == 0 && d.restocking_fee.amount_minor == 0 &&
                        d.refund_amount.amount_minor == 0;
  const bool no_shipping = d.return_shipping_payer == Payer::kNone && d.label == LabelType::kNone;
  if (!d.eligible) {
    Expect(!d.ineligible_reason.empty(), "a refusal says why");
    Expect(d.fired_rules.back().sentence == d.ineligible_reason,
           "a refusal's reason is the sentence of the rule that refused it");
    Expect(r.goodwill_reason.empty(), "goodwill accepts what a rule would refuse");
    Expect(no_shipping && no_money && !d.disposition && !d.refund_due_by && !d.platform_handles,
           "a refusal has no payer, label, money or disposition");
    return;
  }
  Expect(d.ineligible_reason.empty(), "an accepted return has no refusal reason");
  if (d.platform_handles) {
    Expect(no_shipping && no_money && !d.disposition,
           "the platform's return has no payer, label, money or disposition");
    return;
  }
  Expect(d.disposition.has_value(), "an accepted return has a disposition");
  Expect((d.label == LabelType::kNone) == (d.return_shipping_payer == Payer::kNone),
         "a label has a payer, and a payer a label");
  Expect(d.label != LabelType::kNone || d.label_cost.amount_minor == 0, "no label, no label cost");

  const int64_t line = r.item_price.amount_minor * r.quantity;
  const int64_t outbound =
      r.outbound_shipping.currency_code == p.currency_code ? r.outbound_shipping.amount_minor : 0;
  const int64_t fee = d.restocking_fee.amount_minor;
  const int64_t refund = d.refund_amount.amount_minor;
  Expect(fee <= line, "the restocking fee is at most the line's price");
  Expect(!IsSellerFault(r.reason) || fee == 0, "no restocking fee on the seller's fault");
  Expect(refund <= line + outbound, "the refund is at most what the buyer paid");
  switch (*d.disposition) {
    case Disposition::kReturnlessRefund:
    case Disposition::kAbandonAndRefund:
    case Disposition::kPartialRefundKeep:
      Expect(no_shipping && fee == 0, "nothing travels back: no label, no restocking fee");
      Expect(d.refund_due_by == d.respond_by, "nothing travels back: refunded with the answer");
      break;
    case Disposition::kReplaceAndReturn:
      Expect(refund == 0 && d.return_shipping_payer == Payer::kSeller,
             "a replacement refunds nothing and the seller pays the way back");
      break;
    case Disposition::kReturnToLocalAddress:
    case Disposition::kReturnToWarehouse:
    case Disposition::kReturnToOrigin: {
      Expect(!no_shipping, "an item that travels back has a label and a payer");
      const int64_t deducted =
          d.return_shipping_payer == Payer::kBuyer && d.label != LabelType::kBuyerArranged
              ? d.label_cost.amount_minor
              : 0;
      Expect(refund == std::max<int64_t>(0, line - fee - deducted) ||
                 refund == std::max<int64_t>(0, line + outbound - fee - deducted),
             "the refund is what the buyer paid less the fee and a label they pay");
      break;
    }
  }
}

// The item arrives in any condition and the agent says anything of the fee.
void CheckReceipt(FuzzedDataProvider& in, const ReturnRequest& r, const ReturnPolicy& p,
                  const ReturnShippingDecision& d) {
  if (!d.eligible || d.platform_handles || d.label == LabelType::kNone) return;
  ReceiptCase receipt;
  receipt.quoted = &r;
  receipt.quoted_refund = d.refund_amount;
  receipt.quoted_fee = d.restocking_fee;
  receipt.quoted_fee_percents = p.restocking_fee_percent;
  receipt.found = PickEnum<ItemCondition>(in, 4);
  receipt.choice = PickEnum<FeeChoice>(in, 3);
  receipt.charge_by_default = p.charge_restocking_fee_by_default;
  const ReceiptDecision settled = DecideOnReceipt(receipt);
  Expect(!settled.fired_rules.empty(), "a receipt lists the rules that settled it");
  Expect(settled.fee.currency_code == p.currency_code &&
             settled.refund_due.currency_code == p.currency_code,
         "receipt amounts are in the quote's currency");
  Expect(settled.fee.amount_minor >= 0 && settled.refund_due.amount_minor >= 0,
         "receipt amounts are never negative");
  Expect(settled.fee.amount_minor + settled.refund_due.amount_minor ==
             d.refund_amount.amount_minor + d.restocking_fee.amount_minor,
         "the fee kept and the refund add up to the quote's refund and fee");
  Expect(!IsSellerFault(r.reason) || settled.fee.amount_minor == 0,
         "no fee is kept on the seller's fault");
  Expect(receipt.choice != FeeChoice::kWaive || settled.fee.amount_minor == 0,
         "a waived fee is not kept");
}

int DecideFuzzedCase(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const ReturnPolicy stored = FuzzedPolicy(in);
  if (!ValidateReturnPolicy(stored).ok()) return 0;
  const ReturnRequest request = FuzzedRequest(in, stored);
  absl::StatusOr<ReturnPolicy> policy = PolicyInCurrency(stored, request.item_price.currency_code);
  if (!policy.ok()) return 0;
  Expect(ValidateReturnPolicy(*policy).ok(),
         "a valid policy converted to a quote currency is valid");
  const absl::StatusOr<ReturnShippingDecision> decision = QuoteReturnShipping(request, *policy);
  if (!decision.ok()) {
    Expect(decision.status().code() == absl::StatusCode::kInvalidArgument,
           "a request the rules cannot decide is INVALID_ARGUMENT");
    return 0;
  }
  CheckDecision(request, *policy, *decision);
  CheckReceipt(in, request, *policy, *decision);
  return 0;
}

}  // namespace
}  // namespace aftersales::returns

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return aftersales::returns::DecideFuzzedCase(data, size);
}
