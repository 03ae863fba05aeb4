#!/usr/bin/env bash
# Decode A/B on the GPU machine, carrying .dpack (made here by `tools/device-decode-ab.sh --pack`:
# bench-decoder, bench-kernels, mrrope-tests, the previous commit's bench-decoder as "base",
# and the Vulkan loader/GLVND/validation .debs, compressed to fit the carry limit).
# On the device: GPU tests (TESTS, a gtest filter), then bench-decoder at LENGTHS for each of
# DECODE_VARIANTS ('|'-separated env lists; "-" is the default, "base" the previous binary),
# a profiled decode step at PROFILE_LENGTHS, and bench-kernels' matrix-vector rows. CTX (optional)
# sizes the KV cache as the side-by-side's 32K run does, since the decode plan depends on it.
# SIDE_BY_SIDE="Q8_0 Q4_K_M" (carrying .anchor too) builds llama.cpp in the background from the
# start and runs .anchor/side-by-side.sh for each type at the end, with SBS_ENV in the environment:
# a whole session's measurements in one call. TYPES="Q8_0 Q4_K_M" runs the A/B on each file.
# Everything lands in $OUT/results.tgz (the device returns only a few files), the log in stdout.
# PROFILE_LENGTHS=none skips the profile.
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
B=/tmp/dpack/bin; O=/tmp/ab-out; R=${OUT:-/tmp/o}; rm -rf $O; mkdir -p /tmp/dpack $O $R
tar xJf .dpack/pack.tar.xz -C /tmp/dpack
for f in /tmp/dpack/debs/*.deb; do dpkg -x "$f" /; done; ldconfig  # loader, layers, GLVND for the NVIDIA ICD
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json} MRROPE_PIPELINE_CACHE=off
pack() { tar czf $R/results.tgz -C $O . ; }
since() { echo "$(( $(date +%s) - T0 )) s"; }
if [ -n "${SIDE_BY_SIDE:-}" ]; then  # the same build side-by-side.sh would do, started now
  ( mkdir -p /tmp/llama-cuda && tar xJf .anchor/llama.cpp-*-src.tar.xz -C /tmp/llama-cuda
    cmake -S /tmp/llama-cuda/llama-src -B /tmp/llama-cuda/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
      -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF > /tmp/llama-cuda/cmake.log 2>&1
    nice -n 10 cmake --build /tmp/llama-cuda/build -j"$(nproc)" --target llama-bench > /tmp/llama-cuda/build.log 2>&1
    echo "llama.cpp build rc=$? at $(since)" ) > $O/llama-build.txt 2>&1 &
  BUILD=$!
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $O/device.txt
if [ -n "${TESTS:-}" ]; then
  MRROPE_VALIDATION=require timeout ${TEST_S:-200} $B/mrrope-tests --gtest_brief=1 --gtest_filter="$TESTS" > $O/tests.txt 2>&1
  echo "tests rc=$? at $(since)"; grep -E "FAILED|PASSED|SKIPPED|tests ran|Failure|rror" $O/tests.txt | head -20
fi
for type in ${TYPES:-${TYPE:-Q4_K_M}}; do
  M=/tmp/mrrope-bench-llama3-8b-$type.gguf
  [ -f $M ] || $B/bench-decoder --llama3-8b $type --prefill 64 --decode 1 > /dev/null 2>&1
  echo "== $type: model written at $(since)"
  i=0
  IFS='|' read -ra DS <<< "${DECODE_VARIANTS:-base|-}"
  for d in "${DS[@]}"; do
    i=$((i+1)); f=$O/$type-d$i.txt; bin=$B/bench-decoder; envs=""
    case $d in base) bin=$B/bench-decoder-base ;; -) ;; *) envs=$d ;; esac
    env $envs timeout 120 $bin --model $M --prefill ${LENGTHS:-512,8192,32768} --decode ${STEPS:-64} ${CTX:+--ctx $CTX} > $f 2>&1
    echo "d$i [$d]: decode $(awk '$1 ~ /^[0-9]+$/ {printf "%s: %s  ", $1, $3}' $f)prefill $(awk '$1 ~ /^[0-9]+$/ {printf "%s: %s  ", $1, $2}' $f)at $(since)"
  done
  if [ "${PROFILE_LENGTHS:-512,8192}" != none ]; then
    env ${PROFILE_ENV:-} timeout 120 $B/bench-decoder --model $M --prefill ${PROFILE_LENGTHS:-512,8192} --decode 8 ${CTX:+--ctx $CTX} --profile > $O/$type-profile.txt 2>&1
    grep -A40 "one decode step" $O/$type-profile.txt | grep -v "^pipeline" | head -80
  fi
  pack
done
if [ "${KERNELS:-1}" = 1 ]; then
  timeout ${KERNELS_S:-200} $B/bench-kernels --matvec-only --batches 1 --types ${KERNEL_TYPES:-Q4_K,Q5_K,Q6_K,Q8_0,Q4_0} > $O/kernels.txt 2>&1
  grep -E "roofline|mv_int8|quantize" $O/kernels.txt
  pack
fi
if [ -n "${SIDE_BY_SIDE:-}" ]; then
  wait $BUILD; cat $O/llama-build.txt
  for type in $SIDE_BY_SIDE; do
    mkdir -p $O/sbs-$type
    env ${SBS_ENV:-} OUT=$O/sbs-$type bash .anchor/side-by-side.sh run $type 2>&1 | grep -v -e ggml_cuda_init -e "Device 0"
    echo "== side-by-side $type at $(since)"
    pack
  done
fi
echo "== end at $(since)"
