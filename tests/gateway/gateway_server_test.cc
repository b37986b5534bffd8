// The gateway in-process against a fake tickets backend on loopback: HTTP in, gRPC out, and back.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>

#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/ids.h"
#include "gateway/gateway.h"
#include "tests/support/http_client.h"
#include "tests/support/test_identity.h"

namespace aftersales::gateway {
namespace {

namespace tickets = ::aftersales::tickets::v1;
using ::aftersales::testing::HttpClient;
using ::aftersales::testing::HttpResult;
using ::testing::HasSubstr;
using ::testing::Not;

// Answers GetTicket and CreateTicket, remembering the metadata of the last call.
class FakeTickets final : public tickets::TicketsService::CallbackService {
 public:
  ~FakeTickets() override {
    for (std::thread& t : slow_) t.join();
  }

  int SlowCallsSoFar() {
    std::lock_guard<std::mutex> lock(mu_);
    return slow_calls_;
  }
  // Waits until `count` "slow" calls in all have reached the backend.
  bool WaitForSlowCalls(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    return slow_arrived_.wait_for(lock, std::chrono::seconds(10),
                                  [&] { return slow_calls_ >= count; });
  }

  std::map<std::string, std::string> LastMetadata() {
    std::lock_guard<std::mutex> lock(mu_);
    return metadata_;
  }

  grpc::ServerUnaryReactor* GetTicket(grpc::CallbackServerContext* context,
                                      const tickets::GetTicketRequest* request,
                                      tickets::GetTicketResponse* response) override {
    Remember(*context);
    // As every Aftersales service's interceptor marks its answers: an error without the mark
    // is gRPC's transport speaking, and the gateway rewrites its text.
    context->AddTrailingMetadata(kServedByHeader, "fake-tickets");
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->ticket_id() == "missing") {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "ticket missing not found"));
      return reactor;
    }
    if (request->ticket_id() == "broken") {
      reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                                   "database error 1054: Unknown column 'buyer_tier2'"));
      return reactor;
    }
    response->mutable_ticket()->set_ticket_id(request->ticket_id());
    response->mutable_ticket()->set_status(tickets::Ticket::OPEN);
    if (request->ticket_id() == "slow") {
      std::lock_guard<std::mutex> lock(mu_);
      ++slow_calls_;
      slow_arrived_.notify_all();
      slow_.emplace_back([this, reactor, context] {
        absl::SleepFor(absl::Milliseconds(400));
        if (context->IsCancelled()) ++cancelled_slow_calls_;
        reactor->Finish(grpc::Status::OK);
      });
      return reactor;
    }
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* CreateTicket(grpc::CallbackServerContext* context,
                                         const tickets::CreateTicketRequest* request,
                                         tickets::CreateTicketResponse* response) override {
    Remember(*context);
    response->mutable_ticket()->set_ticket_id("T-new");
    response->mutable_ticket()->set_store_id(request->store_id());
    response->mutable_ticket()->mutable_buyer()->set_tier(request->buyer().tier());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  void Remember(const grpc::CallbackServerContext& context) {
    std::lock_guard<std::mutex> lock(mu_);
    metadata_.clear();
    for (const auto& [key, value] : context.client_metadata()) {
      metadata_[std::string(key.data(), key.size())] = std::string(value.data(), value.size());
    }
  }

  std::mutex mu_;
  std::map<std::string, std::string> metadata_;
  std::vector<std::thread> slow_;
  std::condition_variable slow_arrived_;
  int slow_calls_ = 0;

 public:
  // Slow calls that had been cancelled by the time they finished.
  std::atomic<int> cancelled_slow_calls_{0};
};

// A gateway in development mode on loopback, signing with the tests' identity key.
GatewayOptions DevOptions() {
  GatewayOptions options;
  options.auth.mode = "development";
  options.identity_key = testing::kTestIdentityKey;
  return options;
}

class GatewayServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    grpc::EnableDefaultHealthCheckService(true);
    fake_ = new FakeTickets;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &backend_port_);
    builder.RegisterService(fake_);
    backend_ = builder.BuildAndStart().release();
    ASSERT_NE(backend_, nullptr);

    GatewayOptions options = DevOptions();
    options.listen = "127.0.0.1:0";
    options.backends = {{"tickets", absl::StrCat("127.0.0.1:", backend_port_)}};
    options.max_body_bytes = 4096;
    // The suite's requests are one principal's; limits have their own test.
    options.cors_origins = {"https://desk.example.com"};
    options.person_rate = {1e5, 1e5};
    options.unauthenticated_rate = {1e5, 1e5};
    options.readiness_interval = absl::Milliseconds(100);
    absl::StatusOr<std::unique_ptr<Gateway>> gateway = Gateway::Create(options);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = gateway->release();
    ASSERT_TRUE(gateway_->Start().ok());
  }

  static void TearDownTestSuite() {
    delete gateway_;
    backend_->Shutdown();
    delete backend_;
    delete fake_;
  }

  // /readyz names no backend down once the poller saw the backend SERVING.
  static bool WaitReady(HttpClient& client) {
    for (int i = 0; i < 50; ++i) {
      const HttpResult r = client.Get("/readyz");
      if (r.status == 200 && r.body.find(R"("backends_not_serving":[])") != std::string::npos) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  // A gateway of the test's own on the fake backend, with the changes adjust makes; nullptr
  // (and a failure) when it does not start.
  static std::unique_ptr<Gateway> OwnGateway(const std::function<void(GatewayOptions&)>& adjust) {
    GatewayOptions options = DevOptions();
    options.listen = "127.0.0.1:0";
    options.backends = {{"tickets", absl::StrCat("127.0.0.1:", backend_port_)}};
    adjust(options);
    absl::StatusOr<std::unique_ptr<Gateway>> gateway = Gateway::Create(options);
    EXPECT_TRUE(gateway.ok()) << gateway.status();
    if (!gateway.ok() || !(*gateway)->Start().ok()) return nullptr;
    return *std::move(gateway);
  }

  // A GET of the fake's slow ticket (answered after 400 ms) on a thread of its own; true once
  // the call has reached the backend. Its answer lands in slow: join caller before reading it.
  static bool StartSlowGet(int port, HttpResult& slow, std::thread& caller) {
    const int before = fake_->SlowCallsSoFar();
    caller = std::thread([port, &slow] { slow = HttpClient(port).Get("/v1/tickets/slow"); });
    return fake_->WaitForSlowCalls(before + 1);
  }

  static FakeTickets* fake_;
  static grpc::Server* backend_;
  static int backend_port_;
  static Gateway* gateway_;
  HttpClient client_{gateway_->port()};
};

FakeTickets* GatewayServer::fake_ = nullptr;
grpc::Server* GatewayServer::backend_ = nullptr;
int GatewayServer::backend_port_ = 0;
Gateway* GatewayServer::gateway_ = nullptr;

TEST_F(GatewayServer, HealthzIsOkAndReadyzFollowsTheBackend) {
  const HttpResult health = client_.Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  EXPECT_TRUE(WaitReady(client_));
}

TEST_F(GatewayServer, GetIsTranscodedToTheRpcAndTheReplyPrintedAsJson) {
  const HttpResult r = client_.Get("/v1/tickets/T1");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_THAT(r.body, HasSubstr(R"("ticket_id":"T1")"));
  EXPECT_THAT(r.body, HasSubstr(R"("status":"OPEN")"));
  EXPECT_THAT(r.body, HasSubstr(R"("breached":false)"));
}

TEST_F(GatewayServer, PostBodyIsTranscoded) {
  const HttpResult r =
      client_.Post("/v1/tickets", R"({"store_id": "s1", "buyer": {"tier": "VIP"}})");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("store_id":"s1")"));
  EXPECT_THAT(r.body, HasSubstr(R"("tier":"VIP")"));
}

TEST_F(GatewayServer, DevelopmentPrincipalRequestIdAndKeysTravelAsMetadata) {
  const HttpResult r =
      client_.Post("/v1/tickets", "{}",
                   {{"X-Request-Id", "0f8fad5b-d9cb-469f-a165-70867728950e"},
                    {"Idempotency-Key", "key-1"},
                    {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.Header("X-Request-Id"), "0f8fad5b-d9cb-469f-a165-70867728950e");
  const auto metadata = fake_->LastMetadata();
  const absl::StatusOr<Caller> caller =
      testing::TestSigner()->Verify(metadata.at("x-aftersales-identity"), absl::Now());
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->principal, "dev");
  EXPECT_EQ(caller->role, Role::kAdmin);
  EXPECT_TRUE(caller->all_stores);
  EXPECT_EQ(metadata.count("x-aftersales-role"), 0u);
  EXPECT_EQ(metadata.at("x-request-id"), "0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_EQ(metadata.at("idempotency-key"), "key-1");
  EXPECT_EQ(metadata.at("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST_F(GatewayServer, DevHeadersActAsAnAgentOfOneStore) {
  const HttpResult r = client_.Get(
      "/v1/tickets/T1",
      {{"X-Dev-Principal", "agent-7"}, {"X-Dev-Role", "agent"}, {"X-Dev-Stores", "s1"}});
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  const auto metadata = fake_->LastMetadata();
  const absl::StatusOr<Caller> caller =
      testing::TestSigner()->Verify(metadata.at("x-aftersales-identity"), absl::Now());
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->principal, "agent-7");
  EXPECT_EQ(caller->role, Role::kAgent);
  EXPECT_FALSE(caller->all_stores);
  EXPECT_THAT(caller->stores, ::testing::ElementsAre("s1"));
  EXPECT_EQ(metadata.count("idempotency-key"), 0u);
}

TEST_F(GatewayServer, UnknownDevRoleIsUnauthenticated) {
  const HttpResult r = client_.Get("/v1/tickets/T1", {{"X-Dev-Role", "king"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr(R"("code":"UNAUTHENTICATED")"));
}

TEST(RateLimiter, ABucketGivesItsBurstThenItsRate) {
  RateLimiter limiter;
  const RateLimit limit{2, 3};
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("p:a", limit, t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("p:a", limit, t0), absl::Milliseconds(500));
  // Another principal has its own bucket.
  EXPECT_EQ(limiter.Take("p:b", limit, t0), absl::ZeroDuration());
  // Half a second later, one more; never more than the burst after a long pause.
  EXPECT_EQ(limiter.Take("p:a", limit, t0 + absl::Milliseconds(500)), absl::ZeroDuration());
  EXPECT_GT(limiter.Take("p:a", limit, t0 + absl::Milliseconds(500)), absl::ZeroDuration());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Take("p:a", limit, t0 + absl::Minutes(5)), absl::ZeroDuration());
  }
  EXPECT_GT(limiter.Take("p:a", limit, t0 + absl::Minutes(5)), absl::ZeroDuration());
  // Idle buckets are forgotten.
  limiter.Take("p:c", limit, t0 + absl::Hours(1));
  EXPECT_EQ(limiter.size(), 1u);
  RateLimit parsed;
  EXPECT_TRUE(ParseRateLimit("20/40", parsed));
  EXPECT_EQ(parsed.rate, 20);
  EXPECT_FALSE(ParseRateLimit("20", parsed));
  EXPECT_FALSE(ParseRateLimit("0/10", parsed));
  EXPECT_FALSE(ParseRateLimit("0.01/100", parsed));  // ten thousand seconds to refill
}

TEST_F(GatewayServer, PastItsRateAPrincipalGets429WithRetryAfterAndOthersGoOn) {
  const std::unique_ptr<Gateway> own = OwnGateway([](GatewayOptions& o) {
    o.person_rate = {0.5, 3};
  });
  ASSERT_NE(own, nullptr);
  HttpClient client(own->port());
  const testing::HttpHeaders agent = {{"X-Dev-Principal", "busy"}, {"X-Dev-Role", "agent"}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.Get("/v1/tickets/T1", agent).status, 200);
  const HttpResult limited = client.Get("/v1/tickets/T1", agent);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "2");
  EXPECT_THAT(limited.body, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_EQ(client.Get("/v1/tickets/T1", {{"X-Dev-Principal", "calm"}, {"X-Dev-Role", "agent"}})
                .status,
            200);
  // Bad credentials count against the client's address.
  for (int i = 0; i < 30; ++i) client.Get("/v1/tickets/T1", {{"X-Dev-Role", "king"}});
  EXPECT_EQ(client.Get("/v1/tickets/T1", {{"X-Dev-Role", "king"}}).status, 429);
  const HttpResult metrics = client.Get("/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("gateway_rate_limited_total "));
  EXPECT_THAT(metrics.body, Not(HasSubstr("gateway_rate_limited_total 0\n")));
  EXPECT_THAT(metrics.body, HasSubstr("gateway_backend_calls_in_flight{backend=\"tickets\"} 0"));
  own->Shutdown();
}

TEST_F(GatewayServer, BrowsersOfAllowedOriginsGetCorsAndOthersNone) {
  const HttpResult preflight = client_.Request(
      "OPTIONS", "/v1/tickets", "",
      {{"Origin", "https://desk.example.com"},
       {"Access-Control-Request-Method", "POST"},
       {"Access-Control-Request-Headers", "authorization, content-type, idempotency-key"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.Header("Access-Control-Allow-Origin"), "https://desk.example.com");
  EXPECT_THAT(preflight.Header("Access-Control-Allow-Headers"), HasSubstr("Idempotency-Key"));
  EXPECT_THAT(preflight.Header("Access-Control-Allow-Headers"), HasSubstr("Authorization"));
  const HttpResult stranger = client_.Request(
      "OPTIONS", "/v1/tickets", "",
      {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(stranger.Header("Access-Control-Allow-Origin"), "");

  const HttpResult get = client_.Get("/v1/tickets/T1", {{"Origin", "https://desk.example.com"}});
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.Header("Access-Control-Allow-Origin"), "https://desk.example.com");
  EXPECT_THAT(get.Header("Access-Control-Expose-Headers"), HasSubstr("X-Request-Id"));
  EXPECT_THAT(get.Header("Access-Control-Expose-Headers"), HasSubstr("Retry-After"));
  EXPECT_EQ(client_.Get("/v1/tickets/T1", {{"Origin", "https://evil.example"}})
                .Header("Access-Control-Allow-Origin"),
            "");
  // A page posting JSON as text/plain (no preflight) is refused before anything is done.
  const HttpResult simple = client_.Post("/v1/tickets", R"({"store_id":"s1"})",
                                         {{"Origin", "https://evil.example"},
                                          {"Content-Type", "text/plain"}});
  EXPECT_EQ(simple.status, 415);
}

// A connection to the gateway at port, 5 s timeouts; -1 when it cannot connect.
int ConnectTo(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return -1;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

std::string ReadAll(int fd) {
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
    answer.append(buffer, static_cast<size_t>(n));
  }
  return answer;
}

TEST_F(GatewayServer, PastItsConnectionsRequestsOrHeaderFieldsTheGatewaySheds) {
  const std::unique_ptr<Gateway> own = OwnGateway([](GatewayOptions& o) {
    o.max_connections = 2;
    o.max_requests_in_flight = 1;
  });
  ASSERT_NE(own, nullptr);
  const int port = own->port();

  // One request in flight (a slow one): the next is refused with 503 and Retry-After.
  HttpResult slow;
  std::thread caller;
  ASSERT_TRUE(StartSlowGet(port, slow, caller));
  const HttpResult shed = HttpClient(port).Get("/v1/tickets/T1");
  EXPECT_EQ(shed.status, 503) << shed.body;
  EXPECT_EQ(shed.Header("Retry-After"), "1");
  caller.join();
  EXPECT_EQ(slow.status, 200);

  // Two idle connections held open: a third is answered 503 and closed.
  const int a = ConnectTo(port), b = ConnectTo(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  // The server counts a connection once its accept ran; on a loaded machine that can trail the
  // client's connect, so the third connection is tried until both are counted.
  const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string third;
  for (int attempt = 0; attempt < 50 && third.find("HTTP/1.1 503") == std::string::npos; ++attempt) {
    absl::SleepFor(absl::Milliseconds(100));
    const int c = ConnectTo(port);
    ASSERT_GE(c, 0);
    send(c, get.data(), get.size(), MSG_NOSIGNAL);
    third = ReadAll(c);
    close(c);
  }
  EXPECT_THAT(third, HasSubstr("HTTP/1.1 503"));
  close(a);
  close(b);

  // 101 header fields, each tiny: 431.
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 101; ++i) absl::StrAppend(&many, "X-H", i, ": 1\r\n");
  many += "\r\n";
  absl::SleepFor(absl::Milliseconds(100));
  const int d = ConnectTo(port);
  ASSERT_GE(d, 0);
  send(d, many.data(), many.size(), MSG_NOSIGNAL);
  EXPECT_THAT(ReadAll(d), HasSubstr("HTTP/1.1 431"));
  close(d);
  own->Shutdown();
}

TEST_F(GatewayServer, OnSigtermReadyzTurns503WhileRequestsAreStillServedForTheGrace) {
  const std::unique_ptr<Gateway> own = OwnGateway([](GatewayOptions& o) {
    o.shutdown_grace = absl::Milliseconds(800);
  });
  ASSERT_NE(own, nullptr);
  HttpClient client(own->port());
  ASSERT_TRUE(WaitReady(client));
  std::thread terminating([&] { own->GracefulShutdown(); });
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(client.Get("/readyz").status, 503);
  EXPECT_EQ(client.Get("/v1/tickets/T1").status, 200);
  terminating.join();
  EXPECT_EQ(HttpClient(own->port(), absl::Seconds(1)).Get("/healthz").status, 0);
}

TEST_F(GatewayServer, WithAnAdminPortMetricsLeaveThePublicOne) {
  const std::unique_ptr<Gateway> own =
      OwnGateway([](GatewayOptions& o) { o.admin_listen = "127.0.0.1:0"; });
  ASSERT_NE(own, nullptr);
  HttpClient client(own->port());
  EXPECT_EQ(client.Get("/v1/tickets/T1").status, 200);
  EXPECT_EQ(client.Get("/metrics").status, 404);
  const HttpResult admin = HttpClient(own->admin_port()).Get("/metrics");
  EXPECT_EQ(admin.status, 200);
  EXPECT_THAT(admin.body,
              HasSubstr(R"(http_requests_total{method="GET",route="/v1/tickets/{ticket_id}",code="200"} 1)"));
  own->Shutdown();
}

TEST_F(GatewayServer, AClientThatHangsUpCancelsItsBackendCall) {
  const int cancelled_before = fake_->cancelled_slow_calls_.load();
  const int before = fake_->SlowCallsSoFar();
  const int fd = ConnectTo(gateway_->port());
  ASSERT_GE(fd, 0);
  const std::string get = "GET /v1/tickets/slow HTTP/1.1\r\nHost: x\r\n\r\n";
  send(fd, get.data(), get.size(), MSG_NOSIGNAL);
  ASSERT_TRUE(fake_->WaitForSlowCalls(before + 1));
  close(fd);
  for (int i = 0; i < 100 && fake_->cancelled_slow_calls_.load() == cancelled_before; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(fake_->cancelled_slow_calls_.load(), cancelled_before + 1);
  // A client that waits gets its answer, uncancelled.
  EXPECT_EQ(client_.Get("/v1/tickets/slow").status, 200);
  EXPECT_EQ(fake_->cancelled_slow_calls_.load(), cancelled_before + 1);
}

TEST(RequestIds, OursAndUuidsAreKeptAnythingElseIsReplaced) {
  EXPECT_TRUE(IsAcceptableRequestId("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_TRUE(IsAcceptableRequestId(NewId("req")));
  EXPECT_FALSE(IsAcceptableRequestId("req-abc-1"));
  EXPECT_FALSE(IsAcceptableRequestId("0f8fad5b-d9cb-469f-a165-70867728950z"));
  EXPECT_FALSE(IsAcceptableRequestId("req_01KB000000000000000000000I"));
  EXPECT_FALSE(IsAcceptableRequestId("x\r\nSet-Cookie: a=b"));
}

TEST_F(GatewayServer, IdempotencyKeysFollowTheServicesRule) {
  const HttpResult spaced = client_.Post("/v1/tickets", "{}", {{"Idempotency-Key", "key with spaces"}});
  EXPECT_EQ(spaced.status, 400);
  EXPECT_THAT(spaced.body, HasSubstr("without spaces"));
  EXPECT_EQ(client_.Post("/v1/tickets", "{}", {{"Idempotency-Key", "key-1"}}).status, 200);
}

TEST_F(GatewayServer, MissingRequestIdOrAnUnprintableOneGetsANewOne) {
  const HttpResult generated = client_.Get("/healthz");
  EXPECT_FALSE(generated.Header("X-Request-Id").empty());
  const HttpResult replaced = client_.Get("/healthz", {{"X-Request-Id", std::string(200, 'x')}});
  EXPECT_FALSE(replaced.Header("X-Request-Id").empty());
  EXPECT_NE(replaced.Header("X-Request-Id"), std::string(200, 'x'));
}

TEST_F(GatewayServer, BackendErrorBecomesItsHttpStatusWithJsonBody) {
  const HttpResult r = client_.Get("/v1/tickets/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"code":"NOT_FOUND","message":"ticket missing not found","details":[]})");
}

TEST_F(GatewayServer, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  const HttpResult unknown = client_.Get("/v1/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr(R"("code":"NOT_FOUND")"));
  const HttpResult wrong = client_.Request("DELETE", "/v1/tickets/T1");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("Allow"), "GET");
  EXPECT_EQ(wrong.Header("Content-Type"), "application/json");
}

TEST_F(GatewayServer, BadJsonIs400NamingTheField) {
  const HttpResult r = client_.Post("/v1/tickets", R"({"store_id": "s1", "colour": "red"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("code":"INVALID_ARGUMENT")"));
  EXPECT_THAT(r.body, HasSubstr("colour"));
}

TEST_F(GatewayServer, BodyOverTheLimitIs413AndTheNextRequestStillWorks) {
  const HttpResult r = client_.Post("/v1/tickets", std::string(5000, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr(R"("code":"RESOURCE_EXHAUSTED")"));
  EXPECT_THAT(r.body, HasSubstr("4096"));
  EXPECT_EQ(client_.Get("/healthz").status, 200);
}

// What browsers, Go and Python clients do: send the whole body without waiting for
// "100 Continue", and read the answer after (or while) sending. A raw socket, so that nothing
// between the test and the gateway retries or hides a reset.
TEST_F(GatewayServer, AClientStillSendingAnOversizeBodyReadsThe413NotAReset) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(gateway_->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  // Python's requests and many others send the whole body before they read anything.
  const std::string body(1 << 20, ' ');
  const std::string all = absl::StrCat(
      "POST /v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: ", body.size(), "\r\n\r\n", body);
  size_t sent = 0;
  while (sent < all.size()) {
    const ssize_t n = send(fd, all.data() + sent, all.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the gateway closed: fine, as long as the answer can still be read
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buffer[4096];
  for (;;) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      if (n < 0) answer += absl::StrCat("<recv error: ", std::strerror(errno), ">");
      break;
    }
    answer.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 413")) << answer;
  EXPECT_THAT(answer, HasSubstr("4096"));
  // The gateway ended the connection in order (FIN after the answer), not with a reset.
  EXPECT_THAT(answer, Not(HasSubstr("<recv error"))) << answer;
}

TEST_F(GatewayServer, ManyRequestsOnOneKeptAliveConnection) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(client_.Get(absl::StrCat("/v1/tickets/T", i)).status, 200) << i;
  }
}

TEST_F(GatewayServer, MetricsCountRequestsByRouteTemplate) {
  ASSERT_EQ(client_.Get("/v1/tickets/T1").status, 200);
  const HttpResult r = client_.Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(
      r.body,
      HasSubstr(R"(http_requests_total{method="GET",route="/v1/tickets/{ticket_id}",code="200"})"));
}

TEST_F(GatewayServer, InternalErrorsShowTheRequestIdNotTheBackendsText) {
  const HttpResult r = client_.Get("/v1/tickets/broken", {{"X-Request-Id", "req_01KB0000000000000000000000"}});
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr(R"("code":"INTERNAL")"));
  EXPECT_THAT(r.body, HasSubstr("req_01KB0000000000000000000000"));
  EXPECT_THAT(r.body, Not(HasSubstr("buyer_tier2")));
  EXPECT_THAT(r.body, Not(HasSubstr("1054")));
}

TEST_F(GatewayServer, OpenApiDocumentDescribesTheServedRoutes) {
  const HttpResult r = client_.Get("/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.Header("Content-Type"), HasSubstr("application/json"));
  EXPECT_THAT(r.body, HasSubstr(R"("openapi":"3.0.3")"));
  EXPECT_THAT(r.body, HasSubstr(R"("/v1/tickets/{ticket_id}":{"get":)"));
  EXPECT_EQ(client_.Post("/openapi.json", "{}").status, 405);
}

TEST(GatewayWithoutBackend, CallsAre503AndReadyzStaysReadyNamingTheBackend) {
  GatewayOptions options = DevOptions();
  options.listen = "127.0.0.1:0";
  options.backends = {{"tickets", "127.0.0.1:1"}};
  options.backend_timeout = absl::Seconds(2);
  absl::StatusOr<std::unique_ptr<Gateway>> gateway = Gateway::Create(options);
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  ASSERT_TRUE((*gateway)->Start().ok());
  HttpClient client((*gateway)->port());
  const HttpResult call = client.Get("/v1/tickets/T1");
  EXPECT_EQ(call.status, 503);
  EXPECT_THAT(call.body, HasSubstr(R"("code":"UNAVAILABLE")"));
  // gRPC's own words (addresses, "failed to connect to all addresses") stay in the log.
  EXPECT_THAT(call.body, HasSubstr("the tickets service cannot be reached right now"));
  EXPECT_THAT(call.body, Not(HasSubstr("127.0.0.1")));
  EXPECT_THAT(call.body, Not(HasSubstr("failed to connect")));
  const HttpResult ready = client.Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_THAT(ready.body, HasSubstr(R"("backends_not_serving":["tickets"])"));
}

TEST(GatewayConfig, DevelopmentModeListensOnLoopbackOnly) {
  GatewayOptions options = DevOptions();
  options.listen = "0.0.0.0:0";
  const auto gateway = Gateway::Create(options);
  EXPECT_EQ(gateway.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(gateway.status().message(), HasSubstr("loopback"));
  options.listen = "[::1]:0";
  EXPECT_TRUE(Gateway::Create(options).ok());
}

TEST(GatewayConfig, JwtModeNeedsIssuerAudienceAndKeysAndEveryModeAnIdentityKey) {
  GatewayOptions options = DevOptions();
  options.auth.mode = "jwt";
  EXPECT_THAT(Gateway::Create(options).status().message(), HasSubstr("--jwt_issuer"));
  options.auth.jwt_issuer = "https://id.example";
  options.auth.jwt_audience = "aftersales";
  EXPECT_THAT(Gateway::Create(options).status().message(), HasSubstr("--jwks_file"));
  options.auth.mode = "trust-me";
  EXPECT_EQ(Gateway::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  GatewayOptions keyless = DevOptions();
  keyless.identity_key = "";
  EXPECT_THAT(Gateway::Create(keyless).status().message(), HasSubstr("identity_key"));
}

TEST_F(GatewayServer, ShutdownLetsTheRequestInFlightFinishThenRefusesConnections) {
  const std::unique_ptr<Gateway> own = OwnGateway([](GatewayOptions&) {});
  ASSERT_NE(own, nullptr);
  const int port = own->port();
  HttpResult slow;
  std::thread caller;
  ASSERT_TRUE(StartSlowGet(port, slow, caller));
  own->Shutdown();
  caller.join();
  EXPECT_EQ(slow.status, 200) << slow.error;
  EXPECT_EQ(slow.Header("Connection"), "close");
  EXPECT_EQ(HttpClient(port, absl::Seconds(1)).Get("/healthz").status, 0);
}

TEST_F(GatewayServer, ACallCancelledAtTheEndOfTheDrainIs503SoTheClientRetries) {
  const std::unique_ptr<Gateway> own = OwnGateway([](GatewayOptions& o) {
    o.drain_timeout = absl::Milliseconds(100);  // shorter than the slow call's 400 ms
  });
  ASSERT_NE(own, nullptr);
  HttpResult slow;
  std::thread caller;
  ASSERT_TRUE(StartSlowGet(own->port(), slow, caller));
  own->Shutdown();
  caller.join();
  // Not 499 (the client's own cancel, not to be retried): the gateway gave up on it.
  EXPECT_EQ(slow.status, 503) << slow.error;
  EXPECT_THAT(slow.body, HasSubstr("shutting down"));
}

}  // namespace
}  // namespace aftersales::gateway
