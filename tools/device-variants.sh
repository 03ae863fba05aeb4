#!/usr/bin/env bash
# On the GPU machine (carrying .h100 from `tools/device-run.sh --pack` and .anchor from
# `../shared/anchors/side-by-side.sh prepare`): GPU tests of the matrix-unit paths, an 8K prefill
# per variant (profiled), a decode A/B, a Ctrl-C timing, then the side-by-side with the fastest variant.
# VARIANTS: '|'-separated lists of env assignments ("-" for the default). SBS=0: no side-by-side.
set -u
cd "$(dirname "$0")/.."
T0=$(date +%s)
if [ "${SBS:-1}" = 1 ]; then
(mkdir -p /tmp/llama-cuda && tar xJf .anchor/llama.cpp-*-src.tar.xz -C /tmp/llama-cuda && \
 cmake -S /tmp/llama-cuda/llama-src -B /tmp/llama-cuda/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF > /tmp/llama-cmake.log 2>&1 && \
 cmake --build /tmp/llama-cuda/build -j12 --target llama-bench > /tmp/llama-build.log 2>&1; echo "llama build rc=$? at $(( $(date +%s) - T0 )) s") &
fi
for f in .h100/debs/*.deb .anchor/debs/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done; ldconfig  # loader, layers, and the GLVND libraries the NVIDIA ICD needs
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json MRROPE_PIPELINE_CACHE=off
B=.h100/bin; O=${OUT:-/tmp/o}; mkdir -p $O/sweep
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $O/device.txt
echo "== tests"
MRROPE_VALIDATION=require timeout ${TEST_S:-200} $B/mrrope-tests --gtest_brief=1 \
  --gtest_filter="${TESTS:-*Coopmat*:*MatmulDispatch*:*DecoderMatches*:*PrefillMatches*}" > $O/tests.txt 2>&1
rc=$?; echo "tests rc=$rc at $(( $(date +%s) - T0 )) s"; grep -E "FAILED|PASSED|tests ran|Failure|worst|rror" $O/tests.txt | head -30
echo "== variants (prefill 8192, profiled)"
# The random-weight file is written once (quantizing 8B weights takes a while), then reused.
model_args() { [ -f /tmp/mrrope-bench-llama3-8b-Q4_K_M.gguf ] && echo "--model /tmp/mrrope-bench-llama3-8b-Q4_K_M.gguf" || echo "--llama3-8b Q4_K_M"; }
best="-"; best_tps=0; i=0
IFS='|' read -ra VS <<< "${VARIANTS:--}"
for v in "${VS[@]}"; do
  i=$((i+1)); f=$O/sweep/v$i.txt
  envs=""; [ "$v" != "-" ] && envs="$v"
  env $envs MRROPE_PIPELINE_STATS=1 timeout 60 $B/bench-decoder $(model_args) --prefill 8192 --decode 2 --profile > $f 2>&1
  tps=$(awk '$1 == 8192 {print $2}' $f)
  regs=$(grep "^pipeline matmul_cm_q4_k" $f | grep -o "Register Count\] [0-9]*\|Local Memory Size\] [0-9]*\|Shared Memory Size\] [0-9]*" | tr '\n' ' ')
  echo "v$i [$v]: prefill ${tps:-FAILED} tok/s; q4_k $regs at $(( $(date +%s) - T0 )) s"
  [ -z "$tps" ] && tail -5 $f
  grep -E "matmul_cm|attention_cm|to_f16" $f | head -8
  case $v in *ABLATE*) continue ;; esac  # profiling kernels that skip stages: never the best
  if [ -n "$tps" ] && awk "BEGIN{exit !($tps > $best_tps)}"; then best=$v; best_tps=$tps; fi
done
echo "best: [$best] ($best_tps tok/s)"
echo "== decode A/B (prefill 512 then decode 64, unprofiled; DECODE_VARIANTS '|'-separated like VARIANTS)"
dbest=""; dbest_tps=0; i=0
IFS='|' read -ra DS <<< "${DECODE_VARIANTS:-MRROPE_MATVEC_WIDE=0|MRROPE_MATVEC_WIDE=1}"
for d in "${DS[@]}"; do
  i=$((i+1)); f=$O/sweep/decode$i.txt
  envs=""; [ "$d" != "-" ] && envs="$d"
  env $envs timeout 60 $B/bench-decoder $(model_args) --prefill 512 --decode 64 > $f 2>&1
  tps=$(awk '$1 == 512 {print $3}' $f)
  echo "d$i [$d]: decode at 512 ${tps:-FAILED} tok/s at $(( $(date +%s) - T0 )) s"
  [ -z "$tps" ] && tail -3 $f
  if [ -n "$tps" ] && awk "BEGIN{exit !($tps > $dbest_tps)}"; then dbest=$envs; dbest_tps=$tps; fi
done
[ "$best" = "-" ] && best="$dbest" || best="$best $dbest"
echo "== Ctrl-C during a passkey sweep on the GPU (default model)"
timeout 60 $B/mrrope-cli eval passkey --methods none,yarn,mrrope-pro --lengths 8192,32768 \
  --depths 10,50,90 --trials 4 --out /tmp/cancel > $O/cancel.out 2> $O/cancel.err &
pid=$!; sleep 8; t0=$(date +%s.%N); kill -INT $pid; wait $pid; rc=$?; t1=$(date +%s.%N)
echo "cancel: exit $rc, $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}") s after SIGINT"; tail -3 $O/cancel.err; ls /tmp/cancel 2>/dev/null
[ "${SBS:-1}" = 1 ] || exit 0
wait
envs=""; [ "$best" != "-" ] && envs="$best"
echo "== side-by-side Q4_K_M with [$envs] at $(( $(date +%s) - T0 )) s"
env $envs OUT=$O/q4 bash .anchor/side-by-side.sh run Q4_K_M ${LENGTHS:-} 2>&1 | grep -v ggml_cuda_init | grep -v "Device 0"
echo "== at $(( $(date +%s) - T0 )) s"
rm -f /tmp/*Q4_K_M*.gguf
if [ $(( $(date +%s) - T0 )) -lt ${Q8_BEFORE:-300} ]; then env $envs OUT=$O/q8 bash .anchor/side-by-side.sh run Q8_0 2>&1 | grep -v ggml_cuda_init | grep -v "Device 0"; fi
rm -f $O/*/llama_*.json $O/*/gpu.txt
echo "== end at $(( $(date +%s) - T0 )) s"
