// The tickets use cases against a real MariaDB: storage, idempotency, concurrency, the
// follow-up sweeper.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/migrations.h"
#include "common/time_util.h"
#include "common/write_batcher.h"
#include "services/tickets/migrations.h"
#include "services/tickets/reply_template.h"
#include "services/tickets/ticket_desk.h"
#include "services/tickets/ticket_store.h"
#include "services/reviews/phrase_filter.h"
#include "tests/reviews/seed_rules.h"
#include "tests/support/mariadb_environment.h"
#include "tests/support/mariadb_server.h"

namespace aftersales::tickets {
namespace {

using testing::MariaDbServer;
using v1::Ticket;

MariaDbServer* server = nullptr;

const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new testing::MariaDbEnvironment(&server));

Caller Admin() { return Caller{"admin-1", Role::kAdmin, /*all_stores=*/true, {}}; }
Caller AgentOf(const std::string& store) { return Caller{"agent-1", Role::kAgent, false, {store}}; }
Caller Automation() { return Caller{"order-sync", Role::kService, /*all_stores=*/true, {}}; }

class TicketDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    db_name_ = "t_" + name.substr(0, 50);
    db_ = Open();
    ASSERT_TRUE(ApplyMigrations(*db_, Migrations()).ok());
    desk_ = NewDesk(*db_);
  }

  std::unique_ptr<Database> Open() {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Connect(server->Options(db_name_));
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }

  std::unique_ptr<TicketDesk> NewDesk(Database& db) {
    TicketDeskOptions options;
    options.clock = [this] { return absl::FromUnixMicros(now_micros_.load()); };
    return std::make_unique<TicketDesk>(db, options);
  }

  void Advance(absl::Duration d) { now_micros_ += absl::ToInt64Microseconds(d); }
  absl::Time Now() const { return absl::FromUnixMicros(now_micros_.load()); }

  int64_t Count(const std::string& sql) {
    absl::StatusOr<int64_t> n = db_->InTransaction<int64_t>([&](Transaction& tx) -> absl::StatusOr<int64_t> {
      absl::StatusOr<std::vector<Row>> rows = tx.Query(sql);
      if (!rows.ok()) return rows.status();
      return rows->front().Int(0);
    });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  v1::CreateTicketRequest Request(const std::string& store = "store-1") {
    v1::CreateTicketRequest r;
    r.set_store_id(store);
    r.mutable_order()->set_marketplace(common::v1::AMAZON);
    r.mutable_order()->set_site("US");
    r.mutable_order()->set_order_id("113-0000001");
    r.mutable_buyer()->set_buyer_id("buyer-1");
    r.mutable_buyer()->set_name("Anna");
    r.mutable_buyer()->set_language("en");
    r.set_category(v1::LOGISTICS_DELAYED);
    r.set_channel(v1::MARKETPLACE_MESSAGE);
    r.set_subject("Where is my parcel?");
    r.set_body("Still not here.");
    return r;
  }

  Ticket Create(const v1::CreateTicketRequest& r, const std::string& key = "",
                const Caller& caller = Admin()) {
    v1::CreateTicketResponse resp;
    const absl::Status s = desk_->CreateTicket(caller, key, r, &resp);
    EXPECT_TRUE(s.ok()) << s;
    return resp.ticket();
  }

  absl::Status Reply(const std::string& ticket_id, v1::Message::Direction direction,
                     const std::string& body = "reply") {
    v1::AddMessageRequest r;
    r.set_ticket_id(ticket_id);
    r.set_direction(direction);
    r.set_body(body);
    v1::AddMessageResponse resp;
    return desk_->AddMessage(Admin(), "", r, &resp);
  }

  // Monday to Friday 09:00-17:00 UTC for store-1.
  static v1::PutBusinessHoursRequest OfficeHours() {
    v1::PutBusinessHoursRequest put;
    put.set_store_id("store-1");
    put.mutable_business_hours()->set_time_zone("UTC");
    for (int day = 1; day <= 5; ++day) {
      auto* w = put.mutable_business_hours()->add_windows();
      w->set_day_of_week(day);
      w->set_open("09:00");
      w->set_close("17:00");
    }
    return put;
  }

  // Follow-ups sent by one sweep; -1 when the sweep failed.
  int Sent(int batch) {
    absl::StatusOr<FollowUpSweep> sweep = desk_->SendDueFollowUps(batch);
    EXPECT_TRUE(sweep.ok()) << sweep.status();
    return sweep.ok() ? sweep->sent : -1;
  }

  std::string db_name_;
  std::atomic<int64_t> now_micros_{absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(2026, 11, 23, 8, 0, 0), absl::UTCTimeZone()))};
  std::unique_ptr<Database> db_;
  std::unique_ptr<TicketDesk> desk_;
};

TEST_F(TicketDeskTest, ChineseJapaneseAndEmojiRoundTripUnchanged) {
  v1::CreateTicketRequest r = Request();
  r.set_subject("包裹在哪里？荷物はどこですか？📦🚚");
  r.set_body("我的订单三周还没到 😡 — まだ届いていません");
  r.mutable_buyer()->set_name("王小明 👨‍👩‍👧");
  const Ticket created = Create(r);
  v1::GetTicketRequest get;
  get.set_ticket_id(created.ticket_id());
  v1::GetTicketResponse got;
  ASSERT_TRUE(desk_->GetTicket(Admin(), get, &got).ok());
  EXPECT_EQ(got.ticket().subject(), r.subject());
  EXPECT_EQ(got.ticket().buyer().name(), r.buyer().name());
  ASSERT_EQ(got.ticket().messages_size(), 1);
  EXPECT_EQ(got.ticket().messages(0).body(), r.body());
  EXPECT_EQ(FromProtoTime(got.ticket().reply_due_at()), Now() + absl::Hours(24));
}

TEST_F(TicketDeskTest, RetryWithTheSameKeyReturnsTheFirstTicketAndWritesOnce) {
  const Ticket first = Create(Request(), "key-1");
  Advance(absl::Minutes(1));
  const Ticket again = Create(Request(), "key-1");
  EXPECT_EQ(again.ticket_id(), first.ticket_id());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 1);
}

TEST_F(TicketDeskTest, SameKeyWithAnotherRequestIsRefusedAndWritesNothing) {
  Create(Request(), "key-1");
  v1::CreateTicketRequest other = Request();
  other.set_subject("Something else");
  v1::CreateTicketResponse resp;
  const absl::Status s = desk_->CreateTicket(Admin(), "key-1", other, &resp);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("different request"), absl::string_view::npos) << s;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 1);
}

TEST_F(TicketDeskTest, KeysThatDifferOnlyInCaseAreTwoKeys) {
  v1::CreateTicketRequest second = Request();
  second.set_subject("Another question");
  const Ticket a = Create(Request(), "order-42-Return");
  const Ticket b = Create(second, "order-42-return");
  EXPECT_NE(a.ticket_id(), b.ticket_id());
  EXPECT_EQ(b.subject(), "Another question");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 2);
}

TEST_F(TicketDeskTest, ConcurrentRetriesWithOneKeyCreateOneTicket) {
  std::vector<std::thread> threads;
  std::vector<std::string> ids(8);
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      v1::CreateTicketResponse resp;
      absl::Status s = desk_->CreateTicket(Admin(), "same-key", Request(), &resp);
      if (!s.ok()) {
        ++failures;
        return;
      }
      ids[i] = resp.ticket().ticket_id();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 1);
}

