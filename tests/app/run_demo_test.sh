#!/usr/bin/env bash
# ctest: runs `mrrope-app --demo` under Xvfb on lavapipe, then checks its
# screenshots and window list. Args: APP CHECKER OUTDIR.
set -euo pipefail
app=$1 checker=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
source "$(dirname "$0")/app_test_env.sh"
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --demo --out "$out"
"$checker" "$out"
