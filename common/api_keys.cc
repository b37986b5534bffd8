#include "common/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace aftersales {
namespace {

constexpr size_t kKeyIdLength = 16;
constexpr size_t kSecretBytes = 32;

absl::Status NotAKey() {
  return absl::UnauthenticatedError("not an API key (ak_<id>_<secret>)");
}

}  // namespace

ApiKeyParts NewApiKey() {
  return {absl::BytesToHexString(SecureRandomBytes(kKeyIdLength / 2)),
          absl::WebSafeBase64Escape(SecureRandomBytes(kSecretBytes))};
}

std::string FormatApiKey(const ApiKeyParts& key) {
  return absl::StrCat(kApiKeyPrefix, key.key_id, "_", key.secret);
}

absl::StatusOr<ApiKeyParts> ParseApiKey(absl::string_view text) {
  if (!absl::StartsWith(text, kApiKeyPrefix) || text.size() > 128) return NotAKey();
  text.remove_prefix(kApiKeyPrefix.size());
  if (text.size() < kKeyIdLength + 2 || text[kKeyIdLength] != '_') return NotAKey();
  ApiKeyParts parts{std::string(text.substr(0, kKeyIdLength)),
                    std::string(text.substr(kKeyIdLength + 1))};
  for (char c : parts.key_id) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return NotAKey();
  }
  for (char c : parts.secret) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return NotAKey();
  }
  return parts;
}

std::string HashApiKeySecret(absl::string_view secret) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

bool ApiKeySecretMatches(absl::string_view stored_sha256, absl::string_view secret) {
  const std::string hash = HashApiKeySecret(secret);
  return stored_sha256.size() == hash.size() &&
         CRYPTO_memcmp(stored_sha256.data(), hash.data(), hash.size()) == 0;
}

}  // namespace aftersales
