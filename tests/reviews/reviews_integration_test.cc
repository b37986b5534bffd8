// The reviews use cases against a real MariaDB (with the seeded rule set), a real tickets
// service (orders, deliveries, the outreach threads the outbox opens) and a real returns service
// (an order's refunds), as the reviews service runs them.
#include <signal.h>

#include <atomic>
#include <memory>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/channel.h"
#include "common/migrations.h"
#include "common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reviews/migrations.h"
#include "services/reviews/order_facts.h"
#include "services/reviews/outreach_outbox.h"
#include "services/reviews/phrase_rule_set.h"
#include "services/reviews/review_desk.h"
#include "tests/support/child_process.h"
#include "tests/support/mariadb_environment.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/service_processes.h"
#include "tests/support/test_identity.h"

namespace aftersales::reviews {
namespace {

using ::testing::HasSubstr;
using testing::MariaDbServer;

MariaDbServer* server = nullptr;
std::shared_ptr<grpc::Channel> tickets_channel;
std::shared_ptr<grpc::Channel> returns_channel;

const auto* const kDatabase = ::testing::AddGlobalTestEnvironment(new testing::MariaDbEnvironment(&server));
// The tickets and returns services, once for every case.
const auto* const kServices = ::testing::AddGlobalTestEnvironment(new testing::ServiceProcessesEnvironment(
    "aftersales-reviews-it-", &server,
    {{"tickets", TICKETS_BINARY, &tickets_channel, {}}, {"returns", RETURNS_BINARY, &returns_channel, {}}}));

Caller Admin() { return Caller{"admin-1", Role::kAdmin, true, {}}; }
Caller Agent() { return Caller{"agent-1", Role::kAgent, false, {"store-1"}}; }
Caller Sync() { return Caller{"order-sync", Role::kService, true, {}}; }

template <typename Call>
grpc::Status CallTickets(Call call) {
  auto stub = tickets::v1::TicketsService::NewStub(tickets_channel);
  grpc::ClientContext context;
  PrepareClientContext(context, absl::Seconds(10), testing::TestIdentity(Role::kService), "");
  return call(*stub, context);
}

class ReviewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    db_name_ = "rv_" + name.substr(0, 50);
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Connect(server->Options(db_name_));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    const absl::Status migrated = ApplyMigrations(*db_, Migrations());
    ASSERT_TRUE(migrated.ok()) << migrated;
    rules_ = std::make_unique<PhraseRuleSet>(*db_);
    const absl::Status loaded = rules_->Refresh();
    ASSERT_TRUE(loaded.ok()) << loaded;
    desk_ = NewDesk(*rules_);
    outbox_ = std::make_unique<OutreachOutbox>(*db_, tickets_channel, testing::TestSigner(), [this] { return Now(); });
  }

  std::unique_ptr<ReviewDesk> NewDesk(PhraseRuleSet& rules) {
    ReviewDeskOptions options;
    options.clock = [this] { return Now(); };
    options.read_order = GrpcOrderFactsReader(tickets_channel, returns_channel, absl::Seconds(5), testing::TestSigner());
    return std::make_unique<ReviewDesk>(*db_, rules, options);
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

  // Order sync pushes store-1's order, optionally delivered `delivered_ago` ago.
  std::string PushOrder(std::optional<absl::Duration> delivered_ago = std::nullopt) {
    const std::string order_id = absl::StrCat("114-", db_name_.size(), "-", next_order_++, "-", absl::ToUnixMicros(absl::Now()) % 100000000);
    grpc::Status s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::PutOrderRequest put;
      put.set_store_id("store-1");
      put.set_order_id(order_id);
      put.mutable_order()->set_marketplace(common::v1::AMAZON);
      put.mutable_order()->set_site("US");
      put.mutable_order()->mutable_buyer()->set_buyer_id("buyer-1");
      put.mutable_order()->mutable_buyer()->set_name("Anna");
      put.mutable_order()->mutable_buyer()->set_language("en");
      auto* item = put.mutable_order()->add_items();
      item->set_sku("LAMP-1");
      item->set_title("Reading Lamp");
      item->set_quantity(1);
      item->mutable_price()->set_currency_code("USD");
      item->mutable_price()->set_amount_minor(6000);
      tickets::v1::PutOrderResponse resp;
      return stub.PutOrder(&context, put, &resp);
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!delivered_ago.has_value()) return order_id;
    std::string shipment_id;
    s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::AddShipmentRequest add;
      add.set_store_id("store-1");
      add.set_order_id(order_id);
      add.set_carrier("UPS");
      add.set_tracking_number(absl::StrCat("1Z", order_id));
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
      *event.mutable_event()->mutable_occurred_at() = ToProtoTime(absl::Now() - *delivered_ago);
      tickets::v1::AddTrackingEventResponse resp;
      return stub.AddTrackingEvent(&context, event, &resp);
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    return order_id;
  }

