// The claims service: A-to-z claims, chargebacks and platform disputes, their deadlines and
// alerts, and evidence packets gathered from the tickets and returns services.
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/business_days.h"
#include "common/channel.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/migrations.h"
#include "common/outbox.h"
#include "common/periodic.h"
#include "common/service_config.h"
#include "common/status.h"
#include "services/claims/claim_desk.h"
#include "services/claims/claim_outbox.h"
#include "services/claims/claims_service.h"
#include "services/claims/evidence_reader.h"
#include "services/claims/migrations.h"
#include "services/tickets/order_reader.h"

int main(int argc, char** argv) {
  aftersales::StartServerProcess("claims");
  std::vector<aftersales::ConfigVar> vars =
      aftersales::ServiceConfigVars("127.0.0.1:50055", "aftersales_claims");
  vars.push_back({"tickets_target", "127.0.0.1:50051", "the tickets service (host:port)"});
  vars.push_back({"returns_target", "127.0.0.1:50052", "the returns service (host:port)"});
  vars.push_back({"alert_interval", "1s", "how often due claim alerts are raised and undelivered tickets retried"});
  vars.push_back({"evidence_timeout", "2s", "how long a packet waits for each source before it is built PARTIAL"});
  aftersales::Config config("claims", std::move(vars));
  aftersales::ParseConfigOrExit(config, argc, argv);

  absl::StatusOr<aftersales::DatabaseOptions> db_options = aftersales::DatabaseOptionsFromConfig(config);
  if (!db_options.ok()) return aftersales::FailToStart("bad configuration", db_options.status());
  absl::StatusOr<aftersales::ServerOptions> server_options = aftersales::ServerOptionsFromConfig(config);
  if (!server_options.ok()) return aftersales::FailToStart("bad configuration", server_options.status());
  absl::StatusOr<absl::Duration> alert_interval = config.GetDuration("alert_interval");
  if (!alert_interval.ok()) return aftersales::FailToStart("bad configuration", alert_interval.status());
  absl::StatusOr<absl::Duration> evidence_timeout = config.GetDuration("evidence_timeout");
  if (!evidence_timeout.ok()) return aftersales::FailToStart("bad configuration", evidence_timeout.status());
  if (absl::Status zones = aftersales::CheckSiteTimeZones(); !zones.ok()) {
    return aftersales::FailToStart("missing time-zone data", zones);
  }

  // Two connections beyond the call workers, for the alert sweep and the outbox: background
  // work never makes a call wait for a connection.
  const int workers = db_options->pool_size;
  db_options->pool_size = workers + 2;
  absl::StatusOr<std::unique_ptr<aftersales::Database>> db = aftersales::Database::Connect(*db_options);
  if (!db.ok()) return aftersales::FailToStart("cannot reach the database", db.status());
  absl::StatusOr<bool> migrated_only = aftersales::PrepareSchema(config, **db, aftersales::claims::Migrations());
  if (!migrated_only.ok()) return aftersales::FailToStart("cannot migrate the database", migrated_only.status());
  if (*migrated_only) return 0;

  // Reads are safe for the channels to retry; CreateTicket carries the outbox's idempotency key.
  auto tickets = aftersales::MakeChannel(config.Get("tickets_target"),
                                         {{"aftersales.tickets.v1.TicketsService", "CreateTicket"},
                                          {"aftersales.tickets.v1.TicketsService", "GetOrder"},
                                          {"aftersales.tickets.v1.TicketsService", "CountOrders"},
                                          {"aftersales.tickets.v1.TicketsService", "GetOrderHistory"}});
  auto returns = aftersales::MakeChannel(config.Get("returns_target"),
                                         {{"aftersales.returns.v1.ReturnsService", "ListReturns"}});
  aftersales::claims::ClaimDeskOptions desk_options;
  desk_options.read_order = aftersales::tickets::TicketsOrderReader(tickets, *evidence_timeout, server_options->identity, "claims");
  desk_options.count_orders = aftersales::claims::GrpcOrderCounter(tickets, *evidence_timeout, server_options->identity);
  desk_options.read_evidence = aftersales::claims::GrpcEvidenceReader(
      tickets, returns, {*evidence_timeout, *evidence_timeout}, server_options->identity);
  aftersales::claims::ClaimDesk desk(**db, desk_options);
  aftersales::claims::ClaimOutbox outbox(**db, tickets, server_options->identity);
  {
    aftersales::BoundedExecutor executor(workers, /*max_queued=*/4096);
    aftersales::AddPoolAndQueueGauges(**db, executor);
    aftersales::AddOutboxGauge("Claim alert tickets in the outbox by state", [&outbox] { return outbox.CountByState(); });
    aftersales::claims::ClaimsService service(desk, executor);
    aftersales::PeriodicTask alerts("claim_alerts", *alert_interval, [&outbox, &desk] {
      return aftersales::RunBackgroundSteps({
          {"alert sweep", [&] { return desk.SweepAlerts(/*batch_size=*/50); }, 50},
          {"outbox delivery", [&] { return outbox.DeliverDue(/*batch_size=*/20); }, 20},
          {"housekeeping", [&]() -> absl::StatusOr<int> {
             RETURN_IF_ERROR(desk.PurgeExpired());
             return 0;
           }},
      });
    });
    server_options->readiness_check = aftersales::SchemaAndDatabaseReadiness(**db, aftersales::claims::Migrations());
    if (absl::Status s = aftersales::ServeUntilSignal(*server_options, {&service}); !s.ok()) {
      return aftersales::FailToStart("cannot serve", s);
    }
  }
  return 0;
}
