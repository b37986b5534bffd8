#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftersales::reviews {

// What a banned phrase does wrong, as marketplaces word their rules.
enum class PhraseCategory {
  kReviewRemovalOrChange = 1,
  kPositiveReviewRequest = 2,
  kIncentiveForReview = 3,
  kOffPlatformContact = 4,
  kPressure = 5,
};
absl::string_view PhraseCategoryName(PhraseCategory category);
absl::StatusOr<PhraseCategory> ParsePhraseCategory(absl::string_view name);

// One rule of the filter, as stored in phrase_rules.
//
// A PHRASE pattern is written in the rule language below and matched on the phrase skeleton of
// the text (see text_normalizer.h), its words folded the same way, so the rule is written once in
// plain spelling and still catches capitals, accents, full-width letters, l33t digits and
// symbols, letters spelled out with spaces, dots, dashes or underscores, repeated letters,
// zero-width characters and look-alike letters.
//
// Latin-script words (en, de, fr, es, it):
//   word        that whole word.
//   stem*       a word that begins with stem: remov* is remove, removed, removing, removal.
//   (a|b c|d*)  one of the alternatives; an alternative may be several words.
//   ~N          up to N other words (1-30) between its neighbours, within one sentence.
//   A <N> B     A and B in either order with up to N words between (at the top level; A and B
//               are each a sequence of the items above).
//   X | Y       at the top level: either whole pattern.
// Words in the text are separated by anything but letters, digits and sentence ends (. ! ? 。
// and line breaks). A gap of N words spans up to 12 x N characters of the same sentence.
// CJK text (ja, zh) is matched as written, with no word boundaries: a run of CJK characters is a
// literal; neighbouring literals may be separated by one space in the text; ~N is up to N
// characters between them, within one sentence; alternatives and <N> work as above. Traditional Chinese is
// folded to simplified before matching, so rules are written in simplified characters.
//
// A REGEX pattern is a raw Hyperscan expression over the normalized text (lower case, accents
// removed, full-width folded, look-alikes folded, invisible characters removed): for URLs,
// e-mail addresses and telephone numbers.
struct PhraseRule {
  std::string rule_id;  // <language>.<category>.<slug>, e.g. en.removal.remove-review
  PhraseCategory category = PhraseCategory::kReviewRemovalOrChange;
  std::string language;  // en, de, fr, es, it, ja, zh, any
  enum class Kind { kPhrase, kRegex };
  Kind kind = Kind::kPhrase;
  std::string pattern;
  // Skipped in the seller-feedback context, where one neutral sentence about updating or
  // removing the feedback is allowed.
  bool product_review_only = false;
  std::string explanation;  // why a marketplace punishes it
  std::string suggestion;   // a compliant way to say what the writer meant
};

}  // namespace aftersales::reviews
