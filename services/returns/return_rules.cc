#include "services/returns/return_rules.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/validation.h"

namespace aftersales::returns {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
// With kMaxAmountMinor these keep price x quantity x 100 inside int64 (see PercentOfFloor).
constexpr int64_t kMaxQuantity = 10'000;
constexpr int64_t kMaxWeightGrams = 1'000'000;

bool IsSellerFault(ReturnReason reason) {
  switch (reason) {
    case ReturnReason::kDefective:
    case ReturnReason::kNotAsDescribed:
    case ReturnReason::kWrongItem:
    case ReturnReason::kMissingParts:
    case ReturnReason::kDamagedInTransit:
      return true;
    case ReturnReason::kNoLongerNeeded:
    case ReturnReason::kOrderedByMistake:
    case ReturnReason::kBetterPriceFound:
      return false;
  }
  return false;
}

// kWords[value], or "" for a value outside the enum (a request that skipped validation).
template <typename E, size_t N>
absl::string_view Pick(const std::array<absl::string_view, N>& words, E value) {
  const auto i = static_cast<size_t>(value);
  return i < N ? words[i] : absl::string_view();
}

// Words an agent can put in front of a buyer.
absl::string_view Words(Marketplace m) {
  static constexpr std::array<absl::string_view, 4> kWords = {"Amazon", "AliExpress", "eBay",
                                                              "Shopify"};
  return Pick(kWords, m);
}
// Plural, lower case, to stand mid-sentence.
absl::string_view Words(ProductCategory c) {
  static constexpr std::array<absl::string_view, 15> kWords = {
      "general items",
      "electronics",
      "apparel",
      "home items",
      "beauty items (hygiene)",
      "toys",
      "automotive parts",
      "baby items",
      "collectibles",
      "digital items (audio, video, software)",
      "gift cards",
      "customized items",
      "hazmat (dangerous goods)",
      "jewelry",
      "watches"};
  return Pick(kWords, c);
}
absl::string_view Words(ReturnReason r) {
  static constexpr std::array<absl::string_view, 8> kWords = {
      "A defective item",   "An item not as described", "A wrong item",
      "Missing parts",      "Damage in transit",        "No longer needed",
      "Ordered by mistake", "A better price found"};
  return Pick(kWords, r);
}
absl::string_view Words(ItemCondition c) {
  static constexpr std::array<absl::string_view, 4> kWords = {"unopened", "opened but unused",
                                                              "used", "damaged"};
  return Pick(kWords, c);
}

void AppendDate(std::string* out, absl::Time t) {
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  absl::StrAppend(out, day.year(), day.month() < 10 ? "-0" : "-", day.month(),
                  day.day() < 10 ? "-0" : "-", day.day());
}

enum class Destination { kWarehouse, kLocalAddress, kOrigin };

// Where the item would travel back to and what the label costs.
struct Route {
  Destination destination = Destination::kOrigin;
  absl::string_view to_country;
  // An address in the buyer's own country (a warehouse, a returns address, or the origin when
  // the buyer lives there): the buyer-remorse "local" case.
  bool local = false;
  std::optional<int64_t> label;
};

// Everything the rules read more than once, computed once.
struct Facts {
  const ReturnRequest& r;
  const ReturnPolicy& p;
  int64_t line;      // price x quantity
  int64_t worth;     // cost x quantity: what the item is worth to the seller
  int64_t outbound;  // outbound shipping the buyer paid
  int64_t days_after_delivery;
  bool eu;
  // Whose calendar a window's days are counted on: the buyer's, else the site's.
  absl::TimeZone zone;

  // A window of `days` from delivery closes at the end of that local day, not at delivery time
  // plus days x 24 h: a buyer who has "30 days" has all of the 30th.
  absl::Time WindowCloses(int days) const {
    return absl::FromCivil(absl::ToCivilDay(r.delivered_at, zone) + days + 1, zone);
  }
  // The last day of such a window, as the buyer reads it.
  std::string LastDay(int days) const {
    return absl::FormatCivilTime(absl::ToCivilDay(r.delivered_at, zone) + days);
  }

