// libFuzzer target over the filter's entry point: any bytes, either context. The filter must
// never crash or hang, must refuse what is not UTF-8 or too long, and every finding must point
// at characters of the input (offsets in range, its text the input's own at those offsets).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "services/reviews/phrase_filter.h"
#include "services/reviews/text_normalizer.h"
#include "tests/reviews/seed_rules.h"

namespace {

std::shared_ptr<const aftersales::reviews::PhraseFilter> filter;

void Fail(const char* what) {
  std::fprintf(stderr, "screen fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* path = std::getenv("SEED_RULES_SQL");
  auto rules = aftersales::reviews::testing::LoadSeedRules(path != nullptr ? path : SEED_RULES_SQL);
  if (!rules.ok()) Fail("cannot read the seed rules");
  auto compiled = aftersales::reviews::PhraseFilter::Compile(*rules, 1);
  if (!compiled.ok()) Fail("the seed rules do not compile");
  filter = *compiled;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto context = (data[0] & 1) ? aftersales::reviews::ScreenContext::kSellerFeedback
                                     : aftersales::reviews::ScreenContext::kProductReview;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!aftersales::reviews::ValidateScreenText(text).ok()) return 0;
  uint32_t length = 0;
  if (!aftersales::reviews::ValidateUtf8(text, &length).ok()) Fail("validated text is not UTF-8");
  const aftersales::reviews::ScreenResult result = filter->Screen(text, context);
  if (result.allowed != result.findings.empty()) Fail("verdict and findings disagree");
  for (const auto& f : result.findings) {
    if (f.start >= f.end || f.end > length) Fail("a finding's offsets are out of range");
    if (f.text != aftersales::reviews::CodePointSubstr(text, f.start, f.end)) Fail("a finding's text is not the input's");
  }
  return 0;
}
