#include "common/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

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
  const std::string random = SecureRandomBytes(10);  // 80 bits: 16 characters of 5
  std::string out(prefix);
  out += '_';
  // 10 characters of time (50 bits, top 2 zero), then the random bits 5 at a time.
  for (int shift = 45; shift >= 0; shift -= 5) out += kAlphabet[(millis >> shift) & 31];
  for (int bit = 0; bit < 80; bit += 5) {
    const int byte = bit / 8;
    const int offset = bit % 8;
    // 5 bits may straddle two bytes.
    const unsigned pair = static_cast<unsigned char>(random[byte]) |
                          (byte + 1 < 10 ? static_cast<unsigned char>(random[byte + 1]) << 8 : 0u);
    out += kAlphabet[(pair >> offset) & 31];
  }
  return out;
}

}  // namespace aftersales
