#include "services/claims/packet_export.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace aftersales::claims {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr absl::string_view kChineseMessage = "我还没有收到包裹，请帮我查一下";
constexpr absl::string_view kJapaneseMessage = "荷物がまだ届いていません。確認してください。";
constexpr absl::string_view kScriptMessage =
    "Where is it? <script>alert(1)</script> & \"now\" 'please'";
constexpr absl::string_view kStatement =
    "The order 114-3941689-8772232 was shipped on 2026-11-02 with UPS under tracking number "
    "1Z999AA10123456784. UPS scanned it as delivered in Berlin 10115 on 2026-11-05, the city "
    "and postcode of the ship-to address. The buyer was sent tracking updates on 2026-11-02 "
    "and 2026-11-06.";

google::protobuf::Timestamp At(int64_t unix_seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(unix_seconds);
  return ts;
}

constexpr int64_t kNov2 = 1793577600;  // 2026-11-02T00:00:00Z

v1::TimelineEvent Event(int64_t at, absl::string_view source, absl::string_view kind,
                        absl::string_view text) {
  v1::TimelineEvent e;
  *e.mutable_at() = At(at);
  e.set_source(std::string(source));
  e.set_kind(std::string(kind));
  e.set_text(std::string(text));
  e.set_ref("ticket/t-1/message/m-1");
  return e;
}

v1::Packet SamplePacket() {
  v1::Packet p;
  p.set_claim_id("clm-7");
  *p.mutable_built_at() = At(kNov2 + 10 * 86400);
  v1::Claim& c = *p.mutable_claim();
  c.set_claim_id("clm-7");
  c.set_store_id("store-1");
  c.set_marketplace_claim_id("AZ-555");
  c.mutable_order()->set_marketplace(common::v1::AMAZON);
  c.mutable_order()->set_site("DE");
  c.mutable_order()->set_order_id("114-3941689-8772232");
  c.set_kind(v1::A_TO_Z);
  c.set_reason(v1::NOT_RECEIVED);
  c.mutable_amount()->set_currency_code("EUR");
  c.mutable_amount()->set_amount_minor(4999);
  *c.mutable_opened_at() = At(kNov2 + 9 * 86400);
  *c.mutable_respond_by() = At(kNov2 + 12 * 86400);
  c.set_status(v1::Claim::OPEN);
  p.set_recommendation(v1::Packet::REPRESENT);
  p.add_recommendation_reasons("A delivery scan in the ship-to city and postcode.");
  p.set_completeness(86);
  v1::ChecklistItem& tracking = *p.add_checklist();
  tracking.set_id("carrier_and_tracking");
  tracking.set_requirement("Carrier and tracking number");
  tracking.set_state(v1::ChecklistItem::PRESENT);
  tracking.set_detail("UPS 1Z999AA10123456784");
  tracking.add_evidence("shipment/s-1");
  v1::ChecklistItem& city = *p.add_checklist();
  city.set_id("delivery_city");
  city.set_requirement("Delivery city matches the ship-to city");
  city.set_state(v1::ChecklistItem::CONTRADICTING);
  city.set_detail("Scanned in Potsdam, ship-to is Berlin");
  city.add_evidence("tracking/1Z999AA10123456784/4");
  v1::ChecklistItem& proof = *p.add_checklist();
  proof.set_id("proof_of_delivery");
  proof.set_requirement("Signature or photo");
  proof.set_state(v1::ChecklistItem::MISSING);
  *p.add_timeline() = Event(kNov2, "tickets", "shipped", "Shipped with UPS");
  *p.add_timeline() = Event(kNov2 + 3 * 86400, "tickets", "message_in", kChineseMessage);
  *p.add_timeline() = Event(kNov2 + 4 * 86400, "tickets", "message_in", kScriptMessage);
  *p.add_timeline() = Event(kNov2 + 5 * 86400, "tickets", "message_in", kJapaneseMessage);
  p.set_statement(std::string(kStatement));
  v1::OrderSummary& order = *p.mutable_order();
  order.set_order_id("114-3941689-8772232");
  *order.mutable_ordered_at() = At(kNov2 - 86400);
  order.set_ship_to_city("Berlin");
  order.set_ship_to_postcode("10115");
  order.set_ship_to_country("DE");
  order.add_items("USB-C charger 65 W");
  return p;
}

