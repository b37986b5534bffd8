#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace sql {
class Connection;
class Driver;
class PreparedStatement;
}  // namespace sql

namespace aftersales {

// Where the database is and how many connections a process may hold.
struct DatabaseOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  // A Unix socket path; used instead of host/port when set.
  std::string socket;
  std::string user = "root";
  std::string password;
  std::string database;
  // Creates the database (utf8mb4) if it is not there yet.
  bool create_database = false;
  int pool_size = 16;
  // How long a caller waits for a free connection before RESOURCE_EXHAUSTED.
  absl::Duration acquire_timeout = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(5);
  // How long one read or write on a connection may wait. Without it a database that vanishes
  // without a reset (a failover, a partition) holds every call, and the readiness check, until
  // TCP gives up some fifteen minutes later.
  absl::Duration io_timeout = absl::Seconds(60);
  // Attempts of one transaction across deadlocks and lost connections.
  int max_attempts = 5;
  // Prepared statements kept per connection; the least recently used is closed beyond that.
  // A service uses a few dozen texts, plus one per row count of its multi-row inserts.
  int max_statements = 64;
};

// A statement parameter. Times bind as UTC DATETIME(6) text.
class SqlParam {
 public:
  SqlParam(std::nullptr_t) : value_(std::monostate{}) {}
  SqlParam(int64_t v) : value_(v) {}
  SqlParam(int v) : value_(static_cast<int64_t>(v)) {}
  SqlParam(bool v) : value_(static_cast<int64_t>(v ? 1 : 0)) {}
  SqlParam(std::string v) : value_(std::move(v)) {}
  SqlParam(absl::string_view v) : value_(std::string(v)) {}
  SqlParam(const char* v) : value_(std::string(v)) {}
  SqlParam(absl::Time v) : value_(v) {}
  // NULL when absent.
  SqlParam(std::optional<absl::Time> v)
      : value_(v ? Value(*v) : Value(std::monostate{})) {}

 private:
  friend class Transaction;
  using Value = std::variant<std::monostate, int64_t, std::string, absl::Time>;
  Value value_;
};

// One result row, read in full: columns by 0-based position in the SELECT list.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> columns) : columns_(std::move(columns)) {}
  bool IsNull(size_t col) const { return !columns_.at(col).has_value(); }
  // Empty for NULL.
  const std::string& String(size_t col) const;
  // 0 for NULL.
  int64_t Int(size_t col) const;
  bool Bool(size_t col) const { return Int(col) != 0; }
  // nullopt for NULL.
  std::optional<absl::Time> Time(size_t col) const;

 private:
  std::vector<std::optional<std::string>> columns_;
};

class PooledConnection;

// Statements of one transaction on one connection. Only prepared statements: values never
// become SQL text. Failures come back as statuses: ALREADY_EXISTS for a duplicate key,
// ABORTED for a deadlock, UNAVAILABLE for a lost connection, INTERNAL otherwise.
class Transaction {
 public:
  // Rows changed (for INSERT ... ON DUPLICATE KEY UPDATE, as MySQL counts them).
  absl::StatusOr<uint64_t> Execute(absl::string_view statement, absl::Span<const SqlParam> params = {});
  absl::StatusOr<std::vector<Row>> Query(absl::string_view statement,
                                         absl::Span<const SqlParam> params = {});
  // The first row, or NOT_FOUND with not_found_message.
  absl::StatusOr<Row> QueryOne(absl::string_view statement, absl::Span<const SqlParam> params,
                               absl::string_view not_found_message);
  // Runs text without preparing it: for DDL in migrations only (no parameters possible).
  absl::Status ExecuteDdl(absl::string_view statement);

 private:
  friend class Database;
  explicit Transaction(PooledConnection& connection) : connection_(connection) {}
  absl::Status Fail(int error_code, absl::string_view what, absl::string_view statement);
  sql::PreparedStatement* Prepare(absl::string_view statement);
  static void Bind(sql::PreparedStatement& ps, absl::Span<const SqlParam> params);

  PooledConnection& connection_;
  // Set when a statement failed in a way that a fresh attempt may cure.
  bool retryable_ = false;
  bool connection_lost_ = false;
  // The first statement that failed with retryable_ set, for when fn went on regardless.
  absl::Status first_retryable_failure_;
};

// A bounded pool of connections and the transactions run on them. Every connection speaks
// utf8mb4 with time_zone +00:00 and READ COMMITTED, set again after every reconnect.
class Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Connect(const DatabaseOptions& options);
  ~Database();

  // Runs fn in a transaction and commits when it returns OK; rolls back otherwise. A deadlock or
  // a connection lost before COMMIT reruns fn from the start (with backoff), up to
  // max_attempts, so fn must not have effects outside the database.
  absl::Status InTransaction(const std::function<absl::Status(Transaction&)>& fn);

  template <typename T>
  absl::StatusOr<T> InTransaction(const std::function<absl::StatusOr<T>(Transaction&)>& fn) {
    std::optional<T> result;
    absl::Status status = InTransaction([&](Transaction& tx) -> absl::Status {
      absl::StatusOr<T> r = fn(tx);
      if (!r.ok()) return r.status();
      result = *std::move(r);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return *std::move(result);
  }

  // The database answers a trivial query (on a pooled connection).
  absl::Status Ping();
  // The database takes a new connection and sets its session up, outside the pool: for
  // readiness, which must not read "every connection busy" as "reachable" (the connections may
  // all hang on a database that stopped answering) nor "unreachable" (they may be just busy).
  absl::Status CheckReachable();

  const DatabaseOptions& options() const { return options_; }

  struct PoolStats {
    int size = 0;
    int open = 0;
    int idle = 0;
    // Callers that found every connection busy and waited, and those that gave up waiting.
    uint64_t waits = 0;
    uint64_t wait_timeouts = 0;
  };
  PoolStats Stats();

 private:
  explicit Database(DatabaseOptions options);
  absl::StatusOr<std::unique_ptr<PooledConnection>> Acquire();
  void Release(std::unique_ptr<PooledConnection> connection);
  absl::StatusOr<std::unique_ptr<PooledConnection>> Open(bool with_schema);

  const DatabaseOptions options_;
  sql::Driver* driver_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  int open_ = 0;  // idle + in use
  uint64_t waits_ = 0;
  uint64_t wait_timeouts_ = 0;
};

// An INSERT of many rows in one statement, one round trip: head is everything before VALUES
// ("INSERT INTO messages (message_id, body)"), row one row's group ("(?, ?)"), repeated `rows`
// times. Bind the values row after row.
std::string MultiRowInsert(absl::string_view head, absl::string_view row, size_t rows);

// Splits a migration file into statements at semicolons that end a line.
std::vector<std::string> SplitSqlStatements(absl::string_view script);

}  // namespace aftersales
