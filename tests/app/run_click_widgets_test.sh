#!/usr/bin/env bash
# ctest: the script's `click LABEL` on every kind of widget a user clicks,
# under Xvfb on lavapipe (issue 16): the workspace's tabs, checkboxes (the
# Method panel's S auto, the side by side's loss curve), combo box entries
# (Method, KV cache, the side by side's questions; the box is opened by the
# same line), the Recent documents menu's item, the file browser's list and
# the document preview's tree node. Each effect is checked: the tab shown,
# what the app would remember (expect-setting), what the widget shows
# (expect-widget). A label that matches nothing fails the script, naming it.
# Args: APP OUTDIR SOURCE_DIR.
set -euo pipefail
app=$1 out=$2 src=$3
rm -rf "$out" && mkdir -p "$out/docs"
source "$(dirname "$0")/app_test_env.sh"
export HOME="$out/home"

head -c 500 "$src/tests/app/demo_document.txt" > "$out/docs/a.txt"
tail -c 500 "$src/tests/app/demo_document.txt" > "$out/docs/b.txt"
cat > "$out/widgets.script" <<SCRIPT
model default
document $out/docs/a.txt
document $out/docs/b.txt
method mrrope-pro
scale 2
wait
expect-setting document $out/docs/b.txt
# Tabs.
click Schedule
expect-tab Schedule
click Evaluation
expect-tab Evaluation
click Side by side
expect-tab Side by side
expect-widget Side by side = shown
# Checkboxes: the Method panel's S auto (the remembered scale), the side by side's loss curve.
click S auto
expect-setting scale 0
expect-widget S auto = on
click S auto
expect-setting scale 2
click loss curve over the document
expect-widget loss curve over the document = off
click loss curve over the document
expect-widget loss curve over the document = on
# Combo box entries. The side by side shows a "yarn" checkbox, so the Method box is named.
click Method > yarn
expect-setting method yarn
expect-widget Method = yarn
click the question box
expect-widget questions = the question box
click Q&A
expect-tab Q&A
# No "mrrope-pro" on screen here but the Method box's entry.
click mrrope-pro
expect-setting method mrrope-pro
click Q8_0
expect-setting kv_cache q8_0
click F16
expect-setting kv_cache f16
# The Recent documents menu's item (b.txt was opened last, a.txt before it).
expect-setting recent_documents $out/docs/b.txt|$out/docs/a.txt
click a.txt
expect-setting document $out/docs/a.txt
wait
# The file browser's list, then the preview's tree node.
click Browse##doc
click b.txt
expect-setting document $out/docs/b.txt
wait
click Preview
expect-widget Preview = open
quit
SCRIPT
run_app_script "$out/widgets.script" "$out/app.log" || { cat "$out/app.log"; fail "the app's script failed"; }
for label in "Schedule'" "Evaluation'" "Side by side'" "S auto'" "loss curve over the document'" "Method'" \
             "yarn' in 'Method'" "questions'" "the question box' in 'questions'" "Q&A'" "mrrope-pro' in 'Method'" \
             "KV cache'" "Q8_0 (" "Recent##docs'" "a.txt' in 'Recent'" "Browse##doc'" "b.txt'" "Preview'"; do
  grep -qF "clicked '$label" "$out/app.log" || fail "no click on '$label"
done

# A label that matches nothing fails the script, naming it and what is there.
printf 'model default\nwait\nclick No such widget\nquit\n' > "$out/missing.script"
if run_app_script "$out/missing.script" "$out/missing.log"; then fail "clicking a missing widget succeeded"; fi
grep -q "click): nothing labelled 'No such widget' on screen (on screen: .*'S auto'.*'Q&A'.*; in combo boxes and menus: .*'Method > yarn'" \
  "$out/missing.log" || { cat "$out/missing.log"; fail "no clear message for a missing widget"; }
echo "ok   click widgets: $(grep -c "clicked '" "$out/app.log") clicks on tabs, checkboxes, combo box entries, a menu item, a list entry and a tree node"
