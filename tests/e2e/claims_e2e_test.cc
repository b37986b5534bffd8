// End to end for claims: MariaDB, tickets, returns, reviews (the tickets service's filter),
// claims and the gateway as real processes. An order with a shipment, tracking, messages (one in
// Chinese) and a refunded return, then a claim, then its evidence packet through the gateway,
// checked field by field; the PDF read back with pdftotext; and the packet built again with
// the returns service stopped, PARTIAL and naming it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aftersales/claims/v1/claims.pb.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "tests/support/http_client.h"
#include "tests/support/json_body.h"
#include "tests/support/running_system.h"

namespace aftersales {
namespace {

using testing::ErrorCode;
using testing::HttpClient;
using testing::HttpHeaders;
using testing::HttpResult;
using testing::ParseBody;
namespace cv = claims::v1;
namespace rv = returns::v1;
namespace tv = tickets::v1;

testing::RunningSystem* sys = nullptr;

class SystemEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::RunningSystem>> started = testing::RunningSystem::Start(
        {{"tickets", TICKETS_BINARY, {}},
         {"returns", RETURNS_BINARY, {}},
         {"reviews", REVIEWS_BINARY, {}},
         {"claims", CLAIMS_BINARY, {"--evidence_timeout=1s"}}},
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
const HttpHeaders kSupervisor = {{"X-Dev-Role", "supervisor"}, {"X-Dev-Stores", "store-1"}};
const HttpHeaders kSync = {{"X-Dev-Role", "service"}};

constexpr char kOrder[] = "116-9000001";
constexpr char kTracking[] = "1ZE2E9000001";
constexpr char kChinese[] = "我还没有收到包裹，请帮我查一下";

std::string WithoutSpace(std::string s) {
  return absl::StrReplaceAll(s, {{" ", ""}, {"\n", ""}, {"\t", ""}, {"\f", ""}, {"\r", ""}});
}

// The order as the marketplace sync and the agents leave it: shipped, delivered to the ship-to
// address, a buyer message in Chinese and the seller's answer, and a refunded return.
void RecordTheOrder(HttpClient& http, std::string* return_id) {
  ASSERT_EQ(http.Request("PUT", absl::StrCat("/v1/stores/store-1/orders/", kOrder),
                         R"({"marketplace":"AMAZON","site":"US","buyer":{"buyer_id":"b-1","name":"Lin Wei","email":"lin@example.com"},)"
                         R"("ship_to":{"name":"Lin Wei","line1":"1 Main St","city":"Portland","postcode":"97201","country":"US"},)"
                         R"("ordered_at":"2026-11-01T08:00:00Z","items":[{"sku":"LAMP-1","title":"Reading Lamp","quantity":1,)"
                         R"("price":{"currency_code":"USD","amount_minor":6000}}]})",
                         kSync)
                .status,
            200);
  const HttpResult shipped =
      http.Post(absl::StrCat("/v1/stores/store-1/orders/", kOrder, "/shipments"),
                absl::StrCat(R"({"carrier":"UPS","tracking_number":")", kTracking, R"("})"), kSync);
  ASSERT_EQ(shipped.status, 200) << shipped.body;
  const std::string shipment_id = ParseBody<tv::AddShipmentResponse>(shipped).shipment().shipment_id();
  for (const char* event :
       {R"({"event":{"occurred_at":"2026-11-03T10:00:00Z","code":"IN_TRANSIT","city":"Shenzhen","country":"CN"}})",
        R"({"event":{"occurred_at":"2026-11-09T15:30:00Z","code":"DELIVERED","city":"Portland","postcode":"97201","country":"US"}})"}) {
    const HttpResult added = http.Post(
        absl::StrCat("/v1/stores/store-1/orders/", kOrder, "/shipments/", shipment_id, "/events"), event, kSync);
    ASSERT_EQ(added.status, 200) << added.body;
  }
  const HttpResult ticket = http.Post(
      "/v1/tickets",
      absl::StrCat(R"({"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":")", kOrder,
                   R"("},"buyer":{"buyer_id":"b-1"},"category":"LOGISTICS_DELIVERED_NOT_RECEIVED",)"
                   R"("channel":"MARKETPLACE_MESSAGE","subject":"Parcel","body":")", kChinese, R"("})"),
      kAgent);
  ASSERT_EQ(ticket.status, 200) << ticket.body;
  const std::string ticket_id = ParseBody<tv::CreateTicketResponse>(ticket).ticket().ticket_id();
  const HttpResult replied = http.Post(
      absl::StrCat("/v1/tickets/", ticket_id, "/messages"),
      absl::StrCat(R"({"direction":"OUTBOUND","body":"UPS delivered your parcel on November 9, tracking )", kTracking,
                   R"(. Please check with your neighbours."})"),
      kAgent);
  ASSERT_EQ(replied.status, 200) << replied.body;

  const HttpResult created = http.Post(
      "/v1/returns",
      absl::StrCat(R"({"return_case":{"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":")",
                   kOrder,
                   R"("},"buyer_country":"US","fulfillment":"MERCHANT","category":"GENERAL",)"
                   R"("item_price":{"currency_code":"USD","amount_minor":6000},"item_cost":{"currency_code":"USD","amount_minor":3500},)"
                   R"("quantity":1,"ordered_at":"2026-11-01T08:00:00Z","delivered_at":"2026-11-09T15:30:00Z",)"
                   R"("requested_at":"2026-11-20T00:00:00Z","reason":"DEFECTIVE","condition":"USED","weight_grams":800},)"
                   R"("buyer":{"buyer_id":"b-1"}})"),
      kAgent);
  ASSERT_EQ(created.status, 200) << created.body;
  *return_id = ParseBody<rv::CreateReturnResponse>(created).return_().return_id();
  const std::string base = absl::StrCat("/v1/returns/", *return_id);
  ASSERT_EQ(http.Post(base + ":authorize", "{}", kAgent).status, 200);
  const HttpResult refunded = http.Post(base + ":refund", "{}", kSupervisor);
  ASSERT_EQ(refunded.status, 200) << refunded.body;
}

