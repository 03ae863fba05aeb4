#!/usr/bin/env bash
# Fuzzes the GGUF reader with libFuzzer under ASan/UBSan.
#   tools/fuzz.sh                 # 60 seconds
#   FUZZ_SECONDS=600 tools/fuzz.sh
# Exits non-zero when the fuzzer finds a crash (the reproducer is left in
# build-fuzz/artifacts/). Needs clang and libclang-rt (the fuzzer runtime).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
jobs="${FUZZ_BUILD_JOBS:-2}"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMRROPE_BUILD_FUZZERS=ON -DMRROPE_SANITIZE=ON -DMRROPE_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_gguf make_gguf_seeds

# Corpus: the llama.cpp fixture files plus small files from our writer. The
# corpus folder is kept between runs so the fuzzer builds on what it found.
corpus="$build/corpus-gguf"
seeds="$build/seeds-gguf"
mkdir -p "$corpus" "$seeds" "$build/artifacts"
for f in "$root"/tests/fixtures/tokenizer/*.gguf; do
  [ -e "$f" ] && cp -f "$f" "$seeds/"
done
"$build/make_gguf_seeds" "$seeds"

echo "fuzzing GGUF parsing for ${seconds}s"
# -rss_limit_mb: a parser that allocates far beyond the input size is a bug too.
"$build/fuzz_gguf" "$corpus" "$seeds" -dict="$root/tests/fuzz/gguf.dict" \
  -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1
