#!/usr/bin/env bash
# Runs the whole test suite on this machine (lavapipe when there is no GPU),
# with Vulkan validation layers required: any validation message fails a test.
# Sets up first (tools/setup.sh), so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
[ -x tools/fetch-tokenizer-fixtures.sh ] && tools/fetch-tokenizer-fixtures.sh
export MRROPE_REQUIRE_FIXTURES=1
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"
[ -x tools/fuzz.sh ] && FUZZ_SECONDS=${FUZZ_SECONDS:-60} tools/fuzz.sh
echo "all tests passed"
