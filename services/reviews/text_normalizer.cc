#include "services/reviews/text_normalizer.h"

#include <array>
#include <cstring>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "unicode/normalizer2.h"
#include "unicode/translit.h"
#include "unicode/uchar.h"
#include "unicode/uscript.h"
#include "unicode/unistr.h"
#include "unicode/utf8.h"

namespace aftersales::reviews {
namespace {

// Letters from other scripts that pass for Latin ones in a message (after case folding). Only
// shapes a reader takes for the Latin letter; the Latin side is what the rules are written in.
constexpr std::pair<char32_t, char> kLookAlikes[] = {
    // Cyrillic
    {U'а', 'a'}, {U'в', 'b'}, {U'е', 'e'}, {U'ё', 'e'}, {U'з', '3'}, {U'и', 'u'}, {U'к', 'k'},
    {U'м', 'm'}, {U'н', 'h'}, {U'о', 'o'}, {U'п', 'n'}, {U'р', 'p'}, {U'с', 'c'}, {U'т', 't'},
    {U'у', 'y'}, {U'х', 'x'}, {U'ь', 'b'}, {U'і', 'i'}, {U'ї', 'i'}, {U'ј', 'j'}, {U'ѕ', 's'},
    {U'ԁ', 'd'}, {U'һ', 'h'}, {U'ԛ', 'q'}, {U'ԝ', 'w'}, {U'ӏ', 'l'}, {U'ѵ', 'v'}, {U'ɡ', 'g'},
    // Greek
    {U'α', 'a'}, {U'β', 'b'}, {U'γ', 'y'}, {U'ε', 'e'}, {U'η', 'n'}, {U'ι', 'i'}, {U'κ', 'k'},
    {U'ν', 'v'}, {U'ο', 'o'}, {U'ρ', 'p'}, {U'τ', 't'}, {U'υ', 'u'}, {U'χ', 'x'}, {U'ω', 'w'},
    {U'ϲ', 'c'}, {U'ϳ', 'j'}, {U'ς', 'c'},
    // Latin letters that are not the ASCII ones
    {U'ı', 'i'}, {U'ȷ', 'j'}, {U'ʀ', 'r'}, {U'ɪ', 'i'}, {U'ʟ', 'l'}, {U'ᴄ', 'c'}, {U'ᴏ', 'o'},
    {U'ᴠ', 'v'}, {U'ᴡ', 'w'}, {U'ᴢ', 'z'}, {U'ꜱ', 's'}, {U'ɑ', 'a'}, {U'ł', 'l'}, {U'đ', 'd'},
    {U'ø', 'o'}, {U'æ', 'a'}, {U'œ', 'o'},
};

bool IsKana(UChar32 c) { return c >= 0x3040 && c <= 0x30FF; }

bool IsAsciiLetter(char c) { return c >= 'a' && c <= 'z'; }

void AppendUtf8(std::string& out, UChar32 c) {
  char buf[4];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), n, 4, c, error);
  if (!error) out.append(buf, n);
}

