#!/usr/bin/env bash
# Decode A/B on the GPU machine, carrying .dpack (made here by `tools/device-decode-ab.sh --pack`:
# bench-decoder, bench-kernels, mrrope-tests, the previous commit's bench-decoder as "base",
# and the Vulkan loader/GLVND/validation .debs, compressed to fit the carry limit).
# On the device: GPU tests (TESTS, a gtest filter), then bench-decoder at LENGTHS for each of
# DECODE_VARIANTS ('|'-separated env lists; "-" is the default, "base" the previous binary),
# a profiled decode step at PROFILE_LENGTHS, and bench-kernels' matrix-vector rows. CTX (optional)
# sizes the KV cache as the side-by-side's 32K run does, since the decode plan depends on it.
set -u
cd "$(dirname "$0")/.."
if [ "${1:-}" = --pack ]; then  # here, after a Release build; BASE= a bench-decoder to compare against
  d=$(mktemp -d); mkdir -p "$d/bin" "$d/debs"
  cp build/bench-decoder build/bench-kernels build/tests/mrrope-tests "$d/bin/"
  cp "${BASE:-.anchor/bench-decoder}" "$d/bin/bench-decoder-base"
  strip "$d"/bin/*
  cp .anchor/debs/*.deb .h100/debs/vulkan-validationlayers*.deb "$d/debs/"
  mkdir -p .dpack && tar cJf .dpack/pack.tar.xz -C "$d" . && rm -rf "$d"
  grep -qx "/.dpack/" .git/info/exclude || echo "/.dpack/" >> .git/info/exclude
  ls -la .dpack; exit 0
fi
T0=$(date +%s)
P=/tmp/dpack; mkdir -p $P && tar xJf .dpack/pack.tar.xz -C $P
for f in $P/debs/*.deb; do dpkg -x "$f" /; done; ldconfig  # loader, layers, GLVND for the NVIDIA ICD
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json MRROPE_PIPELINE_CACHE=off
B=$P/bin; O=${OUT:-/tmp/o}; mkdir -p $O/ab
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $O/device.txt
if [ -n "${TESTS:-}" ]; then
  MRROPE_VALIDATION=require timeout ${TEST_S:-200} $B/mrrope-tests --gtest_brief=1 --gtest_filter="$TESTS" > $O/tests.txt 2>&1
  echo "tests rc=$? at $(( $(date +%s) - T0 )) s"; grep -E "FAILED|PASSED|tests ran|Failure|rror" $O/tests.txt | head -20
fi
M=/tmp/mrrope-bench-llama3-8b-${TYPE:-Q4_K_M}.gguf
[ -f $M ] || $B/bench-decoder --llama3-8b ${TYPE:-Q4_K_M} --prefill 64 --decode 1 > /dev/null 2>&1
echo "model written at $(( $(date +%s) - T0 )) s"
i=0
IFS='|' read -ra DS <<< "${DECODE_VARIANTS:-base|-}"
for d in "${DS[@]}"; do
  i=$((i+1)); f=$O/ab/d$i.txt; bin=$B/bench-decoder; envs=""
  case $d in base) bin=$B/bench-decoder-base ;; -) ;; *) envs=$d ;; esac
  env $envs timeout 120 $bin --model $M --prefill ${LENGTHS:-512,8192,32768} --decode ${STEPS:-64} ${CTX:+--ctx $CTX} > $f 2>&1
  echo "d$i [$d]: $(awk '$1 ~ /^[0-9]+$/ {printf "%s: %s  ", $1, $3}' $f) at $(( $(date +%s) - T0 )) s"
done
if [ -n "${PROFILE_LENGTHS:-512,8192}" ]; then
  env ${PROFILE_ENV:-} timeout 120 $B/bench-decoder --model $M --prefill ${PROFILE_LENGTHS:-512,8192} --decode 8 ${CTX:+--ctx $CTX} --profile > $O/ab/profile.txt 2>&1
  grep -A40 "one decode step" $O/ab/profile.txt | grep -v "^pipeline" | head -80
fi
if [ "${KERNELS:-1}" = 1 ]; then
  timeout ${KERNELS_S:-200} $B/bench-kernels --matvec-only --batches 1 --types ${KERNEL_TYPES:-Q4_K,Q5_K,Q6_K,Q8_0,Q4_0} > $O/ab/kernels.txt 2>&1
  grep -E "roofline|mv_int8|quantize" $O/ab/kernels.txt
fi
echo "== end at $(( $(date +%s) - T0 )) s"
