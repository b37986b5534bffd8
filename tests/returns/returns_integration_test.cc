// The returns use cases against a real MariaDB, and the ticket outbox against a real tickets
// service process that is down at first and comes up later.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/channel.h"
#include "common/migrations.h"
#include "common/status.h"
#include "common/time_util.h"
#include "services/returns/migrations.h"
#include "services/returns/returns_mapping.h"
#include "services/returns/return_desk.h"
#include "services/returns/return_store.h"
#include "services/returns/ticket_outbox.h"
#include "services/tickets/order_reader.h"
#include "tests/support/child_process.h"
#include "tests/support/mariadb_environment.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/test_identity.h"

namespace aftersales::returns {
namespace {

using testing::MariaDbServer;
using v1::Return;

MariaDbServer* server = nullptr;

const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new testing::MariaDbEnvironment(&server));

Caller Admin() { return Caller{"admin-1", Role::kAdmin, true, {}}; }
Caller Agent() { return Caller{"agent-1", Role::kAgent, false, {"store-1"}}; }
Caller Supervisor() { return Caller{"sup-1", Role::kSupervisor, false, {"store-1"}}; }

class ReturnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    db_name_ = "r_" + name.substr(0, 50);
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Connect(server->Options(db_name_));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(ApplyMigrations(*db_, Migrations()).ok());
    ReturnDeskOptions options;
    options.clock = [this] { return Now(); };
    desk_ = std::make_unique<ReturnDesk>(*db_, options);
  }

  absl::Time Now() const { return absl::FromUnixMicros(now_micros_.load()); }
  void Advance(absl::Duration d) { now_micros_ += absl::ToInt64Microseconds(d); }

  int64_t Count(Database& db, const std::string& sql) {
    absl::StatusOr<int64_t> n = db.InTransaction<int64_t>([&](Transaction& tx) -> absl::StatusOr<int64_t> {
      absl::StatusOr<std::vector<Row>> rows = tx.Query(sql);
      if (!rows.ok()) return rows.status();
      return rows->front().Int(0);
    });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  // A US Amazon order, merchant-fulfilled, 60.00 USD (cost 35.00: worth shipping back), no longer
  // needed, opened but unused.
  v1::ReturnCase Case(const std::string& order_id = "113-1000001") {
    v1::ReturnCase c;
    c.set_store_id("store-1");
    c.mutable_order()->set_marketplace(common::v1::AMAZON);
    c.mutable_order()->set_site("US");
    c.mutable_order()->set_order_id(order_id);
    c.set_buyer_country("US");
    c.set_fulfillment(v1::MERCHANT);
    c.set_category(v1::GENERAL);
    c.mutable_item_price()->set_currency_code("USD");
    c.mutable_item_price()->set_amount_minor(6000);
    c.mutable_item_cost()->set_currency_code("USD");
    c.mutable_item_cost()->set_amount_minor(3500);
    c.set_quantity(1);
    *c.mutable_ordered_at() = ToProtoTime(Now() - absl::Hours(24 * 20));
    *c.mutable_delivered_at() = ToProtoTime(Now() - absl::Hours(24 * 10));
    *c.mutable_requested_at() = ToProtoTime(Now());
    c.set_reason(v1::NO_LONGER_NEEDED);
    c.set_condition(v1::OPENED_UNUSED);
    c.set_weight_grams(800);
    return c;
  }

  v1::CreateReturnRequest CreateRequest(const std::string& order_id = "113-1000001") {
    v1::CreateReturnRequest r;
    *r.mutable_return_case() = Case(order_id);
    r.mutable_buyer()->set_buyer_id("buyer-1");
    r.mutable_buyer()->set_name("Anna");
    r.mutable_buyer()->set_language("en");
    r.set_note("The lamp is too bright for my room.");
    return r;
  }

  Return Create(const v1::CreateReturnRequest& r, const std::string& key = "") {
    v1::CreateReturnResponse resp;
    const absl::Status s = desk_->CreateReturn(Admin(), key, r, &resp);
    EXPECT_TRUE(s.ok()) << s;
    return resp.return_();
  }

  // A real tickets service on the test's MariaDB, as the returns service calls it.
  struct TicketsProcess {
    testing::TestLogDir logs{"aftersales-returns-tickets-"};
    std::optional<testing::ChildProcess> process;
    std::shared_ptr<grpc::Channel> channel;
  };
  std::unique_ptr<TicketsProcess> StartTickets() {
    auto t = std::make_unique<TicketsProcess>();
    const int port = testing::FreePort();
    absl::StatusOr<testing::ChildProcess> p = testing::ChildProcess::Start(
        {TICKETS_BINARY, absl::StrCat("--listen=127.0.0.1:", port),
         absl::StrCat("--db_port=", server->port()), "--db_host=127.0.0.1", "--db_pool_size=4",
       absl::StrCat("--identity_key=", testing::kTestIdentityKey)},
        t->logs.path() + "/tickets.log");
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return nullptr;
    t->process.emplace(*std::move(p));
    EXPECT_TRUE(testing::WaitForPort(port, absl::Seconds(30))) << t->process->Log();
    t->channel = MakeChannel(absl::StrCat("127.0.0.1:", port), {});
    return t;
  }

  // Order sync pushes store-1's order: `units` of 60.00 USD, and the shipping paid.
  static grpc::Status PushOrder(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& order_id, int units,
                                int64_t shipping_minor = 0) {
    auto stub = tickets::v1::TicketsService::NewStub(channel);
    grpc::ClientContext context;
    PrepareClientContext(context, absl::Seconds(10), testing::TestIdentity(Role::kService), "");
    tickets::v1::PutOrderRequest put;
    put.set_store_id("store-1");
    put.set_order_id(order_id);
    put.mutable_order()->set_marketplace(common::v1::AMAZON);
    put.mutable_order()->set_site("US");
    auto* item = put.mutable_order()->add_items();
    item->set_sku("LAMP-1");
    item->set_quantity(units);
    item->mutable_price()->set_currency_code("USD");
    item->mutable_price()->set_amount_minor(6000);
    if (shipping_minor > 0) {
      put.mutable_order()->mutable_shipping()->set_currency_code("USD");
      put.mutable_order()->mutable_shipping()->set_amount_minor(shipping_minor);
    }
    tickets::v1::PutOrderResponse put_resp;
    return stub->PutOrder(&context, put, &put_resp);
  }

  // A desk that reads orders from `channel`, on the test's clock.
  std::unique_ptr<ReturnDesk> DeskReadingOrders(std::shared_ptr<grpc::Channel> channel) {
    ReturnDeskOptions options;
    options.clock = [this] { return Now(); };
    options.read_order = tickets::TicketsOrderReader(std::move(channel), absl::Seconds(5), testing::TestSigner(), "returns");
    return std::make_unique<ReturnDesk>(*db_, options);
  }

  bool Fired(const v1::ReturnDecision& d, absl::string_view id) {
    for (const auto& r : d.fired_rules()) {
      if (r.id() == id) return true;
    }
    return false;
  }

  std::string db_name_;
  std::atomic<int64_t> now_micros_{absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(2026, 11, 23, 8, 0, 0), absl::UTCTimeZone()))};
  std::unique_ptr<Database> db_;
  std::unique_ptr<ReturnDesk> desk_;
};