// Folds one code point with ICU: the slow path, run once per BMP code point to fill the table
// and for code points beyond the BMP (emoji, mathematical letters) as they come.
class CodePointFolder {
 public:
  CodePointFolder() {
    UErrorCode status = U_ZERO_ERROR;
    nfkc_cf_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
    nfd_ = icu::Normalizer2::getNFDInstance(status);
    nfc_ = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) nfkc_cf_ = nfd_ = nfc_ = nullptr;
    UErrorCode t_status = U_ZERO_ERROR;
    to_simplified_.reset(icu::Transliterator::createInstance("Traditional-Simplified", UTRANS_FORWARD, t_status));
    if (U_FAILURE(t_status)) to_simplified_.reset();
  }

  std::string Fold(UChar32 c) {
    std::string out;
    if (c == '\r') return out;
    if (c == '\n' || c == 0x2028 || c == 0x2029 || c == 0x85) return "\n";
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return " ";
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
      return out;
    }
    if (nfkc_cf_ == nullptr) {
      AppendUtf8(out, c);
      return out;
    }
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString folded = nfkc_cf_->normalize(icu::UnicodeString(c), status);
    icu::UnicodeString decomposed = nfd_->normalize(folded, status);
    icu::UnicodeString kept;
    UChar32 base = 0;
    for (int32_t i = 0; i < decomposed.length();) {
      const UChar32 d = decomposed.char32At(i);
      i += U16_LENGTH(d);
      if (u_charType(d) == U_NON_SPACING_MARK && !IsKana(base)) continue;
      if (u_charType(d) != U_NON_SPACING_MARK) base = d;
      kept.append(d);
    }
    icu::UnicodeString composed = nfc_->normalize(kept, status);
    if (U_FAILURE(status)) composed = icu::UnicodeString(c);
    if (to_simplified_ != nullptr && u_getIntPropertyValue(c, UCHAR_SCRIPT) == USCRIPT_HAN) {
      to_simplified_->transliterate(composed);
    }
    for (int32_t i = 0; i < composed.length();) {
      UChar32 d = composed.char32At(i);
      i += U16_LENGTH(d);
      if (u_isUWhiteSpace(d)) d = ' ';
      char latin = 0;
      for (const auto& [from, to] : kLookAlikes) {
        if (static_cast<UChar32>(from) == d) latin = to;
      }
      if (latin != 0) {
        out.push_back(latin);
      } else {
        AppendUtf8(out, d);
      }
    }
    return out;
  }

 private:
  const icu::Normalizer2* nfkc_cf_ = nullptr;
  const icu::Normalizer2* nfd_ = nullptr;
  const icu::Normalizer2* nfc_ = nullptr;
  std::unique_ptr<icu::Transliterator> to_simplified_;
};

// The letter a symbol stands for before a letter: rev!ew, fre$h, 5-$tar, he|p (@ stays: e-mail
// addresses need it; the phrase skeleton reads it as a).
char SymbolLetter(absl::string_view folded) {
  if (folded.size() == 1) {
    switch (folded[0]) {
      case '$': return 's';
      case '!': return 'i';
      case '|': return 'l';
    }
  }
  if (folded == "€") return 'e';
  return 0;
}

bool IsCjkSeparator(absl::string_view folded) {
  return folded == " " || folded == "." || folded == "-" || folded == "_" || folded == "*" ||
         folded == "·" || folded == "・";
}

// One code point's folding with what the normalizer asks of it, worked out when the folding is.
struct Folding {
  absl::string_view text;  // UTF-8
  UChar32 last = 0;        // its last code point; 0 when it is empty
  bool cjk_separator = false;
  bool begins_cjk = false;
  char symbol_letter = 0;  // SymbolLetter(text)
};

Folding Describe(absl::string_view folded) {
  Folding f;
  f.text = folded;
  if (folded.empty()) return f;
  int32_t end = static_cast<int32_t>(folded.size());
  U8_PREV(reinterpret_cast<const uint8_t*>(folded.data()), 0, end, f.last);
  UChar32 first;
  int32_t at = 0;
  U8_NEXT(reinterpret_cast<const uint8_t*>(folded.data()), at, static_cast<int32_t>(folded.size()), first);
  f.begins_cjk = IsCjk(static_cast<uint32_t>(first));
  f.cjk_separator = IsCjkSeparator(folded);
  f.symbol_letter = SymbolLetter(folded);
  return f;
}

// Every BMP code point's folding, computed once: the screening path does a table lookup per
// character instead of three ICU calls.
class FoldTable {
 public:
  FoldTable() {
    std::vector<uint32_t> offsets;
    offsets.reserve(0x10001);
    for (UChar32 c = 0; c < 0x10000; ++c) {
      offsets.push_back(static_cast<uint32_t>(data_.size()));
      if (U_IS_SURROGATE(c)) continue;
      data_ += folder_.Fold(c);
    }
    offsets.push_back(static_cast<uint32_t>(data_.size()));
    entries_.resize(0x10000);
    for (UChar32 c = 0; c < 0x10000; ++c) {
      const Folding f = Describe(absl::string_view(data_).substr(offsets[c], offsets[c + 1] - offsets[c]));
      entries_[c] = {offsets[c], static_cast<uint32_t>(f.last), static_cast<uint16_t>(f.text.size()),
                     f.cjk_separator, f.begins_cjk, f.symbol_letter};
    }
  }

