#pragma once

#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/identity_token.h"

namespace aftersales::testing {

// The identity key every process a test starts shares (--identity_key), as a deployment's
// Secret would be.
inline constexpr char kTestIdentityKey[] = "test-identity-key-not-a-secret-0123456789";

inline std::shared_ptr<const IdentitySigner> TestSigner() {
  static const auto signer = std::make_shared<const IdentitySigner>(
      *IdentitySigner::Create(kTestIdentityKey, "test"));
  return signer;
}

// HS256 secret of development tokens at the gateways tests start.
inline constexpr char kTestDevJwtSecret[] = "test-dev-jwt-secret-not-a-secret-0123456789";

// A signed identity for a direct gRPC call: stores empty means every store.
inline std::string TestIdentity(Role role, std::vector<std::string> stores = {},
                                std::string principal = "test") {
  Caller caller;
  caller.principal = std::move(principal);
  caller.role = role;
  caller.all_stores = stores.empty();
  caller.stores = std::move(stores);
  return TestSigner()->Sign(caller, absl::Now());
}

}  // namespace aftersales::testing
