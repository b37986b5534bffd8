#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace aftersales {

// A new id: prefix, '_', then 26 Crockford base-32 characters (48 bits of milliseconds since
// the epoch, 80 random bits). Ids sort by creation time, which keeps InnoDB's primary-key
// inserts at the right edge of the index.
std::string NewId(absl::string_view prefix);

}  // namespace aftersales
