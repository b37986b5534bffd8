// Screening throughput and per-message latency of the banned-phrase filter, beside a raw
// Hyperscan scan of the same phrase list (literal, caseless, no normalization) over the same
// corpus in the same run, and two reference rows for the normalization the issue requires (ICU's
// NFKC_Casefold alone; our normalizer alone).
//   build/tests/bench/screen_bench --benchmark_min_time=2
// Corpus: realistic ~2 KB messages in the seven languages, assembled from the labelled messages
// of tests/reviews/screen_corpus.tsv: ordinary service language, one message in ten carrying a
// violation. Targets: filter >= 0.5 x the raw scan's MB/s; p99 <= 50 us per message.
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/reviews/phrase_filter.h"
#include "services/reviews/text_normalizer.h"
#include "tests/reviews/seed_rules.h"
#include "unicode/normalizer2.h"
#include "unicode/unistr.h"

namespace aftersales::reviews {
namespace {

std::vector<std::string> BuildCorpus() {
  std::ifstream in(AFTERSALES_SOURCE_DIR "/tests/reviews/screen_corpus.tsv");
  std::map<std::string, std::vector<std::string>> clean, violating;  // by language prefix
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits('\t', 3));
    // Screened here as product-review messages: the seller-feedback context's allowed sentence
    // would count as a violation.
    if (f.size() != 4 || f[2] == "feedback") continue;
    std::string text;
    for (size_t i = 0; i < f[3].size();) {  // drop the marks
      if (f[3].compare(i, 3, "⟦") == 0 || f[3].compare(i, 3, "⟧") == 0) {
        i += 3;
      } else {
        text.push_back(f[3][i++]);
      }
    }
    const std::string language = f[0].substr(0, f[0].find('-'));
    (f[1] == "allow" ? clean : violating)[language].push_back(text);
  }
  // What agents write: ~2 KB of ordinary service language in one language (or mixed), and one
  // message in ten carrying a single violation somewhere in it.
  std::vector<std::string> messages;
  size_t turn = 0;
  for (const auto& [language, texts] : clean) {
    const std::vector<std::string>& bad = violating[language].empty() ? violating["en"] : violating[language];
    for (int m = 0; m < 40; ++m) {
      std::string message;
      const bool with_violation = m % 10 == 3;
      while (message.size() < 2048) {
        if (with_violation && message.size() > 900 && message.size() < 1200 && !bad.empty()) {
          message += bad[(turn * 13) % bad.size()];
          message += " ";
        }
        message += texts[(turn++ * 7) % texts.size()];
        message += " ";
      }
      messages.push_back(message);
    }
  }
  return messages;
}

const std::vector<std::string>& Corpus() {
  static const std::vector<std::string>* corpus = new std::vector<std::string>(BuildCorpus());
  return *corpus;
}

std::vector<PhraseRule> SeedRules() {
  absl::StatusOr<std::vector<PhraseRule>> rules =
      testing::LoadSeedRules(AFTERSALES_SOURCE_DIR "/services/reviews/migrations/0002_seed_phrase_rules.sql");
  return rules.ok() ? *rules : std::vector<PhraseRule>();
}

// The phrase list as plain literals: each PHRASE rule's words with its first alternatives, stems
// cut at the '*', gaps dropped.
std::vector<std::string> LiteralPhrases(const std::vector<PhraseRule>& rules) {
  std::vector<std::string> out;
  for (const PhraseRule& rule : rules) {
    if (rule.kind != PhraseRule::Kind::kPhrase) continue;
    std::string phrase;
    bool skipping = false;
    for (size_t i = 0; i < rule.pattern.size(); ++i) {
      const char c = rule.pattern[i];
      if (c == '|') skipping = true;
      if (c == ')') { skipping = false; continue; }
      if (skipping || c == '(' || c == '*') continue;
      if (c == '~' || c == '<') {
        while (i + 1 < rule.pattern.size() && rule.pattern[i + 1] != ' ') ++i;
        continue;
      }
      phrase.push_back(c);
    }
    std::string collapsed;
    for (char c : phrase) {
      if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
      collapsed.push_back(c);
    }
    while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    if (!collapsed.empty()) out.push_back(collapsed);
  }
  return out;
}

