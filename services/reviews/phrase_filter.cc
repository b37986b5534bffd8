#include "services/reviews/phrase_filter.h"

#include <hs/hs.h>

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "services/reviews/text_normalizer.h"
#include "unicode/utf8.h"

namespace aftersales::reviews {
namespace {

struct Match {
  unsigned int rule;
  unsigned long long from;
  unsigned long long to;
};

int CollectMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
                 void* context) {
  static_cast<std::vector<Match>*>(context)->push_back({id, from, to});
  return 0;
}

bool IsCjkLanguage(absl::string_view language) { return language == "ja" || language == "zh"; }

// Links to the marketplace itself keep the buyer on the platform: the link's host is a
// marketplace's own (amazon.de, www.amazon.com, sellercentral.amazon.co.uk), not one that only
// mentions it (amazon.evil.com, evil.io/amazon.html, x.amazon.help@gmail.com).
bool IsMarketplaceLink(absl::string_view link) {
  if (absl::StrContains(link, '@')) return false;
  absl::ConsumePrefix(&link, "https://") || absl::ConsumePrefix(&link, "http://");
  const size_t end = link.find_first_of("/?#: ");
  absl::string_view host = link.substr(0, end);
  while (absl::ConsumeSuffix(&host, ".")) {
  }
  for (absl::string_view marketplace : {"amazon", "ebay", "aliexpress", "walmart"}) {
    // The registrable part: <marketplace>.<tld> or <marketplace>.co.<cc> / .com.<cc>, at the end.
    for (absl::string_view suffix : {".com", ".de", ".fr", ".es", ".it", ".co.uk", ".co.jp", ".ca", ".com.au", ".nl",
                                     ".pl", ".se", ".com.mx", ".com.br", ".in", ".sg", ".ae", ".sa", ".com.tr",
                                     ".com.be", ".at", ".ch", ".ie", ".us", ".ru"}) {
      const std::string domain = absl::StrCat(marketplace, suffix);
      if (host == domain || absl::EndsWith(host, absl::StrCat(".", domain))) return true;
    }
  }
  return false;
}

}  // namespace

absl::string_view PhraseCategoryName(PhraseCategory category) {
  switch (category) {
    case PhraseCategory::kReviewRemovalOrChange: return "REVIEW_REMOVAL_OR_CHANGE";
    case PhraseCategory::kPositiveReviewRequest: return "POSITIVE_REVIEW_REQUEST";
    case PhraseCategory::kIncentiveForReview: return "INCENTIVE_FOR_REVIEW";
    case PhraseCategory::kOffPlatformContact: return "OFF_PLATFORM_CONTACT";
    case PhraseCategory::kPressure: return "PRESSURE";
  }
  return "UNKNOWN";
}

absl::StatusOr<PhraseCategory> ParsePhraseCategory(absl::string_view name) {
  for (PhraseCategory c : {PhraseCategory::kReviewRemovalOrChange, PhraseCategory::kPositiveReviewRequest,
                           PhraseCategory::kIncentiveForReview, PhraseCategory::kOffPlatformContact,
                           PhraseCategory::kPressure}) {
    if (PhraseCategoryName(c) == name) return c;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "category: '", name,
      "' is not one of REVIEW_REMOVAL_OR_CHANGE, POSITIVE_REVIEW_REQUEST, INCENTIVE_FOR_REVIEW, "
      "OFF_PLATFORM_CONTACT, PRESSURE"));
}

absl::Status ValidateScreenText(absl::string_view text, absl::string_view field) {
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required; there is nothing to screen"));
  uint32_t length = 0;
  // Bytes bound code points from above: a text this long cannot be within the limit.
  if (text.size() > 4 * static_cast<size_t>(kMaxScreenedCodePoints)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": longer than ", kMaxScreenedCodePoints,
                                                   " characters; split the message"));
  }
  if (absl::Status s = ValidateUtf8(text, &length); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", s.message()));
  }
  if (length > kMaxScreenedCodePoints) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", length, " characters, longer than ",
                                                   kMaxScreenedCodePoints, "; split the message"));
  }
  return absl::OkStatus();
}

