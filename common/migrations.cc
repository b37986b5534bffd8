#include "common/migrations.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace aftersales {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

absl::StatusOr<std::set<int64_t>> ReadAppliedVersions(Transaction& tx) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query("SELECT version FROM schema_migrations");
  if (!rows.ok()) return rows.status();
  std::set<int64_t> versions;
  for (const Row& row : *rows) versions.insert(row.Int(0));
  return versions;
}

absl::StatusOr<int> ReadVersion(Transaction& tx) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows.ok()) return rows.status();
  return static_cast<int>(rows->front().Int(0));
}

}  // namespace

absl::StatusOr<int> CurrentSchemaVersion(Database& db) {
  return db.InTransaction<int>([](Transaction& tx) -> absl::StatusOr<int> {
    if (absl::Status s = tx.ExecuteDdl(kCreateTable); !s.ok()) return s;
    return ReadVersion(tx);
  });
}

absl::Status ApplyMigrations(Database& db, absl::Span<const Migration> migrations) {
  std::vector<Migration> ordered(migrations.begin(), migrations.end());
  std::sort(ordered.begin(), ordered.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  const int newest_known = ordered.empty() ? 0 : ordered.back().version;
  const std::string lock_name = absl::StrCat("aftersales_migrations_", db.options().database);

  // The server says nothing while GET_LOCK waits, so the wait must end before the connection's
  // io timeout would call the connection lost.
  const int64_t lock_wait_seconds =
      std::clamp<int64_t>(absl::ToInt64Seconds(db.options().io_timeout) - 1, 1, 60);
  return db.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<Row>> locked =
        tx.Query("SELECT GET_LOCK(?, ?)", {lock_name, lock_wait_seconds});
    if (!locked.ok()) return locked.status();
    if (locked->front().Int(0) != 1) {
      return absl::UnavailableError(absl::StrCat("another process held the migration lock for ",
                                                 lock_wait_seconds, " s"));
    }
    auto release = [&] { tx.Query("SELECT RELEASE_LOCK(?)", {lock_name}).IgnoreError(); };
    absl::Status result = [&]() -> absl::Status {
      if (absl::Status s = tx.ExecuteDdl(kCreateTable); !s.ok()) return s;
      absl::StatusOr<int> current = ReadVersion(tx);
      if (!current.ok()) return current.status();
      if (*current > newest_known) {
        return absl::FailedPreconditionError(absl::StrCat(
            "database ", db.options().database, " is at schema version ", *current,
            " but this build knows only up to ", newest_known,
            ": run a newer build, or restore the database"));
      }
      absl::StatusOr<std::set<int64_t>> applied = ReadAppliedVersions(tx);
      if (!applied.ok()) return applied.status();
      for (const Migration& m : ordered) {
        // A migration merged after a newer one ran would otherwise be skipped for good.
        if (m.version <= *current && applied->count(m.version) == 0) {
          return absl::FailedPreconditionError(absl::StrCat(
              "migration ", m.name, " was never applied, but database ", db.options().database,
              " is already at schema version ", *current,
              ": renumber it above the newest version, or apply it by hand and record it in "
              "schema_migrations"));
        }
      }
      for (const Migration& m : ordered) {
        if (m.version <= *current) continue;
        const std::vector<std::string> statements = SplitSqlStatements(m.sql);
        for (size_t i = 0; i < statements.size(); ++i) {
          if (absl::Status s = tx.ExecuteDdl(statements[i]); !s.ok()) {
            return absl::Status(
                s.code(),
                absl::StrCat("migration ", m.name, ", statement ", i + 1, " of ",
                             statements.size(), ": ", s.message(),
                             i == 0 ? ""
                                    : " (the statements before it may have taken effect: "
                                      "MariaDB commits each DDL statement by itself)"));
          }
        }
        absl::Status recorded =
            tx.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(6))",
                       {m.version, m.name})
                .status();
        if (!recorded.ok()) return recorded;
        LogInfo("migration applied", {{"database", db.options().database},
                                      {"version", absl::StrCat(m.version)},
                                      {"name", std::string(m.name)}});
      }
      // Commit before the lock goes: a process waiting on it would otherwise read the version
      // row of the last migration as not yet there, and apply that migration a second time.
      return tx.ExecuteDdl("COMMIT");
    }();
    release();
    return result;
  });
}

}  // namespace aftersales
