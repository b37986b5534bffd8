// The MySQL layer and the migration runner against a real MariaDB.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/call_scope.h"
#include "common/migrations.h"
#include "common/mysql.h"
#include "common/status.h"
#include "tests/support/mariadb_environment.h"
#include "tests/support/mariadb_server.h"

namespace aftersales {
namespace {

using testing::MariaDbServer;

MariaDbServer* server = nullptr;

const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new testing::MariaDbEnvironment(&server));

std::unique_ptr<Database> ConnectWith(const DatabaseOptions& options) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Connect(options);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

std::unique_ptr<Database> Connect(const std::string& name, int pool_size = 4) {
  DatabaseOptions options = server->Options(name);
  options.pool_size = pool_size;
  return ConnectWith(options);
}

absl::Status Exec(Database& db, const std::string& sql) {
  return db.InTransaction([&](Transaction& tx) { return tx.ExecuteDdl(sql); });
}

TEST(MySql, Utf8mb4TextAndMicrosecondTimesRoundTrip) {
  auto db = Connect("m_roundtrip");
  ASSERT_TRUE(Exec(*db, "CREATE TABLE t (id INT PRIMARY KEY, s TEXT, at DATETIME(6) NULL)").ok());
  const std::string text = "您好 こんにちは 😀🎉 Grüße";
  const absl::Time at = absl::FromUnixMicros(1795000000123456);
  ASSERT_TRUE(db->InTransaction([&](Transaction& tx) {
                  return tx.Execute("INSERT INTO t VALUES (?, ?, ?), (?, ?, ?)",
                                    {1, text, at, 2, nullptr, std::optional<absl::Time>()})
                      .status();
                }).ok());
  absl::StatusOr<std::vector<Row>> rows = db->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT s, at FROM t ORDER BY id"); });
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].String(0), text);
  EXPECT_EQ((*rows)[0].Time(1), at);
  EXPECT_TRUE((*rows)[1].IsNull(0));
  EXPECT_FALSE((*rows)[1].Time(1).has_value());
}

