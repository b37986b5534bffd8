// Proof that nothing acknowledged is lost and nothing is done twice when processes die: the
// whole system as real processes (MariaDB, tickets, returns, reviews, claims, the gateway), with
// clients that retry every create under its Idempotency-Key until it is answered, while the
// test SIGKILLs and SIGTERMs services and SIGKILLs the database under them.
//
// Each test is bounded: the load runs for a fixed schedule of faults (about ten seconds), and a
// client that cannot get an answer for one key within kGiveUpAfter fails the test instead of
// hanging it.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "aftersales/claims/v1/claims.pb.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/mysql.h"
#include "tests/support/http_client.h"
#include "tests/support/json_body.h"
#include "tests/support/running_system.h"

namespace aftersales {
namespace {

using testing::HttpClient;
using testing::HttpHeaders;
using testing::HttpResult;
using testing::ParseBody;
namespace cv = claims::v1;
namespace rv = returns::v1;
namespace tv = tickets::v1;

constexpr absl::Duration kGiveUpAfter = absl::Seconds(60);

// Refusals while a service or the database is down that carried gRPC's or the driver's own
// words (addresses, "failed to connect"): a client must read what it can act on, never those.
std::atomic<int> transport_text_answers{0};
bool CarriesTransportText(const std::string& body) {
  for (const char* words : {"failed to connect", "ipv4:", "Connection refused", "Socket closed", "errno"}) {
    if (body.find(words) != std::string::npos) return true;
  }
  return false;
}

testing::RunningSystem* sys = nullptr;

class SystemEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::RunningSystem>> started = testing::RunningSystem::Start(
        {{"tickets", TICKETS_BINARY, {}},
         {"reviews", REVIEWS_BINARY, {}},
         {"returns", RETURNS_BINARY, {"--outbox_interval=200ms"}},
         {"claims", CLAIMS_BINARY, {"--alert_interval=200ms"}}},
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
const HttpHeaders kSync = {{"X-Dev-Role", "service"}};

void Sleep(absl::Duration d) { absl::SleepFor(d); }

// Posts until the system answers 200, as a client that keeps its Idempotency-Key does: any
// answer that says "not now" (no response, 409 still running, 429, 5xx) is retried after a
// pause. A 4xx that is about the request itself ends the attempt with that answer.
HttpResult PostUntilAnswered(HttpClient& http, const std::string& target, const std::string& body,
                             const std::string& key, const HttpHeaders& role) {
  HttpHeaders headers = role;
  headers.emplace_back("Idempotency-Key", key);
  const absl::Time give_up = absl::Now() + kGiveUpAfter;
  HttpResult r;
  while (absl::Now() < give_up) {
    r = http.Post(target, body, headers);
    if (r.status != 200 && CarriesTransportText(r.body)) {
      if (transport_text_answers++ == 0) std::cout << "[fault] refusal with transport text: " << r.body << "\n";
    }
    const bool retryable = r.status == 0 || r.status == 409 || r.status == 429 || r.status >= 500;
    if (!retryable) return r;
    Sleep(absl::Milliseconds(50));
  }
  return r;
}

HttpResult GetUntilServed(HttpClient& http, const std::string& target) {
  HttpResult r;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (absl::Now() < give_up) {
    r = http.Get(target, kAgent);
    if (r.status != 0 && r.status != 503) break;
    Sleep(absl::Milliseconds(100));
  }
  return r;
}

// One value from the service's own database.
int64_t QueryCount(const std::string& database, const std::string& sql, std::vector<SqlParam> params = {}) {
  absl::StatusOr<std::unique_ptr<Database>> db = sys->OpenDatabase(database);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return -1;
  absl::StatusOr<int64_t> n = (*db)->InTransaction<int64_t>([&](Transaction& tx) -> absl::StatusOr<int64_t> {
    absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
    if (!rows.ok()) return rows.status();
    return rows->empty() ? 0 : rows->front().Int(0);
  });
  EXPECT_TRUE(n.ok()) << n.status();
  return n.value_or(-1);
}

// Clients that create one thing after another, each retried under its own key until answered,
// until told to stop. What each key was answered with is kept.
class RetryingClients {
 public:
  // make_body(client, i) gives the body of the client's i-th create, make_key its key.
  RetryingClients(int clients, std::string target,
                  std::function<std::string(int, int)> make_body,
                  std::function<std::string(int, int)> make_key) {
    for (int c = 0; c < clients; ++c) {
      threads_.emplace_back([this, c, target, make_body, make_key] {
        HttpClient http(sys->http_port(), absl::Seconds(15));
        for (int i = 0; !stop_; ++i) {
          const std::string key = make_key(c, i);
          const HttpResult r = PostUntilAnswered(http, target, make_body(c, i), key, kAgent);
          std::lock_guard<std::mutex> lock(mu_);
          answers_[key] = r;
        }
      });
    }
  }
  // Lets each client finish the create it is on, then joins them.
  std::map<std::string, HttpResult> Finish() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
    return answers_;
  }
  size_t answered() {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_.size();
  }
  ~RetryingClients() {
    if (!threads_.empty()) Finish();
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::map<std::string, HttpResult> answers_;
  std::vector<std::thread> threads_;
};

// Waits until the load has moved on by at least `creates` answers, so every fault meets a
// service in the middle of work rather than an idle one.
void AwaitProgress(RetryingClients& clients, size_t creates) {
  const size_t target = clients.answered() + creates;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (clients.answered() < target && absl::Now() < give_up) Sleep(absl::Milliseconds(20));
  ASSERT_GE(clients.answered(), target) << "the load stalled";
}

std::string TicketJson(const std::string& subject) {
  return absl::StrCat(
      R"({"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":"113-0000001"},)"
      R"("buyer":{"buyer_id":"b-1","name":"Anna","country":"US","language":"en"},)"
      R"("category":"LOGISTICS_DELAYED","channel":"MARKETPLACE_MESSAGE","subject":")",
      subject, R"(","body":"It has been three weeks."})");
}

// 8 clients create tickets through the gateway while the tickets service is SIGKILLed twice,
// MariaDB is SIGKILLed and restarted, and the tickets service is SIGTERMed. Afterwards every key
// has been answered with exactly one ticket, every one of them is readable, and the database
// holds exactly one ticket and one idempotency row per key.
TEST(FaultEndToEnd, TicketCreatesSurviveKilledServiceAndDatabase) {
  const int64_t tickets_before = QueryCount("aftersales_tickets", "SELECT COUNT(*) FROM tickets");
  RetryingClients clients(
      8, "/v1/tickets", [](int c, int i) { return TicketJson(absl::StrCat("fault ", c, "-", i)); },
      [](int c, int i) { return absl::StrCat("fault-ticket-", c, "-", i); });

  AwaitProgress(clients, 100);
  ASSERT_TRUE(sys->StopService("tickets", SIGKILL).ok());
  Sleep(absl::Milliseconds(300));
  ASSERT_TRUE(sys->StartService("tickets").ok()) << sys->Log("tickets");
  AwaitProgress(clients, 100);
  ASSERT_TRUE(sys->StopService("tickets", SIGKILL).ok());
  ASSERT_TRUE(sys->StartService("tickets").ok()) << sys->Log("tickets");
  AwaitProgress(clients, 100);
  ASSERT_TRUE(sys->db().Kill().ok());
  Sleep(absl::Milliseconds(500));
  ASSERT_TRUE(sys->db().StartAgain().ok());
  AwaitProgress(clients, 100);
  absl::StatusOr<int> drained = sys->StopService("tickets", SIGTERM);
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(*drained, 0) << "SIGTERM drains and exits cleanly:\n" << sys->Log("tickets");
  ASSERT_TRUE(sys->StartService("tickets").ok()) << sys->Log("tickets");
  AwaitProgress(clients, 100);
  const std::map<std::string, HttpResult> answers = clients.Finish();

  std::set<std::string> ticket_ids;
  for (const auto& [key, r] : answers) {
    ASSERT_EQ(r.status, 200) << key << " was never answered: " << r.status << " " << r.error << r.body;
    ticket_ids.insert(ParseBody<tv::CreateTicketResponse>(r).ticket().ticket_id());
  }
  EXPECT_EQ(ticket_ids.size(), answers.size()) << "two keys were answered with one ticket";
  ASSERT_TRUE(sys->WaitReady(absl::Seconds(30)).ok());
  HttpClient http(sys->http_port());
  int readable = 0;
  for (const std::string& id : ticket_ids) readable += GetUntilServed(http, "/v1/tickets/" + id).status == 200;
  EXPECT_EQ(readable, static_cast<int>(ticket_ids.size()));
  const auto keys = static_cast<int64_t>(answers.size());
  EXPECT_EQ(QueryCount("aftersales_tickets", "SELECT COUNT(*) FROM tickets") - tickets_before, keys)
      << "a ticket was lost or made twice";
  EXPECT_EQ(QueryCount("aftersales_tickets", "SELECT COUNT(DISTINCT subject) FROM tickets WHERE subject LIKE 'fault %'"),
            keys);
  EXPECT_EQ(QueryCount("aftersales_tickets",
                       "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key LIKE 'fault-ticket-%' AND response IS NOT NULL"),
            keys);
  EXPECT_EQ(transport_text_answers.load(), 0);
  std::cout << "[fault] " << keys << " tickets created through 2 SIGKILLs of tickets, a SIGKILL of MariaDB "
            << "and a SIGTERM; none lost, none doubled\n";
}

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

// Requested now, so no return deadline falls due during the test (a missed one opens a ticket
// of its own), of an item delivered ten days ago.
std::string ReturnJson(const std::string& order_id) {
  const absl::Time now = absl::Now();
  return absl::StrCat(
      R"({"return_case":{"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":")", order_id,
      R"("},"buyer_country":"US","fulfillment":"MERCHANT","category":"GENERAL",)"
      R"("item_price":{"currency_code":"USD","amount_minor":6000},"item_cost":{"currency_code":"USD","amount_minor":3500},)"
      R"("quantity":1,"ordered_at":")", Rfc3339(now - absl::Hours(24 * 20)), R"(","delivered_at":")",
      Rfc3339(now - absl::Hours(24 * 10)), R"(","requested_at":")", Rfc3339(now),
      R"(","reason":"NO_LONGER_NEEDED","condition":"OPENED_UNUSED","weight_grams":800},)"
      R"("buyer":{"buyer_id":"b-9","name":"Ann","language":"en"},"note":"Too big."})");
}