TEST_F(TicketDeskTest, FiftyConcurrentCreatesAllLandEachAnsweredWithItsOwnTicket) {
  // The service's path: calls from many threads meet in a WriteBatcher and are written in
  // batches, one transaction each.
  constexpr int kCalls = 50;
  const Caller admin = Admin();
  std::vector<v1::CreateTicketRequest> requests(kCalls);
  std::vector<std::string> keys(kCalls);  // odd calls carry a key, even ones none
  std::vector<v1::CreateTicketResponse> responses(kCalls);
  std::vector<absl::Status> statuses(kCalls, absl::UnknownError("not answered"));
  std::atomic<int> answered{0};
  std::atomic<size_t> largest_batch{0};
  std::atomic<int> submitted{0};
  {
    WriteBatcher<int> batcher(
        {.max_batch = 32, .max_queued = 100, .writers = 2}, [&](std::vector<int>& batch) {
          // The writers' first batches wait until every call is in: the
          // rest queue behind them and go in batches, as under load.
          while (submitted.load() < kCalls) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
          std::vector<CreateTicketCall> calls;
          for (const int i : batch) {
            calls.push_back({&admin, keys[i], &requests[i], &responses[i]});
          }
          const std::vector<absl::Status> out = desk_->CreateTickets(calls);
          for (size_t k = 0; k < batch.size(); ++k) statuses[batch[k]] = out[k];
          answered += static_cast<int>(batch.size());
          size_t seen = largest_batch.load();
          while (seen < batch.size() && !largest_batch.compare_exchange_weak(seen, batch.size())) {
          }
        });
    std::vector<std::thread> threads;
    for (int i = 0; i < kCalls; ++i) {
      requests[i] = Request(absl::StrCat("store-", i % 3));
      requests[i].set_subject(absl::StrCat("question ", i));
      if (i % 2) keys[i] = absl::StrCat("fifty-", i);
      threads.emplace_back([&, i] {
        EXPECT_TRUE(batcher.TrySubmit(int{i}));
        ++submitted;
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(answered.load(), kCalls);
  EXPECT_GE(largest_batch.load(), 16u) << "48 calls queued behind two writers";
  std::set<std::string> ids;
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i];
    const Ticket& t = responses[i].ticket();
    EXPECT_EQ(t.subject(), absl::StrCat("question ", i)) << "call " << i << " got another's ticket";
    EXPECT_EQ(t.store_id(), absl::StrCat("store-", i % 3));
    ASSERT_EQ(t.messages_size(), 1);
    EXPECT_EQ(t.messages(0).ticket_id(), t.ticket_id());
    ids.insert(t.ticket_id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), kCalls);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), kCalls);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys WHERE response IS NOT NULL"), kCalls / 2);
  // What was stored for a key is what its caller was answered.
  v1::CreateTicketResponse replay;
  ASSERT_TRUE(desk_->CreateTicket(Admin(), "fifty-7", requests[7], &replay).ok());
  EXPECT_EQ(replay.SerializeAsString(), responses[7].SerializeAsString());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), kCalls);
}

TEST_F(TicketDeskTest, ABatchWithARetryInsideAnswersEveryCallOnItsOwn) {
  const Ticket first = Create(Request(), "key-1");
  v1::CreateTicketRequest fresh = Request();
  fresh.set_subject("A new question");
  v1::CreateTicketRequest other = Request();
  other.set_subject("Reuses key-1 for something else");
  v1::CreateTicketRequest invalid = Request();
  invalid.mutable_buyer()->set_time_zone("Nowhere/Land");
  const Caller admin = Admin();
  const Caller stranger = AgentOf("store-9");
  const v1::CreateTicketRequest retry = Request();
  std::vector<v1::CreateTicketResponse> responses(6);
  bool replayed[6] = {true, false, true, true, true, true};
  const std::vector<CreateTicketCall> calls = {
      {&admin, "key-2", &fresh, &responses[0], &replayed[0]},    // new, with a key
      {&admin, "key-1", &retry, &responses[1], &replayed[1]},    // a retry of `first`: replays it
      {&admin, "", &fresh, &responses[2], &replayed[2]},         // new, without a key
      {&admin, "key-1", &other, &responses[3], &replayed[3]},    // key-1 for another request
      {&admin, "key-3", &invalid, &responses[4], &replayed[4]},  // fails validation
      {&stranger, "", &fresh, &responses[5], &replayed[5]},      // may not touch store-1
  };
  const std::vector<absl::Status> statuses = desk_->CreateTickets(calls);
  ASSERT_EQ(statuses.size(), calls.size());
  EXPECT_TRUE(statuses[0].ok()) << statuses[0];
  EXPECT_EQ(responses[0].ticket().subject(), "A new question");
  EXPECT_TRUE(statuses[1].ok()) << statuses[1];
  EXPECT_EQ(responses[1].ticket().ticket_id(), first.ticket_id());
  EXPECT_EQ(responses[1].ticket().SerializeAsString(), first.SerializeAsString());
  EXPECT_TRUE(replayed[1]) << "the retry is told it is a replay";
  EXPECT_FALSE(replayed[0]);
  EXPECT_FALSE(replayed[2]);
  EXPECT_TRUE(statuses[2].ok()) << statuses[2];
  EXPECT_NE(responses[2].ticket().ticket_id(), responses[0].ticket().ticket_id());
  EXPECT_EQ(statuses[3].code(), absl::StatusCode::kAlreadyExists) << statuses[3];
  EXPECT_NE(statuses[3].message().find("different request"), absl::string_view::npos);
  EXPECT_EQ(statuses[4].code(), absl::StatusCode::kInvalidArgument) << statuses[4];
  EXPECT_EQ(statuses[5].code(), absl::StatusCode::kPermissionDenied) << statuses[5];
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 2);
}

TEST_F(TicketDeskTest, TwinsWithOneKeyInOneBatchCreateOneTicket) {
  const Caller admin = Admin();
  const v1::CreateTicketRequest request = Request();
  std::vector<v1::CreateTicketResponse> responses(3);
  const std::vector<CreateTicketCall> calls = {{&admin, "twin", &request, &responses[0]},
                                               {&admin, "twin", &request, &responses[1]},
                                               {&admin, "", &request, &responses[2]}};
  const std::vector<absl::Status> statuses = desk_->CreateTickets(calls);
  for (const absl::Status& s : statuses) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(responses[0].ticket().ticket_id(), responses[1].ticket().ticket_id());
  EXPECT_NE(responses[2].ticket().ticket_id(), responses[0].ticket().ticket_id());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 2);
}

TEST_F(TicketDeskTest, ABatchReadsBusinessHoursOncePerStoreForChannelsThatCountThem) {
  v1::PutBusinessHoursRequest put;
  put.set_store_id("store-1");
  put.mutable_business_hours()->set_time_zone("UTC");
  auto* w = put.mutable_business_hours()->add_windows();
  w->set_day_of_week(1);
  w->set_open("09:00");
  w->set_close("17:00");
  v1::PutBusinessHoursResponse put_resp;
  ASSERT_TRUE(desk_->PutBusinessHours(Admin(), put, &put_resp).ok());
  const Caller admin = Admin();
  v1::CreateTicketRequest email = Request();
  email.set_channel(v1::EMAIL);
  const v1::CreateTicketRequest marketplace = Request();
  v1::CreateTicketRequest other_store = Request("store-2");
  other_store.set_channel(v1::EMAIL);
  std::vector<v1::CreateTicketResponse> responses(4);
  const std::vector<CreateTicketCall> calls = {{&admin, "", &email, &responses[0]},
                                               {&admin, "", &marketplace, &responses[1]},
                                               {&admin, "", &email, &responses[2]},
                                               {&admin, "", &other_store, &responses[3]}};
  for (const absl::Status& s : desk_->CreateTickets(calls)) ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(responses[0].ticket().sla_business_hours());
  EXPECT_FALSE(responses[1].ticket().sla_business_hours());
  EXPECT_TRUE(responses[2].ticket().sla_business_hours());
  EXPECT_FALSE(responses[3].ticket().sla_business_hours()) << "store-2 keeps no hours";
  // The same answers the one-at-a-time path gives.
  EXPECT_EQ(FromProtoTime(responses[0].ticket().reply_due_at()),
            FromProtoTime(Create(email).reply_due_at()));
  EXPECT_EQ(FromProtoTime(responses[1].ticket().reply_due_at()), Now() + absl::Hours(24));
}

