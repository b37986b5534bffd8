#include "common/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "absl/time/clock.h"

namespace aftersales {

std::string SecureRandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t filled = 0;
  while (filled < n) {
    // getrandom draws from the kernel's CSPRNG; it blocks only before the pool is first seeded.
    const ssize_t got = getrandom(out.data() + filled, n - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // No randomness means ids an attacker could guess: stop rather than hand those out.
      std::abort();
    }
    filled += static_cast<size_t>(got);
  }
  return out;
}

std::string NewId(absl::string_view prefix) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()));
  const std::string random = SecureRandomBytes(10);  // 80 bits
  uint64_t high = 0;
  uint16_t low = 0;
  std::memcpy(&high, random.data(), 8);
  std::memcpy(&low, random.data() + 8, 2);
  std::string out(prefix);
  out += '_';
  // 10 characters of time (50 bits, top 2 zero), 16 of randomness (80 bits).
  for (int shift = 45; shift >= 0; shift -= 5) out += kAlphabet[(millis >> shift) & 31];
  for (int i = 0; i < 12; ++i) out += kAlphabet[(high >> (i * 5)) & 31];
  for (int i = 0; i < 4; ++i) out += kAlphabet[(low >> (i * 5)) & 31];
  return out;
}

}  // namespace aftersales
