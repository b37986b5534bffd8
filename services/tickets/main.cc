// The tickets service: conversations, reply clocks, order context, reply templates.
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/channel.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/migrations.h"
#include "common/periodic.h"
#include "common/service_config.h"
#include "services/tickets/migrations.h"
#include "services/tickets/ticket_desk.h"
#include "services/tickets/tickets_service.h"

namespace {

using aftersales::Config;
using aftersales::ConfigVar;

}  // namespace

int main(int argc, char** argv) {
  aftersales::StartServerProcess("tickets");
  std::vector<ConfigVar> vars = aftersales::ServiceConfigVars("127.0.0.1:50051", "aftersales_tickets");
  vars.push_back({"sla_first_reply", "24h", "reply target for a buyer message"});
  vars.push_back({"sla_return_request", "48h", "reply target for a return request"});
  vars.push_back({"sla_vip", "2h", "reply target for VIP buyers"});
  vars.push_back({"follow_up_after", "72h", "buyer silence before the automatic follow-up"});
  vars.push_back({"sweep_interval", "10s", "how often due follow-ups are looked for"});
  vars.push_back({"reviews_target", "127.0.0.1:50054",
                  "the reviews service (host:port), whose filter screens every message to a buyer"});
  vars.push_back({"screen_timeout", "2s", "how long a message waits for the filter before it is refused as UNAVAILABLE"});
  vars.push_back({"create_writers", "1",
                  "CreateTicket batches written at once; each holds a database connection"});
  vars.push_back({"create_batch_size", "32", "most CreateTicket calls written in one transaction"});
  vars.push_back({.name = "page_token_key",
                  .default_value = "",
                  .help = "secret that signs list page tokens, the same for every replica; a "
                          "random one per process when empty",
                  .secret = true});
  Config config("tickets", std::move(vars));
  aftersales::ParseConfigOrExit(config, argc, argv);

  absl::StatusOr<aftersales::DatabaseOptions> db_options = aftersales::DatabaseOptionsFromConfig(config);
  if (!db_options.ok()) return aftersales::FailToStart("bad configuration", db_options.status());
  absl::StatusOr<aftersales::ServerOptions> server_options = aftersales::ServerOptionsFromConfig(config);
  if (!server_options.ok()) return aftersales::FailToStart("bad configuration", server_options.status());
  aftersales::tickets::TicketDeskOptions desk_options;
  for (auto [name, target] :
       {std::pair{"sla_first_reply", &desk_options.targets.first_reply},
        std::pair{"sla_return_request", &desk_options.targets.return_request},
        std::pair{"sla_vip", &desk_options.targets.vip},
        std::pair{"follow_up_after", &desk_options.targets.follow_up_after}}) {
    absl::StatusOr<absl::Duration> d = config.GetDuration(name);
    if (!d.ok()) return aftersales::FailToStart("bad configuration", d.status());
    *target = *d;
  }
  if (const std::string key = config.Get("page_token_key"); !key.empty()) {
    // A short key could be guessed, and then page tokens forged.
    if (key.size() < 32) {
      return aftersales::FailToStart("bad configuration",
                  absl::InvalidArgumentError("--page_token_key must be at least 32 characters"));
    }
    desk_options.page_token_key = key;
  } else {
    aftersales::LogWarning("page_token_key is not set: page tokens are good only at this process "
                           "until it restarts; set it (the same for every replica)", {});
  }
  absl::StatusOr<absl::Duration> sweep_interval = config.GetDuration("sweep_interval");
  if (!sweep_interval.ok()) return aftersales::FailToStart("bad configuration", sweep_interval.status());

  aftersales::WriteBatcherOptions create_batches;
  for (auto [name, target] : {std::pair{"create_writers", &create_batches.writers},
                              std::pair{"create_batch_size", &create_batches.max_batch}}) {
    absl::StatusOr<int64_t> n = config.GetInt(name);
    if (!n.ok()) return aftersales::FailToStart("bad configuration", n.status());
    if (*n < 1 || *n > 256) {
      return aftersales::FailToStart("bad configuration",
                  absl::InvalidArgumentError(absl::StrCat("--", name, " must be 1..256")));
    }
    *target = static_cast<size_t>(*n);
  }

  // Connections beyond the call workers for the create writers and the sweeper: neither makes
  // a call wait for a connection, nor waits behind calls.
  const int workers = db_options->pool_size;
  db_options->pool_size = workers + static_cast<int>(create_batches.writers) + 1;
  absl::StatusOr<std::unique_ptr<aftersales::Database>> db = aftersales::Database::Connect(*db_options);
  if (!db.ok()) return aftersales::FailToStart("cannot reach the database", db.status());
  absl::StatusOr<bool> migrated_only = aftersales::PrepareSchema(config, **db, aftersales::tickets::Migrations());
  if (!migrated_only.ok()) return aftersales::FailToStart("cannot migrate the database", migrated_only.status());
  if (*migrated_only) return 0;

  absl::StatusOr<absl::Duration> screen_timeout = config.GetDuration("screen_timeout");
  if (!screen_timeout.ok()) return aftersales::FailToStart("bad configuration", screen_timeout.status());
  // ScreenMessage is a pure read: safe for the channel to retry.
  desk_options.screen_outbound = aftersales::tickets::ReviewsOutboundScreener(
      aftersales::MakeChannel(config.Get("reviews_target"), {{"aftersales.reviews.v1.ReviewsService", "ScreenMessage"}}),
      *screen_timeout, server_options->identity);
  aftersales::tickets::TicketDesk desk(**db, desk_options);
  {
    aftersales::BoundedExecutor executor(workers, /*max_queued=*/4096);
    aftersales::AddPoolAndQueueGauges(**db, executor);
    aftersales::tickets::TicketsService service(desk, executor, create_batches);
    aftersales::PeriodicTask sweeper("follow_ups", *sweep_interval, [&desk] {
      constexpr int kBatch = 50;
      absl::StatusOr<aftersales::tickets::FollowUpSweep> sweep = desk.SendDueFollowUps(kBatch);
      if (!sweep.ok()) {
        aftersales::LogWarning("follow-up sweep failed", {{"error", std::string(sweep.status().message())}});
        return false;
      }
      if (sweep->sent > 0 || sweep->failed > 0) {
        aftersales::LogInfo("follow-ups swept", {{"sent", absl::StrCat(sweep->sent)},
                                                 {"failed", absl::StrCat(sweep->failed)}});
      }
      // A full batch: more may be due, so sweep again at once.
      return sweep->due == kBatch;
    });
    server_options->readiness_check = aftersales::SchemaAndDatabaseReadiness(**db, aftersales::tickets::Migrations());
    if (absl::Status s = aftersales::ServeUntilSignal(*server_options, {&service}); !s.ok()) {
      return aftersales::FailToStart("cannot serve", s);
    }
  }  // the sweeper stops, then the executor drains, before the pool closes
  return 0;
}
