#include "common/access.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "aftersales/common/v1/common.pb.h"
#include "common/api_proto_files.h"
#include "google/protobuf/descriptor.h"

namespace aftersales {
namespace {

namespace pb = google::protobuf;

constexpr Role kRoles[] = {Role::kAgent, Role::kSupervisor, Role::kAdmin, Role::kService};

uint32_t Bit(Role role) { return 1u << static_cast<int>(role); }

// The interceptor's verdict per call, until the call ends. Keyed by the call's server context;
// the owner is the interceptor that wrote it, so a context reused for a later call is never
// erased by the interceptor of an earlier one.
class Verdicts {
 public:
  static Verdicts& Get() {
    static Verdicts* verdicts = new Verdicts;
    return *verdicts;
  }

  void Put(const void* context, const void* owner, absl::StatusOr<Caller> verdict) {
    absl::MutexLock lock(&mu_);
    entries_.insert_or_assign(context, Entry{owner, std::move(verdict)});
  }
  void Erase(const void* context, const void* owner) {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(context);
    if (it != entries_.end() && it->second.owner == owner) entries_.erase(it);
  }
  absl::StatusOr<Caller> Find(const void* context) {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(context);
    if (it == entries_.end()) {
      return absl::UnauthenticatedError(
          "this call was not checked for an identity; it is refused");
    }
    return it->second.verdict;
  }

 private:
  struct Entry {
    const void* owner;
    absl::StatusOr<Caller> verdict;
  };
  absl::Mutex mu_;
  absl::flat_hash_map<const void*, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

class AccessInterceptor : public grpc::experimental::Interceptor {
 public:
  AccessInterceptor(grpc::experimental::ServerRpcInfo* info, const AccessTable& table,
                    const IdentitySigner& signer)
      : info_(info), table_(table), signer_(signer) {}
  ~AccessInterceptor() override { Verdicts::Get().Erase(info_->server_context(), this); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Verdicts::Get().Put(info_->server_context(), this,
                          Decide(*methods->GetRecvInitialMetadata()));
    }
    methods->Proceed();
  }

 private:
  absl::StatusOr<Caller> Decide(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    auto it = metadata.find(kIdentityHeader);
    if (it == metadata.end()) {
      return absl::UnauthenticatedError(absl::StrCat(
          "this call carries no ", kIdentityHeader,
          " token: call through the gateway with a bearer token or an API key"));
    }
    absl::StatusOr<Caller> caller =
        signer_.Verify(absl::string_view(it->second.data(), it->second.size()), absl::Now());
    if (!caller.ok()) return caller.status();
    if (absl::Status s = table_.Check(info_->method(), caller->role); !s.ok()) return s;
    return caller;
  }

  grpc::experimental::ServerRpcInfo* info_;
  const AccessTable& table_;
  const IdentitySigner& signer_;
};

class AccessInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  AccessInterceptorFactory(std::shared_ptr<const AccessTable> table,
                           std::shared_ptr<const IdentitySigner> signer)
      : table_(std::move(table)), signer_(std::move(signer)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (IsOpenMethod(info->method())) return nullptr;
    return new AccessInterceptor(info, *table_, *signer_);
  }

 private:
  std::shared_ptr<const AccessTable> table_;
  std::shared_ptr<const IdentitySigner> signer_;
};

}  // namespace

bool IsOpenMethod(absl::string_view method) {
  return absl::StartsWith(method, "/grpc.health.v1.") ||
         absl::StartsWith(method, "/grpc.reflection.v1alpha.") ||
         absl::StartsWith(method, "/grpc.reflection.v1.");
}

absl::StatusOr<AccessTable> AccessTable::FromProtoFiles(const std::vector<std::string_view>& files) {
  return FromProtoFiles(files, *pb::DescriptorPool::generated_pool());
}

absl::StatusOr<AccessTable> AccessTable::FromProtoFiles(const std::vector<std::string_view>& files,
                                                        const pb::DescriptorPool& pool) {
  AccessTable table;
  std::vector<std::string> undeclared;
  for (std::string_view name : files) {
    const pb::FileDescriptor* file = pool.FindFileByName(std::string(name));
    if (file == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(absl::string_view(name.data(), name.size()), " is not linked into this program"));
    }
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        const common::v1::Access& access = method->options().GetExtension(common::v1::access);
        uint32_t bits = 0;
        for (int role : access.roles()) {
          absl::StatusOr<Role> r = FromAccessRole(role);
          if (r.ok()) bits |= Bit(*r);
        }
        if (bits == 0) {
          undeclared.push_back(method->full_name());
          continue;
        }
        table.allowed_[absl::StrCat("/", service->full_name(), "/", method->name())] = bits;
      }
    }
  }
  if (!undeclared.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "these RPCs declare no (aftersales.common.v1.access) roles and cannot be served: ",
        absl::StrJoin(undeclared, ", ")));
  }
  return table;
}

absl::StatusOr<AccessTable> AccessTable::ForLinkedServices() {
  std::vector<std::string_view> linked;
  for (std::string_view name : ApiProtoFiles()) {
    if (pb::DescriptorPool::generated_pool()->FindFileByName(std::string(name)) != nullptr) {
      linked.push_back(name);
    }
  }
  return FromProtoFiles(linked);
}

absl::Status AccessTable::Check(absl::string_view method, Role role) const {
  auto it = allowed_.find(method);
  if (it == allowed_.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat(method, " declares no access, so no one may call it"));
  }
  if ((it->second & Bit(role)) != 0) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "the role ", RoleName(role), " may not call ", method.substr(method.rfind('/') + 1), "; it is for ",
      absl::StrJoin(RolesFor(method), ", ")));
}

std::vector<std::string> AccessTable::RolesFor(absl::string_view method) const {
  std::vector<std::string> names;
  auto it = allowed_.find(method);
  if (it == allowed_.end()) return names;
  for (Role role : kRoles) {
    if ((it->second & Bit(role)) != 0) names.emplace_back(RoleName(role));
  }
  return names;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAccessInterceptorFactory(
    std::shared_ptr<const AccessTable> table, std::shared_ptr<const IdentitySigner> signer) {
  return std::make_unique<AccessInterceptorFactory>(std::move(table), std::move(signer));
}

absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContextBase& context) {
  return Verdicts::Get().Find(&context);
}

}  // namespace aftersales
