#!/usr/bin/env bash
# Regenerates docs/results.md's numbers and plots for the bundled model:
# perplexity, passkey and needle sweeps for every method from 1x to 16x its
# native context (512 -> 8192 tokens).
#   tools/eval/results.sh [BUILD_DIR] [OUT_DIR]
# Runs on any Vulkan device; on a GPU it takes minutes, on lavapipe hours.
# Ctrl-C stops early and keeps (and writes) every finished run.
set -euo pipefail
build=${1:-build}
out=${2:-docs/results}
mkdir -p "$out"
"$build/mrrope-cli" eval all \
  --methods none,linear,ntk,yarn,mrrope-uni,mrrope-pro \
  --lengths 512,1k,2k,4k,8k \
  --depths 0,25,50,75,100 --trials ${TRIALS:-4} --chunks ${CHUNKS:-4} --seed 1 \
  --out "$out" | tee "$out/summary.md"