  // Valid until the next call from the same thread for code points beyond the BMP.
  Folding Fold(UChar32 c) {
    if (c < 0x10000) {
      const Entry& e = entries_[c];
      Folding f;
      f.text = absl::string_view(data_.data() + e.offset, e.size);
      f.last = static_cast<UChar32>(e.last);
      f.cjk_separator = e.cjk_separator;
      f.begins_cjk = e.begins_cjk;
      f.symbol_letter = e.symbol_letter;
      return f;
    }
    thread_local std::string astral;
    std::lock_guard<std::mutex> lock(astral_mu_);  // ICU's transliterator is not thread-safe
    astral = folder_.Fold(c);
    return Describe(astral);
  }

 private:
  struct Entry {
    uint32_t offset;
    uint32_t last;
    uint16_t size;
    bool cjk_separator;
    bool begins_cjk;
    char symbol_letter;
  };
  CodePointFolder folder_;
  std::vector<Entry> entries_;
  std::string data_;
  std::mutex astral_mu_;
};

// The folding table, and for each byte the ASCII byte it folds to when nothing around it can
// change that (0 when something can: a space, a symbol that may stand for a letter, a byte that
// folds to nothing, and every byte of a longer UTF-8 sequence). Screening reads most text
// through the second.
struct Tables {
  // plain_ascii's mark for a byte that folds to a space (space, tab, other control characters).
  static constexpr char kSpace = 1;

  FoldTable fold;
  char plain_ascii[256] = {};

  Tables() {
    for (UChar32 c = 0; c < 0x80; ++c) {
      const absl::string_view folded = fold.Fold(c).text;
      if (folded == " ") {
        plain_ascii[c] = kSpace;
      } else if (folded.size() == 1 && SymbolLetter(folded) == 0) {
        plain_ascii[c] = folded[0];
      }
    }
  }
};

Tables& AllTables() {
  static Tables* tables = new Tables();
  return *tables;
}

UChar32 DecodeAt(absl::string_view text, size_t& i) {
  UChar32 c;
  int32_t pos = static_cast<int32_t>(i);
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), pos, static_cast<int32_t>(text.size()), c);
  i = static_cast<size_t>(pos);
  return c;
}


// A line break inside a paragraph is a space ("please remove\nyour review" is one sentence); a
// blank line stays a break.
void LineBreaksWithinParagraphs(NormalizedText& n) {
  std::string& t = n.text;
  for (size_t i = t.find('\n'); i < t.size(); i = t.find('\n', i + 1)) {
    const bool blank_line = (i > 0 && t[i - 1] == '\n') || (i + 1 < t.size() && t[i + 1] == '\n');
    if (!blank_line) t[i] = ' ';
  }
}

constexpr auto kTokenBytes = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  table['@'] = true;
  return table;
}();

inline bool IsTokenByte(char c) { return kTokenBytes[static_cast<unsigned char>(c)]; }

// Eight bytes at a time, for the passes that look for rare bytes: each answer has the top bit of
// every byte that qualifies set (exactly: no carry crosses a byte).
constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHigh = 0x8080808080808080ULL;

