// The reviews service: reviews and seller feedback, outreach to unhappy reviewers, review
// requests, the banned-phrase filter, and the outbox that puts their messages on tickets.
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/channel.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/migrations.h"
#include "common/outbox.h"
#include "common/periodic.h"
#include "common/service_config.h"
#include "common/status.h"
#include "services/reviews/migrations.h"
#include "services/reviews/order_facts.h"
#include "services/reviews/outreach_outbox.h"
#include "services/reviews/phrase_rule_set.h"
#include "services/reviews/review_desk.h"
#include "services/reviews/reviews_service.h"

int main(int argc, char** argv) {
  aftersales::StartServerProcess("reviews");
  std::vector<aftersales::ConfigVar> vars =
      aftersales::ServiceConfigVars("127.0.0.1:50054", "aftersales_reviews");
  vars.push_back({"tickets_target", "127.0.0.1:50051", "the tickets service (host:port)"});
  vars.push_back({"returns_target", "127.0.0.1:50052", "the returns service (host:port)"});
  vars.push_back({"outbox_interval", "1s", "how often undelivered messages are retried and due review requests swept"});
  vars.push_back({"rules_refresh_interval", "1s", "how often the phrase rules' version is checked for an edit"});
  vars.push_back({"outreach_unanswered_wait", "48h",
                  "how long an unanswered outreach message holds back the next one"});
  aftersales::Config config("reviews", std::move(vars));
  aftersales::ParseConfigOrExit(config, argc, argv);

  absl::StatusOr<aftersales::DatabaseOptions> db_options = aftersales::DatabaseOptionsFromConfig(config);
  if (!db_options.ok()) return aftersales::FailToStart("bad configuration", db_options.status());
  absl::StatusOr<aftersales::ServerOptions> server_options = aftersales::ServerOptionsFromConfig(config);
  if (!server_options.ok()) return aftersales::FailToStart("bad configuration", server_options.status());
  absl::StatusOr<absl::Duration> outbox_interval = config.GetDuration("outbox_interval");
  if (!outbox_interval.ok()) return aftersales::FailToStart("bad configuration", outbox_interval.status());
  absl::StatusOr<absl::Duration> refresh_interval = config.GetDuration("rules_refresh_interval");
  if (!refresh_interval.ok()) return aftersales::FailToStart("bad configuration", refresh_interval.status());
  absl::StatusOr<absl::Duration> unanswered_wait = config.GetDuration("outreach_unanswered_wait");
  if (!unanswered_wait.ok()) return aftersales::FailToStart("bad configuration", unanswered_wait.status());

  // Two connections beyond the call workers, for the outbox, the sweeps and the rules' refresh:
  // background work never makes a call wait for a connection.
  const int workers = db_options->pool_size;
  db_options->pool_size = workers + 2;
  absl::StatusOr<std::unique_ptr<aftersales::Database>> db = aftersales::Database::Connect(*db_options);
  if (!db.ok()) return aftersales::FailToStart("cannot reach the database", db.status());
  absl::StatusOr<bool> migrated_only = aftersales::PrepareSchema(config, **db, aftersales::reviews::Migrations());
  if (!migrated_only.ok()) return aftersales::FailToStart("cannot migrate the database", migrated_only.status());
  if (*migrated_only) return 0;
  aftersales::reviews::PhraseRuleSet rules(**db);
  if (absl::Status s = rules.Refresh(); !s.ok()) {
    // Waiting for the migration Job: the rules load with the schema; until then every screen
    // answers UNAVAILABLE, never lets a message through.
    if (config.Get("migrations") != "wait") return aftersales::FailToStart("cannot load the phrase rules", s);
    aftersales::LogWarning("phrase rules not loaded yet", {{"error", std::string(s.message())}});
  }

  // CreateTicket and AddMessage carry an idempotency key from the outbox; the order reads are
  // reads: safe for the channels to retry.
  auto tickets = aftersales::MakeChannel(config.Get("tickets_target"),
                                         {{"aftersales.tickets.v1.TicketsService", "CreateTicket"},
                                          {"aftersales.tickets.v1.TicketsService", "AddMessage"},
                                          {"aftersales.tickets.v1.TicketsService", "GetOrderHistory"}});
  auto returns = aftersales::MakeChannel(config.Get("returns_target"),
                                         {{"aftersales.returns.v1.ReturnsService", "ListReturns"}});
  aftersales::reviews::ReviewDeskOptions desk_options;
  desk_options.unanswered_wait = *unanswered_wait;
  desk_options.read_order =
      aftersales::reviews::GrpcOrderFactsReader(tickets, returns, absl::Seconds(3), server_options->identity);
  aftersales::reviews::ReviewDesk desk(**db, rules, desk_options);
  aftersales::reviews::OutreachOutbox outbox(**db, tickets, server_options->identity);
  {
    aftersales::BoundedExecutor executor(workers, /*max_queued=*/4096);
    aftersales::AddPoolAndQueueGauges(**db, executor);
    // FAILED entries wait for a person.
    aftersales::AddOutboxGauge("Outreach messages and review requests in the outbox by state",
                               [&outbox] { return outbox.CountByState(); });
    aftersales::ServerMetrics::Get().AddGauge("aftersales_phrase_rules_version", "The phrase rule set in force",
                                              [&rules] {
                                                aftersales::GaugeSamples samples;
                                                if (auto current = rules.Current(); current != nullptr) {
                                                  samples.push_back({"", static_cast<double>(current->version())});
                                                }
                                                return samples;
                                              });
    aftersales::reviews::ReviewsService service(desk, executor);
    aftersales::PeriodicTask refresh("phrase_rules", *refresh_interval, [&rules] {
      if (absl::Status s = rules.Refresh(); !s.ok()) {
        aftersales::LogWarning("phrase rules not refreshed", {{"error", std::string(s.message())}});
      }
      return false;
    });
    aftersales::PeriodicTask delivery("outreach_outbox", *outbox_interval, [&outbox, &desk] {
      return aftersales::RunBackgroundSteps({
          {"outbox delivery", [&] { return outbox.DeliverDue(/*batch_size=*/20); }, 20},
          {"review request sweep", [&] { return desk.SweepReviewRequests(/*batch_size=*/20); }, 20},
          {"housekeeping", [&]() -> absl::StatusOr<int> {
             RETURN_IF_ERROR(desk.PurgeExpired());
             return 0;
           }},
      });
    });
    server_options->readiness_check = aftersales::SchemaAndDatabaseReadiness(**db, aftersales::reviews::Migrations());
    if (absl::Status s = aftersales::ServeUntilSignal(*server_options, {&service}); !s.ok()) {
      return aftersales::FailToStart("cannot serve", s);
    }
  }
  return 0;
}
