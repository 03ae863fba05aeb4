#!/usr/bin/env bash
# ctest: the app as a document chat, under Xvfb on lavapipe. Bad files dropped
# on it (empty, binary, 50 MB of text, damaged, encrypted and scanned PDFs)
# each get their message while the typed question stays; then a PDF made here
# and an HTML page, two questions (the second must take the documents from the
# KV cache), save, a new conversation, reopen, a third question, export; then
# a turn that does not fit (a larger S chosen, stopped, regenerated, taken back
# to edit); the files are checked. Args: APP PDF_TOOL OUTDIR SOURCE_DIR.
set -euo pipefail
app=$1 pdf=$2 out=$3 src=$4
rm -rf "$out" && mkdir -p "$out/bad"
source "$(dirname "$0")/app_test_env.sh"
export HOME="$out/home"  # nor their files

# The documents: a short PDF (a quick prefill on a CPU) and an HTML page.
head -c 1200 "$src/tests/app/demo_document.txt" > "$out/doc.txt"
"$pdf" "$out/doc.pdf" "$out/doc.txt"
printf '<html><head><title>Notes</title><script>x()</script></head><body><p>The Preacher is <b>Koheleth</b>.</p></body></html>' > "$out/notes.html"
# Bad input.
: > "$out/bad/empty.txt"
head -c 4096 /dev/urandom > "$out/bad/program.txt"
truncate -s 50M "$out/bad/big.txt"
"$pdf" "$out/bad/locked.pdf" "$out/doc.txt" --encrypted
"$pdf" "$out/bad/scan.pdf" "$out/doc.txt" --scanned
head -c 300 "$out/doc.pdf" > "$out/bad/broken.pdf"

cat > "$out/conversation.script" <<SCRIPT
model default
max-tokens 6
method mrrope-pro
scale 2
wait
question typed before the bad files
drop $out/bad/empty.txt
expect-document-message is empty
drop $out/bad/program.txt
expect-document-message binary
drop $out/bad/big.txt
expect-document-message 50.0 MiB of text
drop $out/bad/broken.pdf
expect-document-message not a readable PDF
drop $out/bad/locked.pdf
expect-document-message encrypted
drop $out/bad/scan.pdf
expect-document-message no text layer
expect-question typed before the bad files
drop $out/doc.pdf $out/notes.html
wait
question Who is the Preacher?
ask
wait
question What did the Preacher say?
ask
wait
expect-turns 2
expect-reuse
screenshot conversation.png
conversation-save saved/conversation.json
conversation-export export
new-conversation
expect-turns 0
conversation-open saved/conversation.json
wait
expect-turns 2
question And who was his father?
ask
wait
expect-turns 3
expect-reuse
# A turn that does not fit the window: the choice shows, the question stays in the box.
max-tokens 700
question A question that needs more room
ask
expect-fit
expect-turns 3
expect-question A question that needs more room
resolve-fit larger
cancel
wait
expect-turns 4
max-tokens 4
regenerate
wait
expect-turns 4
edit-last
expect-turns 3
expect-question A question that needs more room
conversation-export export2
screenshot reopened.png
# A pasted document is saved with its text and comes back on reopen, with nothing to paste again.
paste The Preacher was the son of David,\nking in Jerusalem.
wait
conversation-save saved/pasted.json
conversation-open saved/pasted.json
wait
conversation-save saved/pasted-reopened.json
quit
SCRIPT
if ! xvfb-run -a -s "-screen 0 1280x800x24" "$app" --script "$out/conversation.script" --out "$out" 2> "$out/app.log"; then
  cat "$out/app.log"; echo "FAIL: the app's script failed"; exit 1
fi

saved=$out/saved/conversation.json
for f in "$saved" "$out/export/conversation.md" "$out/export/conversation.json" "$out/export2/conversation.json" \
         "$out/conversation.png" "$out/reopened.png"; do
  [ -s "$f" ] || fail "$f was not written"
done
grep -q '"format": "mrrope-conversation"' "$saved" || fail "no format in $saved"
grep -q '"method": "mrrope-pro", "scale": 2' "$saved" || fail "the settings are not in $saved"
grep -q '"name": "doc.pdf".*"format": "pdf".*"pages": 1' "$saved" || fail "doc.pdf (1 page) is not in $saved"
grep -q '"name": "notes.html"' "$saved" || fail "notes.html is not in $saved"
[ "$(grep -c '"question": ' "$saved")" = 2 ] || fail "$saved does not hold 2 turns"
# The second turn took the documents from the cache: its cached count is most of its prompt.
second=$(grep '"question": "What did the Preacher say?"' "$saved")
cached=$(sed 's/.*"cached_tokens": \([0-9]*\).*/\1/' <<<"$second")
prefilled=$(sed 's/.*"prefilled_tokens": \([0-9]*\).*/\1/' <<<"$second")
[ "$cached" -gt 0 ] && [ "$prefilled" -lt "$cached" ] || fail "turn 2: $cached cached, $prefilled prefilled"
grep -q '^## Question 2' "$out/export/conversation.md" || fail "the Markdown export lacks question 2"
grep -q '| RoPE method | mrrope-pro |' "$out/export/conversation.md" || fail "the Markdown export lacks the method"
[ "$(grep -c '"question": ' "$out/export2/conversation.json")" = 3 ] || fail "the reopened thread did not go on"
pasted='"name": "pasted text", "path": "".*"text": "The Preacher was the son of David,\\nking in Jerusalem."'
grep -q "$pasted" "$out/saved/pasted.json" || fail "the pasted document's text is not in saved/pasted.json"
grep -q "$pasted" "$out/saved/pasted-reopened.json" || fail "the pasted document did not come back on reopen"
! grep -q "paste it again" "$out/app.log" || fail "reopening asked for the pasted document again"
echo "ok   conversation: bad files refused, 2 turns (turn 2: $cached cached, $prefilled prefilled), saved, reopened, exported; a pasted document saved and reopened"
