#pragma once

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/migrations.h"
#include "common/mysql.h"
#include "common/server.h"

namespace aftersales {

// Settings every service has, declared once: where it listens, how it drains, its database.
std::vector<ConfigVar> ServiceConfigVars(absl::string_view default_listen,
                                         absl::string_view default_database);

absl::StatusOr<DatabaseOptions> DatabaseOptionsFromConfig(const Config& config);
absl::StatusOr<ServerOptions> ServerOptionsFromConfig(const Config& config);

// The schema step of a service's start, as --migrate_only and --migrations say: applies the
// migrations (migrate_only, or migrations=apply) or leaves them to the Job (wait). True when
// the process should exit now (migrate_only done).
absl::StatusOr<bool> PrepareSchema(const Config& config, Database& db, absl::Span<const Migration> migrations);

// A readiness check: NOT ready while the database's schema is older than `migrations` need
// (naming both versions and the Job to run), then while the database does not answer.
std::function<absl::Status()> SchemaAndDatabaseReadiness(Database& db, absl::Span<const Migration> migrations);

// For a service's main when it cannot start: logs what failed and why, and returns the exit
// code (1) to return.
int FailToStart(absl::string_view what, const absl::Status& status);

// Parses argv into config; on --help prints usage and exits 0, on a bad setting prints why and
// exits 2. Logs the configuration (secrets masked) at start.
void ParseConfigOrExit(Config& config, int argc, char** argv);

}  // namespace aftersales
