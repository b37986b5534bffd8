#include "services/reviews/phrase_pattern.h"

#include <algorithm>
#include <cstdint>
#include <functional>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/reviews/text_normalizer.h"
#include "unicode/utf8.h"

namespace aftersales::reviews {
namespace {

using Word = PhrasePattern::Word;
using Item = PhrasePattern::Item;
using Sequence = PhrasePattern::Sequence;

// ---- Reading the pattern ----

struct Token {
  enum Kind { kWord, kOpen, kClose, kBar, kGap, kNear };
  Kind kind;
  std::string text;
  int count = 0;
};

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view pattern) {
  std::vector<Token> tokens;
  auto is_break = [](char c) { return c == ' ' || c == '\t' || c == '(' || c == ')' || c == '|'; };
  size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '(' || c == ')' || c == '|') {
      tokens.push_back({c == '(' ? Token::kOpen : c == ')' ? Token::kClose : Token::kBar, "", 0});
      ++i;
    } else if ((c == '~' || c == '<') && i + 1 < pattern.size() && absl::ascii_isdigit(pattern[i + 1])) {
      size_t j = i + 1;
      int n = 0;
      while (j < pattern.size() && absl::ascii_isdigit(pattern[j]) && n < 100) n = n * 10 + (pattern[j++] - '0');
      if (c == '<') {
        if (j >= pattern.size() || pattern[j] != '>') return absl::InvalidArgumentError("'<N' needs a closing '>'");
        ++j;
      }
      if (n < 1 || n > 30) return absl::InvalidArgumentError("a gap is 1 to 30 words (Latin) or characters (CJK)");
      tokens.push_back({c == '~' ? Token::kGap : Token::kNear, "", n});
      i = j;
    } else {
      size_t j = i;
      while (j < pattern.size() && !is_break(pattern[j])) ++j;
      tokens.push_back({Token::kWord, std::string(pattern.substr(i, j - i)), 0});
      i = j;
    }
  }
  return tokens;
}

bool HasCjk(absl::string_view text) {
  int32_t i = 0;
  const int32_t size = static_cast<int32_t>(text.size());
  while (i < size) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, size, c);
    if (c > 0 && IsCjk(static_cast<uint32_t>(c))) return true;
  }
  return false;
}

bool IsLatinWordByte(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@'; }

// One word of a pattern as an item: a Latin word split at the separators its folding left
// ("e-mail" is e, mail), or a CJK literal.
absl::StatusOr<Item> WordItem(absl::string_view written, bool cjk) {
  const bool stem = absl::EndsWith(written, "*");
  if (stem) written.remove_suffix(1);
  if (written.empty() || absl::StrContains(written, '*')) {
    return absl::InvalidArgumentError("'*' ends a word stem and stands nowhere else");
  }
  const std::string folded = PhraseSkeletonLiteral(written);
  if (folded.empty()) return absl::InvalidArgumentError(absl::StrCat("'", written, "' folds to nothing"));
  Item item;
  if (cjk && HasCjk(folded)) {
    if (stem) return absl::InvalidArgumentError("'*' is for Latin words; CJK text is matched as written");
    Word word;
    for (char c : folded) {
      if (c != ' ') word.literal.push_back(c);
    }
    word.latin = false;
    item.word = std::move(word);
    return item;
  }
  std::vector<Word> pieces;
  Word current;
  for (char c : folded) {
    if (IsLatinWordByte(c)) {
      current.literal.push_back(c);
    } else if (!current.literal.empty()) {
      pieces.push_back(std::move(current));
      current = Word();
    }
  }
  if (!current.literal.empty()) pieces.push_back(std::move(current));
  if (pieces.empty()) return absl::InvalidArgumentError(absl::StrCat("'", written, "' has no letters to match"));
  pieces.back().stem = stem;
  if (pieces.size() == 1) {
    item.word = std::move(pieces.front());
    return item;
  }
  Sequence seq;
  for (Word& w : pieces) seq.items.emplace_back().word = std::move(w);
  item.group.push_back(std::move(seq));
  return item;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, bool cjk) : tokens_(std::move(tokens)), cjk_(cjk) {}

  absl::StatusOr<Sequence> ParseSequence() {
    Sequence seq;
    int gap = 0;
    while (pos_ < tokens_.size()) {
      const Token& t = tokens_[pos_];
      if (t.kind == Token::kClose || t.kind == Token::kBar || t.kind == Token::kNear) break;
      ++pos_;
      if (t.kind == Token::kGap) {
        if (seq.items.empty()) return absl::InvalidArgumentError("a pattern cannot begin with a gap");
        gap = t.count;
        continue;
      }
      Item item;
      if (t.kind == Token::kWord) {
        absl::StatusOr<Item> word = WordItem(t.text, cjk_);
        if (!word.ok()) return word.status();
        item = *std::move(word);
      } else {  // kOpen
        while (true) {
          absl::StatusOr<Sequence> alt = ParseSequence();
          if (!alt.ok()) return alt.status();
          if (alt->items.empty()) return absl::InvalidArgumentError("an empty alternative");
          item.group.push_back(*std::move(alt));
          if (pos_ >= tokens_.size()) return absl::InvalidArgumentError("a '(' is not closed");
          const Token::Kind k = tokens_[pos_++].kind;
          if (k == Token::kClose) break;
          if (k != Token::kBar) return absl::InvalidArgumentError("'<N>' only at the top level");
        }
      }
      item.gap_before = gap;
      gap = 0;
      seq.items.push_back(std::move(item));
    }
    if (gap != 0) return absl::InvalidArgumentError("a pattern cannot end with a gap");
    return seq;
  }

  bool AtNear(int* count) {
    if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::kNear) {
      *count = tokens_[pos_++].count;
      return true;
    }
    return false;
  }
  bool AtBar() {
    if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::kBar) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Done() const { return pos_ >= tokens_.size(); }

 private:
  std::vector<Token> tokens_;
  bool cjk_;
  size_t pos_ = 0;
};