TEST_F(ReturnsTest, APolicyEditChangesTheNextQuote) {
  v1::QuoteReturnRequest quote;
  *quote.mutable_return_case() = Case();
  v1::QuoteReturnResponse before;
  ASSERT_TRUE(desk_->QuoteReturn(Agent(), quote, &before).ok());
  // No address in the US: the item would go back to China, so the seller pays.
  EXPECT_EQ(before.decision().return_shipping_payer(), v1::SELLER) << before.decision().DebugString();
  EXPECT_TRUE(Fired(before.decision(), "buyer_remorse_to_china_seller_pays"));
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM returns"), 0) << "a quote saves nothing";

  v1::GetReturnPolicyRequest get;
  get.set_store_id("store-1");
  get.set_site("US");
  v1::GetReturnPolicyResponse policy;
  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &policy).ok());
  EXPECT_FALSE(policy.stored());
  EXPECT_EQ(policy.policy().return_window_days(), 30);

  v1::PutReturnPolicyRequest put;
  put.set_store_id("store-1");
  put.set_site("US");
  *put.mutable_policy() = policy.policy();
  put.mutable_policy()->add_local_return_countries("US");
  v1::PutReturnPolicyResponse stored;
  ASSERT_TRUE(desk_->PutReturnPolicy(Admin(), put, &stored).ok());

  v1::QuoteReturnResponse after;
  ASSERT_TRUE(desk_->QuoteReturn(Agent(), quote, &after).ok());
  EXPECT_EQ(after.decision().return_shipping_payer(), v1::BUYER);
  EXPECT_TRUE(Fired(after.decision(), "buyer_remorse_local_buyer_pays"));
  EXPECT_EQ(after.decision().disposition(), v1::RETURN_TO_LOCAL_ADDRESS);

  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &policy).ok());
  EXPECT_TRUE(policy.stored());
  EXPECT_TRUE(policy.policy().has_updated_at());

  put.mutable_policy()->set_return_window_days(-3);
  const absl::Status bad = desk_->PutReturnPolicy(Admin(), put, &stored);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("return_window_days"), absl::string_view::npos) << bad;
}

TEST_F(ReturnsTest, LifecycleOnTheDatabaseKeepsHistoryAndRefunds) {
  const Return created = Create(CreateRequest());
  EXPECT_EQ(created.status(), Return::REQUESTED);
  EXPECT_TRUE(created.decision().eligible());
  EXPECT_EQ(FromProtoTime(created.decision().respond_by()), Now() + absl::Hours(48));
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox WHERE state = 'PENDING'"), 1);

  const std::string id = created.return_id();
  v1::AuthorizeReturnRequest authorize;
  authorize.set_return_id(id);
  v1::AuthorizeReturnResponse authorized;
  ASSERT_TRUE(desk_->AuthorizeReturn(Agent(), authorize, &authorized).ok());
  v1::IssueLabelRequest label;
  label.set_return_id(id);
  label.set_carrier("4PX");
  label.set_tracking_number("RL0001CN");
  v1::IssueLabelResponse labelled;
  ASSERT_TRUE(desk_->IssueLabel(Agent(), label, &labelled).ok()) << labelled.DebugString();
  v1::RecordTrackingRequest track;
  track.set_return_id(id);
  track.set_carrier("4PX");
  track.set_tracking_number("RL0001CN");
  v1::RecordTrackingResponse tracked;
  ASSERT_TRUE(desk_->RecordTracking(Agent(), track, &tracked).ok());
  Advance(absl::Hours(24 * 9));
  v1::MarkReceivedRequest received;
  received.set_return_id(id);
  received.set_condition(v1::USED);
  received.set_restocking_fee(v1::MarkReceivedRequest::CONFIRM);  // the buyer accepted the fee
  v1::MarkReceivedResponse got;
  ASSERT_TRUE(desk_->MarkReceived(Agent(), received, &got).ok());
  // Used, not as the buyer said: the 50 % restocking fee applies to the 60.00 item.
  EXPECT_EQ(created.refund_due().amount_minor(), 6000);
  EXPECT_EQ(got.return_().refund_due().amount_minor(), 3000);
  const auto& receipt = got.return_().history(got.return_().history_size() - 1);
  EXPECT_EQ(receipt.action(), "markReceived");
  EXPECT_NE(receipt.note().find("restocking"), std::string::npos) << receipt.note();

  v1::RefundReturnRequest refund;
  refund.set_return_id(id);
  v1::RefundReturnResponse refunded;
  ASSERT_TRUE(desk_->RefundReturn(Agent(), refund, &refunded).ok());
  EXPECT_EQ(refunded.return_().status(), Return::REFUNDED);
  EXPECT_EQ(refunded.return_().refunded().amount_minor(), got.return_().refund_due().amount_minor());

  v1::GetOrderReturnsRequest by_order;
  by_order.set_store_id("store-1");
  by_order.set_order_id("113-1000001");
  v1::GetOrderReturnsResponse history;
  ASSERT_TRUE(desk_->GetOrderReturns(Agent(), by_order, &history).ok());
  ASSERT_EQ(history.returns_size(), 1);
  EXPECT_EQ(history.returns(0).history_size(), 6);  // create + 5 steps
  ASSERT_EQ(history.refunded_total_size(), 1);
  EXPECT_EQ(history.refunded_total(0).amount_minor(), refunded.return_().refunded().amount_minor());

  v1::AuthorizeReturnResponse again;
  EXPECT_EQ(desk_->AuthorizeReturn(Agent(), authorize, &again).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReturnsTest, RefundAboveTheAgentLimitNeedsASupervisorAndChangesNothing) {
  v1::CreateReturnRequest r = CreateRequest();
  r.mutable_return_case()->set_reason(v1::DEFECTIVE);  // abandon and refund in full
  r.mutable_return_case()->set_quantity(2);             // 120.00 USD
  const Return created = Create(r);
  ASSERT_EQ(created.decision().disposition(), v1::ABANDON_AND_REFUND);
  v1::AuthorizeReturnRequest authorize;
  authorize.set_return_id(created.return_id());
  v1::AuthorizeReturnResponse authorized;
  ASSERT_TRUE(desk_->AuthorizeReturn(Agent(), authorize, &authorized).ok());

  v1::RefundReturnRequest refund;
  refund.set_return_id(created.return_id());
  v1::RefundReturnResponse refunded;
  const absl::Status denied = desk_->RefundReturn(Agent(), refund, &refunded);
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied) << denied;
  v1::GetReturnRequest get;
  get.set_return_id(created.return_id());
  v1::GetReturnResponse now;
  ASSERT_TRUE(desk_->GetReturn(Agent(), get, &now).ok());
  EXPECT_EQ(now.return_().status(), Return::AUTHORIZED);
  EXPECT_FALSE(now.return_().has_refunded());

  ASSERT_TRUE(desk_->RefundReturn(Supervisor(), refund, &refunded).ok());
  EXPECT_EQ(refunded.return_().status(), Return::RETURNLESS_REFUNDED);
  EXPECT_EQ(refunded.return_().refunded().amount_minor(), 12000);
}

