#!/usr/bin/env bash
# ctest: runs `mrrope-app --demo` under Xvfb on lavapipe, then checks its
# screenshots and window list. Args: APP CHECKER OUTDIR.
set -euo pipefail
app=$1 checker=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
export MRROPE_DEVICE=${MRROPE_DEVICE:-llvmpipe}
lvp=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
[ -f "$lvp" ] && export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$lvp}
export XDG_CONFIG_HOME="$out/config"   # never touch the user's settings
export MRROPE_VALIDATION=${MRROPE_VALIDATION:-require}  # any validation message fails the run
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --demo --out "$out"
"$checker" "$out"
