#include "common/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace aftersales {
namespace {

// 128 bits of the MAC: as strong against forgery as a client can ever try, half the length.
constexpr size_t kMacBytes = 16;

absl::Status NotOurs() {
  return absl::InvalidArgumentError(
      "page_token: not a token this list issued for these filters; start again without one");
}

}  // namespace

std::string PageTokenSigner::Mac(absl::string_view cursor, absl::string_view query) const {
  // Length-prefixed, so that no cursor/query split can collide with another.
  const std::string message = absl::StrCat(cursor.size(), ":", cursor, query);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &out_len);
  return std::string(reinterpret_cast<const char*>(out), kMacBytes);
}

std::string PageTokenSigner::Sign(absl::string_view cursor, absl::string_view query) const {
  return absl::WebSafeBase64Escape(absl::StrCat(Mac(cursor, query), cursor));
}

absl::StatusOr<std::string> PageTokenSigner::Open(absl::string_view token,
                                                  absl::string_view query) const {
  std::string raw;
  if (token.size() > 4096 || !absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() <= kMacBytes) {
    return NotOurs();
  }
  // One token per cursor: base64's unused low bits in the last character, or padding, would
  // otherwise let an altered token pass as the same one.
  if (absl::WebSafeBase64Escape(raw) != token) return NotOurs();
  const std::string cursor = raw.substr(kMacBytes);
  const std::string expected = Mac(cursor, query);
  if (CRYPTO_memcmp(expected.data(), raw.data(), kMacBytes) != 0) return NotOurs();
  return cursor;
}

std::string RandomKey() { return absl::BytesToHexString(SecureRandomBytes(32)); }

}  // namespace aftersales
