#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/identity.h"
#include "common/identity_token.h"
#include "google/protobuf/descriptor.h"

namespace aftersales {

// Who may call which RPC, read from the (aftersales.common.v1.access) option each RPC declares
// in its proto: one table shows it all, and no handler has its own role check.
class AccessTable {
 public:
  // Every service in the given .proto files (from the generated descriptor pool).
  // FAILED_PRECONDITION naming every RPC that declares no access: such an RPC cannot be served.
  static absl::StatusOr<AccessTable> FromProtoFiles(const std::vector<std::string_view>& files);
  // The same from another pool (tests build protos at run time).
  static absl::StatusOr<AccessTable> FromProtoFiles(const std::vector<std::string_view>& files,
                                                    const google::protobuf::DescriptorPool& pool);
  // The Aftersales services linked into this program (ApiProtoFiles()).
  static absl::StatusOr<AccessTable> ForLinkedServices();

  // method: as gRPC names it, "/aftersales.tickets.v1.TicketsService/GetTicket".
  // PERMISSION_DENIED when the role may not call it, or the method is not in the table.
  absl::Status Check(absl::string_view method, Role role) const;
  // The roles that may call method, by name ("agent", ...); empty for a method not in the table.
  std::vector<std::string> RolesFor(absl::string_view method) const;
  size_t size() const { return allowed_.size(); }

 private:
  // Bit (1 << Role) set for each role allowed.
  absl::flat_hash_map<std::string, uint32_t> allowed_;
};

// Methods every caller may reach without an identity: health checks and reflection.
bool IsOpenMethod(absl::string_view method);

// Checks every call to an Aftersales service before its handler runs: the identity token
// (kIdentityHeader) must be signed with the deployment's key and unexpired, and its role one the
// RPC declares. gRPC's C++ server interceptors cannot end a call, so the interceptor records its
// verdict for the call and RunOnExecutor (common/server.h), through which every handler starts,
// finishes the call with it before any work is queued. Open methods (IsOpenMethod) are let by.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAccessInterceptorFactory(
    std::shared_ptr<const AccessTable> table, std::shared_ptr<const IdentitySigner> signer);

// The caller the access interceptor verified for this call; its refusal (UNAUTHENTICATED or
// PERMISSION_DENIED) when it refused it; UNAUTHENTICATED when no interceptor saw the call.
absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContextBase& context);

}  // namespace aftersales
