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

// Every BMP code point's folding, computed once: the screening path does a table lookup per
// character instead of three ICU calls.
class FoldTable {
 public:
  FoldTable() {
    offsets_.reserve(0x10001);
    for (UChar32 c = 0; c < 0x10000; ++c) {
      offsets_.push_back(static_cast<uint32_t>(data_.size()));
      if (U_IS_SURROGATE(c)) continue;
      data_ += folder_.Fold(c);
    }
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
  }

  // Valid until the next call from the same thread for code points beyond the BMP.
  absl::string_view Fold(UChar32 c) {
    if (c < 0x10000) {
      return absl::string_view(data_).substr(offsets_[c], offsets_[c + 1] - offsets_[c]);
    }
    thread_local std::string astral;
    std::lock_guard<std::mutex> lock(astral_mu_);  // ICU's transliterator is not thread-safe
    astral = folder_.Fold(c);
    return astral;
  }

 private:
  CodePointFolder folder_;
  std::vector<uint32_t> offsets_;
  std::string data_;
  std::mutex astral_mu_;
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

// The folding table, and for each ASCII byte the byte it folds to when nothing around it can
// change that (0 when something can: a space, a symbol that may stand for a letter, a byte that
// folds to nothing). Screening reads most text through the second.
struct Tables {
  // plain_ascii's mark for a byte that folds to a space (space, tab, other control characters).
  static constexpr char kSpace = 1;

  FoldTable fold;
  char plain_ascii[128] = {};

