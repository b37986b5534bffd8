// Who may call what: the access declarations of every RPC, the table built from them, and the
// identity tokens that carry the caller between processes. Pure logic; no server.
#include "common/access.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "aftersales/common/v1/common.pb.h"
#include "common/api_proto_files.h"
#include "common/identity_token.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"

namespace aftersales {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace pb = google::protobuf;

constexpr Role kAllRoles[] = {Role::kAgent, Role::kSupervisor, Role::kAdmin, Role::kService};

const AccessTable& Linked() {
  static const AccessTable* table = [] {
    absl::StatusOr<AccessTable> t = AccessTable::ForLinkedServices();
    EXPECT_TRUE(t.ok()) << t.status();
    return new AccessTable(t.ok() ? *std::move(t) : AccessTable());
  }();
  return *table;
}

TEST(AccessTable, EveryRpcOfEveryServiceDeclaresWhoMayCallIt) {
  size_t methods = 0;
  for (std::string_view name : ApiProtoFiles()) {
    const pb::FileDescriptor* file =
        pb::DescriptorPool::generated_pool()->FindFileByName(std::string(name));
    ASSERT_NE(file, nullptr) << name;
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const pb::MethodDescriptor* method = file->service(s)->method(m);
        ++methods;
        EXPECT_TRUE(method->options().HasExtension(common::v1::access)) << method->full_name();
        EXPECT_FALSE(
            Linked().RolesFor(absl::StrCat("/", file->service(s)->full_name(), "/", method->name()))
                .empty())
            << method->full_name();
      }
    }
  }
  EXPECT_GT(methods, 40u);
  EXPECT_EQ(Linked().size(), methods);
}

// The rules a seller team relies on, one row per RPC whose access is not "everyone who works
// the desk". A change to a declaration has to change this table too.
struct Rule {
  const char* method;
  std::vector<std::string> roles;
};

TEST(AccessTable, OrderPushesAreForAutomationAndSettingsForAdmins) {
  const Rule rules[] = {
      {"/aftersales.tickets.v1.TicketsService/PutOrder", {"admin", "service"}},
      {"/aftersales.tickets.v1.TicketsService/AddShipment", {"admin", "service"}},
      {"/aftersales.tickets.v1.TicketsService/AddTrackingEvent", {"admin", "service"}},
      {"/aftersales.tickets.v1.TicketsService/CreateReplyTemplate", {"admin"}},
      {"/aftersales.tickets.v1.TicketsService/PutReplyTemplate", {"admin"}},
      {"/aftersales.tickets.v1.TicketsService/DeleteReplyTemplate", {"admin"}},
      {"/aftersales.tickets.v1.TicketsService/PutBusinessHours", {"admin"}},
      {"/aftersales.returns.v1.ReturnsService/PutReturnPolicy", {"admin"}},
      {"/aftersales.returns.v1.ReturnsService/PutSiteHolidays", {"admin"}},
      {"/aftersales.returns.v1.ReturnsService/GetTicketOutbox", {"admin"}},
      {"/aftersales.returns.v1.ReturnsService/RequeueTicketOutbox", {"admin"}},
      {"/aftersales.returns.v1.ReturnsService/AcceptReturnAsGoodwill", {"supervisor", "admin"}},
      {"/aftersales.identity.v1.IdentityService/CreateApiKey", {"admin"}},
      {"/aftersales.identity.v1.IdentityService/ListApiKeys", {"admin"}},
      {"/aftersales.identity.v1.IdentityService/RevokeApiKey", {"admin"}},
      {"/aftersales.identity.v1.IdentityService/SyncApiKeys", {"service"}},
      {"/aftersales.tickets.v1.TicketsService/GetTicket",
       {"agent", "supervisor", "admin", "service"}},
      {"/aftersales.returns.v1.ReturnsService/RefundReturn",
       {"agent", "supervisor", "admin", "service"}},
  };
  for (const Rule& rule : rules) {
    EXPECT_EQ(Linked().RolesFor(rule.method), rule.roles) << rule.method;
    for (Role role : kAllRoles) {
      const bool allowed = std::find(rule.roles.begin(), rule.roles.end(),
                                     std::string(RoleName(role))) != rule.roles.end();
      const absl::Status s = Linked().Check(rule.method, role);
      EXPECT_EQ(s.ok(), allowed) << rule.method << " " << RoleName(role) << ": " << s;
      if (!allowed) {
        EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
      }
    }
  }
  const absl::Status agent = Linked().Check("/aftersales.tickets.v1.TicketsService/PutOrder",
                                            Role::kAgent);
  EXPECT_THAT(agent.message(), HasSubstr("the role agent may not call PutOrder; it is for admin, service"));
}

