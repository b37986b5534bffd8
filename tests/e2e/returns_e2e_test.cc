// End to end for returns: MariaDB, tickets, returns and the gateway as real processes; quote,
// create (which opens a ticket through the outbox), walk the lifecycle, edit the policy.
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "tests/support/http_client.h"
#include "tests/support/json_body.h"
#include "tests/support/running_system.h"

namespace aftersales {
namespace {

using testing::ErrorCode;
using testing::ErrorMessage;
using testing::HttpClient;
using testing::HttpHeaders;
using testing::HttpResult;
using testing::ParseBody;
namespace rv1 = returns::v1;

testing::RunningSystem* sys = nullptr;

class SystemEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::RunningSystem>> started = testing::RunningSystem::Start(
        {{"tickets", TICKETS_BINARY, {}}, {"returns", RETURNS_BINARY, {"--outbox_interval=200ms"}}},
        GATEWAY_BINARY);
    ASSERT_TRUE(started.ok()) << started.status();
    owned_ = *std::move(started);
    sys = owned_.get();
  }
  void TearDown() override { owned_.reset(); }

 private:
  std::unique_ptr<testing::RunningSystem> owned_;
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new SystemEnvironment);

const HttpHeaders kAgent = {{"X-Dev-Role", "agent"}, {"X-Dev-Stores", "store-1"}};
const HttpHeaders kSupervisor = {{"X-Dev-Role", "supervisor"}, {"X-Dev-Stores", "store-1"}};

// A US Amazon order of a 60.00 USD item that cost the seller 35.00, no longer needed.
std::string CaseJson(const std::string& order_id) {
  return absl::StrCat(
      R"({"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":")", order_id,
      R"("},"buyer_country":"US","fulfillment":"MERCHANT","category":"GENERAL",)"
      R"("item_price":{"currency_code":"USD","amount_minor":6000},"item_cost":{"currency_code":"USD","amount_minor":3500},)"
      R"("quantity":1,"ordered_at":"2026-11-01T00:00:00Z","delivered_at":"2026-11-10T00:00:00Z","requested_at":"2026-11-20T00:00:00Z",)"
      R"("reason":"NO_LONGER_NEEDED","condition":"OPENED_UNUSED","weight_grams":800})");
}

bool Fired(const rv1::ReturnDecision& d, const std::string& id) {
  for (const auto& r : d.fired_rules()) {
    if (r.id() == id) return true;
  }
  return false;
}

