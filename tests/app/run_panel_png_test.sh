#!/usr/bin/env bash
# ctest: the panels' Save PNG, headless on lavapipe. One question (the
# attention probe watching), attention-png; a side-by-side run, compare-png;
# each file is checked (signature, IHDR size, decodes, not blank). Then asking
# for a side-by-side PNG before any run must fail with a clear message.
# Loss curves (issue 18): that single Q&A (one question, one answer, no
# follow-up) compared as a conversation has each thread's curve, and the
# question box compared alone each method's, drawn the same way.
# Args: APP PNG_CHECKER OUTDIR SOURCE_DIR.
set -euo pipefail
app=$1 check=$2 out=$3 src=$4
rm -rf "$out" && mkdir -p "$out"
source "$(dirname "$0")/app_test_env.sh"
export HOME="$out/home"  # nor their files
unset DISPLAY WAYLAND_DISPLAY

head -c 900 "$src/tests/app/demo_document.txt" > "$out/doc.txt"
cat > "$out/png.script" <<SCRIPT
model default
document $out/doc.txt
question Who is the Preacher?
max-tokens 4
method mrrope-pro
scale 4
wait
ask
wait
attention-png shots/attention.png
expect-turns 1
compare-conversation none mrrope-pro
wait
expect-compare-turns 1
expect-compare-loss
tab Q&A
question Who is the Preacher?
compare none mrrope-pro
wait
expect-compare-loss
question typed after the run (the PNG shows the question it ran with)
compare-png shots/side_by_side.png
screenshot whole.png
quit
SCRIPT
"$app" --headless --script "$out/png.script" --out "$out" 2> "$out/app.log" || {
  cat "$out/app.log"; echo "FAIL: the app's script failed"; exit 1; }
for m in none mrrope-pro; do
  grep -q "$m thread: loss curve of [1-9]" "$out/app.log" || { echo "FAIL: no loss curve for the one-turn $m thread"; exit 1; }
  grep -q "$m (one question): loss curve of [1-9]" "$out/app.log" || { echo "FAIL: no loss curve for $m on one question"; exit 1; }
done
# The whole map at full resolution (cells of whole pixels, at least 1024 a side), not the on-screen crop.
"$check" "$out/shots/attention.png" 1024 1024
"$check" "$out/shots/side_by_side.png" 400 100

# Nothing to export yet: a clear refusal, not a crash or an empty file.
printf 'model default\nwait\ncompare-png early.png\nquit\n' > "$out/early.script"
if "$app" --headless --script "$out/early.script" --out "$out" 2> "$out/early.log"; then
  echo "FAIL: compare-png before any side-by-side run succeeded"; exit 1
fi
grep -q "no side-by-side answers yet" "$out/early.log" || { echo "FAIL: no clear message:"; cat "$out/early.log"; exit 1; }
[ ! -e "$out/early.png" ] || { echo "FAIL: early.png was written"; exit 1; }
echo "ok   panel PNGs: attention and side by side written and checked; an early export refused"