TEST(ClaimsEndToEnd, APacketThroughTheGatewayHoldsTheEvidenceAndExportsAsAReadablePdf) {
  HttpClient http(sys->http_port());
  std::string return_id;
  RecordTheOrder(http, &return_id);
  ASSERT_FALSE(return_id.empty());

  // Bad input first: an order nobody holds, a kind and reason that do not go together.
  const std::string claim_json = absl::StrCat(
      R"({"store_id":"store-1","marketplace_claim_id":"AZ-E2E-1","order":{"marketplace":"AMAZON","site":"US","order_id":")",
      kOrder, R"("},"kind":"A_TO_Z","reason":"NOT_RECEIVED","amount":{"currency_code":"USD","amount_minor":6000},)"
      R"("opened_at":"2026-11-25T12:00:00Z","promised_delivery_by":"2026-11-12T00:00:00Z"})");
  const HttpResult unknown = http.Post("/v1/claims", absl::StrReplaceAll(claim_json, {{kOrder, "116-0000000"}}), kAgent);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(ErrorCode(unknown), "FAILED_PRECONDITION");
  const HttpResult mismatched =
      http.Post("/v1/claims", absl::StrReplaceAll(claim_json, {{"NOT_RECEIVED", "DUPLICATE_CHARGE"}}), kAgent);
  EXPECT_EQ(mismatched.status, 400) << mismatched.body;
  EXPECT_EQ(ErrorCode(mismatched), "INVALID_ARGUMENT");

  const HttpResult created = http.Post("/v1/claims", claim_json, kAgent);
  ASSERT_EQ(created.status, 200) << created.body;
  const cv::Claim claim = ParseBody<cv::CreateClaimResponse>(created).claim();
  EXPECT_EQ(claim.kind(), cv::A_TO_Z);
  EXPECT_EQ(claim.reason(), cv::NOT_RECEIVED);
  EXPECT_EQ(claim.respond_by().seconds() - claim.opened_at().seconds(), 72 * 3600);
  EXPECT_EQ(claim.amount().amount_minor(), 6000);

  const HttpResult built = http.Post(absl::StrCat("/v1/claims/", claim.claim_id(), ":buildPacket"), "{}", kAgent);
  ASSERT_EQ(built.status, 200) << built.body;
  const cv::Packet packet = ParseBody<cv::BuildPacketResponse>(built).packet();
  EXPECT_FALSE(packet.partial());
  EXPECT_EQ(packet.claim().claim_id(), claim.claim_id());
  EXPECT_EQ(packet.order().order_id(), kOrder);
  EXPECT_EQ(packet.order().ship_to_city(), "Portland");
  EXPECT_EQ(packet.order().ship_to_postcode(), "97201");
  EXPECT_EQ(packet.recommendation(), cv::Packet::REPRESENT) << packet.DebugString();
  EXPECT_GE(packet.completeness(), 50);
  EXPECT_FALSE(packet.recommendation_reasons().empty());
  int present = 0;
  for (const cv::ChecklistItem& item : packet.checklist()) {
    present += item.state() == cv::ChecklistItem::PRESENT;
    EXPECT_NE(item.state(), cv::ChecklistItem::CONTRADICTING) << item.ShortDebugString();
  }
  EXPECT_GE(present, 3) << packet.DebugString();
  // One timeline from every source, in time order.
  bool chinese = false, delivered = false, refund = false, claim_opened = false;
  for (int i = 0; i < packet.timeline_size(); ++i) {
    const cv::TimelineEvent& e = packet.timeline(i);
    if (i > 0) {
      EXPECT_LE(packet.timeline(i - 1).at().seconds(), e.at().seconds());
    }
    chinese |= e.source() == "tickets" && e.text().find(kChinese) != std::string::npos;
    delivered |= e.source() == "tickets" && e.text().find("Portland") != std::string::npos;
    refund |= e.source() == "returns" && e.ref().find(return_id) != std::string::npos;
    claim_opened |= e.source() == "claims";
  }
  EXPECT_TRUE(chinese && delivered && refund && claim_opened) << packet.DebugString();
  // The statement: facts from the evidence, nothing of the buyer's identity.
  EXPECT_NE(packet.statement().find(kTracking), std::string::npos) << packet.statement();
  EXPECT_NE(packet.statement().find("2026-11-09"), std::string::npos) << packet.statement();
  EXPECT_EQ(packet.statement().find("Lin Wei"), std::string::npos) << packet.statement();
  EXPECT_EQ(packet.statement().find("lin@example.com"), std::string::npos) << packet.statement();
  EXPECT_LE(packet.statement().size(), 4000u * 4);

  const HttpResult latest = http.Get(absl::StrCat("/v1/claims/", claim.claim_id(), "/packet"), kAgent);
  ASSERT_EQ(latest.status, 200) << latest.body;
  EXPECT_EQ(ParseBody<cv::GetPacketResponse>(latest).packet().statement(), packet.statement());

  // The documents themselves, with their content types.
  const HttpResult html = http.Get(absl::StrCat("/v1/claims/", claim.claim_id(), "/packet:export?format=html"), kAgent);
  ASSERT_EQ(html.status, 200) << html.body;
  EXPECT_NE(html.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(html.body.find(kChinese), std::string::npos);
  const HttpResult pdf = http.Get(absl::StrCat("/v1/claims/", claim.claim_id(), "/packet:export?format=pdf"), kAgent);
  ASSERT_EQ(pdf.status, 200) << pdf.body.substr(0, 300);
  EXPECT_EQ(pdf.Header("Content-Type"), "application/pdf");
  ASSERT_EQ(pdf.body.substr(0, 5), "%PDF-");
  char path[] = "/tmp/aftersales-packet-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, pdf.body.data(), pdf.body.size()), static_cast<ssize_t>(pdf.body.size()));
  close(fd);
  std::string text;
  {
    FILE* p = popen(absl::StrCat("pdftotext -enc UTF-8 ", path, " -").c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, p)) > 0) text.append(buffer, n);
    EXPECT_EQ(pclose(p), 0);
  }
  unlink(path);
  const std::string flat = WithoutSpace(text);
  EXPECT_NE(flat.find(WithoutSpace(kChinese)), std::string::npos) << text.substr(0, 2000);
  EXPECT_NE(flat.find(WithoutSpace(packet.statement().substr(0, 120))), std::string::npos) << text.substr(0, 2000);
  const HttpResult xml = http.Get(absl::StrCat("/v1/claims/", claim.claim_id(), "/packet:export?format=xml"), kAgent);
  EXPECT_EQ(xml.status, 400);
}