  Money M(int64_t amount_minor) const { return Money{amount_minor, p.currency_code}; }
  std::string Text(int64_t amount_minor) const { return FormatMoney(M(amount_minor)); }
};

bool Contains(const std::vector<std::string>& countries, absl::string_view country) {
  return std::any_of(countries.begin(), countries.end(),
                     [country](const std::string& c) { return c == country; });
}

const CategoryRule* FindCategoryRule(const ReturnPolicy& p, ProductCategory category) {
  for (const CategoryRule& rule : p.category_rules) {
    if (rule.category == category) return &rule;
  }
  return nullptr;
}

std::optional<int64_t> LabelPrice(const ReturnPolicy& p, absl::string_view from,
                                  absl::string_view to, int64_t grams) {
  for (const CarrierRate& rate : p.carrier_rates) {
    if (rate.origin_country != from || rate.destination_country != to) continue;
    for (const WeightBracket& bracket : rate.brackets) {
      if (grams <= bracket.max_grams) return bracket.price.amount_minor;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// A warehouse in the buyer's country first (the item can be resold there), then a local
// returns address, then the origin.
Route PlanRoute(const Facts& f) {
  const std::string& buyer = f.r.buyer_country;
  Route route;
  if (Contains(f.p.warehouse_countries, buyer)) {
    route.destination = Destination::kWarehouse;
    route.to_country = buyer;
  } else if (Contains(f.p.local_return_countries, buyer)) {
    route.destination = Destination::kLocalAddress;
    route.to_country = buyer;
  } else {
    route.destination = Destination::kOrigin;
    route.to_country = f.p.origin_country;
  }
  route.local = route.to_country == buyer;
  route.label = LabelPrice(f.p, buyer, route.to_country, f.r.weight_grams);
  return route;
}

void Fire(ReturnShippingDecision& d, absl::string_view id, std::string sentence) {
  d.fired_rules.push_back(FiredRule{id, std::move(sentence)});
}

// A rule refuses the return: true, and the decision is not eligible. With goodwill the
// refusal is recorded with the supervisor's reason and the decision goes on: false.
bool Refuse(const ReturnRequest& r, ReturnShippingDecision& d, absl::string_view id,
            std::string sentence) {
  if (!r.goodwill_reason.empty()) {
    Fire(d, rule_id::kGoodwillAccepted,
         absl::StrCat("Accepted as goodwill, against \"", sentence, "\": ", r.goodwill_reason));
    return false;
  }
  d.eligible = false;
  d.ineligible_reason = sentence;
  Fire(d, id, std::move(sentence));
  return true;
}

void FireNoRate(const Facts& f, ReturnShippingDecision& d, absl::string_view from,
                absl::string_view to) {
  // Not a silent zero: the label's cost is unknown, and so is whether sending the item back
  // costs more than it is worth. The agent gets the bound that question needs.
  Fire(d, rule_id::kNoCarrierRate,
       absl::StrCat("No rate from ", from, " to ", to, " for ", f.r.weight_grams,
                    " g in the store's table: the label cost is unknown. Price it by hand; the "
                    "seller may pay up to ",
                    f.Text(f.worth),
                    " (what the item is worth to it) before a returnless refund is cheaper."));
}

// Nothing travels back: the buyer keeps (or disposes of) the item and is refunded with the
// answer.
void RefundWithoutReturn(ReturnShippingDecision& d, Disposition disposition, int64_t refund) {
  d.disposition = disposition;
  d.return_shipping_payer = Payer::kNone;
  d.label = LabelType::kNone;
  d.refund_amount.amount_minor = refund;
  d.refund_due_by = d.respond_by;
}

// The returnless rules, in order; true when one fired.
bool DecideReturnless(const Facts& f, const Route& route, bool seller_pays, int64_t refund,
                      ReturnShippingDecision& d) {
  const ReturnPolicy& p = f.p;
  // Amazon's threshold is per item: two 20.00 items are two low-value items, not one 40.00 line.
  if (f.r.marketplace == Marketplace::kAmazon && !route.local &&
      f.r.item_price.amount_minor <= p.amazon_returnless_threshold.amount_minor) {
    RefundWithoutReturn(d, Disposition::kReturnlessRefund, refund);
    Fire(d, rule_id::kAmazonReturnlessLowValue,
         absl::StrCat("Amazon refunds items at or below ",
                      FormatMoney(p.amazon_returnless_threshold),
                      " without a return when the seller has no return address in ",
                      f.r.buyer_country, ": the buyer keeps it and gets ", f.Text(refund), "."));
    return true;
  }
  if (f.line < p.low_value_threshold.amount_minor) {
    RefundWithoutReturn(d, Disposition::kReturnlessRefund, refund);
    Fire(d, rule_id::kReturnlessLowValue,
         absl::StrCat("Worth ", f.Text(f.line), ", below the ", FormatMoney(p.low_value_threshold),
                      " low-value threshold: refund ", f.Text(refund),
                      " now without a return (or offer a discount instead) and let the buyer "
                      "keep it."));
    return true;
  }
  if (seller_pays && route.label && *route.label > f.worth) {
    RefundWithoutReturn(d, Disposition::kReturnlessRefund, refund);
    Fire(d, rule_id::kReturnlessCostExceedsValue,
         absl::StrCat("Sending it back to ", route.to_country, " would cost the seller ",
                      f.Text(*route.label), ", more than the item is worth to it (",
                      f.Text(f.worth), "): refund ", f.Text(refund),
                      " now without a return and let the buyer keep it."));
    return true;
  }
  return false;
}

// The item travels back: disposition, label type and cost.
void IssueLabel(const Facts& f, const Route& route, Payer payer, ReturnShippingDecision& d) {
  switch (route.destination) {
    case Destination::kWarehouse:
      d.disposition = Disposition::kReturnToWarehouse;
      Fire(d, rule_id::kReturnToWarehouse,
           absl::StrCat("It goes back to the store's warehouse in ", route.to_country,
                        ", where it can be resold."));
      break;
    case Destination::kLocalAddress:
      d.disposition = Disposition::kReturnToLocalAddress;
      Fire(d, rule_id::kReturnToLocalAddress,
           absl::StrCat("It goes back to the store's return address in ", route.to_country, "."));
      break;
    case Destination::kOrigin:
      d.disposition = Disposition::kReturnToOrigin;
      Fire(d, rule_id::kReturnToOrigin,
           route.label
               ? absl::StrCat("It goes back to ", route.to_country, " (worth ", f.Text(f.worth),
                              " to the seller; the label costs ", f.Text(*route.label), ").")
               : absl::StrCat("It goes back to ", route.to_country, " (worth ", f.Text(f.worth),
                              " to the seller)."));
      break;
  }
  d.return_shipping_payer = payer;
  if (f.line > f.p.insured_label_threshold.amount_minor) {
    d.label = LabelType::kPrepaidInsured;
    Fire(d, rule_id::kInsuredLabelOverThreshold,
         absl::StrCat("Worth ", f.Text(f.line), ", more than ",
                      FormatMoney(f.p.insured_label_threshold), ": the label is insured."));
  } else if (payer == Payer::kBuyer && !f.p.deduct_buyer_label_from_refund) {
    d.label = LabelType::kBuyerArranged;
  } else {
    d.label = LabelType::kPrepaid;
  }
  if (route.label) {
    d.label_cost.amount_minor = *route.label;
  } else {
    FireNoRate(f, d, f.r.buyer_country, route.to_country);
  }
}

void FireRefundTiming(const Facts& f, ReturnShippingDecision& d, bool eu_withdrawal) {
  Fire(d, rule_id::kRefundAfterReceipt,
       absl::StrCat("Refund ", f.Text(d.refund_amount.amount_minor), " within ",
                    f.p.refund_after_receipt_business_days,
                    " business days of receiving the item; refunding late invites a negative "
                    "review or an A-to-z claim."));
  if (!eu_withdrawal) return;
  const absl::Time due = f.r.requested_at + f.p.eu_refund_within_days * kDay;
  d.refund_due_by = due;
  std::string sentence = absl::StrCat("EU withdrawal: the refund, standard outbound delivery (",
                                      f.Text(f.outbound), ") included, is due by ");
  AppendDate(&sentence, due);
  absl::StrAppend(&sentence, ", ", f.p.eu_refund_within_days,
                  " days after the request; it may wait until the item or proof of sending "
                  "arrives.");
  Fire(d, rule_id::kEuRefundWithin14Days, std::move(sentence));
}

// ---- Seller fault ----

void Abandon(const Facts& f, ReturnShippingDecision& d, absl::string_view id,
             absl::string_view why) {
  const int64_t refund = f.line + f.outbound;
  RefundWithoutReturn(d, Disposition::kAbandonAndRefund, refund);
  Fire(d, id,
       absl::StrCat(why, ": no return; refund ", f.Text(refund),
                    " in full now and let the buyer dispose of it."));
}

void DecideDamagedOnArrival(const Facts& f, ReturnShippingDecision& d) {
  Fire(d, rule_id::kCarrierClaim,
       "Damaged in transit: the seller bears it toward the buyer and claims against the "
       "carrier.");
  const ReturnPolicy& p = f.p;
  const Route route = PlanRoute(f);
  // The replacement leaves from a warehouse in the buyer's country when there is one, else
  // from the origin: the international freight DOMAIN.md weighs.
  const bool local_stock = route.destination == Destination::kWarehouse;
  const absl::string_view stock_country = local_stock ? f.r.buyer_country : p.origin_country;
  const std::optional<int64_t> freight =
      LabelPrice(p, stock_country, f.r.buyer_country, f.r.weight_grams);
  const int64_t partial = PercentOfCeil(f.line, p.damaged_on_arrival_refund_percent);
  if (!route.label) FireNoRate(f, d, f.r.buyer_country, route.to_country);
  if (!freight) FireNoRate(f, d, stock_country, f.r.buyer_country);
  // Without both prices a replacement cannot be costed: the partial refund's cost is known.
  if (!route.label || !freight) {
    RefundWithoutReturn(d, Disposition::kPartialRefundKeep, partial);
    Fire(d, rule_id::kDamagedOnArrivalPartialRefund,
         absl::StrCat("Damaged on arrival: offer a ", p.damaged_on_arrival_refund_percent,
                      " % partial refund (", f.Text(partial),
                      ") and let the buyer keep it; a replacement could not be priced."));
    return;
  }
  const int64_t replace = f.worth + *freight + *route.label;
  if (partial <= replace) {
    RefundWithoutReturn(d, Disposition::kPartialRefundKeep, partial);
    Fire(d, rule_id::kDamagedOnArrivalPartialRefund,
         absl::StrCat("Damaged on arrival: offer a ", p.damaged_on_arrival_refund_percent,
                      " % partial refund (", f.Text(partial),
                      ") and let the buyer keep it; a replacement would cost ", f.Text(replace),
                      " (item ", f.Text(f.worth), " + freight from ", stock_country, " ",
                      f.Text(*freight), " + return label ", f.Text(*route.label), ")."));
    return;
  }
  IssueLabel(f, route, Payer::kSeller, d);
  d.disposition = Disposition::kReplaceAndReturn;
  d.refund_amount.amount_minor = 0;
  Fire(d, rule_id::kDamagedOnArrivalReplace,
       absl::StrCat("Damaged on arrival: send a free replacement and take the broken one back; "
                    "it costs ",
                    f.Text(replace), " (item ", f.Text(f.worth), " + freight from ", stock_country,
                    " ", f.Text(*freight), " + return label ", f.Text(*route.label),
                    "), less than a ", p.damaged_on_arrival_refund_percent, " % partial refund of ",
                    f.Text(partial), "."));
  Fire(d, rule_id::kSellerFaultPrepaidLabel,
       absl::StrCat("Damage in transit is the seller's to bear: the seller pays the return with "
                    "a prepaid label (",
                    f.Text(d.label_cost.amount_minor), ")."));
}

void DecideSellerFault(const Facts& f, ReturnShippingDecision& d) {
  const ReturnRequest& r = f.r;
  const int window = f.p.seller_fault_window_days;
  if (r.requested_at >= f.WindowCloses(window)) {
    if (Refuse(r, d, rule_id::kOutsideWindow,
               absl::StrCat("Requested ", f.days_after_delivery, " days after delivery; ",
                            "seller-fault returns are taken for ", window,
                            " days (the A-to-z filing period): handle it as a warranty claim."))) {
      return;
    }
  }
  d.eligible = true;
  Fire(d, rule_id::kSellerFaultNoRestockingFee,
       absl::StrCat(Words(r.reason), " is the seller's fault: no restocking fee."));
  const CategoryRule* category = FindCategoryRule(f.p, r.category);
  if (r.reason == ReturnReason::kDefective) {
    Abandon(f, d, rule_id::kDefectiveAbandonAndRefund, "Defective");
    return;
  }
  if (r.condition == ItemCondition::kDamaged && r.reason != ReturnReason::kDamagedInTransit) {
    Abandon(f, d, rule_id::kDestroyedAbandonAndRefund, "Arrived destroyed");
    return;
  }
  if (NotShipped(r.category)) {
    Abandon(f, d, rule_id::kNothingToShipBack,
            absl::StrCat("There is nothing to send back for ", Words(r.category)));
    return;
  }
  if (category != nullptr && !category->ship_back) {
    Abandon(f, d, rule_id::kNotShippedBackAbandon,
            absl::StrCat("Returns of ", Words(r.category), " cannot travel on a return label"));
    return;
  }
  if (r.reason == ReturnReason::kDamagedInTransit) {
    DecideDamagedOnArrival(f, d);
    return;
  }
  const Route route = PlanRoute(f);
  const int64_t refund = f.line + f.outbound;
  if (!route.local) {
    Fire(d, rule_id::kNoLocalReturnAddress,
         absl::StrCat("The store has no return address in ", r.buyer_country,
                      ": the buyer gets a prepaid label to ", route.to_country,
                      " or a returnless refund."));
  }
  if (DecideReturnless(f, route, /*seller_pays=*/true, refund, d)) return;
  IssueLabel(f, route, Payer::kSeller, d);
  d.refund_amount.amount_minor = refund;
  Fire(d, rule_id::kSellerFaultPrepaidLabel,
       absl::StrCat(Words(r.reason), " is the seller's fault: the seller pays the return ",
                    "with a prepaid label (", f.Text(d.label_cost.amount_minor), ", ",
                    r.buyer_country, " to ", route.to_country, ", ", r.weight_grams, " g)."));
  FireRefundTiming(f, d, /*eu_withdrawal=*/false);
}

// ---- Buyer remorse ----

// The EU withdrawal right's exclusions for this item, if any.
const EuWithdrawalExclusion* FindEuExclusion(const Facts& f) {
  for (const EuWithdrawalExclusion& e : f.p.eu_non_withdrawable) {
    if (e.category != f.r.category) continue;
    if (!e.only_when_unsealed || f.r.condition != ItemCondition::kUnopened) return &e;
  }
  return nullptr;
}

bool InOriginalCondition(ItemCondition c) {
  return c == ItemCondition::kUnopened || c == ItemCondition::kOpenedUnused;
}

int ConditionFeePercent(const RestockingFeePercents& fees, ItemCondition c) {
  switch (c) {
    case ItemCondition::kUnopened:
      return fees.unopened;
    case ItemCondition::kOpenedUnused:
      return fees.opened_unused;
    case ItemCondition::kUsed:
      return fees.used;
    case ItemCondition::kDamaged:
      return fees.damaged;
  }
  return 0;
}

// Who pays a remorse return's label, and the rule that says so (fired only if a label is
// issued).
struct PayerChoice {
  Payer payer;
  absl::string_view rule;
};

PayerChoice RemorsePayer(const Facts& f, const Route& route) {
  if (!route.local) return {Payer::kSeller, rule_id::kBuyerRemorseToChinaSellerPays};
  if (f.p.free_returns) return {Payer::kSeller, rule_id::kFreeReturnsSellerPays};
  if (f.eu && f.p.eu_seller_pays_return_cost) {
    return {Payer::kSeller, rule_id::kEuSellerAgreedToPay};
  }
  if (f.eu && !f.p.eu_buyer_told_return_cost) {
    return {Payer::kSeller, rule_id::kEuReturnCostNotDisclosed};
  }
  return {Payer::kBuyer, rule_id::kBuyerRemorseLocalBuyerPays};
}

void FirePayer(const Facts& f, const Route& route, const PayerChoice& choice,
               ReturnShippingDecision& d) {
  const std::string cost = f.Text(d.label_cost.amount_minor);
  const absl::string_view id = choice.rule;
  if (id == rule_id::kBuyerRemorseToChinaSellerPays) {
    Fire(d, id,
         absl::StrCat(Words(f.r.reason), ", but the store has no address in ", f.r.buyer_country,
                      " and the item would go back to ", route.to_country,
                      ": the seller pays the international return label (", cost, ")."));
  } else if (id == rule_id::kFreeReturnsSellerPays) {
    Fire(d, id,
         absl::StrCat("Sold with free returns: the seller pays the return label (", cost,
                      "); nothing is deducted from the refund."));
  } else if (id == rule_id::kEuSellerAgreedToPay) {
    Fire(d, id,
         absl::StrCat("EU withdrawal: the seller agreed to pay for returns, so it pays the label (",
                      cost, ")."));
  } else if (id == rule_id::kEuReturnCostNotDisclosed) {
    Fire(d, id,
         absl::StrCat("EU withdrawal: the buyer was not told before the sale that they pay for "
                      "the return, so the seller pays it (",
                      cost, ")."));
  } else if (d.label == LabelType::kBuyerArranged) {
    Fire(d, id,
         absl::StrCat(Words(f.r.reason), ", returned to an address in ", f.r.buyer_country,
                      ": the buyer sends it back at their own cost (about ", cost, ")."));
    Fire(d, rule_id::kBuyerArrangesReturn,
         "The buyer arranges the shipment; ask for the tracking number.");
  } else {
    Fire(d, id,
         absl::StrCat(Words(f.r.reason), ", returned to an address in ", f.r.buyer_country,
                      ": the buyer pays the return label (", cost, "), deducted from the refund."));
  }
  if (id == rule_id::kBuyerRemorseLocalBuyerPays && f.eu) {
    Fire(d, rule_id::kEuBuyerPaysDirectCost,
         "EU withdrawal: the buyer was told before the sale that they bear the direct cost of "
         "sending it back.");
  }
}

// Window for a remorse return; fires the window rules. False when refused. *late is set for a
// return after the window that the store still accepts.
bool CheckRemorseWindow(const Facts& f, const CategoryRule* category, ReturnShippingDecision& d,
                        bool* late) {
  const ReturnRequest& r = f.r;
  const ReturnPolicy& p = f.p;
  int window = p.return_window_days;
  if (category != nullptr && category->window_days > 0) {
    window = category->window_days;
    Fire(d, rule_id::kCategoryOwnWindow,
         absl::StrCat("Own return window for ", Words(r.category), ": ", window, " days."));
  }
  if (f.eu) {
    Fire(d, rule_id::kEuWithdrawal14Days,
         absl::StrCat("EU buyer: ", p.eu_withdrawal_days,
                      "-day right of withdrawal from delivery; the marketplace's ", window,
                      "-day window applies on top where it is longer."));
    window = std::max(window, p.eu_withdrawal_days);
  }
  const absl::Time closes = f.WindowCloses(window);
  if (r.requested_at < closes) {
    Fire(d, rule_id::kWithinWindow,
         absl::StrCat("Requested ", f.days_after_delivery, " days after delivery, within the ",
                      window, "-day return window."));
    return true;
  }
  if (p.accept_late_returns && InOriginalCondition(r.condition) &&
      r.requested_at < f.WindowCloses(window + p.late_return_days)) {
    *late = true;
    Fire(d, rule_id::kLateReturnAccepted,
         absl::StrCat("Requested ", f.days_after_delivery, " days after delivery, after the ",
                      window,
                      "-day window; the store still takes items in original condition "
                      "for ",
                      p.late_return_days, " more days."));
    return true;
  }
  std::string sentence =
      absl::StrCat("Requested ", f.days_after_delivery, " days after delivery; the ", window,
                   "-day return window closed at the end of ", f.LastDay(window), " (",
                   f.zone.name(), ").");
  return !Refuse(r, d, rule_id::kOutsideWindow, std::move(sentence));
}

void FireRestockingFee(const Facts& f, bool late, int percent, int64_t fee,
                       ReturnShippingDecision& d) {
  if (fee <= 0) return;
  if (late) {
    Fire(d, rule_id::kLateReturnRestockingFee,
         absl::StrCat("Returned after the window in original condition: up to ", percent,
                      " % restocking fee (", f.Text(fee), ")."));
  } else if (f.r.condition == ItemCondition::kUsed) {
    Fire(d, rule_id::kRestockingFeeUsed,
         absl::StrCat("Used, not in its original condition: the seller may ask up to ", percent,
                      " % restocking fee (", f.Text(fee),
                      ") or part of the return shipping; if the buyer refuses, the seller bears "
                      "it."));
  } else {
    Fire(d, rule_id::kRestockingFeeDamaged,
         absl::StrCat("Damaged by the buyer (or parts missing): up to ", percent,
                      " % restocking fee (", f.Text(fee), ")."));
  }
}

void DecideBuyerRemorse(const Facts& f, ReturnShippingDecision& d) {
  const ReturnRequest& r = f.r;
  const CategoryRule* category = FindCategoryRule(f.p, r.category);
  if (f.eu) {
    if (const EuWithdrawalExclusion* e = FindEuExclusion(f); e != nullptr) {
      if (Refuse(r, d, rule_id::kEuNotWithdrawable,
                 absl::StrCat("The EU withdrawal right does not cover ", Words(r.category),
                              e->only_when_unsealed ? " once unsealed." : "."))) {
        return;
      }
    }
  }
  // The EU withdrawal right comes first: within its days only the law's own exclusions (above)
  // refuse a return. A store's category rule cannot take it away, and a used item is refunded
  // less for its loss in value (the restocking fee below), never refused.
  // A category that cannot travel on a return label (dangerous goods) keeps the store's rule:
  // nothing here could carry it back, and refunding it without a return gives it away.
  const bool ships_back = category == nullptr || category->ship_back;
  const bool eu_withdrawal =
      f.eu && ships_back && r.requested_at < f.WindowCloses(f.p.eu_withdrawal_days);
  const bool store_refuses_category = category != nullptr && !category->returns_accepted;
  const bool store_refuses_condition =
      category != nullptr && r.condition > category->worst_accepted_condition;
  if (eu_withdrawal && (store_refuses_category || store_refuses_condition)) {
    Fire(d, rule_id::kEuWithdrawalOverridesStoreRule,
         absl::StrCat("EU right of withdrawal: within ", f.p.eu_withdrawal_days,
                      " days of delivery the store's own rule for ", Words(r.category),
                      " does not apply; an item not in its original condition is refunded less "
                      "for its loss in value, never refused."));
  } else if (store_refuses_category) {
    if (Refuse(r, d, rule_id::kCategoryExcluded,
               absl::StrCat("No change-of-mind returns for ", Words(r.category),
                            " (only when faulty or not as described)."))) {
      return;
    }
  } else if (store_refuses_condition) {
    if (Refuse(r, d, rule_id::kCategoryConditionNotAccepted,
               absl::StrCat("For ", Words(r.category), ", a change-of-mind return must be ",
                            Words(category->worst_accepted_condition), " or better; this one is ",
                            Words(r.condition), "."))) {
      return;
    }
  }
  bool late = false;
  if (!CheckRemorseWindow(f, category, d, &late)) return;
  d.eligible = true;
  if (NotShipped(r.category)) {
    const int64_t refund = f.line + (f.eu ? f.outbound : 0);
    RefundWithoutReturn(d, Disposition::kReturnlessRefund, refund);
    Fire(d, rule_id::kNothingToShipBack,
         absl::StrCat("There is nothing to send back for ", Words(r.category), ": refund ",
                      f.Text(refund), " with the answer."));
    return;
  }

  const Route route = PlanRoute(f);
  const PayerChoice choice = RemorsePayer(f, route);
  // EU withdrawals refund the standard outbound delivery too.
  const int64_t gross = f.line + (f.eu ? f.outbound : 0);
  if (!route.local) {
    Fire(d, rule_id::kNoLocalReturnAddress,
         absl::StrCat("The store has no return address in ", r.buyer_country,
                      ": the buyer gets a prepaid label to ", route.to_country,
                      " or a returnless refund."));
  }
  // Returnless: nothing comes back to restock, so no fee.
  if (DecideReturnless(f, route, choice.payer == Payer::kSeller, gross, d)) return;

  IssueLabel(f, route, choice.payer, d);
  FirePayer(f, route, choice, d);
  const int percent = late ? f.p.restocking_fee_percent.late_original_condition
                           : ConditionFeePercent(f.p.restocking_fee_percent, r.condition);
  const int64_t fee = PercentOfFloor(f.line, percent);
  d.restocking_fee.amount_minor = fee;
  FireRestockingFee(f, late, percent, fee, d);
  const int64_t deducted = choice.payer == Payer::kBuyer && d.label != LabelType::kBuyerArranged
                               ? d.label_cost.amount_minor
                               : 0;
  d.refund_amount.amount_minor = std::max<int64_t>(0, gross - fee - deducted);
  FireRefundTiming(f, d, f.eu);
}

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

}  // namespace

ReceiptDecision DecideOnReceipt(const ReceiptCase& c) {
  const ReturnRequest& r = *c.quoted;
  ReceiptDecision out;
  out.fee = Money{0, c.quoted_refund.currency_code};
  out.refund_due = c.quoted_refund;
  const auto fire = [&](absl::string_view id, std::string sentence) {
    out.fired_rules.push_back(FiredRule{id, std::move(sentence)});
  };
  const auto text = [&](int64_t minor) {
    return FormatMoney(Money{minor, c.quoted_refund.currency_code});
  };
  // The buyer gets this with no fee kept.
  const int64_t gross = c.quoted_refund.amount_minor + c.quoted_fee.amount_minor;
  if (IsSellerFault(r.reason)) {
    fire(rule_id::kQuoteHolds, absl::StrCat("The seller's fault: the quoted refund of ",
                                            text(c.quoted_refund.amount_minor),
                                            " holds, with no restocking fee."));
    return out;
  }
  int64_t fee = c.quoted_fee.amount_minor;
  if (c.found > r.condition) {
    const int percent = ConditionFeePercent(c.quoted_fee_percents, c.found);
    const int64_t found_fee = PercentOfFloor(r.item_price.amount_minor * r.quantity, percent);
    if (found_fee > fee) {
      fee = found_fee;
      fire(rule_id::kConditionWorseThanClaimed,
           absl::StrCat("It arrived ", Words(c.found), ", not ", Words(r.condition),
                        " as claimed: the restocking fee for that condition under the quoted "
                        "policy is ",
                        percent, " % (", text(fee), ")."));
    }
  }
  const bool charge = c.choice == FeeChoice::kConfirm ||
                      (c.choice == FeeChoice::kPolicyDefault && c.charge_by_default);
  if (fee > 0 && !charge) {
    fire(rule_id::kRestockingFeeWaived,
         absl::StrCat("The ", text(fee),
                      " restocking fee is waived (the buyer did not accept it): the seller "
                      "bears it."));
    fee = 0;
  } else if (fee > 0) {
    fire(rule_id::kRestockingFeeConfirmed,
         absl::StrCat("The restocking fee of ", text(fee), " is kept: the buyer accepted it."));
  }
  out.fee.amount_minor = std::min(fee, gross);
  out.refund_due.amount_minor = gross - out.fee.amount_minor;
  fire(rule_id::kQuoteHolds,
       absl::StrCat("The quote holds: ", text(gross), " less the fee kept, ",
                    text(out.refund_due.amount_minor), "."));
  return out;
}

bool NotShipped(ProductCategory category) {
  return category == ProductCategory::kDigital || category == ProductCategory::kGiftCard;
}

bool ReturnShippingDecision::Fired(absl::string_view id) const {
  return std::any_of(fired_rules.begin(), fired_rules.end(),
                     [id](const FiredRule& rule) { return rule.id == id; });
}

absl::Status ValidateReturnRequest(const ReturnRequest& r) {
  if (absl::Status s = ValidateId("store_id", r.store_id); !s.ok()) return s;
  if (!IsKnown(r.marketplace)) {
    return Invalid("order.marketplace",
                   static_cast<int>(r.marketplace) < 0
                       ? "is required: AMAZON, ALIEXPRESS, EBAY or SHOPIFY"
                       : absl::StrCat("unknown value ", static_cast<int>(r.marketplace)));
  }
  if (absl::Status s = ValidateCountry("order.site", r.site, false); !s.ok()) return s;
  if (absl::Status s = ValidateId("order.order_id", r.order_id); !s.ok()) return s;
  if (absl::Status s = ValidateCountry("buyer_country", r.buyer_country, true); !s.ok()) return s;
  const std::pair<absl::string_view, std::pair<bool, int>> enums[] = {
      {"fulfillment", {IsKnown(r.fulfillment), static_cast<int>(r.fulfillment)}},
      {"category", {IsKnown(r.category), static_cast<int>(r.category)}},
      {"reason", {IsKnown(r.reason), static_cast<int>(r.reason)}},
      {"condition", {IsKnown(r.condition), static_cast<int>(r.condition)}},
  };
  for (const auto& [field, known] : enums) {
    if (!known.first) {
      return Invalid(
          field, known.second < 0 ? "is required" : absl::StrCat("unknown value ", known.second));
    }
  }
  if (absl::Status s = ValidateMoney("item_price", r.item_price); !s.ok()) return s;
  if (absl::Status s = ValidateMoney("item_cost", r.item_cost); !s.ok()) return s;
  if (r.item_cost.currency_code != r.item_price.currency_code) {
    return Invalid("item_cost",
                   absl::StrCat("currency ", r.item_cost.currency_code,
                                " differs from item_price's ", r.item_price.currency_code));
  }
  if (r.quantity < 1 || r.quantity > kMaxQuantity) {
    return Invalid("quantity", absl::StrCat(r.quantity, " is outside 1..", kMaxQuantity));
  }
  if (!(r.outbound_shipping.amount_minor == 0 && r.outbound_shipping.currency_code.empty())) {
    if (absl::Status s = ValidateMoney("outbound_shipping", r.outbound_shipping); !s.ok()) return s;
    if (r.outbound_shipping.currency_code != r.item_price.currency_code) {
      return Invalid("outbound_shipping",
                     absl::StrCat("currency ", r.outbound_shipping.currency_code,
                                  " differs from item_price's ", r.item_price.currency_code));
    }
  }
  // Goods that are not shipped have no parcel to weigh.
  const bool weightless = NotShipped(r.category) && r.weight_grams == 0;
  if (!weightless && (r.weight_grams < 1 || r.weight_grams > kMaxWeightGrams)) {
    return Invalid("weight_grams",
                   absl::StrCat(r.weight_grams, " is outside 1..", kMaxWeightGrams));
  }
  if (absl::Status s = ValidateTimeZone("buyer_time_zone", r.buyer_time_zone, false); !s.ok()) {
    return s;
  }
  if (r.ordered_at && !IsSetTime(*r.ordered_at))
    return Invalid("ordered_at", "is not a valid time");
  if (!IsSetTime(r.delivered_at)) return Invalid("delivered_at", "is required");
  if (!IsSetTime(r.requested_at)) return Invalid("requested_at", "is required");
  if (r.ordered_at && r.delivered_at < *r.ordered_at) {
    return Invalid("delivered_at",
                   absl::StrCat("is before ordered_at (", absl::FormatTime(r.delivered_at), " < ",
                                absl::FormatTime(*r.ordered_at), ")"));
  }
  if (r.requested_at < r.delivered_at) {
    return Invalid("requested_at",
                   absl::StrCat("is before delivered_at (", absl::FormatTime(r.requested_at), " < ",
                                absl::FormatTime(r.delivered_at), ")"));
  }
  return absl::OkStatus();
}

ReturnShippingDecision DecideReturnShipping(const ReturnRequest& r, const ReturnPolicy& p) {
  ReturnShippingDecision d;
  d.respond_by = r.requested_at + p.respond_within;
  d.label_cost.currency_code = p.currency_code;
  d.restocking_fee.currency_code = p.currency_code;
  d.refund_amount.currency_code = p.currency_code;
  d.fired_rules.reserve(8);
  if (r.fulfillment == Fulfillment::kPlatform) {
    d.eligible = true;
    d.platform_handles = true;
    Fire(d, rule_id::kPlatformFulfilled,
         absl::StrCat("Fulfilled by ", Words(r.marketplace), ": ", Words(r.marketplace),
                      " handles the return, its label and the refund; the seller opens no "
                      "label."));
    return d;
  }
  const bool outbound_in_currency = r.outbound_shipping.currency_code == p.currency_code;
  absl::TimeZone zone;
  // Validation accepted only installed zones; the site's table holds installed ones too.
  if (r.buyer_time_zone.empty() || !absl::LoadTimeZone(r.buyer_time_zone, &zone)) {
    absl::LoadTimeZone(std::string(SiteTimeZone(r.site)), &zone);
  }
  const Facts f{r,
                p,
                r.item_price.amount_minor * r.quantity,
                r.item_cost.amount_minor * r.quantity,
                outbound_in_currency ? r.outbound_shipping.amount_minor : 0,
                (r.requested_at - r.delivered_at) / kDay,
                p.eu_withdrawal_rights || IsEuCountry(r.buyer_country),
                zone};
  if (IsSellerFault(r.reason)) {
    DecideSellerFault(f, d);
  } else {
    DecideBuyerRemorse(f, d);
  }
  return d;
}

absl::StatusOr<ReturnShippingDecision> QuoteReturnShipping(const ReturnRequest& request,
                                                           const ReturnPolicy& policy) {
  if (absl::Status s = ValidateReturnRequest(request); !s.ok()) return s;
  if (request.marketplace != policy.marketplace) {
    return Invalid("order.marketplace",
                   absl::StrCat(EnumName(request.marketplace), " is not the policy's ",
                                EnumName(policy.marketplace)));
  }
  if (request.site != policy.site) {
    return Invalid("order.site", absl::StrCat("'", request.site, "' is not the policy's site '",
                                              policy.site, "'"));
  }
  if (request.item_price.currency_code != policy.currency_code) {
    return Invalid("item_price", absl::StrCat("currency ", request.item_price.currency_code,
                                              " is not the site currency ", policy.currency_code));
  }
  return DecideReturnShipping(request, policy);
}

}  // namespace aftersales::returns
