// End to end with real identity: MariaDB, tickets, returns, identity and a gateway in jwt mode
// as processes on 127.0.0.1. People carry RS256 tokens from a JWKS file the test writes;
// automation carries API keys an admin made through the API.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "aftersales/common/v1/common.pb.h"
#include "aftersales/identity/v1/identity.pb.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/identity_token.h"
#include "tests/support/http_client.h"
#include "tests/support/json_body.h"
#include "tests/support/running_system.h"
#include "tests/support/test_identity.h"
#include "tests/support/test_jwt.h"

namespace aftersales {
namespace {

using testing::HttpClient;
using testing::HttpHeaders;
using testing::HttpResult;
namespace pb = google::protobuf;

constexpr char kIssuer[] = "https://login.example.test/";
constexpr char kAudience[] = "aftersales-api";

testing::RunningSystem* sys = nullptr;
testing::KeyPair* signing_key = nullptr;
int tickets_admin_port = 0;
int returns_admin_port = 0;
int gateway_grpc_port = 0;

class SystemEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    signing_key = new testing::KeyPair(testing::Rsa("idp-1"));
    char dir[] = "/tmp/aftersales-jwks-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    jwks_dir_ = dir;
    std::ofstream(jwks_dir_ + "/jwks.json") << testing::Jwks({signing_key});
    tickets_admin_port = testing::FreePort();
    returns_admin_port = testing::FreePort();
    gateway_grpc_port = testing::FreePort();
    absl::StatusOr<std::unique_ptr<testing::RunningSystem>> started = testing::RunningSystem::Start(
        {{"tickets", TICKETS_BINARY,
          {absl::StrCat("--admin_listen=127.0.0.1:", tickets_admin_port)}},
         {"returns", RETURNS_BINARY,
          {absl::StrCat("--admin_listen=127.0.0.1:", returns_admin_port)}},
         {"identity", IDENTITY_BINARY, {}}},
        GATEWAY_BINARY,
        {"--auth_mode=jwt", absl::StrCat("--jwks_file=", jwks_dir_, "/jwks.json"),
         absl::StrCat("--jwt_issuer=", kIssuer), absl::StrCat("--jwt_audience=", kAudience),
         absl::StrCat("--grpc_listen=127.0.0.1:", gateway_grpc_port)});
    ASSERT_TRUE(started.ok()) << started.status();
    owned_ = *std::move(started);
    sys = owned_.get();
  }
  void TearDown() override {
    owned_.reset();
    std::remove((jwks_dir_ + "/jwks.json").c_str());
    rmdir(jwks_dir_.c_str());
  }

 private:
  std::string jwks_dir_;
  std::unique_ptr<testing::RunningSystem> owned_;
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new SystemEnvironment);

// A person's bearer header, as the identity provider would sign it.
HttpHeaders Person(const std::string& sub, const std::string& role, const std::string& stores_json,
                   absl::Duration valid_for = absl::Hours(1)) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string claims = absl::StrCat(
      R"({"sub":")", sub, R"(","role":")", role, R"(","stores":)", stores_json, R"(,"iss":")",
      kIssuer, R"(","aud":")", kAudience, R"(","iat":)", now,
      R"(,"exp":)", absl::ToUnixSeconds(absl::Now() + valid_for), "}");
  return {{"Authorization",
           "Bearer " + testing::Sign(JWT_ALG_RS256, signing_key->private_pem, "idp-1", claims)}};
}

HttpHeaders Admin() { return Person("admin-1", "admin", R"("*")"); }
HttpHeaders AgentOf(const std::string& store) {
  return Person(absl::StrCat("agent-", store), "agent", absl::StrCat(R"([")", store, R"("])"));
}

std::string TicketJson(const std::string& store) {
  return absl::StrCat(
      R"({"store_id":")", store,
      R"(","order":{"marketplace":"AMAZON","site":"US","order_id":"113-1111111"},)"
      R"("buyer":{"buyer_id":"b-1","name":"Anna","country":"US","time_zone":"America/New_York","language":"en","tier":"REGULAR"},)"
      R"("category":"LOGISTICS_DELAYED","channel":"MARKETPLACE_MESSAGE","subject":"Where is it?","body":"Three weeks."})");
}

constexpr char kOrderJson[] =
    R"({"marketplace":"AMAZON","site":"US","items":[{"sku":"LAMP-1","quantity":1,)"
    R"("price":{"currency_code":"USD","amount_minor":2999}}]})";

pb::Struct Body(const HttpResult& r) {
  pb::Struct body;
  EXPECT_TRUE(pb::util::JsonStringToMessage(r.body, &body).ok()) << r.body;
  return body;
}

