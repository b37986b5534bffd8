#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "aftersales/identity/v1/identity.pb.h"
#include "common/identity.h"
#include "common/mysql.h"

namespace aftersales::identity {

namespace v1 = ::aftersales::identity::v1;

// Admins make, list and revoke API keys; gateways and services sync the live ones. Who may call
// each is the proto's access declaration; which keys an admin may grant, see or revoke is
// checked here: only keys within the admin's own stores, and every-store keys only by an admin
// of every store. A key the admin may not see answers NOT_FOUND, as one that does not exist.
class ApiKeyDesk {
 public:
  explicit ApiKeyDesk(Database& db, std::function<absl::Time()> clock = [] { return absl::Now(); })
      : db_(db), clock_(std::move(clock)) {}

  absl::Status CreateApiKey(const Caller& caller, const v1::CreateApiKeyRequest& request,
                            v1::CreateApiKeyResponse* response);
  absl::Status ListApiKeys(const Caller& caller, const v1::ListApiKeysRequest& request,
                           v1::ListApiKeysResponse* response);
  absl::Status RevokeApiKey(const Caller& caller, const v1::RevokeApiKeyRequest& request,
                            v1::RevokeApiKeyResponse* response);
  absl::Status SyncApiKeys(const Caller& caller, const v1::SyncApiKeysRequest& request,
                           v1::SyncApiKeysResponse* response);

 private:
  Database& db_;
  std::function<absl::Time()> clock_;
};

// Whether an admin may see (and revoke) a key with these grants.
bool AdminCovers(const Caller& admin, bool all_stores, const std::vector<std::string>& stores);

}  // namespace aftersales::identity
