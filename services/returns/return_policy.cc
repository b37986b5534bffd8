#include "services/returns/return_policy.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/validation.h"

namespace aftersales::returns {
namespace {

struct SiteDefaults {
  absl::string_view site;
  absl::string_view currency;
  // Minor units of the site currency per default "unit" (the defaults are written in units:
  // 100 units insured threshold, 25 units low value). Round figures, not exchange rates.
  int64_t unit_minor;
};

constexpr std::array<SiteDefaults, 22> kSites = {{
    {"US", "USD", 100},  {"CA", "CAD", 100}, {"MX", "MXN", 2000}, {"BR", "BRL", 500},
    {"UK", "GBP", 100},  {"JP", "JPY", 150}, {"AU", "AUD", 100},  {"SG", "SGD", 100},
    {"AE", "AED", 400},  {"SA", "SAR", 400}, {"IN", "INR", 8000}, {"TR", "TRY", 3000},
    {"DE", "EUR", 100},  {"FR", "EUR", 100}, {"IT", "EUR", 100},  {"ES", "EUR", 100},
    {"NL", "EUR", 100},  {"BE", "EUR", 100}, {"IE", "EUR", 100},  {"AT", "EUR", 100},
    {"SE", "SEK", 1000}, {"PL", "PLN", 400},
}};

constexpr std::array<absl::string_view, 30> kEuCountries = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};

// Default label prices in hundredths of a unit, per weight bracket.
constexpr std::array<std::pair<int64_t, int64_t>, 6> kDomesticRate = {
    {{500, 600}, {1000, 800}, {2000, 1100}, {5000, 1600}, {10000, 2500}, {20000, 4000}}};
constexpr std::array<std::pair<int64_t, int64_t>, 6> kToOriginRate = {
    {{500, 1800}, {1000, 2600}, {2000, 4000}, {5000, 8000}, {10000, 14000}, {20000, 25000}}};

Money Units(const SiteDefaults& site, int64_t hundredths) {
  return Money{hundredths * site.unit_minor / 100, std::string(site.currency)};
}

template <size_t N>
CarrierRate Route(const SiteDefaults& site, std::string from, std::string to,
                  const std::array<std::pair<int64_t, int64_t>, N>& table) {
  CarrierRate rate{std::move(from), std::move(to), {}};
  for (const auto& [grams, hundredths] : table) {
    rate.brackets.push_back(WeightBracket{grams, Units(site, hundredths)});
  }
  return rate;
}

// One unit of a currency is worth at most a million of another (1 BTC-like unit in IDR, say).
constexpr int64_t kMaxRateMicros = 1'000'000'000'000;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status CheckRange(absl::string_view field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    return Invalid(field, absl::StrCat(value, " is outside ", lo, "..", hi));
  }
  return absl::OkStatus();
}

absl::Status CheckMoney(absl::string_view field, const Money& money, absl::string_view currency) {
  if (money.currency_code != currency) {
    return Invalid(field, absl::StrCat("currency '", money.currency_code,
                                       "' differs from the policy's currency_code ", currency));
  }
  return ValidateMoney(field, money);
}

