// End to end for reviews: MariaDB, tickets, returns, reviews and the gateway as real processes.
// A blocked outreach message and a blocked agent reply leave no message anywhere; an allowed one
// arrives once on its ticket with the tickets service restarted in between; the filter answers
// through the gateway with exact offsets.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "aftersales/reviews/v1/reviews.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "tests/support/http_client.h"
#include "tests/support/json_body.h"
#include "tests/support/running_system.h"

namespace aftersales {
namespace {

using testing::ErrorCode;
using testing::ErrorMessage;
using testing::HttpClient;
using testing::HttpHeaders;
using testing::HttpResult;
using testing::ParseBody;
namespace rv = reviews::v1;
namespace tv = tickets::v1;

testing::RunningSystem* sys = nullptr;

class SystemEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::RunningSystem>> started = testing::RunningSystem::Start(
        {{"tickets", TICKETS_BINARY, {}},
         {"returns", RETURNS_BINARY, {}},
         {"reviews", REVIEWS_BINARY, {"--outbox_interval=200ms"}}},
        GATEWAY_BINARY);
    ASSERT_TRUE(started.ok()) << started.status();
    owned_ = *std::move(started);
    sys = owned_.get();
  }
  void TearDown() override { owned_.reset(); }

 private:
  std::unique_ptr<testing::RunningSystem> owned_;
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new SystemEnvironment);

const HttpHeaders kAgent = {{"X-Dev-Role", "agent"}, {"X-Dev-Stores", "store-1"}};

int64_t Count(const std::string& database, const std::string& sql) {
  absl::StatusOr<std::unique_ptr<Database>> db = sys->OpenDatabase(database);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return -1;
  absl::StatusOr<int64_t> n = (*db)->InTransaction<int64_t>([&](Transaction& tx) -> absl::StatusOr<int64_t> {
    absl::StatusOr<std::vector<Row>> rows = tx.Query(sql);
    if (!rows.ok()) return rows.status();
    return rows->front().Int(0);
  });
  EXPECT_TRUE(n.ok()) << n.status();
  return n.value_or(-1);
}

std::string IngestNegativeReview(HttpClient& http, const std::string& order_id, const std::string& review_id) {
  const HttpResult put = http.Request(
      "PUT", absl::StrCat("/v1/stores/store-1/orders/", order_id),
      R"({"marketplace":"AMAZON","site":"US","buyer":{"buyer_id":"b-1","language":"en"},)"
      R"("items":[{"sku":"LAMP-1","title":"Reading Lamp","quantity":1,"price":{"currency_code":"USD","amount_minor":6000}}]})");
  EXPECT_EQ(put.status, 200) << put.body;
  const HttpResult ingested = http.Post(
      "/v1/reviews",
      absl::StrCat(R"({"marketplace_review_id":")", review_id,
                   R"(","store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":")", order_id,
                   R"("},"kind":"PRODUCT_REVIEW","product_title":"Reading Lamp","buyer_id":"b-1","rating":1,)"
                   R"("title":"Broke","body":"Stopped working after a week.","language":"en","posted_at":"2026-11-30T10:00:00Z"})"));
  EXPECT_EQ(ingested.status, 200) << ingested.body;
  return ParseBody<rv::IngestReviewResponse>(ingested).outreach_case().case_id();
}

TEST(ReviewsEndToEnd, TheFilterAnswersWithFindingsAndCodePointOffsets) {
  HttpClient http(sys->http_port());
  const HttpResult screened = http.Post(
      "/v1/messages:screen", R"({"text":"您好！Could you please ｒｅｍｏｖｅ your review?"})", kAgent);
  ASSERT_EQ(screened.status, 200) << screened.body;
  const rv::ScreenMessageResponse r = ParseBody<rv::ScreenMessageResponse>(screened);
  EXPECT_FALSE(r.allowed());
  ASSERT_GE(r.findings_size(), 1);
  EXPECT_EQ(r.findings(0).category(), rv::REVIEW_REMOVAL_OR_CHANGE);
  // Offsets count characters: 您好！ are three.
  EXPECT_GE(r.findings(0).start(), 3);
  EXPECT_NE(r.findings(0).text().find("ｒｅｍｏｖｅ"), std::string::npos);
  EXPECT_FALSE(r.findings(0).suggestion().empty());

  EXPECT_EQ(http.Post("/v1/messages:screen", R"({"text":""})", kAgent).status, 400);
  const HttpResult fine = http.Post("/v1/messages:screen", R"({"text":"We will refund you in full today."})", kAgent);
  ASSERT_EQ(fine.status, 200);
  EXPECT_TRUE(ParseBody<rv::ScreenMessageResponse>(fine).allowed());
}

