#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/reviews/phrase_pattern.h"
#include "services/reviews/phrase_rules.h"

struct hs_database;
struct hs_scratch;

namespace aftersales::reviews {

// Where a message goes decides how strict the filter is.
enum class ScreenContext {
  kProductReview,   // the strict default
  kSellerFeedback,  // allows the one neutral sentence about updating or removing feedback
};

struct Finding {
  std::string text;  // exactly as written
  // Code point offsets into the input, [start, end).
  uint32_t start = 0;
  uint32_t end = 0;
  PhraseCategory category = PhraseCategory::kReviewRemovalOrChange;
  std::string rule_id;
  std::string explanation;
  std::string suggestion;
};

struct ScreenResult {
  bool allowed = true;
  std::vector<Finding> findings;  // by start
  int64_t rule_version = 0;
};

// Longest message screened, in code points: longer ones are refused before any work.
inline constexpr uint32_t kMaxScreenedCodePoints = 20000;

// INVALID_ARGUMENT for text the filter refuses to judge: empty, over kMaxScreenedCodePoints,
// or not UTF-8. A message the filter cannot read is never let through.
absl::Status ValidateScreenText(absl::string_view text, absl::string_view field = "text");

// One compiled rule set: immutable, shared by every screening thread until a newer set
// replaces it.
class PhraseFilter {
 public:
  // INVALID_ARGUMENT naming the rule when a pattern does not parse or compile.
  static absl::StatusOr<std::shared_ptr<const PhraseFilter>> Compile(std::vector<PhraseRule> rules,
                                                                     int64_t version);
  ~PhraseFilter();
  PhraseFilter(const PhraseFilter&) = delete;
  PhraseFilter& operator=(const PhraseFilter&) = delete;

  // Screens text that passed ValidateScreenText.
  ScreenResult Screen(absl::string_view text, ScreenContext context) const;

  int64_t version() const { return version_; }
  const std::vector<PhraseRule>& rules() const { return rules_; }

 private:
  PhraseFilter() = default;
  // Where a REGEX rule's match ending at `end` of normalized `text` starts.
  size_t RegexMatchStart(unsigned int rule, const std::string& text, size_t end, hs_scratch* scratch) const;

  std::vector<PhraseRule> rules_;
  // Per rule: its parsed pattern (PHRASE rules), which checks a match at an anchor.
  std::vector<std::optional<PhrasePattern>> patterns_;
  // Per word literal (the phrase database's ids): the rules whose matches can end with it.
  struct AnchorUse {
    unsigned int rule;
    bool stem;
  };
  std::vector<std::vector<AnchorUse>> anchor_uses_;
  // Per PHRASE rule: per alternative, per item, the literal ids one of which must be present.
  std::vector<std::vector<std::vector<std::vector<unsigned int>>>> requirements_;
  size_t literal_count_ = 0;
  int64_t version_ = 0;
  // PHRASE rules' words over the phrase skeleton. A Latin word counts only where a word begins
  // (a literal "e" of "e mail" is no match inside "the"): those are found by walking a trie
  // from each word start, which costs a few steps per word where Hyperscan reported every "e"
  // of the text. CJK words, matched anywhere, go to Hyperscan, and only when the text holds a
  // byte one of them begins with.
  class WordTrie;
  std::unique_ptr<const WordTrie> word_trie_;
  hs_database* cjk_word_database_ = nullptr;
  bool cjk_word_first_bytes_[256] = {};
  // REGEX rules over the normalized text.
  hs_database* regex_database_ = nullptr;
  // Per rule: a REGEX rule's own database that tracks where matches start; null otherwise.
  std::vector<hs_database*> regex_start_databases_;

  // What one screening call works in: Hyperscan scratch space sized for every database above
  // and the per-word table. hs_alloc_scratch checksums the whole database on each call (half of
  // a message's screening time when called per scan), so scratches are made once from the
  // prototype and lent to one screening call at a time.
  struct Scratch;
  class ScratchLease;
  hs_scratch* scratch_prototype_ = nullptr;
  mutable std::mutex scratch_mu_;
  mutable std::vector<std::unique_ptr<Scratch>> idle_scratches_;
};

}  // namespace aftersales::reviews
