#include "common/identity.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace aftersales {

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  if (name == "agent") return Role::kAgent;
  if (name == "supervisor") return Role::kSupervisor;
  if (name == "admin") return Role::kAdmin;
  if (name == "service") return Role::kService;
  return absl::UnauthenticatedError(
      absl::StrCat("unknown role '", name, "': one of agent, supervisor, admin, service"));
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAgent: return "agent";
    case Role::kSupervisor: return "supervisor";
    case Role::kAdmin: return "admin";
    case Role::kService: return "service";
  }
  return "agent";
}

bool Caller::CanAccessStore(absl::string_view store_id) const {
  return all_stores || std::find(stores.begin(), stores.end(), store_id) != stores.end();
}

absl::string_view MetadataView(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key) {
  return std::string(MetadataView(context, key));
}

absl::Status CheckPrincipal(absl::string_view principal) {
  if (principal.empty() || principal.size() > 128 ||
      !std::all_of(principal.begin(), principal.end(), [](char c) {
        return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '@' || c == ':';
      })) {
    return absl::InvalidArgumentError(
        "a principal is 1..128 letters, digits and - _ . @ : (an id, not a display name)");
  }
  return absl::OkStatus();
}

int ToAccessRole(Role role) { return static_cast<int>(role) + 1; }

absl::StatusOr<Role> FromAccessRole(int access_role) {
  if (access_role < 1 || access_role > 4) {
    return absl::InvalidArgumentError(absl::StrCat("role ", access_role, " is none of ours"));
  }
  return static_cast<Role>(access_role - 1);
}

absl::Status CheckStoreAccess(const Caller& caller, absl::string_view store_id) {
  if (caller.CanAccessStore(store_id)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(caller.principal, " may not access store '", store_id, "'"));
}

absl::Status CheckCanSee(const Caller& caller, absl::string_view store_id,
                         absl::string_view not_found_message) {
  if (caller.CanAccessStore(store_id)) return absl::OkStatus();
  return absl::NotFoundError(not_found_message);
}

}  // namespace aftersales