// The characters a gap of N words may span: N words of up to 11 letters, each with its space.
// Counting characters keeps the matcher simple and its cost bounded.
int GapCharacters(int words) { return 12 * words; }

// The words an item can end with.
void LastWords(const Item& item, std::vector<const Word*>& out) {
  if (item.word.has_value()) {
    out.push_back(&*item.word);
    return;
  }
  for (const Sequence& alt : item.group) LastWords(alt.items.back(), out);
}

// Which of two sets of words, one of which a match needs, text holds less often: long words are
// rarer than short ones ("legal" than "team", "could" than "you"), and one word than several.
bool RarerThan(const std::vector<PhrasePattern::Anchor>& a, const std::vector<PhrasePattern::Anchor>& b) {
  auto shortest = [](const std::vector<PhrasePattern::Anchor>& words) {
    size_t n = SIZE_MAX;
    for (const PhrasePattern::Anchor& w : words) n = std::min(n, w.literal.size());
    return n;
  };
  if (shortest(a) != shortest(b)) return shortest(a) > shortest(b);
  return a.size() < b.size();
}

// The words of which a match of `item` must contain one, into *out. Of a group, one word per
// alternative: a match of an alternative contains every one of its words, so the rarest of them
// stands for it ("legal" for "legal team": "our team" is common, so the last word alone tried
// the rule at every "our team").
void RequiredWords(const Item& item, std::vector<PhrasePattern::Anchor>& out) {
  if (item.word.has_value()) {
    out.push_back({item.word->literal, item.word->stem});
    return;
  }
  for (const Sequence& alternative : item.group) {
    std::vector<PhrasePattern::Anchor> rarest;
    for (const Item& inner : alternative.items) {
      std::vector<PhrasePattern::Anchor> candidate;
      RequiredWords(inner, candidate);
      if (rarest.empty() || RarerThan(candidate, rarest)) rarest = std::move(candidate);
    }
    for (PhrasePattern::Anchor& word : rarest) {
      if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(std::move(word));
    }
  }
}

// Fills the index of a group's alternatives by their last word (Item::alternatives_by_last_word),
// and of every group inside them.
void IndexAlternatives(Item& item) {
  for (uint32_t a = 0; a < item.group.size(); ++a) {
    Sequence& alternative = item.group[a];
    for (Item& inner : alternative.items) IndexAlternatives(inner);
    const Item& last = alternative.items.back();
    if (last.word.has_value() && last.word->latin && !last.word->stem) {
      item.alternatives_by_last_word[last.word->literal].push_back(a);
    } else {
      item.other_alternatives.push_back(a);
    }
  }
}

// ---- Finding where a match starts ----



// Hyperscan's \w without UCP: ASCII letters, digits and '_'.
bool IsRegexWordByte(absl::string_view text, size_t pos) {
  if (pos >= text.size()) return false;
  const char c = text[pos];
  return absl::ascii_isalnum(c) || c == '_';
}

