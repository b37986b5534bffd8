// The returns service: return requests, the return-shipping cost rules, and the outbox that
// opens their tickets.
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
#include "services/returns/migrations.h"
#include "services/returns/return_desk.h"
#include "services/returns/returns_service.h"
#include "services/returns/ticket_outbox.h"
#include "services/tickets/order_reader.h"

int main(int argc, char** argv) {
  aftersales::StartServerProcess("returns");
  std::vector<aftersales::ConfigVar> vars =
      aftersales::ServiceConfigVars("127.0.0.1:50052", "aftersales_returns");
  vars.push_back({"tickets_target", "127.0.0.1:50051", "the tickets service (host:port)"});
  vars.push_back({"outbox_interval", "1s", "how often undelivered ticket calls are retried"});
  aftersales::Config config("returns", std::move(vars));
  aftersales::ParseConfigOrExit(config, argc, argv);

  absl::StatusOr<aftersales::DatabaseOptions> db_options = aftersales::DatabaseOptionsFromConfig(config);
  if (!db_options.ok()) return aftersales::FailToStart("bad configuration", db_options.status());
  absl::StatusOr<aftersales::ServerOptions> server_options = aftersales::ServerOptionsFromConfig(config);
  if (!server_options.ok()) return aftersales::FailToStart("bad configuration", server_options.status());
  absl::StatusOr<absl::Duration> outbox_interval = config.GetDuration("outbox_interval");
  if (!outbox_interval.ok()) return aftersales::FailToStart("bad configuration", outbox_interval.status());
  if (absl::Status zones = aftersales::CheckSiteTimeZones(); !zones.ok()) {
    return aftersales::FailToStart("missing time-zone data", zones);
  }

  // One connection beyond the call workers, for the outbox and housekeeping: background work
  // never makes a call wait for a connection.
  const int workers = db_options->pool_size;
  db_options->pool_size = workers + 1;
  absl::StatusOr<std::unique_ptr<aftersales::Database>> db = aftersales::Database::Connect(*db_options);
  if (!db.ok()) return aftersales::FailToStart("cannot reach the database", db.status());
  absl::StatusOr<bool> migrated_only = aftersales::PrepareSchema(config, **db, aftersales::returns::Migrations());
  if (!migrated_only.ok()) return aftersales::FailToStart("cannot migrate the database", migrated_only.status());
  if (*migrated_only) return 0;

  // CreateTicket carries an idempotency key from the outbox, and GetOrder is a read: safe for
  // the channel to retry.
  auto tickets = aftersales::MakeChannel(config.Get("tickets_target"),
                                         {{"aftersales.tickets.v1.TicketsService", "CreateTicket"},
                                          {"aftersales.tickets.v1.TicketsService", "GetOrder"}});
  aftersales::returns::ReturnDeskOptions desk_options;
  // A return's refund is held to what its order still has to refund: the order is the tickets
  // service's to tell.
  desk_options.read_order = aftersales::tickets::TicketsOrderReader(tickets, absl::Seconds(3), server_options->identity, "returns");
  aftersales::returns::ReturnDesk desk(**db, desk_options);
  aftersales::returns::TicketOutbox outbox(**db, tickets, server_options->identity);
  {
    aftersales::BoundedExecutor executor(workers, /*max_queued=*/4096);
    aftersales::AddPoolAndQueueGauges(**db, executor);
    // FAILED entries wait for a person (GET /v1/admin/ticketOutbox, :requeue).
    aftersales::AddOutboxGauge("Return tickets in the outbox by state", [&outbox] { return outbox.CountByState(); });
    aftersales::returns::ReturnsService service(desk, executor);
    aftersales::PeriodicTask delivery("ticket_outbox", *outbox_interval, [&outbox, &desk] {
      return aftersales::RunBackgroundSteps({
          {"outbox delivery", [&] { return outbox.DeliverDue(/*batch_size=*/20); }, 20},
          // Missed business-day deadlines open their tickets through the outbox.
          {"deadline sweep", [&] { return desk.SweepDeadlines(/*batch_size=*/50); }, 50},
          {"housekeeping", [&]() -> absl::StatusOr<int> {
             RETURN_IF_ERROR(desk.PurgeExpired());
             return 0;
           }},
      });
    });
    server_options->readiness_check = aftersales::SchemaAndDatabaseReadiness(**db, aftersales::returns::Migrations());
    if (absl::Status s = aftersales::ServeUntilSignal(*server_options, {&service}); !s.ok()) {
      return aftersales::FailToStart("cannot serve", s);
    }
  }
  return 0;
}
