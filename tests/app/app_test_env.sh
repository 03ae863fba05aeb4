# Sourced by the app's ctest scripts after they set $out: lavapipe unless
# MRROPE_DEVICE says otherwise, validation required (any message fails the
# run), and settings under $out so a run never touches the user's.
export MRROPE_DEVICE=${MRROPE_DEVICE:-llvmpipe}
lvp=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
[ -f "$lvp" ] && export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$lvp}
export XDG_CONFIG_HOME="$out/config"
export MRROPE_VALIDATION=${MRROPE_VALIDATION:-require}
