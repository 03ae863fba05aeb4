#!/usr/bin/env python3
"""Train the project's default Llama-architecture model, evaluate it, export GGUF + fixtures.

One command does everything (see tools/train/README.md):
  python3 tools/train/train.py --data .traindata --out OUTDIR [--smoke]
Steps: byte-level BPE tokenizer -> Llama model (plain PyTorch, adjacent-pair "normal" RoPE)
-> training with synthetic retrieval tasks mixed in -> evaluation (native 512 and extended
1024/2048/4096 with every RoPE schedule of docs/rope-methods.md) -> GGUF F16 + Q8_0 ->
cross-implementation logit fixtures computed from the exported (rounded) weights.
"""
import argparse
import json
import lzma
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_writer as gw  # noqa: E402

BOS, EOS = "<|bos|>", "<|eos|>"


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# ============================================================== tokenizer
class Tok:
    """Byte-level BPE (HF tokenizers, GPT-2 pre-tokenizer).  Falls back to raw bytes when the
    `tokenizers` package is missing (only for local CPU smoke tests)."""

    def __init__(self, docs, vocab_size, path=None):
        try:
            from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
            self.hf = True
        except ImportError:
            self.hf = False
        if self.hf:
            tok = Tokenizer(models.BPE())
            tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
            tok.decoder = decoders.ByteLevel()
            tr = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                     special_tokens=[BOS, EOS],
                                     initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
            tok.train_from_iterator(docs, tr)
            self.tok = tok
            if path:
                tok.save(path)
            model = json.loads(tok.to_str())["model"]
            vocab = tok.get_vocab()
            self.n_vocab = len(vocab)
            self.tokens = [None] * self.n_vocab
            for t, i in vocab.items():
                self.tokens[i] = t
            assert all(t is not None for t in self.tokens)
            self.merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
            self.bos, self.eos = vocab[BOS], vocab[EOS]
        else:
            self.n_vocab = 258
            self.bos, self.eos = 256, 257
            self.tokens = [chr(i) for i in range(256)] + [BOS, EOS]
            self.merges = []

    def encode(self, text):
        if self.hf:
            return self.tok.encode(text).ids
        return list(text.encode("utf-8"))

    def encode_batch(self, texts):
        if self.hf:
            return [e.ids for e in self.tok.encode_batch(texts)]
        return [self.encode(t) for t in texts]

    def decode(self, ids):
        ids = [i for i in ids if i not in (self.bos, self.eos)]
        if self.hf:
            return self.tok.decode(ids)
        return bytes(ids).decode("utf-8", errors="replace")


# ============================================================== RoPE schedules
def corr_dim(r, D, L, b):
    return D * math.log(L / (2 * math.pi * r)) / (2 * math.log(b))


def rope_schedule(method, S, D=64, b=10000.0, L=512, alpha=32.0, beta=1.0):
    """Per-pair divisors s_i (float64, length D/2) and attention factor m, exactly as
    docs/rope.md specifies."""
    n = D // 2
    i = np.arange(n, dtype=np.float64)
    d_l = max(0, math.floor(corr_dim(alpha, D, L, b)))
    if method == "none" or S == 1:
        return np.ones(n), 1.0
    mfac = 1.0 + 0.1 * math.log(S)
    if method == "linear":
        return np.full(n, float(S)), 1.0
    if method == "ntk":
        return float(S) ** (2 * i / (D - 2)), 1.0
    if method == "yarn":
        d_h = min(D - 1, math.ceil(corr_dim(beta, D, L, b)))  # llama.cpp clamps at D-1
        g = 1 - np.clip((i - d_l) / max(0.001, d_h - d_l), 0, 1)
        return 1.0 / (g + (1 - g) / S), mfac
    if method in ("mrrope-uni", "mrrope-pro"):
        d_h = min(D - 1, math.ceil(corr_dim(beta, D, L, b)))  # the paper's code clamps at D-1 too
        w = d_h - d_l
        if w == 0:
            return np.where(i >= d_h, float(S), 1.0), mfac
        k = np.clip(i - d_l, 0, w)
        if method == "mrrope-uni":
            return float(S) ** (k / w), mfac
        return float(S) ** (k * (k + 1) / (w * (w + 1))), mfac
    raise ValueError(method)


def rope_tables(T, s, m, D=64, b=10000.0, device="cpu"):
    """cos/sin tables [T, D/2] (float32, computed in float64): angle = p * theta_i / s_i, times m."""
    i = np.arange(D // 2, dtype=np.float64)
    theta = b ** (-2 * i / D) / s
    ang = np.arange(T, dtype=np.float64)[:, None] * theta[None, :]
    c = torch.tensor(np.cos(ang) * m, dtype=torch.float32, device=device)
    si = torch.tensor(np.sin(ang) * m, dtype=torch.float32, device=device)
    return c, si


# ============================================================== model
class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight).type_as(x)