  Tables() {
    for (UChar32 c = 0; c < 0x80; ++c) {
      const absl::string_view folded = fold.Fold(c);
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


bool IsCjkSeparator(absl::string_view folded) {
  return folded == " " || folded == "." || folded == "-" || folded == "_" || folded == "*" ||
         folded == "·" || folded == "・";
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
  NormalizedText out;
  out.text.reserve(text.size());
  if (kMap) out.source.reserve(text.size());
  // Separators after a CJK character wait here until we know whether another CJK character
  // follows (then they are dropped) or not (then they are written).
  std::string pending;
  std::vector<uint32_t> pending_source;
  // The last code point written, kept rather than decoded again for every character.
  UChar32 last = 0;
  auto emit = [&](absl::string_view folded, uint32_t index) {
    if (folded.size() == 1) {
      out.text.push_back(folded[0]);
      if (kMap) out.source.push_back(index);
      last = static_cast<unsigned char>(folded[0]);
      return;
    }
    out.text.append(folded.data(), folded.size());
    if (kMap) out.source.insert(out.source.end(), folded.size(), index);
    int32_t end = static_cast<int32_t>(folded.size());
    U8_PREV(reinterpret_cast<const uint8_t*>(folded.data()), 0, end, last);
  };
  auto flush_pending = [&] {
    out.text += pending;
    if (kMap) out.source.insert(out.source.end(), pending_source.begin(), pending_source.end());
    int32_t end = static_cast<int32_t>(pending.size());
    U8_PREV(reinterpret_cast<const uint8_t*>(pending.data()), 0, end, last);
  };
  uint32_t index = 0;
  size_t i = 0;
  absl::string_view next_folded;
  size_t next_end = 0;
  bool have_next = false;
  while (i < text.size() || have_next) {
    if (!have_next && last < 0x80 && pending.empty()) {
      // Plain ASCII after plain text: the byte's folding, whatever surrounds it.
      while (i < text.size()) {
        const unsigned char b = static_cast<unsigned char>(text[i]);
        const char plain = b < 0x80 ? tables.plain_ascii[b] : 0;
        if (plain == 0) break;
        if (plain == Tables::kSpace) {
          // One space for a run of white space, none at the start or after a line break.
          if (out.text.empty() || last == ' ' || last == '\n') {
            ++index;
            ++i;
            continue;
          }
          out.text.push_back(' ');
          if (kMap) out.source.push_back(index);
          ++index;
          ++i;
          last = ' ';
          continue;
        }
        out.text.push_back(plain);
        if (kMap) out.source.push_back(index);
        ++index;
        ++i;
        last = static_cast<unsigned char>(plain);
      }
      if (i >= text.size()) break;
    }
    absl::string_view folded;
    if (have_next) {
      folded = next_folded;
      i = next_end;
      have_next = false;
    } else if (static_cast<unsigned char>(text[i]) < 0x80) {
      folded = table.Fold(static_cast<unsigned char>(text[i++]));
    } else {
      folded = table.Fold(DecodeAt(text, i));
    }
    const uint32_t here = index++;
    if (folded.empty()) continue;
    if (folded.size() == 1 && folded[0] == ' ') {
      if (!pending.empty() || last == ' ' || last == '\n' || out.text.empty()) continue;
    }
    if (last >= 0x2E80 && IsCjk(last) && IsCjkSeparator(folded)) {
      pending.append(folded.data(), folded.size());
      if (kMap) pending_source.insert(pending_source.end(), folded.size(), here);
      continue;
    }
    if (!pending.empty()) {
      size_t j = 0;
      const UChar32 first = DecodeAt(folded, j);
      if (!IsCjk(first)) flush_pending();
      pending.clear();
      pending_source.clear();
    }
    // A symbol before a letter is that letter ($tar, |ike); ! only between letters, since it
    // ends sentences ("thanks!Bye" is rare, "rev!ew" is not).
    const bool after_letter = last < 0x80 && IsAsciiLetter(static_cast<char>(last));
    const bool after_digit = last >= '0' && last <= '9';
    if (folded.size() <= 3 && !after_digit && (after_letter || folded != "!")) {
      if (const char letter = SymbolLetter(folded); letter != 0 && i < text.size()) {
        size_t j = i;
        next_folded = table.Fold(DecodeAt(text, j));
        next_end = j;
        have_next = true;
        if (!next_folded.empty() && IsAsciiLetter(next_folded[0])) {
          emit(absl::string_view(&letter, 1), here);
          continue;
        }
      }
    }
    emit(folded, here);
  }
  if (!pending.empty()) flush_pending();
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

NormalizedText PhraseSkeleton(const NormalizedText& normalized) {
  NormalizedText out;
  out.source_length = normalized.source_length;
  out.text.reserve(normalized.text.size());
  out.source.reserve(normalized.source.size());
  out.source_last.reserve(normalized.source.size());
  for (size_t i = 0; i < normalized.text.size(); ++i) {
    char c = normalized.text[i];
    if (c == '@') c = 'a';
    if (c == 'l') c = 'i';
    if (IsAsciiLetter(c) && !out.text.empty() && out.text.back() == c) {
      // The run is read once, but the finding still covers every letter of it.
      out.source_last.back() = normalized.source_last[i];
      continue;
    }
    out.text.push_back(c);
    out.source.push_back(normalized.source[i]);
    out.source_last.push_back(normalized.source_last[i]);
  }
  return out;
}

std::string PhraseSkeletonText(absl::string_view normalized) {
  // Never longer than the normalized text: written in place, then cut to length.
  std::string out(normalized.size(), '\0');
  char* const begin = out.data();
  char* at = begin;
  for (char c : normalized) {
    if (c == '@') c = 'a';
    if (c == 'l') c = 'i';
    if (IsAsciiLetter(c) && at != begin && at[-1] == c) continue;
    *at++ = c;
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

std::string CodePointSubstr(absl::string_view text, uint32_t start, uint32_t end) {
  size_t i = 0;
  uint32_t index = 0;
  size_t from = text.size();
  while (i < text.size() && index < end) {
    if (index == start) from = i;
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
    } else {
      DecodeAt(text, i);
    }
    ++index;
  }
  if (index == start && from == text.size()) from = i;
  if (from > i) return "";
  return std::string(text.substr(from, i - from));
}

}  // namespace aftersales::reviews
