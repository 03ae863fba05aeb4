#!/usr/bin/env bash
# ctest app_include_layers: includes run downward only (issue 16). runtime/
# includes nothing of ui/ or app/; in ui/, the lower folders (session, chat,
# export, platform, widgets, util) include nothing of the App, the panels, the
# script or the settings; platform, widgets and util nothing of the session,
# the chat or the exports; session, chat and export hold no ImGui; the panels
# include nothing of the script, and their headers not the App.
# Args: SOURCE_DIR.
set -euo pipefail
cd "$1"
bad=0
check() {  # WHAT PATTERN FOLDER...
  local what=$1 pattern=$2 hits
  shift 2
  if hits=$(grep -rnHE --include='*.h' --include='*.cpp' "$pattern" "$@"); then
    echo "FAIL: $what:"
    echo "$hits"
    bad=1
  fi
}
check "runtime/ includes ui/ or app/" '#include "(ui|app)/' runtime
check "a lower folder of ui/ includes the App, a panel, the script or the settings" \
  '#include "ui/(app\.h|panels/|script/|settings\.h)' ui/session ui/chat ui/export ui/platform ui/widgets ui/util
check "ui/platform, ui/widgets or ui/util include the session, the chat or the exports" \
  '#include "ui/(session|chat|export)/' ui/platform ui/widgets ui/util
check "ui/chat includes the session" '#include "ui/session/' ui/chat
check "ui/session, ui/chat or ui/export use ImGui" '#include <imgui' ui/session ui/chat ui/export
check "ui/panels include the script" '#include "ui/script/' ui/panels
check "a panel's header includes the App (panel.h declares it)" '#include "ui/app\.h"' ui/panels/*.h
[ "$bad" = 0 ] && echo "ok   includes run downward: runtime, then ui's lower folders, then the panels, the script and the App"
exit "$bad"
