#!/usr/bin/env python3
"""Build the training corpus from English text shipped in Debian packages.

Run tools/train/gather_data.sh first (installs the packages).  Pure standard library,
deterministic: the same package versions give byte-identical output.

Output (default .traindata/ at the repository root, ignored by git):
  corpus_train.txt.xz   documents separated by "\f\n" (form feed + newline)
  corpus_heldout.txt.xz same format, held-out documents (about 3%)
  samples/              long public-domain sample documents (copied to assets/samples)
and tools/train/data_manifest.json (committed): per source, package, version, license,
document count, characters and bytes in each split.
"""
import argparse
import glob
import gzip
import hashlib
import html
import html.parser
import json
import lzma
import os
import re
import subprocess
import unicodedata

HELDOUT_PERCENT = 3
SEP = "\f\n"


def read(path):
    op = gzip.open if path.endswith(".gz") or path.endswith(".dz") else open
    with op(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


# Typographic punctuation as ASCII, so prose with curly quotes (WEB, handbook) is not dropped as
# non-English by the 97%-ASCII rule below, and the tokenizer sees one form of each mark.
ASCII_PUNCT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                             "\u2014": " - ", "\u2026": "...", "\u00a0": " "})
CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\ufffd]")


def clean(text):
    """Normalise whitespace, drop control characters and mostly non-English paragraphs."""
    text = unicodedata.normalize("NFC", text).translate(ASCII_PUNCT)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = CTRL.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    paras = re.split(r"\n\s*\n", text)
    keep = []
    for p in paras:
        p = p.strip("\n")
        if not p.strip():
            continue
        n = len(p)
        ascii_ = sum(1 for c in p if c < "\x80")
        letters = sum(1 for c in p if c.isalpha())
        if ascii_ < 0.97 * n:          # non-English / binary junk
            continue
        if letters < 0.35 * n and n > 40:  # tables, hex dumps, ascii art
            continue
        keep.append(p)
    return "\n\n".join(keep).strip()


# ---------------------------------------------------------------- sources

def src_kjv():
    out = subprocess.run(["bible", "Gen1:1-Rev22:21"], capture_output=True, check=True).stdout.decode()
    # chapters start with a line "Book N"
    chapters = re.split(r"\n(?=[1-3]? ?[A-Z][A-Za-z ]+ \d+\n\n)", "\n" + out)
    docs = []
    for ch in chapters:
        ch = ch.strip()
        if not ch:
            continue
        # join wrapped verse lines, keep verse numbers as "1 In the beginning ..."
        head, _, body = ch.partition("\n\n")
        verses = re.split(r"\n\s+(?=\d+ )", "\n" + body)
        lines = [" ".join(v.split()) for v in verses if v.strip()]
        docs.append(head.strip() + "\n\n" + "\n".join(lines))
    return docs