namespace {

// Compiles expressions[i] under ids[i]; INVALID_ARGUMENT naming the rule that fails.
absl::StatusOr<hs_database_t*> CompileDatabase(const std::vector<std::string>& expressions,
                                               const std::vector<unsigned int>& ids, unsigned int flags,
                                               const std::vector<PhraseRule>& rules) {
  if (expressions.empty()) return nullptr;
  std::vector<const char*> pointers;
  for (const std::string& e : expressions) pointers.push_back(e.c_str());
  const std::vector<unsigned int> all_flags(expressions.size(), flags);
  hs_compile_error_t* error = nullptr;
  hs_database_t* database = nullptr;
  if (hs_compile_multi(pointers.data(), all_flags.data(), ids.data(), static_cast<unsigned int>(expressions.size()),
                       HS_MODE_BLOCK, nullptr, &database, &error) != HS_SUCCESS) {
    std::string message = error != nullptr ? error->message : "unknown error";
    std::string where = "the rule set";
    if (error != nullptr && error->expression >= 0 && static_cast<size_t>(error->expression) < ids.size()) {
      where = absl::StrCat("rule ", rules[ids[error->expression]].rule_id);
    }
    hs_free_compile_error(error);
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", message));
  }
  return database;
}

// Words matched anywhere: plain literals under their ids (their word boundaries, if any, are the
// matcher's to check).
absl::StatusOr<hs_database_t*> CompileLiterals(const std::vector<std::string>& literals,
                                               const std::vector<unsigned int>& ids) {
  if (literals.empty()) return nullptr;
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
  std::vector<unsigned int> flags(literals.size(), 0);
  for (const std::string& literal : literals) {
    pointers.push_back(literal.data());
    lengths.push_back(literal.size());
  }
  hs_compile_error_t* error = nullptr;
  hs_database_t* database = nullptr;
  if (hs_compile_lit_multi(pointers.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned int>(literals.size()), HS_MODE_BLOCK, nullptr, &database,
                           &error) != HS_SUCCESS) {
    const std::string message = error != nullptr ? error->message : "unknown error";
    hs_free_compile_error(error);
    return absl::InvalidArgumentError(absl::StrCat("the rules' words: ", message));
  }
  return database;
}


}  // namespace

// Literals that count only where a word begins. Nodes are numbered from 1 (0: none); each
// node's children are a sorted run of edges, found by a short linear search.
class PhraseFilter::WordTrie {
 public:
  explicit WordTrie(const std::vector<std::pair<std::string, unsigned int>>& literals) {
    // Built as nested maps, then laid out flat.
    struct BuildNode {
      std::map<unsigned char, size_t> children;
      int64_t literal = -1;
    };
    std::vector<BuildNode> build(1);
    for (const auto& [literal, id] : literals) {
      size_t node = 0;
      for (const char c : literal) {
        auto [it, added] = build[node].children.emplace(static_cast<unsigned char>(c), build.size());
        if (added) build.emplace_back();
        node = it->second;
      }
      build[node].literal = id;
    }
    nodes_.resize(build.size());
    for (size_t n = 0; n < build.size(); ++n) {
      nodes_[n].literal = build[n].literal;
      nodes_[n].first_edge = static_cast<uint32_t>(edges_.size());
      nodes_[n].edge_count = static_cast<uint32_t>(build[n].children.size());
      for (const auto& [byte, child] : build[n].children) edges_.push_back({byte, static_cast<uint32_t>(child)});
    }
    for (const auto& [byte, child] : build[0].children) root_[byte] = static_cast<uint32_t>(child);
  }

  // Appends {id, 0, end} for every literal that text holds from a word start, in order of end.
  void FindAll(absl::string_view text, std::vector<Match>& out) const {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const size_t size = text.size();
    bool after_word_byte = false;
    for (size_t p = 0; p < size; ++p) {
      const unsigned char c = bytes[p];
      const bool word_start = !after_word_byte;
      after_word_byte = absl::ascii_isalnum(c) || c == '_';
      if (!word_start) continue;
      uint32_t node = root_[c];
      size_t i = p + 1;
      while (node != 0) {
        const Node& n = nodes_[node];
        if (n.literal >= 0) out.push_back({static_cast<unsigned int>(n.literal), 0, i});
        if (i >= size) break;
        node = Child(n, bytes[i++]);
      }
    }
  }

