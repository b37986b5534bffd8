#include "services/returns/return_types.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "common/money.h"
#include "common/validation.h"

namespace aftersales::returns {
namespace {

template <typename E, size_t N>
absl::string_view NameFrom(const std::array<absl::string_view, N>& names, E value) {
  const auto i = static_cast<int>(value);
  return i >= 0 && static_cast<size_t>(i) < N ? names[static_cast<size_t>(i)] : "UNKNOWN";
}

template <typename E, size_t N>
bool KnownIn(const std::array<absl::string_view, N>&, E value) {
  const auto i = static_cast<int>(value);
  return i >= 0 && static_cast<size_t>(i) < N;
}

constexpr std::array<absl::string_view, 4> kMarketplaceNames = {"AMAZON", "ALIEXPRESS", "EBAY",
                                                                "SHOPIFY"};
constexpr std::array<absl::string_view, 2> kFulfillmentNames = {"MERCHANT", "PLATFORM"};
constexpr std::array<absl::string_view, 15> kCategoryNames = {
    "GENERAL",   "ELECTRONICS", "APPAREL", "HOME",         "BEAUTY",
    "TOYS",      "AUTOMOTIVE",  "BABY",    "COLLECTIBLES", "DIGITAL",
    "GIFT_CARD", "CUSTOMIZED",  "HAZMAT",  "JEWELRY",      "WATCHES"};
constexpr std::array<absl::string_view, 8> kReasonNames = {
    "DEFECTIVE",          "NOT_AS_DESCRIBED", "WRONG_ITEM",         "MISSING_PARTS",
    "DAMAGED_IN_TRANSIT", "NO_LONGER_NEEDED", "ORDERED_BY_MISTAKE", "BETTER_PRICE_FOUND"};
constexpr std::array<absl::string_view, 4> kConditionNames = {"UNOPENED", "OPENED_UNUSED", "USED",
                                                              "DAMAGED"};
constexpr std::array<absl::string_view, 4> kPayerNames = {"SELLER", "BUYER", "SHARED", "NONE"};
constexpr std::array<absl::string_view, 4> kLabelNames = {"PREPAID_INSURED", "PREPAID",
                                                          "BUYER_ARRANGED", "NONE"};
constexpr std::array<absl::string_view, 7> kDispositionNames = {
    "RETURN_TO_LOCAL_ADDRESS", "RETURN_TO_WAREHOUSE", "RETURN_TO_ORIGIN",   "RETURNLESS_REFUND",
    "ABANDON_AND_REFUND",      "REPLACE_AND_RETURN",  "PARTIAL_REFUND_KEEP"};

}  // namespace

absl::string_view EnumName(Marketplace v) { return NameFrom(kMarketplaceNames, v); }
absl::string_view EnumName(Fulfillment v) { return NameFrom(kFulfillmentNames, v); }
absl::string_view EnumName(ProductCategory v) { return NameFrom(kCategoryNames, v); }
absl::string_view EnumName(ReturnReason v) { return NameFrom(kReasonNames, v); }
absl::string_view EnumName(ItemCondition v) { return NameFrom(kConditionNames, v); }
absl::string_view EnumName(Payer v) { return NameFrom(kPayerNames, v); }
absl::string_view EnumName(LabelType v) { return NameFrom(kLabelNames, v); }
absl::string_view EnumName(Disposition v) { return NameFrom(kDispositionNames, v); }

bool IsKnown(Marketplace v) { return KnownIn(kMarketplaceNames, v); }
bool IsKnown(Fulfillment v) { return KnownIn(kFulfillmentNames, v); }
bool IsKnown(ProductCategory v) { return KnownIn(kCategoryNames, v); }
bool IsKnown(ReturnReason v) { return KnownIn(kReasonNames, v); }
bool IsKnown(ItemCondition v) { return KnownIn(kConditionNames, v); }

absl::Status ValidateMoney(absl::string_view field, const Money& money, bool allow_negative) {
  if (absl::Status s = ValidateCurrency(absl::StrCat(field, ".currency_code"), money.currency_code);
      !s.ok()) {
    return s;
  }
  if (money.amount_minor < 0 && !allow_negative) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", FormatMoney(money), " must not be negative"));
  }
  if (money.amount_minor > kMaxAmountMinor || money.amount_minor < -kMaxAmountMinor) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", money.amount_minor,
                                                   " minor units is beyond the ceiling of ",
                                                   kMaxAmountMinor));
  }
  return absl::OkStatus();
}

bool IsSetTime(absl::Time t) {
  constexpr absl::Time kEarliest = absl::FromUnixSeconds(946'684'800);  // 2000-01-01T00:00:00Z
  return t >= kEarliest && t != absl::InfiniteFuture();
}

void AppendMoney(std::string* out, const Money& money) {
  AppendAmount(out, money.amount_minor, money.currency_code);
}

std::string FormatMoney(const Money& money) {
  std::string out;
  AppendMoney(&out, money);
  return out;
}

int64_t PercentOfFloor(int64_t amount, int percent) {
  const int64_t product = amount * percent;
  int64_t quotient = product / 100;
  if (product % 100 != 0 && product < 0) --quotient;
  return quotient;
}

int64_t PercentOfCeil(int64_t amount, int percent) {
  const int64_t product = amount * percent;
  int64_t quotient = product / 100;
  if (product % 100 != 0 && product > 0) ++quotient;
  return quotient;
}

}  // namespace aftersales::returns
