// End to end: MariaDB, the tickets service and the gateway as real processes on 127.0.0.1,
// driven over HTTP the way the web client drives them.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/mysql.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/json_body.h"
#include "tests/support/running_system.h"

namespace aftersales {
namespace {

using testing::HttpClient;
using testing::HttpResult;
namespace v1 = tickets::v1;

testing::RunningSystem* sys = nullptr;

class SystemEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::RunningSystem>> started =
        // The reviews service screens every message to a buyer the tickets service stores.
        testing::RunningSystem::Start({{"tickets", TICKETS_BINARY, {}}, {"reviews", REVIEWS_BINARY, {}}},
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

template <typename M>
M Parse(const HttpResult& r) {
  return testing::ParseBody<M>(r);
}
using testing::ErrorCode;
using testing::ErrorMessage;

std::string TicketJson(const std::string& store = "store-1", const std::string& subject = "Where is my parcel?") {
  return absl::StrCat(
      R"({"store_id":")", store,
      R"(","order":{"marketplace":"AMAZON","site":"US","order_id":"113-7654321"},)"
      R"("buyer":{"buyer_id":"b-1","name":"Anna","country":"US","time_zone":"America/New_York","language":"en","tier":"REGULAR"},)"
      R"("category":"LOGISTICS_DELAYED","channel":"MARKETPLACE_MESSAGE","subject":")",
      subject, R"(","body":"It has been three weeks."})");
}

int64_t CountTickets() {
  absl::StatusOr<std::unique_ptr<Database>> db = sys->OpenDatabase("aftersales_tickets");
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return -1;
  absl::StatusOr<int64_t> n = (*db)->InTransaction<int64_t>([](Transaction& tx) -> absl::StatusOr<int64_t> {
    absl::StatusOr<std::vector<Row>> rows = tx.Query("SELECT COUNT(*) FROM tickets");
    if (!rows.ok()) return rows.status();
    return rows->front().Int(0);
  });
  return n.value_or(-1);
}