TEST(MySql, DuplicateKeyIsAlreadyExistsAndRollsBackTheTransaction) {
  auto db = Connect("m_duplicate");
  ASSERT_TRUE(Exec(*db, "CREATE TABLE t (id INT PRIMARY KEY)").ok());
  const absl::Status s = db->InTransaction([](Transaction& tx) -> absl::Status {
    if (auto r = tx.Execute("INSERT INTO t VALUES (1)"); !r.ok()) return r.status();
    return tx.Execute("INSERT INTO t VALUES (1)").status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  absl::StatusOr<std::vector<Row>> rows = db->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT COUNT(*) FROM t"); });
  EXPECT_EQ(rows->front().Int(0), 0) << "the first insert was rolled back too";
}

TEST(MySql, DeadlockIsRetriedAndBothTransactionsLand) {
  auto db = Connect("m_deadlock", 4);
  ASSERT_TRUE(Exec(*db, "CREATE TABLE t (id INT PRIMARY KEY, n INT)").ok());
  ASSERT_TRUE(db->InTransaction([](Transaction& tx) {
                  return tx.Execute("INSERT INTO t VALUES (1, 0), (2, 0)").status();
                }).ok());
  // Two transactions lock the rows in opposite order; on the first attempt both hold one row
  // before asking for the other, so InnoDB must pick a victim.
  std::barrier both_hold_one(2);
  std::atomic<int> attempts{0};
  auto run = [&](int first, int second) {
    return db->InTransaction([&, first, second](Transaction& tx) -> absl::Status {
      const bool first_attempt = attempts.fetch_add(1) < 2;
      if (auto r = tx.Execute("UPDATE t SET n = n + 1 WHERE id = ?", {first}); !r.ok()) return r.status();
      if (first_attempt) both_hold_one.arrive_and_wait();
      return tx.Execute("UPDATE t SET n = n + 1 WHERE id = ?", {second}).status();
    });
  };
  absl::Status a, b;
  std::thread ta([&] { a = run(1, 2); });
  std::thread tb([&] { b = run(2, 1); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_GE(attempts.load(), 3) << "one of them ran again";
  absl::StatusOr<std::vector<Row>> rows = db->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT SUM(n) FROM t"); });
  EXPECT_EQ(rows->front().Int(0), 4);
}

// Holds row 1 of table t locked in a transaction of its own until Release.
class RowOneHolder {
 public:
  explicit RowOneHolder(Database& db) : finished_(done_.get_future().share()) {
    std::promise<void> locked;
    std::future<void> is_locked = locked.get_future();
    thread_ = std::thread([this, &db, &locked] {
      db.InTransaction([&](Transaction& tx) -> absl::Status {
          RETURN_IF_ERROR(tx.Query("SELECT n FROM t WHERE id = 1 FOR UPDATE").status());
          locked.set_value();
          finished_.wait();
          return absl::OkStatus();
        }).IgnoreError();
    });
    is_locked.wait();
  }
  ~RowOneHolder() { Release(); }
  void Release() {
    if (!thread_.joinable()) return;
    done_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> done_;
  std::shared_future<void> finished_;
  std::thread thread_;
};

TEST(MySql, WorkThatGoesOnPastALockWaitTimeoutIsNotCommitted) {
  DatabaseOptions options = server->Options("m_swallowed");
  options.pool_size = 2;
  options.max_attempts = 2;
  auto db = ConnectWith(options);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(Exec(*db, "CREATE TABLE t (id INT PRIMARY KEY, n INT)").ok());
  ASSERT_TRUE(db->InTransaction([](Transaction& tx) {
                   return tx.Execute("INSERT INTO t VALUES (1, 0)").status();
                 }).ok());
  // One transaction holds row 1 while the other asks for it.
  RowOneHolder holder(*db);
  int attempts = 0;
  const absl::Status s = db->InTransaction([&](Transaction& tx) -> absl::Status {
    ++attempts;
    RETURN_IF_ERROR(tx.ExecuteDdl("SET SESSION innodb_lock_wait_timeout = 1"));
    RETURN_IF_ERROR(tx.Execute("INSERT INTO t VALUES (2, 0)").status());
    // A careless caller: logs the conflict and carries on as if the update had happened.
    const absl::Status update = tx.Execute("UPDATE t SET n = 1 WHERE id = 1").status();
    EXPECT_EQ(update.code(), absl::StatusCode::kAborted) << update;
    return absl::OkStatus();
  });
  holder.Release();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_EQ(attempts, 2) << "tried again whole";
  absl::StatusOr<std::vector<Row>> rows = db->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT COUNT(*) FROM t WHERE id = 2"); });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front().Int(0), 0) << "half a transaction was committed";
}

TEST(MySql, ATransactionIsNotRetriedPastTheCallersDeadline) {
  auto db = Connect("m_deadline", 2);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(Exec(*db, "CREATE TABLE t (id INT PRIMARY KEY, n INT)").ok());
  ASSERT_TRUE(db->InTransaction([](Transaction& tx) {
                   return tx.Execute("INSERT INTO t VALUES (1, 0)").status();
                 }).ok());
  RowOneHolder holder(*db);
  int attempts = 0;
  absl::Status s;
  {
    // A caller who waits 3 s: each lock wait is bounded to half the time left (1 s), and no
    // attempt starts once the deadline has passed; the server's own 50 s wait, five times over,
    // would hold the call for minutes.
    const ScopedCall call(CallScope{absl::Now() + absl::Seconds(3), "req-deadline"});
    s = db->InTransaction([&](Transaction& tx) -> absl::Status {
      ++attempts;
      return tx.Execute("UPDATE t SET n = 1 WHERE id = 1").status();
    });
  }
  holder.Release();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  EXPECT_GE(attempts, 1);
  EXPECT_LT(attempts, 5) << "retried past the deadline";
  absl::StatusOr<std::vector<Row>> rows = db->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT n FROM t WHERE id = 1"); });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front().Int(0), 0);
}

TEST(MySql, SqlErrorLogLinesCarryTheRequestId) {
  auto db = Connect("m_request_id", 1);
  ASSERT_NE(db, nullptr);
  ::testing::internal::CaptureStderr();
  absl::Status s;
  {
    const ScopedCall call(CallScope{absl::InfiniteFuture(), "req-4f1c"});
    s = db->InTransaction(
        [](Transaction& tx) { return tx.Query("SELECT no_such_column FROM DUAL").status(); });
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_NE(log.find(R"("request_id":"req-4f1c")"), std::string::npos) << log;
}

TEST(MySql, PreparedStatementsPerConnectionAreBounded) {
  DatabaseOptions options = server->Options("m_statements");
  options.pool_size = 1;
  options.max_statements = 8;
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Connect(options);
  ASSERT_TRUE(db.ok()) << db.status();
  auto prepared_on_server = [&]() -> int64_t {
    int64_t count = -1;
    EXPECT_TRUE((*db)->InTransaction([&](Transaction& tx) -> absl::Status {
                       absl::StatusOr<Row> row = tx.QueryOne(
                           "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                           "WHERE VARIABLE_NAME = 'PREPARED_STMT_COUNT'",
                           {}, "no PREPARED_STMT_COUNT");
                       if (!row.ok()) return row.status();
                       count = std::stoll(row->String(0));
                       return absl::OkStatus();
                     })
                    .ok());
    return count;
  };
  const int64_t before = prepared_on_server();
  // 50 texts, as multi-row inserts of 50 sizes would make; then the first again, which was
  // closed to make room and is prepared anew.
  for (int i = 1; i <= 50; ++i) {
    ASSERT_TRUE((*db)->InTransaction([&](Transaction& tx) {
                       return tx.Query(absl::StrCat("SELECT ", i, " + ?"), {i}).status();
                     })
                    .ok());
  }
  ASSERT_TRUE((*db)->InTransaction([&](Transaction& tx) {
                     return tx.Query("SELECT 1 + ?", {1}).status();
                   })
                  .ok());
  EXPECT_LE(prepared_on_server() - before, 8);
  EXPECT_GE(prepared_on_server() - before, 2) << "statements are still cached";
}

TEST(MySql, ReconnectsAfterTheServerRestarts) {
  auto db = Connect("m_reconnect", 2);
  ASSERT_TRUE(db->Ping().ok());
  ASSERT_TRUE(server->Restart().ok());
  // The pooled connections died with the old server; the next transaction gets a new one and
  // sets the session up again (utf8mb4, UTC).
  absl::StatusOr<std::vector<Row>> rows = db->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT @@session.time_zone, @@character_set_client"); });
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->front().String(0), "+00:00");
  EXPECT_EQ(rows->front().String(1), "utf8mb4");
}

TEST(MySql, ServerDownIsUnavailable) {
  auto db = Connect("m_down", 1);
  ASSERT_TRUE(server->Stop().ok());
  const absl::Status s = db->Ping();
  ASSERT_TRUE(server->StartAgain().ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(db->Ping().ok());
}

TEST(MySql, AServerThatStopsAnsweringIsUnavailableAfterTheIoTimeout) {
  DatabaseOptions options = server->Options("m_frozen");
  options.pool_size = 1;
  options.io_timeout = absl::Seconds(1);
  options.connect_timeout = absl::Seconds(1);
  options.max_attempts = 1;
  auto db = ConnectWith(options);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Ping().ok());
  ASSERT_TRUE(server->Freeze().ok());
  const absl::Time start = absl::Now();
  const absl::Status s = db->InTransaction(
      [](Transaction& tx) { return tx.Query("SELECT 1").status(); });
  const absl::Duration waited = absl::Now() - start;
  const absl::Status reachable = db->CheckReachable();
  ASSERT_TRUE(server->Thaw().ok());
  EXPECT_FALSE(reachable.ok()) << "a server that answers nothing is not ready";
  // Without the timeout this call would wait for TCP to give up, minutes from now.
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_LT(waited, absl::Seconds(20));
  // The lost connection is replaced once the server answers again.
  EXPECT_TRUE(db->Ping().ok());
}

TEST(MySql, PoolIsBoundedAndAWaiterGivesUpWithResourceExhausted) {
  DatabaseOptions options = server->Options("m_pool");
  options.pool_size = 1;
  options.acquire_timeout = absl::Milliseconds(300);
  auto db = ConnectWith(options);
  ASSERT_NE(db, nullptr);
  std::atomic<bool> holding{false};
  std::atomic<bool> release{false};
  std::thread holder([&] {
    db->InTransaction([&](Transaction&) {
           holding = true;
           while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
           return absl::OkStatus();
         })
        .IgnoreError();
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const absl::Time start = absl::Now();
  const absl::Status s = db->Ping();
  const absl::Duration waited = absl::Now() - start;
  // Readiness looks past the pool: busy is not down.
  const absl::Status reachable = db->CheckReachable();
  release = true;
  holder.join();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  // One wait, not one per attempt: the caller's deadline is not waited out several times over.
  EXPECT_LT(waited, absl::Milliseconds(1200)) << "five attempts would take 1.5 s and more";
  EXPECT_TRUE(reachable.ok()) << reachable;
  EXPECT_NE(s.message().find("busy"), absl::string_view::npos) << s;
  EXPECT_TRUE(db->Ping().ok());
}

const std::vector<Migration>& TwoMigrations() {
  static const std::vector<Migration> all = {
      {1, "0001_init.sql", "CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (id INT);\n"},
      {2, "0002_more.sql", "ALTER TABLE a ADD COLUMN note TEXT;\nINSERT INTO b VALUES (7);\n"},
  };
  return all;
}

TEST(Migrations, FreshDatabaseGetsEveryVersionOnce) {
  auto db = Connect("m_migrate_fresh");
  EXPECT_EQ(CurrentSchemaVersion(*db).value(), 0);
  ASSERT_TRUE(ApplyMigrations(*db, TwoMigrations()).ok());
  EXPECT_EQ(CurrentSchemaVersion(*db).value(), 2);
  // Running again applies nothing: the insert of migration 2 is not repeated.
  ASSERT_TRUE(ApplyMigrations(*db, TwoMigrations()).ok());
  absl::StatusOr<std::vector<Row>> rows = db->InTransaction<std::vector<Row>>(
      [](Transaction& tx) { return tx.Query("SELECT COUNT(*) FROM b"); });
  EXPECT_EQ(rows->front().Int(0), 1);
}

TEST(Migrations, OnlyTheNewVersionsRunOnAnOlderSchema) {
  auto db = Connect("m_migrate_upgrade");
  ASSERT_TRUE(ApplyMigrations(*db, {TwoMigrations()[0]}).ok());
  EXPECT_EQ(CurrentSchemaVersion(*db).value(), 1);
  ASSERT_TRUE(ApplyMigrations(*db, TwoMigrations()).ok());
  EXPECT_EQ(CurrentSchemaVersion(*db).value(), 2);
}

TEST(Migrations, ANewerSchemaIsRefused) {
  auto db = Connect("m_migrate_newer");
  ASSERT_TRUE(ApplyMigrations(*db, TwoMigrations()).ok());
  const absl::Status s = ApplyMigrations(*db, {TwoMigrations()[0]});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("schema version 2"), absl::string_view::npos) << s;
}

TEST(Migrations, AVersionSkippedBelowTheAppliedOnesIsRefusedNotLostForGood) {
  auto db = Connect("m_migrate_gap");
  const std::vector<Migration> both = {{1, "0001_first.sql", "CREATE TABLE g1 (id INT);\n"},
                                       {2, "0002_second.sql", "CREATE TABLE g2 (id INT);\n"}};
  ASSERT_TRUE(ApplyMigrations(*db, {both[1]}).ok());  // 2 first, as after a bad merge
  const absl::Status s = ApplyMigrations(*db, both);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(s.message().find("0001_first.sql"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("never applied"), absl::string_view::npos) << s;
}

TEST(Migrations, AFailingMigrationIsNamedAndNotRecorded) {
  auto db = Connect("m_migrate_broken");
  const std::vector<Migration> broken = {{1, "0001_broken.sql", "CREATE TABLE (oops;\n"}};
  const absl::Status s = ApplyMigrations(*db, broken);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("0001_broken.sql"), absl::string_view::npos) << s;
  EXPECT_EQ(CurrentSchemaVersion(*db).value(), 0);
}

TEST(Migrations, ProcessesStartingTogetherApplyOnce) {
  // Several rounds on fresh databases: the window between one process's last migration and the
  // next process reading the version is short.
  for (int round = 0; round < 8; ++round) {
    const std::string name = absl::StrCat("m_migrate_race_", round);
    std::vector<std::unique_ptr<Database>> dbs;
    for (int i = 0; i < 3; ++i) dbs.push_back(Connect(name));
    std::vector<absl::Status> statuses(dbs.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < dbs.size(); ++i) {
      threads.emplace_back([&, i] { statuses[i] = ApplyMigrations(*dbs[i], TwoMigrations()); });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::Status& s : statuses) EXPECT_TRUE(s.ok()) << name << ": " << s;
    absl::StatusOr<std::vector<Row>> rows = dbs[0]->InTransaction<std::vector<Row>>(
        [](Transaction& tx) { return tx.Query("SELECT COUNT(*) FROM b"); });
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_EQ(rows->front().Int(0), 1) << name << ": migration 2 ran more than once";
  }
}

}  // namespace
}  // namespace aftersales
