#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace aftersales::reviews {

// Text the filter can match one way however it was disguised, with the way back to what the
// writer typed.
//
// Each code point is folded on its own: NFKC with case folding (full-width and mathematical
// letters become plain ones, ß becomes ss, invisible characters such as zero-width spaces,
// joiners and soft hyphens disappear), accents are removed (kana keep their voicing marks),
// Cyrillic and Greek look-alikes become the Latin letters they imitate, traditional Chinese
// becomes simplified. Then, in context: a $ ! | between letters is the letter it stands for,
// runs of white space become one space, and white space or dots between two CJK characters go.
// Digits between letters are the letters they imitate (upd4te); elsewhere they stay, so "5 stars"
// and "$10" keep their meaning. @ stays (e-mail addresses need it). A single line break is a
// space: a sentence does not end because a line does.
struct NormalizedText {
  std::string text;  // UTF-8
  // For each byte of `text`, the index (in code points) of the input character it came from,
  // and of the last input character folded into it (a run of one letter read once).
  std::vector<uint32_t> source;
  std::vector<uint32_t> source_last;
  // The input's length in code points.
  uint32_t source_length = 0;

  // The input span [start, end) in code points that produced text bytes [from, to).
  std::pair<uint32_t, uint32_t> SourceSpan(size_t from, size_t to) const;
};

// Folds `text`, which must be valid UTF-8 (see ValidateUtf8).
NormalizedText NormalizeForMatching(absl::string_view text);
// The same text and source_length without the map back (source and source_last empty): most
// messages have no finding to map, so screening builds the map only for those that do.
NormalizedText NormalizeWithoutMap(absl::string_view text);

// The view phrase rules are matched on: the normalized text with @ read as a, l and i as one
// letter (1, ! and | stand for either), and a run of one letter as that letter once (remoooove,
// reviewww; "feedback" is fedback on both sides). Rules' words get the same folding, so they
// are plain literals, which Hyperscan matches by the thousand at scan speed.
NormalizedText PhraseSkeleton(const NormalizedText& normalized);
// PhraseSkeleton(normalized).text, from the normalized text alone.
std::string PhraseSkeletonText(absl::string_view normalized);
std::string PhraseSkeletonLiteral(absl::string_view text);

// The folding of one literal of a rule, without the map back.
std::string NormalizeLiteral(absl::string_view text);

// INVALID_ARGUMENT naming the byte offset of the first malformed sequence; also counts the code
// points into *length when given.
absl::Status ValidateUtf8(absl::string_view text, uint32_t* length = nullptr);

// Whether normalized text ends a sentence at byte `pos`: . ! ? followed by a space, a line
// break or the end (so "please.remove.your.review" is one sentence), a line break (what is left
// of a blank line), or 。. Gaps in rules never cross one.
bool IsSentenceEndSlow(absl::string_view text, size_t pos);
inline bool IsSentenceEnd(absl::string_view text, size_t pos) {
  // Most bytes cannot end a sentence: answered here, inline, on the matcher's hot paths.
  const char c = text[pos];
  if (c != '.' && c != '!' && c != '?' && c != '\n' && c != '\xE3') return false;
  return IsSentenceEndSlow(text, pos);
}

// Whether a code point is written without spaces between words (Han, kana, Hangul, CJK
// punctuation and full-width forms' CJK block).
bool IsCjk(uint32_t code_point);

// The code points of `text` (valid UTF-8) as a substring [start, end).
std::string CodePointSubstr(absl::string_view text, uint32_t start, uint32_t end);

}  // namespace aftersales::reviews
