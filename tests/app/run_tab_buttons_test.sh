#!/usr/bin/env bash
# ctest: the Q&A and Side by side tabs driven through their buttons, under Xvfb
# on lavapipe. Every action is `click LABEL`: ImGui's mouse pressed and
# released on the button drawn last frame, and the button must report the
# press (a disabled, hidden or covered button fails the line). Ask twice (the
# second reuses the cache), a turn too long for the window (the larger-S
# button), Stop while it generates, Regenerate, Edit last question, Save,
# Export, New conversation; then Run side by side over the conversation, Ask
# the question box in every thread, Export and Save PNG there, and the
# attention tab's Run with these settings and Save PNG. The files the buttons wrote are checked.
# Args: APP PNG_CHECKER OUTDIR SOURCE_DIR.
set -euo pipefail
app=$1 check=$2 out=$3 src=$4
rm -rf "$out" && mkdir -p "$out"
source "$(dirname "$0")/app_test_env.sh"
export HOME="$out/home"  # the buttons write under ~ (their default folders)

head -c 700 "$src/tests/app/demo_document.txt" > "$out/doc.txt"
cat > "$out/buttons.script" <<SCRIPT
model default
document $out/doc.txt
max-tokens 4
method mrrope-pro
scale 2
wait
tab Q&A
question Who is the Preacher?
click Ask
wait
expect-turns 1
question What did the Preacher say?
click "Ask (Ctrl+Enter)"
wait
expect-turns 2
expect-reuse
# Too long for the window: the choice's button, then Stop while it generates.
max-tokens past-window 1
question A question that needs more room
click Ask
expect-fit
click Use S
wait-phase generation
click Stop
wait
expect-turns 3
max-tokens 4
click Regenerate
wait
expect-turns 3
click Edit last question
expect-turns 2
expect-question A question that needs more room
click Save
click Export
# A button that is not there fails the line (checked by the second run below).
tab Side by side
click Run side by side
wait
expect-compare-turns 2
question And who was his father?
click Ask the question box in every thread
wait
expect-compare-turns 3
click Export
click Save PNG
wait-png
# The attention tab's own run, then its Save PNG: the whole map.
tab Attention
question Who was king in Jerusalem?
click Run with these settings
wait
click Save PNG
wait-png
tab Q&A
click New conversation
expect-turns 0
quit
SCRIPT
run_app_script "$out/buttons.script" "$out/app.log" || { cat "$out/app.log"; fail "the app's script failed"; }

for label in "Ask (Ctrl+Enter)" "Use S = " "Stop (Esc)" "Regenerate" "Edit last question" "Save'" "Export'" \
             "Run side by side" "Ask the question box in every thread" "Export##compare" "Save PNG'" \
             "Run with these settings" "New conversation"; do
  grep -qF "clicked '$label" "$out/app.log" || fail "no click on '$label'"
done
saved=$(find "$out/home/mrrope-conversations" -maxdepth 1 -name '*.json' | head -1)
[ -s "$saved" ] || fail "Save wrote no conversation under ~/mrrope-conversations"
[ "$(grep -c '"question": ' "$saved")" = 2 ] || fail "the saved conversation does not hold the 2 turns left after Edit"
exported=$(find "$out/home/mrrope-conversations" -mindepth 2 -name conversation.md | head -1)
[ -s "$exported" ] || fail "Export wrote no conversation.md"
sbs=$(find "$out/home/mrrope-results" -name side_by_side.json | head -1)
[ -s "$sbs" ] || fail "the side by side's Export wrote no side_by_side.json"
grep -q '"questions": \["Who is the Preacher?", "What did the Preacher say?", "And who was his father?"\]' "$sbs" ||
  fail "$sbs lacks the follow-up asked through its button"
png=$(find "$out/home/mrrope-results" -name side_by_side.png | head -1)
[ -s "$png" ] || fail "Save PNG wrote no side_by_side.png"
"$check" "$png" 300 100
att=$(find "$out/home/mrrope-results" -name attention.png | head -1)
[ -s "$att" ] || fail "the attention map's Save PNG wrote no attention.png"
"$check" "$att" 1024 1024

# A button that is not on screen fails the script, naming the buttons that are.
printf 'model default\nwait\ntab Q&A\nclick No such button\nquit\n' > "$out/missing.script"
if run_app_script "$out/missing.script" "$out/missing.log"; then fail "clicking a missing button succeeded"; fi
grep -q "nothing labelled 'No such button' on screen (on screen: .*'New conversation'" "$out/missing.log" ||
  { cat "$out/missing.log"; fail "no clear message for a missing button"; }
# A disabled one too (Stop with nothing running).
printf 'model default\nwait\ntab Q&A\nclick Stop\nquit\n' > "$out/disabled.script"
if run_app_script "$out/disabled.script" "$out/disabled.log"; then fail "clicking a disabled button succeeded"; fi
grep -q "the button 'Stop (Esc)' is disabled" "$out/disabled.log" || { cat "$out/disabled.log"; fail "no clear message for a disabled button"; }
echo "ok   tab buttons: $(grep -c "clicked '" "$out/app.log") clicks through ImGui's mouse; files written by Save, Export, side by side Export and Save PNG"