TEST_F(TicketDeskTest, ConcurrentMessagesAndAssignmentsLoseNothing) {
  const Ticket t = Create(Request());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 10; ++k) {
        absl::Status s = Reply(t.ticket_id(), k % 2 ? v1::Message::INBOUND : v1::Message::OUTBOUND,
                               absl::StrCat("thread ", i, " message ", k));
        v1::AssignTicketRequest assign;
        assign.set_ticket_id(t.ticket_id());
        assign.set_assignee(absl::StrCat("agent-", i));
        v1::AssignTicketResponse assigned;
        if (!s.ok() || !desk_->AssignTicket(Admin(), assign, &assigned).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 61);
  v1::GetTicketRequest get;
  get.set_ticket_id(t.ticket_id());
  v1::GetTicketResponse got;
  ASSERT_TRUE(desk_->GetTicket(Admin(), get, &got).ok());
  EXPECT_EQ(got.ticket().messages_size(), 61);
  EXPECT_TRUE(absl::StartsWith(got.ticket().assignee(), "agent-"));
}

TEST_F(TicketDeskTest, BadInputWritesNothing) {
  v1::CreateTicketRequest r = Request();
  r.mutable_buyer()->set_time_zone("Nowhere/Land");
  v1::CreateTicketResponse resp;
  const absl::Status s = desk_->CreateTicket(Admin(), "k", r, &resp);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("buyer.time_zone"), absl::string_view::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 0);
}

TEST_F(TicketDeskTest, CallersSeeOnlyTheirStores) {
  const Ticket t = Create(Request("store-1"));
  v1::GetTicketRequest get;
  get.set_ticket_id(t.ticket_id());
  v1::GetTicketResponse got;
  // Another store's ticket is not found, as if it did not exist, and the answer names no store.
  const absl::Status hidden = desk_->GetTicket(AgentOf("store-2"), get, &got);
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden.message(), absl::StrCat("ticket ", t.ticket_id(), " not found"));
  EXPECT_TRUE(desk_->GetTicket(AgentOf("store-1"), get, &got).ok());
  v1::AssignTicketRequest assign;
  assign.set_ticket_id(t.ticket_id());
  assign.set_assignee("agent-9");
  v1::AssignTicketResponse assigned;
  EXPECT_EQ(desk_->AssignTicket(AgentOf("store-2"), assign, &assigned).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE assignee = 'agent-9'"), 0);
  v1::CreateTicketResponse resp;
  EXPECT_EQ(desk_->CreateTicket(AgentOf("store-2"), "", Request("store-1"), &resp).code(),
            absl::StatusCode::kPermissionDenied);
  get.set_ticket_id("tkt_missing");
  EXPECT_EQ(desk_->GetTicket(Admin(), get, &got).code(), absl::StatusCode::kNotFound);
}

TEST_F(TicketDeskTest, ListOrdersByDueTimeFiltersAndPages) {
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) {
    v1::CreateTicketRequest r = Request();
    // Received earlier for higher i: due sooner.
    *r.mutable_received_at() = ToProtoTime(Now() - absl::Hours(i));
    created.push_back(Create(r, "", Automation()).ticket_id());
  }
  ASSERT_TRUE(Reply(created[0], v1::Message::OUTBOUND).ok());  // no clock: sorts last

  std::vector<std::string> seen;
  v1::ListTicketsRequest list;
  list.set_store_id("store-1");
  list.set_page_size(3);
  int pages = 0;
  do {
    v1::ListTicketsResponse page;
    const absl::Status listed = desk_->ListTickets(Admin(), list, &page);
    ASSERT_TRUE(listed.ok()) << listed;
    ++pages;
    for (const auto& t : page.tickets()) seen.push_back(t.ticket_id());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(pages, 3);
  const std::vector<std::string> want = {created[6], created[5], created[4], created[3],
                                         created[2], created[1], created[0]};
  EXPECT_EQ(seen, want);

  v1::ListTicketsRequest waiting;
  waiting.set_store_id("store-1");
  waiting.set_status(Ticket::WAITING_ON_BUYER);
  v1::ListTicketsResponse w;
  ASSERT_TRUE(desk_->ListTickets(Admin(), waiting, &w).ok());
  ASSERT_EQ(w.tickets_size(), 1);
  EXPECT_EQ(w.tickets(0).ticket_id(), created[0]);

  Advance(absl::Hours(20));  // received 6 h ago + 20 h: tickets 5 and 6 are past 24 h
  v1::ListTicketsRequest breached;
  breached.set_store_id("store-1");
  breached.set_breached_only(true);
  v1::ListTicketsResponse b;
  ASSERT_TRUE(desk_->ListTickets(Admin(), breached, &b).ok());
  ASSERT_EQ(b.tickets_size(), 2);
  EXPECT_TRUE(b.tickets(0).breached());

  v1::ListTicketsRequest due;
  due.set_store_id("store-1");
  *due.mutable_due_before() = ToProtoTime(Now() + absl::Hours(2) + absl::Minutes(30));
  v1::ListTicketsResponse d;
  ASSERT_TRUE(desk_->ListTickets(Admin(), due, &d).ok());
  EXPECT_EQ(d.tickets_size(), 5);  // tickets 2..6

  v1::ListTicketsRequest bad = due;
  bad.set_page_token("not-a-token");
  EXPECT_EQ(desk_->ListTickets(Admin(), bad, &d).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TicketDeskTest, FollowUpGoesOutOnceAfterThreeSilentDays) {
  const Ticket t = Create(Request());
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::OUTBOUND).ok());
  Advance(absl::Hours(71));
  EXPECT_EQ(Sent(10), 0);
  Advance(absl::Hours(2));
  EXPECT_EQ(Sent(10), 1);
  EXPECT_EQ(Sent(10), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE automatic = 1"), 1);
}

TEST_F(TicketDeskTest, BuyerReplyCancelsTheFollowUp) {
  const Ticket t = Create(Request());
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::OUTBOUND).ok());
  Advance(absl::Hours(1));
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::INBOUND).ok());
  Advance(absl::Hours(100));
  EXPECT_EQ(Sent(10), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM follow_ups WHERE state = 'CANCELLED'"), 1);
}

TEST_F(TicketDeskTest, ScheduledFollowUpSurvivesARestart) {
  const Ticket t = Create(Request());
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::OUTBOUND).ok());
  desk_.reset();
  db_.reset();
  ASSERT_TRUE(server->Restart().ok());
  db_ = Open();
  ASSERT_TRUE(ApplyMigrations(*db_, Migrations()).ok());
  desk_ = NewDesk(*db_);
  Advance(absl::Hours(73));
  EXPECT_EQ(Sent(10), 1);
}