TEST(IdentityEndToEnd, EveryRouteButHealthAndDocsAnswers401WithoutCredentials) {
  HttpClient http(sys->http_port());
  EXPECT_EQ(http.Get("/healthz").status, 200);
  EXPECT_EQ(http.Get("/readyz").status, 200);
  const HttpResult doc = http.Get("/openapi.json");
  ASSERT_EQ(doc.status, 200);
  const pb::Struct openapi = Body(doc);
  int routes = 0;
  for (const auto& [path, item] : openapi.fields().at("paths").struct_value().fields()) {
    std::string target = path;
    // Every {variable} becomes a value.
    for (size_t open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      target.replace(open, target.find('}', open) - open + 1, "x");
    }
    for (const auto& [method, op] : item.struct_value().fields()) {
      if (method == "parameters") continue;
      const std::string verb = absl::AsciiStrToUpper(method);
      const HttpResult r = http.Request(verb, target, verb == "GET" ? "" : "{}");
      EXPECT_EQ(r.status, 401) << verb << " " << target << ": " << r.body;
      EXPECT_EQ(r.Header("WWW-Authenticate"), "Bearer realm=\"aftersales\"") << target;
      ++routes;
    }
  }
  EXPECT_GT(routes, 40);
  // A bad token says why, in the header too.
  const HttpResult bad = http.Get("/v1/tickets/x", {{"Authorization", "Bearer not.a.token"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.Header("WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);
  const HttpResult expired =
      http.Get("/v1/tickets/x", Person("agent-1", "agent", R"(["a"])", -absl::Minutes(5)));
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;
  // Development headers mean nothing here.
  EXPECT_EQ(http.Get("/v1/tickets/x", {{"X-Dev-Role", "admin"}}).status, 401);
}

TEST(IdentityEndToEnd, PeopleActWithinTheirStoresAndTheirRpcs) {
  HttpClient http(sys->http_port());
  const HttpResult created = http.Post("/v1/tickets", TicketJson("store-a"), Admin());
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id =
      Body(created).fields().at("ticket").struct_value().fields().at("ticket_id").string_value();
  EXPECT_EQ(http.Get("/v1/tickets/" + id, AgentOf("store-a")).status, 200);
  // Another store's agent learns nothing: the answer of an id that does not exist.
  const HttpResult other = http.Get("/v1/tickets/" + id, AgentOf("store-b"));
  const HttpResult missing = http.Get("/v1/tickets/T-does-not-exist", AgentOf("store-b"));
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(absl::StrReplaceAll(Body(other).fields().at("message").string_value(), {{id, "ID"}}),
            absl::StrReplaceAll(Body(missing).fields().at("message").string_value(),
                                {{"T-does-not-exist", "ID"}}));
  // Order pushes are automation's and admins', declared in the proto.
  const HttpResult push =
      http.Request("PUT", "/v1/stores/store-a/orders/o-1", kOrderJson, AgentOf("store-a"));
  EXPECT_EQ(push.status, 403) << push.body;
  EXPECT_EQ(http.Request("PUT", "/v1/stores/store-a/orders/o-1", kOrderJson, Admin()).status, 200);
  // And so are business hours; a supervisor may not.
  EXPECT_EQ(http.Request("PUT", "/v1/stores/store-a/businessHours", "{}",
                         Person("sup-1", "supervisor", R"(["store-a"])"))
                .status,
            403);
}

TEST(IdentityEndToEnd, AnApiKeyWorksForItsStoresUntilRevoked) {
  HttpClient http(sys->http_port());
  // Agents make no keys; an admin of store-a grants only store-a.
  EXPECT_EQ(http.Post("/v1/apiKeys", R"({"name":"erp","role":"SERVICE","stores":["store-a"]})",
                      AgentOf("store-a"))
                .status,
            403);
  const HttpHeaders store_admin = Person("admin-a", "admin", R"(["store-a"])");
  EXPECT_EQ(http.Post("/v1/apiKeys", R"({"name":"erp","role":"SERVICE","all_stores":true})",
                      store_admin)
                .status,
            403);
  const HttpResult made = http.Post(
      "/v1/apiKeys", R"({"name":"ERP order sync","role":"SERVICE","stores":["store-a"]})",
      store_admin);
  ASSERT_EQ(made.status, 200) << made.body;
  const pb::Struct key = Body(made);
  const std::string secret = key.fields().at("secret").string_value();
  const std::string key_id =
      key.fields().at("api_key").struct_value().fields().at("key_id").string_value();
  ASSERT_EQ(secret.rfind("ak_" + key_id + "_", 0), 0u) << secret;

  // Gateways learn of a new key within a sync (500 ms).
  const HttpHeaders bearer = {{"Authorization", "Bearer " + secret}};
  HttpResult push;
  for (int i = 0; i < 40; ++i) {
    push = http.Request("PUT", "/v1/stores/store-a/orders/o-2", kOrderJson, bearer);
    if (push.status != 401) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(http.Request("PUT", "/v1/stores/store-a/orders/o-3", kOrderJson,
                         {{"X-Api-Key", secret}})
                .status,
            200);
  EXPECT_EQ(http.Request("PUT", "/v1/stores/store-b/orders/o-3", kOrderJson, bearer).status, 403);
  std::string wrong = secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(http.Request("PUT", "/v1/stores/store-a/orders/o-4", kOrderJson,
                         {{"X-Api-Key", wrong}})
                .status,
            401);

  // The list shows the key (no secret, no hash) to its admin, and not to another store's.
  const HttpResult listed = http.Get("/v1/apiKeys", store_admin);
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find(key_id), std::string::npos);
  EXPECT_EQ(listed.body.find(secret.substr(20)), std::string::npos);
  EXPECT_EQ(http.Get("/v1/apiKeys", Person("admin-b", "admin", R"(["store-b"])")).body.find(key_id),
            std::string::npos);
  EXPECT_EQ(http.Post("/v1/apiKeys/" + key_id + ":revoke", "{}",
                      Person("admin-b", "admin", R"(["store-b"])"))
                .status,
            404);

  const HttpResult revoked = http.Post("/v1/apiKeys/" + key_id + ":revoke", "{}", store_admin);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  const absl::Time at = absl::Now();
  int status = 200;
  while (absl::Now() - at < absl::Seconds(5)) {
    status = http.Request("PUT", "/v1/stores/store-a/orders/o-5", kOrderJson, bearer).status;
    if (status == 401) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const absl::Duration took = absl::Now() - at;
  EXPECT_EQ(status, 401);
  EXPECT_LT(took, absl::Seconds(1)) << "a revoked key was still accepted after " << took;
  std::printf("revoked API key refused after %.0f ms\n", absl::ToDoubleMilliseconds(took));
}

TEST(IdentityEndToEnd, AServiceRefusesForgedMetadataAndTrustsOnlyASignedIdentity) {
  auto stub = tickets::v1::TicketsService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", sys->grpc_port("tickets")), grpc::InsecureChannelCredentials()));
  tickets::v1::GetOrderRequest request;
  request.set_store_id("store-a");
  request.set_order_id("o-1");
  tickets::v1::GetOrderResponse response;
  grpc::ClientContext forged;
  forged.AddMetadata("x-aftersales-principal", "mallory");
  forged.AddMetadata("x-aftersales-role", "admin");
  forged.AddMetadata("x-aftersales-stores", "*");
  EXPECT_EQ(stub->GetOrder(&forged, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext signed_call;
  signed_call.AddMetadata(kIdentityHeader, testing::TestIdentity(Role::kAdmin));
  const grpc::Status ok = stub->GetOrder(&signed_call, request, &response);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
}

// Every RPC of every real service, called directly: without a signed identity it is refused,
// and one the protos keep from agents refuses an agent, before its handler runs.
TEST(IdentityEndToEnd, EveryRpcOfEveryServiceChecksIdentityAndRoleBeforeItsHandler) {
  const std::map<std::string, const pb::FileDescriptor*> files = {
      {"tickets", tickets::v1::GetTicketRequest::descriptor()->file()},
      {"returns", returns::v1::GetReturnRequest::descriptor()->file()},
      {"identity", identity::v1::ListApiKeysRequest::descriptor()->file()}};
  int checked = 0;
  for (const auto& [name, file] : files) {
    grpc::GenericStub stub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", sys->grpc_port(name)),
                                               grpc::InsecureChannelCredentials()));
    const auto call = [&](const std::string& method, const std::string& identity) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      if (!identity.empty()) context.AddMetadata(kIdentityHeader, identity);
      grpc::Slice empty("", 0);
      grpc::ByteBuffer request(&empty, 1), response;
      std::mutex mu;
      std::condition_variable cv;
      bool done = false;
      grpc::Status result;
      stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                     [&](grpc::Status status) {
                       std::lock_guard<std::mutex> lock(mu);
                       result = std::move(status);
                       done = true;
                       cv.notify_one();
                     });
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
      return result;
    };
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        const std::string path = absl::StrCat("/", service->full_name(), "/", method->name());
        EXPECT_EQ(call(path, "").error_code(), grpc::StatusCode::UNAUTHENTICATED) << path;
        const auto& roles = method->options().GetExtension(common::v1::access).roles();
        if (std::find(roles.begin(), roles.end(), common::v1::AGENT) == roles.end()) {
          const grpc::Status agent = call(path, testing::TestIdentity(Role::kAgent));
          EXPECT_EQ(agent.error_code(), grpc::StatusCode::PERMISSION_DENIED) << path;
          EXPECT_NE(agent.error_message().find("the role agent may not call"), std::string::npos)
              << path << ": " << agent.error_message();
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 45);
}

TEST(IdentityEndToEnd, EachServiceServesItsOwnMetricsOnItsAdminPort) {
  HttpClient http(sys->http_port());
  ASSERT_EQ(http.Post("/v1/tickets", TicketJson("store-m"), Admin()).status, 200);
  EXPECT_EQ(http.Get("/v1/tickets/T-none", Admin()).status, 404);
  const HttpResult tickets = HttpClient(tickets_admin_port).Get("/metrics");
  ASSERT_EQ(tickets.status, 200);
  EXPECT_NE(tickets.body.find(
                "grpc_server_handled_total{grpc_type=\"unary\",grpc_service=\"aftersales.tickets."
                "v1.TicketsService\",grpc_method=\"CreateTicket\",grpc_code=\"OK\"}"),
            std::string::npos)
      << tickets.body;
  EXPECT_NE(tickets.body.find("grpc_method=\"GetTicket\",grpc_code=\"NotFound\"} "),
            std::string::npos);
  EXPECT_NE(tickets.body.find("grpc_server_handling_seconds_bucket{grpc_type=\"unary\","
                              "grpc_service=\"aftersales.tickets.v1.TicketsService\","
                              "grpc_method=\"CreateTicket\",le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(tickets.body.find("aftersales_db_pool_connections{state=\"size\"} 10"),
            std::string::npos);
  const HttpResult returns = HttpClient(returns_admin_port).Get("/metrics");
  ASSERT_EQ(returns.status, 200);
  EXPECT_NE(returns.body.find("aftersales_ticket_outbox_entries{state=\"FAILED\"} 0"),
            std::string::npos)
      << returns.body;
  EXPECT_NE(returns.body.find("aftersales_executor_queued_calls"), std::string::npos);
  EXPECT_EQ(HttpClient(returns_admin_port).Get("/nothing").status, 404);
}

// Mobile clients and automation over gRPC: the gateway's gRPC port forwards every service's
// RPCs with the same authentication, store scope and access rules as HTTP.
TEST(IdentityEndToEnd, TheGatewaysGrpcPortAuthenticatesAndForwardsAsHttpDoes) {
  HttpClient http(sys->http_port());
  const HttpResult created = http.Post("/v1/tickets", TicketJson("store-g"), Admin());
  ASSERT_EQ(created.status, 200);
  const std::string id =
      Body(created).fields().at("ticket").struct_value().fields().at("ticket_id").string_value();
  auto stub = tickets::v1::TicketsService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", gateway_grpc_port), grpc::InsecureChannelCredentials()));
  const auto get = [&](const HttpHeaders& metadata) {
    grpc::ClientContext context;
    for (const auto& [k, v] : metadata) context.AddMetadata(absl::AsciiStrToLower(k), v);
    tickets::v1::GetTicketRequest request;
    request.set_ticket_id(id);
    tickets::v1::GetTicketResponse response;
    const grpc::Status status = stub->GetTicket(&context, request, &response);
    EXPECT_TRUE(!status.ok() || response.ticket().ticket_id() == id);
    return status;
  };
  EXPECT_EQ(get({}).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(get({{"x-aftersales-role", "admin"}, {"x-aftersales-principal", "mallory"}})
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(get(AgentOf("store-g")).ok());
  EXPECT_EQ(get(AgentOf("store-h")).error_code(), grpc::StatusCode::NOT_FOUND);
  // An agent may not push orders over gRPC either.
  grpc::ClientContext push_context;
  push_context.AddMetadata("authorization", AgentOf("store-g")[0].second);
  tickets::v1::PutOrderRequest put;
  put.set_store_id("store-g");
  put.set_order_id("o-g");
  tickets::v1::PutOrderResponse put_response;
  EXPECT_EQ(stub->PutOrder(&push_context, put, &put_response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST(IdentityEndToEnd, OneBackendDownLeavesTheGatewayReadyAndTheOtherRoutesWorking) {
  HttpClient http(sys->http_port());
  ASSERT_TRUE(sys->StopService("returns", SIGTERM).ok());
  HttpResult ready;
  for (int i = 0; i < 50; ++i) {
    ready = http.Get("/readyz");
    if (ready.body.find(R"("backends_not_serving":["returns"])") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(ready.status, 200);
  EXPECT_NE(ready.body.find(R"("backends_not_serving":["returns"])"), std::string::npos)
      << ready.body;
  const HttpResult quote = http.Post("/v1/returns:quote", "{}", Admin());
  EXPECT_EQ(quote.status, 503) << quote.body;
  EXPECT_EQ(quote.body.find("failed to connect"), std::string::npos) << quote.body;
  EXPECT_EQ(http.Post("/v1/tickets", TicketJson("store-a"), Admin()).status, 200);
  ASSERT_TRUE(sys->StartService("returns").ok());
  EXPECT_TRUE(sys->WaitReady(absl::Seconds(20)).ok());
}

}  // namespace
}  // namespace aftersales
