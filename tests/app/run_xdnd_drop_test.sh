#!/usr/bin/env bash
# ctest: a real X drag and drop onto the app's window under Xvfb. The app runs
# a script that waits for a document it was never told about; the test's own
# XDND source (mrrope-xdnd-drop, tests/app/xdnd_drop.cpp) drops a file on the
# window the way a file manager does, through GLFW's drop callback; then the
# app answers a question about it (the Ask button clicked).
# Args: APP DROP_TOOL OUTDIR SOURCE_DIR.
set -euo pipefail
app=$1 drop=$2 out=$3 src=$4
rm -rf "$out" && mkdir -p "$out"
source "$(dirname "$0")/app_test_env.sh"
export HOME="$out/home"

# A space in the name: the URI is percent-encoded on the way and decoded by GLFW.
head -c 600 "$src/tests/app/demo_document.txt" > "$out/dropped notes.txt"
cat > "$out/drop.script" <<SCRIPT
model default
wait
wait-document dropped notes.txt
max-tokens 4
question Who is the Preacher?
click Ask
wait
expect-turns 1
quit
SCRIPT
export APP="$app" DROP="$drop" OUT="$out"
status=0
xvfb-run -a -s "-screen 0 1600x1000x24" bash -c '
  "$APP" --script "$OUT/drop.script" --out "$OUT" 2> "$OUT/app.log" & app_pid=$!
  "$DROP" mrrope "$OUT/dropped notes.txt" > "$OUT/drop.log" 2>&1 || { echo "the drop failed" >> "$OUT/drop.log"; }
  wait $app_pid' || status=$?
fail() { echo "FAIL: $*"; cat "$out/drop.log" "$out/app.log"; exit 1; }
[ "$status" = 0 ] || fail "the app's script failed"
grep -q "dropped 1 file(s) on 'mrrope'" "$out/drop.log" || fail "the XDND source did not finish the drop"
grep -q "document 'dropped notes.txt' is open" "$out/app.log" || fail "the dropped file did not become a document"
echo "ok   XDND: a file dropped on the window by an X client became the document and was asked about"
