#include "services/claims/packet_export.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib-object.h>
#include <glib.h>
#include <google/protobuf/util/json_util.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/money.h"
#include "common/time_util.h"

namespace aftersales::claims {
namespace {

constexpr absl::string_view kJsonType = "application/json";
constexpr absl::string_view kHtmlType = "text/html; charset=utf-8";
constexpr absl::string_view kPdfType = "application/pdf";

// Latin first, then CJK, then whatever fontconfig offers: Pango falls back per character along
// this list and then through fontconfig's own fallback, so any script a buyer writes in shows.
constexpr absl::string_view kFontFamilies = "Noto Sans, Noto Sans CJK SC, sans-serif";

// ---------------------------------------------------------------------------------------------
// What a person reads, in words: one table per enum, beside the renderers rather than inside them.

template <typename Enum, size_t N>
std::string Label(const std::array<std::pair<Enum, absl::string_view>, N>& table, Enum value,
                  const std::string& proto_name) {
  for (const auto& [key, text] : table) {
    if (key == value) return std::string(text);
  }
  return proto_name.empty() ? absl::StrCat("unknown (", static_cast<int>(value), ")") : proto_name;
}

constexpr std::array<std::pair<v1::ClaimKind, absl::string_view>, 4> kKindLabels = {{
    {v1::A_TO_Z, "Amazon A-to-z Guarantee claim"},
    {v1::CHARGEBACK, "Chargeback"},
    {v1::ALIEXPRESS_DISPUTE, "AliExpress dispute"},
    {v1::EBAY_MONEY_BACK, "eBay Money Back Guarantee request"},
}};

constexpr std::array<std::pair<v1::ClaimReason, absl::string_view>, 8> kReasonLabels = {{
    {v1::NOT_RECEIVED, "Item not received"},
    {v1::NOT_AS_DESCRIBED, "Item not as described"},
    {v1::RETURNED_NOT_REFUNDED, "Item returned, not refunded"},
    {v1::RETURN_REFUSED, "Return refused"},
    {v1::NO_LOCAL_RETURN_OPTION, "No local return option"},
    {v1::EXTRA_CUSTOMS_FEES, "Extra customs fees"},
    {v1::UNAUTHORIZED_TRANSACTION, "Unauthorized transaction"},
    {v1::DUPLICATE_CHARGE, "Duplicate charge"},
}};

constexpr std::array<std::pair<v1::Claim::Status, absl::string_view>, 4> kStatusLabels = {{
    {v1::Claim::OPEN, "Open: waiting for the seller's response"},
    {v1::Claim::EXPIRED, "Expired: respond-by passed without a response"},
    {v1::Claim::DECIDED, "Decided"},
    {v1::Claim::APPEALED, "Appealed"},
}};

constexpr std::array<std::pair<v1::ClaimOutcome, absl::string_view>, 4> kOutcomeLabels = {{
    {v1::WON, "Won"},
    {v1::LOST, "Lost"},
    {v1::WITHDRAWN, "Withdrawn"},
    {v1::REFUNDED, "Refunded"},
}};

constexpr std::array<std::pair<v1::Packet::Recommendation, absl::string_view>, 3>
    kRecommendationLabels = {{
        {v1::Packet::REPRESENT, "Represent: answer the claim with this evidence"},
        {v1::Packet::REFUND, "Refund: the evidence cannot win this claim"},
        {v1::Packet::GATHER_MORE, "Gather more: get the missing evidence before respond-by"},
    }};

constexpr std::array<std::pair<v1::ChecklistItem::State, absl::string_view>, 3> kStateLabels = {{
    {v1::ChecklistItem::PRESENT, "Present"},
    {v1::ChecklistItem::MISSING, "Missing"},
    {v1::ChecklistItem::CONTRADICTING, "Contradicting"},
}};

constexpr std::array<std::pair<common::v1::Marketplace, absl::string_view>, 4> kMarketplaceLabels =
    {{
        {common::v1::AMAZON, "Amazon"},
        {common::v1::ALIEXPRESS, "AliExpress"},
        {common::v1::EBAY, "eBay"},
        {common::v1::SHOPIFY, "Shopify"},
    }};

// ---------------------------------------------------------------------------------------------
// Values as text.

std::string FormatAmount(const common::v1::Money& money) {
  return ::aftersales::FormatAmount(money.amount_minor(), money.currency_code());
}


std::string FormatTime(const google::protobuf::Timestamp& ts) {
  if (!IsSetProtoTime(ts)) return "not set";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", FromProtoTime(ts), absl::UTCTimeZone());
}

// Text from the packet as both renderers can take it: valid UTF-8 (a stray byte becomes U+FFFD,
// which Pango would otherwise warn about and HTML would show as garbage), line breaks as '\n',
// and no control characters besides '\n' and '\t' (HTML forbids them, Pango draws boxes).
std::string Clean(absl::string_view text) {
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  const absl::string_view in(valid);
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\r') {
      if (i + 1 < in.size() && in[i + 1] == '\n') continue;
      out += '\n';
    } else if ((c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t') {
      out += static_cast<char>(c);
    }
  }
  g_free(valid);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The packet as a document: the sections both HTML and PDF show, built once so the two cannot
// disagree about what is in them. Every string here is packet text, cleaned but not escaped.

enum class Tone { kNone, kGood, kWarn, kBad };

struct Cell {
  std::string text;
  Tone tone = Tone::kNone;
};

struct Table {
  std::vector<std::string> headers{};  // empty: a label/value table with the labels in column 0
  std::vector<double> widths{};        // fractions of the text width, one per column
  std::vector<std::vector<Cell>> rows{};
  // For HTML: columns whose text should not wrap (times).
  std::vector<bool> nowrap{};
};
struct Paragraph {
  std::string text;
};
struct Banner {
  std::string text;
};
struct BulletList {
  std::vector<std::string> items;
};
struct Preformatted {
  std::string text;
};
using Block = std::variant<Paragraph, Banner, BulletList, Table, Preformatted>;

struct Section {
  std::string heading;
  std::vector<Block> blocks;
};

struct Document {
  std::string title;
  std::string subtitle;
  std::vector<Block> preface;  // the PARTIAL banner, above every section
  std::vector<Section> sections;
};

Tone StateTone(v1::ChecklistItem::State state) {
  switch (state) {
    case v1::ChecklistItem::PRESENT:
      return Tone::kGood;
    case v1::ChecklistItem::MISSING:
      return Tone::kWarn;
    case v1::ChecklistItem::CONTRADICTING:
      return Tone::kBad;
    default:
      return Tone::kNone;
  }
}

Tone RecommendationTone(v1::Packet::Recommendation r) {
  switch (r) {
    case v1::Packet::REPRESENT:
      return Tone::kGood;
    case v1::Packet::GATHER_MORE:
      return Tone::kWarn;
    case v1::Packet::REFUND:
      return Tone::kBad;
    default:
      return Tone::kNone;
  }
}

std::string OrderId(const v1::Packet& packet) {
  return packet.claim().order().order_id().empty() ? packet.order().order_id()
                                                   : packet.claim().order().order_id();
}

Table Facts(std::vector<std::pair<std::string, std::string>> facts) {
  Table t{.widths = {0.27, 0.73}};
  for (auto& [label, value] : facts) {
    t.rows.push_back({Cell{std::move(label)}, Cell{Clean(value)}});
  }
  return t;
}

Section ClaimSection(const v1::Claim& c) {
  std::string order = Clean(c.order().order_id());
  if (c.order().marketplace() != common::v1::MARKETPLACE_UNSPECIFIED) {
    absl::StrAppend(&order, " (",
                    Label(kMarketplaceLabels, c.order().marketplace(),
                          common::v1::Marketplace_Name(c.order().marketplace())),
                    c.order().site().empty() ? "" : " ", Clean(c.order().site()), ")");
  }
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Claim", c.claim_id()},
      {"Marketplace claim", c.marketplace_claim_id()},
      {"Store", c.store_id()},
      {"Order", order},
      {"Kind", Label(kKindLabels, c.kind(), v1::ClaimKind_Name(c.kind()))},
      {"Reason", Label(kReasonLabels, c.reason(), v1::ClaimReason_Name(c.reason()))},
      {"Amount", c.has_amount() ? FormatAmount(c.amount()) : "not set"},
      {"Opened", FormatTime(c.opened_at())},
  };
  if (IsSetProtoTime(c.promised_delivery_by())) {
    facts.emplace_back("Promised delivery by", FormatTime(c.promised_delivery_by()));
  }
  facts.emplace_back("Respond by", FormatTime(c.respond_by()));
  facts.emplace_back("Status",
                     Label(kStatusLabels, c.status(), v1::Claim::Status_Name(c.status())));
  if (c.outcome() != v1::OUTCOME_UNSPECIFIED) {
    facts.emplace_back("Outcome", absl::StrCat(Label(kOutcomeLabels, c.outcome(),
                                                     v1::ClaimOutcome_Name(c.outcome())),
                                               ", ", FormatTime(c.outcome_at())));
  }
  if (IsSetProtoTime(c.appeal_respond_by())) {
    facts.emplace_back("Appeal respond by", FormatTime(c.appeal_respond_by()));
  }
  if (!c.note().empty()) facts.emplace_back("Note", c.note());
  return {"Claim", {Facts(std::move(facts))}};
}

Section RecommendationSection(const v1::Packet& p) {
  Table verdict =
      Facts({{"Recommendation", Label(kRecommendationLabels, p.recommendation(),
                                      v1::Packet::Recommendation_Name(p.recommendation()))},
             {"Completeness", absl::StrCat(p.completeness(), " / 100")}});
  verdict.rows[0][1].tone = RecommendationTone(p.recommendation());
  Section s{"Recommendation", {std::move(verdict)}};
  BulletList reasons;
  for (const std::string& r : p.recommendation_reasons()) reasons.items.push_back(Clean(r));
  if (!reasons.items.empty()) s.blocks.emplace_back(std::move(reasons));
  return s;
}

Section OrderSection(const v1::OrderSummary& o) {
  std::vector<absl::string_view> place;
  for (const std::string* part : {&o.ship_to_city(), &o.ship_to_postcode(), &o.ship_to_country()}) {
    if (!part->empty()) place.push_back(*part);
  }
  std::vector<std::string> items;
  for (const std::string& item : o.items()) items.push_back(item);
  return {"Order",
          {Facts({{"Order", o.order_id()},
                  {"Ordered", FormatTime(o.ordered_at())},
                  {"Ship to", place.empty() ? "not known" : absl::StrJoin(place, " ")},
                  {"Items", items.empty() ? "none listed" : absl::StrJoin(items, "\n")}})}};
}

Section ChecklistSection(const v1::Packet& p) {
  if (p.checklist().empty()) return {"Checklist", {Paragraph{"No checklist items."}}};
  Table t{.headers = {"Requirement", "State", "What was found", "Evidence"},
          .widths = {0.28, 0.13, 0.36, 0.23},
          .nowrap = {false, true, false, false}};
  for (const v1::ChecklistItem& item : p.checklist()) {
    std::string requirement = Clean(item.requirement());
    if (!item.id().empty()) absl::StrAppend(&requirement, "\n[", Clean(item.id()), "]");
    t.rows.push_back(
        {Cell{std::move(requirement)},
         Cell{Label(kStateLabels, item.state(), v1::ChecklistItem::State_Name(item.state())),
              StateTone(item.state())},
         Cell{Clean(item.detail())}, Cell{Clean(absl::StrJoin(item.evidence(), "\n"))}});
  }
  return {"Checklist", {std::move(t)}};
}

Section TimelineSection(const v1::Packet& p) {
  if (p.timeline().empty()) return {"Timeline", {Paragraph{"No events."}}};
  Table t{.headers = {"Time (UTC)", "Source", "Kind", "Text"},
          .widths = {0.23, 0.11, 0.16, 0.50},
          .nowrap = {true, false, false, false}};
  for (const v1::TimelineEvent& e : p.timeline()) {
    t.rows.push_back({Cell{FormatTime(e.at())}, Cell{Clean(e.source())}, Cell{Clean(e.kind())},
                      Cell{Clean(e.text())}});
  }
  return {"Timeline", {std::move(t)}};
}

Document BuildDocument(const v1::Packet& p) {
  Document d;
  d.title = absl::StrCat("Evidence packet: claim ",
                         Clean(p.claim_id().empty() ? p.claim().claim_id() : p.claim_id()),
                         ", order ", Clean(OrderId(p)));
  d.subtitle = absl::StrCat("Built ", FormatTime(p.built_at()));
  if (p.partial() || !p.missing_sections().empty()) {
    std::vector<std::string> missing;
    for (const v1::Packet::MissingSection& m : p.missing_sections()) {
      missing.push_back(m.reason().empty()
                            ? Clean(m.source())
                            : absl::StrCat(Clean(m.source()), " (", Clean(m.reason()), ")"));
    }
    d.preface.emplace_back(
        Banner{absl::StrCat("PARTIAL: this packet lacks evidence. Missing sections: ",
                            missing.empty() ? "not named" : absl::StrJoin(missing, "; "), ".")});
  }
  d.sections.push_back(ClaimSection(p.claim()));
  d.sections.push_back(RecommendationSection(p));
  if (p.has_order()) d.sections.push_back(OrderSection(p.order()));
  d.sections.push_back(ChecklistSection(p));
  d.sections.push_back(TimelineSection(p));
  d.sections.push_back({"Statement",
                        {p.statement().empty() ? Block{Paragraph{"No statement."}}
                                               : Block{Preformatted{Clean(p.statement())}}}});
  return d;
}

// ---------------------------------------------------------------------------------------------
// HTML.

void AppendEscaped(absl::string_view text, std::string& out) {
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

std::string Escaped(absl::string_view text) {
  std::string out;
  AppendEscaped(text, out);
  return out;
}

absl::string_view ToneName(Tone tone) {
  switch (tone) {
    case Tone::kGood:
      return "good";
    case Tone::kWarn:
      return "warn";
    case Tone::kBad:
      return "bad";
    case Tone::kNone:
      break;
  }
  return "";
}

// No external resources and no scripts; the policy also stops a script if escaping ever failed.
constexpr absl::string_view kHtmlHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
)";

constexpr absl::string_view kHtmlStyle = R"(<style>
body { font-family: "Noto Sans", "Noto Sans CJK SC", sans-serif; font-size: 14px; color: #202124;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #dadce0; padding-bottom: .2rem; margin-top: 1.8rem; }
.subtitle { color: #5f6368; margin-top: 0; }
.banner { background: #fce8e6; color: #a50e0e; border: 2px solid #d93025; padding: .6rem .8rem;
          font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; white-space: pre-line;
         overflow-wrap: anywhere; }
table.grid th, table.grid td { border: 1px solid #dadce0; }
table.grid thead th { background: #f1f3f4; }
table.facts th { width: 27%; font-weight: 600; }
td.nowrap { white-space: nowrap; }
.good { background: #e6f4ea; color: #137333; font-weight: bold; }
.warn { background: #fef7e0; color: #b06000; font-weight: bold; }
.bad { background: #fce8e6; color: #c5221f; font-weight: bold; }
pre.statement { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit;
                background: #f8f9fa; border: 1px solid #dadce0; padding: .8rem; }
</style>
</head>
<body>
)";

class HtmlWriter {
 public:
  explicit HtmlWriter(std::string& out) : out_(out) {}

  void operator()(const Paragraph& p) { absl::StrAppend(&out_, "<p>", Escaped(p.text), "</p>\n"); }
  void operator()(const Banner& b) {
    absl::StrAppend(&out_, "<div class=\"banner\" role=\"alert\">", Escaped(b.text), "</div>\n");
  }
  void operator()(const BulletList& l) {
    out_ += "<ul>\n";
    for (const std::string& item : l.items)
      absl::StrAppend(&out_, "<li>", Escaped(item), "</li>\n");
    out_ += "</ul>\n";
  }
  void operator()(const Preformatted& p) {
    absl::StrAppend(&out_, "<pre class=\"statement\">", Escaped(p.text), "</pre>\n");
  }
  void operator()(const Table& t) {
    if (t.headers.empty()) {
      out_ += "<table class=\"facts\">\n";
      for (const std::vector<Cell>& row : t.rows) {
        absl::StrAppend(&out_, "<tr><th scope=\"row\">", Escaped(row[0].text), "</th>");
        for (size_t i = 1; i < row.size(); ++i) AppendCell(t, row, i);
        out_ += "</tr>\n";
      }
      out_ += "</table>\n";
      return;
    }
    out_ += "<table class=\"grid\">\n<thead><tr>";
    for (const std::string& h : t.headers)
      absl::StrAppend(&out_, "<th scope=\"col\">", Escaped(h), "</th>");
    out_ += "</tr></thead>\n<tbody>\n";
    for (const std::vector<Cell>& row : t.rows) {
      out_ += "<tr>";
      for (size_t i = 0; i < row.size(); ++i) AppendCell(t, row, i);
      out_ += "</tr>\n";
    }
    out_ += "</tbody>\n</table>\n";
  }

 private:
  void AppendCell(const Table& t, const std::vector<Cell>& row, size_t i) {
    std::vector<absl::string_view> classes;
    if (i < t.nowrap.size() && t.nowrap[i]) classes.push_back("nowrap");
    if (row[i].tone != Tone::kNone) classes.push_back(ToneName(row[i].tone));
    out_ += "<td";
    if (!classes.empty()) absl::StrAppend(&out_, " class=\"", absl::StrJoin(classes, " "), "\"");
    absl::StrAppend(&out_, ">", Escaped(row[i].text), "</td>");
  }

  std::string& out_;
};

// ---------------------------------------------------------------------------------------------
// PDF: Cairo draws, Pango shapes and breaks lines (with font fallback for any script).

constexpr double kPageWidth = 595.276;  // A4 in PostScript points
constexpr double kPageHeight = 841.890;
constexpr double kMarginX = 48;
constexpr double kMarginTop = 52;
constexpr double kMarginBottom = 56;
constexpr double kTextWidth = kPageWidth - 2 * kMarginX;
constexpr double kPageContentHeight = kPageHeight - kMarginTop - kMarginBottom;
constexpr double kPad = 3;

struct Rgb {
  double r, g, b;
};

Rgb Fill(Tone tone) {
  switch (tone) {
    case Tone::kGood:
      return {0.902, 0.957, 0.918};
    case Tone::kWarn:
      return {0.996, 0.969, 0.878};
    case Tone::kBad:
      return {0.988, 0.910, 0.902};
    case Tone::kNone:
      break;
  }
  return {1, 1, 1};
}

Rgb Ink(Tone tone) {
  switch (tone) {
    case Tone::kGood:
      return {0.075, 0.451, 0.200};
    case Tone::kWarn:
      return {0.690, 0.376, 0.0};
    case Tone::kBad:
      return {0.773, 0.133, 0.122};
    case Tone::kNone:
      break;
  }
  return {0.125, 0.129, 0.141};
}

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
struct CairoDestroy {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct SurfaceDestroy {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct FontDescriptionFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
using FontDescription = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;
using Layout = std::unique_ptr<PangoLayout, GObjectUnref>;

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_NO_MEMORY;
  }
  return CAIRO_STATUS_SUCCESS;
}

struct TextStyle {
  double size;
  bool bold = false;
};

constexpr TextStyle kTitle{.size = 16, .bold = true};
constexpr TextStyle kSubtitle{.size = 9};
constexpr TextStyle kHeading{.size = 12.5, .bold = true};
constexpr TextStyle kBody{.size = 9};
constexpr TextStyle kCellText{.size = 8.5};
constexpr TextStyle kFooter{.size = 7.5};

// One line of a laid-out text, in the layout's own Pango units.
struct LineBox {
  PangoLayoutLine* line;  // owned by the layout
  int top;
  int bottom;
  int baseline;
};

// One cell of a row: its text laid out at the cell's width, drawn line by line so that it can
// continue on the next page.
struct Flow {
  Layout layout;
  std::vector<LineBox> lines{};
  size_t next = 0;  // first line not drawn yet
  Tone tone = Tone::kNone;
  double x = 0;
  double width = 0;
  double pad = 0;  // inside the cell, around the text
  bool Done() const { return next == lines.size(); }
};

struct RowStyle {
  bool border = false;
  bool header = false;  // grey, as a table's column names
};

class PdfWriter {
 public:
  PdfWriter(cairo_t* cr, PangoContext* context, std::string footer)
      : cr_(cr), context_(context), footer_(std::move(footer)) {
    StartPage();
  }

  void Title(const std::string& title, const std::string& subtitle) {
    Text(title, kTitle);
    y_ += 2;
    Text(subtitle, kSubtitle);
    y_ += 10;
  }

  void DrawSection(const Section& section) {
    // A heading stays with the start of what follows it: a table's column names and first row,
    // or the first lines of a text.
    double lead = 0;
    if (!section.blocks.empty()) {
      const Table* table = std::get_if<Table>(&section.blocks.front());
      lead = table != nullptr ? TableLead(*table) : 3 * kBody.size * 1.5;
    }
    const Layout heading = MakeLayout(section.heading, kHeading, kTextWidth);
    const double together = 8 + Height(heading.get()) + 6 + lead;
    if (together > Remaining() && together <= kPageContentHeight) NewPage();
    Heading(section.heading);
    for (const Block& block : section.blocks) std::visit(*this, block);
  }

  void Heading(const std::string& text) {
    y_ += 8;
    Text(text, kHeading);
    cairo_set_source_rgb(cr_, 0.855, 0.863, 0.878);
    cairo_set_line_width(cr_, 0.6);
    cairo_move_to(cr_, kMarginX, y_ + 1.5);
    cairo_line_to(cr_, kMarginX + kTextWidth, y_ + 1.5);
    cairo_stroke(cr_);
    y_ += 6;
  }

  void operator()(const Paragraph& p) {
    Text(p.text, kBody);
    y_ += 4;
  }
  void operator()(const Banner& b) {
    std::vector<Flow> row;
    row.push_back(
        MakeFlow(b.text, TextStyle{.size = 10, .bold = true}, kMarginX, kTextWidth, Tone::kBad, 6));
    Row(row, {.border = true}, nullptr);
    y_ += 6;
  }
  void operator()(const BulletList& l) {
    for (const std::string& item : l.items) {
      std::vector<Flow> row;
      row.push_back(MakeFlow("•", kBody, kMarginX, 12, Tone::kNone, kPad));
      row.push_back(MakeFlow(item, kBody, kMarginX + 12, kTextWidth - 12, Tone::kNone, kPad));
      Row(row, {}, nullptr);
    }
    y_ += 4;
  }
  void operator()(const Preformatted& p) {
    std::vector<Flow> row;
    row.push_back(MakeFlow(p.text, kBody, kMarginX, kTextWidth, Tone::kNone, 6));
    Row(row, {.border = true}, nullptr);
    y_ += 4;
  }
  void operator()(const Table& t) {
    const bool grid = !t.headers.empty();
    const auto header = [&] {
      if (!grid) return;
      std::vector<Flow> row = MakeRow(
          t, [&](size_t i) { return Cell{t.headers[i]}; }, true);
      Row(row, {.border = true, .header = true}, nullptr);
    };
    std::vector<std::vector<Flow>> rows;
    for (const std::vector<Cell>& cells : t.rows) {
      rows.push_back(MakeRow(
          t, [&](size_t i) { return cells[i]; }, false));
    }
    // The column names stay with the first row, rather than alone at the foot of a page.
    const double together = TableLead(t);
    if (together > Remaining() && together <= kPageContentHeight) NewPage();
    header();
    for (std::vector<Flow>& row : rows) Row(row, {.border = grid}, header);
    y_ += 6;
  }

 private:
  // Column names are bold, and so are a label/value table's labels and a coloured state.
  template <typename CellAt>
  std::vector<Flow> MakeRow(const Table& t, CellAt cell_at, bool header) const {
    std::vector<Flow> row;
    double x = kMarginX;
    for (size_t i = 0; i < t.widths.size(); ++i) {
      const Cell cell = cell_at(i);
      const double width = t.widths[i] * kTextWidth;
      TextStyle style = kCellText;
      style.bold = header || (t.headers.empty() && i == 0) || cell.tone != Tone::kNone;
      row.push_back(MakeFlow(cell.text, style, x, width, cell.tone, kPad));
      x += width;
    }
    return row;
  }

  FontDescription Font(const TextStyle& style) const {
    FontDescription font(pango_font_description_new());
    pango_font_description_set_family(font.get(), std::string(kFontFamilies).c_str());
    pango_font_description_set_size(font.get(), static_cast<gint>(style.size * PANGO_SCALE));
    pango_font_description_set_weight(font.get(),
                                      style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    return font;
  }

  Layout MakeLayout(const std::string& text, const TextStyle& style, double width) const {
    Layout layout(pango_layout_new(context_));
    const FontDescription font = Font(style);
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    // Plain text, never markup: a buyer's "<b>" is drawn as written.
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    return layout;
  }

  static double Height(PangoLayout* layout) {
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  Flow MakeFlow(const std::string& text, const TextStyle& style, double x, double width, Tone tone,
                double pad) const {
    Flow flow{.layout = MakeLayout(text, style, width - 2 * pad),
              .tone = tone,
              .x = x,
              .width = width,
              .pad = pad};
    PangoLayoutIter* iter = pango_layout_get_iter(flow.layout.get());
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      flow.lines.push_back({pango_layout_iter_get_line_readonly(iter), logical.y,
                            logical.y + logical.height, pango_layout_iter_get_baseline(iter)});
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
    return flow;
  }

  // A single text at the full width, flowing across pages line by line.
  void Text(const std::string& text, const TextStyle& style) {
    std::vector<Flow> row;
    row.push_back(MakeFlow(text, style, kMarginX, kTextWidth, Tone::kNone, 0));
    Row(row, {}, nullptr);
  }

  double Remaining() const { return kPageHeight - kMarginBottom - y_; }
  bool AtPageTop() const { return y_ <= kMarginTop + 0.5; }

  void StartPage() {
    ++page_;
    y_ = kMarginTop;
    Layout footer = MakeLayout(absl::StrCat(footer_, " · page ", page_), kFooter, kTextWidth);
    cairo_set_source_rgb(cr_, 0.373, 0.388, 0.408);
    cairo_move_to(cr_, kMarginX, kPageHeight - kMarginBottom + 18);
    pango_cairo_show_layout(cr_, footer.get());
  }

  void NewPage() {
    cairo_show_page(cr_);
    StartPage();
  }

  void SetInk(Tone tone) {
    const Rgb ink = Ink(tone);
    cairo_set_source_rgb(cr_, ink.r, ink.g, ink.b);
  }

  // The column names (if any) and the first row.
  double TableLead(const Table& t) const {
    double lead = 0;
    if (!t.headers.empty()) {
      lead += FullHeight(MakeRow(
          t, [&](size_t i) { return Cell{t.headers[i]}; }, true));
    }
    if (!t.rows.empty()) {
      lead += FullHeight(MakeRow(
          t, [&](size_t i) { return t.rows.front()[i]; }, false));
    }
    return lead;
  }

  static double Padding(const std::vector<Flow>& cells) {
    double pad = 0;
    for (const Flow& f : cells) pad = std::max(pad, f.pad);
    return pad;
  }

  // The height of a row drawn whole.
  static double FullHeight(const std::vector<Flow>& cells) {
    double text = 0;
    for (const Flow& f : cells) {
      text = std::max(
          text, static_cast<double>(f.lines.back().bottom - f.lines.front().top) / PANGO_SCALE);
    }
    return text + 2 * Padding(cells);
  }

  // Draws the cells of one row side by side. A row that fits on a fresh page but not on this one
  // moves to the next page whole; a taller row is split between lines, each cell continuing on
  // the next page where it stopped, after the table's header is repeated.
  template <typename Repeat>
  void Row(std::vector<Flow>& cells, RowStyle style, const Repeat& repeat_header) {
    const double pad = Padding(cells);
    const double full = FullHeight(cells);
    if (full > Remaining() && !AtPageTop() && full <= kPageContentHeight) {
      BreakPage(repeat_header);
    }

    for (;;) {
      const double avail = Remaining() - 2 * pad;
      // How far each cell gets on this page, in its own layout units.
      std::vector<size_t> end(cells.size());
      double chunk = 0;
      bool progress = false;
      for (size_t c = 0; c < cells.size(); ++c) {
        const Flow& f = cells[c];
        size_t e = f.next;
        if (!f.Done()) {
          const int start = f.lines[f.next].top;
          while (e < f.lines.size() &&
                 static_cast<double>(f.lines[e].bottom - start) / PANGO_SCALE <= avail) {
            ++e;
          }
          // A line taller than a whole page cannot wait for a better one.
          if (e == f.next && AtPageTop()) ++e;
          if (e > f.next) {
            progress = true;
            chunk =
                std::max(chunk, static_cast<double>(f.lines[e - 1].bottom - start) / PANGO_SCALE);
          }
        }
        end[c] = e;
      }
      if (!progress) {
        BreakPage(repeat_header);
        continue;
      }
      DrawChunk(cells, end, chunk + 2 * pad, style);
      y_ += chunk + 2 * pad;
      bool done = true;
      for (size_t c = 0; c < cells.size(); ++c) {
        cells[c].next = end[c];
        done = done && cells[c].Done();
      }
      if (done) return;
      BreakPage(repeat_header);
    }
  }

  template <typename Repeat>
  void BreakPage(const Repeat& repeat_header) {
    NewPage();
    if constexpr (!std::is_same_v<Repeat, std::nullptr_t>) repeat_header();
  }

  void DrawChunk(const std::vector<Flow>& cells, const std::vector<size_t>& end, double height,
                 RowStyle style) {
    for (size_t c = 0; c < cells.size(); ++c) {
      const Flow& f = cells[c];
      if (style.header || f.tone != Tone::kNone) {
        const Rgb fill = style.header ? Rgb{0.945, 0.953, 0.957} : Fill(f.tone);
        cairo_set_source_rgb(cr_, fill.r, fill.g, fill.b);
        cairo_rectangle(cr_, f.x, y_, f.width, height);
        cairo_fill(cr_);
      }
      if (style.border) {
        cairo_set_source_rgb(cr_, 0.855, 0.863, 0.878);
        cairo_set_line_width(cr_, 0.5);
        cairo_rectangle(cr_, f.x, y_, f.width, height);
        cairo_stroke(cr_);
      }
      if (f.Done()) continue;
      SetInk(f.tone);
      const int start = f.lines[f.next].top;
      for (size_t i = f.next; i < end[c]; ++i) {
        cairo_move_to(cr_, f.x + f.pad,
                      y_ + f.pad + static_cast<double>(f.lines[i].baseline - start) / PANGO_SCALE);
        pango_cairo_show_layout_line(cr_, f.lines[i].line);
      }
    }
  }

  cairo_t* cr_;
  PangoContext* context_;
  std::string footer_;
  int page_ = 0;
  double y_ = kMarginTop;
};

absl::Status CairoError(absl::string_view what, cairo_status_t status) {
  return absl::InternalError(absl::StrCat("pdf: ", what, ": ", cairo_status_to_string(status)));
}

}  // namespace

std::string PacketJson(const v1::Packet& packet) {
  // As the gateway prints every response: proto field names, defaults printed, enums by name.
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  // Fails only for a Timestamp outside the years 1 to 9999, which no packet we build holds; the
  // document is then empty rather than half written, and ExportPacket reports it as INTERNAL.
  if (!google::protobuf::util::MessageToJsonString(packet, &out, options).ok()) out.clear();
  return out;
}

std::string PacketHtml(const v1::Packet& packet) {
  const Document doc = BuildDocument(packet);
  std::string out(kHtmlHead);
  absl::StrAppend(&out, "<title>", Escaped(doc.title), "</title>\n", kHtmlStyle);
  absl::StrAppend(&out, "<h1>", Escaped(doc.title), "</h1>\n<p class=\"subtitle\">",
                  Escaped(doc.subtitle), "</p>\n");
  HtmlWriter writer(out);
  for (const Block& block : doc.preface) std::visit(writer, block);
  for (const Section& section : doc.sections) {
    absl::StrAppend(&out, "<section>\n<h2>", Escaped(section.heading), "</h2>\n");
    for (const Block& block : section.blocks) std::visit(writer, block);
    out += "</section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

absl::StatusOr<std::string> PacketPdf(const v1::Packet& packet) {
  const Document doc = BuildDocument(packet);
  std::string out;
  const std::unique_ptr<cairo_surface_t, SurfaceDestroy> surface(
      cairo_pdf_surface_create_for_stream(&AppendToString, &out, kPageWidth, kPageHeight));
  if (const cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError("creating the surface", s);
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, doc.title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Aftersales claims");
  const std::unique_ptr<cairo_t, CairoDestroy> cr(cairo_create(surface.get()));

  // A font map per thread, kept for the thread's life: a PangoFontMap and its caches must not be
  // shared between threads (exports run concurrently), and building one per export cost most of
  // an export's time and left cairo's per-face data behind each time (LeakSanitizer). At 72 dpi
  // a Pango point is a PDF point.
  thread_local const std::unique_ptr<PangoFontMap, GObjectUnref> font_map(pango_cairo_font_map_new());
  const std::unique_ptr<PangoContext, GObjectUnref> context(
      pango_font_map_create_context(font_map.get()));
  pango_cairo_context_set_resolution(context.get(), 72);
  cairo_font_options_t* font_options = cairo_font_options_create();
  // Unhinted metrics: a PDF is scaled on every screen and printer, so lay out at true sizes.
  cairo_font_options_set_hint_metrics(font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(font_options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), font_options);
  cairo_font_options_destroy(font_options);
  pango_context_set_round_glyph_positions(context.get(), FALSE);
  pango_cairo_update_context(cr.get(), context.get());

  {
    PdfWriter writer(cr.get(), context.get(), doc.title);
    writer.Title(doc.title, doc.subtitle);
    for (const Block& block : doc.preface) std::visit(writer, block);
    for (const Section& section : doc.sections) writer.DrawSection(section);
  }
  if (const cairo_status_t s = cairo_status(cr.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError("drawing", s);
  }
  cairo_surface_finish(surface.get());
  if (const cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError("writing", s);
  }
  return out;
}

absl::StatusOr<ExportedDocument> ExportPacket(const v1::Packet& packet, absl::string_view format) {
  if (format.empty() || format == "json") {
    std::string json = PacketJson(packet);
    if (json.empty()) {
      return absl::InternalError("json: the packet holds a value JSON cannot express");
    }
    return ExportedDocument{std::string(kJsonType), std::move(json)};
  }
  if (format == "html") return ExportedDocument{std::string(kHtmlType), PacketHtml(packet)};
  if (format == "pdf") {
    absl::StatusOr<std::string> pdf = PacketPdf(packet);
    if (!pdf.ok()) return pdf.status();
    return ExportedDocument{std::string(kPdfType), *std::move(pdf)};
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "format: '", absl::CHexEscape(format.substr(0, 32)), "' is not one of json, html, pdf"));
}

}  // namespace aftersales::claims
