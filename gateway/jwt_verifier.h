#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/identity.h"

namespace aftersales::gateway {

// The public keys people's tokens are signed with, by key id, from a JWKS document (RFC 7517):
// RSA keys for RS256 and P-256 keys for ES256. Keys of other types or uses are skipped.
class JwtKeySet {
 public:
  struct Key {
    std::string alg;  // "RS256" or "ES256"
    std::string pem;  // SubjectPublicKeyInfo, as libjwt takes it
  };
  // INVALID_ARGUMENT naming what is wrong: not JSON, no "keys", a key without kid, a malformed
  // modulus or point, no usable key at all.
  static absl::StatusOr<JwtKeySet> FromJwks(absl::string_view json);
  const Key* Find(absl::string_view kid) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Key, std::less<>> keys_;
};

struct JwtRules {
  // "iss" must equal it, and "aud" (a string or a list) contain audience.
  std::string issuer = {};
  std::string audience = {};
  // Slack for clocks that differ between the identity provider and us, on exp and nbf.
  absl::Duration clock_skew = absl::Seconds(60);
  // HS256 with this secret, for development only (the gateway allows it in development mode).
  std::string hs256_secret = {};
};

// Checks people's bearer tokens (JWT) with libjwt: the header's alg must be the one of the key
// its kid names (so "none", or HS256 signed with a public key, never passes), the signature
// good, exp in the future and nbf in the past (within clock_skew), iss and aud ours. The claims
// give the caller: "sub" the principal, "role" one of agent, supervisor, admin, service, and
// "stores" a list of store ids or "*".
class JwtVerifier {
 public:
  explicit JwtVerifier(JwtRules rules) : rules_(std::move(rules)) {}

  // Replaces the key set; calls in progress keep the one they started with.
  void SetKeys(std::shared_ptr<const JwtKeySet> keys);
  // UNAUTHENTICATED with a message fit for WWW-Authenticate's error_description. A token seen
  // before is answered from memory while unexpired.
  absl::StatusOr<Caller> Verify(absl::string_view token, absl::Time now) const;

 private:
  std::shared_ptr<const JwtKeySet> Keys() const;
  absl::StatusOr<Caller> VerifyUncached(absl::string_view token, absl::Time now,
                                        absl::Time& expires) const;

  JwtRules rules_;
  mutable std::mutex mu_;
  std::shared_ptr<const JwtKeySet> keys_;
  // Tokens already verified, until their exp: a client sends the same token with every request,
  // and checking an RS256 signature (libjwt parses the PEM key each time) is most of what a GET
  // costs the gateway. Emptied when the keys change, so a withdrawn key's tokens stop at once;
  // emptied when full, so a flood of distinct tokens costs memory only up to the cap.
  struct Verified {
    Caller caller;
    absl::Time expires;
  };
  mutable absl::flat_hash_map<std::string, Verified> verified_;
  uint64_t key_generation_ = 0;
  static constexpr size_t kMaxVerified = 10000;
};

// Reads a JWKS file into a verifier, and again whenever the file changes (its modification time
// or size), so keys rotate without a restart: an identity provider publishes the next key
// before it signs with it. A file that cannot be read or parsed keeps the keys already loaded,
// with a warning.
class JwksFileWatcher {
 public:
  // INVALID_ARGUMENT when the file cannot be read or holds no usable key at start.
  static absl::StatusOr<std::unique_ptr<JwksFileWatcher>> Start(std::string path,
                                                                 JwtVerifier& verifier);
  // Rereads the file when it changed since the last look; true when new keys were loaded.
  bool Refresh();

 private:
  JwksFileWatcher(std::string path, JwtVerifier& verifier)
      : path_(std::move(path)), verifier_(verifier) {}

  std::string path_;
  JwtVerifier& verifier_;
  int64_t seen_mtime_ns_ = -1;
  int64_t seen_size_ = -1;
};

}  // namespace aftersales::gateway