bool AtWordBoundary(absl::string_view text, size_t pos) {
  return (pos > 0 && IsRegexWordByte(text, pos - 1)) != IsRegexWordByte(text, pos);
}

// Matches a pattern backwards from where its last word ends, which pins every word to one place
// or a few (a gap's length is the only choice), and collects where matches start.
class BackwardMatcher {
 public:
  BackwardMatcher(absl::string_view text, size_t earliest, bool cjk) : text_(text), earliest_(earliest), cjk_(cjk) {}

  // Every start from which `seq` matches exactly up to `end`, handed to `found`.
  void Seq(const Sequence& seq, size_t end, absl::FunctionRef<void(size_t)> found) {
    Items(seq, seq.items.size(), end, found);
  }

  // The same for one of a group's alternatives.
  void Group(const Item& group, size_t end, absl::FunctionRef<void(size_t)> found) { ItemEndingAt(group, end, found); }

 private:
  // Items [0, count) of seq match ending at `end`.
  void Items(const Sequence& seq, size_t count, size_t end, absl::FunctionRef<void(size_t)> found) {
    if (count == 0) {
      found(end);
      return;
    }
    // The same item of the same sequence ending at the same place is explored once. Few places
    // are ever visited: a short list searched in order beats a hash set allocated per match.
    const std::pair<const Item*, size_t> here{&seq.items[count - 1], end};
    if (std::find(visited_.begin(), visited_.end(), here) != visited_.end()) return;
    visited_.push_back(here);
    const Item& item = seq.items[count - 1];
    ItemEndingAt(item, end, [&](size_t start) {
      if (count == 1) {
        found(start);
        return;
      }
      JoinEndingAt(item.gap_before, start, [&](size_t previous_end) { Items(seq, count - 1, previous_end, found); });
    });
  }

  void ItemEndingAt(const Item& item, size_t end, absl::FunctionRef<void(size_t)> found) {
    if (!item.word.has_value()) {
      for (const uint32_t a : item.other_alternatives) Seq(item.group[a], end, found);
      // A whole Latin word ends only at a word boundary, and it is the word that ends there.
      if (item.alternatives_by_last_word.empty() || !AtWordBoundary(text_, end)) return;
      size_t start = end;
      while (start > earliest_ && IsRegexWordByte(text_, start - 1)) --start;
      const auto it = item.alternatives_by_last_word.find(text_.substr(start, end - start));
      if (it == item.alternatives_by_last_word.end()) return;
      for (const uint32_t a : it->second) Seq(item.group[a], end, found);
      return;
    }
    const Word& word = *item.word;
    if (!word.latin) {
      if (end >= earliest_ + word.literal.size() &&
          text_.compare(end - word.literal.size(), word.literal.size(), word.literal) == 0) {
        found(end - word.literal.size());
      }
      return;
    }
    if (!AtWordBoundary(text_, end)) return;
    size_t start = end;
    if (word.stem) {
      // The whole word ending here must begin with the stem.
      while (start > earliest_ && IsLatinWordByte(text_[start - 1])) --start;
      if (end - start < word.literal.size() || text_.compare(start, word.literal.size(), word.literal) != 0) return;
    } else {
      if (end < earliest_ + word.literal.size()) return;
      start = end - word.literal.size();
      if (text_.compare(start, word.literal.size(), word.literal) != 0) return;
    }
    if (AtWordBoundary(text_, start)) found(start);
  }

  // Where the item before a join may end, the join ending where the next item starts.
  void JoinEndingAt(int gap, size_t next_start, absl::FunctionRef<void(size_t)> found) {
    if (cjk_) {
      if (gap == 0) {
        found(next_start);
        if (next_start > earliest_ && text_[next_start - 1] == ' ') found(next_start - 1);
        return;
      }
      size_t at = next_start;
      for (int n = 0; n <= gap; ++n) {
        found(at);
        if (at <= earliest_) return;
        const size_t before = PreviousCodePoint(at);
        if (IsSentenceEnd(text_, before)) return;
        at = before;
      }
      return;
    }
    if (gap == 0) {
      // One or more separators: all of them, since a word never ends with one.
      size_t at = next_start;
      while (at > earliest_ && IsSeparatorAt(PreviousCodePoint(at))) at = PreviousCodePoint(at);
      if (at < next_start) found(at);
      return;
    }
    // One separator, then up to GapCharacters(gap) characters of the same sentence.
    size_t at = next_start;
    for (int n = 0; n <= GapCharacters(gap) && at > earliest_; ++n) {
      const size_t before = PreviousCodePoint(at);
      if (IsSentenceEnd(text_, before)) return;
      if (IsSeparatorAt(before)) found(before);
      at = before;
    }
  }

