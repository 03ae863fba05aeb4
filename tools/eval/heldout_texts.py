#!/usr/bin/env python3
"""Writes assets/heldout/public_domain.txt: the public-domain documents of the training corpus's
held-out part, the evaluation's text after the bundled samples (runtime/eval/sample_text.h).

    python3 tools/eval/heldout_texts.py [CORPUS] [OUT]
        # defaults: .traindata/corpus_heldout.txt.xz assets/heldout/public_domain.txt

CORPUS is what tools/train/prepare_data.py writes (documents separated by "\\f\\n", sources
interleaved, no source names). Kept, in corpus order, are the documents of the public-domain
sources, recognised by their form and checked against tools/train/data_manifest.json:
  kjv_bible, web_bible   a chapter: "Book N" then a blank line and verse 1 (all of both sources);
  devils_dictionary      an entry: "HEADWORD, n." (all of the source);
  jargon_file            an entry: ":term: ..." (the source's prose documents are left out).
The output keeps the corpus format: documents separated by a form feed and a newline.
Standard library only; the same corpus gives the same bytes.
"""
import json
import lzma
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SEP = "\f\n"

RULES = [  # (name, sources in the manifest, pattern of a document's start, all of the sources' documents)
    ("bible", ("kjv_bible", "web_bible"),
     re.compile(r"(?:[1-4] |I{1,3}V? |IV )?[A-Z][a-z]+(?: of [A-Z][a-z]+)? \d+\n\n1 "), True),
    ("devils_dictionary", ("devils_dictionary",),
     re.compile(r"[A-Z][A-Z'-]+(?: [A-Z][A-Z'-]+)*, (?:n|v\. ?[ti]|adj|adv|x|pp|prep|pron?|conj|interj)\."), True),
    ("jargon_file", ("jargon_file",), re.compile(r":[^:\n]+: "), False),
]


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".traindata", "corpus_heldout.txt.xz")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "assets", "heldout", "public_domain.txt")
    with lzma.open(corpus, "rt", encoding="utf-8") as f:
        docs = [d for d in f.read().split(SEP) if d.strip()]
    manifest = {s["source"]: s for s in json.load(open(os.path.join(ROOT, "tools", "train", "data_manifest.json")))["sources"]}
    kept, found = [], {name: [] for name, *_ in RULES}
    for d in docs:
        for name, _, pattern, _ in RULES:
            if pattern.match(d):
                found[name].append(d)
                kept.append(d)
                break
    for name, sources, _, whole in RULES:
        n, chars = len(found[name]), sum(len(d) for d in found[name])
        want_n = sum(manifest[s]["documents_heldout"] for s in sources)
        want_chars = sum(manifest[s]["chars_heldout"] for s in sources)
        ok = (n, chars) == (want_n, want_chars) if whole else n <= want_n and chars <= want_chars
        print(f"{name:18s} {n:3d} documents {chars:8,d} characters (manifest: {want_n}, {want_chars:,})")
        if not ok:
            sys.exit(f"heldout_texts.py: {name} does not match tools/train/data_manifest.json "
                     "(another corpus? rerun tools/train/prepare_data.py)")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(SEP.join(kept) + "\n")
    print(f"{out}: {len(kept)} documents, {sum(map(len, kept)):,} characters")


if __name__ == "__main__":
    main()