TEST_F(TicketDeskTest, TwoSweepersRacingSendEachFollowUpOnce) {
  constexpr int kTickets = 60;
  for (int i = 0; i < kTickets; ++i) {
    const Ticket t = Create(Request());
    ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::OUTBOUND).ok());
  }
  Advance(absl::Hours(80));
  std::unique_ptr<Database> other_db = Open();
  std::unique_ptr<TicketDesk> other = NewDesk(*other_db);
  std::atomic<int> sent{0};
  std::atomic<int> errors{0};
  auto sweep = [&](TicketDesk& desk) {
    // Bounded: a sweeper that keeps failing ends the test instead of hanging it.
    for (int round = 0; round < 200; ++round) {
      absl::StatusOr<FollowUpSweep> n = desk.SendDueFollowUps(4);
      if (!n.ok() || n->failed > 0) {
        ++errors;
        continue;
      }
      if (n->due == 0) return;
      sent += n->sent;
    }
  };
  std::thread a([&] { sweep(*desk_); });
  std::thread b([&] { sweep(*other); });
  a.join();
  b.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(sent.load(), kTickets);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE automatic = 1"), kTickets);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM (SELECT ticket_id FROM messages WHERE automatic = 1 "
                  "GROUP BY ticket_id HAVING COUNT(*) > 1) twice"),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM follow_ups WHERE state = 'DONE'"), kTickets);
}

TEST_F(TicketDeskTest, OrderContextShipmentsAndHistory) {
  v1::PutOrderRequest put;
  put.set_store_id("store-1");
  put.set_order_id("113-0000001");
  v1::Order* o = put.mutable_order();
  o->set_marketplace(common::v1::AMAZON);
  o->set_site("US");
  o->set_fulfillment(v1::Order::MERCHANT);
  auto* item = o->add_items();
  item->set_sku("LAMP-1");
  item->set_title("台灯 Desk lamp");
  item->set_quantity(1);
  item->mutable_price()->set_currency_code("USD");
  item->mutable_price()->set_amount_minor(2999);
  o->mutable_ship_to()->set_city("Austin");
  o->mutable_ship_to()->set_postcode("78701");
  o->mutable_ship_to()->set_country("US");
  v1::PutOrderResponse put_resp;
  ASSERT_TRUE(desk_->PutOrder(Admin(), put, &put_resp).ok());

  v1::AddShipmentRequest ship;
  ship.set_store_id("store-1");
  ship.set_order_id("113-0000001");
  ship.set_carrier("YunExpress");
  ship.set_tracking_number("YT123");
  ship.set_tracking_url("https://track.example/YT123");
  v1::AddShipmentResponse s1, s2;
  ASSERT_TRUE(desk_->AddShipment(Admin(), ship, &s1).ok());
  ASSERT_TRUE(desk_->AddShipment(Admin(), ship, &s2).ok());
  EXPECT_EQ(s1.shipment().shipment_id(), s2.shipment().shipment_id()) << "pushed twice, stored once";

  v1::AddTrackingEventRequest ev;
  ev.set_store_id("store-1");
  ev.set_order_id("113-0000001");
  ev.set_shipment_id(s1.shipment().shipment_id());
  *ev.mutable_event()->mutable_occurred_at() = ToProtoTime(Now());
  ev.mutable_event()->set_code("DELIVERED");
  ev.mutable_event()->set_city("Austin");
  ev.mutable_event()->set_postcode("78701");
  v1::AddTrackingEventResponse ev_resp;
  ASSERT_TRUE(desk_->AddTrackingEvent(Admin(), ev, &ev_resp).ok());
  ASSERT_TRUE(desk_->AddTrackingEvent(Admin(), ev, &ev_resp).ok());
  EXPECT_EQ(ev_resp.shipment().events_size(), 1);

  const Ticket t = Create(Request());
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::OUTBOUND, "It was delivered in Austin").ok());

  v1::GetOrderHistoryRequest hist;
  hist.set_store_id("store-1");
  hist.set_order_id("113-0000001");
  v1::GetOrderHistoryResponse h;
  ASSERT_TRUE(desk_->GetOrderHistory(Admin(), hist, &h).ok());
  EXPECT_EQ(h.order().items(0).title(), "台灯 Desk lamp");
  ASSERT_EQ(h.shipments_size(), 1);
  EXPECT_EQ(h.shipments(0).events(0).code(), "DELIVERED");
  ASSERT_EQ(h.tickets_size(), 1);
  EXPECT_EQ(h.tickets(0).messages_size(), 2);

  put.mutable_order()->set_store_id("store-2");
  EXPECT_EQ(desk_->PutOrder(Admin(), put, &put_resp).code(), absl::StatusCode::kInvalidArgument)
      << "the body names another store than the path";
  v1::GetOrderRequest get;
  get.set_store_id("store-1");
  get.set_order_id("113-0000001");
  v1::GetOrderResponse g;
  EXPECT_EQ(desk_->GetOrder(AgentOf("store-2"), get, &g).code(), absl::StatusCode::kNotFound);
  get.set_order_id("nope");
  EXPECT_EQ(desk_->GetOrder(Admin(), get, &g).code(), absl::StatusCode::kNotFound);
}

TEST_F(TicketDeskTest, TemplatesRenderFromTheTicketInTheBuyersLanguage) {
  v1::CreateReplyTemplateRequest create;
  create.set_store_id("store-1");
  auto* t = create.mutable_template_();
  t->set_name("tracking_update");
  t->set_language("en");
  t->set_topic("Tracking update");
  t->set_body("Hi {buyer_name}, track it here: {tracking_url}");
  v1::CreateReplyTemplateResponse created;
  ASSERT_TRUE(desk_->CreateReplyTemplate(Admin(), create, &created).ok());
  EXPECT_EQ(desk_->CreateReplyTemplate(Admin(), create, &created).code(),
            absl::StatusCode::kAlreadyExists);
  t->set_language("de");
  t->set_topic("Sendungsverfolgung");
  t->set_body("Hallo {buyer_name}, hier ist der Link: {tracking_url}");
  ASSERT_TRUE(desk_->CreateReplyTemplate(Admin(), create, &created).ok());

  v1::CreateTicketRequest r = Request();
  r.mutable_buyer()->set_language("de-AT");
  r.mutable_buyer()->set_name("Jürgen");
  const Ticket ticket = Create(r);

  v1::RenderReplyTemplateRequest render;
  render.set_store_id("store-1");
  render.set_name("tracking_update");
  render.set_ticket_id(ticket.ticket_id());
  v1::RenderReplyTemplateResponse out;
  // No shipment yet: no tracking link to fill in.
  const absl::Status missing = desk_->RenderReplyTemplate(Admin(), render, &out);
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.message().find("tracking_url"), absl::string_view::npos);

  (*render.mutable_values())["tracking_url"] = "https://track.example/1";
  ASSERT_TRUE(desk_->RenderReplyTemplate(Admin(), render, &out).ok());
  EXPECT_EQ(out.language(), "de");
  EXPECT_EQ(out.subject(), "Order #113-0000001: Sendungsverfolgung");
  EXPECT_EQ(out.body(), "Hallo Jürgen, hier ist der Link: https://track.example/1");

  v1::ListReplyTemplatesRequest list;
  list.set_store_id("store-1");
  v1::ListReplyTemplatesResponse listed;
  ASSERT_TRUE(desk_->ListReplyTemplates(Admin(), list, &listed).ok());
  EXPECT_EQ(listed.templates_size(), 2);
}

