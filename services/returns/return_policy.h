#pragma once

// The return policy of one store on one marketplace site, as admins edit it, and its defaults.
// Every figure DOMAIN.md marks *(default)* is a field here.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/business_days.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {

// Up to max_grams (inclusive) the label costs price.
struct WeightBracket {
  int64_t max_grams = 0;
  Money price;
};

// What a return label costs from origin_country (where the buyer hands the parcel over) to
// destination_country (where the item goes back to). Brackets are in increasing max_grams; a
// parcel heavier than the last bracket has no rate on this route.
struct CarrierRate {
  std::string origin_country;
  std::string destination_country;
  std::vector<WeightBracket> brackets;
};

// A category with its own rules. Rules bind buyer-remorse returns only: a seller-fault return
// (defect, wrong item, ...) is the seller's to take back in any category, since refusing it
// ends in an A-to-z claim the seller loses.
struct CategoryRule {
  ProductCategory category = ProductCategory::kGeneral;
  // false: no buyer-remorse returns at all (digital, gift cards, customized, hazmat).
  bool returns_accepted = true;
  // Own window in days from delivery; 0 means the policy's return_window_days.
  int window_days = 0;
  // Buyer-remorse returns in a worse condition than this are refused (watches: unworn).
  ItemCondition worst_accepted_condition = ItemCondition::kDamaged;
  // false: the item may not travel back on an ordinary label (dangerous goods): a seller-fault
  // return is abandoned and refunded instead.
  bool ship_back = true;
};

// What the EU withdrawal right does not cover: customized items always; audio, video and
// software, and hygiene items, once unsealed.
struct EuWithdrawalExclusion {
  ProductCategory category = ProductCategory::kGeneral;
  // true: excluded only once the seal is broken (condition worse than UNOPENED).
  bool only_when_unsealed = false;
};

// Highest restocking fee, in percent of the price, the seller may ask on a buyer-remorse return.
// Never charged when the seller is at fault or the item is defective (not configurable: that fee
// would be refunded in any A-to-z claim).
struct RestockingFeePercents {
  int unopened = 0;
  int opened_unused = 0;  // opening to inspect is not "out of original condition"
  int used = 50;          // not in its original condition through the buyer
  int damaged = 50;       // damaged (or parts lost) through the buyer
  // In original condition (unopened or opened unused), after the window, when the seller still
  // accepts late returns.
  int late_original_condition = 20;
};

// Another currency a policy quotes in. rate_micros: millionths of a unit of currency_code that
// one unit of the policy's currency is worth (1 USD = 0.92 EUR: 920000). Integers, never floats:
// a converted threshold is the same on every replica and every run.
struct QuoteCurrency {
  std::string currency_code;
  int64_t rate_micros = 0;
};

struct ReturnPolicy {
  Marketplace marketplace = Marketplace::kAmazon;
  // Marketplace site, upper case ("US", "DE", "UK", "JP"); empty for a single-site marketplace.
  std::string site;
  // The site currency: every Money in the policy is in it, and so must the request's prices be.
  std::string currency_code = "USD";

  // Buyer-remorse window, days from delivery.
  int return_window_days = 30;
  // Seller-fault returns are accepted this long after delivery: the A-to-z filing period, since
  // refusing earlier would only move the case into a claim.
  int seller_fault_window_days = 90;

  // EU withdrawal right (EU sites, and EU buyers on any site): at least this many days from
  // delivery; a longer marketplace window applies on top.
  bool eu_withdrawal_rights = false;
  int eu_withdrawal_days = 14;
  // The statutory refund deadline, days from the withdrawal (the request).
  int eu_refund_within_days = 14;
  // The listing told the buyer, before the sale, that they pay the direct cost of a return. If
  // not, the seller pays it.
  bool eu_buyer_told_return_cost = true;
  // The seller agreed to pay the direct cost of EU withdrawals.
  bool eu_seller_pays_return_cost = false;
  std::vector<EuWithdrawalExclusion> eu_non_withdrawable;

  std::vector<CategoryRule> category_rules;

  // A label for a line worth more than this is insured.
  Money insured_label_threshold;
  // A line worth less than this is refunded without a return.
  Money low_value_threshold;
  // Amazon only: a line worth this or less, with no return address in the buyer's country, is
  // refunded without a return by Amazon itself.
  Money amazon_returnless_threshold;

  RestockingFeePercents restocking_fee_percent;
  // A fee is asked, not taken: on receipt it is kept when the buyer accepted it. This is the
  // answer when the agent gives none: waive (false: no fee without the buyer's yes on record)
  // or charge (true).
  bool charge_restocking_fee_by_default = false;
  // Original-condition returns after the window are still accepted, for late_return_days more.
  bool accept_late_returns = false;
  int late_return_days = 30;