absl::Status CheckCountries(absl::string_view field, const std::vector<std::string>& countries) {
  for (size_t i = 0; i < countries.size(); ++i) {
    const std::string name = absl::StrCat(field, "[", i, "]");
    if (absl::Status s = ValidateCountry(name, countries[i], true); !s.ok()) return s;
    for (size_t j = 0; j < i; ++j) {
      if (countries[j] == countries[i])
        return Invalid(name, absl::StrCat(countries[i], " is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCategoryRules(const ReturnPolicy& p) {
  for (size_t i = 0; i < p.category_rules.size(); ++i) {
    const CategoryRule& rule = p.category_rules[i];
    const std::string field = absl::StrCat("category_rules[", i, "]");
    if (!IsKnown(rule.category)) {
      return Invalid(absl::StrCat(field, ".category"),
                     absl::StrCat("unknown value ", static_cast<int>(rule.category)));
    }
    for (size_t j = 0; j < i; ++j) {
      if (p.category_rules[j].category == rule.category) {
        return Invalid(absl::StrCat(field, ".category"),
                       absl::StrCat(EnumName(rule.category), " has a rule already"));
      }
    }
    if (absl::Status s = CheckRange(absl::StrCat(field, ".window_days"), rule.window_days, 0, 365);
        !s.ok()) {
      return s;
    }
    if (!IsKnown(rule.worst_accepted_condition)) {
      return Invalid(
          absl::StrCat(field, ".worst_accepted_condition"),
          absl::StrCat("unknown value ", static_cast<int>(rule.worst_accepted_condition)));
    }
  }
  for (size_t i = 0; i < p.eu_non_withdrawable.size(); ++i) {
    const std::string field = absl::StrCat("eu_non_withdrawable[", i, "].category");
    const ProductCategory category = p.eu_non_withdrawable[i].category;
    if (!IsKnown(category)) {
      return Invalid(field, absl::StrCat("unknown value ", static_cast<int>(category)));
    }
    for (size_t j = 0; j < i; ++j) {
      if (p.eu_non_withdrawable[j].category == category) {
        return Invalid(field, absl::StrCat(EnumName(category), " is listed twice"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRates(const ReturnPolicy& p) {
  for (size_t i = 0; i < p.carrier_rates.size(); ++i) {
    const CarrierRate& rate = p.carrier_rates[i];
    const std::string field = absl::StrCat("carrier_rates[", i, "]");
    if (absl::Status s =
            ValidateCountry(absl::StrCat(field, ".origin_country"), rate.origin_country, true);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ValidateCountry(absl::StrCat(field, ".destination_country"),
                                         rate.destination_country, true);
        !s.ok()) {
      return s;
    }
    for (size_t j = 0; j < i; ++j) {
      if (p.carrier_rates[j].origin_country == rate.origin_country &&
          p.carrier_rates[j].destination_country == rate.destination_country) {
        return Invalid(field, absl::StrCat("the route ", rate.origin_country, " to ",
                                           rate.destination_country, " is listed twice"));
      }
    }
    if (rate.brackets.empty()) return Invalid(absl::StrCat(field, ".brackets"), "is required");
    int64_t previous = 0;
    for (size_t k = 0; k < rate.brackets.size(); ++k) {
      const WeightBracket& bracket = rate.brackets[k];
      const std::string name = absl::StrCat(field, ".brackets[", k, "]");
      if (bracket.max_grams <= previous) {
        return Invalid(absl::StrCat(name, ".max_grams"),
                       absl::StrCat(bracket.max_grams, " must be above ", previous,
                                    " (brackets go up in weight)"));
      }
      previous = bracket.max_grams;
      if (absl::Status s = CheckMoney(absl::StrCat(name, ".price"), bracket.price, p.currency_code);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckQuoteCurrencies(const ReturnPolicy& p) {
  for (size_t i = 0; i < p.quote_currencies.size(); ++i) {
    const QuoteCurrency& q = p.quote_currencies[i];
    const std::string field = absl::StrCat("quote_currencies[", i, "]");
    if (absl::Status s = ValidateCurrency(absl::StrCat(field, ".currency_code"), q.currency_code);
        !s.ok()) {
      return s;
    }
    if (q.currency_code == p.currency_code) {
      return Invalid(absl::StrCat(field, ".currency_code"),
                     absl::StrCat(q.currency_code, " is the policy's own currency; it needs no rate"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (p.quote_currencies[j].currency_code == q.currency_code) {
        return Invalid(absl::StrCat(field, ".currency_code"),
                       absl::StrCat(q.currency_code, " is named twice"));
      }
    }
    if (q.rate_micros <= 0 || q.rate_micros > kMaxRateMicros) {
      return Invalid(absl::StrCat(field, ".rate"), "must be above 0 and at most 1000000");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> ParseRateMicros(absl::string_view field, absl::string_view rate) {
  const auto bad = [&] {
    return Invalid(field, absl::StrCat("'", rate,
                                       "' is not a rate like \"0.92\" (a positive decimal with "
                                       "at most 6 places, at most 1000000)"));
  };
  const size_t point = rate.find('.');
  const absl::string_view whole = rate.substr(0, point);
  const absl::string_view fraction =
      point == absl::string_view::npos ? absl::string_view() : rate.substr(point + 1);
  if (whole.empty() || whole.size() > 7 || fraction.size() > 6 ||
      (point != absl::string_view::npos && fraction.empty())) {
    return bad();
  }
  int64_t micros = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return bad();
    micros = micros * 10 + (c - '0');
  }
  for (size_t i = 0; i < 6; ++i) {
    const char c = i < fraction.size() ? fraction[i] : '0';
    if (c < '0' || c > '9') return bad();
    micros = micros * 10 + (c - '0');
  }
  if (micros <= 0 || micros > kMaxRateMicros) return bad();
  return micros;
}

std::string FormatRateMicros(int64_t rate_micros) {
  std::string fraction = absl::StrCat(1'000'000 + rate_micros % 1'000'000).substr(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? absl::StrCat(rate_micros / 1'000'000)
                          : absl::StrCat(rate_micros / 1'000'000, ".", fraction);
}

Money ConvertMoney(const Money& money, absl::string_view to, int64_t rate_micros) {
  // minor_to = minor_from x rate / 10^6 x 10^digits(to) / 10^digits(from), in 128 bits so that
  // the largest amount times the largest rate cannot overflow.
  __int128 numerator = static_cast<__int128>(money.amount_minor) * rate_micros;
  __int128 denominator = 1'000'000;
  for (int i = 0; i < MinorUnitDigits(to); ++i) numerator *= 10;
  for (int i = 0; i < MinorUnitDigits(money.currency_code); ++i) denominator *= 10;
  const bool negative = numerator < 0;
  if (negative) numerator = -numerator;
  __int128 converted = (numerator + denominator / 2) / denominator;
  // Beyond the largest amount any input may carry, a threshold means "never"; keep it in range.
  if (converted > kMaxAmountMinor) converted = kMaxAmountMinor;
  if (negative) converted = -converted;
  return Money{static_cast<int64_t>(converted), std::string(to)};
}

absl::StatusOr<ReturnPolicy> PolicyInCurrency(const ReturnPolicy& policy,
                                              absl::string_view currency,
                                              int64_t* rate_micros) {
  if (rate_micros != nullptr) *rate_micros = 0;
  if (currency == policy.currency_code) return policy;
  const auto named = std::find_if(policy.quote_currencies.begin(), policy.quote_currencies.end(),
                                  [&](const QuoteCurrency& q) { return q.currency_code == currency; });
  if (named == policy.quote_currencies.end()) {
    std::string also;
    for (const QuoteCurrency& q : policy.quote_currencies) absl::StrAppend(&also, ", ", q.currency_code);
    return Invalid("item_price",
                   absl::StrCat("currency ", currency, " is not one this policy quotes in (",
                                policy.currency_code, also,
                                "); an admin can add it to the policy's quote_currencies with "
                                "its rate"));
  }
  const int64_t rate = named->rate_micros;
  if (rate_micros != nullptr) *rate_micros = rate;
  ReturnPolicy out = policy;
  const auto convert = [&](Money& m) { m = ConvertMoney(m, currency, rate); };
  convert(out.insured_label_threshold);
  convert(out.low_value_threshold);
  convert(out.amazon_returnless_threshold);
  for (CarrierRate& route : out.carrier_rates) {
    for (WeightBracket& bracket : route.brackets) convert(bracket.price);
  }
  out.currency_code = std::string(currency);
  out.quote_currencies.clear();
  return out;
}

bool IsEuCountry(absl::string_view country_code) {
  return std::find(kEuCountries.begin(), kEuCountries.end(), country_code) != kEuCountries.end();
}

std::string SiteCountry(absl::string_view site) {
  return site == "UK" ? std::string("GB") : std::string(site);
}

ReturnPolicy DefaultReturnPolicy(Marketplace marketplace, absl::string_view site,
                                 absl::string_view currency) {
  SiteDefaults defaults{site, "USD", 100};
  bool known_site = false;
  for (const SiteDefaults& known : kSites) {
    if (known.site == site) {
      defaults = known;
      known_site = true;
    }
  }
  // No site (AliExpress, a Shopify store) or an unknown one: the store's own currency, in round
  // units as a site of that currency has them, else one major unit.
  if (!known_site && !currency.empty()) {
    defaults.currency = currency;
    defaults.unit_minor = 1;
    for (int i = 0; i < MinorUnitDigits(currency); ++i) defaults.unit_minor *= 10;
    for (const SiteDefaults& known : kSites) {
      if (known.currency == currency) defaults.unit_minor = known.unit_minor;
    }
  }
  ReturnPolicy p;
  p.marketplace = marketplace;
  p.site = std::string(site);
  p.currency_code = std::string(defaults.currency);
  p.eu_withdrawal_rights = IsEuCountry(site);
  p.eu_non_withdrawable = {
      {ProductCategory::kCustomized, false},
      {ProductCategory::kDigital, true},
      {ProductCategory::kBeauty, true},
  };
  using C = ProductCategory;
  using I = ItemCondition;
  p.category_rules = {
      {C::kDigital, false, 0, I::kDamaged, true},
      {C::kGiftCard, false, 0, I::kDamaged, true},
      {C::kCustomized, false, 0, I::kDamaged, true},
      {C::kHazmat, false, 0, I::kDamaged, false},
      {C::kBaby, true, 90, I::kOpenedUnused, true},
      {C::kAutomotive, true, 0, I::kOpenedUnused, true},
      {C::kJewelry, true, 0, I::kOpenedUnused, true},
      {C::kWatches, true, 0, I::kOpenedUnused, true},
      {C::kCollectibles, true, 0, I::kUnopened, true},
  };
  p.insured_label_threshold = Units(defaults, 100'00);
  p.low_value_threshold = Units(defaults, 25'00);
  p.amazon_returnless_threshold = Units(defaults, 25'00);
  const std::string country = SiteCountry(site);
  if (!country.empty() && country != p.origin_country) {
    p.carrier_rates.push_back(Route(defaults, country, country, kDomesticRate));
    p.carrier_rates.push_back(Route(defaults, country, p.origin_country, kToOriginRate));
    // Outbound freight for a replacement, priced like the way back.
    p.carrier_rates.push_back(Route(defaults, p.origin_country, country, kToOriginRate));
  }
  return p;
}

absl::Status ValidateReturnPolicy(const ReturnPolicy& p) {
  if (!IsKnown(p.marketplace)) {
    return Invalid("marketplace", absl::StrCat("unknown value ", static_cast<int>(p.marketplace)));
  }
  if (!p.site.empty()) {
    if (absl::Status s = ValidateCountry("site", p.site, false); !s.ok()) return s;
  }
  if (absl::Status s = ValidateCurrency("currency_code", p.currency_code); !s.ok()) return s;
  const std::pair<absl::string_view, std::array<int64_t, 3>> ranges[] = {
      {"return_window_days", {p.return_window_days, 1, 365}},
      {"seller_fault_window_days", {p.seller_fault_window_days, 1, 730}},
      // The law's 14 days is a floor an admin cannot lower.
      {"eu_withdrawal_days", {p.eu_withdrawal_days, 14, 365}},
      // ... and its 14-day refund deadline a ceiling.
      {"eu_refund_within_days", {p.eu_refund_within_days, 1, 14}},
      {"late_return_days", {p.late_return_days, p.accept_late_returns ? 1 : 0, 365}},
      {"restocking_fee_percent.unopened", {p.restocking_fee_percent.unopened, 0, 100}},
      {"restocking_fee_percent.opened_unused", {p.restocking_fee_percent.opened_unused, 0, 100}},
      {"restocking_fee_percent.used", {p.restocking_fee_percent.used, 0, 100}},
      {"restocking_fee_percent.damaged", {p.restocking_fee_percent.damaged, 0, 100}},
      {"restocking_fee_percent.late_original_condition",
       {p.restocking_fee_percent.late_original_condition, 0, 100}},
      {"damaged_on_arrival_refund_percent", {p.damaged_on_arrival_refund_percent, 0, 100}},
      {"refund_after_receipt_business_days", {p.refund_after_receipt_business_days, 0, 30}},
  };
  for (const auto& [field, r] : ranges) {
    if (absl::Status s = CheckRange(field, r[0], r[1], r[2]); !s.ok()) return s;
  }
  if (p.respond_within <= absl::ZeroDuration() || p.respond_within > absl::Hours(24 * 30)) {
    return Invalid("respond_within",
                   absl::StrCat(absl::FormatDuration(p.respond_within), " is outside 1s..720h"));
  }
  const std::pair<absl::string_view, const Money*> money[] = {
      {"insured_label_threshold", &p.insured_label_threshold},
      {"low_value_threshold", &p.low_value_threshold},
      {"amazon_returnless_threshold", &p.amazon_returnless_threshold},
  };
  for (const auto& [field, m] : money) {
    if (absl::Status s = CheckMoney(field, *m, p.currency_code); !s.ok()) return s;
  }
  if (absl::Status s = ValidateCountry("origin_country", p.origin_country, true); !s.ok()) return s;
  if (absl::Status s = CheckCountries("local_return_countries", p.local_return_countries);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCountries("warehouse_countries", p.warehouse_countries); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCategoryRules(p); !s.ok()) return s;
  if (absl::Status s = CheckQuoteCurrencies(p); !s.ok()) return s;
  return CheckRates(p);
}

}  // namespace aftersales::returns
