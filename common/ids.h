#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace aftersales {

// A new id: prefix, '_', then 26 Crockford base-32 characters (48 bits of milliseconds since
// the epoch, 80 random bits from the kernel's CSPRNG: ids are not guessable from one another). Ids sort by creation time, which keeps InnoDB's primary-key
// inserts at the right edge of the index.
std::string NewId(absl::string_view prefix);

// n bytes from the kernel's cryptographically secure generator (getrandom).
std::string SecureRandomBytes(size_t n);

}  // namespace aftersales
