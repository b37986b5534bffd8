#include "gateway/api_key_cache.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/api_keys.h"
#include "common/channel.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::gateway {

ApiKeyCache::ApiKeyCache(std::shared_ptr<grpc::Channel> identity, const IdentitySigner& signer,
                         absl::Duration max_staleness)
    : stub_(identity::v1::IdentityService::NewStub(std::move(identity))),
      signer_(signer),
      max_staleness_(max_staleness) {}

absl::Status ApiKeyCache::Sync() {
  identity::v1::SyncApiKeysRequest request;
  absl::flat_hash_map<std::string, absl::Time> used;
  {
    std::lock_guard<std::mutex> lock(mu_);
    request.set_known_version(version_);
    used.swap(used_);
  }
  for (const auto& [key_id, at] : used) {
    identity::v1::ApiKeyUse* use = request.add_used();
    use->set_key_id(key_id);
    *use->mutable_last_used_time() = ToProtoTime(at);
  }
  grpc::ClientContext context;
  PrepareClientContext(context, absl::Seconds(2),
                       signer_.Sign(ServiceCaller("gateway"), absl::Now()), "");
  identity::v1::SyncApiKeysResponse response;
  const grpc::Status status = stub_->SyncApiKeys(&context, request, &response);
  std::lock_guard<std::mutex> lock(mu_);
  if (!status.ok()) {
    // The uses go with the next sync.
    for (const auto& [key_id, at] : used) used_.try_emplace(key_id, at);
    return FromGrpcStatus(status);
  }
  synced_at_ = absl::Now();
  if (response.unchanged()) return absl::OkStatus();
  auto keys = std::make_shared<KeySet>();
  for (const identity::v1::LiveApiKey& live : response.keys()) {
    absl::StatusOr<Role> role = FromAccessRole(live.role());
    if (!role.ok()) continue;
    LiveKey& key = (*keys)[live.key_id()];
    key.secret_sha256 = live.secret_sha256();
    key.caller.principal = absl::StrCat("apikey:", live.key_id());
    key.caller.role = *role;
    key.caller.all_stores = live.all_stores();
    key.caller.stores.assign(live.stores().begin(), live.stores().end());
  }
  keys_ = std::move(keys);
  version_ = response.version();
  return absl::OkStatus();
}

absl::StatusOr<Caller> ApiKeyCache::Verify(absl::string_view text, absl::Time now) {
  absl::StatusOr<ApiKeyParts> parts = ParseApiKey(text);
  if (!parts.ok()) return parts.status();
  std::shared_ptr<const KeySet> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now - synced_at_ > max_staleness_) {
      return absl::UnavailableError(
          "API keys cannot be checked right now (the identity service is not answering); retry "
          "shortly");
    }
    keys = keys_;
  }
  const auto it = keys == nullptr ? KeySet::const_iterator() : keys->find(parts->key_id);
  // The same answer for an unknown, revoked or wrong key: nothing to learn by trying.
  if (keys == nullptr || it == keys->end() ||
      !ApiKeySecretMatches(it->second.secret_sha256, parts->secret)) {
    return absl::UnauthenticatedError("the API key is not valid (unknown, revoked or mistyped)");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    used_[parts->key_id] = now;
  }
  return it->second.caller;
}

}  // namespace aftersales::gateway
