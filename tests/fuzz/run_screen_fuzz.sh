#!/usr/bin/env bash
# Builds the screen fuzz target with clang's libFuzzer (ASan + UBSan) and runs it for a bounded
# time from a corpus seeded with the labelled messages. Skipped (77) without clang.
# Usage: run_screen_fuzz.sh ROOT BUILD_DIR SECONDS
set -euo pipefail
ROOT="$1"; OUT="$2/fuzz"; SECONDS_TO_RUN="${3:-60}"
command -v clang++ >/dev/null || { echo "clang++ not installed: skipped"; exit 77; }
mkdir -p "$OUT/corpus"
sources=("$ROOT/tests/fuzz/screen_fuzz.cc" "$ROOT/services/reviews/phrase_filter.cc" "$ROOT/services/reviews/phrase_pattern.cc"
         "$ROOT/services/reviews/text_normalizer.cc" "$ROOT/tests/reviews/seed_rules.cc")
# Rebuilt only when a source is newer than the binary.
if [ ! -x "$OUT/screen_fuzz" ] || [ -n "$(find "${sources[@]}" "$ROOT/services/reviews"/*.h -newer "$OUT/screen_fuzz")" ]; then
  echo "building the screen fuzz target"
  # shellcheck disable=SC2046
  clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$ROOT" $(pkg-config --cflags libhs icu-uc) -DSEED_RULES_SQL="\"$ROOT/services/reviews/migrations/0002_seed_phrase_rules.sql\"" \
    "${sources[@]}" -o "$OUT/screen_fuzz" \
    $(pkg-config --libs libhs icu-uc icu-i18n absl_statusor absl_strings absl_str_format absl_flat_hash_set absl_hash)
fi
# Seeds: every message of the labelled corpus, one file each.
if [ -z "$(ls -A "$OUT/corpus")" ]; then
  n=0
  while IFS=$'\t' read -r _ _ _ text; do
    n=$((n + 1)); printf '\0%s' "$text" > "$OUT/corpus/seed-$n"
  done < <(grep -v '^#' "$ROOT/tests/reviews/screen_corpus.tsv")
fi
# -timeout: one input taking over 2 s is a hang; -rss_limit_mb: a runaway is a failure.
"$OUT/screen_fuzz" -max_total_time="$SECONDS_TO_RUN" -timeout=2 -rss_limit_mb=2048 -max_len=90000 \
  -print_final_stats=1 "$OUT/corpus" 2>&1 | tail -25
