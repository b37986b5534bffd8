#include "common/mysql.h"

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <algorithm>
#include <list>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/call_scope.h"
#include "common/log.h"
#include "common/time_util.h"

namespace aftersales {

// A connection with the statements prepared on it. Statements are prepared once per connection
// and reused: a server-side prepare is a round trip we need not pay on every call. The cache is
// bounded: multi-row inserts have one text per row count, and statements that pile up would
// reach the server's max_prepared_stmt_count (16382 for all clients together), after which every
// prepare on it fails. The least recently used statement is closed to make room.
class PooledConnection {
 public:
  PooledConnection(std::unique_ptr<sql::Connection> connection, size_t max_statements)
      : connection_(std::move(connection)), max_statements_(std::max<size_t>(max_statements, 1)) {}
  ~PooledConnection() {
    // Statements first: they belong to the connection.
    by_text_.clear();
    recent_.clear();
    try {
      connection_->close();
    } catch (const sql::SQLException&) {
      // Already gone; nothing to release.
    }
  }

  sql::Connection& connection() { return *connection_; }

  // The prepared form of `text`, prepared now if it is not cached. Throws what the driver
  // throws. The pointer is good until the next call.
  sql::PreparedStatement* Statement(absl::string_view text) {
    const std::string key(text);
    if (auto it = by_text_.find(key); it != by_text_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second);
      return it->second->second.get();
    }
    std::unique_ptr<sql::PreparedStatement> prepared(connection_->prepareStatement(key));
    if (recent_.size() >= max_statements_) {
      by_text_.erase(recent_.back().first);
      recent_.pop_back();  // closes the statement on the server
    }
    recent_.emplace_front(key, std::move(prepared));
    by_text_.emplace(key, recent_.begin());
    return recent_.front().second.get();
  }

  bool broken = false;
  // The session's innodb_lock_wait_timeout, set again only when a call needs another.
  int lock_wait_seconds = kServerLockWaitSeconds;

  // MariaDB's default innodb_lock_wait_timeout.
  static constexpr int kServerLockWaitSeconds = 50;

 private:
  using Cached = std::pair<std::string, std::unique_ptr<sql::PreparedStatement>>;
  std::unique_ptr<sql::Connection> connection_;
  const size_t max_statements_;
  std::list<Cached> recent_;  // most recently used first
  std::unordered_map<std::string, std::list<Cached>::iterator> by_text_;
};

namespace {

// MySQL / MariaDB error numbers we act on.
constexpr int kDuplicateKey = 1062;
constexpr int kLockWaitTimeout = 1205;
constexpr int kDeadlock = 1213;
constexpr int kDataTooLong = 1406;
constexpr int kIncorrectString = 1366;

bool IsConnectionLost(int code) {
  switch (code) {
    case 2002:  // can't connect through socket
    case 2003:  // can't connect to server
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection at reading
    case 1927:  // connection was killed
    case 1053:  // server shutdown in progress
    case 4031:  // disconnected by the server for inactivity
      return true;
    default:
      return false;
  }
}

// How long one lock wait may last for a call with this deadline: half the time left, in whole
// seconds (the server's unit), so that a wait times out, and the transaction is retried or
// answered, while the caller still listens.
// A few steps only, so that calls with like deadlines leave the session as it is and the
// setting costs a round trip only when it changes.
int LockWaitSecondsFor(absl::Time deadline, absl::Time now) {
  if (deadline == absl::InfiniteFuture()) return PooledConnection::kServerLockWaitSeconds;
  const int64_t half_left = absl::ToInt64Seconds((deadline - now) / 2);
  int wait = 1;
  for (const int step : {2, 5, 10, 20, PooledConnection::kServerLockWaitSeconds}) {
    if (step <= half_left) wait = step;
  }
  return wait;
}

absl::Status BoundLockWaits(PooledConnection& connection, absl::Time deadline) {
  const int wanted = LockWaitSecondsFor(deadline, absl::Now());
  if (wanted == connection.lock_wait_seconds) return absl::OkStatus();
  try {
    std::unique_ptr<sql::Statement> st(connection.connection().createStatement());
    st->execute(absl::StrCat("SET SESSION innodb_lock_wait_timeout = ", wanted));
    connection.lock_wait_seconds = wanted;
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    connection.broken = true;
    return absl::UnavailableError(absl::StrCat("database connection lost: ", e.what()));
  }
}

absl::Status Backoff(int attempt) {
  thread_local std::mt19937 random{std::random_device{}()};
  const int base_ms = 5 << std::min(attempt, 6);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(base_ms + std::uniform_int_distribution<int>(0, base_ms)(random)));
  return absl::OkStatus();
}

}  // namespace