TEST_F(ReturnsTest, RetryWithTheSameKeyReturnsTheFirstReturnAndQueuesOneTicket) {
  const Return first = Create(CreateRequest(), "ret-key-1");
  const Return again = Create(CreateRequest(), "ret-key-1");
  EXPECT_EQ(first.return_id(), again.return_id());
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM returns"), 1);
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox"), 1);
}

TEST_F(ReturnsTest, BadInputNamesTheFieldAndWritesNothing) {
  v1::CreateReturnRequest r = CreateRequest();
  *r.mutable_return_case()->mutable_delivered_at() = ToProtoTime(Now() - absl::Hours(24 * 30));  // before ordered
  v1::CreateReturnResponse resp;
  absl::Status s = desk_->CreateReturn(Admin(), "", r, &resp);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("delivered_at"), absl::string_view::npos) << s;

  r = CreateRequest();
  r.mutable_return_case()->mutable_item_cost()->set_currency_code("EUR");
  s = desk_->CreateReturn(Admin(), "", r, &resp);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("item_cost"), absl::string_view::npos) << s;

  r = CreateRequest();
  r.mutable_buyer()->set_buyer_id("");
  s = desk_->CreateReturn(Admin(), "", r, &resp);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("buyer.buyer_id"), absl::string_view::npos) << s;

  // Nothing is accepted that the tickets service would refuse later from the outbox.
  r = CreateRequest();
  r.mutable_buyer()->set_time_zone("Mars/Olympus");
  s = desk_->CreateReturn(Admin(), "", r, &resp);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("buyer.time_zone"), absl::string_view::npos) << s;
  r = CreateRequest();
  *r.mutable_return_case()->mutable_requested_at() = ToProtoTime(Now() + absl::Hours(24 * 365 * 80));
  s = desk_->CreateReturn(Admin(), "", r, &resp);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("requested_at"), absl::string_view::npos) << s;

  EXPECT_EQ(desk_->CreateReturn(Caller{"x", Role::kAgent, false, {"store-2"}}, "", CreateRequest(), &resp).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM returns"), 0);
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox"), 0);
}

TEST_F(ReturnsTest, ABlankNoteStillOpensATicketWithABody) {
  v1::CreateReturnRequest r = CreateRequest();
  r.set_note("   ");
  const Return created = Create(r);
  EXPECT_EQ(created.status(), Return::REQUESTED);
}

TEST_F(ReturnsTest, PoliciesArePerMarketplaceAsWellAsSite) {
  v1::PutReturnPolicyRequest put;
  put.set_store_id("store-1");
  put.set_site("US");
  *put.mutable_policy() = ToProto(DefaultStoredPolicy(Marketplace::kAmazon, "US"));
  put.mutable_policy()->set_return_window_days(60);
  v1::PutReturnPolicyResponse stored;
  ASSERT_TRUE(desk_->PutReturnPolicy(Admin(), put, &stored).ok());

  // An eBay US order of the same store still gets eBay's own (default) policy.
  v1::QuoteReturnRequest quote;
  *quote.mutable_return_case() = Case();
  quote.mutable_return_case()->mutable_order()->set_marketplace(common::v1::EBAY);
  v1::QuoteReturnResponse ebay;
  const absl::Status s = desk_->QuoteReturn(Agent(), quote, &ebay);
  ASSERT_TRUE(s.ok()) << s;
  v1::GetReturnPolicyRequest get;
  get.set_store_id("store-1");
  get.set_site("US");
  get.set_marketplace(common::v1::EBAY);
  v1::GetReturnPolicyResponse got;
  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &got).ok());
  EXPECT_FALSE(got.stored());
  get.set_marketplace(common::v1::AMAZON);
  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &got).ok());
  EXPECT_TRUE(got.stored());
  EXPECT_EQ(got.policy().return_window_days(), 60);
}

TEST_F(ReturnsTest, AnOrderIdOfTwoStoresIsTwoOrders) {
  // Shopify order numbers repeat from shop to shop: the same id in two stores.
  Create(CreateRequest("113-4000001"));
  v1::CreateReturnRequest other = CreateRequest("113-4000001");
  other.mutable_return_case()->set_store_id("store-2");
  Create(other);
  v1::GetOrderReturnsRequest by_order;
  by_order.set_store_id("store-1");
  by_order.set_order_id("113-4000001");
  v1::GetOrderReturnsResponse mine;
  ASSERT_TRUE(desk_->GetOrderReturns(Agent(), by_order, &mine).ok());
  ASSERT_EQ(mine.returns_size(), 1);
  EXPECT_EQ(mine.returns(0).store_id(), "store-1");
  // Even an admin of both sees one store's order at a time.
  ASSERT_TRUE(desk_->GetOrderReturns(Admin(), by_order, &mine).ok());
  ASSERT_EQ(mine.returns_size(), 1);
  EXPECT_EQ(mine.returns(0).store_id(), "store-1");
  // Another store's order, and its returns, are not found for the agent of store-1.
  by_order.set_store_id("store-2");
  const absl::Status hidden = desk_->GetOrderReturns(Agent(), by_order, &mine);
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden.message().find("store-2"), std::string::npos) << hidden;
  v1::GetReturnRequest get;
  get.set_return_id(Create(other).return_id());
  v1::GetReturnResponse got;
  EXPECT_EQ(desk_->GetReturn(Agent(), get, &got).code(), absl::StatusCode::kNotFound);
}