 private:
  struct Node {
    int64_t literal = -1;
    uint32_t first_edge = 0;
    uint32_t edge_count = 0;
  };
  struct Edge {
    unsigned char byte;
    uint32_t child;
  };

  uint32_t Child(const Node& n, unsigned char c) const {
    for (uint32_t e = n.first_edge, last = n.first_edge + n.edge_count; e < last; ++e) {
      if (edges_[e].byte == c) return edges_[e].child;
      if (edges_[e].byte > c) return 0;
    }
    return 0;
  }

  uint32_t root_[256] = {};
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
};

absl::StatusOr<std::shared_ptr<const PhraseFilter>> PhraseFilter::Compile(std::vector<PhraseRule> rules,
                                                                          int64_t version) {
  std::shared_ptr<PhraseFilter> filter(new PhraseFilter());
  filter->version_ = version;
  std::vector<std::string> regex_expressions, anchor_literals;
  std::vector<unsigned int> regex_ids;
  std::map<std::string, unsigned int> anchor_ids;
  filter->patterns_.resize(rules.size());
  filter->requirements_.resize(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    const PhraseRule& rule = rules[i];
    if (rule.kind == PhraseRule::Kind::kRegex) {
      regex_expressions.push_back(rule.pattern);
      regex_ids.push_back(static_cast<unsigned int>(i));
      continue;
    }
    absl::StatusOr<PhrasePattern> pattern = PhrasePattern::Parse(rule.pattern, IsCjkLanguage(rule.language));
    if (!pattern.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("rule ", rule.rule_id, ": ", pattern.status().message()));
    }
    auto literal_id = [&](const std::string& literal) {
      auto [it, added] = anchor_ids.emplace(literal, static_cast<unsigned int>(anchor_literals.size()));
      if (added) {
        anchor_literals.push_back(literal);
        filter->anchor_uses_.emplace_back();
      }
      return it->second;
    };
    for (const PhrasePattern::Anchor& anchor : pattern->anchors()) {
      filter->anchor_uses_[literal_id(anchor.literal)].push_back({static_cast<unsigned int>(i), anchor.stem});
    }
    auto& needed = filter->requirements_[i];
    for (const auto& alternative : pattern->requirements()) {
      auto& items = needed.emplace_back();
      for (const auto& any_of : alternative) {
        auto& ids = items.emplace_back();
        for (const PhrasePattern::Anchor& word : any_of) ids.push_back(literal_id(word.literal));
      }
    }
    filter->patterns_[i] = *std::move(pattern);
  }
  // REGEX rules are scanned all at once without tracking where matches start (that made the
  // scan ten times slower); each has its own small database that does, run on a hit's sentence
  // only. One Hyperscan cannot track is shown from its sentence's start.
  absl::StatusOr<hs_database_t*> regexes = CompileDatabase(regex_expressions, regex_ids, HS_FLAG_UTF8, rules);
  if (!regexes.ok()) return regexes.status();
  filter->regex_database_ = *regexes;
  filter->regex_start_databases_.assign(rules.size(), nullptr);
  for (size_t i = 0; i < regex_ids.size(); ++i) {
    absl::StatusOr<hs_database_t*> alone =
        CompileDatabase({regex_expressions[i]}, {regex_ids[i]}, HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST, rules);
    if (alone.ok()) filter->regex_start_databases_[regex_ids[i]] = *alone;
  }
  filter->literal_count_ = anchor_literals.size();
  // A literal that begins with an ASCII byte is a Latin word's (or a CJK word written from one).
  std::vector<std::pair<std::string, unsigned int>> word_start_literals;
  std::vector<std::string> cjk_literals;
  std::vector<unsigned int> cjk_ids;
  for (unsigned int id = 0; id < anchor_literals.size(); ++id) {
    const std::string& literal = anchor_literals[id];
    if (static_cast<unsigned char>(literal[0]) < 0x80) {
      word_start_literals.push_back({literal, id});
    } else {
      cjk_literals.push_back(literal);
      cjk_ids.push_back(id);
      filter->cjk_word_first_bytes_[static_cast<unsigned char>(literal[0])] = true;
    }
  }
  filter->word_trie_ = std::make_unique<const WordTrie>(word_start_literals);
  absl::StatusOr<hs_database_t*> cjk_words = CompileLiterals(cjk_literals, cjk_ids);
  if (!cjk_words.ok()) return cjk_words.status();
  filter->cjk_word_database_ = *cjk_words;
  // One scratch fits every database: hs_alloc_scratch grows it to the largest need of each.
  std::vector<hs_database_t*> databases = {filter->cjk_word_database_, filter->regex_database_};
  databases.insert(databases.end(), filter->regex_start_databases_.begin(), filter->regex_start_databases_.end());
  for (hs_database_t* database : databases) {
    if (database == nullptr) continue;
    if (hs_alloc_scratch(database, &filter->scratch_prototype_) != HS_SUCCESS) {
      return absl::ResourceExhaustedError("no memory for the filter's Hyperscan scratch space");
    }
  }
  filter->rules_ = std::move(rules);
  return filter;
}