const std::string& Row::String(size_t col) const {
  static const std::string kEmpty;
  const auto& value = columns_.at(col);
  return value ? *value : kEmpty;
}

int64_t Row::Int(size_t col) const {
  const auto& value = columns_.at(col);
  int64_t out = 0;
  if (value && !absl::SimpleAtoi(*value, &out)) {
    double d = 0;  // DECIMAL and float columns
    if (absl::SimpleAtod(*value, &d)) out = static_cast<int64_t>(d);
  }
  return out;
}

std::optional<absl::Time> Row::Time(size_t col) const {
  const auto& value = columns_.at(col);
  if (!value) return std::nullopt;
  absl::StatusOr<absl::Time> t = FromSqlTime(*value);
  if (!t.ok()) return std::nullopt;
  return *t;
}

absl::Status Transaction::Fail(int error_code, absl::string_view what, absl::string_view statement) {
  if (error_code == kDeadlock || error_code == kLockWaitTimeout) {
    retryable_ = true;
    absl::Status s = absl::AbortedError(absl::StrCat("database conflict, try again: ", what));
    if (first_retryable_failure_.ok()) first_retryable_failure_ = s;
    return s;
  }
  if (IsConnectionLost(error_code)) {
    retryable_ = true;
    connection_lost_ = true;
    connection_.broken = true;
    absl::Status s = absl::UnavailableError(absl::StrCat("database connection lost: ", what));
    if (first_retryable_failure_.ok()) first_retryable_failure_ = s;
    return s;
  }
  if (error_code == kDuplicateKey) return absl::AlreadyExistsError(what);
  if (error_code == kDataTooLong || error_code == kIncorrectString) {
    return absl::InvalidArgumentError(absl::StrCat("a value does not fit its column: ", what));
  }
  LogError("sql statement failed", {{"error_code", absl::StrCat(error_code)},
                                    {"error", std::string(what)},
                                    {"statement", std::string(statement)},
                                    {"request_id", CurrentCall().request_id}});
  return absl::InternalError(absl::StrCat("database error ", error_code, ": ", what));
}

sql::PreparedStatement* Transaction::Prepare(absl::string_view statement) {
  return connection_.Statement(statement);
}

void Transaction::Bind(sql::PreparedStatement& ps, absl::Span<const SqlParam> params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const unsigned int index = static_cast<unsigned int>(i + 1);
    const SqlParam::Value& value = params[i].value_;
    if (std::holds_alternative<std::monostate>(value)) {
      ps.setNull(index, 0);
    } else if (const auto* n = std::get_if<int64_t>(&value)) {
      ps.setInt64(index, *n);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      ps.setString(index, *s);
    } else {
      ps.setDateTime(index, ToSqlTime(std::get<absl::Time>(value)));
    }
  }
}

absl::StatusOr<uint64_t> Transaction::Execute(absl::string_view statement,
                                              absl::Span<const SqlParam> params) {
  try {
    sql::PreparedStatement* ps = Prepare(statement);
    Bind(*ps, params);
    return static_cast<uint64_t>(ps->executeUpdate());
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.what(), statement);
  }
}

absl::StatusOr<std::vector<Row>> Transaction::Query(absl::string_view statement,
                                                    absl::Span<const SqlParam> params) {
  try {
    sql::PreparedStatement* ps = Prepare(statement);
    Bind(*ps, params);
    std::unique_ptr<sql::ResultSet> rs(ps->executeQuery());
    const unsigned int columns = rs->getMetaData()->getColumnCount();
    std::vector<Row> rows;
    while (rs->next()) {
      std::vector<std::optional<std::string>> values;
      values.reserve(columns);
      for (unsigned int c = 1; c <= columns; ++c) {
        // getString first: isNull is only meaningful after reading the column.
        std::string text = rs->getString(c);
        if (rs->wasNull()) {
          values.emplace_back(std::nullopt);
        } else {
          values.emplace_back(std::move(text));
        }
      }
      rows.emplace_back(std::move(values));
    }
    return rows;
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.what(), statement);
  }
}

absl::StatusOr<Row> Transaction::QueryOne(absl::string_view statement,
                                          absl::Span<const SqlParam> params,
                                          absl::string_view not_found_message) {
  absl::StatusOr<std::vector<Row>> rows = Query(statement, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::NotFoundError(not_found_message);
  return std::move(rows->front());
}

absl::Status Transaction::ExecuteDdl(absl::string_view statement) {
  try {
    std::unique_ptr<sql::Statement> st(connection_.connection().createStatement());
    st->execute(std::string(statement));
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.what(), statement);
  }
}

