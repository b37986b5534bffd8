// The claims use cases against a real MariaDB, a real tickets service (orders, shipments,
// tracking, messages, the alert tickets the outbox opens) and a real returns service, as the
// claims service runs them.
#include <signal.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/channel.h"
#include "common/migrations.h"
#include "common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/claims/claim_desk.h"
#include "services/claims/claim_outbox.h"
#include "services/claims/evidence_reader.h"
#include "services/claims/migrations.h"
#include "services/tickets/order_reader.h"
#include "tests/support/child_process.h"
#include "tests/support/mariadb_environment.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/service_processes.h"
#include "tests/support/test_identity.h"

namespace aftersales::claims {
namespace {

using ::testing::HasSubstr;
using testing::MariaDbServer;

MariaDbServer* server = nullptr;
std::shared_ptr<grpc::Channel> tickets_channel;
std::shared_ptr<grpc::Channel> returns_channel;

const auto* const kDatabase = ::testing::AddGlobalTestEnvironment(new testing::MariaDbEnvironment(&server));
// The reviews service (it screens the tickets service's messages to buyers), tickets and
// returns, once for every case.
std::shared_ptr<grpc::Channel> reviews_channel;
const auto* const kServices = ::testing::AddGlobalTestEnvironment(new testing::ServiceProcessesEnvironment(
    "aftersales-claims-it-", &server,
    {{"reviews", REVIEWS_BINARY, &reviews_channel, {}},
     {"tickets", TICKETS_BINARY, &tickets_channel, {"--reviews_target=127.0.0.1:{port:reviews}"}},
     {"returns", RETURNS_BINARY, &returns_channel, {}}}));

Caller Agent() { return Caller{"agent-1", Role::kAgent, false, {"store-1"}}; }
Caller Supervisor() { return Caller{"super-1", Role::kSupervisor, false, {"store-1"}}; }
Caller OtherStoreAgent() { return Caller{"agent-9", Role::kAgent, false, {"store-9"}}; }

template <typename Call>
grpc::Status CallTickets(Call call) {
  auto stub = tickets::v1::TicketsService::NewStub(tickets_channel);
  grpc::ClientContext context;
  PrepareClientContext(context, absl::Seconds(10), testing::TestIdentity(Role::kService), "");
  return call(*stub, context);
}

class ClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    db_name_ = "cl_" + name.substr(0, 50);
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Connect(server->Options(db_name_));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    const absl::Status migrated = ApplyMigrations(*db_, Migrations());
    ASSERT_TRUE(migrated.ok()) << migrated;
    desk_ = NewDesk(returns_channel);
  }

  std::unique_ptr<ClaimDesk> NewDesk(std::shared_ptr<grpc::Channel> returns) {
    ClaimDeskOptions options;
    options.clock = [this] { return Now(); };
    options.read_order = tickets::TicketsOrderReader(tickets_channel, absl::Seconds(5), testing::TestSigner(), "claims");
    options.count_orders = GrpcOrderCounter(tickets_channel, absl::Seconds(5), testing::TestSigner());
    options.read_evidence =
        GrpcEvidenceReader(tickets_channel, std::move(returns), {absl::Seconds(5), absl::Seconds(2)}, testing::TestSigner());
    return std::make_unique<ClaimDesk>(*db_, options);
  }

  absl::Time Now() const { return absl::FromUnixMicros(now_micros_.load()); }
  void Advance(absl::Duration d) { now_micros_ += absl::ToInt64Microseconds(d); }