def dict_entries(name):
    """Entries of a dictd database, in file order, without the 00-database headers."""
    data = read(f"/usr/share/dictd/{name}.dict.dz").encode("utf-8")
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def dec(s):
        v = 0
        for c in s:
            v = v * 64 + b64.index(c)
        return v

    spans = set()
    with open(f"/usr/share/dictd/{name}.index", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00-") or parts[0].startswith("00database"):
                continue
            spans.add((dec(parts[1]), dec(parts[2])))
    raw = read(f"/usr/share/dictd/{name}.dict.dz")
    data = raw.encode("utf-8", errors="replace")
    return [data[o:o + n].decode("utf-8", errors="replace") for o, n in sorted(spans)]


def group(entries, per_doc):
    return ["\n\n".join(entries[i:i + per_doc]) for i in range(0, len(entries), per_doc)]


def src_devil():
    ents = []
    for e in dict_entries("devil"):
        e = re.sub(r"\n {2,}", "\n", e).strip()
        ents.append(e)
    return group(ents, 25)


def src_gcide():
    ents = []
    for e in dict_entries("gcide"):
        e = re.sub(r"\\[^\\\n]{0,80}\\", "", e)       # pronunciations \A*ban"don\
        e = re.sub(r"\[[^\]]{0,300}\]", "", e)          # etymology, sources
        e = e.replace("{", "").replace("}", "")
        e = re.sub(r"\n\s+", "\n", e)
        e = "\n".join(l for l in e.split("\n") if not l.startswith("["))
        e = re.sub(r" {2,}", " ", e).strip()
        if len(e) > 60:
            ents.append(e)
    return group(ents, 40)


def src_foldoc():
    ents = []
    for e in dict_entries("foldoc"):
        e = re.sub(r"<([^<>\n]{1,40})>", r"\1", e)
        e = e.replace("{", "").replace("}", "")
        e = re.sub(r"\(\d{4}-\d\d-\d\d\)", "", e)
        e = re.sub(r"\n\s+", "\n", e).strip()
        if len(e) > 60:
            ents.append(e)
    return group(ents, 25)


def src_jargon():
    t = read(sorted(glob.glob("/usr/share/doc/jargon-text/jargon.txt*"))[0])
    t = re.sub(r"\n {2,}", "\n", t)
    # split into ~8 KB documents on blank lines
    paras = re.split(r"\n\s*\n", t)
    docs, cur = [], []
    for p in paras:
        cur.append(p)
        if sum(len(x) for x in cur) > 8000:
            docs.append("\n\n".join(cur)); cur = []
    if cur:
        docs.append("\n\n".join(cur))
    return docs


def src_fortunes():
    files = sorted(f for f in glob.glob("/usr/share/games/fortunes/*")
                   if "." not in os.path.basename(f) and os.path.isfile(f))
    ents = []
    for f in files:
        for e in read(f).split("\n%\n"):
            e = e.strip("%\n ")
            if e:
                ents.append(e)
    return group(ents, 30)


def src_python_docs():
    files = sorted(glob.glob("/usr/share/doc/python3.11/html/_sources/**/*.rst.txt", recursive=True))
    docs = []
    for f in files:
        t = read(f)
        t = re.sub(r"^\.\. [^\n]*(\n   [^\n]*)*", "", t, flags=re.M)      # directives
        t = re.sub(r":[a-z:]+:`~?([^`<]*?)(?: ?<[^>]*>)?`", r"\1", t)     # roles
        t = re.sub(r"`([^`<]*?) ?<[^>]*>`_+", r"\1", t)
        t = t.replace("``", "").replace("**", "")
        t = re.sub(r"^([=\-~^\"'*+#]{3,})$", "", t, flags=re.M)             # underlines
        docs.append(t)
    return docs


def src_perl_pod():
    files = sorted(glob.glob("/usr/share/perl/5.*/pod/*.pod"))
    docs = []
    for f in files:
        t = read(f)
        t = re.sub(r"^=(head\d|item)\s+", "", t, flags=re.M)
        t = re.sub(r"^=\w+.*$", "", t, flags=re.M)
        for _ in range(3):
            t = re.sub(r"[A-Z]<<+ ?(.*?) ?>+>", r"\1", t)
            t = re.sub(r"[A-Z]<([^<>]*)>", r"\1", t)
        docs.append(t)
    return docs


def src_info():
    names = ["standards", "maintain", "coreutils", "grep", "sed", "find", "diffutils", "gzip", "bc",
             "ed", "bzip2", "gettext"]
    docs = []
    for n in names:
        for f in sorted(glob.glob(f"/usr/share/info/{n}.info*.gz")):
            t = read(f)
            for node in t.split("\x1f"):
                node = re.sub(r"^File: [^\n]*\n", "", node.strip("\n"))
                node = re.sub(r"\*[Nn]ote ([^:]*)::", r"\1", node)
                if len(node) > 400 and not node.startswith("Tag Table") and not node.startswith("Indirect:"):
                    docs.append(node)
    return docs


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "nav"):
            self.skip += 1
        if tag in ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "pre", "tr", "dt", "dd"):
            self.out.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "nav"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def src_debian_reference():
    docs = []
    for f in sorted(glob.glob("/usr/share/doc/debian-reference-en/docs/*.en.html")):
        p = _Text()
        p.feed(read(f))
        t = "".join(p.out)
        t = re.sub(r"[ \t]+", " ", t)
        docs.append(t)
    return docs