TEST_F(TicketDeskTest, AdminsFixATemplateWithPutAndRemoveItWithDelete) {
  v1::PutReplyTemplateRequest put;
  put.set_store_id("store-1");
  put.set_name("refund_sent");
  put.mutable_template_()->set_language("zh");
  put.mutable_template_()->set_topic("退款");
  put.mutable_template_()->set_body("{buyer_name}，您好：退款已发出 🙏");
  v1::PutReplyTemplateResponse putted;
  ASSERT_TRUE(desk_->PutReplyTemplate(Admin(), put, &putted).ok());
  EXPECT_TRUE(putted.created());
  EXPECT_EQ(putted.template_().name(), "refund_sent");
  const google::protobuf::Timestamp first_created = putted.template_().created_at();

  // The fix: same name and language, new text; the version keeps its creation time.
  put.mutable_template_()->set_body("{buyer_name}，您好：退款已发出，3-5 个工作日到账 🙏");
  ASSERT_TRUE(desk_->PutReplyTemplate(Admin(), put, &putted).ok());
  EXPECT_FALSE(putted.created());
  EXPECT_EQ(putted.template_().created_at().SerializeAsString(), first_created.SerializeAsString());
  v1::RenderReplyTemplateRequest render;
  render.set_store_id("store-1");
  render.set_name("refund_sent");
  render.set_language("zh");
  (*render.mutable_values())["buyer_name"] = "王芳";
  v1::RenderReplyTemplateResponse out;
  ASSERT_TRUE(desk_->RenderReplyTemplate(Admin(), render, &out).ok());
  EXPECT_EQ(out.body(), "王芳，您好：退款已发出，3-5 个工作日到账 🙏");

  // A body naming another template, and a bad placeholder, change nothing.
  v1::PutReplyTemplateRequest other = put;
  other.mutable_template_()->set_name("tracking_update");
  const absl::Status mismatch = desk_->PutReplyTemplate(Admin(), other, &putted);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(mismatch.message().find("template.name"), absl::string_view::npos) << mismatch;
  v1::PutReplyTemplateRequest broken = put;
  broken.mutable_template_()->set_body("Hi {buyer_nmae}");
  EXPECT_EQ(desk_->PutReplyTemplate(Admin(), broken, &putted).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reply_templates"), 1);

  put.mutable_template_()->set_language("en");
  put.mutable_template_()->set_topic("Refund sent");
  put.mutable_template_()->set_body("Hi {buyer_name}, your refund is on its way.");
  ASSERT_TRUE(desk_->PutReplyTemplate(Admin(), put, &putted).ok());
  v1::DeleteReplyTemplateRequest del;
  del.set_store_id("store-1");
  del.set_name("refund_sent");
  del.set_language("zh");
  v1::DeleteReplyTemplateResponse deleted;
  ASSERT_TRUE(desk_->DeleteReplyTemplate(Admin(), del, &deleted).ok());
  EXPECT_EQ(deleted.deleted(), 1);
  EXPECT_EQ(desk_->DeleteReplyTemplate(Admin(), del, &deleted).code(),
            absl::StatusCode::kNotFound);
  del.clear_language();
  ASSERT_TRUE(desk_->DeleteReplyTemplate(Admin(), del, &deleted).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reply_templates"), 0);
}

TEST_F(TicketDeskTest, BusinessHoursSetTheClockOfEmailTickets) {
  const v1::PutBusinessHoursRequest put = OfficeHours();
  v1::PutBusinessHoursResponse put_resp;
  ASSERT_TRUE(desk_->PutBusinessHours(Admin(), put, &put_resp).ok());

  v1::CreateTicketRequest r = Request();
  r.set_channel(v1::EMAIL);
  // Monday 08:00 UTC: the clock starts at 09:00; 24 working hours end Wednesday 17:00.
  const Ticket email = Create(r);
  EXPECT_TRUE(email.sla_business_hours());
  EXPECT_EQ(FromProtoTime(email.reply_due_at()),
            absl::FromCivil(absl::CivilSecond(2026, 11, 25, 17, 0, 0), absl::UTCTimeZone()));
  // The marketplace message keeps calendar hours.
  const Ticket marketplace = Create(Request());
  EXPECT_FALSE(marketplace.sla_business_hours());
  EXPECT_EQ(FromProtoTime(marketplace.reply_due_at()), Now() + absl::Hours(24));
}

TEST_F(TicketDeskTest, EveryAnswerAboutOneTicketCarriesItsConversation) {
  const Ticket t = Create(Request());
  v1::AddMessageRequest reply;
  reply.set_ticket_id(t.ticket_id());
  reply.set_direction(v1::Message::OUTBOUND);
  reply.set_body("We are on it.");
  v1::AddMessageResponse replied;
  ASSERT_TRUE(desk_->AddMessage(Admin(), "", reply, &replied).ok());
  ASSERT_EQ(replied.ticket().messages_size(), 2);
  EXPECT_EQ(replied.ticket().messages(1).message_id(), replied.message().message_id());
  v1::AssignTicketRequest assign;
  assign.set_ticket_id(t.ticket_id());
  assign.set_assignee("agent-7");
  v1::AssignTicketResponse assigned;
  ASSERT_TRUE(desk_->AssignTicket(Admin(), assign, &assigned).ok());
  ASSERT_EQ(assigned.ticket().messages_size(), 2);
  EXPECT_EQ(assigned.ticket().messages(0).body(), Request().body()) << "oldest first";
}

TEST_F(TicketDeskTest, InvalidTransitionsAnswerFailedPreconditionAndChangeNothing) {
  const Ticket t = Create(Request());
  v1::ResolveTicketRequest resolve;
  resolve.set_ticket_id(t.ticket_id());
  v1::ResolveTicketResponse resolved;
  ASSERT_TRUE(desk_->ResolveTicket(Admin(), resolve, &resolved).ok());
  EXPECT_EQ(desk_->ResolveTicket(Admin(), resolve, &resolved).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reply(t.ticket_id(), v1::Message::OUTBOUND).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 1);
  v1::ReopenTicketRequest reopen;
  reopen.set_ticket_id(t.ticket_id());
  v1::ReopenTicketResponse reopened;
  ASSERT_TRUE(desk_->ReopenTicket(Admin(), reopen, &reopened).ok());
  EXPECT_EQ(reopened.ticket().status(), Ticket::OPEN);
  // Nobody wrote: no clock, so the reply queue does not show it.
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM tickets WHERE ticket_id = '", t.ticket_id(),
                               "' AND reply_due_at IS NULL")),
            1);
}


TEST_F(TicketDeskTest, TwoStoresWithTheSameOrderIdNeverCross) {
  // Shopify order 1001 in two shops, each with its own shipment and conversation.
  for (const std::string store : {"shop-a", "shop-b"}) {
    v1::PutOrderRequest put;
    put.set_store_id(store);
    put.set_order_id("1001");
    put.mutable_order()->set_marketplace(common::v1::SHOPIFY);
    v1::PutOrderResponse put_resp;
    ASSERT_TRUE(desk_->PutOrder(Admin(), put, &put_resp).ok());
    v1::AddShipmentRequest ship;
    ship.set_store_id(store);
    ship.set_order_id("1001");
    ship.set_carrier("YunExpress");
    ship.set_tracking_number("YT-" + store);
    ship.set_tracking_url("https://t.example/" + store);
    v1::AddShipmentResponse shipped;
    ASSERT_TRUE(desk_->AddShipment(Admin(), ship, &shipped).ok());
  }
  v1::CreateTicketRequest a = Request("shop-a");
  a.mutable_order()->set_marketplace(common::v1::SHOPIFY);
  a.mutable_order()->clear_site();
  a.mutable_order()->set_order_id("1001");
  const Ticket ticket_a = Create(a);

  v1::GetOrderHistoryRequest hist;
  hist.set_store_id("shop-b");
  hist.set_order_id("1001");
  v1::GetOrderHistoryResponse h;
  ASSERT_TRUE(desk_->GetOrderHistory(Admin(), hist, &h).ok());
  EXPECT_EQ(h.tickets_size(), 0) << "shop-a's conversation shows in shop-b's order";
  ASSERT_EQ(h.shipments_size(), 1);
  EXPECT_EQ(h.shipments(0).tracking_number(), "YT-shop-b");

  // Templates read the ticket's own store's shipment.
  v1::PutReplyTemplateRequest tpl;
  tpl.set_store_id("shop-a");
  tpl.set_name("tracking");
  tpl.mutable_template_()->set_language("en");
  tpl.mutable_template_()->set_topic("Tracking");
  tpl.mutable_template_()->set_body("{tracking_url}");
  v1::PutReplyTemplateResponse tpl_resp;
  ASSERT_TRUE(desk_->PutReplyTemplate(Admin(), tpl, &tpl_resp).ok());
  v1::RenderReplyTemplateRequest render;
  render.set_store_id("shop-a");
  render.set_name("tracking");
  render.set_ticket_id(ticket_a.ticket_id());
  v1::RenderReplyTemplateResponse rendered;
  ASSERT_TRUE(desk_->RenderReplyTemplate(Admin(), render, &rendered).ok());
  EXPECT_EQ(rendered.body(), "https://t.example/shop-a");

  // The store's order 1001 is a Shopify order: a ticket naming it on eBay is refused.
  a.mutable_order()->set_marketplace(common::v1::EBAY);
  v1::CreateTicketResponse refused;
  const absl::Status wrong = desk_->CreateTicket(Admin(), "", a, &refused);
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument) << wrong;
  EXPECT_NE(wrong.message().find("order.marketplace"), absl::string_view::npos) << wrong;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 1);
}