  v1::IngestReviewRequest Review(const std::string& order_id, int rating, const std::string& id,
                                 v1::Review::Kind kind = v1::Review::PRODUCT_REVIEW) {
    v1::IngestReviewRequest r;
    r.set_marketplace_review_id(id);
    r.set_store_id("store-1");
    r.mutable_order()->set_marketplace(common::v1::AMAZON);
    r.mutable_order()->set_site("US");
    r.mutable_order()->set_order_id(order_id);
    r.set_kind(kind);
    r.set_product_id("B0LAMP");
    r.set_product_title("Reading Lamp");
    r.set_buyer_id("buyer-1");
    r.set_rating(rating);
    r.set_title("Too dim");
    r.set_body("The lamp is much dimmer than the pictures.");
    r.set_language("en");
    *r.mutable_posted_at() = ToProtoTime(Now() - absl::Minutes(5));
    return r;
  }

  v1::IngestReviewResponse Ingest(const v1::IngestReviewRequest& r) {
    v1::IngestReviewResponse resp;
    const absl::Status s = desk_->IngestReview(Sync(), r, &resp);
    EXPECT_TRUE(s.ok()) << s;
    return resp;
  }

  absl::StatusOr<v1::SendOutreachMessageResponse> Send(const std::string& case_id, const std::string& body,
                                                       const std::string& key = "") {
    v1::SendOutreachMessageRequest r;
    r.set_case_id(case_id);
    r.set_body(body);
    v1::SendOutreachMessageResponse resp;
    bool replayed = false;
    absl::Status s = desk_->SendOutreachMessage(Agent(), key, r, &resp, &replayed);
    if (!s.ok()) return s;
    return resp;
  }

  tickets::v1::Ticket Ticket(const std::string& ticket_id) {
    tickets::v1::GetTicketResponse resp;
    grpc::Status s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
      tickets::v1::GetTicketRequest get;
      get.set_ticket_id(ticket_id);
      return stub.GetTicket(&context, get, &resp);
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.ticket();
  }

  v1::OutreachCase Case(const std::string& case_id) {
    v1::GetOutreachCaseRequest get;
    get.set_case_id(case_id);
    v1::GetOutreachCaseResponse resp;
    EXPECT_TRUE(desk_->GetOutreachCase(Agent(), get, &resp).ok());
    return resp.outreach_case();
  }

  std::string db_name_;
  int next_order_ = 1;
  std::atomic<int64_t> now_micros_{absl::ToUnixMicros(absl::Now())};
  std::unique_ptr<Database> db_;
  std::unique_ptr<PhraseRuleSet> rules_;
  std::unique_ptr<ReviewDesk> desk_;
  std::unique_ptr<OutreachOutbox> outbox_;
};