  int64_t Count(const std::string& sql) {
    absl::StatusOr<int64_t> n = db_->InTransaction<int64_t>([&](Transaction& tx) -> absl::StatusOr<int64_t> {
      absl::StatusOr<std::vector<Row>> rows = tx.Query(sql);
      if (!rows.ok()) return rows.status();
      return rows->front().Int(0);
    });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  // store-1's order, shipped with UPS and delivered to its ship-to city and postcode, with a
  // buyer question and the seller's tracking update.
  std::string PushDeliveredOrder() {
    const std::string order_id =
        absl::StrCat("115-", db_name_.size(), "-", next_order_++, "-", absl::ToUnixMicros(absl::Now()) % 100000000);
    tracking_ = absl::StrCat("1Z", order_id);
    grpc::Status s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::PutOrderRequest put;
      put.set_store_id("store-1");
      put.set_order_id(order_id);
      tickets::v1::Order* o = put.mutable_order();
      o->set_marketplace(common::v1::AMAZON);
      o->set_site("US");
      o->mutable_buyer()->set_buyer_id("buyer-1");
      o->mutable_buyer()->set_name("Anna Example");
      o->mutable_ship_to()->set_city("Portland");
      o->mutable_ship_to()->set_postcode("97201");
      o->mutable_ship_to()->set_country("US");
      *o->mutable_ordered_at() = ToProtoTime(absl::Now() - absl::Hours(24 * 20));
      auto* item = o->add_items();
      item->set_sku("LAMP-1");
      item->set_title("Reading Lamp");
      item->set_quantity(1);
      item->mutable_price()->set_currency_code("USD");
      item->mutable_price()->set_amount_minor(6000);
      tickets::v1::PutOrderResponse resp;
      return stub.PutOrder(&context, put, &resp);
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::string shipment_id;
    s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::AddShipmentRequest add;
      add.set_store_id("store-1");
      add.set_order_id(order_id);
      add.set_carrier("UPS");
      add.set_tracking_number(tracking_);
      tickets::v1::AddShipmentResponse resp;
      grpc::Status st = stub.AddShipment(&context, add, &resp);
      shipment_id = resp.shipment().shipment_id();
      return st;
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::AddTrackingEventRequest event;
      event.set_store_id("store-1");
      event.set_order_id(order_id);
      event.set_shipment_id(shipment_id);
      event.mutable_event()->set_code("DELIVERED");
      event.mutable_event()->set_city("Portland");
      event.mutable_event()->set_postcode("97201");
      event.mutable_event()->set_country("US");
      *event.mutable_event()->mutable_occurred_at() = ToProtoTime(absl::Now() - absl::Hours(24 * 10));
      tickets::v1::AddTrackingEventResponse resp;
      return stub.AddTrackingEvent(&context, event, &resp);
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::string ticket_id;
    s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::CreateTicketRequest create;
      create.set_store_id("store-1");
      create.mutable_order()->set_marketplace(common::v1::AMAZON);
      create.mutable_order()->set_site("US");
      create.mutable_order()->set_order_id(order_id);
      create.mutable_buyer()->set_buyer_id("buyer-1");
      create.set_category(tickets::v1::LOGISTICS_DELIVERED_NOT_RECEIVED);
      create.set_channel(tickets::v1::MARKETPLACE_MESSAGE);
      create.set_subject("Where is my lamp?");
      create.set_body("我还没有收到包裹，请帮我查一下");
      tickets::v1::CreateTicketResponse resp;
      grpc::Status st = stub.CreateTicket(&context, create, &resp);
      ticket_id = resp.ticket().ticket_id();
      return st;
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::AddMessageRequest reply;
      reply.set_ticket_id(ticket_id);
      reply.set_direction(tickets::v1::Message::OUTBOUND);
      reply.set_body(absl::StrCat("Your lamp was delivered by UPS, tracking ", tracking_, "."));
      tickets::v1::AddMessageResponse resp;
      return stub.AddMessage(&context, reply, &resp);
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    return order_id;
  }

  v1::CreateClaimRequest ClaimOn(const std::string& order_id, const std::string& marketplace_id) {
    v1::CreateClaimRequest c;
    c.set_store_id("store-1");
    c.set_marketplace_claim_id(marketplace_id);
    c.mutable_order()->set_marketplace(common::v1::AMAZON);
    c.mutable_order()->set_site("US");
    c.mutable_order()->set_order_id(order_id);
    c.set_kind(v1::A_TO_Z);
    c.set_reason(v1::NOT_RECEIVED);
    c.mutable_amount()->set_currency_code("USD");
    c.mutable_amount()->set_amount_minor(6000);
    *c.mutable_opened_at() = ToProtoTime(Now());
    return c;
  }

  v1::Claim Create(const v1::CreateClaimRequest& request) {
    v1::CreateClaimResponse response;
    const absl::Status s = desk_->CreateClaim(Agent(), request, &response);
    EXPECT_TRUE(s.ok()) << s;
    return response.claim();
  }

  std::string db_name_;
  std::string tracking_;
  int next_order_ = 0;
  std::atomic<int64_t> now_micros_{absl::ToUnixMicros(absl::Now())};
  std::unique_ptr<Database> db_;
  std::unique_ptr<ClaimDesk> desk_;
};

TEST_F(ClaimsTest, AClaimIsRecordedOnceWithItsDeadlineAndBadInputChangesNothing) {
  const std::string order_id = PushDeliveredOrder();
  const v1::Claim claim = Create(ClaimOn(order_id, "AZ-1"));
  EXPECT_EQ(claim.status(), v1::Claim::OPEN);
  EXPECT_EQ(FromProtoTime(claim.respond_by()) - FromProtoTime(claim.opened_at()), absl::Hours(72));
  EXPECT_TRUE(claim.counts_as_defect()) << "an undecided A-to-z claim counts";
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM claim_alerts WHERE claim_id = '", claim.claim_id(), "'")), 3);

  // The marketplace's id again: the same claim, nothing new.
  v1::CreateClaimResponse again;
  ASSERT_TRUE(desk_->CreateClaim(Agent(), ClaimOn(order_id, "AZ-1"), &again).ok());
  EXPECT_TRUE(again.existing());
  EXPECT_EQ(again.claim().claim_id(), claim.claim_id());

  v1::CreateClaimResponse refused;
  const absl::Status unknown = desk_->CreateClaim(Agent(), ClaimOn("no-such-order", "AZ-2"), &refused);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kFailedPrecondition) << unknown;
  EXPECT_THAT(std::string(unknown.message()), HasSubstr("no-such-order"));
  v1::CreateClaimRequest mismatched = ClaimOn(order_id, "AZ-3");
  mismatched.set_reason(v1::UNAUTHORIZED_TRANSACTION);
  const absl::Status pair = desk_->CreateClaim(Agent(), mismatched, &refused);
  EXPECT_EQ(pair.code(), absl::StatusCode::kInvalidArgument) << pair;
  EXPECT_THAT(std::string(pair.message()), HasSubstr("A_TO_Z"));
  EXPECT_THAT(std::string(pair.message()), HasSubstr("UNAUTHORIZED_TRANSACTION"));
  const absl::Status foreign = desk_->CreateClaim(OtherStoreAgent(), ClaimOn(order_id, "AZ-4"), &refused);
  EXPECT_EQ(foreign.code(), absl::StatusCode::kPermissionDenied) << foreign;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM claims"), 1);