def apply_rope(x, cos, sin):
    """ggml "normal" mode: adjacent pairs (2i, 2i+1).  x [B, T, H, D]; cos/sin [T, D/2]."""
    xf = x.float().reshape(*x.shape[:-1], x.shape[-1] // 2, 2)
    x0, x1 = xf[..., 0], xf[..., 1]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    out = torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1)
    return out.flatten(-2).type_as(x)


def attention(q, k, v):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    T = q.shape[-2]
    att = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    att = att.masked_fill(torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1), float("-inf"))
    return att.softmax(-1) @ v


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, self.h, self.kv, self.hd = cfg["d"], cfg["heads"], cfg["kv_heads"], 64
        self.attn_norm = RMSNorm(d)
        self.wq = nn.Linear(d, self.h * 64, bias=False)
        self.wk = nn.Linear(d, self.kv * 64, bias=False)
        self.wv = nn.Linear(d, self.kv * 64, bias=False)
        self.wo = nn.Linear(self.h * 64, d, bias=False)
        self.ffn_norm = RMSNorm(d)
        self.w_gate = nn.Linear(d, cfg["ffn"], bias=False)
        self.w_up = nn.Linear(d, cfg["ffn"], bias=False)
        self.w_down = nn.Linear(cfg["ffn"], d, bias=False)

    def forward(self, x, cos, sin):
        B, T, _ = x.shape
        h = self.attn_norm(x)
        q = apply_rope(self.wq(h).view(B, T, self.h, 64), cos, sin).transpose(1, 2)
        k = apply_rope(self.wk(h).view(B, T, self.kv, 64), cos, sin).transpose(1, 2)
        v = self.wv(h).view(B, T, self.kv, 64).transpose(1, 2)
        if self.kv != self.h:
            k = k.repeat_interleave(self.h // self.kv, 1)
            v = v.repeat_interleave(self.h // self.kv, 1)
        a = attention(q, k, v).transpose(1, 2).reshape(B, T, self.h * 64)
        x = x + self.wo(a)
        h = self.ffn_norm(x)
        return x + self.w_down(F.silu(self.w_gate(h)) * self.w_up(h))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.emb = nn.Embedding(cfg["vocab"], cfg["d"])
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg["layers"]))
        self.norm = RMSNorm(cfg["d"])
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * cfg["layers"]) if n.endswith(("wo.weight", "w_down.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)

    def hidden(self, idx, cos, sin):
        x = self.emb(idx)
        for b in self.blocks:
            x = b(x, cos, sin)
        return self.norm(x)

    def logits(self, h):
        return h @ self.emb.weight.t()  # tied output


# ============================================================== synthetic tasks
FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."
PK_INTRO = ("There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. "
            "I will quiz you about the important information there.")
WORDS = ("apple river mountain candle garden window silver dragon forest anchor basket castle "
         "copper desert eagle feather glacier harbor island jacket kettle lantern meadow needle "
         "orchard pepper quartz ribbon saddle temple umbrella valley wagon yarrow zephyr bridge "
         "cabin dolphin engine falcon guitar hammer igloo jungle kernel ladder marble nickel "
         "oyster pillow rocket salmon tiger violin walnut barrel cactus donkey elbow fountain "
         "goblet helmet insect jewel koala lemon magnet nectar olive parrot quiver raven spider "
         "tunnel velvet whistle yogurt zebra acorn beacon cherry daisy ember fabric ginger "
         "hazel ivory juniper kayak lily mango nutmeg onion pebble quill rose sparrow thimble "
         "tulip vessel willow cobalt amber").split()


def _sentences_window(docs, rng, nchars):
    """A run of real text of about nchars characters starting at a sentence boundary."""
    for _ in range(20):
        d = docs[rng.randrange(len(docs))]
        if len(d) < 200:
            continue
        st = rng.randrange(max(1, len(d) - nchars))
        j = d.find(". ", st)
        st = j + 2 if 0 <= j < st + 300 else st
        t = d[st:st + nchars]
        k = docs.index(d) if FILL_HAYSTACK[0] and len(t) < nchars else 0
        while FILL_HAYSTACK[0] and len(t) < nchars:  # eval: keep appending following documents
            k = (k + 1) % len(docs)
            t += " " + docs[k][:nchars - len(t)]
        if len(t) >= min(nchars, 150):
            return " ".join(t.split())
    return FILLER


# Training (runs 1 and 2) used haystacks from a single document (False); the long-context
# evaluation sets this to True so a needle haystack always reaches the target length.
FILL_HAYSTACK = [False]


def _insert_at_sentence(text, sent, frac):
    pos = int(len(text) * frac)
    j = text.find(". ", pos)
    if j < 0:
        return text + " " + sent
    return text[:j + 2] + sent + " " + text[j + 2:]


def task_text(kind, rng, docs, hay_chars, eval_digits=None):
    """Returns (prompt, answer) where answer starts with a space and contains only the value."""
    if kind in ("passkey", "passkey_real"):
        nd = eval_digits or rng.randint(3, 7)
        key = str(rng.randrange(10 ** (nd - 1), 10 ** nd))
        needle = f"The pass key is {key}. Remember it. {key} is the pass key."
        if kind == "passkey":
            reps = max(1, hay_chars // (len(FILLER) + 1))
            k = rng.randint(0, reps)
            hay = " ".join([FILLER] * k + [needle] + [FILLER] * (reps - k))
        else:
            hay = _insert_at_sentence(_sentences_window(docs, rng, hay_chars), needle, rng.random())
        return f"{PK_INTRO} {hay}\nWhat is the pass key? The pass key is", f" {key}"
    if kind == "needle":
        words = rng.sample(WORDS, 1 + (0 if eval_digits else rng.randint(0, 3)))
        nums = [str(rng.randrange(1000000, 10000000)) for _ in words]
        hay = _sentences_window(docs, rng, hay_chars)
        for w, n in zip(words, nums):
            hay = _insert_at_sentence(hay, f"The special magic number for {w} is {n}.", rng.random())
        q = rng.randrange(len(words))
        return (f"{hay}\nWhat is the special magic number for {words[q]}? "
                f"The special magic number for {words[q]} is", f" {nums[q]}")
    if kind == "kv":
        n = max(2, hay_chars // 22)
        keys = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(n)]
        vals = [str(rng.randrange(10000, 100000)) for _ in range(n)]
        lines = "\n".join(f"key {k}: {v}" for k, v in zip(keys, vals))
        q = rng.randrange(n)
        return (f"Below is a list of keys and their values.\n{lines}\n"
                f"What is the value of key {keys[q]}? The value of key {keys[q]} is", f" {vals[q]}")
    raise ValueError(kind)


def build_task(tok, kind, rng, docs, max_tokens, target_tokens, eval_digits=None, cpt=3.3):
    """Tokenised (prompt_ids incl. BOS, answer_ids) with len <= max_tokens, close to target_tokens."""
    budget = max(60, int((target_tokens - 60) * cpt))
    for _ in range(10):
        p, a = task_text(kind, rng, docs, budget, eval_digits)
        pid = [tok.bos] + tok.encode(p)
        full = [tok.bos] + tok.encode(p + a)
        assert full[:len(pid)] == pid, "answer does not start at a token boundary"
        aid = full[len(pid):]
        if len(full) + 1 <= max_tokens:
            return pid, aid
        budget = int(budget * (max_tokens - 8) / len(full) * 0.97)
    raise RuntimeError("could not fit task")


class SynthStream(torch.utils.data.IterableDataset):
    """Endless batches of synthetic retrieval sequences [n, ctx+1] with -1 marking padding."""

    def __init__(self, tok, docs, n, ctx, seed, cpt):
        self.tok, self.docs, self.n, self.ctx, self.seed, self.cpt = tok, docs, n, ctx, seed, cpt

    def __iter__(self):
        wi = torch.utils.data.get_worker_info()
        wid, nw = (wi.id, wi.num_workers) if wi else (0, 1)
        rng = random.Random(self.seed * 1000 + wid)
        kinds = ["passkey"] * 30 + ["passkey_real"] * 15 + ["needle"] * 35 + ["kv"] * 20
        while True:
            out = np.full((self.n, self.ctx + 1), -1, dtype=np.int64)
            for r in range(self.n):
                kind = rng.choice(kinds)
                try:
                    pid, aid = build_task(self.tok, kind, rng, self.docs, self.ctx + 1,
                                          rng.randint(96, self.ctx + 1), cpt=self.cpt * 0.95)
                except RuntimeError:
                    pid, aid = build_task(self.tok, kind, rng, self.docs, self.ctx + 1, self.ctx + 1,
                                          cpt=self.cpt * 0.95)
                seq = pid + aid + [self.tok.eos]
                out[r, :len(seq)] = seq
            yield torch.from_numpy(out)


# ============================================================== evaluation
@torch.no_grad()
def answer_accuracy(model, tasks, s, m, dev, bs):
    """Greedy-decoding accuracy: the answer is produced iff the argmax at every answer position
    (teacher forced) equals the answer token.  Sequences are right padded (causal => no effect)."""
    correct = 0
    for i in range(0, len(tasks), bs):
        chunk = tasks[i:i + bs]
        T = max(len(p) + len(a) for p, a in chunk)
        cos, sin = rope_tables(T, s, m, device=dev)
        x = torch.zeros(len(chunk), T, dtype=torch.long)
        for r, (p, a) in enumerate(chunk):
            x[r, :len(p) + len(a)] = torch.tensor(p + a)
        h = model.hidden(x.to(dev), cos, sin)
        for r, (p, a) in enumerate(chunk):
            pos = torch.arange(len(p) - 1, len(p) + len(a) - 1, device=dev)
            pred = model.logits(h[r, pos]).argmax(-1).cpu().tolist()
            correct += int(pred == a)
    return correct / len(tasks)


@torch.no_grad()
def perplexity(model, windows, s, m, dev, bs):
    nll, n = 0.0, 0
    for i in range(0, len(windows), bs):
        x = windows[i:i + bs].to(dev)
        cos, sin = rope_tables(x.shape[1] - 1, s, m, device=dev)
        h = model.hidden(x[:, :-1], cos, sin)
        for r in range(x.shape[0]):
            lg = model.logits(h[r]).float()
            nll += F.cross_entropy(lg, x[r, 1:], reduction="sum").item()
            n += x.shape[1] - 1
    return math.exp(nll / n)


@torch.no_grad()
def sample(model, tok, prompt, n, dev, temp=0.8, topk=40, seed=0):
    g = torch.Generator(device=dev).manual_seed(seed)
    ids = [tok.bos] + tok.encode(prompt)
    ctx = model.cfg["ctx"]
    for _ in range(n):
        x = torch.tensor([ids[-ctx:]], device=dev)
        cos, sin = rope_tables(x.shape[1], np.ones(32), 1.0, device=dev)
        lg = model.logits(model.hidden(x, cos, sin)[0, -1]).float() / temp
        v, ix = lg.topk(topk)
        nxt = ix[torch.multinomial(v.softmax(-1), 1, generator=g)].item()
        if nxt == tok.eos:
            break
        ids.append(nxt)
    return tok.decode(ids)


# ============================================================== export
def tensor_list(model):
    """(gguf name, torch tensor) in llama.cpp naming; Linear weights are [out, in] = ne [in, out]."""
    out = [("token_embd.weight", model.emb.weight)]
    for i, b in enumerate(model.blocks):
        out += [(f"blk.{i}.attn_norm.weight", b.attn_norm.weight), (f"blk.{i}.attn_q.weight", b.wq.weight),
                (f"blk.{i}.attn_k.weight", b.wk.weight), (f"blk.{i}.attn_v.weight", b.wv.weight),
                (f"blk.{i}.attn_output.weight", b.wo.weight), (f"blk.{i}.ffn_norm.weight", b.ffn_norm.weight),
                (f"blk.{i}.ffn_gate.weight", b.w_gate.weight), (f"blk.{i}.ffn_up.weight", b.w_up.weight),
                (f"blk.{i}.ffn_down.weight", b.w_down.weight)]
    out.append(("output_norm.weight", model.norm.weight))
    return out


def export_gguf(model, tok, path, ftype, name):
    cfg = model.cfg
    w = gw.GGUFWriter()
    A = "llama"
    w.add("general.architecture", gw.T_STRING, A)
    w.add("general.name", gw.T_STRING, name)
    w.add("general.file_type", gw.T_UINT32, {"f16": gw.FTYPE_F16, "q8_0": gw.FTYPE_Q8_0}[ftype])
    if ftype == "q8_0":
        w.add("general.quantization_version", gw.T_UINT32, 2)
    w.add(f"{A}.vocab_size", gw.T_UINT32, cfg["vocab"])
    w.add(f"{A}.context_length", gw.T_UINT32, cfg["ctx"])
    w.add(f"{A}.embedding_length", gw.T_UINT32, cfg["d"])
    w.add(f"{A}.block_count", gw.T_UINT32, cfg["layers"])
    w.add(f"{A}.feed_forward_length", gw.T_UINT32, cfg["ffn"])
    w.add(f"{A}.attention.head_count", gw.T_UINT32, cfg["heads"])
    w.add(f"{A}.attention.head_count_kv", gw.T_UINT32, cfg["kv_heads"])
    w.add(f"{A}.attention.layer_norm_rms_epsilon", gw.T_FLOAT32, 1e-5)
    w.add(f"{A}.rope.freq_base", gw.T_FLOAT32, 10000.0)
    w.add(f"{A}.rope.dimension_count", gw.T_UINT32, 64)
    w.add("tokenizer.ggml.model", gw.T_STRING, "gpt2")
    w.add("tokenizer.ggml.pre", gw.T_STRING, "gpt-2")
    w.add("tokenizer.ggml.tokens", gw.T_ARRAY, (gw.T_STRING, tok.tokens))
    ttype = [3 if t in (BOS, EOS) else 1 for t in tok.tokens]
    w.add("tokenizer.ggml.token_type", gw.T_ARRAY, (gw.T_INT32, ttype))
    w.add("tokenizer.ggml.merges", gw.T_ARRAY, (gw.T_STRING, tok.merges))
    w.add("tokenizer.ggml.bos_token_id", gw.T_UINT32, tok.bos)
    w.add("tokenizer.ggml.eos_token_id", gw.T_UINT32, tok.eos)
    w.add("tokenizer.ggml.add_bos_token", gw.T_BOOL, True)
    w.add("tokenizer.ggml.add_eos_token", gw.T_BOOL, False)
    rounded = {}
    for n, t in tensor_list(model):
        a = t.detach().float().cpu().numpy()
        gt = gw.GGML_F32 if a.ndim == 1 else (gw.GGML_F16 if ftype == "f16" else gw.GGML_Q8_0)
        rounded[n] = w.add_tensor(n, a, gt)
    w.write(path)
    # round trip check
    kv, back = gw.read_gguf(path)
    for n, a in rounded.items():
        assert np.array_equal(back[n], a), n
    assert kv["tokenizer.ggml.tokens"] == tok.tokens
    return rounded


def load_rounded(model, rounded):
    m = Llama(model.cfg)
    sd = {}
    names = dict((n, id(t)) for n, t in tensor_list(m))
    for n, t in tensor_list(m):
        t.data.copy_(torch.from_numpy(rounded[n]))
    del names, sd
    return m


FIX_POS = [0, 1, 2, 100, 255, 256, 511, 512, 513, 767, 1000, 1023, 1024, 1500, 2000, 2047]
FIX_METHODS = [("none", 1), ("linear", 4), ("yarn", 4), ("mrrope-pro", 4)]
FIX_FULL = [511, 2047]
TOPK = 64


@torch.no_grad()
def make_fixture(model32, ids, path_bin, dev):
    """Binary fixture, little endian. For each method in FIX_METHODS order, for each position in
    FIX_POS order: f32 logsumexp, i32[TOPK] token ids (descending logit), f32[TOPK] logits.
    Then, per method, per position in FIX_FULL: f16[vocab] full logit row."""
    x = torch.tensor([ids], device=dev)
    parts, full, summary = [], [], {}
    for meth, S in FIX_METHODS:
        s, m = rope_schedule(meth, S)
        cos, sin = rope_tables(len(ids), s, m, device=dev)
        lg = model32.logits(model32.hidden(x, cos, sin)[0]).double()
        for p in FIX_POS:
            row = lg[p]
            lse = torch.logsumexp(row, 0).item()
            v, ix = row.topk(TOPK)
            parts.append(np.array([lse], np.float32).tobytes() + ix.cpu().numpy().astype(np.int32).tobytes()
                         + v.cpu().numpy().astype(np.float32).tobytes())
        for p in FIX_FULL:
            full.append(lg[p].cpu().numpy().astype(np.float16).tobytes())
        summary[f"{meth}-{S}"] = {"argmax": [int(lg[p].argmax()) for p in FIX_POS],
                                  "nll_mean_all_positions": float(F.cross_entropy(
                                      lg[:-1].float(), x[0, 1:], reduction="mean"))}
    with open(path_bin, "wb") as f:
        f.write(b"".join(parts) + b"".join(full))
    return summary


def run_eval(model, tok, held_docs, held_ids, chars_per_tok, dev, trials, smoke, seed):
    # ---------------- evaluation
    torch.set_float32_matmul_precision("highest")
    rng = random.Random(seed + 7)
    bs = 4 if smoke else 25
    res = {"native": {}, "extended": {}}
    lengths = [512, 1024] if smoke else [512, 1024, 2048, 4096]
    configs = [("none", 1)] + [(mm, S) for S in (4, 8) for mm in
                               ("linear", "ntk", "yarn", "mrrope-uni", "mrrope-pro")]
    cpt = chars_per_tok
    for T in lengths:
        pk = [build_task(tok, "passkey", rng, held_docs, T, T - 8, eval_digits=5, cpt=cpt * 0.92)
              for _ in range(trials)]
        nd = [build_task(tok, "needle", rng, held_docs, T, T - 8, eval_digits=7, cpt=cpt * 0.92)
              for _ in range(trials)]
        n_w = max(2, min(32, (len(held_ids) - 1) // T)) if not smoke else 2
        stride = (len(held_ids) - T - 1) // n_w
        win = torch.stack([held_ids[i * stride:i * stride + T + 1].long() for i in range(n_w)])
        win[:, 0] = tok.bos
        lens = sorted(len(p) + len(a) for p, a in nd)
        lp = sorted(len(p) + len(a) for p, a in pk)
        log(f"T={T}: needle prompt tokens min {lens[0]} median {lens[len(lens)//2]} max {lens[-1]}; "
            f"passkey {lp[0]}..{lp[-1]}; ppl windows {n_w}; haystack fill {FILL_HAYSTACK[0]}")
        res.setdefault("prompt_tokens", {})[str(T)] = dict(needle_min=lens[0], needle_median=lens[len(lens) // 2],
                                                           passkey_min=lp[0], passkey_max=lp[-1])
        for meth, S in configs:
            if T == 512 and meth != "none" and S == 8:
                continue
            s, m = rope_schedule(meth, S)
            r = dict(passkey=answer_accuracy(model, pk, s, m, dev, bs),
                     needle=answer_accuracy(model, nd, s, m, dev, bs),
                     ppl=perplexity(model, win, s, m, dev, 4 if T >= 2048 else 8))
            res["extended"].setdefault(str(T), {})[f"{meth}-{S}" if S > 1 else meth] = r
            log(f"T={T} {meth:11s} S={S}: {r}")
    res["native"] = res["extended"]["512"]["none"]
    log("NATIVE:", res["native"])

    return res


def eval_only(args, held_docs, dev):
    """Evaluate an exported GGUF (dequantised to float32) with haystacks filled to full length."""
    from tokenizers import Tokenizer
    tok = Tok.__new__(Tok)
    tok.hf, tok.tok = True, Tokenizer.from_file(args.tokenizer)
    tok.bos, tok.eos = tok.tok.token_to_id(BOS), tok.tok.token_to_id(EOS)
    kv, t = gw.read_gguf(args.eval_only)
    cfg = dict(vocab=kv["llama.vocab_size"], ctx=kv["llama.context_length"], d=kv["llama.embedding_length"],
               layers=kv["llama.block_count"], heads=kv["llama.attention.head_count"],
               kv_heads=kv["llama.attention.head_count_kv"], ffn=kv["llama.feed_forward_length"])
    model = Llama(cfg)
    for name, p in tensor_list(model):
        p.data.copy_(torch.from_numpy(np.array(t[name])))
    model = model.to(dev).float().eval()
    ids = []
    for d in tok.encode_batch(held_docs):
        ids += d + [tok.eos, tok.bos]
    held_ids = torch.tensor(ids, dtype=torch.int32)
    cpt = sum(map(len, held_docs)) / len(held_ids)
    FILL_HAYSTACK[0] = True
    res = run_eval(model, tok, held_docs, held_ids, cpt, dev, args.trials, args.smoke, args.seed)
    with open(os.path.join(args.out, "eval_results.json"), "w") as f:
        json.dump(dict(model=args.eval_only, haystack_fill=True, eval=res, cpt_heldout=cpt), f, indent=1)
    log("done")


# ============================================================== main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=".traindata")
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true", help="tiny model, 20 steps, few eval trials")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--time-budget", type=float, default=300.0, help="training seconds (sizes steps)")
    ap.add_argument("--steps", type=int, default=0, help="fixed step count (overrides the time budget)")
    ap.add_argument("--max-steps", type=int, default=2600)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--synth-frac", type=float, default=0.25)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--name", default="ctxext-llama-17m")
    ap.add_argument("--eval-only", default="", help="GGUF file: skip training, evaluate that model")
    ap.add_argument("--tokenizer", default="tests/fixtures/model/tokenizer.json")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t_start = time.time()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    smoke = args.smoke
    cfg = dict(vocab=8192, ctx=512, d=384, layers=8, heads=6, kv_heads=6, ffn=1024)
    if smoke:
        cfg.update(vocab=1024, d=128, layers=2, heads=2, kv_heads=2, ffn=256)
        args.batch, args.trials = 8, 6

    # ---------------- data + tokenizer
    def load(name):
        with lzma.open(os.path.join(args.data, name), "rt", encoding="utf-8") as f:
            return [d for d in f.read().split("\f\n") if d.strip()]
    train_docs, held_docs = load("corpus_train.txt.xz"), load("corpus_heldout.txt.xz")
    if smoke:
        train_docs, held_docs = train_docs[:300], held_docs[:60]
    log(f"docs train {len(train_docs)} heldout {len(held_docs)}; chars {sum(map(len, train_docs)):,}")
    if args.eval_only:
        return eval_only(args, held_docs, dev)
    tok = Tok(train_docs, cfg["vocab"], os.path.join(args.out, "tokenizer.json"))
    cfg["vocab"] = tok.n_vocab
    log(f"tokenizer: {tok.n_vocab} tokens, {len(tok.merges)} merges, hf={tok.hf}  ({time.time()-t_start:.0f}s)")

    def stream(docs):
        ids = tok.encode_batch(docs)
        out = []
        for d in ids:
            out += d + [tok.eos, tok.bos]
        return torch.tensor(out, dtype=torch.int32)
    train_ids, held_ids = stream(train_docs), stream(held_docs)
    chars_per_tok = sum(map(len, train_docs)) / len(train_ids)
    log(f"tokens train {len(train_ids):,} heldout {len(held_ids):,}; {chars_per_tok:.2f} chars/token "
        f"({time.time()-t_start:.0f}s)")

    # ---------------- model + optimiser
    model = Llama(cfg).to(dev)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model {cfg} params {n_params:,}")
    decay = [p for p in model.parameters() if p.dim() == 2]
    nodecay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8, **({"fused": True} if dev == "cuda" else {}))
    ctx = cfg["ctx"]
    n_syn = int(round(args.batch * args.synth_frac))
    n_nat = args.batch - n_syn
    nw = 0 if smoke or dev == "cpu" else 8
    dl = torch.utils.data.DataLoader(SynthStream(tok, train_docs, n_syn, ctx, args.seed, chars_per_tok), batch_size=None,
                                     num_workers=nw, **({"prefetch_factor": 4, "persistent_workers": True} if nw else {}))
    syn_iter = iter(dl)
    gen = torch.Generator().manual_seed(args.seed)
    train_gpu = train_ids.to(dev).long()
    ar = torch.arange(ctx, device=dev)
    cos0, sin0 = rope_tables(ctx, np.ones(32), 1.0, device=dev)
    held_gpu = held_ids.long()
    val_x = torch.stack([held_gpu[i:i + ctx + 1] for i in range(0, min(len(held_gpu) - ctx - 1, 64 * ctx), ctx)])
    val_x[:, 0] = tok.bos

    def get_batch():
        off = torch.randint(0, len(train_ids) - ctx - 1, (n_nat,), generator=gen).to(dev)
        nat = train_gpu[off[:, None] + ar[None, :]]
        nat = torch.cat([torch.full((n_nat, 1), tok.bos, device=dev), nat], 1)
        syn = next(syn_iter).to(dev, non_blocking=True)
        b = torch.cat([nat, syn], 0)
        x = b[:, :-1].clamp(min=0)
        y = b[:, 1:]
        return x, y

    @torch.no_grad()
    def val_loss():
        model.eval()
        tot = 0.0
        for i in range(0, len(val_x), 32):
            xb = val_x[i:i + 32].to(dev)
            with torch.autocast(dev, dtype=torch.bfloat16, enabled=dev == "cuda"):
                h = model.hidden(xb[:, :-1], cos0, sin0)
                tot += F.cross_entropy(model.logits(h).float().flatten(0, 1), xb[:, 1:].flatten(),
                                       reduction="sum").item()
        model.train()
        return tot / (len(val_x) * ctx)

    steps = args.steps or (20 if smoke else args.max_steps)
    steps_fixed = bool(args.steps)
    warm = 20 if smoke else 150
    curve = []
    t0 = time.time()
    step = 0
    tokens_seen = 0
    while step < steps:
        lr = args.lr * (step + 1) / warm if step < warm else \
            args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, steps - warm))))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = get_batch()
        with torch.autocast(dev, dtype=torch.bfloat16, enabled=dev == "cuda"):
            h = model.hidden(x, cos0, sin0)
            logits = model.logits(h)
        loss_all = F.cross_entropy(logits.float().flatten(0, 1), y.flatten(), ignore_index=-1, reduction="none")
        loss_all = loss_all.view(args.batch, ctx)
        mask = (y >= 0).float()
        loss = (loss_all * mask).sum() / mask.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tokens_seen += int(mask.sum().item()) if step % 50 == 0 or smoke else 0
        step += 1
        if step == 30 and not smoke and not steps_fixed:
            if dev == "cuda":
                torch.cuda.synchronize()
            rate = 30 / (time.time() - t0)
            steps = max(200, min(args.max_steps, int(rate * args.time_budget)))
            log(f"measured {rate:.2f} steps/s = {rate*args.batch*ctx/1e3:.0f}k tok/s -> {steps} steps")
        if step % 50 == 0 or step == steps or smoke:
            nat_l = (loss_all[:n_nat] * mask[:n_nat]).sum() / mask[:n_nat].sum()
            syn_l = (loss_all[n_nat:] * mask[n_nat:]).sum() / mask[n_nat:].sum().clamp(min=1)
            ent = dict(step=step, lr=lr, loss=loss.item(), loss_text=nat_l.item(), loss_synth=syn_l.item(),
                       t=round(time.time() - t0, 1))
            if step % 250 == 0 or step == steps:
                ent["val_loss"] = val_loss()
            curve.append(ent)
            log(json.dumps(ent))
    if dev == "cuda":
        torch.cuda.synchronize()
    train_time = time.time() - t0
    tokens_seen = steps * args.batch * ctx
    log(f"trained {steps} steps in {train_time:.0f}s; {tokens_seen:,} token slots")
    torch.save({"cfg": cfg, "model": model.state_dict()}, os.path.join(args.out, "model.pt"))
    model.eval()
    del syn_iter, dl

    # ---------------- samples
    samples = {}
    for i, p in enumerate(["In the beginning", "The program reads", "And the king said unto",
                           "A computer is"]):
        samples[p] = sample(model, tok, p, 16 if smoke else 80, dev, seed=i)
        log("SAMPLE:", repr(samples[p]))

    res = run_eval(model, tok, held_docs, held_ids, chars_per_tok, dev, args.trials, smoke, args.seed)

    # ---------------- export + fixtures
    fix_ids = [tok.bos] + held_ids[1000:1000 + 2047].tolist()
    fixtures = {}
    for ftype in ("f16", "q8_0"):
        path = os.path.join(args.out, f"{args.name}-{ftype}.gguf")
        rounded = export_gguf(model, tok, path, ftype, args.name)
        log(f"wrote {path} {os.path.getsize(path):,} bytes")
        m32 = load_rounded(model, rounded).to(dev).float().eval()
        fixtures[ftype] = make_fixture(m32, fix_ids, os.path.join(args.out, f"logits_{ftype}.bin"), dev)
        # sanity: the rounded model keeps native retrieval
        s1, m1 = rope_schedule("none", 1)
        r5 = random.Random(5)
        chk = [build_task(tok, "passkey", r5, held_docs, 512, 504, 5, cpt * 0.92) for _ in range(args.trials)]
        fixtures[ftype]["passkey_512_rounded"] = answer_accuracy(m32, chk, s1, m1, dev, bs)
        log(f"fixture {ftype}: {fixtures[ftype]['passkey_512_rounded']} "
            f"{ {k: v['nll_mean_all_positions'] for k, v in fixtures[ftype].items() if isinstance(v, dict)} }")
    sched = {f"{mm}-{S}": {"s": rope_schedule(mm, S)[0].tolist(), "m": rope_schedule(mm, S)[1]}
             for mm, S in FIX_METHODS}
    fixmeta = dict(
        format="see tests/fixtures/model/README.md", model_files={k: f"{args.name}-{k}.gguf" for k in fixtures},
        positions=FIX_POS, methods=[f"{mm}-{S}" for mm, S in FIX_METHODS], topk=TOPK, full_rows=FIX_FULL,
        vocab=tok.n_vocab, rope=dict(D=64, base=10000.0, L=512, alpha=32, beta=1, d_l=3, d_h=16,
                                     layout="normal (adjacent pairs)", schedules=sched),
        input_ids=fix_ids, summary=fixtures)
    with open(os.path.join(args.out, "fixture.json"), "w") as f:
        json.dump(fixmeta, f)
    results = dict(cfg=cfg, params=n_params, steps=steps, batch=args.batch, ctx=ctx, synth_frac=args.synth_frac,
                   lr=args.lr, seed=args.seed, train_time_s=train_time, token_slots=tokens_seen,
                   train_tokens_corpus=len(train_ids), heldout_tokens=len(held_ids), chars_per_token=chars_per_tok,
                   curve=curve, eval=res, samples=samples, device=torch.cuda.get_device_name() if dev == "cuda"
                   else "cpu", torch=torch.__version__, total_time_s=time.time() - t_start)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    log(f"done in {time.time()-t_start:.0f}s")


if __name__ == "__main__":
    main()