std::string WithoutSpace(absl::string_view text) {
  std::string out;
  for (const char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// Writes the PDF to a file, runs `<tool> '<file>' <tail>` (a poppler tool) and returns what it
// printed.
std::string RunOnPdf(absl::string_view pdf, absl::string_view tool, absl::string_view tail) {
  static std::atomic<int> counter{0};
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      absl::StrFormat("packet_export_test_%d_%d.pdf", getpid(), counter.fetch_add(1));
  {
    std::ofstream file(path, std::ios::binary);
    file.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  }
  const std::string line = absl::StrCat(tool, " '", path.string(), "' ", tail, " 2>&1");
  std::string out;
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << line;
  } else {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0) << line << ": " << out;
  }
  std::filesystem::remove(path);
  return out;
}

std::string PdfText(absl::string_view pdf) { return RunOnPdf(pdf, "pdftotext -enc UTF-8", "-"); }

int PdfPages(absl::string_view pdf) {
  const std::string info = RunOnPdf(pdf, "pdfinfo", "");
  const size_t at = info.find("Pages:");
  if (at == std::string::npos) {
    ADD_FAILURE() << "pdfinfo printed no page count: " << info;
    return 0;
  }
  return std::stoi(info.substr(at + 6));
}

TEST(PacketJson, ParsesBackToTheSamePacket) {
  const v1::Packet packet = SamplePacket();
  const std::string json = PacketJson(packet);
  v1::Packet parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, packet))
      << parsed.DebugString();
}

TEST(PacketJson, PrintsAsTheGatewayDoes) {
  const std::string json = PacketJson(SamplePacket());
  // Proto field names, enums by name, defaults printed.
  EXPECT_THAT(json, HasSubstr("\"claim_id\":\"clm-7\""));
  EXPECT_THAT(json, HasSubstr("\"recommendation\":\"REPRESENT\""));
  EXPECT_THAT(json, HasSubstr("\"state\":\"CONTRADICTING\""));
  EXPECT_THAT(json, HasSubstr("\"partial\":false"));
  EXPECT_THAT(json, HasSubstr(std::string(kChineseMessage)));
}

TEST(PacketHtml, EscapesMarkupInBuyerMessages) {
  const std::string html = PacketHtml(SamplePacket());
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("Where is it? &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                              "&quot;now&quot; &#39;please&#39;"));
}

TEST(PacketHtml, EscapesEveryTextFromThePacket) {
  v1::Packet packet = SamplePacket();
  packet.set_claim_id("<i>c</i>");
  packet.mutable_claim()->mutable_order()->set_order_id("<b>o</b>");
  packet.mutable_checklist(0)->set_detail("<img src=x onerror=alert(1)>");
  packet.mutable_checklist(0)->add_evidence("<a href='x'>");
  packet.add_recommendation_reasons("<u>r</u>");
  packet.set_statement("Statement with <iframe>");
  packet.set_partial(true);
  packet.add_missing_sections()->set_source("<s>returns</s>");
  const std::string html = PacketHtml(packet);
  for (absl::string_view tag : {"<i>", "<b>", "<img", "<a ", "<u>", "<iframe", "<s>"}) {
    EXPECT_THAT(html, Not(HasSubstr(tag))) << tag;
  }
  EXPECT_THAT(html, HasSubstr("<title>Evidence packet: claim &lt;i&gt;c&lt;/i&gt;, order "
                              "&lt;b&gt;o&lt;/b&gt;</title>"));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("Statement with &lt;iframe&gt;"));
}

TEST(PacketHtml, IsOneSelfContainedUtf8Document) {
  const std::string html = PacketHtml(SamplePacket());
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<style>"));
  for (absl::string_view external : {"http:", "https:", "//", "src=", "url(", "@import"}) {
    EXPECT_THAT(html, Not(HasSubstr(external))) << external;
  }
  EXPECT_THAT(html, HasSubstr(std::string(kChineseMessage)));
  EXPECT_THAT(html, HasSubstr(std::string(kJapaneseMessage)));
  EXPECT_THAT(html, HasSubstr("<title>Evidence packet: claim clm-7, order 114-3941689-8772232"));
}