TEST(AccessTable, AMethodNotInTheTableIsRefused) {
  EXPECT_EQ(Linked().Check("/aftersales.tickets.v1.TicketsService/Nope", Role::kAdmin).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AccessTable, AServiceWithAnUndeclaredRpcCannotBeServed) {
  pb::FileDescriptorProto file;
  ASSERT_TRUE(pb::TextFormat::ParseFromString(R"pb(
    name: "undeclared/v1/undeclared.proto"
    package: "undeclared.v1"
    dependency: "aftersales/common/v1/common.proto"
    message_type { name: "Empty" }
    service {
      name: "Undeclared"
      method {
        name: "Declared"
        input_type: ".undeclared.v1.Empty"
        output_type: ".undeclared.v1.Empty"
        options { [aftersales.common.v1.access] { roles: [ AGENT ] } }
      }
      method {
        name: "Forgotten"
        input_type: ".undeclared.v1.Empty"
        output_type: ".undeclared.v1.Empty"
      }
    }
  )pb", &file));
  pb::DescriptorPool pool(pb::DescriptorPool::generated_pool());
  ASSERT_NE(pool.BuildFile(file), nullptr);
  const absl::StatusOr<AccessTable> table =
      AccessTable::FromProtoFiles({"undeclared/v1/undeclared.proto"}, pool);
  EXPECT_EQ(table.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(table.status().message(), HasSubstr("undeclared.v1.Undeclared.Forgotten"));
  EXPECT_THAT(table.status().message(), ::testing::Not(HasSubstr("Declared,")));
}

TEST(AccessTable, HealthAndReflectionStayOpen) {
  EXPECT_TRUE(IsOpenMethod("/grpc.health.v1.Health/Check"));
  EXPECT_TRUE(IsOpenMethod("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
  EXPECT_FALSE(IsOpenMethod("/aftersales.tickets.v1.TicketsService/GetTicket"));
  EXPECT_FALSE(IsOpenMethod("/grpc.healthy.Fake/Check"));
}

class IdentityTokens : public ::testing::Test {
 protected:
  IdentitySigner signer_ = *IdentitySigner::Create(std::string(40, 'k'), "gateway");
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);

  static Caller Agent() {
    Caller c;
    c.principal = "agent-7@shop";
    c.role = Role::kAgent;
    c.stores = {"store-1", "store-2"};
    return c;
  }
};

TEST_F(IdentityTokens, ASignedCallerComesBackAsItWent) {
  const absl::StatusOr<Caller> back = signer_.Verify(signer_.Sign(Agent(), now_), now_);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->principal, "agent-7@shop");
  EXPECT_EQ(back->role, Role::kAgent);
  EXPECT_FALSE(back->all_stores);
  EXPECT_THAT(back->stores, ElementsAre("store-1", "store-2"));
  const absl::StatusOr<Caller> service = signer_.Verify(signer_.Sign(ServiceCaller("returns"), now_), now_);
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(service->principal, "returns-service");
  EXPECT_TRUE(service->all_stores);
}

TEST_F(IdentityTokens, ExpiredOrFromTheFutureIsRefused) {
  const std::string token = signer_.Sign(Agent(), now_);
  EXPECT_TRUE(signer_.Verify(token, now_ + kIdentityLifetime).ok());
  EXPECT_TRUE(signer_.Verify(token, now_ + kIdentityLifetime + kIdentityClockSkew).ok());
  const absl::Status late =
      signer_.Verify(token, now_ + kIdentityLifetime + kIdentityClockSkew + absl::Seconds(1)).status();
  EXPECT_EQ(late.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(late.message(), HasSubstr("expired"));
  const absl::Status early =
      signer_.Verify(token, now_ - kIdentityClockSkew - absl::Seconds(1)).status();
  EXPECT_THAT(early.message(), HasSubstr("future"));
}

TEST_F(IdentityTokens, DuringARotationThePreviousKeyIsAcceptedButNeverSigns) {
  const std::string old_key(40, 'k'), new_key(40, 'n');
  const IdentitySigner rotated = *IdentitySigner::Create(new_key, "gateway", old_key);
  // A pod still on the old key signs; a pod on the new one accepts it, and the other way round.
  EXPECT_TRUE(rotated.Verify(signer_.Sign(Agent(), now_), now_).ok());
  const std::string by_new = rotated.Sign(Agent(), now_);
  EXPECT_TRUE(IdentitySigner::Create(old_key, "gateway", new_key)->Verify(by_new, now_).ok());
  // It signs with the new key only: a pod that knows just the old one refuses its tokens.
  EXPECT_THAT(signer_.Verify(by_new, now_).status().message(), HasSubstr("not signed"));
  // A third key is refused, and a short previous key is refused at start.
  const IdentitySigner stranger = *IdentitySigner::Create(std::string(40, 's'), "gateway");
  EXPECT_FALSE(rotated.Verify(stranger.Sign(Agent(), now_), now_).ok());
  EXPECT_EQ(IdentitySigner::Create(new_key, "gateway", "short").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(IdentityTokens, AnotherKeyATamperedByteOrGarbageIsRefused) {
  const std::string token = signer_.Sign(Agent(), now_);
  const IdentitySigner other = *IdentitySigner::Create(std::string(40, 'o'), "gateway");
  EXPECT_THAT(other.Verify(token, now_).status().message(), HasSubstr("not signed"));
  for (size_t i = 3; i < token.size(); i += 7) {
    std::string changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(signer_.Verify(changed, now_).status().code(), absl::StatusCode::kUnauthenticated)
        << "byte " << i;
  }
  for (const char* junk : {"", "v1.", "v1..", "admin", "v2.abc.def", "v1.!!!.???"}) {
    EXPECT_EQ(signer_.Verify(junk, now_).status().code(), absl::StatusCode::kUnauthenticated)
        << junk;
  }
}

TEST_F(IdentityTokens, ClaimsRaisedByHandAreRefused) {
  // An agent who rewrites the claims to admin of every store keeps the old MAC: refused.
  const std::string token = signer_.Sign(Agent(), now_);
  const size_t dot = token.rfind('.');
  Caller admin = Agent();
  admin.role = Role::kAdmin;
  admin.all_stores = true;
  const std::string forged_claims = signer_.Sign(admin, now_);
  const std::string forged =
      absl::StrCat(forged_claims.substr(0, forged_claims.rfind('.')), token.substr(dot));
  EXPECT_THAT(signer_.Verify(forged, now_).status().message(), HasSubstr("not signed"));
}

TEST_F(IdentityTokens, AShortKeyIsRefused) {
  EXPECT_EQ(IdentitySigner::Create("short", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aftersales
