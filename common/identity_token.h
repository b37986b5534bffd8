#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/identity.h"

namespace aftersales {

// gRPC metadata carrying who a call acts for, signed (IdentitySigner). Services believe nothing
// else: the x-aftersales-principal / -role / -stores metadata of old is ignored.
inline constexpr char kIdentityHeader[] = "x-aftersales-identity";

// How long a signed identity is good for. A token is made per call, so this only has to outlast
// one call and the clock differences between pods; a token that leaks is worthless soon after.
inline constexpr absl::Duration kIdentityLifetime = absl::Seconds(60);
inline constexpr absl::Duration kIdentityClockSkew = absl::Seconds(30);

// Signs and checks identity tokens with HMAC-SHA256 under a key every service and the gateway
// share (a Kubernetes Secret, --identity_key). HMAC rather than Ed25519: services also sign,
// when they call each other on a user's behalf, so every holder of the key signs anyway; one
// symmetric key is one secret to rotate instead of a key pair per service and a trust list.
//
// A token is "v1.<claims>.<mac>": claims are aftersales.common.v1.IdentityClaims, serialized and
// base64url-encoded; the MAC covers "v1.<claims>".
class IdentitySigner;

// Who a service is when it calls another on its own account (an outbox delivering, a sweeper):
// "<service>-service", role service, every store.
Caller ServiceCaller(absl::string_view service);

class IdentitySigner {
 public:
  // INVALID_ARGUMENT when the key is shorter than 32 characters (it could be guessed, and then
  // anyone could sign themselves admin). previous_key, when given (same rule), is accepted in
  // Verify but never signs: during a rotation pods that sign with the old key and pods that
  // sign with the new one both get through (k8s/README.md, "Rotating a secret").
  static absl::StatusOr<IdentitySigner> Create(std::string key, std::string issuer,
                                               std::string previous_key = "");

  std::string Sign(const Caller& caller, absl::Time now) const;
  // The caller a token names; UNAUTHENTICATED saying what is wrong with it (malformed, not
  // signed with our key, expired, issued in the future, a role that is none).
  absl::StatusOr<Caller> Verify(absl::string_view token, absl::Time now) const;

  const std::string& issuer() const { return issuer_; }

 private:
  IdentitySigner(std::string key, std::string issuer, std::string previous_key)
      : key_(std::move(key)), issuer_(std::move(issuer)), previous_key_(std::move(previous_key)) {}
  static std::string Mac(const std::string& key, absl::string_view signed_part);

  std::string key_;
  std::string issuer_;
  std::string previous_key_;
};

}  // namespace aftersales
