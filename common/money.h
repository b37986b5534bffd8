#pragma once

// Amounts of money as integer minor units of an ISO 4217 currency, and how people read them.
// One table of minor units for every service: a yen amount never shows cents anywhere.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace aftersales {

// Digits after the decimal point of a currency's minor unit: 0 for JPY, KRW, ...; 3 for BHD,
// KWD, ...; 2 otherwise.
int MinorUnitDigits(absl::string_view currency_code);

// "25.00 USD", "15000 JPY", "-1.050 KWD": integer arithmetic, never a float.
void AppendAmount(std::string* out, int64_t amount_minor, absl::string_view currency_code);
std::string FormatAmount(int64_t amount_minor, absl::string_view currency_code);

}  // namespace aftersales