uint64_t Load8(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// Bytes in [from, to], both ASCII.
uint64_t BytesBetween(uint64_t word, unsigned char from, unsigned char to) {
  const uint64_t low = word & ~kHigh;  // no byte over 0x7F, so adding up to 0x80 carries nowhere
  const uint64_t at_least_from = low + kOnes * (0x80 - from);
  const uint64_t above_to = low + kOnes * (0x7F - to);
  return at_least_from & ~above_to & ~word & kHigh;
}

uint64_t DigitBytes(uint64_t word) { return BytesBetween(word, '0', '9'); }

uint64_t TokenBytes(uint64_t word) {
  return BytesBetween(word, 'a', 'z') | DigitBytes(word) | BytesBetween(word, '@', '@');
}

bool IsSpellingSeparator(char c) { return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*'; }

// "r e m o v e", "r.e.v.i.e.w", "u-p-d-a-t-e": a run of three or more one-character tokens, each
// after a single separator, is one word. Shorter runs stay apart, so "a review" is two words.
void JoinSpelledOutLetters(NormalizedText& n, bool map) {
  const std::string& t = n.text;
  const size_t size = t.size();
  // A one-character token starts at k: a token byte with no token byte before or after it.
  auto single_at = [&](size_t k) {
    return k < size && IsTokenByte(t[k]) && (k == 0 || !IsTokenByte(t[k - 1])) &&
           (k + 1 >= size || !IsTokenByte(t[k + 1]));
  };
  std::vector<size_t> drops;  // the separators inside runs, in order
  size_t i = 0;
  while (i < size) {
    // Eight bytes with no one-character token in them start no run: passed over whole, then to
    // the end of a token they cut.
    if (i > 0 && i + 9 <= size) {
      const uint64_t tokens = TokenBytes(Load8(t.data() + i));
      const uint64_t before = (tokens << 8) | (IsTokenByte(t[i - 1]) ? 0x80 : 0);
      const uint64_t after = (tokens >> 8) | (IsTokenByte(t[i + 8]) ? 0x80ULL << 56 : 0);
      if ((tokens & ~before & ~after) == 0) {
        i += 8;
        while (i < size && IsTokenByte(t[i]) && IsTokenByte(t[i - 1])) ++i;
        continue;
      }
    }
    // To the next token, then past it unless it is one character long.
    while (i < size && !IsTokenByte(t[i])) ++i;
    if (i >= size) break;
    if (i + 1 < size && IsTokenByte(t[i + 1])) {
      while (i < size && IsTokenByte(t[i])) ++i;
      continue;
    }
    size_t end = i;  // the last single of the run
    int count = 1;
    while (end + 2 < size && IsSpellingSeparator(t[end + 1]) && single_at(end + 2)) {
      end += 2;
      ++count;
    }
    if (count >= 3) {
      for (size_t k = i + 1; k < end; k += 2) drops.push_back(k);
    }
    i = end + 1;
  }
  if (drops.empty()) return;
  // Only bytes go, so the text is compacted where it stands, a stretch between drops at a time.
  size_t kept = drops[0];
  for (size_t d = 0; d < drops.size(); ++d) {
    const size_t from = drops[d] + 1;
    const size_t to = d + 1 < drops.size() ? drops[d + 1] : size;
    std::memmove(n.text.data() + kept, n.text.data() + from, to - from);
    if (map) std::memmove(n.source.data() + kept, n.source.data() + from, (to - from) * sizeof(uint32_t));
    kept += to - from;
  }
  n.text.resize(kept);
  if (!map) return;
  n.source.resize(kept);
  n.source_last = n.source;
}

// Digits written for letters inside a word (upd4te, r3v13w, g00d): a run of digits with a letter
// on both sides is the letters it imitates. Numbers stand alone or at a word's edge ("5 stars",
// "5star", "$10", "113-2345678"), so they keep their meaning.
void FoldDigitsInsideWords(NormalizedText& n) {
  char* const t = n.text.data();
  const size_t size = n.text.size();
  size_t i = 0;
  while (i < size) {
    if (i + 8 <= size && DigitBytes(Load8(t + i)) == 0) {
      i += 8;
      continue;
    }
    if (!(t[i] >= '0' && t[i] <= '9')) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < size && t[end] >= '0' && t[end] <= '9') ++end;
    const bool letter_before = i > 0 && IsAsciiLetter(t[i - 1]);
    const bool letter_after = end < size && IsAsciiLetter(t[end]);
    if (letter_before && letter_after) {
      for (size_t k = i; k < end; ++k) t[k] = "oizeasgtbg"[t[k] - '0'];
    }
    i = end;
  }
}

}  // namespace

bool IsCjk(uint32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F) ||
         (c >= 0x20000 && c <= 0x3FFFF);
}

std::pair<uint32_t, uint32_t> NormalizedText::SourceSpan(size_t from, size_t to) const {
  if (from >= source.size() || to <= from) return {source_length, source_length};
  return {source[from], source_last[std::min(to, source.size()) - 1] + 1};
}

bool IsSentenceEndSlow(absl::string_view text, size_t pos) {
  const char c = text[pos];
  if (c == '\n') return true;
  if (c == '.' || c == '!' || c == '?') {
    return pos + 1 >= text.size() || text[pos + 1] == ' ' || text[pos + 1] == '\n' ||
           static_cast<unsigned char>(text[pos + 1]) >= 0x80;
  }
  return text.compare(pos, 3, "\xE3\x80\x82") == 0;  // 。
}