TEST_F(ReturnsTest, OutsideTheWindowIsAnAnswerNotAnError) {
  v1::QuoteReturnRequest quote;
  *quote.mutable_return_case() = Case();
  *quote.mutable_return_case()->mutable_delivered_at() = ToProtoTime(Now() - absl::Hours(24 * 45));
  *quote.mutable_return_case()->mutable_ordered_at() = ToProtoTime(Now() - absl::Hours(24 * 50));
  v1::QuoteReturnResponse resp;
  ASSERT_TRUE(desk_->QuoteReturn(Agent(), quote, &resp).ok());
  EXPECT_FALSE(resp.decision().eligible());
  EXPECT_FALSE(resp.decision().ineligible_reason().empty());
  EXPECT_TRUE(Fired(resp.decision(), "outside_window"));
}

TEST_F(ReturnsTest, ListPagesByStoreAndOrder) {
  for (int i = 0; i < 5; ++i) {
    Create(CreateRequest(absl::StrCat("113-200000", i % 2)));
    Advance(absl::Seconds(1));
  }
  v1::ListReturnsRequest list;
  list.set_store_id("store-1");
  list.set_page_size(2);
  int seen = 0;
  int pages = 0;
  do {
    v1::ListReturnsResponse page;
    ASSERT_TRUE(desk_->ListReturns(Agent(), list, &page).ok());
    seen += page.returns_size();
    ++pages;
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(seen, 5);
  EXPECT_EQ(pages, 3);
  v1::ListReturnsRequest by_order;
  by_order.set_store_id("store-1");
  by_order.set_order_id("113-2000001");
  v1::ListReturnsResponse page;
  ASSERT_TRUE(desk_->ListReturns(Agent(), by_order, &page).ok());
  EXPECT_EQ(page.returns_size(), 2);
}

TEST_F(ReturnsTest, TwoReturnsOfTheOnlyUnitAtOnceRefundItOnce) {
  // The order lives in a real tickets service; the desk reads it over gRPC.
  std::unique_ptr<TicketsProcess> tickets = StartTickets();
  ASSERT_NE(tickets, nullptr);
  const grpc::Status pushed = PushOrder(tickets->channel, "113-6000001", 1, 500);
  ASSERT_TRUE(pushed.ok()) << pushed.error_message();
  std::unique_ptr<ReturnDesk> owned = DeskReadingOrders(tickets->channel);
  ReturnDesk& desk = *owned;

  // Defective: refunded in full, outbound shipping included (65.00).
  v1::CreateReturnRequest request = CreateRequest("113-6000001");
  request.mutable_return_case()->set_reason(v1::DEFECTIVE);
  request.mutable_return_case()->mutable_outbound_shipping()->set_currency_code("USD");
  request.mutable_return_case()->mutable_outbound_shipping()->set_amount_minor(500);
  std::vector<v1::CreateReturnResponse> answers(2);
  std::vector<absl::Status> statuses(2);
  std::vector<std::thread> agents;
  for (int i = 0; i < 2; ++i) {
    agents.emplace_back([&, i] {
      statuses[i] = desk.CreateReturn(Admin(), absl::StrCat("agent-key-", i), request, &answers[i]);
    });
  }
  for (std::thread& t : agents) t.join();
  ASSERT_TRUE(statuses[0].ok()) << statuses[0];
  ASSERT_TRUE(statuses[1].ok()) << statuses[1];
  int refunded_in_full = 0;
  int refused = 0;
  for (const v1::CreateReturnResponse& a : answers) {
    const v1::ReturnDecision& d = a.return_().decision();
    if (d.eligible() && d.refund_amount().amount_minor() == 6500) ++refunded_in_full;
    if (!d.eligible() && Fired(d, "order_fully_refunded")) ++refused;
  }
  EXPECT_EQ(refunded_in_full, 1);
  EXPECT_EQ(refused, 1) << "the second return of the only unit refunds it again";

  // A quote now says the same.
  v1::QuoteReturnRequest quote;
  *quote.mutable_return_case() = request.return_case();
  v1::QuoteReturnResponse quoted;
  ASSERT_TRUE(desk.QuoteReturn(Agent(), quote, &quoted).ok());
  EXPECT_FALSE(quoted.decision().eligible());

  // An order tickets does not know: said in the decision, refunded on the request's figures.
  v1::CreateReturnResponse unknown;
  ASSERT_TRUE(desk.CreateReturn(Admin(), "", CreateRequest("113-6009999"), &unknown).ok());
  EXPECT_TRUE(unknown.return_().decision().eligible());
  EXPECT_TRUE(Fired(unknown.return_().decision(), "order_unknown"));
  EXPECT_EQ(tickets->process->Stop(SIGTERM, absl::Seconds(20)).value_or(-1), 0);

  // Tickets down: nothing would hold the refund to the order, so a return is not recorded
  // (UNAVAILABLE, retryable) rather than decided blind; a quote, which writes nothing, says so.
  const int64_t before = Count(*db_, "SELECT COUNT(*) FROM returns");
  v1::CreateReturnResponse unchecked;
  const absl::Status down = desk.CreateReturn(Admin(), "", CreateRequest("113-6000002"), &unchecked);
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM returns"), before);
  *quote.mutable_return_case() = CreateRequest("113-6000002").return_case();
  ASSERT_TRUE(desk.QuoteReturn(Agent(), quote, &quoted).ok());
  bool says_unchecked = false;
  for (const auto& rule : quoted.decision().fired_rules()) {
    says_unchecked |= rule.explanation().find("could not be checked") != std::string::npos;
  }
  EXPECT_TRUE(says_unchecked);
}

TEST_F(ReturnsTest, NoRefundTakesWhatTheOrdersOtherReturnsRefunded) {
  std::unique_ptr<TicketsProcess> tickets = StartTickets();
  ASSERT_NE(tickets, nullptr);
  std::unique_ptr<ReturnDesk> owned = DeskReadingOrders(tickets->channel);
  ReturnDesk& desk = *owned;

  // Order sync is late: two returns of the order are accepted on their own figures...
  v1::CreateReturnRequest defective = CreateRequest("113-6100001");
  defective.mutable_return_case()->set_reason(v1::DEFECTIVE);
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    v1::CreateReturnResponse created;
    ASSERT_TRUE(desk.CreateReturn(Admin(), "", defective, &created).ok());
    ASSERT_TRUE(created.return_().decision().eligible());
    ASSERT_TRUE(Fired(created.return_().decision(), "order_unknown"));
    ids.push_back(created.return_().return_id());
    v1::AuthorizeReturnRequest authorize;
    authorize.set_return_id(ids.back());
    v1::AuthorizeReturnResponse authorized;
    ASSERT_TRUE(desk.AuthorizeReturn(Supervisor(), authorize, &authorized).ok());
  }
  // ...then the order arrives: one unit of 60.00.
  const grpc::Status pushed = PushOrder(tickets->channel, "113-6100001", 1);
  ASSERT_TRUE(pushed.ok()) << pushed.error_message();
  v1::RefundReturnRequest refund;
  refund.set_return_id(ids[0]);
  v1::RefundReturnResponse refunded;
  ASSERT_TRUE(desk.RefundReturn(Supervisor(), refund, &refunded).ok());
  // The second would refund the only unit again: refused, even for a supervisor.
  refund.set_return_id(ids[1]);
  const absl::Status twice = desk.RefundReturn(Supervisor(), refund, &refunded);
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition) << twice;
  EXPECT_NE(twice.message().find("left to refund"), std::string::npos) << twice;
  v1::GetReturnRequest get;
  get.set_return_id(ids[1]);
  v1::GetReturnResponse got;
  ASSERT_TRUE(desk.GetReturn(Admin(), get, &got).ok());
  EXPECT_FALSE(got.return_().has_refunded()) << "the refused refund changed nothing";
  EXPECT_EQ(tickets->process->Stop(SIGTERM, absl::Seconds(20)).value_or(-1), 0);
}