Database::Database(DatabaseOptions options)
    // get_driver_instance() is not thread-safe: called once, here, before any pool use.
    : options_(std::move(options)), driver_(sql::mysql::get_mysql_driver_instance()) {}

Database::~Database() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<Database>> Database::Connect(const DatabaseOptions& options) {
  if (options.database.empty()) return absl::InvalidArgumentError("database name is required");
  for (const char c : options.database) {
    if (!absl::ascii_isalnum(c) && c != '_') {
      return absl::InvalidArgumentError(
          absl::StrCat("database name '", options.database, "' may hold only letters, digits, _"));
    }
  }
  if (options.pool_size < 1) return absl::InvalidArgumentError("pool size must be at least 1");
  std::unique_ptr<Database> db(new Database(options));
  if (options.create_database) {
    absl::StatusOr<std::unique_ptr<PooledConnection>> admin = db->Open(/*with_schema=*/false);
    if (!admin.ok()) return admin.status();
    Transaction tx(**admin);
    // The name was checked above to hold only [A-Za-z0-9_]: DDL takes no parameters.
    absl::Status created = tx.ExecuteDdl(absl::StrCat(
        "CREATE DATABASE IF NOT EXISTS `", options.database,
        "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
    if (!created.ok()) return created;
  }
  if (absl::Status ping = db->Ping(); !ping.ok()) return ping;
  return db;
}

absl::StatusOr<std::unique_ptr<PooledConnection>> Database::Open(bool with_schema) {
  sql::ConnectOptionsMap props;
  if (!options_.socket.empty()) {
    props["hostName"] = std::string("unix://") + options_.socket;
  } else {
    props["hostName"] = absl::StrCat("tcp://", options_.host, ":", options_.port);
  }
  props["userName"] = options_.user;
  props["password"] = options_.password;
  if (with_schema) props["schema"] = options_.database;
  props["OPT_CHARSET_NAME"] = std::string("utf8mb4");
  props["OPT_RECONNECT"] = false;  // we reconnect ourselves and set the session up again
  const auto whole_seconds = [](absl::Duration d) {
    return static_cast<int>(std::max<int64_t>(absl::ToInt64Seconds(d), 1));
  };
  props["OPT_CONNECT_TIMEOUT"] = whole_seconds(options_.connect_timeout);
  props["OPT_READ_TIMEOUT"] = whole_seconds(options_.io_timeout);
  props["OPT_WRITE_TIMEOUT"] = whole_seconds(options_.io_timeout);
  try {
    std::unique_ptr<sql::Connection> connection(driver_->connect(props));
    std::unique_ptr<sql::Statement> st(connection->createStatement());
    st->execute("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci");
    st->execute("SET time_zone = '+00:00'");
    st->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    connection->setAutoCommit(false);
    return std::make_unique<PooledConnection>(std::move(connection),
                                              static_cast<size_t>(options_.max_statements));
  } catch (const sql::SQLException& e) {
    return absl::UnavailableError(absl::StrCat("cannot connect to the database at ",
                                               options_.socket.empty()
                                                   ? absl::StrCat(options_.host, ":", options_.port)
                                                   : options_.socket,
                                               ": ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<PooledConnection>> Database::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    const auto deadline =
        std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(options_.acquire_timeout);
    if (idle_.empty() && open_ >= options_.pool_size) ++waits_;
    while (idle_.empty() && open_ >= options_.pool_size) {
      if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= options_.pool_size) {
        ++wait_timeouts_;
        // Not UNAVAILABLE: InTransaction would wait all over again, several times, for a caller
        // whose deadline is gone. The client hears 429 and retries shortly.
        return absl::ResourceExhaustedError(absl::StrCat(
            "all ", options_.pool_size, " database connections stayed busy for ",
            absl::FormatDuration(options_.acquire_timeout), "; retry shortly"));
      }
    }
    if (!idle_.empty()) {
      std::unique_ptr<PooledConnection> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;  // reserve a slot, then connect without holding the lock
  }
  absl::StatusOr<std::unique_ptr<PooledConnection>> opened = Open(/*with_schema=*/true);
  if (!opened.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    released_.notify_one();
  }
  return opened;
}

Database::PoolStats Database::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return {options_.pool_size, open_, static_cast<int>(idle_.size()), waits_, wait_timeouts_};
}

void Database::Release(std::unique_ptr<PooledConnection> connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (connection->broken) {
    --open_;
    connection.reset();
  } else {
    idle_.push_back(std::move(connection));
  }
  released_.notify_one();
}

absl::Status Database::InTransaction(const std::function<absl::Status(Transaction&)>& fn) {
  const absl::Time deadline = CurrentCall().deadline;
  absl::Status last;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    if (attempt > 0) {
      Backoff(attempt).IgnoreError();
      // Nobody waits for the answer any more: another attempt would only hold locks others want.
      if (absl::Now() >= deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            "the deadline passed while the database was busy (", last.message(),
            "); nothing was written"));
      }
    }
    absl::StatusOr<std::unique_ptr<PooledConnection>> acquired = Acquire();
    if (!acquired.ok()) {
      last = acquired.status();
      // A refused connection is worth another try only while the server may be coming back.
      if (acquired.status().code() == absl::StatusCode::kUnavailable) continue;
      return last;
    }
    std::unique_ptr<PooledConnection> connection = *std::move(acquired);
    if (absl::Status bounded = BoundLockWaits(*connection, deadline); !bounded.ok()) {
      Release(std::move(connection));
      last = bounded;
      continue;
    }
    Transaction tx(*connection);
    absl::Status status;
    try {
      status = fn(tx);
    } catch (const std::exception& e) {
      // Nothing may leak a pooled connection: an exception from inside fn (a Connector/C++ one
      // outside a statement, bad_alloc, out_of_range) ends the transaction like an error does.
      connection->broken = true;
      Release(std::move(connection));
      LogError("transaction aborted by an exception",
               {{"error", e.what()}, {"request_id", CurrentCall().request_id}});
      return absl::InternalError(absl::StrCat("transaction aborted: ", e.what()));
    }
    if (status.ok() && tx.retryable_) {
      // fn went on past a deadlock, a lock wait timeout or a lost connection: the database rolled
      // back the transaction or the statement, and what is left is not the whole work. It ends
      // as that statement's failure: tried again, or answered with it.
      status = tx.first_retryable_failure_;
    }
    if (status.ok()) {
      try {
        connection->connection().commit();
        Release(std::move(connection));
        return absl::OkStatus();
      } catch (const sql::SQLException& e) {
        const int code = e.getErrorCode();
        connection->broken = connection->broken || IsConnectionLost(code);
        Release(std::move(connection));
        if (code == kDeadlock) {
          last = absl::AbortedError(e.what());
          continue;
        }
        // The commit may or may not have landed: the caller retries with its idempotency key.
        return absl::UnavailableError(
            absl::StrCat("database commit outcome unknown (", e.what(),
                         "); retry with the same Idempotency-Key"));
      }
    }
    try {
      if (!connection->broken) connection->connection().rollback();
    } catch (const sql::SQLException&) {
      connection->broken = true;
    }
    Release(std::move(connection));
    if (!tx.retryable_) return status;
    last = status;
  }
  return last;
}

