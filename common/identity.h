#pragma once

#include <string>
#include <vector>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftersales {

// gRPC metadata the gateway (or a calling service) sets for every call. Who the caller is
// travels signed, in kIdentityHeader (common/identity_token.h).
inline constexpr char kRequestIdHeader[] = "x-request-id";
inline constexpr char kIdempotencyKeyHeader[] = "idempotency-key";
// Initial metadata of an answer that replays the stored response of an earlier call with the
// same key (nothing was written this time); the gateway shows it as Idempotent-Replayed: true.
inline constexpr char kIdempotentReplayedHeader[] = "idempotent-replayed";
// Trailing metadata of every answer an Aftersales service gives, naming it: an error without it
// came from gRPC's transport (a refused connection, a deadline, a receive limit), and its text
// is gRPC's, not one meant for a person.
inline constexpr char kServedByHeader[] = "x-aftersales-served-by";

enum class Role { kAgent = 0, kSupervisor = 1, kAdmin = 2, kService = 3 };

absl::StatusOr<Role> ParseRole(absl::string_view name);
absl::string_view RoleName(Role role);
// aftersales.common.v1.AccessRole, the role as the protos name it (AGENT = 1, ...).
int ToAccessRole(Role role);
// INVALID_ARGUMENT for ACCESS_ROLE_UNSPECIFIED or a number that is no role.
absl::StatusOr<Role> FromAccessRole(int access_role);

// A principal is written into history and idempotency scopes: it must be an id. INVALID_ARGUMENT
// unless 1..128 letters, digits and - _ . @ :.
absl::Status CheckPrincipal(absl::string_view principal);

// Who is calling and which stores they may touch.
struct Caller {
  std::string principal;
  Role role = Role::kAgent;
  bool all_stores = false;
  std::vector<std::string> stores;

  bool CanAccessStore(absl::string_view store_id) const;
};
// PERMISSION_DENIED naming the store when the caller may not touch it.
absl::Status CheckStoreAccess(const Caller& caller, absl::string_view store_id);

// For a thing read by its id (a ticket, a return, an order): NOT_FOUND with not_found_message
// when the caller may not see its store. That is the answer for an id that does not exist, so a
// caller learns nothing of other stores by trying ids, and the message names no store.
absl::Status CheckCanSee(const Caller& caller, absl::string_view store_id,
                         absl::string_view not_found_message);

// Single metadata value, empty when absent.
std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key);
// The same as a view into the call's metadata, valid while the call is.
absl::string_view MetadataView(const grpc::ServerContextBase& context, absl::string_view key);

}  // namespace aftersales
