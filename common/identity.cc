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

std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContextBase& context) {
  Caller caller;
  caller.principal = MetadataValue(context, kPrincipalHeader);
  if (caller.principal.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("no caller: the call carries no ", kPrincipalHeader, " metadata"));
  }
  // The principal is written into history and idempotency scopes: keep it an id.
  if (caller.principal.size() > 128 ||
      !std::all_of(caller.principal.begin(), caller.principal.end(), [](char c) {
        return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '@' || c == ':';
      })) {
    return absl::UnauthenticatedError(absl::StrCat(
        kPrincipalHeader, ": at most 128 letters, digits and - _ . @ : are accepted"));
  }
  const std::string role = MetadataValue(context, kRoleHeader);
  absl::StatusOr<Role> parsed = ParseRole(role.empty() ? "agent" : role);
  if (!parsed.ok()) return parsed.status();
  caller.role = *parsed;
  for (absl::string_view store :
       absl::StrSplit(MetadataValue(context, kStoresHeader), ',', absl::SkipWhitespace())) {
    store = absl::StripAsciiWhitespace(store);
    if (store == "*") {
      caller.all_stores = true;
    } else {
      caller.stores.emplace_back(store);
    }
  }
  return caller;
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
