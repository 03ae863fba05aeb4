# Sourced by the app's ctest scripts after they set $out: lavapipe unless
# MRROPE_DEVICE says otherwise, validation required (any message fails the
# run), and settings under $out so a run never touches the user's.
export MRROPE_DEVICE=${MRROPE_DEVICE:-llvmpipe}
lvp=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
[ -f "$lvp" ] && export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$lvp}
export XDG_CONFIG_HOME="$out/config"
export MRROPE_VALIDATION=${MRROPE_VALIDATION:-require}

# Shared by the scripts; a script may redefine fail() to print its own logs first.
fail() { echo "FAIL: $*"; exit 1; }
run_app_script() {  # SCRIPT LOG: the app on a virtual screen runs SCRIPT, its stderr goes to LOG
  xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --script "$1" --out "$out" 2> "$2"
}