TEST(PacketHtml, ShowsTheClaimRecommendationChecklistTimelineAndStatement) {
  const std::string html = PacketHtml(SamplePacket());
  EXPECT_THAT(html, HasSubstr("<td>Amazon A-to-z Guarantee claim</td>"));
  EXPECT_THAT(html, HasSubstr("<td>Item not received</td>"));
  EXPECT_THAT(html, HasSubstr("<td>49.99 EUR</td>"));
  EXPECT_THAT(html, HasSubstr("<td>2026-11-14 00:00:00 UTC</td>"));  // respond_by
  EXPECT_THAT(html, HasSubstr("Represent: answer the claim with this evidence"));
  EXPECT_THAT(html, HasSubstr("<li>A delivery scan in the ship-to city and postcode.</li>"));
  EXPECT_THAT(html, HasSubstr("<td>86 / 100</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"nowrap good\">Present</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"nowrap bad\">Contradicting</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"nowrap warn\">Missing</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"nowrap\">2026-11-05 00:00:00 UTC</td><td>tickets</td>"
                              "<td>message_in</td><td>" +
                              std::string(kChineseMessage) + "</td>"));
  EXPECT_THAT(html, HasSubstr("<pre class=\"statement\">" + std::string(kStatement) + "</pre>"));
  EXPECT_THAT(html, Not(HasSubstr("PARTIAL")));
}

TEST(PacketHtml, PartialPacketNamesTheMissingSections) {
  v1::Packet packet = SamplePacket();
  packet.set_partial(true);
  v1::Packet::MissingSection& m = *packet.add_missing_sections();
  m.set_source("returns");
  m.set_reason("UNAVAILABLE: connection refused");
  const std::string html = PacketHtml(packet);
  EXPECT_THAT(html, HasSubstr("<div class=\"banner\" role=\"alert\">PARTIAL"));
  EXPECT_THAT(html, HasSubstr("returns (UNAVAILABLE: connection refused)"));
}

TEST(PacketHtml, BrokenUtf8AndControlCharactersAreReplacedOrDropped) {
  v1::Packet packet = SamplePacket();
  packet.mutable_timeline(0)->set_text("bad \xff byte\x01 bell\x07\r\nnext");
  const std::string html = PacketHtml(packet);
  EXPECT_THAT(html, HasSubstr("<td>bad \xEF\xBF\xBD byte bell\nnext</td>"));  // U+FFFD
  const absl::StatusOr<std::string> pdf = PacketPdf(packet);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_THAT(WithoutSpace(PdfText(*pdf)), HasSubstr("bytebellnext"));
}

struct MoneyCase {
  std::string currency;
  int64_t minor;
  std::string shown;
};

TEST(PacketHtml, AmountsUseTheCurrencysMinorUnits) {
  const std::vector<MoneyCase> cases = {
      {.currency = "USD", .minor = 1999, .shown = "19.99 USD"},
      {.currency = "EUR", .minor = 5, .shown = "0.05 EUR"},
      {.currency = "JPY", .minor = 1999, .shown = "1999 JPY"},
      {.currency = "KWD", .minor = 1005, .shown = "1.005 KWD"},
      {.currency = "GBP", .minor = -250, .shown = "-2.50 GBP"},
  };
  for (const MoneyCase& c : cases) {
    v1::Packet packet = SamplePacket();
    packet.mutable_claim()->mutable_amount()->set_currency_code(c.currency);
    packet.mutable_claim()->mutable_amount()->set_amount_minor(c.minor);
    EXPECT_THAT(PacketHtml(packet), HasSubstr("<td>" + c.shown + "</td>")) << c.currency;
  }
}

TEST(PacketPdf, IsAPdfHoldingTheStatementAndTheChineseMessage) {
  const absl::StatusOr<std::string> pdf = PacketPdf(SamplePacket());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_THAT(*pdf, StartsWith("%PDF-"));
  const std::string text = WithoutSpace(PdfText(*pdf));
  EXPECT_THAT(text, HasSubstr(WithoutSpace(kStatement)));
  EXPECT_THAT(text, HasSubstr(WithoutSpace(kChineseMessage)));
  EXPECT_THAT(text, HasSubstr(WithoutSpace(kJapaneseMessage)));
  // Markup in a buyer's message is drawn as written, not interpreted.
  EXPECT_THAT(text, HasSubstr("<script>alert(1)</script>"));
  EXPECT_THAT(text, HasSubstr("Contradicting"));
  EXPECT_THAT(text, HasSubstr("49.99EUR"));
}