  bool IsSeparatorAt(size_t pos) const {
    if (IsSentenceEnd(text_, pos)) return false;
    const unsigned char c = static_cast<unsigned char>(text_[pos]);
    return c >= 0x80 || !IsLatinWordByte(static_cast<char>(c));
  }

  size_t PreviousCodePoint(size_t pos) const {
    size_t at = pos - 1;
    while (at > 0 && (static_cast<unsigned char>(text_[at]) & 0xC0) == 0x80) --at;
    return at;
  }

  absl::string_view text_;
  size_t earliest_;
  bool cjk_;
  absl::InlinedVector<std::pair<const Item*, size_t>, 16> visited_;
};

// What a match of `seq` needs present, as alternatives of items each needing one of its words.
// A sequence of one group is its alternatives: "(whatsapp|wechat|paypal me)" needs paypal and me
// for its third, not any one of the group's last words.
void AddRequirements(const Sequence& seq, std::vector<std::vector<std::vector<PhrasePattern::Anchor>>>& out) {
  if (seq.items.size() == 1 && !seq.items[0].word.has_value()) {
    for (const Sequence& alternative : seq.items[0].group) AddRequirements(alternative, out);
    return;
  }
  std::vector<std::vector<PhrasePattern::Anchor>>& needed = out.emplace_back();
  for (const Item& item : seq.items) {
    RequiredWords(item, needed.emplace_back());
  }
}

}  // namespace

absl::StatusOr<PhrasePattern> PhrasePattern::Parse(absl::string_view pattern, bool cjk) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(pattern);
  if (!tokens.ok()) return tokens.status();
  cjk = cjk || HasCjk(pattern);
  Parser parser(*std::move(tokens), cjk);
  PhrasePattern out;
  out.cjk_ = cjk;
  // pattern := branch ('|' branch)*, branch := sequence ['<N>' sequence]
  while (true) {
    absl::StatusOr<Sequence> left = parser.ParseSequence();
    if (!left.ok()) return left.status();
    if (left->items.empty()) return absl::InvalidArgumentError("an empty pattern or alternative");
    int near = 0;
    if (!parser.AtNear(&near)) {
      out.whole_.group.push_back(*std::move(left));
    } else {
      absl::StatusOr<Sequence> right = parser.ParseSequence();
      if (!right.ok()) return right.status();
      if (right->items.empty()) return absl::InvalidArgumentError("nothing after '<N>'");
      // A <N> B is A, up to N words, B; or B, up to N words, A.
      for (const auto& [first, second] : {std::pair{&*left, &*right}, std::pair{&*right, &*left}}) {
        Sequence both = *first;
        for (size_t i = 0; i < second->items.size(); ++i) {
          both.items.push_back(second->items[i]);
          if (i == 0) both.items.back().gap_before = near;
        }
        out.whole_.group.push_back(std::move(both));
      }
    }
    if (parser.Done()) break;
    if (!parser.AtBar()) return absl::InvalidArgumentError("one '<N>' per alternative, and ')' only after '('");
  }
  IndexAlternatives(out.whole_);
  // The anchors are the single words a match can end with: plain literals, cheap to compile by
  // the thousand (whole last items, with their inner separators, took seconds).
  std::vector<const Word*> last_words;
  for (const Sequence& alt : out.whole_.group) LastWords(alt.items.back(), last_words);
  for (const Word* word : last_words) {
    const Anchor anchor{word->literal, word->stem};
    if (std::find(out.anchors_.begin(), out.anchors_.end(), anchor) == out.anchors_.end()) {
      out.anchors_.push_back(anchor);
    }
  }
  for (const Sequence& alt : out.whole_.group) AddRequirements(alt, out.requirements_);
  return out;
}

std::optional<size_t> PhrasePattern::LeftmostStart(absl::string_view text, size_t end, size_t earliest) const {
  BackwardMatcher matcher(text, earliest, cjk_);
  std::optional<size_t> leftmost;
  matcher.Group(whole_, end, [&](size_t start) {
    if (!leftmost.has_value() || start < *leftmost) leftmost = start;
  });
  return leftmost;
}

}  // namespace aftersales::reviews
