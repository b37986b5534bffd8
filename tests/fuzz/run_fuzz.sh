#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan), apart from the g++ build, replays the
# crashes kept for it in tests/fuzz/regressions/TARGET/, then fuzzes it for a bounded time from
# tests/fuzz/corpus/TARGET/. Skipped (77) without clang. See tests/fuzz/README.md.
# Usage: run_fuzz.sh TARGET ROOT BUILD_DIR SECONDS
#   TARGET: screen | text_normalizer | return_rules | json_parser | route_table
set -euo pipefail
TARGET="$1"; ROOT="$2"; BUILD="$3"; SECONDS_TO_RUN="${4:-30}"
OUT="$BUILD/fuzz"
command -v clang++ >/dev/null || { echo "clang++ not installed: skipped"; exit 77; }

# What each target is built from: our sources (instrumented), the generated protobuf code it
# needs (not instrumented), pkg-config packages, and the longest input worth trying.
FUZZ="$ROOT/tests/fuzz"
generated=()
defines=()
gateway=("$ROOT/gateway/api_routes.cc" "$ROOT/gateway/transcoder.cc" "$ROOT/gateway/route_table.cc"
         "$ROOT/gateway/json_parser.cc" "$ROOT/gateway/json_printer.cc"
         "$ROOT/gateway/well_known_types.cc" "$ROOT/common/log.cc" "$ROOT/common/validation.cc")
absl=(absl_status absl_statusor absl_strings absl_str_format absl_time absl_flat_hash_set
      absl_flat_hash_map absl_hash)
case "$TARGET" in
  screen)
    sources=("$FUZZ/screen_fuzz.cc" "$ROOT/services/reviews/phrase_filter.cc"
             "$ROOT/services/reviews/phrase_pattern.cc" "$ROOT/services/reviews/text_normalizer.cc"
             "$ROOT/tests/reviews/seed_rules.cc")
    packages=(libhs icu-uc icu-i18n "${absl[@]}")
    defines=(-DSEED_RULES_SQL="\"$ROOT/services/reviews/migrations/0002_seed_phrase_rules.sql\"")
    # Past the filter's limit, so that the refusal of a too-long text is tried too.
    max_len=90000 ;;
  text_normalizer)
    sources=("$FUZZ/text_normalizer_fuzz.cc" "$ROOT/services/reviews/text_normalizer.cc")
    packages=(icu-uc icu-i18n "${absl[@]}")
    max_len=4096 ;;
  return_rules)
    sources=("$FUZZ/return_rules_fuzz.cc" "$ROOT/services/returns/return_rules.cc"
             "$ROOT/services/returns/return_policy.cc" "$ROOT/services/returns/return_types.cc"
             "$ROOT/common/business_days.cc" "$ROOT/common/money.cc" "$ROOT/common/validation.cc")
    packages=("${absl[@]}")
    max_len=1024 ;;
  json_parser | route_table)
    sources=("$FUZZ/${TARGET}_fuzz.cc" "${gateway[@]}")
    # The gateway's routes come from the services' annotated protos: all of them, as it links.
    mapfile -t generated < <(find "$BUILD/gen" -name '*.pb.cc' ! -name '*.grpc.pb.cc' | sort)
    generated+=("$BUILD/gen/aftersales_api_files.cc")
    [ -f "$BUILD/gen/aftersales/tickets/v1/tickets.pb.cc" ] ||
      { echo "no generated protos under $BUILD/gen: build the project first"; exit 1; }
    packages=(protobuf "${absl[@]}")
    max_len=4096 ;;
  *) echo "unknown fuzz target '$TARGET'"; exit 2 ;;
esac

BIN="$OUT/${TARGET}_fuzz"
OBJ="$OUT/obj"
# shellcheck disable=SC2207  # pkg-config's flags are words to split
cflags=(-std=c++20 -I"$ROOT" -I"$BUILD/gen" $(pkg-config --cflags "${packages[@]}") "${defines[@]}")
instrumented=(-O1 -g "-fsanitize=fuzzer-no-link,address,undefined" -fno-sanitize-recover=undefined)
# protoc's code is not what is under test: plain and unoptimized, it compiles in a third of the time.
plain=(-O0 -g0)