TEST(TicketsEndToEnd, CreateGetListMessageAssignResolve) {
  HttpClient http(sys->http_port());
  const HttpResult created = http.Post("/v1/tickets", TicketJson(), {{"X-Request-Id", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.Header("x-request-id"), "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  EXPECT_NE(created.Header("content-type").find("application/json"), std::string::npos);
  const v1::Ticket ticket = Parse<v1::CreateTicketResponse>(created).ticket();
  EXPECT_EQ(ticket.status(), v1::Ticket::OPEN);
  EXPECT_TRUE(ticket.has_reply_due_at());
  // false fields are printed, with proto field names.
  const google::protobuf::Struct body = Parse<google::protobuf::Struct>(created);
  const auto& printed = body.fields().at("ticket").struct_value().fields();
  ASSERT_TRUE(printed.contains("breached")) << created.body;
  EXPECT_FALSE(printed.at("breached").bool_value());
  EXPECT_TRUE(printed.contains("reply_due_at")) << created.body;

  const HttpResult got = http.Get("/v1/tickets/" + ticket.ticket_id());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Parse<v1::GetTicketResponse>(got).ticket().messages_size(), 1);

  const HttpResult listed = http.Get("/v1/tickets?store_id=store-1&status=OPEN&page_size=200");
  ASSERT_EQ(listed.status, 200) << listed.body;
  bool found = false;
  const v1::ListTicketsResponse list = Parse<v1::ListTicketsResponse>(listed);
  for (const auto& t : list.tickets()) found |= t.ticket_id() == ticket.ticket_id();
  EXPECT_TRUE(found);

  const HttpResult replied = http.Post(absl::StrCat("/v1/tickets/", ticket.ticket_id(), "/messages"),
                                       R"({"direction":"OUTBOUND","body":"It is in customs; here is the tracking."})");
  ASSERT_EQ(replied.status, 200) << replied.body;
  const v1::AddMessageResponse reply = Parse<v1::AddMessageResponse>(replied);
  EXPECT_EQ(reply.ticket().status(), v1::Ticket::WAITING_ON_BUYER);
  EXPECT_FALSE(reply.ticket().has_reply_due_at());
  EXPECT_EQ(reply.message().author(), "dev");

  const HttpResult assigned =
      http.Post(absl::StrCat("/v1/tickets/", ticket.ticket_id(), ":assign"), R"({"assignee":"agent-li"})");
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_EQ(Parse<v1::AssignTicketResponse>(assigned).ticket().assignee(), "agent-li");

  const HttpResult resolved = http.Post(absl::StrCat("/v1/tickets/", ticket.ticket_id(), ":resolve"), "{}");
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(Parse<v1::ResolveTicketResponse>(resolved).ticket().status(), v1::Ticket::RESOLVED);

  // A resolved ticket cannot be resolved again: 400 FAILED_PRECONDITION naming the state.
  const HttpResult again = http.Post(absl::StrCat("/v1/tickets/", ticket.ticket_id(), ":resolve"), "{}");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(ErrorCode(again), "FAILED_PRECONDITION");
  EXPECT_NE(ErrorMessage(again).find("RESOLVED"), std::string::npos);
}

TEST(TicketsEndToEnd, ChineseJapaneseAndEmojiRoundTripThroughHttp) {
  HttpClient http(sys->http_port());
  const std::string subject = "包裹在哪里？荷物はどこ？📦";
  const HttpResult created = http.Post("/v1/tickets", TicketJson("store-1", subject));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = Parse<v1::CreateTicketResponse>(created).ticket().ticket_id();
  const HttpResult got = http.Get("/v1/tickets/" + id);
  EXPECT_EQ(Parse<v1::GetTicketResponse>(got).ticket().subject(), subject);
}

TEST(TicketsEndToEnd, IdempotentRetryReturnsTheFirstTicket) {
  HttpClient http(sys->http_port());
  const int64_t before = CountTickets();
  const HttpResult first = http.Post("/v1/tickets", TicketJson(), {{"Idempotency-Key", "e2e-key-1"}});
  const HttpResult retry = http.Post("/v1/tickets", TicketJson(), {{"Idempotency-Key", "e2e-key-1"}});
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(Parse<v1::CreateTicketResponse>(first).ticket().ticket_id(),
            Parse<v1::CreateTicketResponse>(retry).ticket().ticket_id());
  EXPECT_EQ(first.Header("Idempotent-Replayed"), "");
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(CountTickets(), before + 1);
  const HttpResult other =
      http.Post("/v1/tickets", TicketJson("store-1", "Another question"), {{"Idempotency-Key", "e2e-key-1"}});
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(CountTickets(), before + 1);
}

TEST(TicketsEndToEnd, BadInputIsAClearErrorAndWritesNothing) {
  HttpClient http(sys->http_port());
  const int64_t before = CountTickets();

  const HttpResult malformed = http.Post("/v1/tickets", R"({"store_id": "store-1", )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(ErrorCode(malformed), "INVALID_ARGUMENT");

  const HttpResult bad_enum = http.Post("/v1/tickets", absl::StrReplaceAll(TicketJson(), {{"LOGISTICS_DELAYED", "LOST_IN_SPACE"}}));
  EXPECT_EQ(bad_enum.status, 400);

  const HttpResult bad_zone = http.Post("/v1/tickets", absl::StrReplaceAll(TicketJson(), {{"America/New_York", "Mars/Olympus"}}));
  EXPECT_EQ(bad_zone.status, 400);
  EXPECT_NE(ErrorMessage(bad_zone).find("buyer.time_zone"), std::string::npos) << bad_zone.body;

  const HttpResult too_big = http.Post("/v1/tickets", std::string(1024 * 1024 + 10, ' '));
  EXPECT_EQ(too_big.status, 413);

  EXPECT_EQ(CountTickets(), before);
}

TEST(TicketsEndToEnd, UnknownIdsPathsAndMethods) {
  HttpClient http(sys->http_port());
  const HttpResult missing = http.Get("/v1/tickets/tkt_doesnotexist");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "NOT_FOUND");
  EXPECT_NE(ErrorMessage(missing).find("tkt_doesnotexist"), std::string::npos);

  const HttpResult no_route = http.Get("/v1/nothing/here");
  EXPECT_EQ(no_route.status, 404);
  EXPECT_FALSE(ErrorCode(no_route).empty());

  const HttpResult wrong_method = http.Request("DELETE", "/v1/tickets");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_NE(wrong_method.Header("allow").find("POST"), std::string::npos);
  EXPECT_FALSE(wrong_method.Header("x-request-id").empty()) << "every request gets an id";
}

TEST(TicketsEndToEnd, StoreScopeIsEnforcedForAnAgent) {
  HttpClient http(sys->http_port());
  const HttpResult created = http.Post("/v1/tickets", TicketJson("store-1"));
  ASSERT_EQ(created.status, 200);
  const std::string id = Parse<v1::CreateTicketResponse>(created).ticket().ticket_id();
  const testing::HttpHeaders other_store = {{"X-Dev-Role", "agent"}, {"X-Dev-Stores", "store-9"}};
  // Another store's ticket answers as a missing one would, naming no store.
  const HttpResult hidden = http.Get("/v1/tickets/" + id, other_store);
  EXPECT_EQ(hidden.status, 404) << hidden.body;
  EXPECT_EQ(hidden.body.find("store-1"), std::string::npos) << hidden.body;
  const testing::HttpHeaders own_store = {{"X-Dev-Role", "agent"}, {"X-Dev-Stores", "store-1"}};
  EXPECT_EQ(http.Get("/v1/tickets/" + id, own_store).status, 200);
}

TEST(TicketsEndToEnd, OrderContextThroughTheGateway) {
  HttpClient http(sys->http_port());
  const HttpResult put = http.Request(
      "PUT", "/v1/stores/store-1/orders/113-7654321",
      R"({"marketplace":"AMAZON","site":"US","fulfillment":"MERCHANT",)"
      R"("items":[{"sku":"LAMP-1","title":"Desk lamp","quantity":1,"price":{"currency_code":"USD","amount_minor":2999}}],)"
      R"("ship_to":{"city":"Austin","postcode":"78701","country":"US"}})");
  ASSERT_EQ(put.status, 200) << put.body;
  const HttpResult shipment = http.Post("/v1/stores/store-1/orders/113-7654321/shipments",
                                        R"({"carrier":"YunExpress","tracking_number":"YT1","tracking_url":"https://t.example/YT1"})");
  ASSERT_EQ(shipment.status, 200) << shipment.body;
  const std::string shipment_id = Parse<v1::AddShipmentResponse>(shipment).shipment().shipment_id();
  const HttpResult event = http.Post(
      absl::StrCat("/v1/stores/store-1/orders/113-7654321/shipments/", shipment_id, "/events"),
      R"({"event":{"occurred_at":"2026-11-20T10:00:00Z","code":"DELIVERED","city":"Austin","postcode":"78701","country":"US"}})");
  ASSERT_EQ(event.status, 200) << event.body;
  const HttpResult history = http.Get("/v1/stores/store-1/orders/113-7654321:history");
  ASSERT_EQ(history.status, 200) << history.body;
  const v1::GetOrderHistoryResponse h = Parse<v1::GetOrderHistoryResponse>(history);
  EXPECT_EQ(h.order().items(0).sku(), "LAMP-1");
  ASSERT_EQ(h.shipments_size(), 1);
  EXPECT_EQ(h.shipments(0).events(0).code(), "DELIVERED");
  EXPECT_GE(h.tickets_size(), 1) << "tickets created earlier are about this order";
}

TEST(TicketsEndToEnd, TwoStoresWithTheSameOrderIdNeverCross) {
  HttpClient http(sys->http_port());
  // A Shopify order number both shops have.
  for (const char* store : {"shop-a", "shop-b"}) {
    const HttpResult put = http.Request(
        "PUT", absl::StrCat("/v1/stores/", store, "/orders/1001"),
        absl::StrCat(R"({"marketplace":"SHOPIFY","items":[{"sku":"SKU-)", store,
                     R"(","quantity":1}]})"));
    ASSERT_EQ(put.status, 200) << put.body;
  }
  const HttpResult shipment = http.Post("/v1/stores/shop-a/orders/1001/shipments",
                                        R"({"carrier":"YunExpress","tracking_number":"YT-A"})");
  ASSERT_EQ(shipment.status, 200) << shipment.body;
  const std::string ticket_body =
      R"({"store_id":"shop-a","order":{"marketplace":"SHOPIFY","order_id":"1001"},)"
      R"("buyer":{"buyer_id":"b-a"},"category":"LOGISTICS_DELAYED","channel":"EMAIL",)"
      R"("subject":"where?","body":"A's buyer"})";
  const HttpResult ticket = http.Post("/v1/tickets", ticket_body);
  ASSERT_EQ(ticket.status, 200) << ticket.body;
  // The ticket's order is its store's order 1001: it must be that order.
  const HttpResult wrong = http.Post(
      "/v1/tickets", absl::StrReplaceAll(ticket_body, {{"SHOPIFY", "EBAY"}}));
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_NE(wrong.body.find("order.marketplace"), std::string::npos) << wrong.body;

  const HttpResult b = http.Get("/v1/stores/shop-b/orders/1001:history");
  ASSERT_EQ(b.status, 200) << b.body;
  const v1::GetOrderHistoryResponse hb = Parse<v1::GetOrderHistoryResponse>(b);
  EXPECT_EQ(hb.order().items(0).sku(), "SKU-shop-b");
  EXPECT_EQ(hb.shipments_size(), 0) << "shop-a's tracking number must not show";
  EXPECT_EQ(hb.tickets_size(), 0) << "shop-a's conversation must not show";
  const HttpResult a = http.Get("/v1/stores/shop-a/orders/1001:history");
  ASSERT_EQ(a.status, 200) << a.body;
  const v1::GetOrderHistoryResponse ha = Parse<v1::GetOrderHistoryResponse>(a);
  EXPECT_EQ(ha.shipments_size(), 1);
  EXPECT_EQ(ha.tickets_size(), 1);
  // A shipment of shop-a read through shop-b's order is not there.
  EXPECT_EQ(http.Post(absl::StrCat("/v1/stores/shop-b/orders/1001/shipments/",
                                   Parse<v1::AddShipmentResponse>(shipment).shipment().shipment_id(),
                                   "/events"),
                      R"({"event":{"occurred_at":"2026-11-20T10:00:00Z","code":"DELIVERED"}})")
                .status,
            404);
  // An agent of shop-b only: shop-a's order is not found, as if it did not exist.
  const testing::HttpHeaders b_agent = {{"X-Dev-Role", "agent"}, {"X-Dev-Stores", "shop-b"}};
  EXPECT_EQ(http.Get("/v1/stores/shop-a/orders/1001", b_agent).status, 404);
  EXPECT_EQ(http.Get("/v1/stores/shop-b/orders/1001", b_agent).status, 200);
}