TEST_F(ReviewsTest, ANegativeReviewOpensOneCaseDueIn24HoursAndARepeatDeliveryChangesNothing) {
  const std::string order = PushOrder();
  const v1::IngestReviewResponse first = Ingest(Review(order, 2, "R-neg-1"));
  ASSERT_FALSE(first.outreach_case().case_id().empty());
  EXPECT_FALSE(first.already_known());
  EXPECT_EQ(first.review().status(), v1::Review::OUTREACH_OPEN);
  EXPECT_EQ(first.outreach_case().status(), v1::OutreachCase::OPEN);
  EXPECT_EQ(FromProtoTime(first.outreach_case().first_contact_due_at()), Now() + absl::Hours(24));
  // No ticket about the order before the review: the buyer never reached us first.
  EXPECT_EQ(first.outreach_case().cause(), v1::NO_CONTACT_BEFORE_REVIEW);

  const v1::IngestReviewResponse again = Ingest(Review(order, 2, "R-neg-1"));
  EXPECT_TRUE(again.already_known());
  EXPECT_EQ(again.review().review_id(), first.review().review_id());
  EXPECT_EQ(again.outreach_case().case_id(), first.outreach_case().case_id());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reviews"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outreach_cases"), 1);

  // The buyer raises the rating on their own: recorded as a change.
  const v1::IngestReviewResponse changed = Ingest(Review(order, 4, "R-neg-1"));
  ASSERT_EQ(changed.review().rating_changes_size(), 1);
  EXPECT_EQ(changed.review().rating_changes(0).from_rating(), 2);
  EXPECT_EQ(changed.review().rating_changes(0).to_rating(), 4);

  // A positive review opens nothing.
  const v1::IngestReviewResponse happy = Ingest(Review(PushOrder(), 5, "R-pos-1"));
  EXPECT_TRUE(happy.outreach_case().case_id().empty());
  EXPECT_EQ(happy.review().status(), v1::Review::NO_OUTREACH);

  // Lists: by store, filtered, due soonest first.
  v1::ListOutreachCasesRequest list;
  list.set_store_id("store-1");
  v1::ListOutreachCasesResponse cases;
  ASSERT_TRUE(desk_->ListOutreachCases(Agent(), list, &cases).ok());
  EXPECT_EQ(cases.cases_size(), 1);
  v1::ListReviewsRequest reviews;
  reviews.set_store_id("store-1");
  reviews.set_rating(5);
  v1::ListReviewsResponse listed;
  ASSERT_TRUE(desk_->ListReviews(Agent(), reviews, &listed).ok());
  ASSERT_EQ(listed.reviews_size(), 1);
  EXPECT_EQ(listed.reviews(0).marketplace_review_id(), "R-pos-1");
  reviews.set_store_id("store-2");
  EXPECT_EQ(desk_->ListReviews(Agent(), reviews, &listed).code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(ReviewsTest, OutreachGoesOutOnceOnItsOwnTicketAtMostOneUnansweredMessagePer48Hours) {
  const std::string order = PushOrder();
  const std::string case_id = Ingest(Review(order, 1, "R-life-1")).outreach_case().case_id();

  v1::DraftOutreachRequest draft;
  draft.set_case_id(case_id);
  draft.set_remedy(v1::REPLACEMENT);
  draft.set_buyer_name("Anna");
  draft.set_store_name("Bright Home");
  v1::DraftOutreachResponse drafted;
  ASSERT_TRUE(desk_->DraftOutreach(Agent(), draft, &drafted).ok());
  EXPECT_THAT(drafted.body(), HasSubstr("Anna"));
  EXPECT_THAT(drafted.body(), HasSubstr("Reading Lamp"));
  EXPECT_TRUE(drafted.screening().allowed());

  absl::StatusOr<v1::SendOutreachMessageResponse> sent = Send(case_id, drafted.body(), "send-1");
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->outreach_case().status(), v1::OutreachCase::WAITING_ON_BUYER);
  EXPECT_FALSE(sent->message().delivered());
  // A retry with the same key sends nothing twice.
  const absl::Status retried = Send(case_id, drafted.body(), "send-1").status();
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 1);

  // At most one unanswered message per 48 hours.
  Advance(absl::Hours(47));
  absl::StatusOr<v1::SendOutreachMessageResponse> early = Send(case_id, "Did the replacement arrive?");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(early.status().message()), HasSubstr("unanswered"));

  // Delivered once: a ticket of its own, the seller's message first, nobody's reply clock.
  absl::StatusOr<int> delivered = outbox_->DeliverDue(10);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(*delivered, 1);
  const v1::OutreachCase after = Case(case_id);
  ASSERT_FALSE(after.ticket_id().empty());
  EXPECT_TRUE(after.messages(0).delivered());
  tickets::v1::Ticket thread = Ticket(after.ticket_id());
  EXPECT_EQ(thread.category(), tickets::v1::REVIEW_OUTREACH);
  EXPECT_EQ(thread.status(), tickets::v1::Ticket::WAITING_ON_BUYER);
  EXPECT_FALSE(thread.has_reply_due_at());
  EXPECT_FALSE(thread.has_follow_up_at()) << "no automatic reminder about a review";
  ASSERT_EQ(thread.messages_size(), 1);
  EXPECT_EQ(thread.messages(0).direction(), tickets::v1::Message::OUTBOUND);
  EXPECT_EQ(thread.messages(0).body(), drafted.body());

  // The buyer answers: the next message may go at once, on the same ticket.
  v1::RecordBuyerReplyRequest reply;
  reply.set_case_id(case_id);
  reply.set_body("Thanks, that would be great.");
  v1::RecordBuyerReplyResponse replied;
  ASSERT_TRUE(desk_->RecordBuyerReply(Agent(), reply, &replied).ok());
  EXPECT_EQ(replied.outreach_case().status(), v1::OutreachCase::BUYER_REPLIED);
  ASSERT_TRUE(Send(case_id, "The replacement ships today with tracking on your order page.").ok());
  EXPECT_EQ(outbox_->DeliverDue(10).value_or(-1), 1);
  EXPECT_EQ(Ticket(after.ticket_id()).messages_size(), 2);

  v1::CloseOutreachRequest close;
  close.set_case_id(case_id);
  close.set_outcome(v1::OutreachCase::RESOLVED);
  v1::CloseOutreachResponse closed;
  ASSERT_TRUE(desk_->CloseOutreach(Agent(), close, &closed).ok());
  EXPECT_EQ(closed.outreach_case().status(), v1::OutreachCase::CLOSED);
  EXPECT_EQ(desk_->CloseOutreach(Agent(), close, &closed).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Send(case_id, "One more thing").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReviewsTest, ABlockedMessageIsRefusedWithItsFindingsAndLeavesNothing) {
  const std::string case_id = Ingest(Review(PushOrder(), 2, "R-block-1")).outreach_case().case_id();
  absl::StatusOr<v1::SendOutreachMessageResponse> sent =
      Send(case_id, "We are sorry! Could you please remove your review? We will refund you.");
  ASSERT_EQ(sent.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(sent.status().message()), HasSubstr("REVIEW_REMOVAL_OR_CHANGE"));
  EXPECT_THAT(std::string(sent.status().message()), HasSubstr("remove your review"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 0);
  EXPECT_EQ(Case(case_id).messages_size(), 0);
  EXPECT_EQ(Case(case_id).status(), v1::OutreachCase::OPEN);
}

TEST_F(ReviewsTest, AnOptOutStopsEveryFurtherMessage) {
  const std::string case_id = Ingest(Review(PushOrder(), 3, "R-opt-1")).outreach_case().case_id();
  // A message still waiting for the tickets service when the buyer opts out never goes.
  ASSERT_TRUE(Send(case_id, "We are sorry about the lamp; a replacement is on its way.").ok());
  v1::OptOutRequest opt;
  opt.set_case_id(case_id);
  v1::OptOutResponse opted;
  ASSERT_TRUE(desk_->OptOut(Agent(), opt, &opted).ok());
  EXPECT_TRUE(opted.outreach_case().opted_out());
  absl::StatusOr<v1::SendOutreachMessageResponse> sent = Send(case_id, "We are sorry about the lamp.");
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(sent.status().message()), HasSubstr("not to be contacted"));
  // The same buyer's next order gets no review request either.
  v1::RequestReviewRequest request;
  request.set_store_id("store-1");
  request.set_order_id(PushOrder(absl::Hours(24 * 7)));
  v1::RequestReviewResponse requested;
  const absl::Status refused = desk_->RequestReview(Agent(), request, &requested);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("not to be contacted"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE state = 'PENDING'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE state = 'FAILED' AND last_error LIKE 'cancelled%'"), 1);
  EXPECT_EQ(outbox_->DeliverDue(10).value_or(-1), 0);
}

TEST_F(ReviewsTest, ReviewRequestsGoOncePerOrderFiveToThirtyDaysAfterDelivery) {
  v1::RequestReviewRequest request;
  request.set_store_id("store-1");
  v1::RequestReviewResponse requested;

  request.set_order_id(PushOrder());
  EXPECT_THAT(std::string(desk_->RequestReview(Agent(), request, &requested).message()), HasSubstr("no delivery"));
  request.set_order_id(PushOrder(absl::Hours(24 * 31)));
  EXPECT_THAT(std::string(desk_->RequestReview(Agent(), request, &requested).message()), HasSubstr("too late"));

  const std::string order = PushOrder(absl::Hours(24 * 2));
  request.set_order_id(order);
  const absl::Status early = desk_->RequestReview(Agent(), request, &requested);
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(early.message()), HasSubstr("too early"));
  // Scheduling needs the store's setting on.
  request.set_schedule(true);
  EXPECT_THAT(std::string(desk_->RequestReview(Agent(), request, &requested).message()),
              HasSubstr("scheduled review requests on"));
  v1::PutReviewRequestSettingsRequest put;
  put.set_store_id("store-1");
  put.mutable_settings()->set_scheduled(true);
  put.mutable_settings()->set_days_after_delivery(4);
  v1::PutReviewRequestSettingsResponse stored;
  EXPECT_EQ(desk_->PutReviewRequestSettings(Admin(), put, &stored).code(), absl::StatusCode::kInvalidArgument);
  put.mutable_settings()->set_days_after_delivery(6);
  ASSERT_TRUE(desk_->PutReviewRequestSettings(Admin(), put, &stored).ok());
  ASSERT_TRUE(desk_->RequestReview(Agent(), request, &requested).ok());
  ASSERT_TRUE(requested.has_scheduled_for());
  EXPECT_FALSE(requested.has_message());

  // Nothing before its day; then the sweep sends it, once.
  EXPECT_EQ(desk_->SweepReviewRequests(10).value_or(-1), 0);
  Advance(FromProtoTime(requested.scheduled_for()) - Now() + absl::Minutes(1));
  EXPECT_EQ(desk_->SweepReviewRequests(10).value_or(-1), 1);
  EXPECT_EQ(desk_->SweepReviewRequests(10).value_or(-1), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE kind = 'review_request'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM review_requests WHERE state = 'SENT'"), 1);
  request.set_schedule(false);
  EXPECT_THAT(std::string(desk_->RequestReview(Agent(), request, &requested).message()), HasSubstr("already"));
  EXPECT_EQ(outbox_->DeliverDue(10).value_or(-1), 1);

  // Never to a buyer with an open ticket about the order.
  const std::string troubled = PushOrder(absl::Hours(24 * 10));
  grpc::Status s = CallTickets([&](auto& stub, grpc::ClientContext& context) {
    tickets::v1::CreateTicketRequest t;
    t.set_store_id("store-1");
    t.mutable_order()->set_marketplace(common::v1::AMAZON);
    t.mutable_order()->set_order_id(troubled);
    t.mutable_buyer()->set_buyer_id("buyer-1");
    t.set_category(tickets::v1::PRODUCT_DEFECT);
    t.set_channel(tickets::v1::MARKETPLACE_MESSAGE);
    t.set_subject("Broken");
    t.set_body("The lamp flickers.");
    tickets::v1::CreateTicketResponse resp;
    return stub.CreateTicket(&context, t, &resp);
  });
  ASSERT_TRUE(s.ok()) << s.error_message();
  request.set_order_id(troubled);
  EXPECT_THAT(std::string(desk_->RequestReview(Agent(), request, &requested).message()), HasSubstr("open ticket"));
  // An eligible one goes at once.
  request.set_order_id(PushOrder(absl::Hours(24 * 10)));
  ASSERT_TRUE(desk_->RequestReview(Agent(), request, &requested).ok());
  EXPECT_THAT(requested.message().body(), HasSubstr("Reading Lamp"));
}

TEST_F(ReviewsTest, MaliciousReviewsGetNoConcessionDrafts) {
  // Three negative reviews from one buyer in 90 days: the third is flagged on its own.
  Ingest(Review(PushOrder(), 1, "R-rep-1"));
  Ingest(Review(PushOrder(), 2, "R-rep-2"));
  const v1::IngestReviewResponse third = Ingest(Review(PushOrder(), 1, "R-rep-3"));
  ASSERT_TRUE(third.review().has_malicious());
  EXPECT_EQ(third.review().malicious().reason(), v1::Review::REPEAT_OFFENDER);
  EXPECT_EQ(third.review().status(), v1::Review::FLAGGED);
  EXPECT_TRUE(third.outreach_case().flagged());
  v1::DraftOutreachRequest draft;
  draft.set_case_id(third.outreach_case().case_id());
  draft.set_remedy(v1::REFUND);
  v1::DraftOutreachResponse drafted;
  EXPECT_EQ(desk_->DraftOutreach(Agent(), draft, &drafted).code(), absl::StatusCode::kFailedPrecondition);
  draft.set_remedy(v1::APOLOGY_ONLY);
  EXPECT_TRUE(desk_->DraftOutreach(Agent(), draft, &drafted).ok());

  // An agent flags another with evidence.
  const v1::IngestReviewResponse other = Ingest(Review(PushOrder(), 5, "R-comp-1"));
  v1::FlagMaliciousRequest flag;
  flag.set_review_id(other.review().review_id());
  flag.set_reason(v1::Review::COMPETITOR);
  v1::FlagMaliciousResponse flagged;
  EXPECT_EQ(desk_->FlagMalicious(Agent(), flag, &flagged).code(), absl::StatusCode::kInvalidArgument);
  flag.set_evidence("The same text was posted on three competitors' listings the same day.");
  ASSERT_TRUE(desk_->FlagMalicious(Agent(), flag, &flagged).ok());
  EXPECT_EQ(flagged.review().malicious().flagged_by(), "agent-1");
}

TEST_F(ReviewsTest, TheFeedbackNoteGoesOnceForResolvedSellerFeedbackOnly) {
  const std::string feedback_case =
      Ingest(Review(PushOrder(), 2, "F-1", v1::Review::SELLER_FEEDBACK)).outreach_case().case_id();
  v1::SendFeedbackNoteRequest note;
  note.set_case_id(feedback_case);
  v1::SendFeedbackNoteResponse noted;
  EXPECT_THAT(std::string(desk_->SendFeedbackNote(Agent(), note, &noted).message()), HasSubstr("RESOLVED"));
  v1::CloseOutreachRequest close;
  close.set_case_id(feedback_case);
  close.set_outcome(v1::OutreachCase::RESOLVED);
  v1::CloseOutreachResponse closed;
  ASSERT_TRUE(desk_->CloseOutreach(Agent(), close, &closed).ok());
  // A pressing note is screened in the feedback context and still refused.
  note.set_body("Please update your feedback to 5 stars now.");
  EXPECT_EQ(desk_->SendFeedbackNote(Agent(), note, &noted).code(), absl::StatusCode::kFailedPrecondition);
  note.clear_body();
  ASSERT_TRUE(desk_->SendFeedbackNote(Agent(), note, &noted).ok()) << "the standard neutral sentence";
  EXPECT_EQ(noted.message().kind(), v1::OutreachMessage::FEEDBACK_NOTE);
  EXPECT_THAT(std::string(desk_->SendFeedbackNote(Agent(), note, &noted).message()), HasSubstr("second time"));

  const std::string review_case = Ingest(Review(PushOrder(), 2, "R-note-1")).outreach_case().case_id();
  close.set_case_id(review_case);
  ASSERT_TRUE(desk_->CloseOutreach(Agent(), close, &closed).ok());
  note.set_case_id(review_case);
  EXPECT_THAT(std::string(desk_->SendFeedbackNote(Agent(), note, &noted).message()), HasSubstr("never"));
}

TEST_F(ReviewsTest, RuleEditsAreSeenByASecondInstanceWithoutARestart) {
  PhraseRuleSet second_rules(*db_);
  ASSERT_TRUE(second_rules.Refresh().ok());
  std::unique_ptr<ReviewDesk> second = NewDesk(second_rules);
  v1::ScreenMessageRequest screen;
  screen.set_text("Enjoy a banana split on us");
  v1::ScreenMessageResponse verdict;
  ASSERT_TRUE(second->ScreenMessage(Agent(), screen, &verdict).ok());
  EXPECT_TRUE(verdict.allowed());

  v1::GetPhraseRulesResponse current;
  ASSERT_TRUE(desk_->GetPhraseRules(Admin(), {}, &current).ok());
  EXPECT_GE(current.rules_size(), 150);
  v1::PutPhraseRulesRequest put;
  put.set_expected_version(current.version());
  *put.mutable_rules() = current.rules();
  v1::PhraseRule* added = put.add_rules();
  added->set_rule_id("en.incentive.banana");
  added->set_category(v1::INCENTIVE_FOR_REVIEW);
  added->set_language("en");
  added->set_kind(v1::PhraseRule::PHRASE);
  added->set_pattern("banana split");
  added->set_explanation("A treat in exchange is an incentive.");
  added->set_suggestion("Offer nothing tied to feedback.");
  v1::PutPhraseRulesResponse edited;
  // Agents and store-scoped admins do not edit the rules of every store.
  EXPECT_EQ(desk_->PutPhraseRules(Caller{"admin-2", Role::kAdmin, false, {"store-1"}}, put, &edited).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(desk_->PutPhraseRules(Admin(), put, &edited).ok());
  EXPECT_EQ(edited.version(), current.version() + 1);
  // A stale edit is refused, and a set that does not compile changes nothing.
  EXPECT_EQ(desk_->PutPhraseRules(Admin(), put, &edited).code(), absl::StatusCode::kAborted);
  put.set_expected_version(current.version() + 1);
  put.mutable_rules()->rbegin()->set_pattern("(banana split");
  const absl::Status bad = desk_->PutPhraseRules(Admin(), put, &edited);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.message()), HasSubstr("en.incentive.banana"));
  EXPECT_EQ(Count("SELECT MAX(version) FROM phrase_rule_versions"), current.version() + 1);

  // The second instance sees the edit at its next refresh (every second in the service).
  ASSERT_TRUE(second_rules.Refresh().ok());
  ASSERT_TRUE(second->ScreenMessage(Agent(), screen, &verdict).ok());
  EXPECT_FALSE(verdict.allowed());
  EXPECT_EQ(verdict.rule_version(), current.version() + 1);
  ASSERT_EQ(verdict.findings_size(), 1);
  EXPECT_EQ(verdict.findings(0).text(), "banana split");
  EXPECT_EQ(verdict.findings(0).start(), 8);
}