TEST_F(ReturnsTest, AQuoteHoldsWhenThePolicyChangesBeforeReceipt) {
  // Opened but unused, back to China at the seller's cost: no fee under the defaults.
  const Return created = Create(CreateRequest("113-8000001"));
  ASSERT_TRUE(created.decision().eligible());
  EXPECT_EQ(created.policy_version(), 0) << "the defaults";
  const int64_t quoted = created.refund_due().amount_minor();
  // An admin then raises every fee to the maximum.
  v1::GetReturnPolicyRequest get;
  get.set_store_id("store-1");
  get.set_site("US");
  v1::GetReturnPolicyResponse current;
  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &current).ok());
  v1::PutReturnPolicyRequest put;
  put.set_store_id("store-1");
  put.set_site("US");
  *put.mutable_policy() = current.policy();
  put.mutable_policy()->mutable_restocking_fee_percent()->set_opened_unused(100);
  put.mutable_policy()->mutable_restocking_fee_percent()->set_used(100);
  v1::PutReturnPolicyResponse stored;
  ASSERT_TRUE(desk_->PutReturnPolicy(Admin(), put, &stored).ok());
  EXPECT_EQ(stored.policy().version(), 1);
  ASSERT_TRUE(desk_->PutReturnPolicy(Admin(), put, &stored).ok());
  EXPECT_EQ(stored.policy().version(), 2);

  for (const char* step : {"authorize", "label", "track"}) {
    absl::Status s;
    if (std::string(step) == "authorize") {
      v1::AuthorizeReturnRequest r;
      r.set_return_id(created.return_id());
      v1::AuthorizeReturnResponse a;
      s = desk_->AuthorizeReturn(Agent(), r, &a);
    } else if (std::string(step) == "label") {
      v1::IssueLabelRequest r;
      r.set_return_id(created.return_id());
      r.set_carrier("4PX");
      r.set_tracking_number("RL1");
      v1::IssueLabelResponse a;
      s = desk_->IssueLabel(Agent(), r, &a);
    } else {
      v1::RecordTrackingRequest r;
      r.set_return_id(created.return_id());
      r.set_carrier("4PX");
      r.set_tracking_number("RL1");
      v1::RecordTrackingResponse a;
      s = desk_->RecordTracking(Agent(), r, &a);
    }
    ASSERT_TRUE(s.ok()) << step << ": " << s;
  }
  v1::MarkReceivedRequest received;
  received.set_return_id(created.return_id());
  received.set_condition(v1::OPENED_UNUSED);
  v1::MarkReceivedResponse got;
  ASSERT_TRUE(desk_->MarkReceived(Agent(), received, &got).ok());
  EXPECT_EQ(got.return_().refund_due().amount_minor(), quoted)
      << "the buyer was quoted this; the new policy must not take it back";
  EXPECT_EQ(got.return_().restocking_fee().amount_minor(), 0);
}

