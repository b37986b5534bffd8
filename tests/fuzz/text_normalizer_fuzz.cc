// libFuzzer target over the text normalizer alone: any valid UTF-8. Findings are reported at the
// input's offsets through the normalizer's map, so the map must be sound for every text: each
// normalized byte comes from a character of the input, in input order, and the fast paths
// (without the map, the skeleton from text alone, the inline sentence-end test) agree with the
// slow ones.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "services/reviews/text_normalizer.h"

namespace {

using ::aftersales::reviews::NormalizedText;

void Fail(const char* what, const char* which = "") {
  std::fprintf(stderr, "text normalizer fuzz: %s%s%s\n", which, *which ? ": " : "", what);
  std::abort();
}

// One map per byte; every byte maps inside the input; source and source_last never go back.
void CheckMap(const NormalizedText& n, uint32_t input_length, const char* which) {
  if (n.source_length != input_length) Fail("source_length is not the input's", which);
  if (n.source.size() != n.text.size() || n.source_last.size() != n.text.size()) {
    Fail("the map does not have one entry per byte", which);
  }
  for (size_t i = 0; i < n.text.size(); ++i) {
    if (n.source[i] > n.source_last[i]) Fail("a byte ends before it starts", which);
    if (n.source_last[i] >= input_length) Fail("a byte maps past the input", which);
    if (i > 0 && (n.source[i] < n.source[i - 1] || n.source_last[i] < n.source_last[i - 1])) {
      Fail("the map goes backwards", which);
    }
  }
}

// Every code point's span, and the whole text's, is a non-empty range of the input.
void CheckSpans(const NormalizedText& n) {
  for (size_t from = 0; from < n.text.size();) {
    size_t to = from + 1;
    while (to < n.text.size() && (static_cast<unsigned char>(n.text[to]) & 0xC0) == 0x80) ++to;
    const auto [start, end] = n.SourceSpan(from, to);
    if (start >= end || end > n.source_length) Fail("a character's source span is out of range");
    from = to;
  }
  if (!n.text.empty()) {
    const auto [start, end] = n.SourceSpan(0, n.text.size());
    if (start > end || end > n.source_length) Fail("the text's source span is out of range");
  }
}

void CheckSentenceEnds(absl::string_view text) {
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (aftersales::reviews::IsSentenceEnd(text, pos) !=
        aftersales::reviews::IsSentenceEndSlow(text, pos)) {
      Fail("IsSentenceEnd and IsSentenceEndSlow disagree");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace reviews = ::aftersales::reviews;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  uint32_t length = 0;
  if (!reviews::ValidateUtf8(input, &length).ok()) return 0;
  if (reviews::CodePointSubstr(input, 0, length) != input)
    Fail("the whole substring is not the text");

  const NormalizedText normalized = reviews::NormalizeForMatching(input);
  if (!reviews::ValidateUtf8(normalized.text).ok()) Fail("normalized text is not UTF-8");
  CheckMap(normalized, length, "normalized");
  CheckSpans(normalized);
  CheckSentenceEnds(normalized.text);

  const NormalizedText unmapped = reviews::NormalizeWithoutMap(input);
  if (unmapped.text != normalized.text || unmapped.source_length != length) {
    Fail("NormalizeWithoutMap differs from NormalizeForMatching");
  }

  const NormalizedText skeleton = reviews::PhraseSkeleton(normalized);
  if (!reviews::ValidateUtf8(skeleton.text).ok()) Fail("the skeleton is not UTF-8");
  if (skeleton.text != reviews::PhraseSkeletonText(normalized.text)) {
    Fail("PhraseSkeletonText differs from PhraseSkeleton");
  }
  CheckMap(skeleton, length, "skeleton");
  CheckSpans(skeleton);
  CheckSentenceEnds(skeleton.text);
  return 0;
}
