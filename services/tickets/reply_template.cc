#include "services/tickets/reply_template.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace aftersales::tickets {
namespace {

// Walks text, calling on_literal for plain text and on_placeholder for each {name}.
template <typename Literal, typename Placeholder>
absl::Status Walk(absl::string_view text, absl::string_view field, Literal on_literal,
                  Placeholder on_placeholder) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    if (open == absl::string_view::npos) {
      on_literal(text.substr(i));
      break;
    }
    on_literal(text.substr(i, open - i));
    if (open + 1 < text.size() && text[open + 1] == '{') {
      on_literal("{");
      i = open + 2;
      continue;
    }
    const size_t close = text.find('}', open);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": '{' at byte ", open, " is not closed; write {{ for a literal brace"));
    }
    if (absl::Status s = on_placeholder(text.substr(open + 1, close - open - 1), open); !s.ok()) {
      return s;
    }
    i = close + 1;
  }
  return absl::OkStatus();
}

bool IsKnown(absl::string_view name) {
  const auto& known = KnownPlaceholders();
  return std::find(known.begin(), known.end(), name) != known.end();
}

}  // namespace

const std::vector<std::string>& KnownPlaceholders() {
  static const std::vector<std::string> known = {
      "buyer_name", "order_id", "tracking_url", "tracking_number", "carrier",
      "agent_name", "store_id", "today",        "ticket_id",       "reply_by"};
  return known;
}

absl::Status ValidateTemplateText(absl::string_view field, absl::string_view text) {
  return Walk(
      text, field, [](absl::string_view) {},
      [&](absl::string_view name, size_t at) -> absl::Status {
        if (IsKnown(name)) return absl::OkStatus();
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": unknown placeholder {", name, "} at byte ", at,
                         "; known: {", absl::StrJoin(KnownPlaceholders(), "}, {"), "}"));
      });
}

absl::StatusOr<std::string> RenderTemplateText(absl::string_view text,
                                               const std::map<std::string, std::string>& values) {
  std::string out;
  std::vector<std::string> missing;
  absl::Status walked = Walk(
      text, "template", [&](absl::string_view literal) { out.append(literal.data(), literal.size()); },
      [&](absl::string_view name, size_t) -> absl::Status {
        auto it = values.find(std::string(name));
        if (it == values.end() || it->second.empty()) {
          if (std::find(missing.begin(), missing.end(), name) == missing.end()) {
            missing.emplace_back(name);
          }
        } else {
          out += it->second;
        }
        return absl::OkStatus();
      });
  if (!walked.ok()) return walked;
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no value for {", absl::StrJoin(missing, "}, {"),
                     "}: give it in `values` or render for a ticket whose order has it"));
  }
  return out;
}

std::string FormalSubject(absl::string_view order_id, absl::string_view topic) {
  if (order_id.empty()) return std::string(topic);
  return absl::StrCat("Order #", order_id, ": ", topic);
}

std::string ChooseLanguage(const std::vector<std::string>& available, absl::string_view requested,
                           absl::string_view buyer_language) {
  auto has = [&](absl::string_view lang) {
    return !lang.empty() && std::find(available.begin(), available.end(), lang) != available.end();
  };
  auto primary = [](absl::string_view lang) { return lang.substr(0, lang.find('-')); };
  for (absl::string_view candidate :
       {requested, buyer_language, primary(requested), primary(buyer_language),
        absl::string_view("en")}) {
    if (has(candidate)) return std::string(candidate);
  }
  return available.empty() ? "" : available.front();
}

std::map<std::string, std::string> ReplyValues(const ReplyContext& c) {
  std::map<std::string, std::string> values = {{"store_id", c.store_id},
                                               {"agent_name", c.agent_name}};
  absl::TimeZone zone = absl::UTCTimeZone();
  if (c.ticket != nullptr) {
    const v1::Ticket& t = *c.ticket;
    values["ticket_id"] = t.ticket_id();
    values["buyer_name"] = t.buyer().name();
    values["order_id"] = t.order().order_id();
    // Zones were checked against the installed ones when the ticket was written.
    if (!t.buyer().time_zone().empty()) absl::LoadTimeZone(t.buyer().time_zone(), &zone);
  }
  if (c.latest_shipment != nullptr) {
    values["carrier"] = c.latest_shipment->carrier();
    values["tracking_number"] = c.latest_shipment->tracking_number();
    values["tracking_url"] = c.latest_shipment->tracking_url();
  }
  values["today"] = absl::FormatTime("%Y-%m-%d", c.now, zone);
  if (c.reply_by.has_value()) {
    values["reply_by"] = absl::FormatTime("%Y-%m-%d %H:%M %Z", *c.reply_by, zone);
  }
  return values;
}

absl::string_view AnonymousBuyerName(absl::string_view language) {
  const absl::string_view primary = language.substr(0, language.find('-'));
  if (primary == "de") return "zusammen";
  if (primary == "zh") return "顾客";
  return "there";
}

absl::string_view DefaultReplyText(absl::string_view name, absl::string_view language) {
  struct Text {
    absl::string_view name;
    absl::string_view language;
    absl::string_view text;
  };
  static constexpr Text kTexts[] = {
      {"follow_up", "en",
       "Hello {buyer_name}, we are checking in on our last reply. If anything is still not "
       "right, just reply to this message and we will take care of it."},
      {"follow_up", "de",
       "Hallo {buyer_name}, wir melden uns noch einmal zu unserer letzten Antwort. Falls noch "
       "etwas nicht stimmt, antworten Sie einfach auf diese Nachricht."},
      {"follow_up", "zh",
       "{buyer_name}您好，我们想确认上次的答复是否解决了您的问题。如仍有不妥，请直接回复此消息。"},
      {"out_of_hours", "en",
       "Hello {buyer_name}, thank you for your message. Our team is away right now and will be "
       "back by {reply_by}; we will reply to you then."},
      {"out_of_hours", "de",
       "Hallo {buyer_name}, danke für Ihre Nachricht. Unser Team ist gerade nicht erreichbar und "
       "ab {reply_by} wieder für Sie da; dann antworten wir Ihnen."},
      {"out_of_hours", "zh",
       "{buyer_name}您好，感谢您的留言。我们的团队目前不在线，将于{reply_by}回来并尽快回复您。"},
  };
  const absl::string_view primary = language.substr(0, language.find('-'));
  absl::string_view english;
  for (const Text& t : kTexts) {
    if (t.name != name) continue;
    if (t.language == primary) return t.text;
    if (t.language == "en") english = t.text;
  }
  return english;
}

}  // namespace aftersales::tickets