  // eBay: 3 business days, so a Friday claim is due at the end of Wednesday (site zone).
  v1::CreateClaimRequest ebay = ClaimOn(order_id, "EB-1");
  ebay.set_kind(v1::EBAY_MONEY_BACK);
  ebay.mutable_order()->set_marketplace(common::v1::EBAY);
  absl::TimeZone honolulu;
  ASSERT_TRUE(absl::LoadTimeZone("Pacific/Honolulu", &honolulu));
  *ebay.mutable_opened_at() = ToProtoTime(absl::FromCivil(absl::CivilSecond(2026, 11, 27, 10, 0, 0), honolulu));
  const v1::Claim ebay_claim = Create(ebay);
  EXPECT_EQ(FromProtoTime(ebay_claim.respond_by()), absl::FromCivil(absl::CivilDay(2026, 12, 3), honolulu));
}

TEST_F(ClaimsTest, APacketGathersTheEvidenceAndExportsAsDocuments) {
  const std::string order_id = PushDeliveredOrder();
  const v1::Claim claim = Create(ClaimOn(order_id, "AZ-10"));
  v1::BuildPacketRequest build;
  build.set_claim_id(claim.claim_id());
  v1::BuildPacketResponse built;
  const absl::Status s = desk_->BuildPacket(Agent(), build, &built);
  ASSERT_TRUE(s.ok()) << s;
  const v1::Packet& packet = built.packet();
  EXPECT_FALSE(packet.partial()) << packet.DebugString();
  EXPECT_EQ(packet.claim().claim_id(), claim.claim_id());
  EXPECT_EQ(packet.order().ship_to_postcode(), "97201");
  EXPECT_THAT(packet.statement(), HasSubstr(tracking_));
  EXPECT_THAT(packet.statement(), ::testing::Not(HasSubstr("Anna")));
  bool saw_message = false;
  for (const v1::TimelineEvent& e : packet.timeline()) saw_message |= e.text().find("我还没有收到包裹") != std::string::npos;
  EXPECT_TRUE(saw_message) << "the buyer's message is on the timeline";
  EXPECT_EQ(packet.recommendation(), v1::Packet::REPRESENT) << packet.DebugString();

  v1::GetPacketRequest get;
  get.set_claim_id(claim.claim_id());
  v1::GetPacketResponse latest;
  ASSERT_TRUE(desk_->GetPacket(Agent(), get, &latest).ok());
  EXPECT_EQ(latest.packet().built_at().seconds(), packet.built_at().seconds());
  // Every build is kept.
  ASSERT_TRUE(desk_->BuildPacket(Agent(), build, &built).ok());
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM claim_packets WHERE claim_id = '", claim.claim_id(), "'")), 2);

  for (auto [format, type] : {std::pair{"json", "application/json"}, std::pair{"html", "text/html"},
                              std::pair{"pdf", "application/pdf"}}) {
    v1::ExportPacketRequest exp;
    exp.set_claim_id(claim.claim_id());
    exp.set_format(format);
    std::string content_type, data;
    const absl::Status exported = desk_->ExportPacket(Agent(), exp, &content_type, &data);
    ASSERT_TRUE(exported.ok()) << format << ": " << exported;
    EXPECT_THAT(content_type, HasSubstr(type));
    EXPECT_FALSE(data.empty());
  }
  v1::ExportPacketRequest xml;
  xml.set_claim_id(claim.claim_id());
  xml.set_format("xml");
  std::string content_type, data;
  const absl::Status bad = desk_->ExportPacket(Agent(), xml, &content_type, &data);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
  EXPECT_THAT(std::string(bad.message()), HasSubstr("format"));
}