TEST_F(TicketDeskTest, OnlyAutomationBackdatesAndNobodyWritesInTheFuture) {
  const Ticket t = Create(Request());
  Advance(absl::Hours(30));  // the 24 h clock ran out
  v1::AddMessageRequest reply;
  reply.set_ticket_id(t.ticket_id());
  reply.set_direction(v1::Message::OUTBOUND);
  reply.set_body("Sorry for the wait");
  *reply.mutable_sent_at() = ToProtoTime(Now() - absl::Hours(29));
  v1::AddMessageResponse resp;
  EXPECT_EQ(desk_->AddMessage(Admin(), "", reply, &resp).code(), absl::StatusCode::kPermissionDenied);
  *reply.mutable_sent_at() = ToProtoTime(Now() + absl::Hours(1));
  EXPECT_EQ(desk_->AddMessage(Automation(), "", reply, &resp).code(),
            absl::StatusCode::kInvalidArgument);
  *reply.mutable_sent_at() = ToProtoTime(Now() - absl::Hours(31));  // before the buyer wrote
  EXPECT_EQ(desk_->AddMessage(Automation(), "", reply, &resp).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 1) << "refused messages wrote nothing";
  // The first message of a ticket follows the same rules.
  v1::CreateTicketRequest earlier = Request();
  *earlier.mutable_received_at() = ToProtoTime(Now() - absl::Hours(2));
  v1::CreateTicketResponse created;
  EXPECT_EQ(desk_->CreateTicket(Admin(), "", earlier, &created).code(),
            absl::StatusCode::kPermissionDenied);
  *earlier.mutable_received_at() = ToProtoTime(Now() + absl::Hours(2));
  EXPECT_EQ(desk_->CreateTicket(Automation(), "", earlier, &created).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 1);

  // The import lands, stops the clock, and is counted late: it reached us past due.
  *reply.mutable_sent_at() = ToProtoTime(Now() - absl::Hours(29));
  const absl::Status imported = desk_->AddMessage(Automation(), "", reply, &resp);
  ASSERT_TRUE(imported.ok()) << imported;
  EXPECT_EQ(resp.ticket().late_replies(), 1);
  EXPECT_EQ(resp.ticket().status(), Ticket::WAITING_ON_BUYER);
}

TEST_F(TicketDeskTest, OutOfHoursTheBuyerIsToldWhenTheTeamIsBackOnce) {
  const v1::PutBusinessHoursRequest put = OfficeHours();
  v1::PutBusinessHoursResponse put_resp;
  ASSERT_TRUE(desk_->PutBusinessHours(Admin(), put, &put_resp).ok());

  // Monday 08:00 UTC: before opening.
  v1::CreateTicketRequest r = Request();
  r.mutable_buyer()->set_time_zone("Europe/Berlin");
  const Ticket t = Create(r);
  ASSERT_EQ(t.messages_size(), 2);
  const v1::Message& auto_reply = t.messages(1);
  EXPECT_TRUE(auto_reply.automatic());
  EXPECT_EQ(auto_reply.direction(), v1::Message::OUTBOUND);
  EXPECT_NE(auto_reply.body().find("2026-11-23 10:00 CET"), std::string::npos)
      << "09:00 UTC in the buyer's zone: " << auto_reply.body();
  EXPECT_EQ(t.status(), Ticket::OPEN);
  EXPECT_EQ(FromProtoTime(t.reply_due_at()), Now() + absl::Hours(24)) << "the clock runs on";

  // The buyer writes again the same morning: no second auto-reply.
  Advance(absl::Minutes(20));
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::INBOUND, "hello?").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE automatic = 1"), 1);
  // Within hours: none either.
  Advance(absl::Hours(2));
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::INBOUND, "anyone?").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE automatic = 1"), 1);
  // That evening, after closing: the store's own template, in the buyer's language.
  v1::PutReplyTemplateRequest tpl;
  tpl.set_store_id("store-1");
  tpl.set_name("out_of_hours");
  tpl.mutable_template_()->set_language("en");
  tpl.mutable_template_()->set_topic("Away");
  tpl.mutable_template_()->set_body("Hi {buyer_name}, back {reply_by}.");
  v1::PutReplyTemplateResponse tpl_resp;
  ASSERT_TRUE(desk_->PutReplyTemplate(Admin(), tpl, &tpl_resp).ok());
  Advance(absl::Hours(10));  // 18:20 UTC
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::INBOUND, "still nothing").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE automatic = 1 AND "
                  "body = 'Hi Anna, back 2026-11-24 10:00 CET.'"),
            1);
}

