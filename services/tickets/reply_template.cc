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
      "agent_name", "store_id", "today",        "ticket_id"};
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

}  // namespace aftersales::tickets