TEST(ClaimsEndToEnd, WithTheReturnsServiceStoppedThePacketIsPartialAndNamesIt) {
  HttpClient http(sys->http_port());
  const std::string claim_json = absl::StrCat(
      R"({"store_id":"store-1","marketplace_claim_id":"AZ-E2E-2","order":{"marketplace":"AMAZON","site":"US","order_id":")",
      kOrder, R"("},"kind":"A_TO_Z","reason":"NOT_RECEIVED","amount":{"currency_code":"USD","amount_minor":6000},)"
      R"("opened_at":"2026-11-26T12:00:00Z"})");
  const HttpResult created = http.Post("/v1/claims", claim_json, kAgent);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string claim_id = ParseBody<cv::CreateClaimResponse>(created).claim().claim_id();
  ASSERT_TRUE(sys->StopService("returns", SIGTERM).ok());
  const HttpResult built = http.Post(absl::StrCat("/v1/claims/", claim_id, ":buildPacket"), "{}", kAgent);
  const absl::Status restarted = sys->StartService("returns");
  ASSERT_EQ(built.status, 200) << built.body;
  const cv::Packet packet = ParseBody<cv::BuildPacketResponse>(built).packet();
  EXPECT_TRUE(packet.partial());
  ASSERT_EQ(packet.missing_sections_size(), 1) << packet.DebugString();
  EXPECT_EQ(packet.missing_sections(0).source(), "returns");
  EXPECT_NE(packet.recommendation(), cv::Packet::REPRESENT);
  // What tickets holds is still there.
  EXPECT_EQ(packet.order().order_id(), kOrder);
  ASSERT_TRUE(restarted.ok()) << restarted;
}

}  // namespace
}  // namespace aftersales
