#include "common/identity_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aftersales/common/v1/common.pb.h"

namespace aftersales {
namespace {

namespace v1 = common::v1;

constexpr absl::string_view kVersion = "v1.";
// Far above any real caller (a few hundred stores), far below what gRPC's metadata limit allows.
constexpr size_t kMaxTokenBytes = 6 * 1024;

absl::Status Refused(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat(kIdentityHeader, ": ", why));
}

}  // namespace

Caller ServiceCaller(absl::string_view service) {
  Caller caller;
  caller.principal = absl::StrCat(service, "-service");
  caller.role = Role::kService;
  caller.all_stores = true;
  return caller;
}

absl::StatusOr<IdentitySigner> IdentitySigner::Create(std::string key, std::string issuer,
                                                     std::string previous_key) {
  if (key.size() < 32) {
    return absl::InvalidArgumentError(
        "identity_key must be at least 32 characters (the Secret every service and the gateway "
        "share; make one with: head -c 32 /dev/urandom | base64)");
  }
  if (!previous_key.empty() && previous_key.size() < 32) {
    return absl::InvalidArgumentError("identity_previous_key must be at least 32 characters, or empty");
  }
  return IdentitySigner(std::move(key), std::move(issuer), std::move(previous_key));
}

std::string IdentitySigner::Mac(const std::string& key, absl::string_view signed_part) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), out,
           &out_len) == nullptr ||
      out_len != 32) {
    // Never an empty MAC that an empty signature would match: fail closed.
    return std::string(32, '\0') + "unusable";
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string IdentitySigner::Sign(const Caller& caller, absl::Time now) const {
  v1::IdentityClaims claims;
  claims.set_principal(caller.principal);
  claims.set_role(static_cast<v1::AccessRole>(ToAccessRole(caller.role)));
  claims.set_all_stores(caller.all_stores);
  for (const std::string& store : caller.stores) claims.add_stores(store);
  claims.set_issued_at(absl::ToUnixSeconds(now));
  claims.set_expires_at(absl::ToUnixSeconds(now + kIdentityLifetime));
  claims.set_issuer(issuer_);
  const std::string signed_part =
      absl::StrCat(kVersion, absl::WebSafeBase64Escape(claims.SerializeAsString()));
  return absl::StrCat(signed_part, ".", absl::WebSafeBase64Escape(Mac(key_, signed_part)));
}

absl::StatusOr<Caller> IdentitySigner::Verify(absl::string_view token, absl::Time now) const {
  if (token.size() > kMaxTokenBytes || !absl::StartsWith(token, kVersion)) {
    return Refused("not an identity token");
  }
  const size_t dot = token.rfind('.');
  if (dot < kVersion.size()) return Refused("not an identity token");
  const absl::string_view signed_part = token.substr(0, dot);
  std::string mac;
  if (!absl::WebSafeBase64Unescape(token.substr(dot + 1), &mac)) {
    return Refused("not an identity token");
  }
  const auto signed_with = [&](const std::string& key) {
    const std::string expected = Mac(key, signed_part);
    return mac.size() == 32 && mac.size() == expected.size() &&
           CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) == 0;
  };
  if (!signed_with(key_) && (previous_key_.empty() || !signed_with(previous_key_))) {
    return Refused("not signed with this deployment's identity key");
  }
  std::string bytes;
  v1::IdentityClaims claims;
  if (!absl::WebSafeBase64Unescape(signed_part.substr(kVersion.size()), &bytes) ||
      !claims.ParseFromString(bytes)) {
    return Refused("claims cannot be read");
  }
  const absl::Time issued = absl::FromUnixSeconds(claims.issued_at());
  const absl::Time expires = absl::FromUnixSeconds(claims.expires_at());
  if (now > expires + kIdentityClockSkew) return Refused("expired");
  if (issued > now + kIdentityClockSkew) return Refused("issued in the future");
  if (expires - issued > kIdentityLifetime) return Refused("lives longer than identities may");
  absl::StatusOr<Role> role = FromAccessRole(claims.role());
  if (!role.ok()) return Refused("names no role");
  Caller caller;
  caller.principal = claims.principal();
  if (absl::Status s = CheckPrincipal(caller.principal); !s.ok()) return Refused(s.message());
  caller.role = *role;
  caller.all_stores = claims.all_stores();
  caller.stores.assign(claims.stores().begin(), claims.stores().end());
  return caller;
}

}  // namespace aftersales