# True when OBJ is missing or older than anything it was compiled from (clang's -MMD list) or
# than this script, which holds the flags.
stale() {
  local obj="$1" deps newer
  [ -f "$obj" ] && [ -f "$obj.d" ] && [ "$obj" -nt "$0" ] || return 0
  mapfile -t deps < <(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d" | tr -s ' \t' '\n' | grep -v '^$')
  newer=$(find "${deps[@]}" -newer "$obj" -print -quit 2>/dev/null) || return 0
  [ -n "$newer" ]
}

# compile SOURCE FLAGS...: one object per source under $OBJ, shared by every target using it.
objects=()
compile() {
  local src="$1"; shift
  local rel="${src#"$BUILD"/}"; rel="${rel#"$ROOT"/}"
  local obj="$OBJ/${rel%.cc}.o"
  objects+=("$obj")
  stale "$obj" || return 0
  echo "compiling $rel"
  mkdir -p "$(dirname "$obj")"
  clang++ "${cflags[@]}" "$@" -MMD -MF "$obj.d" -c "$src" -o "$obj"
}

# Two targets of one ctest run may build at once: they share objects, so one builds at a time.
mkdir -p "$OUT"
exec 9>"$OUT/.build.lock"
flock 9
for src in "${sources[@]}"; do compile "$src" "${instrumented[@]}"; done
for src in "${generated[@]}"; do compile "$src" "${plain[@]}"; done
if [ ! -x "$BIN" ] || [ -n "$(find "${objects[@]}" -newer "$BIN" -print -quit)" ]; then
  echo "linking ${TARGET}_fuzz"
  # shellcheck disable=SC2046  # pkg-config's flags are words to split
  clang++ -fsanitize=fuzzer,address,undefined "${objects[@]}" -o "$BIN" \
    $(pkg-config --libs "${packages[@]}")
fi
flock -u 9

# The working corpus lives in the build folder: what the fuzzer adds never dirties the repository.
shopt -s nullglob
CORPUS="$OUT/corpus/$TARGET"
mkdir -p "$CORPUS"
seeds=("$FUZZ/corpus/$TARGET"/*)
if [ ${#seeds[@]} -gt 0 ]; then cp -p "${seeds[@]}" "$CORPUS"/; fi
TSV="$ROOT/tests/reviews/screen_corpus.tsv"
if [ "$TARGET" = screen ] && { [ ! -e "$CORPUS/seed-1" ] || [ "$TSV" -nt "$CORPUS/seed-1" ]; }; then
  # Every message of the filter's labelled corpus, in either context (the first byte).
  n=0
  while IFS=$'\t' read -r _ _ _ text; do
    n=$((n + 1)); printf '\0%s' "$text" > "$CORPUS/seed-$n"
  done < <(grep -v '^#' "$TSV")
fi

# -timeout: one input taking over 2 s is a hang; -rss_limit_mb: a runaway is a failure.
limits=(-timeout=2 -rss_limit_mb=2048)
kept=()
for f in "$FUZZ/regressions/$TARGET"/*; do [ -f "$f" ] && kept+=("$f"); done
if [ ${#kept[@]} -gt 0 ]; then
  echo "replaying ${#kept[@]} kept crash(es) of $TARGET"
  if ! "$BIN" "${limits[@]}" "${kept[@]}" >"$OUT/$TARGET.replay.log" 2>&1; then
    tail -40 "$OUT/$TARGET.replay.log"
    echo "a kept crash of $TARGET fails again (log: $OUT/$TARGET.replay.log)"
    exit 1
  fi
fi

ARTIFACTS="$OUT/crashes/$TARGET"
mkdir -p "$ARTIFACTS"
status=0
"$BIN" "${limits[@]}" -max_total_time="$SECONDS_TO_RUN" -max_len="$max_len" -print_final_stats=1 \
  -artifact_prefix="$ARTIFACTS/" "$CORPUS" >"$OUT/$TARGET.log" 2>&1 || status=$?
if [ "$status" -eq 0 ]; then
  # The last status line (exec/s, cov:, ft:, corpus) and the final stats.
  grep -E '^#[0-9]+' "$OUT/$TARGET.log" | tail -1
  grep -E '^(Done|stat::)' "$OUT/$TARGET.log"
else
  tail -60 "$OUT/$TARGET.log"
  echo "$TARGET failed (log: $OUT/$TARGET.log); the input is in $ARTIFACTS/."
  echo "Once fixed, keep it: cp it into tests/fuzz/regressions/$TARGET/ (tests/fuzz/README.md)."
fi
exit "$status"