TEST_F(ReturnsTest, ASupervisorAcceptsARefusedReturnAsGoodwillWithAReason) {
  v1::CreateReturnRequest late = CreateRequest("113-9000001");
  *late.mutable_return_case()->mutable_delivered_at() = ToProtoTime(Now() - absl::Hours(24 * 45));
  *late.mutable_return_case()->mutable_ordered_at() = ToProtoTime(Now() - absl::Hours(24 * 50));
  const Return refused = Create(late);
  ASSERT_FALSE(refused.decision().eligible());
  ASSERT_TRUE(Fired(refused.decision(), "outside_window"));

  v1::AcceptReturnAsGoodwillRequest goodwill;
  goodwill.set_return_id(refused.return_id());
  goodwill.set_reason("Long-standing customer; the parcel sat in customs for two weeks.");
  v1::AcceptReturnAsGoodwillResponse accepted;
  EXPECT_EQ(desk_->AcceptReturnAsGoodwill(Agent(), goodwill, &accepted).code(),
            absl::StatusCode::kPermissionDenied);
  goodwill.clear_reason();
  EXPECT_EQ(desk_->AcceptReturnAsGoodwill(Supervisor(), goodwill, &accepted).code(),
            absl::StatusCode::kInvalidArgument)
      << "a reason is required";
  goodwill.set_reason("Long-standing customer; the parcel sat in customs for two weeks.");
  const absl::Status s = desk_->AcceptReturnAsGoodwill(Supervisor(), goodwill, &accepted);
  ASSERT_TRUE(s.ok()) << s;
  const Return& r = accepted.return_();
  EXPECT_TRUE(r.decision().eligible());
  EXPECT_TRUE(Fired(r.decision(), "goodwill_accepted"));
  EXPECT_GT(r.refund_due().amount_minor(), 0);
  const Return::Event& e = r.history(r.history_size() - 1);
  EXPECT_EQ(e.action(), "acceptGoodwill");
  EXPECT_EQ(e.actor(), "sup-1");
  EXPECT_EQ(e.note(), goodwill.reason());
  // Once accepted it is no longer the rules' refusal: a second goodwill is refused.
  EXPECT_EQ(desk_->AcceptReturnAsGoodwill(Supervisor(), goodwill, &accepted).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReturnsTest, AnFbaReturnIsRecordedAndClosedWithNoTicketClock) {
  v1::CreateReturnRequest fba = CreateRequest("113-9100001");
  fba.mutable_return_case()->set_fulfillment(v1::PLATFORM);
  const Return r = Create(fba);
  EXPECT_TRUE(r.decision().platform_handles());
  EXPECT_EQ(r.status(), Return::CLOSED);
  EXPECT_EQ(r.history(r.history_size() - 1).action(), "close");
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox"), 0)
      << "the platform answers the buyer: no ticket with a 48 h seller clock";
}

TEST_F(ReturnsTest, AMissedBusinessDayDeadlineOpensATicketOnce) {
  // The site's Monday 2026-11-30 is a holiday; requests come on Friday 2026-11-27.
  v1::PutSiteHolidaysRequest holidays;
  holidays.set_site("US");
  holidays.add_days("2026-11-30");
  v1::PutSiteHolidaysResponse kept;
  EXPECT_EQ(desk_->PutSiteHolidays(Agent(), holidays, &kept).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(desk_->PutSiteHolidays(Admin(), holidays, &kept).ok());
  holidays.add_days("30 November");
  EXPECT_EQ(desk_->PutSiteHolidays(Admin(), holidays, &kept).code(),
            absl::StatusCode::kInvalidArgument);
  Advance(absl::Hours(24 * 4));
  const Return waiting = Create(CreateRequest("113-9200001"));
  const Return answered = Create(CreateRequest("113-9200002"));
  // The US site counts on Hawaii's calendar, where Friday 08:00 UTC is still Thursday: two
  // business days are Friday and, Monday being off, Tuesday, which ends 2026-12-02 10:00 UTC.
  EXPECT_EQ(FromProtoTime(waiting.respond_deadline()),
            absl::FromCivil(absl::CivilSecond(2026, 12, 2, 10, 0, 0), absl::UTCTimeZone()));
  v1::AuthorizeReturnRequest authorize;
  authorize.set_return_id(answered.return_id());
  v1::AuthorizeReturnResponse authorized;
  ASSERT_TRUE(desk_->AuthorizeReturn(Agent(), authorize, &authorized).ok());

  const int64_t outbox_before = Count(*db_, "SELECT COUNT(*) FROM outbox");
  Advance(absl::Hours(24 * 3));  // Monday 2026-11-30: not due yet
  EXPECT_EQ(desk_->SweepDeadlines(10).value_or(-1), 0);
  Advance(absl::Hours(24 * 4));  // Friday 2026-12-04: past due
  EXPECT_EQ(desk_->SweepDeadlines(10).value_or(-1), 1) << "the answered one met its deadline";
  EXPECT_EQ(desk_->SweepDeadlines(10).value_or(-1), 0) << "a missed deadline is raised once";
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox"), outbox_before + 1);
  EXPECT_EQ(Count(*db_, absl::StrCat("SELECT COUNT(*) FROM outbox WHERE idem_key = 'deadline:",
                                     waiting.return_id(), ":respond'")),
            1);
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM return_deadlines WHERE state = 'BREACHED'"), 1);
}

TEST_F(ReturnsTest, AStoreWithoutSitesKeepsAPolicyPerMarketplaceInItsOwnCurrency) {
  // An AliExpress store selling in euros: no site, no US-dollar defaults forced on it.
  v1::QuoteReturnRequest quote;
  *quote.mutable_return_case() = Case("8123456789");
  v1::ReturnCase* c = quote.mutable_return_case();
  c->mutable_order()->set_marketplace(common::v1::ALIEXPRESS);
  c->mutable_order()->clear_site();
  c->set_buyer_country("FR");
  c->mutable_item_price()->set_currency_code("EUR");
  c->mutable_item_cost()->set_currency_code("EUR");
  *c->mutable_ordered_at() = ToProtoTime(Now() - absl::Hours(24 * 55));
  *c->mutable_delivered_at() = ToProtoTime(Now() - absl::Hours(24 * 45));
  v1::QuoteReturnResponse quoted;
  const absl::Status first = desk_->QuoteReturn(Agent(), quote, &quoted);
  ASSERT_TRUE(first.ok()) << first;
  EXPECT_EQ(quoted.decision().refund_amount().currency_code(), "EUR");
  EXPECT_FALSE(quoted.decision().eligible()) << "45 days: past the default 30-day window";

  v1::GetReturnPolicyRequest get;
  get.set_store_id("store-1");
  get.set_site("-");
  get.set_marketplace(common::v1::ALIEXPRESS);
  get.set_currency_code("EUR");
  v1::GetReturnPolicyResponse defaults;
  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &defaults).ok());
  EXPECT_FALSE(defaults.stored());
  EXPECT_EQ(defaults.policy().currency_code(), "EUR");
  EXPECT_EQ(defaults.policy().insured_label_threshold().amount_minor(), 100'00);

  v1::PutReturnPolicyRequest put;
  put.set_store_id("store-1");
  put.set_site("-");
  *put.mutable_policy() = defaults.policy();
  put.mutable_policy()->set_return_window_days(60);
  v1::PutReturnPolicyResponse stored;
  const absl::Status kept = desk_->PutReturnPolicy(Admin(), put, &stored);
  ASSERT_TRUE(kept.ok()) << kept;
  ASSERT_TRUE(desk_->QuoteReturn(Agent(), quote, &quoted).ok());
  EXPECT_TRUE(quoted.decision().eligible()) << "the store's own 60-day window";
}

TEST_F(ReturnsTest, APolicyQuotesInTheOtherCurrenciesItNames) {
  // An AliExpress store keeps its policy in euros and sells to British buyers in pounds.
  v1::GetReturnPolicyRequest get;
  get.set_store_id("store-1");
  get.set_site("-");
  get.set_marketplace(common::v1::ALIEXPRESS);
  get.set_currency_code("EUR");
  v1::GetReturnPolicyResponse defaults;
  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &defaults).ok());
  v1::PutReturnPolicyRequest put;
  put.set_store_id("store-1");
  put.set_site("-");
  *put.mutable_policy() = defaults.policy();
  put.mutable_policy()->mutable_low_value_threshold()->set_amount_minor(10'00);
  put.mutable_policy()->mutable_low_value_threshold()->set_currency_code("EUR");
  auto* gbp = put.mutable_policy()->add_quote_currencies();
  gbp->set_currency_code("GBP");
  gbp->set_rate("0,85");
  v1::PutReturnPolicyResponse stored;
  const absl::Status comma = desk_->PutReturnPolicy(Admin(), put, &stored);
  EXPECT_EQ(comma.code(), absl::StatusCode::kInvalidArgument) << comma;
  EXPECT_NE(comma.message().find("quote_currencies[0].rate:"), std::string::npos) << comma;
  gbp->set_rate("0.85");
  const absl::Status kept = desk_->PutReturnPolicy(Admin(), put, &stored);
  ASSERT_TRUE(kept.ok()) << kept;
  v1::GetReturnPolicyResponse read;
  ASSERT_TRUE(desk_->GetReturnPolicy(Admin(), get, &read).ok());
  ASSERT_EQ(read.policy().quote_currencies_size(), 1);
  EXPECT_EQ(read.policy().quote_currencies(0).rate(), "0.85");

  // A 9.00 GBP item is under the 10.00 EUR low-value threshold (8.50 GBP) only when it converts:
  // 8.00 GBP is refunded without a return, 9.00 GBP is not.
  v1::QuoteReturnRequest quote;
  *quote.mutable_return_case() = Case("8123456790");
  v1::ReturnCase* c = quote.mutable_return_case();
  c->mutable_order()->set_marketplace(common::v1::ALIEXPRESS);
  c->mutable_order()->clear_site();
  c->set_buyer_country("GB");
  c->set_reason(v1::WRONG_ITEM);
  c->mutable_item_price()->set_currency_code("GBP");
  c->mutable_item_cost()->set_currency_code("GBP");
  c->mutable_item_cost()->set_amount_minor(1'00);
  c->mutable_item_price()->set_amount_minor(8'00);
  v1::QuoteReturnResponse quoted;
  const absl::Status low = desk_->QuoteReturn(Agent(), quote, &quoted);
  ASSERT_TRUE(low.ok()) << low;
  EXPECT_EQ(quoted.decision().refund_amount().currency_code(), "GBP");
  EXPECT_TRUE(Fired(quoted.decision(), "policy_amounts_converted"));
  EXPECT_TRUE(Fired(quoted.decision(), "returnless_low_value")) << quoted.DebugString();
  c->mutable_item_price()->set_amount_minor(9'00);
  ASSERT_TRUE(desk_->QuoteReturn(Agent(), quote, &quoted).ok());
  EXPECT_FALSE(Fired(quoted.decision(), "returnless_low_value")) << quoted.DebugString();

  // A currency the policy does not name is refused with what to do, and nothing is recorded.
  c->mutable_item_price()->set_currency_code("USD");
  c->mutable_item_cost()->set_currency_code("USD");
  const absl::Status usd = desk_->QuoteReturn(Agent(), quote, &quoted);
  EXPECT_EQ(usd.code(), absl::StatusCode::kInvalidArgument) << usd;
  EXPECT_NE(usd.message().find("quote_currencies"), std::string::npos) << usd;
  EXPECT_NE(usd.message().find("EUR, GBP"), std::string::npos) << usd;
}

TEST_F(ReturnsTest, AnAgentsLimitCountsWhatTheyRefundedOnTheOrder) {
  // Two units of 40.00 in two returns; the agent limit is 50.00 per order.
  v1::CreateReturnRequest first = CreateRequest("113-7000001");
  first.mutable_return_case()->mutable_item_price()->set_amount_minor(4000);
  first.mutable_return_case()->set_reason(v1::DEFECTIVE);
  const Return a = Create(first);
  const Return b = Create(first);
  Caller agent = Agent();
  for (const Return* r : {&a, &b}) {
    v1::AuthorizeReturnRequest authorize;
    authorize.set_return_id(r->return_id());
    v1::AuthorizeReturnResponse authorized;
    ASSERT_TRUE(desk_->AuthorizeReturn(agent, authorize, &authorized).ok());
  }
  v1::RefundReturnRequest refund;
  refund.set_return_id(a.return_id());
  v1::RefundReturnResponse refunded;
  const absl::Status first_refund = desk_->RefundReturn(agent, refund, &refunded);
  ASSERT_TRUE(first_refund.ok()) << first_refund;
  refund.set_return_id(b.return_id());
  const absl::Status second = desk_->RefundReturn(agent, refund, &refunded);
  EXPECT_EQ(second.code(), absl::StatusCode::kPermissionDenied) << second;
  EXPECT_NE(second.message().find("already"), std::string::npos) << second;
  // Another agent's refund is theirs to count; a supervisor has no limit.
  ASSERT_TRUE(desk_->RefundReturn(Supervisor(), refund, &refunded).ok());
}

TEST_F(ReturnsTest, OutboxOpensTheTicketExactlyOnceAfterTicketsComesBack) {
  const int tickets_port = testing::FreePort();
  auto channel = MakeChannel(absl::StrCat("127.0.0.1:", tickets_port), {});
  TicketOutbox outbox(*db_, channel, testing::TestSigner(), [this] { return Now(); }, absl::Seconds(2));
  const Return created = Create(CreateRequest("113-3000001"));

  // Tickets is down: the call fails, the entry waits and nothing is lost.
  absl::StatusOr<int> delivered = outbox.DeliverDue(10);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(*delivered, 0);
  EXPECT_EQ(Count(*db_, "SELECT attempts FROM outbox"), 1);
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox WHERE state = 'PENDING' AND last_error <> ''"), 1);

  // Tickets comes up.
  const testing::TestLogDir logs("aftersales-returns-it-");
  absl::StatusOr<testing::ChildProcess> tickets = testing::ChildProcess::Start(
      {TICKETS_BINARY, absl::StrCat("--listen=127.0.0.1:", tickets_port),
       absl::StrCat("--db_port=", server->port()), "--db_host=127.0.0.1", "--db_pool_size=4",
       absl::StrCat("--identity_key=", testing::kTestIdentityKey)},
      logs.path() + "/tickets.log");
  ASSERT_TRUE(tickets.ok());
  ASSERT_TRUE(testing::WaitForPort(tickets_port, absl::Seconds(30))) << tickets->Log();
  // The channel retries its connection on its own backoff; in the service the next periodic
  // delivery gets it, here we wait for it.
  ASSERT_TRUE(channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(20))));

  EXPECT_EQ(outbox.DeliverDue(10).value_or(-1), 0) << "not before its backoff";
  Advance(TicketOutbox::Backoff(1));
  delivered = outbox.DeliverDue(10);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(*delivered, 1) << tickets->Log();
  EXPECT_EQ(outbox.DeliverDue(10).value_or(-1), 0);

  v1::GetReturnRequest get;
  get.set_return_id(created.return_id());
  v1::GetReturnResponse got;
  ASSERT_TRUE(desk_->GetReturn(Admin(), get, &got).ok());
  ASSERT_FALSE(got.return_().ticket_id().empty());

  // As if the answer had been lost: the entry is sent again, and the key keeps it to one ticket.
  ASSERT_TRUE(db_->InTransaction([](Transaction& tx) {
                  return tx.Execute("UPDATE outbox SET state = 'PENDING', next_attempt_at = '2000-01-01'").status();
                }).ok());
  EXPECT_EQ(outbox.DeliverDue(10).value_or(-1), 1);

  DatabaseOptions tickets_db = server->Options("aftersales_tickets");
  tickets_db.pool_size = 1;
  absl::StatusOr<std::unique_ptr<Database>> tdb = Database::Connect(tickets_db);
  ASSERT_TRUE(tdb.ok());
  EXPECT_EQ(Count(**tdb, "SELECT COUNT(*) FROM tickets WHERE order_id = '113-3000001'"), 1);
  // It is a return request: its reply clock is the 48-hour one.
  EXPECT_EQ(Count(**tdb, "SELECT COUNT(*) FROM tickets WHERE order_id = '113-3000001' AND "
                         "sla_policy = 'return_request_48h'"),
            1);
  ASSERT_TRUE(desk_->GetReturn(Admin(), get, &got).ok());
  EXPECT_EQ(got.return_().ticket_id(), got.return_().history(got.return_().history_size() - 1).note());
  int opened_events = 0;
  for (const auto& e : got.return_().history()) opened_events += e.action() == "ticketOpened";
  EXPECT_EQ(opened_events, 1) << "a repeated delivery records nothing twice";

  // An entry the tickets service refuses for good (here: unreadable) fails alone; the next one
  // is still delivered.
  const Return broken = Create(CreateRequest("113-3000002"));
  const Return fine = Create(CreateRequest("113-3000003"));
  ASSERT_TRUE(db_->InTransaction([&](Transaction& tx) {
                  return tx.Execute("UPDATE outbox SET payload = 'not base64!' WHERE subject_id = ?",
                                    {broken.return_id()})
                      .status();
                }).ok());
  EXPECT_EQ(outbox.DeliverDue(10).value_or(-1), 1);
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox WHERE state = 'FAILED'"), 1);
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox WHERE state = 'PENDING'"), 0);
  // What /metrics shows (aftersales_ticket_outbox_entries): the failed one waits for a person.
  const absl::StatusOr<std::map<std::string, int64_t>> counts = outbox.CountByState();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (std::map<std::string, int64_t>{{"FAILED", 1}, {"PENDING", 0}}));
  Advance(absl::Hours(1));
  EXPECT_EQ(outbox.DeliverDue(10).value_or(-1), 0) << "a failed entry is not retried";
  EXPECT_EQ(Count(**tdb, "SELECT COUNT(*) FROM tickets WHERE order_id = '113-3000003'"), 1);

  // An admin sees it with its error, fixes the cause, and sends it again.
  v1::GetTicketOutboxRequest look;
  v1::GetTicketOutboxResponse seen;
  EXPECT_EQ(desk_->GetTicketOutbox(Agent(), look, &seen).code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(desk_->GetTicketOutbox(Admin(), look, &seen).ok());
  EXPECT_EQ(seen.failed(), 1);
  ASSERT_EQ(seen.failed_entries_size(), 1);
  EXPECT_EQ(seen.failed_entries(0).return_id(), broken.return_id());
  EXPECT_NE(seen.failed_entries(0).last_error().find("unreadable"), std::string::npos);
  ASSERT_TRUE(db_->InTransaction([&](Transaction& tx) {
                  return tx.Execute("UPDATE outbox SET payload = (SELECT payload FROM (SELECT "
                                    "payload FROM outbox WHERE subject_id = ?) fixed) WHERE "
                                    "subject_id = ?",
                                    {fine.return_id(), broken.return_id()})
                      .status();
                }).ok());
  v1::RequeueTicketOutboxRequest requeue;
  requeue.set_return_id(broken.return_id());
  v1::RequeueTicketOutboxResponse requeued;
  ASSERT_TRUE(desk_->RequeueTicketOutbox(Admin(), requeue, &requeued).ok());
  EXPECT_EQ(requeued.requeued(), 1);
  EXPECT_EQ(outbox.DeliverDue(10).value_or(-1), 1) << "sent again";
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox WHERE state = 'FAILED'"), 0);
  EXPECT_EQ(tickets->Stop(SIGTERM, absl::Seconds(20)).value_or(-1), 0);
}

TEST_F(ReturnsTest, AnAttemptPastItsLeaseNeverRewritesADeliveredEntry) {
  Create(CreateRequest("113-3100001"));
  ASSERT_TRUE(db_->InTransaction([](Transaction& tx) {
                  return tx.Execute("UPDATE outbox SET state = 'DELIVERED'").status();
                }).ok());
  OutboxEntry entry;
  entry.outbox_id = Count(*db_, "SELECT outbox_id FROM outbox");
  entry.store_id = "store-1";
  ASSERT_TRUE(db_->InTransaction([&](Transaction& tx) {
                   RETURN_IF_ERROR(MarkOutboxFailed(tx, entry, "late answer"));
                   return MarkOutboxRetry(tx, entry, "late answer", Now());
                 })
                  .ok());
  EXPECT_EQ(Count(*db_, "SELECT COUNT(*) FROM outbox WHERE state = 'DELIVERED' AND last_error = ''"), 1);
}

}  // namespace
}  // namespace aftersales::returns
