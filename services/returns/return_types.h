#pragma once

// The vocabulary of the returns rules: money, the enums the API shares, and the explained-rule
// record every decision carries. Plain C++: no protobuf, no gRPC, no SQL.
//
// Enum values are the API's (proto) value names in kCamelCase, one word per underscore-separated
// part: PREPAID_INSURED is kPrepaidInsured, ALIEXPRESS is kAliexpress. The proto's *_UNSPECIFIED
// has no counterpart here: a handler maps value v (v >= 1) to static_cast<E>(v - 1) and
// validation rejects what is not IsKnown() (UNSPECIFIED becomes -1 and is rejected).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/money.h"

namespace aftersales::returns {

// A sum of money: integer minor units (cents, pence, yen) of an ISO 4217 currency. Never a float.
struct Money {
  int64_t amount_minor = 0;
  std::string currency_code;

  friend bool operator==(const Money&, const Money&) = default;
};

enum class Marketplace { kAmazon, kAliexpress, kEbay, kShopify };

enum class Fulfillment {
  kMerchant,  // the seller ships and handles the return
  kPlatform,  // the platform ships and handles the return (Amazon FBA)
};

enum class ProductCategory {
  kGeneral,
  kElectronics,
  kApparel,
  kHome,
  kBeauty,
  kToys,
  kAutomotive,
  kBaby,
  kCollectibles,
  kDigital,
  kGiftCard,
  kCustomized,
  kHazmat,
  kJewelry,
  kWatches,
};

enum class ReturnReason {
  kDefective,
  kNotAsDescribed,
  kWrongItem,
  kMissingParts,
  kDamagedInTransit,
  kNoLongerNeeded,
  kOrderedByMistake,
  kBetterPriceFound,
};

// Ordered from best to worst: a later value is a worse condition.
enum class ItemCondition { kUnopened, kOpenedUnused, kUsed, kDamaged };

enum class Payer { kSeller, kBuyer, kShared, kNone };

enum class LabelType { kPrepaidInsured, kPrepaid, kBuyerArranged, kNone };

enum class Disposition {
  kReturnToLocalAddress,
  kReturnToWarehouse,
  kReturnToOrigin,
  kReturnlessRefund,
  kAbandonAndRefund,
  kReplaceAndReturn,
  kPartialRefundKeep,
};

// The API (proto) name of a value: "AMAZON", "PREPAID_INSURED". "UNKNOWN" for a value outside the
// enum.
absl::string_view EnumName(Marketplace value);
absl::string_view EnumName(Fulfillment value);
absl::string_view EnumName(ProductCategory value);
absl::string_view EnumName(ReturnReason value);
absl::string_view EnumName(ItemCondition value);
absl::string_view EnumName(Payer value);
absl::string_view EnumName(LabelType value);
absl::string_view EnumName(Disposition value);

// True for a declared value; false for an integer cast into the enum from the wire.
bool IsKnown(Marketplace value);
bool IsKnown(Fulfillment value);
bool IsKnown(ProductCategory value);
bool IsKnown(ReturnReason value);
bool IsKnown(ItemCondition value);

// One rule that shaped a decision. `id` is stable (clients and tests key on it) and points at a
// string constant with static storage; `sentence` is for a buyer-facing agent, with the numbers.
struct FiredRule {
  absl::string_view id;
  std::string sentence;
};

// The largest amount any input may carry: with quantities up to 10^4 it keeps price x quantity
// x 100 inside int64.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000;

// OK, or INVALID_ARGUMENT naming `field`: currency not three upper-case letters, amount above
// kMaxAmountMinor in magnitude, or negative unless allow_negative.
absl::Status ValidateMoney(absl::string_view field, const Money& money,
                           bool allow_negative = false);

// False for an unset timestamp: one before 2000-01-01 (an unset proto Timestamp arrives as the
// Unix epoch) or an infinity.
bool IsSetTime(absl::Time t);

using ::aftersales::MinorUnitDigits;

// "25.00 USD", "15000 JPY", "-1.50 EUR".
std::string FormatMoney(const Money& money);
void AppendMoney(std::string* out, const Money& money);

// percent% of amount, in integer arithmetic. Floor rounds toward negative infinity, Ceil toward
// positive infinity. |amount| * 100 must fit in int64 (validation keeps amounts below 10^16).
int64_t PercentOfFloor(int64_t amount, int percent);
int64_t PercentOfCeil(int64_t amount, int percent);

}  // namespace aftersales::returns
