#include "common/money.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace aftersales {

int MinorUnitDigits(absl::string_view currency_code) {
  // ISO 4217 currencies whose minor unit is not the hundredth.
  static constexpr std::array<absl::string_view, 16> kZero = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
      "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF"};
  static constexpr std::array<absl::string_view, 7> kThree = {"BHD", "IQD", "JOD", "KWD",
                                                              "LYD", "OMR", "TND"};
  for (absl::string_view c : kZero) {
    if (c == currency_code) return 0;
  }
  for (absl::string_view c : kThree) {
    if (c == currency_code) return 3;
  }
  return 2;
}

void AppendAmount(std::string* out, int64_t amount_minor, absl::string_view currency_code) {
  const int digits = MinorUnitDigits(currency_code);
  // Magnitude as unsigned so that INT64_MIN formats too.
  const bool negative = amount_minor < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(amount_minor) : static_cast<uint64_t>(amount_minor);
  if (negative) out->push_back('-');
  if (digits == 0) {
    absl::StrAppend(out, magnitude, " ", currency_code);
    return;
  }
  const uint64_t scale = digits == 3 ? 1000 : 100;
  const uint64_t fraction = magnitude % scale;
  absl::StrAppend(out, magnitude / scale, ".");
  if (digits == 3 && fraction < 100) out->push_back('0');
  if (fraction < 10) out->push_back('0');
  absl::StrAppend(out, fraction, " ", currency_code);
}

std::string FormatAmount(int64_t amount_minor, absl::string_view currency_code) {
  std::string out;
  AppendAmount(&out, amount_minor, currency_code);
  return out;
}

}  // namespace aftersales
