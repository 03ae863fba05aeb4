#!/usr/bin/env bash
# Frames per second of mrrope-app while a long document is prefilled and a
# question is answered, with no display: `mrrope-app --headless` renders its
# real frames offscreen. Builds a document of about TOKENS tokens from the
# bundled samples (repeated), opens the attention view so the pooled heatmap
# updates live during prefill, asks one question, saves a screenshot
# mid-prefill and at the end, and writes the FPS report (fps.json: frames,
# seconds, mean and 5th-percentile FPS per phase; fps.frames.csv: each frame).
#
#   tools/app-fps.sh [--tokens N] [--out DIR] [--build DIR] [--max-tokens N]
#                    [--method NAME] [--scale S|auto] [--size WxH] [--timeout S]
#   tools/app-fps.sh --bundle-libs [--build DIR]
#
# --tokens N       document length in tokens (default 32768; try 2048 on a CPU)
# --method/--scale RoPE extension (default mrrope-pro, S auto: the bundled
#                  model's native context is 512 tokens)
# --bundle-libs    copy the shared libraries mrrope-app needs beyond the base
#                  system and the Vulkan loader (libglfw and the X11 client
#                  libraries it pulls in; never opened with --headless) into
#                  BUILD/app-libs, for carrying the build folder to a machine
#                  without them. This script puts BUILD/app-libs on
#                  LD_LIBRARY_PATH when it exists.
# Pick the device with MRROPE_DEVICE (index or part of its name).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build out=$root/build/app-fps tokens=32768 max_tokens=64
method=mrrope-pro scale=auto size=1600x1000 timeout=1800 bundle=0

die() { echo "app-fps: $*" >&2; exit 2; }
need_value() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case $1 in
    --tokens) need_value "$@"; tokens=$2; shift 2 ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --build) need_value "$@"; build=$2; shift 2 ;;
    --max-tokens) need_value "$@"; max_tokens=$2; shift 2 ;;
    --method) need_value "$@"; method=$2; shift 2 ;;
    --scale) need_value "$@"; scale=$2; shift 2 ;;
    --size) need_value "$@"; size=$2; shift 2 ;;
    --timeout) need_value "$@"; timeout=$2; shift 2 ;;
    --bundle-libs) bundle=1; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ $tokens =~ ^[0-9]+$ ]] && [ "$tokens" -ge 64 ] || die "--tokens wants a whole number of at least 64, got '$tokens'"
[[ $max_tokens =~ ^[0-9]+$ ]] && [ "$max_tokens" -ge 1 ] || die "--max-tokens wants a positive number, got '$max_tokens'"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout wants seconds, got '$timeout'"
app=$build/mrrope-app cli=$build/mrrope-cli
[ -x "$app" ] || die "no $app (build first, or pass --build DIR)"
[ -d "$build/app-libs" ] && export LD_LIBRARY_PATH="$build/app-libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if [ "$bundle" = 1 ]; then
  # Everything ldd resolves except the C/C++ runtime and the Vulkan loader
  # (the target machine's own loader finds its own driver).
  mkdir -p "$build/app-libs"
  ldd "$app" | awk '/=> \// {print $1, $3}' | while read -r name path; do
    case $name in
      libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libstdc++.so*|libgcc_s.so*|libvulkan.so*|ld-linux*) ;;
      *) cp -L "$path" "$build/app-libs/$name" && echo "app-fps: bundled $name" ;;
    esac
  done
  exit 0
fi
[ -x "$cli" ] || die "no $cli (it counts the document's tokens)"
missing=$( (ldd "$app" 2>/dev/null || true) | awk '/not found/ {print $1}' | tr '\n' ' ')
[ -z "$missing" ] || die "mrrope-app cannot load: missing $missing(run --bundle-libs where it was built and carry $build/app-libs)"

model=$(ls "$root"/assets/*q8_0.gguf 2>/dev/null | head -1)  # the bundled model, as the app finds it
[ -f "$model" ] || die "no bundled model at $model"
mkdir -p "$out"
out=$(cd "$out" && pwd)
export XDG_CONFIG_HOME="$out/config"  # never touch the user's settings

# --- the document: the samples, repeated, cut to about $tokens tokens -------
count_tokens() { "$cli" tokenize "$model" --file "$1" --ids-only --no-bos | tr -cd ',' | wc -c | awk '{print $1 + 1}'; }
corpus=$out/corpus.txt doc=$out/document.txt
: > "$corpus"
for f in "$root"/assets/samples/*.txt; do cat "$f" >> "$corpus"; printf '\n\n' >> "$corpus"; done
corpus_bytes=$(wc -c < "$corpus")
corpus_tokens=$(count_tokens "$corpus")
# Cut at a line break near the byte count that the measured bytes/token ratio
# predicts, then correct the ratio once from the cut's own count.
make_doc() {  # BYTES
  local copies=$(( $1 / corpus_bytes + 1 ))
  : > "$doc.tmp"
  for _ in $(seq "$copies"); do cat "$corpus" >> "$doc.tmp"; done
  truncate -s "$1" "$doc.tmp"
  # drop the partial last line so the text ends cleanly
  if [ "$(tail -c 1 "$doc.tmp" | od -An -c | tr -d ' ')" != '\n' ]; then sed -i '$ d' "$doc.tmp"; fi
  mv "$doc.tmp" "$doc"
}
bytes=$(( tokens * corpus_bytes / corpus_tokens ))
make_doc "$bytes"
got=$(count_tokens "$doc")
bytes=$(( bytes * tokens / got ))
make_doc "$bytes"
got=$(count_tokens "$doc")
echo "app-fps: document $doc: $got tokens ($(wc -c < "$doc") bytes; asked for $tokens)"

# --- the run ----------------------------------------------------------------
cat > "$out/fps.script" <<SCRIPT
# Written by tools/app-fps.sh
model $model
document $doc
question What does the Preacher say about vanity?
max-tokens $max_tokens
method $method
scale $scale
wait $timeout
tab Attention
screenshot loaded.png
fps-start
ask
wait-phase prefill 0.5
screenshot prefill_mid.png
wait-phase generation
screenshot generation.png
wait $timeout
screenshot end.png
dump-windows windows.json
fps-report fps.json
quit
SCRIPT
echo "app-fps: running $app --headless --size $size on ${MRROPE_DEVICE:-the most capable device}"
start=$(date +%s)
"$app" --headless --size "$size" --script "$out/fps.script" --out "$out"
echo "app-fps: done in $(( $(date +%s) - start )) s; report $out/fps.json:"
cat "$out/fps.json"