TEST(ReviewsEndToEnd, BlockedMessagesLeaveNothingAndAnAllowedOneArrivesOnceAcrossATicketsRestart) {
  HttpClient http(sys->http_port());
  const std::string case_id = IngestNegativeReview(http, "114-7000001", "R-e2e-1");
  ASSERT_FALSE(case_id.empty());
  const std::string messages = absl::StrCat("/v1/outreach/", case_id, "/messages");

  // Blocked outreach: refused with the findings, nothing stored, nothing sent.
  const HttpResult blocked =
      http.Post(messages, R"({"body":"Sorry! We refund you in full if you delete the review."})", kAgent);
  EXPECT_EQ(blocked.status, 400) << blocked.body;
  EXPECT_EQ(ErrorCode(blocked), "FAILED_PRECONDITION");
  EXPECT_NE(ErrorMessage(blocked).find("delete the review"), std::string::npos) << blocked.body;
  EXPECT_EQ(Count("aftersales_reviews", "SELECT COUNT(*) FROM outbox"), 0);

  // Blocked agent reply on a buyer's ticket: refused by the tickets service, nothing stored.
  const HttpResult ticket = http.Post(
      "/v1/tickets",
      R"({"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":"114-7000001"},)"
      R"("buyer":{"buyer_id":"b-1"},"category":"PRODUCT_DEFECT","channel":"MARKETPLACE_MESSAGE",)"
      R"("subject":"Lamp","body":"It stopped working."})",
      kAgent);
  ASSERT_EQ(ticket.status, 200) << ticket.body;
  const std::string ticket_id = ParseBody<tv::CreateTicketResponse>(ticket).ticket().ticket_id();
  const HttpResult reply = http.Post(absl::StrCat("/v1/tickets/", ticket_id, "/messages"),
                                     R"({"direction":"OUTBOUND","body":"Leave us a 5-star review and get a $10 gift card!"})",
                                     kAgent);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(ErrorCode(reply), "FAILED_PRECONDITION");
  EXPECT_EQ(ParseBody<tv::GetTicketResponse>(http.Get("/v1/tickets/" + ticket_id)).ticket().messages_size(), 1);

  // An allowed message while tickets is down: accepted, kept, delivered once when it is back.
  ASSERT_EQ(sys->StopService("tickets", SIGKILL).status().code(), absl::StatusCode::kOk);
  const HttpResult sent = http.Post(messages, R"({"body":"We are sorry the lamp failed. A replacement ships today at no cost."})",
                                    {{"X-Dev-Role", "agent"}, {"X-Dev-Stores", "store-1"}, {"Idempotency-Key", "e2e-send-1"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(sys->StartService("tickets").ok());
  std::string thread_id;
  for (int i = 0; i < 150 && thread_id.empty(); ++i) {
    thread_id = ParseBody<rv::GetOutreachCaseResponse>(http.Get("/v1/outreach/" + case_id, kAgent)).outreach_case().ticket_id();
    if (thread_id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(thread_id.empty()) << sys->Log("reviews");
  const tv::Ticket thread = ParseBody<tv::GetTicketResponse>(http.Get("/v1/tickets/" + thread_id)).ticket();
  EXPECT_EQ(thread.category(), tv::REVIEW_OUTREACH);
  ASSERT_EQ(thread.messages_size(), 1);
  EXPECT_EQ(thread.messages(0).direction(), tv::Message::OUTBOUND);
  EXPECT_EQ(Count("aftersales_tickets",
                  "SELECT COUNT(*) FROM messages WHERE body LIKE 'We are sorry the lamp failed%'"),
            1);
}

}  // namespace
}  // namespace aftersales
