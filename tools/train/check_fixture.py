#!/usr/bin/env python3
"""Recompute the cross-implementation fixture from a GGUF file on CPU and compare.

  python3 tools/train/check_fixture.py assets/ctxext-llama-25m-q8_0.gguf tests/fixtures/model/logits_q8_0.bin

Reads the GGUF with tools/train/gguf_writer.read_gguf (dequantising to float32), rebuilds the model
from the tensors alone (nothing from the training run), evaluates the fixture input under each
method in fixture.json and prints the largest logit differences.  Also documents, in code, how
to parse the binary fixture (see tests/fixtures/model/README.md).  Needs numpy + torch (CPU).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_writer as gw  # noqa: E402
import train  # noqa: E402


def parse_fixture(path, meta):
    V, K = meta["vocab"], meta["topk"]
    raw = open(path, "rb").read()
    rec = 4 + 8 * K
    out, off = {}, 0
    for m in meta["methods"]:
        for p in meta["positions"]:
            lse = np.frombuffer(raw, np.float32, 1, off)[0]
            ids = np.frombuffer(raw, np.int32, K, off + 4)
            val = np.frombuffer(raw, np.float32, K, off + 4 + 4 * K)
            out[(m, p)] = dict(lse=float(lse), ids=ids, val=val)
            off += rec
    for m in meta["methods"]:
        for p in meta["full_rows"]:
            out[(m, p)]["full"] = np.frombuffer(raw, np.float16, V, off).astype(np.float32)
            off += 2 * V
    assert off == len(raw), (off, len(raw))
    return out


def model_from_gguf(path):
    kv, t = gw.read_gguf(path)
    cfg = dict(vocab=kv["llama.vocab_size"], ctx=kv["llama.context_length"], d=kv["llama.embedding_length"],
               layers=kv["llama.block_count"], heads=kv["llama.attention.head_count"],
               kv_heads=kv["llama.attention.head_count_kv"], ffn=kv["llama.feed_forward_length"])
    m = train.Llama(cfg)
    for name, p in train.tensor_list(m):
        p.data.copy_(torch.from_numpy(np.array(t[name])))
    return m.float().eval()


def main():
    gguf, binf = sys.argv[1], sys.argv[2]
    meta = json.load(open(os.path.join(os.path.dirname(binf), "fixture.json")))
    fx = parse_fixture(binf, meta)
    model = model_from_gguf(gguf)
    x = torch.tensor([meta["input_ids"]])
    worst = 0.0
    with torch.no_grad():
        for mname in meta["methods"]:
            meth, S = mname.rsplit("-", 1)
            s, mf = train.rope_schedule(meth, int(S))
            cos, sin = train.rope_tables(x.shape[1], s, mf)
            lg = model.logits(model.hidden(x, cos, sin)[0]).double()
            d_top, d_lse, d_full = 0.0, 0.0, 0.0
            for p in meta["positions"]:
                r = fx[(mname, p)]
                d_top = max(d_top, float((lg[p, torch.from_numpy(r["ids"].astype(np.int64))]
                                          - torch.from_numpy(r["val"].astype(np.float64))).abs().max()))
                d_lse = max(d_lse, abs(float(torch.logsumexp(lg[p], 0)) - r["lse"]))
                if "full" in r:
                    d_full = max(d_full, float((lg[p] - torch.from_numpy(r["full"]).double()).abs().max()))
            worst = max(worst, d_top, d_lse)
            print(f"{mname:14s} max|dlogit| top{meta['topk']} {d_top:.2e}  lse {d_lse:.2e}  full(f16) {d_full:.2e}")
    print("OK" if worst < 5e-3 else "MISMATCH", worst)


if __name__ == "__main__":
    main()