TEST_F(TicketDeskTest, PageTokensAreSignedBoundToTheFiltersAndExpire) {
  for (int i = 0; i < 5; ++i) Create(Request());
  v1::ListTicketsRequest list;
  list.set_store_id("store-1");
  list.set_page_size(2);
  v1::ListTicketsResponse page;
  ASSERT_TRUE(desk_->ListTickets(Admin(), list, &page).ok());
  const std::string token = page.next_page_token();
  ASSERT_FALSE(token.empty());

  v1::ListTicketsRequest next = list;
  next.set_page_token(token);
  ASSERT_TRUE(desk_->ListTickets(Admin(), next, &page).ok());
  EXPECT_EQ(page.tickets_size(), 2);

  // One character changed anywhere: refused.
  for (size_t at : {size_t{0}, token.size() / 2, token.size() - 1}) {
    std::string tampered = token;
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    next.set_page_token(tampered);
    const absl::Status s = desk_->ListTickets(Admin(), next, &page);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << at;
    EXPECT_NE(s.message().find("page_token"), absl::string_view::npos) << s;
  }
  // The token of one query does not page another.
  next.set_page_token(token);
  next.set_status(Ticket::OPEN);
  EXPECT_EQ(desk_->ListTickets(Admin(), next, &page).code(), absl::StatusCode::kInvalidArgument);
  // Another process's key: a token it did not issue.
  TicketDeskOptions other_options;
  std::unique_ptr<TicketDesk> other = std::make_unique<TicketDesk>(*db_, other_options);
  next.clear_status();
  EXPECT_EQ(other->ListTickets(Admin(), next, &page).code(), absl::StatusCode::kInvalidArgument);
  // An hour later the token has expired.
  Advance(absl::Hours(1) + absl::Seconds(1));
  const absl::Status expired = desk_->ListTickets(Admin(), next, &page);
  EXPECT_EQ(expired.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(expired.message().find("expired"), absl::string_view::npos) << expired;
}

TEST_F(TicketDeskTest, PagingAcrossDueTimeChangesSkipsNoneAndRepeatsNone) {
  std::vector<std::string> ids;  // ids[i] due at now + 24 h - i h: listed in reverse
  for (int i = 0; i < 9; ++i) {
    v1::CreateTicketRequest r = Request();
    *r.mutable_received_at() = ToProtoTime(Now() - absl::Hours(i));
    ids.push_back(Create(r, "", Automation()).ticket_id());
  }
  v1::ListTicketsRequest list;
  list.set_store_id("store-1");
  list.set_page_size(3);
  v1::ListTicketsResponse page;
  ASSERT_TRUE(desk_->ListTickets(Admin(), list, &page).ok());
  std::vector<std::string> seen;
  for (const auto& t : page.tickets()) seen.push_back(t.ticket_id());
  ASSERT_EQ(seen, (std::vector<std::string>{ids[8], ids[7], ids[6]}));

  // Between pages: a ticket already shown moves to the end (replied: no clock), and one not yet
  // shown moves before the cursor (resolved, then the buyer writes: a clock from long ago)...
  Advance(absl::Minutes(1));
  ASSERT_TRUE(Reply(ids[8], v1::Message::OUTBOUND).ok());
  v1::MarkNoResponseNeededRequest quiet;
  quiet.set_ticket_id(ids[1]);
  v1::MarkNoResponseNeededResponse quieted;
  ASSERT_TRUE(desk_->MarkNoResponseNeeded(Admin(), quiet, &quieted).ok());
  v1::AddMessageRequest old;
  old.set_ticket_id(ids[1]);
  old.set_direction(v1::Message::INBOUND);
  old.set_body("imported");
  *old.mutable_sent_at() = ToProtoTime(Now() - absl::Seconds(30));
  v1::AddMessageResponse added;
  ASSERT_TRUE(desk_->AddMessage(Automation(), "", old, &added).ok());
  // ...and a VIP's new message moves one not yet shown to the front.
  ASSERT_TRUE(Reply(ids[2], v1::Message::OUTBOUND).ok());
  ASSERT_TRUE(Reply(ids[2], v1::Message::INBOUND).ok());

  list.set_page_token(page.next_page_token());
  while (!list.page_token().empty()) {
    const absl::Status s = desk_->ListTickets(Admin(), list, &page);
    ASSERT_TRUE(s.ok()) << s;
    for (const auto& t : page.tickets()) seen.push_back(t.ticket_id());
    list.set_page_token(page.next_page_token());
  }
  std::vector<std::string> sorted_seen = seen;
  std::sort(sorted_seen.begin(), sorted_seen.end());
  std::vector<std::string> sorted_ids = ids;
  std::sort(sorted_ids.begin(), sorted_ids.end());
  EXPECT_EQ(sorted_seen, sorted_ids) << "every ticket exactly once";
  // A list begun now sees the new order.
  list.clear_page_token();
  list.set_page_size(50);
  ASSERT_TRUE(desk_->ListTickets(Admin(), list, &page).ok());
  EXPECT_EQ(page.tickets(page.tickets_size() - 1).ticket_id() == ids[8] ||
                page.tickets(page.tickets_size() - 2).ticket_id() == ids[8],
            true);
}

TEST_F(TicketDeskTest, EveryListShapeWalksAnIndexNotTheStore) {
  // Enough rows in two stores for the optimizer to choose as it would in production, half of
  // them past due. A filter matters most when few match (a rare category): walking the due
  // order would then read most of the store for a page.
  ASSERT_TRUE(db_->InTransaction([&](Transaction& tx) {
                  return tx.Execute(
                          "INSERT INTO tickets (ticket_id, store_id, buyer_id, category, channel, "
                          "subject, status, assignee, created_at, updated_at, reply_due_at, "
                          "sort_due_at) SELECT CONCAT('tkt_', seq), IF(seq % 4 = 0, 'store-2', "
                          "'store-1'), 'b', IF(seq % 50 = 0, 20, 2), 1, 's', 1 + seq % 3, "
                          "CONCAT('agent-', seq % 20), ?, ?, ? + INTERVAL CAST(seq AS SIGNED) - 10000 MINUTE, "
                          "? + INTERVAL CAST(seq AS SIGNED) - 10000 MINUTE FROM seq_1_to_20000",
                          {Now(), Now(), Now(), Now()})
                      .status();
                }).ok());
  ASSERT_TRUE(db_->InTransaction([](Transaction& tx) {
                  return tx.Query("ANALYZE TABLE tickets").status();
                }).ok());
  struct Shape {
    std::string name;
    std::function<void(v1::ListTicketsRequest&)> set;
    std::vector<std::string> keys;  // acceptable indexes
  };
  const std::vector<Shape> shapes = {
      {"store", [](auto&) {}, {"tickets_by_store_due"}},
      {"status", [](auto& r) { r.set_status(Ticket::OPEN); }, {"tickets_by_store_status"}},
      {"category", [](auto& r) { r.set_category(v1::PRODUCT_DEFECT); }, {"tickets_by_store_category"}},
      {"assignee", [](auto& r) { r.set_assignee("agent-3"); }, {"tickets_by_store_assignee_due"}},
      {"breached", [](auto& r) { r.set_breached_only(true); }, {"tickets_by_store_due"}},
      {"due_before",
       [this](auto& r) { *r.mutable_due_before() = ToProtoTime(Now() + absl::Hours(2)); },
       {"tickets_by_store_due"}},
      // Two conditions: either index is a range over the matching rows, in the due order.
      {"status_breached",
       [](auto& r) {
         r.set_status(Ticket::OPEN);
         r.set_breached_only(true);
       },
       {"tickets_by_store_status", "tickets_by_store_due"}},
      {"assignee_status",
       [](auto& r) {
         r.set_assignee("agent-3");
         r.set_status(Ticket::OPEN);
       },
       {"tickets_by_store_assignee_due", "tickets_by_store_status"}},
  };
  for (const Shape& shape : shapes) {
    v1::ListTicketsRequest r;
    r.set_store_id("store-1");
    shape.set(r);
    for (const bool with_cursor : {false, true}) {
      const store::TicketListQuery q = store::BuildTicketListQuery(
          r, Now(), with_cursor ? std::optional<absl::Time>(Now() - absl::Hours(1)) : std::nullopt,
          "tkt_5", 51);
      absl::StatusOr<std::vector<Row>> plan = db_->InTransaction<std::vector<Row>>(
          [&](Transaction& tx) { return tx.Query("EXPLAIN " + q.sql, q.params); });
      ASSERT_TRUE(plan.ok()) << plan.status();
      ASSERT_EQ(plan->size(), 1u) << shape.name;
      // EXPLAIN's columns: id, select_type, table, type, possible_keys, key, key_len, ref, rows,
      // Extra.
      const Row& row = plan->front();
      EXPECT_TRUE(row.String(3) == "range" || row.String(3) == "ref")
          << shape.name << ": " << row.String(3) << " is not an index range";
      EXPECT_NE(std::find(shape.keys.begin(), shape.keys.end(), row.String(5)), shape.keys.end())
          << shape.name << (with_cursor ? " (next page)" : "") << " uses " << row.String(5);
      EXPECT_EQ(row.String(9).find("filesort"), std::string::npos)
          << shape.name << ": sorts the store's rows: " << row.String(9);
    }
  }
}

TEST_F(TicketDeskTest, AFailingFollowUpIsRecordedRetriedAndSetAside) {
  // A follow-up row whose ticket is gone: every attempt fails.
  ASSERT_TRUE(db_->InTransaction([&](Transaction& tx) {
                  return tx.Execute("INSERT INTO follow_ups (ticket_id, due_at, state, attempts, "
                                    "updated_at) VALUES ('tkt_gone', ?, 'PENDING', 0, ?)",
                                    {Now() - absl::Hours(1), Now()})
                      .status();
                }).ok());
  const Ticket t = Create(Request());
  ASSERT_TRUE(Reply(t.ticket_id(), v1::Message::OUTBOUND).ok());
  Advance(absl::Hours(73));
  absl::StatusOr<FollowUpSweep> sweep = desk_->SendDueFollowUps(10);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ(sweep->sent, 1) << "one bad row holds no other";
  EXPECT_EQ(sweep->failed, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM follow_ups WHERE ticket_id = 'tkt_gone' AND attempts = 1 "
                  "AND state = 'PENDING' AND last_error LIKE '%not found%'"),
            1);
  // Not again at once: it waits its backoff.
  sweep = desk_->SendDueFollowUps(10);
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->failed, 0);
  for (int i = 0; i < 10; ++i) {
    Advance(absl::Hours(1));
    ASSERT_TRUE(desk_->SendDueFollowUps(10).ok());
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM follow_ups WHERE ticket_id = 'tkt_gone' AND "
                  "state = 'FAILED' AND attempts = 5"),
            1);
}

