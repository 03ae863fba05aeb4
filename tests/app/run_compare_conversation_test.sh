#!/usr/bin/env bash
# ctest: side by side over a whole conversation, headless on lavapipe. Two
# questions in the Q&A tab; a third that overflows the window by a token is
# made to fit by dropping the oldest turn (it runs: generation starts, then
# it is stopped and taken back). Then the conversation's two questions under
# none and mrrope-pro, each method in its own thread (its second turn must take
# the document from the KV cache), a follow-up asked in every thread (each
# thread's prefix kept: the one that did not run last restores its copy), the
# Markdown/JSON export, and the PNG in a small window, so it must be paged; it
# must show the question the comparison ran with, not the box's text. Each
# thread has its loss curve over the document. Last, a
# Q&A turn after it all must restore its thread's saved prefix.
# Args: APP PNG_CHECKER OUTDIR SOURCE_DIR.
set -euo pipefail
app=$1 check=$2 out=$3 src=$4
rm -rf "$out" && mkdir -p "$out"
source "$(dirname "$0")/app_test_env.sh"
export HOME="$out/home"  # nor their files
unset DISPLAY WAYLAND_DISPLAY

head -c 700 "$src/tests/app/demo_document.txt" > "$out/doc.txt"
cat > "$out/compare.script" <<SCRIPT
model default
document $out/doc.txt
max-tokens 4
method mrrope-pro
scale 2
wait
question Who is the Preacher?
ask
wait
question What did the Preacher say?
ask
wait
expect-turns 2
# "Drop the oldest turns": the next turn needs one token more than the window holds.
question Where was he king?
max-tokens past-window 1
ask
expect-fit
resolve-fit drop
wait-phase generation
cancel
wait
expect-turns 3
conversation-save saved/dropped.json
edit-last
max-tokens 4
expect-turns 2
compare-conversation none mrrope-pro
wait
expect-compare-turns 2
expect-compare-reuse
# Each method's loss over the document under its thread's schedule (the tab's "loss curve" is on by default).
expect-compare-loss
question And who was his father?
compare-follow-up
wait
expect-compare-turns 3
# Each thread's follow-up reused its prefix: the one that did not run last came back from its saved copy.
expect-compare-reuse 3
compare-export export
question typed after the comparison
resize 900 300
compare-png shots/side_by_side.png
# Back in the Q&A thread after the side by side: its prefix comes back from the saved copy, not a prefill.
tab Q&A
question Where was he king?
ask
wait
expect-reuse restored
quit
SCRIPT
"$app" --headless --script "$out/compare.script" --out "$out" 2> "$out/app.log" || {
  cat "$out/app.log"; echo "FAIL: the app's script failed"; exit 1; }

# The dropped turn: out of the context, kept in the thread.
grep -q '"question": "Who is the Preacher?".*"in_context": false' "$out/saved/dropped.json" ||
  fail "the oldest turn was not dropped from the context in saved/dropped.json"
[ "$(grep -c '"in_context": true' "$out/saved/dropped.json")" = 2 ] || fail "saved/dropped.json: expected 2 turns in the context"
js=$out/export/side_by_side.json md=$out/export/side_by_side.md
[ -s "$js" ] && [ -s "$md" ] || fail "the side-by-side export was not written"
grep -q '"format": "mrrope-side-by-side"' "$js" || fail "no format in $js"
grep -q '"questions": \["Who is the Preacher?", "What did the Preacher say?", "And who was his father?"\]' "$js" ||
  fail "$js lacks the three questions"
[ "$(grep -c '"format": "mrrope-conversation"' "$js")" = 2 ] || fail "$js does not hold 2 threads"
[ "$(grep -c '"question": ' "$js")" = 6 ] || fail "$js does not hold 3 turns per thread"
grep -q '^## Question 3' "$md" && grep -q '^\*\*none\*\*' "$md" && grep -q '^\*\*mrrope-pro\*\*' "$md" ||
  fail "$md lacks question 3 or a method"
grep -q "none turn 2: .* from the cache" "$out/app.log" || fail "no reuse line for none"
# The thread that did not run last before the follow-up came back from its saved copy.
grep -q "turn 3: .* from the cache ([1-9][0-9]* restored)" "$out/app.log" || fail "no thread's turn 3 was restored"
grep -q '"restored_tokens": [1-9]' "$out/export/side_by_side.json" || fail "the export does not record the restored turn"
"$check" "$out/shots/side_by_side.png" 300 100
pages=$(sed -n 's/.*side_by_side.png ([0-9]*x[0-9]*, \([0-9]*\) pages).*/\1/p' "$out/app.log")
[ "${pages:-0}" -gt 1 ] || fail "the PNG was not paged (pages: ${pages:-none}); a long answer would be cut"
height=$(sed -n 's/.*side_by_side.png ([0-9]*x\([0-9]*\), .*/\1/p' "$out/app.log")
echo "ok   compare conversation: oldest turn dropped to fit; 2 threads x 3 turns (reuse in each), exported; PNG ${height} px high in $pages pages"
