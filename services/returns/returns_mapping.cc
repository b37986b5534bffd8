#include "services/returns/returns_mapping.h"

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "google/protobuf/util/time_util.h"

namespace aftersales::returns {
namespace {

template <typename E>
E FromWire(int v) {
  return static_cast<E>(v - 1);
}
template <typename E>
int ToWire(E v) {
  return static_cast<int>(v) + 1;
}

// An unset proto time is the epoch; the rules treat anything before 2000 as unset.
absl::Time TimeOf(bool has, const google::protobuf::Timestamp& ts) {
  return has ? FromProtoTime(ts) : absl::UnixEpoch();
}

template <typename Repeated>
void SetRules(Repeated* out, const std::vector<FiredRule>& rules) {
  for (const FiredRule& rule : rules) {
    auto* r = out->Add();
    r->set_id(std::string(rule.id));
    r->set_explanation(rule.sentence);
  }
}

// Default agent approval limit: 50.00 in the site currency (7,500 in currencies without minor
// units, such as JPY, where 50 would be a few cents).
Money DefaultAgentLimit(const std::string& currency) {
  const int digits = MinorUnitDigits(currency);
  if (digits == 0) return Money{7500, currency};
  int64_t minor_per_unit = 1;
  for (int i = 0; i < digits; ++i) minor_per_unit *= 10;
  return Money{50 * minor_per_unit, currency};
}

}  // namespace

Money FromProto(const common::v1::Money& money) { return Money{money.amount_minor(), money.currency_code()}; }

common::v1::Money ToProto(const Money& money) {
  common::v1::Money out;
  out.set_currency_code(money.currency_code);
  out.set_amount_minor(money.amount_minor);
  return out;
}

ReturnRequest FromProto(const v1::ReturnCase& c) {
  ReturnRequest r;
  r.store_id = c.store_id();
  r.marketplace = FromWire<Marketplace>(c.order().marketplace());
  r.site = c.order().site();
  r.order_id = c.order().order_id();
  r.buyer_country = c.buyer_country();
  r.fulfillment = FromWire<Fulfillment>(c.fulfillment());
  r.category = FromWire<ProductCategory>(c.category());
  r.item_price = FromProto(c.item_price());
  r.item_cost = FromProto(c.item_cost());
  r.quantity = c.quantity();
  if (c.has_outbound_shipping()) {
    r.outbound_shipping = FromProto(c.outbound_shipping());
  } else {
    r.outbound_shipping = Money{0, c.item_price().currency_code()};
  }
  if (c.has_ordered_at()) r.ordered_at = FromProtoTime(c.ordered_at());
  r.delivered_at = TimeOf(c.has_delivered_at(), c.delivered_at());
  r.requested_at = TimeOf(c.has_requested_at(), c.requested_at());
  r.reason = FromWire<ReturnReason>(c.reason());
  r.condition = FromWire<ItemCondition>(c.condition());
  r.weight_grams = c.weight_grams();
  r.buyer_time_zone = c.buyer_time_zone();
  return r;
}

v1::ReturnDecision ToProto(const ReturnShippingDecision& d) {
  v1::ReturnDecision out;
  out.set_eligible(d.eligible);
  out.set_ineligible_reason(d.ineligible_reason);
  out.set_return_shipping_payer(static_cast<v1::Payer>(ToWire(d.return_shipping_payer)));
  out.set_label(static_cast<v1::ReturnLabel::Type>(ToWire(d.label)));
  *out.mutable_label_cost() = ToProto(d.label_cost);
  *out.mutable_restocking_fee() = ToProto(d.restocking_fee);
  *out.mutable_refund_amount() = ToProto(d.refund_amount);
  if (d.disposition) out.set_disposition(static_cast<v1::Disposition>(ToWire(*d.disposition)));
  *out.mutable_respond_by() = ToProtoTime(d.respond_by);
  if (d.refund_due_by) *out.mutable_refund_due_by() = ToProtoTime(*d.refund_due_by);
  out.set_platform_handles(d.platform_handles);
  SetRules(out.mutable_fired_rules(), d.fired_rules);
  return out;
}

RestockingFeePercents FromProto(const v1::ReturnPolicy::RestockingFeePercents& fees) {
  return {fees.unopened(), fees.opened_unused(), fees.used(), fees.damaged(),
          fees.late_original_condition()};
}

v1::ReturnPolicy::RestockingFeePercents ToProto(const RestockingFeePercents& fees) {
  v1::ReturnPolicy::RestockingFeePercents p;
  p.set_unopened(fees.unopened);
  p.set_opened_unused(fees.opened_unused);
  p.set_used(fees.used);
  p.set_damaged(fees.damaged);
  p.set_late_original_condition(fees.late_original_condition);
  return p;
}

StoredPolicy DefaultStoredPolicy(Marketplace marketplace, absl::string_view site,
                                 absl::string_view currency) {
  StoredPolicy out;
  out.rules = DefaultReturnPolicy(marketplace, site, currency);
  out.agent_refund_limit = DefaultAgentLimit(out.rules.currency_code);
  return out;
}

absl::StatusOr<StoredPolicy> PolicyInStoredCurrency(const StoredPolicy& policy,
                                                    absl::string_view currency) {
  if (currency.empty() || currency == policy.rules.currency_code) return policy;
  int64_t rate = 0;
  absl::StatusOr<ReturnPolicy> rules = PolicyInCurrency(policy.rules, currency, &rate);
  if (!rules.ok()) return rules.status();
  StoredPolicy out = policy;
  out.rules = *std::move(rules);
  out.agent_refund_limit = ConvertMoney(policy.agent_refund_limit, currency, rate);
  out.converted_from = policy.rules.currency_code;
  out.conversion_rate_micros = rate;
  return out;
}

std::optional<FiredRule> ConversionRule(const StoredPolicy& policy) {
  if (policy.converted_from.empty()) return std::nullopt;
  return FiredRule{rule_id::kPolicyAmountsConverted,
                   absl::StrCat("The policy is in ", policy.converted_from,
                                "; its thresholds and label rates were converted to ",
                                policy.rules.currency_code, " at the policy's rate of ",
                                FormatRateMicros(policy.conversion_rate_micros), " ",
                                policy.rules.currency_code, " per ", policy.converted_from, ".")};
}

absl::StatusOr<StoredPolicy> FromProto(const v1::ReturnPolicy& p) {
  StoredPolicy out;
  ReturnPolicy& r = out.rules;
  r.marketplace = FromWire<Marketplace>(p.marketplace());
  r.site = p.site();
  r.currency_code = p.currency_code();
  r.return_window_days = p.return_window_days();
  r.seller_fault_window_days = p.seller_fault_window_days();
  r.eu_withdrawal_rights = p.eu_withdrawal_rights();
  r.eu_withdrawal_days = p.eu_withdrawal_days();
  r.eu_refund_within_days = p.eu_refund_within_days();
  r.eu_buyer_told_return_cost = p.eu_buyer_told_return_cost();
  r.eu_seller_pays_return_cost = p.eu_seller_pays_return_cost();
  for (const auto& e : p.eu_non_withdrawable()) {
    r.eu_non_withdrawable.push_back({FromWire<ProductCategory>(e.category()), e.only_when_unsealed()});
  }
  for (const auto& c : p.category_rules()) {
    r.category_rules.push_back({FromWire<ProductCategory>(c.category()), c.returns_accepted(),
                                c.window_days(), FromWire<ItemCondition>(c.worst_accepted_condition()),
                                c.ship_back()});
  }
  r.insured_label_threshold = FromProto(p.insured_label_threshold());
  r.low_value_threshold = FromProto(p.low_value_threshold());
  r.amazon_returnless_threshold = FromProto(p.amazon_returnless_threshold());
  r.restocking_fee_percent = FromProto(p.restocking_fee_percent());
  r.charge_restocking_fee_by_default = p.charge_restocking_fee_by_default();
  r.accept_late_returns = p.accept_late_returns();
  r.late_return_days = p.late_return_days();
  r.local_return_countries.assign(p.local_return_countries().begin(), p.local_return_countries().end());
  r.warehouse_countries.assign(p.warehouse_countries().begin(), p.warehouse_countries().end());
  r.origin_country = p.origin_country();
  for (const auto& rate : p.carrier_rates()) {
    CarrierRate c{rate.origin_country(), rate.destination_country(), {}};
    for (const auto& b : rate.brackets()) c.brackets.push_back({b.max_grams(), FromProto(b.price())});
    r.carrier_rates.push_back(std::move(c));
  }
  r.free_returns = p.free_returns();
  r.deduct_buyer_label_from_refund = p.deduct_buyer_label_from_refund();
  r.damaged_on_arrival_refund_percent = p.damaged_on_arrival_refund_percent();
  r.respond_within = absl::Seconds(p.respond_within().seconds());
  r.refund_after_receipt_business_days = p.refund_after_receipt_business_days();
  for (int i = 0; i < p.quote_currencies_size(); ++i) {
    const auto& q = p.quote_currencies(i);
    absl::StatusOr<int64_t> rate =
        ParseRateMicros(absl::StrCat("quote_currencies[", i, "].rate"), q.rate());
    if (!rate.ok()) return rate.status();
    r.quote_currencies.push_back({q.currency_code(), *rate});
  }
  if (absl::Status s = ValidateReturnPolicy(r); !s.ok()) return s;
  if (r.respond_within <= absl::ZeroDuration() || r.respond_within > absl::Hours(24 * 30)) {
    return absl::InvalidArgumentError("respond_within: must be between 1s and 30 days, like \"172800s\"");
  }
  out.agent_refund_limit = FromProto(p.agent_refund_limit());
  out.version = p.version();
  if (absl::Status s = ValidateMoney("agent_refund_limit", out.agent_refund_limit); !s.ok()) return s;
  if (out.agent_refund_limit.currency_code != r.currency_code) {
    return absl::InvalidArgumentError(absl::StrCat("agent_refund_limit: currency ",
                                                   out.agent_refund_limit.currency_code,
                                                   " differs from the policy's ", r.currency_code));
  }
  return out;
}

v1::ReturnPolicy ToProto(const StoredPolicy& stored) {
  const ReturnPolicy& r = stored.rules;
  v1::ReturnPolicy p;
  p.set_marketplace(static_cast<common::v1::Marketplace>(ToWire(r.marketplace)));
  p.set_site(r.site);
  p.set_currency_code(r.currency_code);
  p.set_return_window_days(r.return_window_days);
  p.set_seller_fault_window_days(r.seller_fault_window_days);
  p.set_eu_withdrawal_rights(r.eu_withdrawal_rights);
  p.set_eu_withdrawal_days(r.eu_withdrawal_days);
  p.set_eu_refund_within_days(r.eu_refund_within_days);
  p.set_eu_buyer_told_return_cost(r.eu_buyer_told_return_cost);
  p.set_eu_seller_pays_return_cost(r.eu_seller_pays_return_cost);
  for (const auto& e : r.eu_non_withdrawable) {
    auto* out = p.add_eu_non_withdrawable();
    out->set_category(static_cast<v1::ProductCategory>(ToWire(e.category)));
    out->set_only_when_unsealed(e.only_when_unsealed);
  }
  for (const auto& c : r.category_rules) {
    auto* out = p.add_category_rules();
    out->set_category(static_cast<v1::ProductCategory>(ToWire(c.category)));
    out->set_returns_accepted(c.returns_accepted);
    out->set_window_days(c.window_days);
    out->set_worst_accepted_condition(static_cast<v1::ItemCondition>(ToWire(c.worst_accepted_condition)));
    out->set_ship_back(c.ship_back);
  }
  *p.mutable_insured_label_threshold() = ToProto(r.insured_label_threshold);
  *p.mutable_low_value_threshold() = ToProto(r.low_value_threshold);
  *p.mutable_amazon_returnless_threshold() = ToProto(r.amazon_returnless_threshold);
  *p.mutable_restocking_fee_percent() = ToProto(r.restocking_fee_percent);
  p.set_charge_restocking_fee_by_default(r.charge_restocking_fee_by_default);
  p.set_version(stored.version);
  p.set_accept_late_returns(r.accept_late_returns);
  p.set_late_return_days(r.late_return_days);
  for (const auto& c : r.local_return_countries) p.add_local_return_countries(c);
  for (const auto& c : r.warehouse_countries) p.add_warehouse_countries(c);
  p.set_origin_country(r.origin_country);
  for (const auto& rate : r.carrier_rates) {
    auto* out = p.add_carrier_rates();
    out->set_origin_country(rate.origin_country);
    out->set_destination_country(rate.destination_country);
    for (const auto& b : rate.brackets) {
      auto* bracket = out->add_brackets();
      bracket->set_max_grams(b.max_grams);
      *bracket->mutable_price() = ToProto(b.price);
    }
  }
  p.set_free_returns(r.free_returns);
  p.set_deduct_buyer_label_from_refund(r.deduct_buyer_label_from_refund);
  p.set_damaged_on_arrival_refund_percent(r.damaged_on_arrival_refund_percent);
  p.mutable_respond_within()->set_seconds(absl::ToInt64Seconds(r.respond_within));
  p.set_refund_after_receipt_business_days(r.refund_after_receipt_business_days);
  *p.mutable_agent_refund_limit() = ToProto(stored.agent_refund_limit);
  for (const QuoteCurrency& q : r.quote_currencies) {
    auto* out = p.add_quote_currencies();
    out->set_currency_code(q.currency_code);
    out->set_rate(FormatRateMicros(q.rate_micros));
  }
  return p;
}

DutyCase FromProto(const v1::DecideDutyRequest& r) {
  return DutyCase{r.buyer_told_before_shipping(), r.seller_at_fault(), FromProto(r.duty()),
                  FromProto(r.item_profit()), FromProto(r.return_cost())};
}

v1::DecideDutyResponse ToProto(const DutyDecision& d) {
  v1::DecideDutyResponse out;
  out.set_outcome(static_cast<v1::DecideDutyResponse::Outcome>(ToWire(d.outcome)));
  *out.mutable_seller_pays() = ToProto(d.seller_pays);
  *out.mutable_buyer_pays() = ToProto(d.buyer_pays);
  SetRules(out.mutable_fired_rules(), d.fired_rules);
  return out;
}

ReturnedParcelCase FromProto(const v1::DecideReturnedParcelRequest& r) {
  return ReturnedParcelCase{r.buyer_cause_shown_in_time(), r.seller_address_error(),
                            r.returned_before_export(),    r.reship_requested(),
                            FromProto(r.item_total()),     FromProto(r.outbound_shipping())};
}

v1::DecideReturnedParcelResponse ToProto(const ReturnedParcelDecision& d) {
  v1::DecideReturnedParcelResponse out;
  out.set_outcome(static_cast<v1::DecideReturnedParcelResponse::Outcome>(ToWire(d.outcome)));
  *out.mutable_refund_amount() = ToProto(d.refund_amount);
  out.set_refund_now(d.refund_now);
  out.set_shipping_compensation(d.shipping_compensation);
  SetRules(out.mutable_fired_rules(), d.fired_rules);
  return out;
}

CancellationCase FromProto(const v1::DecideCancellationRequest& r) {
  CancellationCase c;
  c.requested_at = TimeOf(r.has_requested_at(), r.requested_at());
  if (r.has_shipped_at()) c.shipped_at = FromProtoTime(r.shipped_at());
  c.order_total = FromProto(r.order_total());
  return c;
}

v1::DecideCancellationResponse ToProto(const CancellationDecision& d) {
  v1::DecideCancellationResponse out;
  out.set_outcome(static_cast<v1::DecideCancellationResponse::Outcome>(ToWire(d.outcome)));
  out.set_cancel_reason(d.cancel_reason);
  *out.mutable_refund_amount() = ToProto(d.refund_amount);
  out.set_refund_now(d.refund_now);
  SetRules(out.mutable_fired_rules(), d.fired_rules);
  return out;
}

absl::StatusOr<OrderTotals> TotalsOf(const tickets::v1::Order& order, absl::string_view currency) {
  if (order.items().empty()) {
    return absl::InvalidArgumentError("it lists no items to compare with");
  }
  OrderTotals totals;
  for (const tickets::v1::OrderItem& item : order.items()) {
    if (item.price().currency_code() != currency) {
      return absl::InvalidArgumentError(absl::StrCat("its item ", item.sku(), " is priced in ",
                                                     item.price().currency_code(), ", not ",
                                                     currency));
    }
    totals.goods_minor += item.price().amount_minor() * item.quantity();
    totals.units += item.quantity();
  }
  if (order.has_shipping() && order.shipping().amount_minor() != 0) {
    if (order.shipping().currency_code() != currency) {
      return absl::InvalidArgumentError(absl::StrCat(
          "its shipping is in ", order.shipping().currency_code(), ", not ", currency));
    }
    totals.shipping_minor = order.shipping().amount_minor();
  }
  return totals;
}

int64_t RefundedBy(const std::vector<v1::Return>& returns, absl::string_view principal,
                   absl::string_view except_return_id, absl::string_view currency) {
  int64_t total = 0;
  for (const v1::Return& r : returns) {
    if (r.return_id() == except_return_id || !r.has_refunded()) continue;
    if (r.refunded().currency_code() != currency) continue;
    for (const v1::Return::Event& e : r.history()) {
      if (e.action() == "refund" && e.actor() == principal) {
        total += r.refunded().amount_minor();
        break;
      }
    }
  }
  return total;
}

std::vector<EarlierReturn> EarlierReturnsOf(const std::vector<v1::Return>& returns,
                                            absl::string_view except_return_id,
                                            absl::string_view currency, bool count_promises) {
  std::vector<EarlierReturn> out;
  for (const v1::Return& r : returns) {
    if (r.return_id() == except_return_id) continue;
    if (!r.decision().eligible() || r.decision().platform_handles()) continue;
    const v1::ReturnCase& c = r.return_case();
    if (c.item_price().currency_code() != currency) continue;
    // What it takes from the order: what it refunded; while still open, what it promises. A
    // return closed without a refund (rejected, or a replacement) takes nothing.
    const bool open = r.status() != v1::Return::REJECTED && r.status() != v1::Return::CLOSED;
    EarlierReturn e;
    if (r.has_refunded()) {
      e.refund_minor = r.refunded().amount_minor();
    } else if (open && count_promises) {
      e.refund_minor = r.refund_due().amount_minor();
    } else {
      continue;
    }
    e.line_minor = c.item_price().amount_minor() * c.quantity();
    // A unit is used up by a refund of it; a partial refund the buyer keeps the item for, or a
    // replacement, takes money (or none), not the unit.
    const v1::Disposition d = r.decision().disposition();
    e.units = (d == v1::PARTIAL_REFUND_KEEP || d == v1::REPLACE_AND_RETURN) ? 0 : c.quantity();
    out.push_back(e);
  }
  return out;
}

}  // namespace aftersales::returns
