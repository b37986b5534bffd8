// RunOnExecutor over a real in-process gRPC server on loopback: work queued for a caller who gave
// up never runs.
#include "common/server.h"

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "absl/time/clock.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/executor.h"
#include "tests/support/test_identity.h"

namespace aftersales {
namespace {

namespace v1 = tickets::v1;

// GetTicket runs on a one-thread executor and counts the times its work ran.
class CountingTickets final : public v1::TicketsService::CallbackService {
 public:
  explicit CountingTickets(BoundedExecutor& executor) : executor_(executor) {}
  grpc::ServerUnaryReactor* GetTicket(grpc::CallbackServerContext* context,
                                      const v1::GetTicketRequest* request,
                                      v1::GetTicketResponse* response) override {
    return RunOnExecutor(context, executor_, [this, request, response] {
      ++ran;
      response->mutable_ticket()->set_ticket_id(request->ticket_id());
      return absl::OkStatus();
    });
  }
  grpc::ServerUnaryReactor* PutOrder(grpc::CallbackServerContext* context,
                                     const v1::PutOrderRequest*, v1::PutOrderResponse*) override {
    return RunOnExecutor(context, executor_, [this] {
      ++ran;
      return absl::OkStatus();
    });
  }
  std::atomic<int> ran{0};

 private:
  BoundedExecutor& executor_;
};

// The service on loopback behind the interceptors every server runs, and a stub to call it;
// port 0 when it failed.
struct TestServer {
  int port = 0;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<v1::TicketsService::Stub> stub;
};

TestServer StartServer(CountingTickets& service) {
  TestServer t;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &t.port);
  builder.RegisterService(&service);
  const bool installed = InstallServerInterceptors(builder, testing::TestSigner()).ok();
  t.server = builder.BuildAndStart();
  if (!installed) t.port = 0;
  t.stub = v1::TicketsService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", t.port), grpc::InsecureChannelCredentials()));
  return t;
}

TEST(RunOnExecutor, WorkQueuedPastTheCallersDeadlineNeverRuns) {
  BoundedExecutor executor(1, 16);
  CountingTickets service(executor);
  TestServer t = StartServer(service);
  ASSERT_NE(t.port, 0);
  auto& stub = t.stub;

  // The executor's one thread is busy until released.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(executor.TrySubmit([released] { released.wait(); }));

  grpc::ClientContext impatient;
  impatient.AddMetadata(kIdentityHeader, testing::TestIdentity(Role::kAgent));
  impatient.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  v1::GetTicketRequest request;
  request.set_ticket_id("T1");
  v1::GetTicketResponse response;
  EXPECT_EQ(stub->GetTicket(&impatient, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);

  // The server's deadline is the client's timeout counted from when the call arrived, a little
  // after the client's own: let it pass there too before the queued work may start.
  absl::SleepFor(absl::Milliseconds(100));
  release.set_value();
  // A patient call queued behind it runs, so the queue has moved past the impatient one.
  grpc::ClientContext patient;
  patient.AddMetadata(kIdentityHeader, testing::TestIdentity(Role::kAgent));
  patient.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ASSERT_TRUE(stub->GetTicket(&patient, request, &response).ok());
  EXPECT_EQ(response.ticket().ticket_id(), "T1");
  EXPECT_EQ(service.ran.load(), 1);
  t.server->Shutdown();
}

// A service believes no caller on the word of metadata: only a signed identity token counts,
// and the RPC's access declaration is enforced before any work is queued.
TEST(RunOnExecutor, CallsWithoutASignedIdentityOrOfTheWrongRoleNeverRun) {
  BoundedExecutor executor(1, 16);
  CountingTickets service(executor);
  TestServer t = StartServer(service);
  ASSERT_NE(t.port, 0);
  auto& stub = t.stub;
  const auto put = [&](const std::vector<std::pair<std::string, std::string>>& metadata) {
    grpc::ClientContext context;
    for (const auto& [k, v] : metadata) context.AddMetadata(k, v);
    v1::PutOrderRequest request;
    v1::PutOrderResponse response;
    return stub->PutOrder(&context, request, &response);
  };

  // The old way of saying who you are: forged, and refused.
  const grpc::Status forged = put({{"x-aftersales-principal", "mallory"},
                                   {"x-aftersales-role", "admin"},
                                   {"x-aftersales-stores", "*"}});
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(forged.error_message(), ::testing::HasSubstr("x-aftersales-identity"));
  // Signed with another key.
  const IdentitySigner other = *IdentitySigner::Create(std::string(40, 'z'), "mallory");
  Caller admin;
  admin.principal = "mallory";
  admin.role = Role::kAdmin;
  admin.all_stores = true;
  EXPECT_EQ(put({{kIdentityHeader, other.Sign(admin, absl::Now())}}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Signed, but an agent may not push orders.
  const grpc::Status agent = put({{kIdentityHeader, testing::TestIdentity(Role::kAgent)}});
  EXPECT_EQ(agent.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(service.ran.load(), 0);
  // Order sync may.
  EXPECT_TRUE(put({{kIdentityHeader, testing::TestIdentity(Role::kService)}}).ok());
  EXPECT_EQ(service.ran.load(), 1);
  t.server->Shutdown();
}

}  // namespace
}  // namespace aftersales