void ReportLatency(benchmark::State& state, std::vector<double>& micros, size_t bytes) {
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["max_us"] = micros.back();
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// Runs `work` on the corpus's messages in turn, one per iteration, timing each; MB/s, p50, p99
// and the longest. `work` returns something the compiler must not drop.
template <typename Work>
void TimeEachMessage(benchmark::State& state, Work work) {
  const std::vector<std::string>& corpus = Corpus();
  std::vector<double> micros;
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const std::string& m = corpus[i++ % corpus.size()];
    const auto start = std::chrono::steady_clock::now();
    auto result = work(m);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    benchmark::DoNotOptimize(result);
    bytes += m.size();
  }
  ReportLatency(state, micros, bytes);
}

void BM_Screen(benchmark::State& state) {
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = PhraseFilter::Compile(SeedRules(), 1);
  if (!filter.ok()) {
    state.SkipWithError("the seed rules do not compile");
    return;
  }
  size_t blocked = 0, screened = 0;
  TimeEachMessage(state, [&](const std::string& m) {
    ScreenResult r = (*filter)->Screen(m, ScreenContext::kProductReview);
    blocked += !r.allowed;
    ++screened;
    return r;
  });
  state.counters["blocked_share"] = static_cast<double>(blocked) / static_cast<double>(std::max<size_t>(screened, 1));
}
BENCHMARK(BM_Screen);

// Reference rows: the floor the required design sets. The issue asks for NFKC with case folding
// (plus accent and look-alike folding, with a map back to offsets) before any matching. What
// ICU's own NFKC_Casefold costs on the same messages, from UTF-8 as they arrive (ICU normalizes
// UTF-16, so any normalizer built on it converts first), and what our normalizer costs alone
// (the text screening matches on, without the map back: what every message pays).
void BM_Reference_IcuNfkcCasefold(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) {
    state.SkipWithError("no NFKC_Casefold instance");
    return;
  }
  TimeEachMessage(state, [&](const std::string& m) {
    UErrorCode s = U_ZERO_ERROR;
    const icu::UnicodeString folded = nfkc_cf->normalize(icu::UnicodeString::fromUTF8(m), s);
    return folded.length();
  });
}
BENCHMARK(BM_Reference_IcuNfkcCasefold);

void BM_Reference_TextNormalizerAlone(benchmark::State& state) {
  NormalizeWithoutMap("warm the folding table");
  TimeEachMessage(state, [](const std::string& m) { return NormalizeWithoutMap(m).text.size(); });
}
BENCHMARK(BM_Reference_TextNormalizerAlone);

int CountMatch(unsigned int, unsigned long long, unsigned long long, unsigned int, void* ctx) {
  ++*static_cast<int*>(ctx);
  return 0;
}

void BM_RawHyperscanLiterals(benchmark::State& state) {
  const std::vector<std::string> phrases = LiteralPhrases(SeedRules());
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
  std::vector<unsigned int> flags, ids;
  for (size_t i = 0; i < phrases.size(); ++i) {
    pointers.push_back(phrases[i].data());
    lengths.push_back(phrases[i].size());
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
    ids.push_back(static_cast<unsigned int>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(pointers.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned int>(phrases.size()), HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
    state.SkipWithError(error != nullptr ? error->message : "compile failed");
    hs_free_compile_error(error);
    return;
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  TimeEachMessage(state, [&](const std::string& m) {
    int matches = 0;
    hs_scan(db, m.data(), static_cast<unsigned int>(m.size()), 0, scratch, CountMatch, &matches);
    return matches;
  });
  state.counters["phrases"] = static_cast<double>(phrases.size());
  hs_free_scratch(scratch);
  hs_free_database(db);
}
BENCHMARK(BM_RawHyperscanLiterals);

}  // namespace
}  // namespace aftersales::reviews

BENCHMARK_MAIN();