TEST(ReturnsEndToEnd, QuoteCreateOpenTicketAndWalkTheLifecycle) {
  HttpClient http(sys->http_port());
  const HttpResult quoted = http.Post("/v1/returns:quote", CaseJson("113-5000001"), kAgent);
  ASSERT_EQ(quoted.status, 200) << quoted.body;
  const rv1::ReturnDecision decision = ParseBody<rv1::QuoteReturnResponse>(quoted).decision();
  EXPECT_TRUE(decision.eligible());
  EXPECT_EQ(decision.return_shipping_payer(), rv1::SELLER);
  EXPECT_TRUE(Fired(decision, "buyer_remorse_to_china_seller_pays"));

  const std::string create = absl::StrCat(R"({"return_case":)", CaseJson("113-5000001"),
                                          R"(,"buyer":{"buyer_id":"b-9","name":"Ann","language":"en"},"note":"Too big."})");
  const HttpResult created = http.Post("/v1/returns", create, {{"Idempotency-Key", "ret-e2e-1"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const rv1::Return ret = ParseBody<rv1::CreateReturnResponse>(created).return_();
  EXPECT_EQ(ret.status(), rv1::Return::REQUESTED);
  const HttpResult retried = http.Post("/v1/returns", create, {{"Idempotency-Key", "ret-e2e-1"}});
  EXPECT_EQ(ParseBody<rv1::CreateReturnResponse>(retried).return_().return_id(), ret.return_id());
  EXPECT_EQ(created.Header("Idempotent-Replayed"), "");
  EXPECT_EQ(retried.Header("Idempotent-Replayed"), "true");

  // The outbox opens the return's ticket in the tickets service, with the 48 h clock.
  std::string ticket_id;
  for (int i = 0; i < 100 && ticket_id.empty(); ++i) {
    ticket_id = ParseBody<rv1::GetReturnResponse>(http.Get("/v1/returns/" + ret.return_id())).return_().ticket_id();
    if (ticket_id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(ticket_id.empty()) << sys->Log("returns");
  const HttpResult ticket = http.Get("/v1/tickets/" + ticket_id);
  ASSERT_EQ(ticket.status, 200) << ticket.body;
  const tickets::v1::Ticket t = ParseBody<tickets::v1::GetTicketResponse>(ticket).ticket();
  EXPECT_EQ(t.category(), tickets::v1::RETURN_REQUEST);
  EXPECT_EQ(t.sla_policy(), "return_request_48h");
  EXPECT_EQ(t.messages(0).body(), "Too big.");

  const std::string base = "/v1/returns/" + ret.return_id();
  ASSERT_EQ(http.Post(base + ":authorize", "{}", kAgent).status, 200);
  ASSERT_EQ(http.Post(base + ":issueLabel", R"({"carrier":"4PX","tracking_number":"RL77CN"})", kAgent).status, 200);
  ASSERT_EQ(http.Post(base + ":recordTracking", R"({"carrier":"4PX","tracking_number":"RL77CN"})", kAgent).status, 200);
  const HttpResult received = http.Post(base + ":markReceived", R"({"condition":"UNOPENED"})", kAgent);
  ASSERT_EQ(received.status, 200) << received.body;
  EXPECT_EQ(ParseBody<rv1::MarkReceivedResponse>(received).return_().refund_due().amount_minor(), 6000);

  // 60.00 USD is above an agent's 50.00 limit.
  const HttpResult denied = http.Post(base + ":refund", "{}", kAgent);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_NE(ErrorMessage(denied).find("supervisor"), std::string::npos);
  const HttpResult refunded = http.Post(base + ":refund", "{}", kSupervisor);
  ASSERT_EQ(refunded.status, 200) << refunded.body;
  EXPECT_EQ(ParseBody<rv1::RefundReturnResponse>(refunded).return_().status(), rv1::Return::REFUNDED);
  const HttpResult again = http.Post(base + ":authorize", "{}", kAgent);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(ErrorCode(again), "FAILED_PRECONDITION");

  const HttpResult by_order = http.Get("/v1/stores/store-1/orders/113-5000001/returns");
  ASSERT_EQ(by_order.status, 200) << by_order.body;
  const auto order_returns = ParseBody<rv1::GetOrderReturnsResponse>(by_order);
  ASSERT_EQ(order_returns.returns_size(), 1);
  EXPECT_EQ(order_returns.refunded_total(0).amount_minor(), 6000);
}

TEST(ReturnsEndToEnd, AnOrderTheTicketsServiceHoldsIsRefundedOnce) {
  HttpClient http(sys->http_port());
  // Order sync pushes the order (one unit) to the tickets service.
  const HttpResult put = http.Request(
      "PUT", "/v1/stores/store-1/orders/113-5000077",
      R"({"marketplace":"AMAZON","site":"US","items":[{"sku":"LAMP-1","quantity":1,)"
      R"("price":{"currency_code":"USD","amount_minor":6000}}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  const std::string create = absl::StrCat(R"({"return_case":)", CaseJson("113-5000077"),
                                          R"(,"buyer":{"buyer_id":"b-77"}})");
  const HttpResult first = http.Post("/v1/returns", create, kAgent);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(ParseBody<rv1::CreateReturnResponse>(first).return_().decision().eligible());
  // The same unit again, as a second agent might: the order has nothing left to refund.
  const HttpResult second = http.Post("/v1/returns", create, kSupervisor);
  ASSERT_EQ(second.status, 200) << second.body;
  const rv1::ReturnDecision d = ParseBody<rv1::CreateReturnResponse>(second).return_().decision();
  EXPECT_FALSE(d.eligible());
  EXPECT_TRUE(Fired(d, "order_fully_refunded")) << second.body;
  EXPECT_EQ(d.refund_amount().amount_minor(), 0);
}

TEST(ReturnsEndToEnd, APolicyEditChangesTheNextQuote) {
  HttpClient http(sys->http_port());
  const HttpResult got = http.Get("/v1/stores/store-2/returnPolicies/US");
  ASSERT_EQ(got.status, 200) << got.body;
  auto policy = ParseBody<rv1::GetReturnPolicyResponse>(got);
  EXPECT_FALSE(policy.stored());
  policy.mutable_policy()->add_local_return_countries("US");
  std::string body;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(policy.policy(), &body).ok());
  EXPECT_EQ(http.Request("PUT", "/v1/stores/store-2/returnPolicies/US", body, kAgent).status, 403);
  const HttpResult put = http.Request("PUT", "/v1/stores/store-2/returnPolicies/US", body);
  ASSERT_EQ(put.status, 200) << put.body;

  const std::string quote = absl::StrReplaceAll(CaseJson("113-5000002"), {{"store-1", "store-2"}});
  const HttpResult quoted = http.Post("/v1/returns:quote", quote);
  ASSERT_EQ(quoted.status, 200) << quoted.body;
  const rv1::ReturnDecision d = ParseBody<rv1::QuoteReturnResponse>(quoted).decision();
  EXPECT_EQ(d.return_shipping_payer(), rv1::BUYER);
  EXPECT_TRUE(Fired(d, "buyer_remorse_local_buyer_pays"));
}

TEST(ReturnsEndToEnd, BadInputIsAClearErrorAndAnIneligibleItemIsAnAnswer) {
  HttpClient http(sys->http_port());
  const HttpResult backwards = http.Post(
      "/v1/returns:quote",
      absl::StrReplaceAll(CaseJson("113-5000003"), {{"2026-11-20T00:00:00Z", "2026-11-05T00:00:00Z"}}));
  EXPECT_EQ(backwards.status, 400);
  EXPECT_NE(ErrorMessage(backwards).find("requested_at"), std::string::npos) << backwards.body;

  const HttpResult unknown = http.Post("/v1/returns:quote",
                                       absl::StrReplaceAll(CaseJson("113-5000003"), {{"GENERAL", "SPACESHIPS"}}));
  EXPECT_EQ(unknown.status, 400);

  const HttpResult late = http.Post(
      "/v1/returns:quote",
      absl::StrReplaceAll(CaseJson("113-5000003"), {{"2026-11-20T00:00:00Z", "2026-12-31T00:00:00Z"}}));
  ASSERT_EQ(late.status, 200) << late.body;
  const rv1::ReturnDecision d = ParseBody<rv1::QuoteReturnResponse>(late).decision();
  EXPECT_FALSE(d.eligible());
  EXPECT_TRUE(Fired(d, "outside_window"));

  EXPECT_EQ(http.Get("/v1/returns/ret_missing").status, 404);
}

TEST(ReturnsEndToEnd, DutyReturnedParcelAndCancellationDecisions) {
  HttpClient http(sys->http_port());
  const HttpResult duty = http.Post(
      "/v1/duties:decide",
      R"({"buyer_told_before_shipping":true,"duty":{"currency_code":"EUR","amount_minor":1800},)"
      R"("item_profit":{"currency_code":"EUR","amount_minor":900},"return_cost":{"currency_code":"EUR","amount_minor":2500}})");
  ASSERT_EQ(duty.status, 200) << duty.body;
  EXPECT_EQ(ParseBody<rv1::DecideDutyResponse>(duty).outcome(), rv1::DecideDutyResponse::BUYER_PAYS);

  const HttpResult parcel = http.Post(
      "/v1/returnedParcels:decide",
      R"({"returned_before_export":true,"item_total":{"currency_code":"USD","amount_minor":3000},)"
      R"("outbound_shipping":{"currency_code":"USD","amount_minor":0}})");
  ASSERT_EQ(parcel.status, 200) << parcel.body;
  EXPECT_TRUE(ParseBody<rv1::DecideReturnedParcelResponse>(parcel).refund_now());

  const HttpResult cancel = http.Post(
      "/v1/cancellations:decide",
      R"({"requested_at":"2026-11-20T00:00:00Z","order_total":{"currency_code":"USD","amount_minor":3000}})");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(ParseBody<rv1::DecideCancellationResponse>(cancel).outcome(),
            rv1::DecideCancellationResponse::CANCEL_AS_BUYER_CANCELLED);
}

}  // namespace
}  // namespace aftersales