TEST_F(ClaimsTest, APacketWithReturnsDownIsPartialAndNamesIt) {
  const std::string order_id = PushDeliveredOrder();
  const v1::Claim claim = Create(ClaimOn(order_id, "AZ-20"));
  // Nothing listens on this port: the returns service is down.
  std::unique_ptr<ClaimDesk> desk = NewDesk(MakeChannel(absl::StrCat("127.0.0.1:", testing::FreePort()), {}));
  v1::BuildPacketRequest build;
  build.set_claim_id(claim.claim_id());
  v1::BuildPacketResponse built;
  const absl::Status s = desk->BuildPacket(Agent(), build, &built);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(built.packet().partial());
  ASSERT_EQ(built.packet().missing_sections_size(), 1) << built.packet().DebugString();
  EXPECT_EQ(built.packet().missing_sections(0).source(), "returns");
  EXPECT_THAT(built.packet().missing_sections(0).reason(), HasSubstr("returns"));
  EXPECT_NE(built.packet().recommendation(), v1::Packet::REPRESENT);
}

TEST_F(ClaimsTest, AlertsAreRaisedOnceByTwoSweepersAndOpenTickets) {
  const std::string order_id = PushDeliveredOrder();
  const v1::Claim claim = Create(ClaimOn(order_id, "AZ-30"));
  Advance(absl::Hours(73));
  std::unique_ptr<ClaimDesk> other = NewDesk(returns_channel);
  std::atomic<int> handled{0};
  std::vector<std::thread> sweepers;
  for (ClaimDesk* d : {desk_.get(), other.get()}) {
    sweepers.emplace_back([d, &handled] {
      for (int i = 0; i < 5; ++i) {
        absl::StatusOr<int> n = d->SweepAlerts(1);
        if (n.ok()) handled += *n;
      }
    });
  }
  for (std::thread& t : sweepers) t.join();
  EXPECT_EQ(handled.load(), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM claim_alerts WHERE state = 'RAISED'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 3);
  v1::GetClaimRequest get;
  get.set_claim_id(claim.claim_id());
  v1::GetClaimResponse got;
  ASSERT_TRUE(desk_->GetClaim(Agent(), get, &got).ok());
  EXPECT_EQ(got.claim().status(), v1::Claim::EXPIRED);

  ClaimOutbox outbox(*db_, tickets_channel, testing::TestSigner(), [this] { return Now(); });
  absl::StatusOr<int> delivered = outbox.DeliverDue(10);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(*delivered, 3);
  ASSERT_TRUE(desk_->GetClaim(Agent(), get, &got).ok());
  EXPECT_FALSE(got.claim().ticket_id().empty());
  // The alert tickets stand in the queue, and a packet leaves them out of the evidence.
  v1::BuildPacketRequest build;
  build.set_claim_id(claim.claim_id());
  v1::BuildPacketResponse built;
  ASSERT_TRUE(desk_->BuildPacket(Agent(), build, &built).ok());
  for (const v1::TimelineEvent& e : built.packet().timeline()) {
    EXPECT_THAT(e.text(), ::testing::Not(HasSubstr("raised automatically"))) << e.ShortDebugString();
  }
}