struct PhraseFilter::Scratch {
  hs_scratch_t* hyperscan = nullptr;
  // Per word literal: where it last ended in the text, plus one; 0 when not seen. All zero
  // between calls.
  std::vector<uint32_t> last_end;
  // Per word literal: whether the text holds it anywhere. All false between calls.
  std::vector<bool> present;
  // Per rule: whether the words it needs are anywhere in the text (kUnknown until asked). All
  // kUnknown between calls; `judged` lists the rules to reset.
  enum Viability : uint8_t { kUnknown, kViable, kNotViable };
  std::vector<Viability> viable;
  std::vector<unsigned int> judged;

  ~Scratch() {
    if (hyperscan != nullptr) hs_free_scratch(hyperscan);
  }
};

// A scratch for one screening call: an idle one, or a new one when every scratch is in use (one
// per thread screening at once, kept until the filter goes).
class PhraseFilter::ScratchLease {
 public:
  explicit ScratchLease(const PhraseFilter& filter) : filter_(filter) {
    {
      std::lock_guard<std::mutex> lock(filter_.scratch_mu_);
      if (!filter_.idle_scratches_.empty()) {
        scratch_ = std::move(filter_.idle_scratches_.back());
        filter_.idle_scratches_.pop_back();
        return;
      }
    }
    scratch_ = std::make_unique<Scratch>();
    scratch_->last_end.assign(filter_.literal_count_, 0);
    scratch_->present.assign(filter_.literal_count_, false);
    scratch_->viable.assign(filter_.rules_.size(), Scratch::kUnknown);
    if (filter_.scratch_prototype_ != nullptr &&
        hs_clone_scratch(filter_.scratch_prototype_, &scratch_->hyperscan) != HS_SUCCESS) {
      scratch_->hyperscan = nullptr;
    }
  }
  ~ScratchLease() {
    std::lock_guard<std::mutex> lock(filter_.scratch_mu_);
    filter_.idle_scratches_.push_back(std::move(scratch_));
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;

  // Null when no Hyperscan scratch could be made: the caller must not scan.
  hs_scratch_t* hyperscan() const { return scratch_->hyperscan; }
  Scratch& get() const { return *scratch_; }

 private:
  const PhraseFilter& filter_;
  std::unique_ptr<Scratch> scratch_;
};

PhraseFilter::~PhraseFilter() {
  if (cjk_word_database_ != nullptr) hs_free_database(cjk_word_database_);
  if (regex_database_ != nullptr) hs_free_database(regex_database_);
  for (hs_database_t* database : regex_start_databases_) {
    if (database != nullptr) hs_free_database(database);
  }
  if (scratch_prototype_ != nullptr) hs_free_scratch(scratch_prototype_);
}

size_t PhraseFilter::RegexMatchStart(unsigned int rule, const std::string& text, size_t end,
                                     hs_scratch_t* scratch) const {
  // Dots do not end anything inside addresses and links: look back to the line's start (at most
  // 512 bytes) instead of the sentence's.
  size_t sentence = end - 1;
  while (sentence > 0 && end - sentence < 512 && text[sentence - 1] != '\n') --sentence;
  hs_database_t* database = regex_start_databases_[rule];
  if (database == nullptr) return sentence;
  std::vector<Match> matches;
  if (hs_scan(database, text.data() + sentence, static_cast<unsigned int>(end - sentence), 0, scratch, CollectMatch,
              &matches) == HS_INVALID) {
    return sentence;
  }
  size_t start = end;
  for (const Match& m : matches) {
    if (sentence + m.to == end) start = std::min<size_t>(start, sentence + m.from);
  }
  return start < end ? start : sentence;
}

ScreenResult PhraseFilter::Screen(absl::string_view text, ScreenContext context) const {
  ScreenResult result;
  result.rule_version = version_;
  if (text.empty() || rules_.empty()) return result;
  // Matching reads the texts alone; the maps back to the input are built again, with the same
  // texts, only when there is a span to map.
  NormalizedText normalized = NormalizeWithoutMap(text);
  if (normalized.text.empty()) return result;
  NormalizedText skeleton;
  skeleton.text = PhraseSkeletonText(normalized.text);
  skeleton.source_length = normalized.source_length;
  bool mapped = false;
  auto map_back = [&] {
    if (mapped) return;
    mapped = true;
    normalized = NormalizeForMatching(text);
    skeleton = PhraseSkeleton(normalized);
  };

  const ScratchLease scratch(*this);
  struct View {
    const NormalizedText* text;
    std::vector<Match> matches;
  };
  View views[2] = {{&skeleton, {}}, {&normalized, {}}};
  bool scanned = true;
  auto scan = [&](hs_database_t* database, const std::string& t, std::vector<Match>& matches) {
    scanned = scanned && scratch.hyperscan() != nullptr &&
              hs_scan(database, t.data(), static_cast<unsigned int>(t.size()), 0, scratch.hyperscan(), CollectMatch,
                      &matches) == HS_SUCCESS;
  };
  std::vector<Match>& words = views[0].matches;
  words.reserve(skeleton.text.size() / 4);
  word_trie_->FindAll(skeleton.text, words);
  if (cjk_word_database_ != nullptr &&
      std::any_of(skeleton.text.begin(), skeleton.text.end(),
                  [&](char c) { return cjk_word_first_bytes_[static_cast<unsigned char>(c)]; })) {
    const size_t latin = words.size();
    scan(cjk_word_database_, skeleton.text, words);
    // Hyperscan's order: by where a match ends.
    if (words.size() > latin) {
      std::stable_sort(words.begin(), words.end(), [](const Match& a, const Match& b) { return a.to < b.to; });
    }
  }
  if (regex_database_ != nullptr) scan(regex_database_, normalized.text, views[1].matches);
  if (!scanned) {
    // The scan could not run: never let an unread message through.
    result.allowed = false;
    Finding f;
    f.end = normalized.source_length;
    f.text = std::string(text);
    f.category = PhraseCategory::kPressure;
    f.rule_id = "filter.unavailable";
    f.explanation = "The filter could not read this message.";
    f.suggestion = "Shorten or rephrase the message and try again.";
    result.findings.push_back(std::move(f));
    return result;
  }

  // Per rule, the input spans (code points) it matched; overlapping ones become one (a stem or
  // a regex reports every end it can reach).
  auto add_span = [](std::vector<std::pair<size_t, size_t>>& spans, size_t from, size_t to) {
    for (auto& [start, end] : spans) {
      if (from < end && start < to) {
        start = std::min(start, from);
        end = std::max(end, to);
        return;
      }
    }
    spans.push_back({from, to});
  };
  std::map<unsigned int, std::vector<std::pair<size_t, size_t>>> by_rule;
  for (int v = 0; v < 2; ++v) {
    const std::string& t = views[v].text->text;
    std::map<unsigned int, std::vector<std::pair<size_t, size_t>>> in_view;
    for (Match& m : views[v].matches) {
      if (v == 0) break;  // anchors: below
      const PhraseRule& rule = rules_[m.rule];
      if (context == ScreenContext::kSellerFeedback && rule.product_review_only) continue;
      m.from = RegexMatchStart(m.rule, t, m.to, scratch.hyperscan());
      add_span(in_view[m.rule], m.from, m.to);
    }
    if (v == 0) {
      // Which words occur earlier in the same sentence, and so which rules could match here: a
      // rule needs, for one of its alternatives, a word of every item. Most rules stop here,
      // before any matching, and most of those already at the first test, whether their words
      // are anywhere in the text at all (asked once per rule). Matches come in order of where
      // they end.
      Scratch& work = scratch.get();
      std::vector<uint32_t>& last_end = work.last_end;
      for (const Match& m : views[v].matches) work.present[m.rule] = true;
      auto needs_met = [&](unsigned int rule, auto&& seen) {
        for (const auto& items : requirements_[rule]) {
          bool all = true;
          for (const auto& any_of : items) {
            if (!std::any_of(any_of.begin(), any_of.end(), seen)) {
              all = false;
              break;
            }
          }
          if (all) return true;
        }
        return false;
      };
      auto viable = [&](unsigned int rule) {
        Scratch::Viability& verdict = work.viable[rule];
        if (verdict == Scratch::kUnknown) {
          verdict = needs_met(rule, [&](unsigned int id) { return work.present[id]; }) ? Scratch::kViable
                                                                                        : Scratch::kNotViable;
          work.judged.push_back(rule);
        }
        return verdict == Scratch::kViable;
      };
      // Where the sentence of the match at hand starts: the text is read up to a match's end only
      // when a rule is to be checked there, and once, since matches come in order of where they
      // end.
      size_t sentence_start = 0, read = 0;
      absl::flat_hash_set<std::pair<unsigned int, size_t>> tried;
      // At an anchor, each rule that can end with it must match as a whole, within the sentence.
      for (const Match& m : views[v].matches) {
        last_end[m.rule] = static_cast<uint32_t>(m.to + 1);
        for (const AnchorUse& use : anchor_uses_[m.rule]) {
          if (context == ScreenContext::kSellerFeedback && rules_[use.rule].product_review_only) continue;
          if (!viable(use.rule)) continue;
          for (; read < m.to; ++read) {
            if (IsSentenceEnd(t, read)) sentence_start = read + 1;
          }
          if (!needs_met(use.rule, [&](unsigned int id) { return last_end[id] > sentence_start; })) continue;
          size_t end = m.to;
          if (use.stem) {
            while (end < t.size() && (absl::ascii_isdigit(t[end]) || (t[end] >= 'a' && t[end] <= 'z'))) ++end;
          }
          if (!tried.insert({use.rule, end}).second) continue;
          const std::optional<size_t> start = patterns_[use.rule]->LeftmostStart(t, end, sentence_start);
          if (start.has_value()) add_span(in_view[use.rule], *start, end);
        }
      }
      for (const Match& m : views[v].matches) {
        last_end[m.rule] = 0;
        work.present[m.rule] = false;
      }
      for (const unsigned int rule : work.judged) work.viable[rule] = Scratch::kUnknown;
      work.judged.clear();
    }
    for (const auto& [rule_index, spans] : in_view) {
      const PhraseRule& rule = rules_[rule_index];
      for (const auto& [from, to] : spans) {
        if (rule.kind == PhraseRule::Kind::kRegex && rule.category == PhraseCategory::kOffPlatformContact &&
            IsMarketplaceLink(absl::string_view(t).substr(from, to - from))) {
          continue;
        }
        map_back();
        const auto [start, end] = views[v].text->SourceSpan(from, to);
        add_span(by_rule[rule_index], start, end);
      }
    }
  }
  std::vector<Finding> findings;
  for (const auto& [rule_index, spans] : by_rule) {
    const PhraseRule& rule = rules_[rule_index];
    for (const auto& [start, end] : spans) {
      Finding f;
      f.start = start;
      f.end = end;
      f.category = rule.category;
      f.rule_id = rule.rule_id;
      f.explanation = rule.explanation;
      f.suggestion = rule.suggestion;
      findings.push_back(std::move(f));
    }
  }
  // One finding per place and category: the widest span, then the lowest rule id, speaks for it.
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end > b.end;
    return a.rule_id < b.rule_id;
  });
  for (Finding& f : findings) {
    bool covered = false;
    for (const Finding& kept : result.findings) {
      if (kept.category == f.category && f.start < kept.end && kept.start < f.end) covered = true;
    }
    if (covered) continue;
    f.text = CodePointSubstr(text, f.start, f.end);
    result.findings.push_back(std::move(f));
  }
  result.allowed = result.findings.empty();
  return result;
}

}  // namespace aftersales::reviews