TEST_F(TicketDeskTest, AMessageKeyStoresTheHeadAndTheMessageNotTheConversation) {
  const Ticket t = Create(Request());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Reply(t.ticket_id(), i % 2 == 0 ? v1::Message::OUTBOUND : v1::Message::INBOUND,
                      std::string(2000, 'x'))
                    .ok());
  }
  v1::AddMessageRequest last;
  last.set_ticket_id(t.ticket_id());
  last.set_direction(v1::Message::OUTBOUND);
  last.set_body("the last word");
  v1::AddMessageResponse first_answer;
  ASSERT_TRUE(desk_->AddMessage(Admin(), "msg-key", last, &first_answer).ok());
  EXPECT_EQ(first_answer.ticket().messages_size(), 22);
  absl::StatusOr<std::vector<Row>> stored = db_->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT LENGTH(response) FROM idempotency_keys"); });
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_LT(stored->front().Int(0), 2000) << "the key's row holds the conversation";
  v1::AddMessageResponse replay;
  bool replayed = false;
  ASSERT_TRUE(desk_->AddMessage(Admin(), "msg-key", last, &replay, &replayed).ok());
  EXPECT_TRUE(replayed);
  EXPECT_EQ(replay.message().message_id(), first_answer.message().message_id());
  EXPECT_EQ(replay.ticket().messages_size(), 22) << "a replay carries the conversation too";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 22);
}

// Every message to a buyer passes the filter before it is stored: an agent's reply, a ticket the
// seller opens with the first message (review outreach), a reply template's text. Here the
// filter is the reviews service's own, compiled from its seed rules, called in process; through
// gRPC it is in tests/e2e/reviews_e2e_test.cc.
TEST_F(TicketDeskTest, OutboundMessagesPassTheFilterBeforeTheyAreStored) {
  absl::StatusOr<std::vector<reviews::PhraseRule>> rules = reviews::testing::LoadSeedRules(SEED_RULES_SQL);
  ASSERT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<std::shared_ptr<const reviews::PhraseFilter>> filter = reviews::PhraseFilter::Compile(*rules, 1);
  ASSERT_TRUE(filter.ok()) << filter.status();
  TicketDeskOptions options;
  options.clock = [this] { return Now(); };
  options.screen_outbound = [filter = *filter](const Caller&, absl::string_view text) -> absl::Status {
    const reviews::ScreenResult r = filter->Screen(text, reviews::ScreenContext::kProductReview);
    if (r.allowed) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat("blocked: ", r.findings[0].rule_id));
  };
  desk_ = std::make_unique<TicketDesk>(*db_, options);

  // The buyer's words are theirs: an inbound message is never screened.
  const Ticket ticket = Create(Request());
  ASSERT_TRUE(Reply(ticket.ticket_id(), v1::Message::INBOUND, "Refund me or I change my review to 1 star").ok());
  EXPECT_EQ(Reply(ticket.ticket_id(), v1::Message::OUTBOUND, "Please remove your review and we refund you").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Reply(ticket.ticket_id(), v1::Message::OUTBOUND, "We will refund you in full today.").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE body LIKE 'Please remove%'"), 0);

  // The seller writes first: screened, no reply clock, waiting on the buyer, no follow-up.
  v1::CreateTicketRequest outreach = Request();
  outreach.set_category(v1::REVIEW_OUTREACH);
  outreach.set_first_message_direction(v1::Message::OUTBOUND);
  outreach.set_body("Could you update your rating to five stars?");
  v1::CreateTicketResponse created;
  EXPECT_EQ(desk_->CreateTicket(Automation(), "", outreach, &created).code(), absl::StatusCode::kFailedPrecondition);
  outreach.set_body("We are sorry the lamp arrived broken; a replacement ships today.");
  const Ticket thread = Create(outreach, "", Automation());
  EXPECT_EQ(thread.status(), Ticket::WAITING_ON_BUYER);
  EXPECT_FALSE(thread.has_reply_due_at());
  EXPECT_FALSE(thread.has_follow_up_at());
  ASSERT_EQ(thread.messages_size(), 1);
  EXPECT_EQ(thread.messages(0).direction(), v1::Message::OUTBOUND);
  EXPECT_EQ(thread.messages(0).author(), "order-sync");

  // A template is screened when it is saved.
  v1::CreateReplyTemplateRequest bad;
  bad.set_store_id("store-1");
  bad.mutable_template_()->set_name("thanks");
  bad.mutable_template_()->set_language("en");
  bad.mutable_template_()->set_topic("Thanks");
  bad.mutable_template_()->set_body("Hi {buyer_name}, leave us a 5-star review for a free gift!");
  v1::CreateReplyTemplateResponse saved;
  EXPECT_EQ(desk_->CreateReplyTemplate(Admin(), bad, &saved).code(), absl::StatusCode::kFailedPrecondition);
}

// The built-in texts of automatic messages (used when a store keeps no template of its own)
// pass the reviews service's seed filter in every language they are written in.
TEST(DefaultReplyText, EveryBuiltInAutomaticMessagePassesTheFilter) {
  absl::StatusOr<std::vector<reviews::PhraseRule>> rules = reviews::testing::LoadSeedRules(SEED_RULES_SQL);
  ASSERT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<std::shared_ptr<const reviews::PhraseFilter>> filter = reviews::PhraseFilter::Compile(*rules, 1);
  ASSERT_TRUE(filter.ok()) << filter.status();
  for (const char* name : {"follow_up", "out_of_hours"}) {
    for (const char* language : {"en", "de", "zh"}) {
      const std::string text(DefaultReplyText(name, language));
      ASSERT_FALSE(text.empty()) << name << " " << language;
      const reviews::ScreenResult r = (*filter)->Screen(text, reviews::ScreenContext::kProductReview);
      EXPECT_TRUE(r.allowed) << name << " " << language << ": " << (r.allowed ? "" : r.findings[0].rule_id);
    }
  }
}

}  // namespace
}  // namespace aftersales::tickets
