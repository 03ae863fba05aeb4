#!/usr/bin/env bash
# ctest: runs `mrrope-app --headless` (no Xvfb, no display at all) on lavapipe
# with a short script: a small document, the attention tab open while one
# question runs, a screenshot mid-prefill and one at the end, an FPS report,
# then the content scale doubled (as on a high-DPI monitor) and one more;
# then checks them with mrrope-app-check. Args: APP CHECKER OUTDIR SOURCE_DIR.
set -euo pipefail
app=$1 checker=$2 out=$3 src=$4
rm -rf "$out" && mkdir -p "$out"
source "$(dirname "$0")/app_test_env.sh"
unset DISPLAY WAYLAND_DISPLAY          # prove that no window system is needed

# The first ~12 verses of the demo document: a short prefill keeps this quick on a CPU.
head -c 900 "$src/tests/app/demo_document.txt" > "$out/doc.txt"
cat > "$out/headless.script" <<SCRIPT
model default
document $out/doc.txt
question Who is the Preacher?
max-tokens 4
kv-cache q8_0
method mrrope-pro
scale 4
wait
tab Attention
fps-start
ask
wait-phase prefill
screenshot prefill.png
wait
screenshot attention.png
dump-windows windows.json
fps-report fps.json
content-scale 2
screenshot scaled.png
dump-windows windows_scaled.json
quit
SCRIPT
"$app" --headless --size 1280x800 --script "$out/headless.script" --out "$out"
"$checker" "$out" --shots prefill.png,attention.png,scaled.png --fps "$out/fps.json" \
  --scaled windows_scaled.json

# A bad script line ends the run with a clear message and a non-zero status.
printf 'content-scale 9\n' > "$out/bad.script"
if "$app" --headless --size 640x400 --script "$out/bad.script" --out "$out/bad" 2> "$out/bad.err"; then
  echo "FAIL: 'content-scale 9' was accepted"; exit 1
fi
grep -q "line 1 (content-scale): content-scale needs a number from 1 to 4" "$out/bad.err" ||
  { echo "FAIL: no clear message for 'content-scale 9':"; cat "$out/bad.err"; exit 1; }
echo "ok   a bad script line is refused with a clear message"
