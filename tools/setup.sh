#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine: installs the packages, configures and
# builds the project (Release) into build/. Safe to rerun.
#   BUILD_TYPE=Debug tools/setup.sh        a debug build (validation layers on)
#   SANITIZE=ON tools/setup.sh             AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DMRROPE_SANITIZE="${SANITIZE:-OFF}"
cmake --build "$build_dir" -j"$(nproc)"
