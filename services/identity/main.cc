// The identity service: API keys for automation, and their live set for gateways and services.
#include <memory>

#include "common/log.h"
#include "common/metrics.h"
#include "common/migrations.h"
#include "common/service_config.h"
#include "services/identity/api_key_desk.h"
#include "services/identity/identity_service.h"
#include "services/identity/migrations.h"

int main(int argc, char** argv) {
  aftersales::StartServerProcess("identity");
  aftersales::Config config("identity",
                            aftersales::ServiceConfigVars("127.0.0.1:50053", "aftersales_identity"));
  aftersales::ParseConfigOrExit(config, argc, argv);
  absl::StatusOr<aftersales::DatabaseOptions> db_options = aftersales::DatabaseOptionsFromConfig(config);
  if (!db_options.ok()) return aftersales::FailToStart("bad configuration", db_options.status());
  absl::StatusOr<aftersales::ServerOptions> server_options = aftersales::ServerOptionsFromConfig(config);
  if (!server_options.ok()) return aftersales::FailToStart("bad configuration", server_options.status());
  const int workers = db_options->pool_size;
  absl::StatusOr<std::unique_ptr<aftersales::Database>> db = aftersales::Database::Connect(*db_options);
  if (!db.ok()) return aftersales::FailToStart("cannot reach the database", db.status());
  absl::StatusOr<bool> migrated_only = aftersales::PrepareSchema(config, **db, aftersales::identity::Migrations());
  if (!migrated_only.ok()) return aftersales::FailToStart("cannot migrate the database", migrated_only.status());
  if (*migrated_only) return 0;
  aftersales::identity::ApiKeyDesk desk(**db);
  {
    aftersales::BoundedExecutor executor(workers, /*max_queued=*/1024);
    aftersales::AddPoolAndQueueGauges(**db, executor);
    aftersales::identity::IdentityService service(desk, executor);
    server_options->readiness_check = aftersales::SchemaAndDatabaseReadiness(**db, aftersales::identity::Migrations());
    if (absl::Status s = aftersales::ServeUntilSignal(*server_options, {&service}); !s.ok()) {
      return aftersales::FailToStart("cannot serve", s);
    }
  }
  return 0;
}
