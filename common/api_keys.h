#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftersales {

// An API key as automation sends it: "ak_<key_id>_<secret>", key_id 16 hex digits, secret 32
// random bytes in base64url. Only SHA-256 of the secret is ever stored: a stolen database
// yields no key, and a random 256-bit secret needs no slow hash to resist guessing.
struct ApiKeyParts {
  std::string key_id;
  std::string secret;
};

inline constexpr absl::string_view kApiKeyPrefix = "ak_";

// A new key from the kernel's CSPRNG.
ApiKeyParts NewApiKey();
std::string FormatApiKey(const ApiKeyParts& key);
// UNAUTHENTICATED when text is not shaped like a key.
absl::StatusOr<ApiKeyParts> ParseApiKey(absl::string_view text);
// SHA-256 of the secret, 32 raw bytes.
std::string HashApiKeySecret(absl::string_view secret);
// Whether secret hashes to stored_sha256, in time independent of where they differ.
bool ApiKeySecretMatches(absl::string_view stored_sha256, absl::string_view secret);

}  // namespace aftersales