// Runs last (gtest runs tests in file order): it stops and restarts the tickets service.
// Nothing acknowledged may be lost; a request that was not acknowledged (503 while the service
// stops) may or may not have landed, and its retry with the same Idempotency-Key must then
// return that ticket rather than make a second one.
TEST(TicketsEndToEnd, SigtermWhileRequestsAreInFlightLosesNone) {
  const int64_t before = CountTickets();
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // key -> ticket id
  std::vector<std::pair<std::string, std::string>> refused;  // key, subject
  std::vector<std::thread> clients;
  for (int c = 0; c < 6; ++c) {
    clients.emplace_back([&, c] {
      HttpClient http(sys->http_port(), absl::Seconds(30));
      for (int i = 0; !stop; ++i) {
        const std::string key = absl::StrCat("sigterm-", c, "-", i);
        const std::string subject = absl::StrCat("load ", c, "-", i);
        const HttpResult r = http.Post("/v1/tickets", TicketJson("store-1", subject), {{"Idempotency-Key", key}});
        std::lock_guard<std::mutex> lock(mu);
        if (r.status == 200) {
          acknowledged[key] = Parse<v1::CreateTicketResponse>(r).ticket().ticket_id();
        } else {
          refused.emplace_back(key, subject);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  absl::StatusOr<int> exit_code = sys->StopService("tickets", SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << "drained and exited cleanly";
  EXPECT_NE(sys->Log("tickets").find("shutting down"), std::string::npos);
  ASSERT_GT(acknowledged.size(), 10u) << "the load reached the service before SIGTERM";
  ASSERT_GT(refused.size(), 0u) << "some requests met the stopped service";

  ASSERT_TRUE(sys->StartService("tickets").ok());
  HttpClient http(sys->http_port(), absl::Seconds(10));
  ASSERT_TRUE(sys->WaitReady(absl::Seconds(10)).ok());
  // Every acknowledged ticket is there. The gateway's readiness is polled, so its first calls
  // after the restart may still meet the old connection: a client retries a 503.
  auto get_with_retry = [&](const std::string& target) {
    HttpResult r;
    for (int attempt = 0; attempt < 50; ++attempt) {
      r = http.Get(target);
      if (r.status != 503) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return r;
  };
  int found = 0;
  for (const auto& [key, id] : acknowledged) {
    const HttpResult r = get_with_retry("/v1/tickets/" + id);
    EXPECT_EQ(r.status, 200) << id << ": " << r.body;
    found += r.status == 200;
  }
  EXPECT_EQ(found, static_cast<int>(acknowledged.size()));
  // Retrying every refused request with its key lands each exactly once.
  std::set<std::string> retried_ids;
  for (const auto& [key, subject] : refused) {
    const HttpResult r = http.Post("/v1/tickets", TicketJson("store-1", subject), {{"Idempotency-Key", key}});
    ASSERT_EQ(r.status, 200) << r.body;
    retried_ids.insert(Parse<v1::CreateTicketResponse>(r).ticket().ticket_id());
  }
  EXPECT_EQ(retried_ids.size(), refused.size());
  EXPECT_EQ(CountTickets(), before + static_cast<int64_t>(acknowledged.size() + refused.size()));
}

}  // namespace
}  // namespace aftersales
