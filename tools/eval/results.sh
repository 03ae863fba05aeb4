#!/usr/bin/env bash
# Regenerates the evaluation in docs/results.md for the bundled model: perplexity,
# passkey, needle-in-a-haystack and the RULER-style tasks for every method from 1x
# to 64x its native context (512 -> 32768 tokens), pooled over three seeds, with
# the tables, the paired comparison of mrrope-pro and yarn, plots and raw rows.
#
#   tools/eval/results.sh [BUILD_DIR] [OUT_DIR]       # defaults: build docs/results
#
# BUILD_DIR holds mrrope-cli (cmake --build BUILD_DIR --target mrrope-cli).
# Everything is written under OUT_DIR:
#   results.csv   one row per run (retrieval trials and perplexity runs), every setting
#   results.json  the same plus the sweep's settings, the effective context per method
#                 and the paired comparison
#   ppl.png       perplexity vs length per method, and loss per position at the longest length
#   TASK.png      heatmaps (depth x length) per method of each retrieval task
#   summary.md    the markdown tables printed on stdout, with the device and the time taken
#   run.log       the progress output
# Knobs (environment): MODEL (default: the bundled one), MODE (all: perplexity and
# every task; ruler, ppl or one task), TRIALS (2), DEPTHS (0,10,...,100), LENGTHS
# (512,1k,2k,4k,8k,16k,32k), METHODS (the six), SEED (1) and SEEDS (3: seeds
# SEED..SEED+SEEDS-1, pooled), COMPARE (mrrope-pro,yarn: the paired comparison),
# CHUNKS (0 = all of the text for perplexity), EXTRA (more eval flags).
# Any Vulkan device; a long job on a GPU (the RULER-style tasks decode up to 48
# tokens an answer), far too long for lavapipe. Ctrl-C stops early and writes
# every finished run.
set -euo pipefail
build=${1:-build}
out=${2:-docs/results}
cli="$build/mrrope-cli"
[[ -x "$cli" ]] || { echo "results.sh: no $cli (build it: cmake --build $build --target mrrope-cli)" >&2; exit 2; }
mkdir -p "$out"
model_flag=()
[[ -n "${MODEL:-}" ]] && model_flag=(-m "$MODEL")
start=$(date +%s)
set +e
"$cli" eval "${MODE:-all}" "${model_flag[@]}" \
  --methods "${METHODS:-none,linear,ntk,yarn,mrrope-uni,mrrope-pro}" \
  --lengths "${LENGTHS:-512,1k,2k,4k,8k,16k,32k}" \
  --depths "${DEPTHS:-0,10,20,30,40,50,60,70,80,90,100}" \
  --trials "${TRIALS:-2}" --seed "${SEED:-1}" --seeds "${SEEDS:-3}" --compare "${COMPARE:-mrrope-pro,yarn}" \
  --chunks "${CHUNKS:-0}" --out "$out" ${EXTRA:-} > "$out/summary.md" 2> >(tee "$out/run.log" >&2)
rc=$?
set -e
{
  echo
  echo "Wall time of tools/eval/results.sh: $(( $(date +%s) - start )) s, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
} >> "$out/summary.md"
cat "$out/summary.md"
exit $rc