TEST(PacketPdf, PartialPacketSaysSo) {
  v1::Packet packet = SamplePacket();
  packet.set_partial(true);
  packet.add_missing_sections()->set_source("returns");
  const absl::StatusOr<std::string> pdf = PacketPdf(packet);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_THAT(WithoutSpace(PdfText(*pdf)), HasSubstr("PARTIAL"));
}

TEST(PacketPdf, ManyTimelineEventsFlowOntoMorePages) {
  v1::Packet packet = SamplePacket();
  for (int i = 0; i < 300; ++i) {
    *packet.add_timeline() =
        Event(kNov2 + 6 * 86400 + i * 60, "tickets", "tracking", absl::StrFormat("EVT-%04d", i));
  }
  const absl::StatusOr<std::string> pdf = PacketPdf(packet);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_GT(PdfPages(*pdf), 1);
  const std::string text = WithoutSpace(PdfText(*pdf));
  // Nothing falls off the bottom of a page: the first, a middle and the last event are there,
  // and the statement after the timeline too.
  EXPECT_THAT(text, HasSubstr("EVT-0000"));
  EXPECT_THAT(text, HasSubstr("EVT-0150"));
  EXPECT_THAT(text, HasSubstr("EVT-0299"));
  EXPECT_THAT(text, HasSubstr(WithoutSpace(kStatement)));
}

TEST(PacketPdf, ALongStatementWrapsAndContinuesOnTheNextPage) {
  v1::Packet packet = SamplePacket();
  std::string statement;
  for (int i = 0; i < 150; ++i) {
    absl::StrAppend(&statement, "Sentence S", i, " says that the parcel was tracked again. ");
  }
  statement += "FINAL_WORD";
  packet.set_statement(statement);
  // One message longer than a line with no space to break at: it wraps between characters.
  packet.mutable_timeline(0)->set_text(std::string(400, 'x'));
  const absl::StatusOr<std::string> pdf = PacketPdf(packet);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_GT(PdfPages(*pdf), 1);
  const std::string text = WithoutSpace(PdfText(*pdf));
  EXPECT_THAT(text, HasSubstr("SentenceS0saysthat"));
  EXPECT_THAT(text, HasSubstr("SentenceS149saysthat"));
  EXPECT_THAT(text, HasSubstr("FINAL_WORD"));
}

TEST(PacketPdf, RendersFromSeveralThreadsAtOnce) {
  const v1::Packet packet = SamplePacket();
  constexpr int kThreads = 4;
  std::vector<absl::StatusOr<std::string>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = PacketPdf(packet); });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::StatusOr<std::string>& pdf : results) {
    ASSERT_TRUE(pdf.ok()) << pdf.status();
    EXPECT_THAT(*pdf, StartsWith("%PDF-"));
    EXPECT_THAT(WithoutSpace(PdfText(*pdf)), HasSubstr(WithoutSpace(kChineseMessage)));
  }
}

TEST(ExportPacket, PicksTheFormatAndItsContentType) {
  const v1::Packet packet = SamplePacket();
  struct Case {
    std::string format;
    std::string content_type;
    std::string starts_with;
  };
  const std::vector<Case> cases = {
      {.format = "", .content_type = "application/json", .starts_with = "{"},
      {.format = "json", .content_type = "application/json", .starts_with = "{"},
      {.format = "html", .content_type = "text/html; charset=utf-8", .starts_with = "<!DOCTYPE"},
      {.format = "pdf", .content_type = "application/pdf", .starts_with = "%PDF-"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<ExportedDocument> doc = ExportPacket(packet, c.format);
    ASSERT_TRUE(doc.ok()) << c.format << ": " << doc.status();
    EXPECT_EQ(doc->content_type, c.content_type) << c.format;
    EXPECT_THAT(doc->data, StartsWith(c.starts_with)) << c.format;
  }
}

TEST(ExportPacket, UnknownFormatIsInvalidArgumentNamingFormat) {
  const absl::StatusOr<ExportedDocument> doc = ExportPacket(SamplePacket(), "xml");
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(doc.status().message(), "format: 'xml' is not one of json, html, pdf");
  EXPECT_EQ(ExportPacket(SamplePacket(), "PDF ").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aftersales::claims
