#include "common/service_config.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include <cstdio>
#include <cstdlib>

#include "common/log.h"
#include "common/status.h"

namespace aftersales {

std::vector<ConfigVar> ServiceConfigVars(absl::string_view default_listen,
                                         absl::string_view default_database) {
  return {
      {"listen", std::string(default_listen), "gRPC listen address (host:port)"},
      {"drain_timeout", "20s", "on SIGTERM, how long calls in flight may take to finish"},
      {"shutdown_grace", "0s",
       "on SIGTERM, how long to keep taking calls (reporting NOT_SERVING) before the drain; "
       "Kubernetes: a few seconds, and terminationGracePeriodSeconds above grace + drain"},
      {"admin_listen", "",
       "host:port of the admin HTTP server (GET /metrics for Prometheus, /healthz); off when "
       "empty"},
      {"identity_key", "",
       "secret (32+ characters) the gateway and every service share, from a Kubernetes Secret: "
       "it signs who a call acts for, and a call without a valid signature is refused; required",
       /*secret=*/true},
      {"identity_previous_key", "",
       "during a rotation of identity_key, the key being replaced: still accepted, never used to "
       "sign; empty otherwise",
       /*secret=*/true},
      {"db_host", "127.0.0.1", "MariaDB/MySQL host"},
      {"db_port", "3306", "MariaDB/MySQL port"},
      {"db_socket", "", "Unix socket of the database; used instead of host and port when set"},
      {"db_user", "root", "database user"},
      {"db_password", "", "database password", /*secret=*/true},
      {"db_name", std::string(default_database), "this service's own database"},
      {"db_create", "true", "create the database (utf8mb4) when it does not exist"},
      {"db_pool_size", "16",
       "worker threads for calls, each with a database connection (background work has its own)"},
      {"db_io_timeout", "60s",
       "longest wait for one read or write on a database connection before it counts as lost "
       "(a replica waits at most this long for another's migrations); raise it for a migration "
       "that rebuilds a large table"},
      {"migrations", "apply",
       "apply: bring the schema up to date at start (development, tests); wait: migrate nothing "
       "and report not ready until the schema is the one this build needs (Kubernetes, where "
       "a Job migrates before the rollout)"},
      {"migrate_only", "false", "apply the migrations and exit 0: the migration Job of a rollout"},
  };
}

absl::StatusOr<bool> PrepareSchema(const Config& config, Database& db,
                                   absl::Span<const Migration> migrations) {
  absl::StatusOr<bool> only = config.GetBool("migrate_only");
  if (!only.ok()) return only.status();
  const std::string mode = config.Get("migrations");
  if (mode != "apply" && mode != "wait") {
    return absl::InvalidArgumentError(absl::StrCat("--migrations: '", mode, "' is not apply or wait"));
  }
  if (*only || mode == "apply") RETURN_IF_ERROR(ApplyMigrations(db, migrations));
  if (*only) LogInfo("migrations applied; exiting (--migrate_only)");
  return *only;
}

std::function<absl::Status()> SchemaAndDatabaseReadiness(Database& db, absl::Span<const Migration> migrations) {
  int needed = 0;
  for (const Migration& m : migrations) needed = std::max(needed, m.version);
  auto schema_ok = std::make_shared<std::atomic<bool>>(false);
  return [&db, needed, schema_ok]() -> absl::Status {
    // Once the schema is the one this build needs it stays so (migrations only add); until
    // then every probe asks again, so the pod turns ready as soon as the Job has run.
    if (!schema_ok->load()) {
      absl::StatusOr<int> version = CurrentSchemaVersion(db);
      if (!version.ok()) return version.status();
      if (*version < needed) {
        return absl::UnavailableError(absl::StrCat("the database schema is at version ", *version,
                                                   "; this build needs ", needed,
                                                   ": run the service's migration Job (--migrate_only)"));
      }
      schema_ok->store(true);
    }
    return db.CheckReachable();
  };
}

absl::StatusOr<DatabaseOptions> DatabaseOptionsFromConfig(const Config& config) {
  DatabaseOptions options;
  options.host = config.Get("db_host");
  absl::StatusOr<int64_t> port = config.GetInt("db_port");
  if (!port.ok()) return port.status();
  options.port = static_cast<int>(*port);
  options.socket = config.Get("db_socket");
  options.user = config.Get("db_user");
  options.password = config.Get("db_password");
  options.database = config.Get("db_name");
  absl::StatusOr<bool> create = config.GetBool("db_create");
  if (!create.ok()) return create.status();
  options.create_database = *create;
  absl::StatusOr<int64_t> pool = config.GetInt("db_pool_size");
  if (!pool.ok()) return pool.status();
  if (*pool < 1 || *pool > 512) return absl::InvalidArgumentError("--db_pool_size must be 1..512");
  options.pool_size = static_cast<int>(*pool);
  absl::StatusOr<absl::Duration> io_timeout = config.GetDuration("db_io_timeout");
  if (!io_timeout.ok()) return io_timeout.status();
  if (*io_timeout < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--db_io_timeout must be at least 1s");
  }
  options.io_timeout = *io_timeout;
  return options;
}

absl::StatusOr<ServerOptions> ServerOptionsFromConfig(const Config& config) {
  ServerOptions options;
  options.listen_address = config.Get("listen");
  absl::StatusOr<absl::Duration> drain = config.GetDuration("drain_timeout");
  if (!drain.ok()) return drain.status();
  options.drain_timeout = *drain;
  options.admin_listen = config.Get("admin_listen");
  absl::StatusOr<absl::Duration> grace = config.GetDuration("shutdown_grace");
  if (!grace.ok()) return grace.status();
  options.shutdown_grace = *grace;
  // A migration Job serves no call: it needs no identity key.
  if (config.GetBool("migrate_only").value_or(false)) return options;
  if (config.Get("identity_key").empty()) {
    return absl::InvalidArgumentError(
        "--identity_key (AFTERSALES_IDENTITY_KEY) is required: the secret the gateway signs "
        "callers' identities with; `tools/dev up` makes one in .var/identity_key");
  }
  absl::StatusOr<IdentitySigner> signer =
      IdentitySigner::Create(config.Get("identity_key"), config.program(), config.Get("identity_previous_key"));
  if (!signer.ok()) return signer.status();
  options.identity = std::make_shared<const IdentitySigner>(*std::move(signer));
  return options;
}

int FailToStart(absl::string_view what, const absl::Status& status) {
  LogError(what, {{"error", std::string(status.message())}});
  return 1;
}

void ParseConfigOrExit(Config& config, int argc, char** argv) {
  absl::Status parsed = config.Parse(argc, argv);
  if (parsed.code() == absl::StatusCode::kNotFound) {
    std::fputs(std::string(parsed.message()).c_str(), stdout);
    std::exit(0);
  }
  if (!parsed.ok()) {
    LogError("bad configuration", {{"error", std::string(parsed.message())}});
    std::exit(2);
  }
  LogInfo("configuration", {{"settings", config.Describe()}});
}

}  // namespace aftersales
