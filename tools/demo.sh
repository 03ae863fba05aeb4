#!/usr/bin/env bash
# The app's main job on the bundled model. With a display: the mrrope-app
# window (bundled model and defaults loaded). Without one (a server, CI): the
# scripted demo under Xvfb (a sample document, one question under none and
# MrRoPE-Pro side by side, the attention view, a tiny evaluation sweep),
# screenshots in demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${BUILD_DIR:-build}/mrrope-app
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$app" "$@"
fi
out=${OUT:-demo-out}
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --demo --out "$out"
echo "no display: ran the scripted demo under Xvfb; screenshots and the window list are in $out/"
