#!/usr/bin/env bash
# Regenerates the evaluation in docs/results.md for the bundled model: perplexity,
# passkey and needle-in-a-haystack sweeps for every method from 1x to 16x its
# native context (512 -> 8192 tokens), with the table, plots and raw rows.
#
#   tools/eval/results.sh [BUILD_DIR] [OUT_DIR]       # defaults: build docs/results
#
# BUILD_DIR holds mrrope-cli (cmake --build BUILD_DIR --target mrrope-cli).
# Everything is written under OUT_DIR:
#   results.csv   one row per run (passkey/niah trials and perplexity runs), every setting
#   results.json  the same plus the sweep's settings and the effective context per method
#   ppl.png       perplexity vs length per method, and loss per position at the longest length
#   passkey.png   passkey heatmaps (depth x length) per method
#   niah.png      needle-in-a-haystack heatmaps per method
#   summary.md    the markdown tables printed on stdout, with the device and the time taken
#   run.log       the progress output
# Knobs (environment): MODEL (default: the bundled one), TRIALS (5), DEPTHS
# (0,10,...,100), LENGTHS (512,1k,2k,4k,8k), METHODS (the six), CHUNKS (0 = all
# of the sample text for perplexity), SEED (1), EXTRA (more eval flags).
# Any Vulkan device; minutes on a GPU, many hours on lavapipe. Ctrl-C stops
# early and writes every finished run.
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
"$cli" eval all "${model_flag[@]}" \
  --methods "${METHODS:-none,linear,ntk,yarn,mrrope-uni,mrrope-pro}" \
  --lengths "${LENGTHS:-512,1k,2k,4k,8k}" \
  --depths "${DEPTHS:-0,10,20,30,40,50,60,70,80,90,100}" \
  --trials "${TRIALS:-5}" --chunks "${CHUNKS:-0}" --seed "${SEED:-1}" \
  --out "$out" ${EXTRA:-} > "$out/summary.md" 2> >(tee "$out/run.log" >&2)
rc=$?
set -e
{
  echo
  echo "Wall time of tools/eval/results.sh: $(( $(date +%s) - start )) s, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
} >> "$out/summary.md"
cat "$out/summary.md"
exit $rc
