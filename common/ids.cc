#include "common/ids.h"

#include <cstdint>
#include <random>

#include "absl/time/clock.h"

namespace aftersales {

std::string NewId(absl::string_view prefix) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  thread_local std::mt19937_64 random{std::random_device{}()};
  const uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()));
  const uint64_t high = random();
  const uint64_t low = random();
  std::string out(prefix);
  out += '_';
  // 10 characters of time (50 bits, top 2 zero), 16 of randomness (80 bits).
  for (int shift = 45; shift >= 0; shift -= 5) out += kAlphabet[(millis >> shift) & 31];
  for (int i = 0; i < 12; ++i) out += kAlphabet[(high >> (i * 5)) & 31];
  for (int i = 0; i < 4; ++i) out += kAlphabet[(low >> (i * 5)) & 31];
  return out;
}

}  // namespace aftersales
