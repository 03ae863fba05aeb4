#!/usr/bin/env bash
# Fuzzes the GGUF reader (fuzz_gguf) and the vocabulary loader + tokenizer
# (fuzz_tokenizer) with libFuzzer under ASan/UBSan.
#   tools/fuzz.sh                 # 60 seconds in all, split between the targets
#   FUZZ_SECONDS=600 tools/fuzz.sh
#   FUZZ_TARGETS=tokenizer tools/fuzz.sh   # one target only (gguf, tokenizer)
# Exits non-zero when a fuzzer finds a crash (the reproducer is left in
# build-fuzz/artifacts/). Needs clang and libclang-rt (the fuzzer runtime).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
jobs="${FUZZ_BUILD_JOBS:-2}"
read -r -a targets <<<"${FUZZ_TARGETS:-gguf tokenizer}"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMRROPE_BUILD_FUZZERS=ON -DMRROPE_SANITIZE=ON -DMRROPE_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_gguf fuzz_tokenizer make_gguf_seeds make_tokenizer_seeds

# Each target gets an equal share of the time (at least 1 s).
share=$(( seconds / ${#targets[@]} ))
(( share >= 1 )) || share=1
mkdir -p "$build/artifacts"

# Corpus folders are kept between runs so the fuzzer builds on what it found.
for target in "${targets[@]}"; do
  corpus="$build/corpus-$target"
  seeds="$build/seeds-$target"
  mkdir -p "$corpus" "$seeds"
  case "$target" in
    gguf)
      # The llama.cpp fixture files plus small files from our writer.
      for f in "$root"/tests/fixtures/tokenizer/*.gguf; do
        [ -e "$f" ] && cp -f "$f" "$seeds/"
      done
      "$build/make_gguf_seeds" "$seeds"
      what="GGUF parsing"
      ;;
    tokenizer)
      # Small vocabularies only (llama-spm, gpt-2, llama-bpe, qwen2, gpt-4o): the
      # fixture vocabularies are megabytes, far past -max_len and slow per run.
      "$build/make_tokenizer_seeds" "$seeds"
      what="the vocabulary loader and tokenizer"
      ;;
    *) echo "unknown fuzz target '$target' (gguf, tokenizer)" >&2; exit 2 ;;
  esac
  echo "fuzzing $what for ${share}s"
  # -rss_limit_mb: a parser that allocates far beyond the input size is a bug too.
  "$build/fuzz_$target" "$corpus" "$seeds" -dict="$root/tests/fuzz/gguf.dict" \
    -max_total_time="$share" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1
done