// Returns are created while the tickets service is down for two seconds and the returns service
// itself is SIGKILLed once: every return's ticket waits in the outbox and is opened once, so in
// the end each return has exactly one RETURN_REQUEST ticket.
TEST(FaultEndToEnd, EveryReturnGetsExactlyOneTicketThroughTheOutbox) {
  ASSERT_TRUE(sys->WaitReady(absl::Seconds(30)).ok());
  auto order_of = [](int c, int i) { return absl::StrCat("fault-r-", c, "-", i); };
  RetryingClients clients(4, "/v1/returns", [&](int c, int i) { return ReturnJson(order_of(c, i)); },
                          [](int c, int i) { return absl::StrCat("fault-return-", c, "-", i); });
  AwaitProgress(clients, 40);
  // Creates need the tickets service (it holds the order a return is checked against), so they
  // wait while it is down; the returns committed just before are in the outbox then.
  ASSERT_TRUE(sys->StopService("tickets", SIGKILL).ok());
  const int64_t waiting = QueryCount("aftersales_returns", "SELECT COUNT(*) FROM outbox WHERE state = 'PENDING'");
  ASSERT_TRUE(sys->StopService("returns", SIGKILL).ok());
  Sleep(absl::Milliseconds(300));
  ASSERT_TRUE(sys->StartService("returns").ok()) << sys->Log("returns");
  Sleep(absl::Seconds(1));
  ASSERT_TRUE(sys->StartService("tickets").ok()) << sys->Log("tickets");
  AwaitProgress(clients, 40);
  ASSERT_TRUE(sys->StopService("tickets", SIGKILL).ok());
  ASSERT_TRUE(sys->StartService("tickets").ok()) << sys->Log("tickets");
  AwaitProgress(clients, 40);
  const std::map<std::string, HttpResult> answers = clients.Finish();
  std::cout << "[fault] " << waiting << " returns' tickets were waiting in the outbox when tickets died\n";

  std::map<std::string, std::string> order_by_return;
  for (const auto& [key, r] : answers) {
    ASSERT_EQ(r.status, 200) << key << " was never answered: " << r.status << " " << r.error << r.body;
    const rv::Return ret = ParseBody<rv::CreateReturnResponse>(r).return_();
    order_by_return[ret.return_id()] = ret.return_case().order().order_id();
  }
  EXPECT_EQ(order_by_return.size(), answers.size()) << "two keys were answered with one return";

  // The outbox delivers every return's ticket once tickets is back.
  HttpClient http(sys->http_port());
  int with_ticket = 0;
  for (const auto& [return_id, order_id] : order_by_return) {
    std::string ticket_id;
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (ticket_id.empty() && absl::Now() < give_up) {
      const HttpResult got = GetUntilServed(http, "/v1/returns/" + return_id);
      if (got.status == 200) ticket_id = ParseBody<rv::GetReturnResponse>(got).return_().ticket_id();
      if (ticket_id.empty()) Sleep(absl::Milliseconds(100));
    }
    with_ticket += !ticket_id.empty();
  }
  EXPECT_EQ(with_ticket, static_cast<int>(order_by_return.size())) << sys->Log("returns");
  const auto returns = static_cast<int64_t>(order_by_return.size());
  EXPECT_EQ(QueryCount("aftersales_tickets", "SELECT COUNT(*) FROM tickets WHERE order_id LIKE 'fault-r-%'"), returns)
      << "a return's ticket was lost or opened twice";
  EXPECT_EQ(QueryCount("aftersales_tickets", "SELECT COUNT(DISTINCT order_id) FROM tickets WHERE order_id LIKE 'fault-r-%'"),
            returns);
  EXPECT_EQ(QueryCount("aftersales_returns", "SELECT COUNT(*) FROM returns WHERE order_id LIKE 'fault-r-%'"), returns);
  // An entry leased by the returns process that was killed waits out its lease, then goes.
  const absl::Time give_up = absl::Now() + absl::Seconds(40);
  int64_t undelivered = -1;
  while (absl::Now() < give_up &&
         (undelivered = QueryCount("aftersales_returns", "SELECT COUNT(*) FROM outbox WHERE state <> 'DELIVERED'")) != 0) {
    Sleep(absl::Milliseconds(200));
  }
  EXPECT_EQ(undelivered, 0);
  EXPECT_EQ(QueryCount("aftersales_tickets", "SELECT COUNT(*) FROM tickets WHERE order_id LIKE 'fault-r-%'"), returns)
      << "delivered again after its lease";
  EXPECT_EQ(transport_text_answers.load(), 0);
  std::cout << "[fault] " << returns << " returns, each with one ticket, through tickets down and returns SIGKILLed\n";
}