def src_manpages():
    files = []
    for pkg in ("manpages", "manpages-dev"):
        out = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True).stdout.split("\n")
        files += [f for f in out if re.search(r"/man/man\d/[^/]+\.gz$", f) and os.path.isfile(f)
                  and not os.path.islink(f)]
    files = sorted(set(files))
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="0")
    docs = []
    for f in files:
        r = subprocess.run(f"man -l {f} 2>/dev/null | col -bx", shell=True, capture_output=True, env=env)
        t = r.stdout.decode("utf-8", errors="replace")
        if len(t) > 300:
            docs.append(t)
    return docs


def src_web_bible():
    """World English Bible (public domain) through the SWORD module, one document per chapter."""
    out = subprocess.run(["diatheke", "-b", "engWEB2015eb", "-f", "plain", "-k", "Gen 1:1-Rev 22:21"],
                         capture_output=True, check=True).stdout.decode("utf-8", errors="replace")
    out = re.sub(r"<title[^>]*>.*?</title>", "", out)  # psalm titles (repeated with every verse)
    out = re.sub(r"<[^>]*>", "", out)  # other leftover OSIS markup (line groups)
    out = out.split("(engWEB")[0]
    # "Book C:V: " heads each verse, sometimes after a psalm title on the same line; poetry
    # continues a verse over several lines.
    head = r"((?:I{1,3} |IV )?[A-Z][a-z]+(?: of [A-Z][a-z]+| \([A-Z][a-z]+\)| [A-Z][a-z]+)? \d+):(\d+): ?"
    parts = re.split(head, out)
    chapters = {}
    for i in range(1, len(parts) - 2, 3):
        text = " ".join(parts[i + 2].split())
        if text:
            chapters.setdefault(parts[i], []).append(f"{parts[i + 1]} {text}")
    return [h + "\n\n" + "\n".join(drop_repeated_title(verses)) for h, verses in chapters.items()]


def drop_repeated_title(verses):
    """diatheke's plain output appends a psalm's title ("A Psalm by David.") to every verse."""
    if len(verses) < 3:
        return verses
    last = re.split(r"(?<=[.!?]) ", verses[1])[-1]
    if len(last) < 80 and sum(v.endswith(" " + last) for v in verses) >= 0.8 * len(verses):
        return [v[:-len(last) - 1] if v.endswith(" " + last) else v for v in verses]
    return verses


def html_text(path):
    """Text of an HTML page without its navigation: paragraphs of fewer than 6 words (menus,
    syntax-diagram labels, headers) are dropped."""
    p = _Text()
    p.feed(read(path))
    t = re.sub(r"[ \t]+", " ", "".join(p.out))
    return "\n\n".join(q for q in re.split(r"\n\s*\n", t) if len(q.split()) >= 6)


def src_html_dir(pattern):
    return lambda: [html_text(f) for f in sorted(glob.glob(pattern))]


def src_git_docs():
    docs = []
    for f in sorted(glob.glob("/usr/share/doc/git-doc/*.txt")):
        t = read(f)
        t = re.sub(r"^(include|ifdef|ifndef|endif)::.*$", "", t, flags=re.M)   # asciidoc directives
        t = re.sub(r"^([=\-~^+.]{3,})$", "", t, flags=re.M)                      # underlines, blocks
        t = re.sub(r"(link|linkgit):([\w.-]+)\[(\d*)\]", r"\2", t)
        docs.append(t.replace("`", "").replace("'", "'"))
    return docs


