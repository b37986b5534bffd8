#include "tests/reviews/seed_rules.h"

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace aftersales::reviews::testing {
namespace {

// Reads one SQL value at text[i]: a quoted string (with '' and backslash escapes) or a number.
absl::StatusOr<std::string> ReadValue(const std::string& text, size_t& i) {
  while (i < text.size() && absl::ascii_isspace(text[i])) ++i;
  std::string out;
  if (i < text.size() && text[i] == '\'') {
    ++i;
    while (i < text.size()) {
      const char c = text[i++];
      if (c == '\\' && i < text.size()) {
        const char e = text[i++];
        out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      } else if (c == '\'') {
        if (i < text.size() && text[i] == '\'') {
          out.push_back('\'');
          ++i;
        } else {
          return out;
        }
      } else {
        out.push_back(c);
      }
    }
    return absl::InvalidArgumentError("an unterminated string");
  }
  while (i < text.size() && text[i] != ',' && text[i] != ')') out.push_back(text[i++]);
  return std::string(absl::StripAsciiWhitespace(out));
}

}  // namespace

absl::StatusOr<std::vector<PhraseRule>> LoadSeedRules(const std::string& sql_path) {
  std::ifstream in(sql_path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", sql_path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string sql = buffer.str();
  const std::string head = "INSERT INTO phrase_rules (";
  std::vector<PhraseRule> rules;
  for (size_t at = sql.find(head); at != std::string::npos; at = sql.find(head, at + 1)) {
    const size_t close = sql.find(')', at);
    std::vector<std::string> columns;
    for (absl::string_view c : absl::StrSplit(sql.substr(at + head.size(), close - at - head.size()), ',')) {
      columns.emplace_back(absl::StripAsciiWhitespace(c));
    }
    size_t i = sql.find("VALUES", close) + 6;
    while (true) {
      while (i < sql.size() && absl::ascii_isspace(sql[i])) ++i;
      if (i >= sql.size() || sql[i] != '(') break;
      ++i;
      std::map<std::string, std::string> row;
      for (size_t c = 0; c < columns.size(); ++c) {
        absl::StatusOr<std::string> v = ReadValue(sql, i);
        if (!v.ok()) return v.status();
        row[columns[c]] = *v;
        while (i < sql.size() && absl::ascii_isspace(sql[i])) ++i;
        if (i < sql.size() && (sql[i] == ',' || sql[i] == ')')) ++i;
      }
      PhraseRule rule;
      rule.rule_id = row["rule_id"];
      absl::StatusOr<PhraseCategory> category = ParsePhraseCategory(row["category"]);
      if (!category.ok()) return category.status();
      rule.category = *category;
      rule.language = row["language"];
      rule.kind = row["kind"] == "REGEX" ? PhraseRule::Kind::kRegex : PhraseRule::Kind::kPhrase;
      rule.pattern = row["pattern"];
      rule.product_review_only = row["product_review_only"] == "1";
      rule.explanation = row["explanation"];
      rule.suggestion = row["suggestion"];
      rules.push_back(std::move(rule));
      while (i < sql.size() && absl::ascii_isspace(sql[i])) ++i;
      if (i < sql.size() && sql[i] == ',') ++i;
    }
  }
  return rules;
}

}  // namespace aftersales::reviews::testing