TEST_F(ClaimsTest, OutcomesAppealsAndTheDefectRate) {
  const std::string order_id = PushDeliveredOrder();
  const v1::Claim won = Create(ClaimOn(order_id, "AZ-40"));
  const v1::Claim withdrawn_early = Create(ClaimOn(order_id, "AZ-41"));
  const v1::Claim withdrawn_late = Create(ClaimOn(order_id, "AZ-42"));
  const v1::Claim lost = Create(ClaimOn(order_id, "AZ-43"));
  const auto decide = [&](const v1::Claim& c, v1::ClaimOutcome outcome, absl::Duration after) {
    v1::RecordOutcomeRequest r;
    r.set_claim_id(c.claim_id());
    r.set_outcome(outcome);
    *r.mutable_decided_at() = ToProtoTime(FromProtoTime(c.opened_at()) + after);
    v1::RecordOutcomeResponse resp;
    const absl::Status s = desk_->RecordOutcome(Agent(), r, &resp);
    EXPECT_TRUE(s.ok()) << s;
    return resp.claim();
  };
  Advance(absl::Hours(24 * 5));
  EXPECT_FALSE(decide(won, v1::WON, absl::Hours(40)).counts_as_defect());
  EXPECT_FALSE(decide(withdrawn_early, v1::WITHDRAWN, absl::Hours(24 * 2)).counts_as_defect());
  EXPECT_TRUE(decide(withdrawn_late, v1::WITHDRAWN, absl::Hours(24 * 4)).counts_as_defect());
  const v1::Claim lost_now = decide(lost, v1::LOST, absl::Hours(70));
  EXPECT_TRUE(lost_now.counts_as_defect());
  EXPECT_TRUE(lost_now.has_appeal_by());
  // Decided: the pending alerts are cancelled, none will fire.
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM claim_alerts WHERE state = 'PENDING' AND claim_id = '",
                               lost.claim_id(), "'")),
            0);

  v1::RecordOutcomeRequest twice;
  twice.set_claim_id(won.claim_id());
  twice.set_outcome(v1::LOST);
  v1::RecordOutcomeResponse ignored;
  EXPECT_EQ(desk_->RecordOutcome(Agent(), twice, &ignored).code(), absl::StatusCode::kFailedPrecondition);

  v1::AppealClaimRequest appeal;
  appeal.set_claim_id(won.claim_id());
  appeal.set_reason("The delivery scan shows the parcel at the buyer's door.");
  v1::AppealClaimResponse appealed;
  EXPECT_EQ(desk_->AppealClaim(Supervisor(), appeal, &appealed).code(), absl::StatusCode::kFailedPrecondition)
      << "only a LOST claim is appealed";
  appeal.set_claim_id(lost.claim_id());
  const absl::Status first = desk_->AppealClaim(Supervisor(), appeal, &appealed);
  ASSERT_TRUE(first.ok()) << first;
  EXPECT_EQ(appealed.claim().status(), v1::Claim::APPEALED);
  EXPECT_EQ(FromProtoTime(appealed.claim().appeal_respond_by()), Now() + absl::Hours(72));
  EXPECT_EQ(desk_->AppealClaim(Supervisor(), appeal, &appealed).code(), absl::StatusCode::kFailedPrecondition);
  v1::RecordOutcomeRequest after_appeal;
  after_appeal.set_claim_id(lost.claim_id());
  after_appeal.set_outcome(v1::WON);
  v1::RecordOutcomeResponse overturned;
  ASSERT_TRUE(desk_->RecordOutcome(Agent(), after_appeal, &overturned).ok());
  EXPECT_EQ(overturned.claim().status(), v1::Claim::DECIDED);
  EXPECT_FALSE(overturned.claim().counts_as_defect()) << "won on appeal";

  // A LOST claim past its 30 days cannot be appealed.
  const v1::Claim old = Create(ClaimOn(order_id, "AZ-44"));
  Advance(absl::Hours(2));
  decide(old, v1::LOST, absl::Hours(1));
  Advance(absl::Hours(24 * 31));
  appeal.set_claim_id(old.claim_id());
  const absl::Status late = desk_->AppealClaim(Supervisor(), appeal, &appealed);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition) << late;
  EXPECT_THAT(std::string(late.message()), HasSubstr("until"));

  v1::GetClaimStatsRequest stats_request;
  stats_request.set_store_id("store-1");
  *stats_request.mutable_from() = ToProtoTime(Now() - absl::Hours(24 * 60));
  *stats_request.mutable_to() = ToProtoTime(Now() + absl::Hours(1));
  v1::GetClaimStatsResponse stats;
  const absl::Status counted = desk_->GetClaimStats(Supervisor(), stats_request, &stats);
  ASSERT_TRUE(counted.ok()) << counted;
  EXPECT_EQ(stats.claims(), 5);
  // Withdrawn late and the old LOST one count; won, withdrawn early and won on appeal do not.
  EXPECT_EQ(stats.defect_claims(), 2) << stats.DebugString();
  EXPECT_THAT(stats.defect_claim_ids(), ::testing::UnorderedElementsAre(withdrawn_late.claim_id(), old.claim_id()));
  EXPECT_GE(stats.orders(), 1);
  EXPECT_NEAR(stats.win_rate_percent(), 66.67, 0.01) << "2 won of 3 decided won or lost";
}

}  // namespace
}  // namespace aftersales::claims
