#!/usr/bin/env bash
# Runs the project's GPU checks and benchmarks on a machine that has a GPU but
# no Vulkan loader installed (the device tool's H100): unpacks the loader and
# the validation layers carried in .h100/debs, then runs each step named.
#   tools/device-run.sh devices|tests[=FILTER]|kernels|decoder[=ARGS] ...
# Binaries come from .h100/bin (copied from a Release build: tools/device-run.sh
# --pack). Output goes to stdout and, when $OUT is set, to $OUT/<step>.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --pack ]; then
  mkdir -p .h100/bin .h100/debs
  cp build/tests/mrrope-tests build/bench-kernels build/bench-decoder build/mrrope-cli .h100/bin/
  # The loader and layers, and the GLVND libraries the NVIDIA ICD loads (without them: VK_ERROR_INCOMPATIBLE_DRIVER).
  [ -n "$(ls .h100/debs/libglvnd0_*.deb 2>/dev/null)" ] ||
    (cd .h100/debs && apt-get download libvulkan1 vulkan-validationlayers libglvnd0 libglx0 libegl1 libgl1 libopengl0 \
       libgles2 libx11-6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 >/dev/null)
  grep -qx '/.h100/' .git/info/exclude 2>/dev/null || echo '/.h100/' >> .git/info/exclude
  du -sh .h100; exit 0
fi
for f in .h100/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
export MRROPE_PIPELINE_CACHE=off
out=${OUT:-/tmp/device-run}; mkdir -p "$out"
bin=.h100/bin
for step in "$@"; do
  name=${step%%=*}; arg=${step#*=}; [ "$arg" = "$step" ] && arg=""
  echo "== $step"
  case $name in
    devices) $bin/mrrope-cli devices ;;
    tests) MRROPE_VALIDATION=require $bin/mrrope-tests --gtest_brief=1 ${arg:+--gtest_filter=$arg} ;;
    kernels) $bin/bench-kernels $arg ;;
    decoder) $bin/bench-decoder ${arg:---llama3-8b Q4_K_M --prefill 512,8192 --decode 32 --profile} ;;
    *) echo "unknown step $name"; exit 2 ;;
  esac 2>&1 | tee "$out/$name.txt"
done