  // Countries (ISO 3166-1 alpha-2) where the store has a local return address / a warehouse.
  std::vector<std::string> local_return_countries;
  std::vector<std::string> warehouse_countries;
  // Where the seller ships from and where an item without a local address goes back to.
  std::string origin_country = "CN";
  std::vector<CarrierRate> carrier_rates;

  // The item was sold with free returns: a buyer never pays return shipping.
  bool free_returns = false;
  // Buyer-paid local returns: true, the seller issues the label and deducts its cost from the
  // refund; false, the buyer sends it back at their own cost (BUYER_ARRANGED). An insured label
  // is always the seller's to issue.
  bool deduct_buyer_label_from_refund = true;

  // Damaged on arrival: the partial refund offered if the buyer keeps the item.
  int damaged_on_arrival_refund_percent = 20;

  // The seller answers a return request within this (Amazon steps in after 2 business days).
  absl::Duration respond_within = absl::Hours(48);
  // After the item is received, the refund goes out within this many business days.
  int refund_after_receipt_business_days = 2;

  // Other currencies a request may be priced in (a site-less store's buyers pay in their own).
  std::vector<QuoteCurrency> quote_currencies;
};

// "0.92" -> 920000: a positive decimal with at most 6 places and at most 10^6 before the point;
// INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<int64_t> ParseRateMicros(absl::string_view field, absl::string_view rate);
// 920000 -> "0.92", 151300000 -> "151.3".
std::string FormatRateMicros(int64_t rate_micros);

// `money` (in the currency one unit of which is worth rate_micros millionths of `to`) in `to`,
// rounded half away from zero to `to`'s minor unit.
Money ConvertMoney(const Money& money, absl::string_view to, int64_t rate_micros);

// The policy with every amount in `currency`: itself when it is in it; converted at the rate it
// names for it otherwise (currency_code becomes `currency`, quote_currencies is emptied). Sets
// *rate_micros to the rate used (0: none). INVALID_ARGUMENT when the policy neither is in nor
// names the currency, saying what to add.
absl::StatusOr<ReturnPolicy> PolicyInCurrency(const ReturnPolicy& policy,
                                              absl::string_view currency,
                                              int64_t* rate_micros = nullptr);

// EU member states plus the EEA states the consumer-rights directive also binds (IS, LI, NO).
// GB/UK is not in it.
bool IsEuCountry(absl::string_view country_code);

// The ISO country of a marketplace site: "UK" is GB, every other site code is its country.
std::string SiteCountry(absl::string_view site);

// The zone a site's return windows count days on when the buyer's is unknown.
using ::aftersales::SiteTimeZone;

// The defaults of DOMAIN.md for a marketplace site. Sites and currencies:
//   US USD, CA CAD, MX MXN, BR BRL, UK GBP, JP JPY, AU AUD, SG SGD, AE AED, SA SAR, IN INR,
//   TR TRY; EU sites DE FR IT ES NL BE IE AT EUR, SE SEK, PL PLN;
//   empty or any other site: USD, no EU rules unless the site code is an EU country.
// Money defaults are round figures in the site currency, not exchange-rate conversions: the
// insured-label threshold is 100 "units" (100.00 USD/EUR/GBP/CAD/AUD/SGD, 15000 JPY,
// 1000.00 SEK, ...), the low-value and Amazon returnless thresholds 25 units.
// EU sites get eu_withdrawal_rights; every marketplace's window is 30 days (Amazon EU too).
// Category rules: digital, gift cards, customized and hazmat take no buyer-remorse returns
// (hazmat is not shipped back at all); baby has a 90-day window and takes opened-unused items at
// worst; automotive, jewelry and watches take opened-unused at worst (installed or worn is not
// returnable); collectibles only unopened (seal and authentication intact).
// EU non-withdrawable: customized always; digital (audio, video, software) and beauty (hygiene)
// once unsealed.
// The carrier rate table holds the site country's domestic route and its routes to and from CN
// (the last prices a replacement's freight); none for an empty site. Default prices, in units:
// domestic 6.00 (500 g), 8.00 (1 kg), 11.00 (2 kg), 16.00 (5 kg), 25.00 (10 kg), 40.00 (20 kg);
// to or from CN 18.00, 26.00, 40.00, 80.00, 140.00, 250.00 for the same brackets.
// A site with no defaults of its own (none: AliExpress, Shopify) takes `currency`, the store's,
// when given.
ReturnPolicy DefaultReturnPolicy(Marketplace marketplace, absl::string_view site,
                                 absl::string_view currency = "");

// OK, or INVALID_ARGUMENT naming the field at fault (its API name, e.g. "return_window_days",
// "carrier_rates[1].brackets[2].max_grams"): negative money, a currency other than
// currency_code, percents outside 0..100, windows outside their range (eu_withdrawal_days is at
// least the legal 14), malformed country codes, duplicate categories or routes, brackets not
// strictly increasing.
absl::Status ValidateReturnPolicy(const ReturnPolicy& policy);

}  // namespace aftersales::returns
