#pragma once

#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/mysql.h"

namespace aftersales {

// One versioned schema change, compiled into the service from services/<name>/migrations.
struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

// Applies, in version order, each migration not yet recorded in schema_migrations, once, and
// records it. Two replicas starting together take turns on a named lock. Refuses
// (FAILED_PRECONDITION) a database whose schema is newer than the newest migration known here:
// an old binary must not write to a schema it does not understand.
absl::Status ApplyMigrations(Database& db, absl::Span<const Migration> migrations);

// The highest applied version, 0 for a fresh database.
absl::StatusOr<int> CurrentSchemaVersion(Database& db);

}  // namespace aftersales
