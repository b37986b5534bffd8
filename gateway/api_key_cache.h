#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/identity/v1/identity.grpc.pb.h"
#include "common/identity.h"
#include "common/identity_token.h"

namespace aftersales::gateway {

// The live API keys, held in memory and checked without a call per request: a background sync
// (every 250 ms) asks the identity service whether anything changed since the version held, and
// takes the whole live set when it did. A revoked key is refused within a sync and a call. The
// keys seen in use are reported with the next sync (last_used_time).
//
// A set older than max_staleness (no sync succeeded meanwhile) may be missing a revocation, so
// API keys are then answered UNAVAILABLE (503, retry) rather than let a revoked key through for
// as long as the identity service is out. People's JWTs are not affected.
class ApiKeyCache {
 public:
  ApiKeyCache(std::shared_ptr<grpc::Channel> identity, const IdentitySigner& signer,
              absl::Duration max_staleness = absl::Seconds(3));

  // One sync; the error when the identity service could not be asked.
  absl::Status Sync();
  // The key's caller (principal "apikey:<key_id>"); UNAUTHENTICATED for a malformed, unknown,
  // revoked or wrong key; UNAVAILABLE while the set is too old to trust.
  absl::StatusOr<Caller> Verify(absl::string_view text, absl::Time now);

 private:
  struct LiveKey {
    std::string secret_sha256;
    Caller caller;
  };
  using KeySet = absl::flat_hash_map<std::string, LiveKey>;

  std::unique_ptr<identity::v1::IdentityService::Stub> stub_;
  const IdentitySigner& signer_;
  const absl::Duration max_staleness_;

  std::mutex mu_;
  std::shared_ptr<const KeySet> keys_;
  int64_t version_ = 0;
  absl::Time synced_at_ = absl::InfinitePast();
  absl::flat_hash_map<std::string, absl::Time> used_;
};

}  // namespace aftersales::gateway