// A claim whose response deadline passes while the claims service is down: after the restart,
// with a second replica sweeping the same alerts, the expiry fires exactly once (one
// CLAIM_DEADLINE ticket, one history event, the claim EXPIRED).
TEST(FaultEndToEnd, AClaimDeadlineDueWhileClaimsIsDownFiresOnceAfterTheRestart) {
  ASSERT_TRUE(sys->WaitReady(absl::Seconds(30)).ok());
  HttpClient http(sys->http_port());
  constexpr char kOrder[] = "fault-claim-1";
  const HttpResult order = http.Request(
      "PUT", absl::StrCat("/v1/stores/store-1/orders/", kOrder),
      R"({"marketplace":"AMAZON","site":"US","buyer":{"buyer_id":"b-1","name":"Lin Wei"},)"
      R"("ordered_at":"2026-11-01T08:00:00Z","items":[{"sku":"LAMP-1","title":"Reading Lamp","quantity":1,)"
      R"("price":{"currency_code":"USD","amount_minor":6000}}]})",
      kSync);
  ASSERT_EQ(order.status, 200) << order.body;
  // An A-to-z claim answers in 72 h: opened 72 h less 4 s ago, it is due in 4 s. Its 24 h and 6 h
  // alerts are past already and are not raised; only the expiry is.
  const absl::Time opened_at = absl::Now() - absl::Hours(72) + absl::Seconds(4);
  const HttpResult created = PostUntilAnswered(
      http, "/v1/claims",
      absl::StrCat(R"({"store_id":"store-1","marketplace_claim_id":"AZ-FAULT-1","order":{"marketplace":"AMAZON","site":"US","order_id":")",
                   kOrder, R"("},"kind":"A_TO_Z","reason":"NOT_RECEIVED","amount":{"currency_code":"USD","amount_minor":6000},)"
                   R"("opened_at":")", Rfc3339(opened_at), R"("})"),
      "fault-claim-1", kAgent);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string claim_id = ParseBody<cv::CreateClaimResponse>(created).claim().claim_id();
  ASSERT_TRUE(sys->StopService("claims", SIGKILL).ok());
  Sleep(absl::Seconds(6));  // the deadline passes with no claims service running
  EXPECT_EQ(QueryCount("aftersales_tickets", "SELECT COUNT(*) FROM tickets WHERE order_id = ?", {kOrder}), 0);

  absl::StatusOr<testing::ChildProcess> second = sys->StartExtraReplica("claims");
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(sys->StartService("claims").ok()) << sys->Log("claims");
  cv::Claim claim;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (absl::Now() < give_up) {
    const HttpResult got = GetUntilServed(http, "/v1/claims/" + claim_id);
    if (got.status == 200) claim = ParseBody<cv::GetClaimResponse>(got).claim();
    if (claim.status() == cv::Claim::EXPIRED) break;
    Sleep(absl::Milliseconds(100));
  }
  ASSERT_EQ(claim.status(), cv::Claim::EXPIRED) << sys->Log("claims");
  const std::string deadline_tickets = "SELECT COUNT(*) FROM tickets WHERE order_id = ? AND category = ?";
  const std::vector<SqlParam> of_this_claim = {kOrder, static_cast<int64_t>(tv::CLAIM_DEADLINE)};
  while (absl::Now() < give_up && QueryCount("aftersales_tickets", deadline_tickets, of_this_claim) == 0) {
    Sleep(absl::Milliseconds(100));
  }
  // Both replicas sweep for a few more rounds: a second firing would show now.
  Sleep(absl::Seconds(2));
  EXPECT_EQ(QueryCount("aftersales_tickets", deadline_tickets, of_this_claim), 1)
      << "the expiry opened no ticket, or more than one";
  EXPECT_EQ(QueryCount("aftersales_claims", "SELECT COUNT(*) FROM claim_alerts WHERE claim_id = ?", {claim_id}), 1)
      << "only the expiry alert was scheduled";
  claim = ParseBody<cv::GetClaimResponse>(http.Get("/v1/claims/" + claim_id, kAgent)).claim();
  int expiry_events = 0;
  for (const cv::Claim::Event& e : claim.history()) expiry_events += e.action().find("expir") != std::string::npos;
  EXPECT_EQ(expiry_events, 1) << claim.DebugString();
  EXPECT_TRUE(second->Stop(SIGTERM, absl::Seconds(20)).ok());
}

}  // namespace
}  // namespace aftersales