def src_vim_help():
    docs = []
    for f in sorted(glob.glob("/usr/share/vim/vim90/doc/*.txt")):
        t = read(f)
        t = re.sub(r"\*([^*\s]+)\*", "", t)           # tag anchors
        t = re.sub(r"\|([^|\s]+)\|", r"\1", t)        # tag links
        t = re.sub(r"^vim:.*$", "", t, flags=re.M)      # modelines
        t = re.sub(r"^[=\-]{10,}$", "", t, flags=re.M)
        docs.append(t)
    return docs


def src_wordnet():
    ents = []
    for e in dict_entries("wn"):
        e = re.sub(r"\s+", " ", e).strip().replace("{", "").replace("}", "")
        e = re.sub(r" (n|v|adj|adv) 1: ", r" (\1) 1: ", e)
        if len(e) > 80:
            ents.append(e)
    return group(ents, 60)


# name, function, package, license, character cap (0 = all)
SOURCES = [
    ("kjv_bible", src_kjv, "bible-kjv-text", "Public domain (King James Version, 1611/1769 text)", 0),
    ("devils_dictionary", src_devil, "dict-devil", "Public domain (Ambrose Bierce, 1911)", 0),
    ("jargon_file", src_jargon, "jargon-text", "Public domain (The Jargon File 4.x)", 0),
    ("fortunes", src_fortunes, "fortunes, fortunes-min, fortunes-bofh-excuses, fortunes-debian-hints",
     "BSD-3-clause collection (fortunes); BOFH excuses and Debian hints per their copyright files; "
     "individual quotes of various origin", 0),
    ("gcide", src_gcide, "dict-gcide", "GPL-3+ (GCIDE, derived from Webster's 1913 and WordNet)", 5_000_000),
    ("foldoc", src_foldoc, "dict-foldoc", "GFDL-1.1+ (Free On-line Dictionary of Computing)", 2_500_000),
    ("python_docs", src_python_docs, "python3.11-doc", "PSF-2.0 (Python documentation)", 7_000_000),
    ("perl_pod", src_perl_pod, "perl-doc", "GPL-1+ or Artistic (Perl documentation)", 5_000_000),
    ("gnu_info", src_info, "gnu-standards, coreutils, grep, sed, ...", "GFDL-1.3+ (GNU manuals)", 3_000_000),
    ("debian_reference", src_debian_reference, "debian-reference-en", "GPL-2+ (Debian Reference)", 1_500_000),
    ("man_pages", src_manpages, "manpages, manpages-dev", "Linux-man-pages-copyleft / GPL-2+ (Linux man-pages)", 3_000_000),
    ("web_bible", src_web_bible, "sword-text-web", "Public domain (World English Bible)", 0),
    ("sqlite_docs", src_html_dir("/usr/share/doc/sqlite3/*.html"), "sqlite3-doc",
     "Public domain (SQLite documentation)", 4_000_000),
    ("postgresql_docs", src_html_dir("/usr/share/doc/postgresql-doc-15/html/*.html"), "postgresql-doc-15",
     "PostgreSQL licence (BSD-like)", 5_000_000),
    ("debian_handbook", src_html_dir("/usr/share/doc/debian-handbook/html/en-US/*.html"), "debian-handbook",
     "GPL-2+ or CC-BY-SA-3.0 (The Debian Administrator's Handbook)", 3_000_000),
    ("git_docs", src_git_docs, "git-doc", "GPL-2 (Git documentation)", 3_000_000),
    ("vim_help", src_vim_help, "vim-doc, vim-runtime", "Vim licence (GPL-compatible charityware)", 3_000_000),
    ("wordnet", src_wordnet, "dict-wn", "WordNet 3.0 licence (BSD-like, Princeton University)", 3_000_000),
]


