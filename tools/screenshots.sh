#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: runs `mrrope-app --demo` under Xvfb on
# lavapipe (the bundled model: a short sample and a question, the attention
# view, a tiny passkey sweep in the Evaluation tab, the side by side over a
# three-turn conversation, then a 2200-token document under none, yarn and
# mrrope-pro side by side) and checks the result.
#   tools/screenshots.sh [NAME.png...]   only these files are copied (default: all)
# BUILD_DIR (default build) must hold mrrope-app and mrrope-app-check.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
out=docs/screenshots
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MRROPE_DEVICE=${MRROPE_DEVICE:-llvmpipe}
lvp=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
[ -f "$lvp" ] && export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$lvp}
export XDG_CONFIG_HOME="$tmp/config"
xvfb-run -a -s "-screen 0 1600x1000x24" "$build/mrrope-app" --demo --out "$tmp"
[ -x "$build/mrrope-app-check" ] && "$build/mrrope-app-check" "$tmp"
if [ $# -gt 0 ]; then
  for name in "$@"; do cp "$tmp/$name" "$out"/; done
else
  cp "$tmp"/*.png "$out"/
fi
ls -l "$out"
