#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftersales::reviews {

// A PHRASE rule's pattern (the rule language in phrase_rules.h), parsed, and matched in two
// steps. Hyperscan finds, for every rule at once, where the pattern's last words occur (its
// anchors: plain literals, which compile by the thousand in milliseconds and scan at memory
// speed); at each such place the matcher below checks the whole pattern within the sentence and
// finds where the match starts. Whole patterns as Hyperscan expressions (gaps as bounded
// repeats, start-of-match tracking) took minutes to compile as a set, and the largest rules did
// not compile at all.
class PhrasePattern {
 public:
  // INVALID_ARGUMENT saying what is wrong with the pattern.
  static absl::StatusOr<PhrasePattern> Parse(absl::string_view pattern, bool cjk);

  // The words a match of the whole pattern can end with, as literals of the phrase skeleton: a
  // match ends where one of them does (for a stem, at the end of the word it begins).
  struct Anchor {
    std::string literal;
    bool stem = false;
    bool operator==(const Anchor&) const = default;
  };
  const std::vector<Anchor>& anchors() const { return anchors_; }

  // What any match needs present somewhere in the text: for one of these alternatives, each item
  // has one of its words (for a group, the rarest word of each of its alternatives). A pattern
  // that is one group counts as its alternatives. A cheap test before the matcher runs.
  const std::vector<std::vector<std::vector<Anchor>>>& requirements() const { return requirements_; }

  // The leftmost start from which the whole pattern matches skeleton `text` exactly up to byte
  // `end`, no earlier than `earliest`; nullopt when it does not match there.
  std::optional<size_t> LeftmostStart(absl::string_view text, size_t end, size_t earliest) const;

  struct Word {
    std::string literal;  // in the phrase skeleton (text_normalizer.h)
    bool latin = true;    // whole words of letters and digits; CJK text is matched as written
    bool stem = false;
  };
  struct Sequence;
  struct Item {
    std::optional<Word> word;
    std::vector<Sequence> group;  // alternatives, when not a word
    int gap_before = 0;           // ~N before this item; 0: adjacent
    // A group's alternatives that end with a whole Latin word, by that word, and the others: an
    // alternative can only match up to a place where its last word ends, so the matcher looks
    // up the word ending there instead of trying each of dozens of alternatives.
    absl::flat_hash_map<std::string, std::vector<uint32_t>> alternatives_by_last_word;
    std::vector<uint32_t> other_alternatives;
  };
  struct Sequence {
    std::vector<Item> items;
  };

 private:
  bool cjk_ = false;
  // The whole pattern as one group: its alternatives are the top-level ones (two for A <N> B:
  // A then B and B then A), indexed like any group's.
  Item whole_;
  std::vector<Anchor> anchors_;
  std::vector<std::vector<std::vector<Anchor>>> requirements_;
};

}  // namespace aftersales::reviews