absl::Status Database::CheckReachable() { return Open(/*with_schema=*/true).status(); }

absl::Status Database::Ping() {
  return InTransaction([](Transaction& tx) { return tx.Query("SELECT 1").status(); });
}

std::string MultiRowInsert(absl::string_view head, absl::string_view row, size_t rows) {
  std::string out = absl::StrCat(head, " VALUES ");
  out.reserve(out.size() + rows * (row.size() + 2));
  for (size_t r = 0; r < rows; ++r) absl::StrAppend(&out, r == 0 ? "" : ", ", row);
  return out;
}

std::vector<std::string> SplitSqlStatements(absl::string_view script) {
  std::vector<std::string> out;
  std::string current;
  size_t start = 0;
  while (start <= script.size()) {
    size_t end = script.find('\n', start);
    if (end == absl::string_view::npos) end = script.size();
    absl::string_view line = script.substr(start, end - start);
    absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (!absl::StartsWith(stripped, "--")) {
      absl::StrAppend(&current, line, "\n");
      if (absl::EndsWith(stripped, ";")) {
        absl::string_view body = absl::StripAsciiWhitespace(current);
        body.remove_suffix(1);
        if (!absl::StripAsciiWhitespace(body).empty()) out.emplace_back(body);
        current.clear();
      }
    }
    start = end + 1;
  }
  if (!absl::StripAsciiWhitespace(current).empty()) {
    out.emplace_back(absl::StripAsciiWhitespace(current));
  }
  return out;
}

}  // namespace aftersales
