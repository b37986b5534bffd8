// The labelled corpus (screen_corpus.tsv) against the seed rule set: verdicts, categories and
// where each finding stands, for every language, disguise and false alarm the corpus holds.
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/reviews/phrase_filter.h"
#include "services/reviews/text_normalizer.h"
#include "tests/reviews/seed_rules.h"

namespace aftersales::reviews {
namespace {

struct Case {
  std::string id;
  std::set<std::string> expected;  // empty: allowed
  ScreenContext context = ScreenContext::kProductReview;
  std::string text;  // without the marks
  std::vector<std::pair<uint32_t, uint32_t>> marked;  // code point spans
};

// \n, \t, \\ and \u{XXXX} escapes.
std::string Unescape(absl::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 >= in.size()) {
      out.push_back(in[i]);
      continue;
    }
    const char e = in[++i];
    if (e == 'n') {
      out.push_back('\n');
    } else if (e == 't') {
      out.push_back('\t');
    } else if (e == 'u' && i + 1 < in.size() && in[i + 1] == '{') {
      const size_t close = in.find('}', i);
      const uint32_t cp = std::stoul(std::string(in.substr(i + 2, close - i - 2)), nullptr, 16);
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
      i = close;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

// Removes ⟦ ⟧ and records the spans they enclosed, in code points of the text without them.
void TakeMarks(const std::string& marked, Case& c) {
  const std::string open = "⟦", close = "⟧";
  uint32_t index = 0;
  uint32_t start = 0;
  for (size_t i = 0; i < marked.size();) {
    if (marked.compare(i, open.size(), open) == 0) {
      start = index;
      i += open.size();
    } else if (marked.compare(i, close.size(), close) == 0) {
      c.marked.push_back({start, index});
      i += close.size();
    } else {
      const unsigned char b = static_cast<unsigned char>(marked[i]);
      const size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
      c.text.append(marked, i, len);
      i += len;
      ++index;
    }
  }
}

std::vector<Case> LoadCorpus() {
  std::ifstream in(SCREEN_CORPUS_TSV);
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits('\t', 3));
    if (fields.size() != 4) {
      ADD_FAILURE() << "corpus line without 4 fields: " << line;
      continue;
    }
    Case c;
    c.id = fields[0];
    if (fields[1] != "allow") {
      for (absl::string_view cat : absl::StrSplit(fields[1], ',')) c.expected.insert(std::string(cat));
    }
    c.context = fields[2] == "feedback" ? ScreenContext::kSellerFeedback : ScreenContext::kProductReview;
    TakeMarks(Unescape(fields[3]), c);
    cases.push_back(std::move(c));
  }
  return cases;
}

std::shared_ptr<const PhraseFilter> SeedFilter() {
  absl::StatusOr<std::vector<PhraseRule>> rules = testing::LoadSeedRules(SEED_RULES_SQL);
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = PhraseFilter::Compile(*rules, 1);
  EXPECT_TRUE(filter.ok()) << filter.status();
  return filter.ok() ? *filter : nullptr;
}

bool Overlaps(uint32_t a_start, uint32_t a_end, uint32_t b_start, uint32_t b_end) {
  return a_start < b_end && b_start < a_end;
}

TEST(SeedRules, AtLeast150RulesCoverEveryCategoryInEveryLanguage) {
  absl::StatusOr<std::vector<PhraseRule>> rules = testing::LoadSeedRules(SEED_RULES_SQL);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_GE(rules->size(), 150u);
  std::set<std::string> ids;
  std::set<std::pair<std::string, PhraseCategory>> covered;
  for (const PhraseRule& r : *rules) {
    EXPECT_TRUE(ids.insert(r.rule_id).second) << "duplicate rule id " << r.rule_id;
    EXPECT_FALSE(r.explanation.empty()) << r.rule_id;
    EXPECT_FALSE(r.suggestion.empty()) << r.rule_id;
    covered.insert({r.language, r.category});
  }
  for (const std::string language : {"en", "de", "fr", "es", "it", "ja", "zh"}) {
    for (PhraseCategory category : {PhraseCategory::kReviewRemovalOrChange, PhraseCategory::kPositiveReviewRequest,
                                    PhraseCategory::kIncentiveForReview, PhraseCategory::kPressure}) {
      EXPECT_TRUE(covered.count({language, category})) << language << " has no " << PhraseCategoryName(category);
    }
  }
}

TEST(ScreenCorpus, EveryLabelledMessageGetsItsVerdictCategoriesAndPlaces) {
  const std::shared_ptr<const PhraseFilter> filter = SeedFilter();
  ASSERT_NE(filter, nullptr);
  const std::vector<Case> cases = LoadCorpus();
  EXPECT_GE(cases.size(), 250u);
  int failures = 0;
  for (const Case& c : cases) {
    const ScreenResult r = filter->Screen(c.text, c.context);
    std::set<std::string> found;
    std::vector<std::string> described;
    for (const Finding& f : r.findings) {
      found.insert(std::string(PhraseCategoryName(f.category)));
      described.push_back(absl::StrCat(PhraseCategoryName(f.category), " ", f.rule_id, " [", f.start, ",", f.end,
                                       ") '", f.text, "'"));
    }
    std::vector<std::string> problems;
    if (found != c.expected) {
      problems.push_back(absl::StrCat("expected {", absl::StrJoin(c.expected, ","), "} got {",
                                      absl::StrJoin(found, ","), "}"));
    }
    for (const auto& [start, end] : c.marked) {
      bool hit = false;
      for (const Finding& f : r.findings) hit = hit || Overlaps(start, end, f.start, f.end);
      if (!hit && !r.findings.empty()) {
        problems.push_back(absl::StrCat("marked [", start, ",", end, ") '", CodePointSubstr(c.text, start, end),
                                        "' has no finding"));
      }
    }
    for (const Finding& f : r.findings) {
      bool marked = false;
      for (const auto& [start, end] : c.marked) marked = marked || Overlaps(start, end, f.start, f.end);
      if (!marked && !c.marked.empty()) {
        problems.push_back(absl::StrCat("finding '", f.text, "' (", f.rule_id, ") is outside every mark"));
      }
      // The finding's text is the input's own characters at its offsets.
      if (f.text != CodePointSubstr(c.text, f.start, f.end)) problems.push_back("finding text and offsets disagree");
    }
    if (!problems.empty()) {
      ++failures;
      ADD_FAILURE() << c.id << ": " << absl::StrJoin(problems, "; ") << "\n  text: " << c.text
                    << "\n  findings: " << absl::StrJoin(described, " | ");
    }
  }
  std::cout << "corpus: " << cases.size() - failures << " of " << cases.size() << " cases right\n";
}

}  // namespace
}  // namespace aftersales::reviews