namespace {

template <bool kMap>
NormalizedText Normalize(absl::string_view text) {
  Tables& tables = AllTables();
  FoldTable& table = tables.fold;
  const size_t size = text.size();
  NormalizedText out;
  // Written through raw pointers into buffers cut to length at the end: plain ASCII never makes
  // the text longer than the input, and only a folding that does (ß, ligatures) asks for room.
  size_t n = 0;
  out.text.resize(size + 16);
  if (kMap) out.source.resize(out.text.size());
  auto room = [&](size_t more) {
    if (n + more <= out.text.size()) return;
    out.text.resize(2 * (n + more));
    if (kMap) out.source.resize(out.text.size());
  };
  // Separators after a CJK character wait here until we know whether another CJK character
  // follows (then they are dropped) or not (then they are written).
  std::string pending;
  std::vector<uint32_t> pending_source;
  // The last code point written, kept rather than decoded again for every character.
  UChar32 last = 0;
  auto emit = [&](absl::string_view folded, UChar32 folded_last, uint32_t index) {
    room(folded.size());
    std::memcpy(out.text.data() + n, folded.data(), folded.size());
    if (kMap) std::fill_n(out.source.data() + n, folded.size(), index);
    n += folded.size();
    last = folded_last;
  };
  auto flush_pending = [&] {
    room(pending.size());
    std::memcpy(out.text.data() + n, pending.data(), pending.size());
    if (kMap) std::copy(pending_source.begin(), pending_source.end(), out.source.data() + n);
    n += pending.size();
    int32_t end = static_cast<int32_t>(pending.size());
    U8_PREV(reinterpret_cast<const uint8_t*>(pending.data()), 0, end, last);
  };
  uint32_t index = 0;
  size_t i = 0;
  Folding next;
  size_t next_end = 0;
  bool have_next = false;
  while (i < size || have_next) {
    if (!have_next && last < 0x80 && pending.empty()) {
      // Plain ASCII after plain text: the byte's folding, whatever surrounds it. One output byte
      // at most per input byte.
      room(size - i);
      char* const o = out.text.data();
      char previous = static_cast<char>(last);
      while (i < size) {
        const char plain = tables.plain_ascii[static_cast<unsigned char>(text[i])];
        if (plain == 0) break;
        ++i;
        const uint32_t here = index++;
        if (plain == Tables::kSpace) {
          // One space for a run of white space, none at the start or after a line break.
          if (n == 0 || previous == ' ' || previous == '\n') continue;
          o[n] = ' ';
        } else {
          o[n] = plain;
        }
        if (kMap) out.source[n] = here;
        previous = o[n++];
      }
      last = static_cast<unsigned char>(previous);
      if (i >= size) break;
    }
    Folding folded;
    if (have_next) {
      folded = next;
      i = next_end;
      have_next = false;
    } else if (static_cast<unsigned char>(text[i]) < 0x80) {
      folded = table.Fold(static_cast<unsigned char>(text[i++]));
    } else {
      folded = table.Fold(DecodeAt(text, i));
    }
    const uint32_t here = index++;
    if (folded.text.empty()) continue;
    if (folded.text.size() == 1 && folded.text[0] == ' ') {
      if (!pending.empty() || last == ' ' || last == '\n' || n == 0) continue;
    }
    if (last >= 0x2E80 && IsCjk(last) && folded.cjk_separator) {
      pending.append(folded.text.data(), folded.text.size());
      if (kMap) pending_source.insert(pending_source.end(), folded.text.size(), here);
      continue;
    }
    if (!pending.empty()) {
      if (!folded.begins_cjk) flush_pending();
      pending.clear();
      pending_source.clear();
    }
    // A symbol before a letter is that letter ($tar, |ike); ! only between letters, since it
    // ends sentences ("thanks!Bye" is rare, "rev!ew" is not).
    const bool after_letter = last < 0x80 && IsAsciiLetter(static_cast<char>(last));
    const bool after_digit = last >= '0' && last <= '9';
    if (folded.symbol_letter != 0 && !after_digit && (after_letter || folded.text != "!") && i < size) {
      size_t j = i;
      next = table.Fold(DecodeAt(text, j));
      next_end = j;
      have_next = true;
      if (!next.text.empty() && IsAsciiLetter(next.text[0])) {
        emit(absl::string_view(&folded.symbol_letter, 1), folded.symbol_letter, here);
        continue;
      }
    }
    emit(folded.text, folded.last, here);
  }
  if (!pending.empty()) flush_pending();
  out.text.resize(n);
  if (kMap) out.source.resize(n);
  out.source_length = index;
  LineBreaksWithinParagraphs(out);
  if (kMap) out.source_last = out.source;
  JoinSpelledOutLetters(out, kMap);
  FoldDigitsInsideWords(out);
  return out;
}

}  // namespace