def heldout(name, i):
    h = int(hashlib.sha256(f"{name}:{i}".encode()).hexdigest()[:8], 16)
    return h % 100 < HELDOUT_PERCENT


def pkg_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg.split(",")[0].strip()],
                       capture_output=True, text=True)
    return r.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    ap.add_argument("--out", default=os.path.join(root, ".traindata"))
    ap.add_argument("--manifest", default=os.path.join(here, "data_manifest.json"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train, held, manifest = [], [], []
    for name, fn, pkg, lic, cap in SOURCES:
        docs = [clean(d) for d in fn()]
        docs = [d for d in docs if len(d) >= 200]
        if cap:  # deterministic subsample: evenly spaced documents up to the cap
            total = sum(len(d) for d in docs)
            if total > cap:
                keep, acc, step = [], 0, total / cap
                pos = 0.0
                for i, d in enumerate(docs):
                    acc += len(d)
                    if acc >= pos:
                        keep.append(d)
                        pos += len(d) * step
                docs = keep
        tr = [d for i, d in enumerate(docs) if not heldout(name, i)]
        he = [d for i, d in enumerate(docs) if heldout(name, i)]
        train += [(name, d) for d in tr]
        held += [(name, d) for d in he]
        ent = dict(source=name, package=pkg, version=pkg_version(pkg), license=lic,
                   copyright_file=f"/usr/share/doc/{pkg.split(',')[0].strip()}/copyright",
                   documents_train=len(tr), documents_heldout=len(he),
                   chars_train=sum(len(d) for d in tr), chars_heldout=sum(len(d) for d in he),
                   bytes_train=sum(len(d.encode()) for d in tr))
        manifest.append(ent)
        print(f"{name:18s} docs {len(tr):6d}/{len(he):4d}  chars {ent['chars_train']:>10,d}", flush=True)
        if name == "kjv_bible":
            kjv_docs = docs
        if name == "devils_dictionary":
            devil_docs = docs
    # interleave sources deterministically (stable sort on a hash) so no source forms one long block
    key = lambda nd: hashlib.sha256((nd[0] + nd[1][:200]).encode()).hexdigest()
    train.sort(key=key)
    held.sort(key=key)
    for fname, part in (("corpus_train.txt.xz", train), ("corpus_heldout.txt.xz", held)):
        data = SEP.join(d for _, d in part).encode("utf-8")
        with lzma.open(os.path.join(args.out, fname), "wb", preset=9 | lzma.PRESET_EXTREME) as f:
            f.write(data)
        print(fname, len(data), "bytes raw", os.path.getsize(os.path.join(args.out, fname)), "compressed")
    # sample documents (public domain only)
    sd = os.path.join(args.out, "samples")
    os.makedirs(sd, exist_ok=True)

    def take(docs, lo, hi_chars):
        acc = []
        for d in docs[lo:]:
            if sum(len(x) for x in acc) + len(d) > hi_chars:
                break
            acc.append(d)
        return "\n\n".join(acc) + "\n"
    samples = {
        "kjv_genesis_1-20.txt": take(kjv_docs, 0, 20 * 4000)[:60000],
        "kjv_ecclesiastes.txt": take([d for d in kjv_docs if d.startswith("Ecclesiastes")], 0, 40000),
        "devils_dictionary_a-c.txt": take(devil_docs, 0, 30000),
    }
    for k, v in samples.items():
        v = v[:48000]
        with open(os.path.join(sd, k), "w") as f:
            f.write(v)
        print("sample", k, len(v))
    summary = dict(heldout_percent=HELDOUT_PERCENT, separator="\\f\\n between documents",
                   chars_train=sum(len(d) for _, d in train), chars_heldout=sum(len(d) for _, d in held),
                   sources=manifest)
    with open(args.manifest, "w") as f:
        json.dump(summary, f, indent=1)
    print("total train chars", summary["chars_train"], "heldout", summary["chars_heldout"])


if __name__ == "__main__":
    main()
