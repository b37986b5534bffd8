#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftersales {

// Page tokens a client cannot forge or carry to another query (it can decode them: they hold a
// place in a list, nothing secret). A token is the list's own
// cursor (whatever bytes the list needs to go on) with an HMAC-SHA256 over the cursor and the
// query it belongs to, under a key of the service's. A token changed by a byte, made up, or
// sent with other filters than the ones it was issued for is refused with INVALID_ARGUMENT.
class PageTokenSigner {
 public:
  // key: the secret every replica of the service shares (--page_token_key), so a token issued
  // by one is good at another and after a restart.
  explicit PageTokenSigner(std::string key) : key_(std::move(key)) {}

  // query: a fingerprint of the request's filters (everything but the token and page size).
  std::string Sign(absl::string_view cursor, absl::string_view query) const;
  // The cursor inside token, or INVALID_ARGUMENT naming page_token.
  absl::StatusOr<std::string> Open(absl::string_view token, absl::string_view query) const;

 private:
  std::string Mac(absl::string_view cursor, absl::string_view query) const;

  std::string key_;
};

// 32 random bytes from the kernel's CSPRNG, hex: a key for a process that was given none.
std::string RandomKey();

}  // namespace aftersales