NormalizedText NormalizeForMatching(absl::string_view text) { return Normalize<true>(text); }

NormalizedText NormalizeWithoutMap(absl::string_view text) { return Normalize<false>(text); }

std::string NormalizeLiteral(absl::string_view text) { return NormalizeForMatching(text).text; }

namespace {

// The phrase skeleton's byte for each normalized one: @ read as a, l as i.
constexpr auto kSkeletonBytes = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = static_cast<char>(c);
  table['@'] = 'a';
  table['l'] = 'i';
  return table;
}();

}  // namespace

NormalizedText PhraseSkeleton(const NormalizedText& normalized) {
  // Never longer than the normalized text: written in place, then cut to length.
  const size_t size = normalized.text.size();
  NormalizedText out;
  out.source_length = normalized.source_length;
  out.text.resize(size);
  out.source.resize(size);
  out.source_last.resize(size);
  char* const text = out.text.data();
  uint32_t* const source = out.source.data();
  uint32_t* const source_last = out.source_last.data();
  const char* const from_text = normalized.text.data();
  const uint32_t* const from_source = normalized.source.data();
  const uint32_t* const from_source_last = normalized.source_last.data();
  size_t at = 0;
  for (size_t i = 0; i < size; ++i) {
    const char c = kSkeletonBytes[static_cast<unsigned char>(from_text[i])];
    if (IsAsciiLetter(c) && at != 0 && text[at - 1] == c) {
      // The run is read once, but the finding still covers every letter of it.
      source_last[at - 1] = from_source_last[i];
      continue;
    }
    text[at] = c;
    source[at] = from_source[i];
    source_last[at] = from_source_last[i];
    ++at;
  }
  out.text.resize(at);
  out.source.resize(at);
  out.source_last.resize(at);
  return out;
}

std::string PhraseSkeletonText(absl::string_view normalized) {
  // Never longer than the normalized text: written in place, then cut to length.
  std::string out(normalized.size(), '\0');
  char* const begin = out.data();
  char* at = begin;
  for (const char byte : normalized) {
    const char c = kSkeletonBytes[static_cast<unsigned char>(byte)];
    // Written either way; the position moves on unless the letter repeats the one before.
    const bool repeat = at != begin && at[-1] == c && IsAsciiLetter(c);
    *at = c;
    at += repeat ? 0 : 1;
  }
  out.resize(static_cast<size_t>(at - begin));
  return out;
}

std::string PhraseSkeletonLiteral(absl::string_view text) { return PhraseSkeleton(NormalizeForMatching(text)).text; }

absl::Status ValidateUtf8(absl::string_view text, uint32_t* length) {
  uint32_t count = 0;
  int32_t i = 0;
  const int32_t size = static_cast<int32_t>(text.size());
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError("too long");
  }
  while (i < size) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, size, c);
    if (c < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("not valid UTF-8 at byte ", at, "; send the message as UTF-8"));
    }
    ++count;
  }
  if (length != nullptr) *length = count;
  return absl::OkStatus();
}

namespace {

// The byte offset of code point `index` of valid UTF-8 `text`, or text.size() past its end,
// reading on from byte `at`, where code point `seen` begins. Eight bytes hold at most eight code
// points, so whole words are counted while that many remain.
size_t CodePointOffset(absl::string_view text, uint32_t index, size_t at, uint64_t seen) {
  const size_t size = text.size();
  while (at + 8 <= size && index - seen >= 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + at, 8);
    // A continuation byte is 10xxxxxx: its top bit set, the next one clear. Their count is the
    // sum of the bytes of the mask moved down to one bit each.
    const uint64_t continuation = (word & ~(word << 1) & 0x8080808080808080ULL) >> 7;
    seen += 8 - ((continuation * 0x0101010101010101ULL) >> 56);
    at += 8;
  }
  for (; at < size; ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) continue;
    if (seen == index) return at;
    ++seen;
  }
  return size;
}

}  // namespace

std::string CodePointSubstr(absl::string_view text, uint32_t start, uint32_t end) {
  if (start >= end) return "";
  const size_t from = CodePointOffset(text, start, 0, 0);
  if (from >= text.size()) return "";
  return std::string(text.substr(from, CodePointOffset(text, end, from, start) - from));
}

}  // namespace aftersales::reviews