TEST_F(ReviewsTest, BadInputIsRefusedAndChangesNothing) {
  v1::ScreenMessageRequest screen;
  v1::ScreenMessageResponse verdict;
  EXPECT_EQ(desk_->ScreenMessage(Agent(), screen, &verdict).code(), absl::StatusCode::kInvalidArgument);
  screen.set_text(std::string(20001, 'a'));
  EXPECT_EQ(desk_->ScreenMessage(Agent(), screen, &verdict).code(), absl::StatusCode::kInvalidArgument);
  screen.set_text("bad \xC3\x28 utf8");
  EXPECT_EQ(desk_->ScreenMessage(Agent(), screen, &verdict).code(), absl::StatusCode::kInvalidArgument);

  v1::IngestReviewRequest r = Review("114-bad", 0, "R-bad-1");
  v1::IngestReviewResponse resp;
  EXPECT_THAT(std::string(desk_->IngestReview(Sync(), r, &resp).message()), HasSubstr("rating"));
  r.set_rating(2);
  r.clear_posted_at();
  EXPECT_THAT(std::string(desk_->IngestReview(Sync(), r, &resp).message()), HasSubstr("posted_at"));
  r = Review("114-bad", 2, "R-bad-1");
  r.set_store_id("store-2");
  EXPECT_EQ(desk_->IngestReview(Agent(), r, &resp).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reviews"), 0);
}

}  // namespace
}  // namespace aftersales::reviews
