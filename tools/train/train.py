#!/usr/bin/env python3
"""Train the project's default Llama-architecture model, evaluate it, export GGUF + fixtures.

One command does everything (see tools/train/README.md):
  python3 tools/train/train.py --data .traindata --out OUTDIR [--smoke] [--time-budget 540]
Steps: byte-level BPE tokenizer with ChatML specials -> Llama model (plain PyTorch, adjacent-pair
"normal" RoPE) -> training on plain text mixed with synthetic document tasks (tasks.py) in plain
and ChatML form -> checkpoint -> evaluation (the C++ eval's templates at 512 and 2048 tokens) ->
GGUF F16 + Q8_0 (with tokenizer.chat_template) -> cross-implementation logit fixtures.

Wall-time control: --time-budget is the whole run's wall clock (from start to the last file);
training stops early enough for evaluation and export (--reserve) and saves a checkpoint that
--resume continues (same tokenizer, model, optimiser state, step and lr schedule).
"""
import argparse
import json
import lzma
import math
import os
import random
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_writer as gw  # noqa: E402
import tasks  # noqa: E402

BOS, EOS = "<|bos|>", "<|eos|>"
IM_START, IM_END = tasks.IM_START, tasks.IM_END
SPECIALS = [BOS, EOS, IM_START, IM_END]  # ids 0..3 in this order
# What tok::detect_chat_template (runtime/tokenizer/chat_template.cpp) recognises as ChatML:
# it looks for "<|im_start|>" and no "<think>".  The usual ChatML Jinja (as Qwen2 ships it).
CHATML_JINJA = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
                "{% endif %}")


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# ============================================================== tokenizer
def gpt2_byte_symbols():
    """GPT-2's byte -> printable unicode map (what ByteLevel BPE vocabularies are written in)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


_SPECIAL_RE = re.compile("(" + "|".join(re.escape(t) for t in SPECIALS) + ")")


class Tok:
    """Byte-level BPE (HF `tokenizers`, GPT-2 pre-tokenizer) with SPECIALS as special tokens, which
    encode() recognises in text (as the C++ runtime does with parse_special for chat prompts).
    Without `tokenizers` (CPU smoke tests only) it is the same byte-level scheme with no merges,
    still a valid GGUF "gpt2" vocabulary that the C++ runtime loads."""

    def __init__(self, docs=None, vocab_size=8192, path=None, saved=None):
        try:
            import tokenizers  # noqa: F401
            self.hf = True
        except ImportError:
            self.hf = False
        if self.hf:
            from tokenizers import Tokenizer
            self.tok = Tokenizer.from_str(saved) if saved else self._train(docs, vocab_size)
            if path:
                self.tok.save(path)
            model = json.loads(self.tok.to_str())["model"]
            vocab = self.tok.get_vocab()
            self.tokens = [None] * len(vocab)
            for t, i in vocab.items():
                self.tokens[i] = t
            assert all(t is not None for t in self.tokens)
            self.merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
        else:
            sym = gpt2_byte_symbols()
            # One merge (two NUL bytes, absent from the cleaned corpus, so encode() never needs
            # it): the C++ runtime refuses a BPE vocabulary without merges.
            self.tokens = SPECIALS + [sym[b] for b in range(256)] + [sym[0] * 2]
            self.merges = [f"{sym[0]} {sym[0]}"]
        self.n_vocab = len(self.tokens)
        self.bos, self.eos, self.im_start, self.im_end = (self.tokens.index(t) for t in SPECIALS)

    @staticmethod
    def _train(docs, vocab_size):
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        tok.decoder = decoders.ByteLevel()
        tr = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False, special_tokens=SPECIALS,
                                 initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        tok.train_from_iterator(docs, tr)
        return tok

    def to_str(self):
        return self.tok.to_str() if self.hf else ""

    def encode(self, text):
        if self.hf:
            return self.tok.encode(text).ids
        out = []
        for part in _SPECIAL_RE.split(text):
            if part in SPECIALS:
                out.append(SPECIALS.index(part))
            elif part:
                out += [b + len(SPECIALS) for b in part.encode("utf-8")]
        return out

    def encode_batch(self, texts):
        if self.hf:
            return [e.ids for e in self.tok.encode_batch(texts)]
        return [self.encode(t) for t in texts]

    def decode(self, ids):
        ids = [i for i in ids if i >= len(SPECIALS)]
        if self.hf:
            return self.tok.decode(ids)
        return bytes(i - len(SPECIALS) for i in ids).decode("utf-8", errors="replace")


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


# ============================================================== synthetic document tasks
def encode_task(tok, prompt, answer):
    """[BOS] + prompt ids, answer ids.  Every prompt/answer split (after "is", ":" or the assistant
    header's newline, before a space or a capital) is a pre-tokenizer boundary, so encoding the two
    parts separately gives the ids of the whole text (checked by check_split_encoding)."""
    return [tok.bos] + tok.encode(prompt), tok.encode(answer)


def check_split_encoding(tok, docs, n=40):
    rng = random.Random(99)
    for _ in range(n):
        t = tasks.MAKERS[tasks.random_family(rng)](rng, docs, 600)
        for p, a in (tasks.format_plain(t, rng), tasks.format_chatml(t)):
            pid, aid = encode_task(tok, p, a)
            assert pid + aid == [tok.bos] + tok.encode(p + a), (p[-80:], a)


def build_sequence(tok, rng, docs, max_tokens, target_tokens, cpt, chat_frac, family=None):
    """One synthetic training sequence: (ids, answer_mask) with len(ids) <= max_tokens.  The
    document part is sized from chars-per-token and shrunk until the whole sequence fits."""
    family = family or tasks.random_family(rng)
    chat = rng.random() < chat_frac
    nchars = max(80, int((target_tokens - 70) * cpt))
    for _ in range(6):
        t = tasks.MAKERS[family](rng, docs, nchars)
        p, a = tasks.format_chatml(t) if chat else tasks.format_plain(t, rng)
        pid, aid = encode_task(tok, p, a)
        ids = pid + aid + ([] if chat else [tok.eos])
        if len(ids) <= max_tokens:
            return ids, [0] * len(pid) + [1] * (len(ids) - len(pid))
        nchars -= int((len(ids) - max_tokens + 8) * cpt * 1.2)  # the document part takes the cut
    raise RuntimeError(f"could not fit a {family} task into {max_tokens} tokens")


class SynthStream(torch.utils.data.IterableDataset):
    """Endless batches of synthetic task sequences: ids [n, ctx+1] (-1 = padding) and per-token
    loss weights [n, ctx+1] (answer tokens `answer_weight`, other tokens 1, padding 0).
    Worker w of a run resumed at step s draws from seed*1000 + w + 7919*s."""

    def __init__(self, tok, docs, n, ctx, seed, cpt, chat_frac, answer_weight, start_step=0):
        self.tok, self.docs, self.n, self.ctx, self.cpt = tok, docs, n, ctx, cpt
        self.seed, self.chat_frac, self.answer_weight, self.start_step = seed, chat_frac, answer_weight, start_step

    def __iter__(self):
        wi = torch.utils.data.get_worker_info()
        wid = wi.id if wi else 0
        rng = random.Random(self.seed * 1000 + wid + 7919 * self.start_step)
        while True:
            ids = np.full((self.n, self.ctx + 1), -1, dtype=np.int64)
            wts = np.zeros((self.n, self.ctx + 1), dtype=np.float32)
            for r in range(self.n):
                target = rng.randint(128, self.ctx + 1)
                try:
                    seq, ans = build_sequence(self.tok, rng, self.docs, self.ctx + 1, target, self.cpt, self.chat_frac)
                except RuntimeError:
                    continue  # a rare unfittable draw: the row stays padding
                ids[r, :len(seq)] = seq
                wts[r, :len(seq)] = np.where(np.array(ans) > 0, self.answer_weight, 1.0)
            yield torch.from_numpy(ids), torch.from_numpy(wts)


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
        if nxt in (tok.eos, tok.im_end):
            break
        ids.append(nxt)
    return tok.decode(ids)


def fit_eval_task(tok, family, rng, docs, T, cpt):
    """(prompt ids, answer ids) of the C++ eval's template for `family`, at most T tokens in all.
    "doc_qa_chat" is doc-qa in the ChatML form of mrrope-cli ask (answer = the full sentence)."""
    nchars = int((T - 70) * cpt)
    for _ in range(8):
        if family == "doc_qa_chat":
            t = tasks.eval_doc_qa_task(rng, docs, nchars)
            p, a = tasks.format_chatml(t)[0], t.prefix + t.answer
        else:
            p, a = tasks.eval_task(family, rng, docs, nchars)
        pid, aid = encode_task(tok, p, a)
        if len(pid) + len(aid) <= T:
            return pid, aid
        nchars -= int((len(pid) + len(aid) - T + 8) * cpt * 1.2)
    raise RuntimeError(f"could not fit eval {family} into {T}")


EVAL_CONFIGS = {512: [("none", 1)], 2048: [("none", 1), ("yarn", 4), ("mrrope-pro", 4)]}


def run_eval(model, tok, held_docs, held_ids, cpt, dev, trials, seed):
    """Teacher-forced exact answers (greedy decoding would write every answer token) on the C++
    eval's templates, names and values (never trained on), with held-out documents as haystacks;
    perplexity of held-out text.  `mrrope-cli eval` is the full measurement; this is the quick one."""
    rng = random.Random(seed + 7)
    res = {}
    fams = tasks.EVAL_FAMILIES + ["doc_qa_chat"]
    for T, configs in EVAL_CONFIGS.items():
        sets = {}
        for f in fams:
            try:
                sets[f] = [fit_eval_task(tok, f, rng, held_docs, T, cpt) for _ in range(trials)]
            except RuntimeError as e:  # e.g. common words at 512 with the byte-only smoke tokenizer
                log(f"EVAL skipped: {e}")
        n_w = max(2, min(16, (len(held_ids) - 1) // (T + 1)))
        stride = (len(held_ids) - T - 1) // n_w
        win = torch.stack([held_ids[i * stride:i * stride + T + 1].long() for i in range(n_w)])
        win[:, 0] = tok.bos
        for meth, S in configs:
            s, m = rope_schedule(meth, S)
            r = {f: answer_accuracy(model, v, s, m, dev, 25 if T <= 512 else 8) for f, v in sets.items()}
            r["ppl"] = perplexity(model, win, s, m, dev, 8 if T <= 512 else 4)
            res.setdefault(str(T), {})[f"{meth}-{S}" if S > 1 else meth] = r
            log(f"EVAL T={T} {meth}-{S}: " + " ".join(f"{k}={v:.2f}" for k, v in r.items()))
    return res


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
    ttype = [3 if t in SPECIALS else 1 for t in tok.tokens]  # 3 = control
    w.add("tokenizer.ggml.token_type", gw.T_ARRAY, (gw.T_INT32, ttype))
    w.add("tokenizer.ggml.merges", gw.T_ARRAY, (gw.T_STRING, tok.merges))
    w.add("tokenizer.ggml.bos_token_id", gw.T_UINT32, tok.bos)
    w.add("tokenizer.ggml.eos_token_id", gw.T_UINT32, tok.eos)
    w.add("tokenizer.ggml.add_bos_token", gw.T_BOOL, True)
    w.add("tokenizer.ggml.add_eos_token", gw.T_BOOL, False)
    w.add("tokenizer.ggml.eot_token_id", gw.T_UINT32, tok.im_end)  # ends an assistant turn
    w.add("tokenizer.chat_template", gw.T_STRING, CHATML_JINJA)
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


# ============================================================== checkpoints
def save_checkpoint(path, model, opt, tok, state):
    """Everything --resume needs: tokenizer, config, weights, optimiser moments, step, schedule.
    Written to a temporary name first, so a run killed mid-write keeps the previous checkpoint."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(dict(state, model=model.state_dict(), opt=opt.state_dict(), tokenizer=tok.to_str()), tmp)
    os.replace(tmp, path)
    log(f"checkpoint {path} at step {state['step']}/{state['planned_steps']} ({os.path.getsize(path) / 1e6:.0f} MB)")


def lr_at(step, planned, peak, warm):
    """Linear warm-up, then cosine from peak to peak/10 at the planned last step."""
    if step < warm:
        return peak * (step + 1) / warm
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, planned - warm)))))


# ============================================================== main
MODEL_CFG = dict(vocab=8192, ctx=512, d=512, layers=8, heads=8, kv_heads=8, ffn=1024)  # 25.2 M parameters
SMOKE_CFG = dict(vocab=8192, ctx=512, d=64, layers=2, heads=1, kv_heads=1, ffn=128)
TOKENIZER_TRAIN_CHARS = 16_000_000  # a deterministic subset: enough for 8192 tokens, fast to train


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=".traindata")
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true", help="tiny model, few steps and eval trials (CPU check)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--time-budget", type=float, default=540.0,
                    help="wall seconds for the whole run; training stops --reserve seconds before it")
    ap.add_argument("--reserve", type=float, default=80.0, help="seconds kept for evaluation and export")
    ap.add_argument("--steps", type=int, default=0, help="planned steps (lr schedule); 0: sized from the budget")
    ap.add_argument("--max-steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--synth-frac", type=float, default=0.5, help="share of each batch that is synthetic tasks")
    ap.add_argument("--chat-frac", type=float, default=0.5, help="share of synthetic tasks in ChatML form")
    ap.add_argument("--answer-weight", type=float, default=4.0, help="loss weight of answer tokens")
    ap.add_argument("--trials", type=int, default=50)
    ap.add_argument("--name", default="ctxext-llama-25m")
    ap.add_argument("--ckpt", default="", help="checkpoint path (default OUT/ckpt.pt)")
    ap.add_argument("--ckpt-every", type=float, default=180.0, help="seconds between checkpoints")
    ap.add_argument("--resume", default="", help="checkpoint to continue from")
    ap.add_argument("--workers", type=int, default=12, help="DataLoader workers making synthetic tasks (GPU)")
    return ap.parse_args()


def load_docs(data_dir, name):
    with lzma.open(os.path.join(data_dir, name), "rt", encoding="utf-8") as f:
        return [d for d in f.read().split("\f\n") if d.strip()]


def token_stream(tok, docs):
    """All documents as one id stream, each as BOS ... EOS."""
    out = []
    for d in tok.encode_batch(docs):
        out += [tok.bos] + d + [tok.eos]
    return torch.tensor(out, dtype=torch.int32)


def make_tokenizer(args, train_docs, ck):
    if ck:
        return Tok(saved=ck["tokenizer"] or None, path=os.path.join(args.out, "tokenizer.json"))
    step = max(1, sum(map(len, train_docs)) // TOKENIZER_TRAIN_CHARS + 1)
    return Tok(train_docs[::step], MODEL_CFG["vocab"], os.path.join(args.out, "tokenizer.json"))


def make_optimizer(model, lr, dev):
    decay = [p for p in model.parameters() if p.dim() == 2]
    nodecay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.95), eps=1e-8, **({"fused": True} if dev == "cuda" else {}))


def weighted_loss(model, x, y, w, cos, sin, dev):
    """Per-token cross entropy times weight, normalised by the total weight; also per-token losses."""
    with torch.autocast(dev, dtype=torch.bfloat16, enabled=dev == "cuda"):
        logits = model.logits(model.hidden(x, cos, sin))
    ce = F.cross_entropy(logits.float().flatten(0, 1), y.clamp(min=0).flatten(), reduction="none").view(y.shape)
    return (ce * w).sum() / w.sum(), ce


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    t_start = time.time()
    deadline = t_start + args.time_budget - args.reserve  # training stops here
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    ckpt_path = args.ckpt or os.path.join(args.out, "ckpt.pt")
    ck = torch.load(args.resume, map_location="cpu") if args.resume else None
    smoke = args.smoke
    if smoke:  # every code path at CPU scale
        args.batch, args.trials = 2, 2
        EVAL_CONFIGS.clear()
        EVAL_CONFIGS.update({512: [("none", 1)], 1024: [("mrrope-pro", 4)]})

    # ---------------- data + tokenizer
    train_docs = load_docs(args.data, "corpus_train.txt.xz")
    held_docs = load_docs(args.data, "corpus_heldout.txt.xz")
    if smoke:
        train_docs, held_docs = train_docs[:300], held_docs[:60]
    log(f"docs train {len(train_docs)} heldout {len(held_docs)}; chars {sum(map(len, train_docs)):,}")
    tok = make_tokenizer(args, train_docs, ck)
    log(f"tokenizer: {tok.n_vocab} tokens, {len(tok.merges)} merges, hf={tok.hf} ({time.time() - t_start:.0f}s)")
    if not tok.hf and not smoke:  # a byte-level vocabulary would quietly cost the model most of its context
        sys.exit("train.py: the Hugging Face `tokenizers` package is missing (pip install tokenizers); "
                 "only --smoke runs without it")
    check_split_encoding(tok, train_docs)
    train_ids, held_ids = token_stream(tok, train_docs), token_stream(tok, held_docs)
    cpt = sum(map(len, train_docs)) / len(train_ids)
    log(f"tokens train {len(train_ids):,} heldout {len(held_ids):,}; {cpt:.2f} chars/token ({time.time() - t_start:.0f}s)")

    # ---------------- model + optimiser (+ resume)
    cfg = dict(ck["cfg"]) if ck else dict(SMOKE_CFG if smoke else MODEL_CFG, vocab=tok.n_vocab)
    model = Llama(cfg).to(dev)
    opt = make_optimizer(model, args.lr, dev)
    step, planned, curve, train_time = 0, args.steps or (20 if smoke else 0), [], 0.0
    if ck:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, curve, train_time = ck["step"], ck["curve"], ck["train_time"]
        planned = args.steps or ck["planned_steps"]
        log(f"resumed {args.resume} at step {step}/{planned}")
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model {cfg} params {n_params:,}")

    # ---------------- batches: natural text windows + synthetic tasks
    ctx = cfg["ctx"]
    n_syn = int(round(args.batch * args.synth_frac))
    n_nat = args.batch - n_syn
    nw = 0 if smoke or dev == "cpu" else args.workers
    stream = SynthStream(tok, train_docs, n_syn, ctx, args.seed, cpt * 0.95, args.chat_frac, args.answer_weight, step)
    dl = torch.utils.data.DataLoader(stream, batch_size=None, num_workers=nw,
                                     **({"prefetch_factor": 4, "persistent_workers": True} if nw else {}))
    syn_iter = iter(dl)
    gen = torch.Generator().manual_seed(args.seed + step)
    train_gpu = train_ids.to(dev).long()
    ar = torch.arange(ctx, device=dev)
    cos0, sin0 = rope_tables(ctx, np.ones(32), 1.0, device=dev)
    val_x = torch.stack([held_ids[i:i + ctx + 1].long() for i in
                         range(0, min(len(held_ids) - ctx - 1, 64 * ctx), ctx)])
    val_x[:, 0] = tok.bos

    def get_batch():
        off = torch.randint(0, len(train_ids) - ctx - 1, (n_nat,), generator=gen).to(dev)
        nat = train_gpu[off[:, None] + ar[None, :]]
        nat = torch.cat([torch.full((n_nat, 1), tok.bos, device=dev), nat], 1)
        syn, syn_w = next(syn_iter)
        b = torch.cat([nat, syn.to(dev, non_blocking=True)], 0)
        w = torch.cat([torch.ones(n_nat, ctx + 1, device=dev), syn_w.to(dev, non_blocking=True)], 0)
        return b[:, :-1].clamp(min=0), b[:, 1:], w[:, 1:]

    @torch.no_grad()
    def val_loss():
        model.eval()
        tot = 0.0
        for i in range(0, len(val_x), 32):
            xb = val_x[i:i + 32].to(dev)
            l, _ = weighted_loss(model, xb[:, :-1], xb[:, 1:], torch.ones_like(xb[:, 1:], dtype=torch.float), cos0,
                                 sin0, dev)
            tot += l.item() * len(xb)
        model.train()
        return tot / len(val_x)

    def state():
        return dict(cfg=cfg, step=step, planned_steps=planned, curve=curve, train_time=train_time,
                    chars_per_token=cpt, args=vars(args))

    # ---------------- training
    warm = 20 if smoke else 150
    t0, t_ckpt, step0 = time.time(), time.time(), step
    stopped_by_time = False
    while planned == 0 or step < planned:
        if time.time() > deadline:
            stopped_by_time = True
            break
        lr = lr_at(step, planned or args.max_steps, args.lr, warm)
        for g in opt.param_groups:
            g["lr"] = lr
        x, y, w = get_batch()
        loss, ce = weighted_loss(model, x, y, w, cos0, sin0, dev)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        # Size the run from the speed of steps 20-80: the first steps run slower (CUDA start-up, task
        # workers filling their queues), and run 3's first call, timed over steps 0-30 (4.9 steps/s
        # against 8.9 later), planned half the steps its budget allowed.
        if planned == 0 and step - step0 in (20, 80) and dev == "cuda":
            torch.cuda.synchronize()
        if planned == 0 and step - step0 == 20:
            t_rate = time.time()
        elif planned == 0 and step - step0 == 80:
            rate = 60 / (time.time() - t_rate)
            planned = min(args.max_steps, step + int(rate * (deadline - time.time()) * 0.97))
            log(f"measured {rate:.2f} steps/s = {rate * args.batch * ctx / 1e3:.0f}k tok/s -> {planned} steps")
        if step % 50 == 0 or step == planned or smoke:
            mask = (w > 0).float()
            ent = dict(step=step, lr=lr, loss=loss.item(),
                       loss_text=(ce[:n_nat].mean()).item(),
                       loss_synth=((ce[n_nat:] * mask[n_nat:]).sum() / mask[n_nat:].sum().clamp(min=1)).item(),
                       t=round(train_time + time.time() - t0, 1))
            if step % 250 == 0 or step == planned:
                ent["val_loss"] = val_loss()
            curve.append(ent)
            log(json.dumps(ent))
        if time.time() - t_ckpt > args.ckpt_every and not smoke:
            train_time += time.time() - t0; t0 = time.time()
            save_checkpoint(ckpt_path, model, opt, tok, state())
            t_ckpt = time.time()
    if dev == "cuda":
        torch.cuda.synchronize()
    train_time += time.time() - t0
    save_checkpoint(ckpt_path, model, opt, tok, state())
    if stopped_by_time:
        log(f"time budget reached at step {step}/{planned}: continue with --resume {ckpt_path}")
    log(f"trained to step {step} ({train_time:.0f}s of training in all); {time.time() - t_start:.0f}s elapsed")
    model.eval()
    syn_iter = dl = None  # stops the DataLoader workers
    finish(args, model, tok, cfg, n_params, held_docs, held_ids, train_ids, cpt, dev, step, planned, curve,
           train_time, stopped_by_time, t_start)


def finish(args, model, tok, cfg, n_params, held_docs, held_ids, train_ids, cpt, dev, step, planned, curve,
           train_time, stopped_by_time, t_start):
    """Samples, evaluation, GGUF export, fixtures, results.json."""
    t_fin = time.time()
    torch.set_float32_matmul_precision("highest")
    samples = {}
    for i, p in enumerate(["In the beginning", "The program reads", "And the king said unto", "A computer is"]):
        samples[p] = sample(model, tok, p, 16 if args.smoke else 80, dev, seed=i)
        log("SAMPLE:", repr(samples[p]))
    res = run_eval(model, tok, held_docs, held_ids, cpt, dev, args.trials, args.seed)
    log(f"evaluation took {time.time() - t_fin:.0f}s")
    fix_ids = [tok.bos] + held_ids[1000:1000 + 2047].tolist()
    fixtures = {}
    for ftype in ("f16", "q8_0"):
        path = os.path.join(args.out, f"{args.name}-{ftype}.gguf")
        rounded = export_gguf(model, tok, path, ftype, args.name)
        log(f"wrote {path} {os.path.getsize(path):,} bytes")
        m32 = load_rounded(model, rounded).to(dev).float().eval()
        fixtures[ftype] = make_fixture(m32, fix_ids, os.path.join(args.out, f"logits_{ftype}.bin"), dev)
        # the rounded model keeps native document QA (C++ eval's templates)
        r5 = random.Random(5)
        chk = [fit_eval_task(tok, "doc_qa", r5, held_docs, 512, cpt) for _ in range(args.trials)]
        fixtures[ftype]["doc_qa_512_rounded"] = answer_accuracy(m32, chk, *rope_schedule("none", 1), dev, 25)
        log(f"fixture {ftype}: doc_qa {fixtures[ftype]['doc_qa_512_rounded']}")
    write_fixture_meta(args, tok, fix_ids, fixtures)
    results = dict(cfg=cfg, params=n_params, steps=step, planned_steps=planned, stopped_by_time=stopped_by_time,
                   batch=args.batch, ctx=cfg["ctx"], synth_frac=args.synth_frac, chat_frac=args.chat_frac,
                   answer_weight=args.answer_weight, lr=args.lr, seed=args.seed, train_time_s=train_time,
                   token_slots=step * args.batch * cfg["ctx"], train_tokens_corpus=len(train_ids),
                   heldout_tokens=len(held_ids), chars_per_token=cpt, curve=curve, eval=res, samples=samples,
                   family_weights=tasks.FAMILY_WEIGHTS, resumed_from=args.resume or None,
                   device=torch.cuda.get_device_name() if dev == "cuda" else "cpu", torch=torch.__version__,
                   finish_time_s=time.time() - t_fin, total_time_s=time.time() - t_start)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    log(f"done in {time.time() - t_start:.0f}s (evaluation + export {time.time() - t_fin:.0f}s)")


def write_fixture_meta(args, tok, fix_ids, fixtures):
    sched = {f"{mm}-{S}": {"s": rope_schedule(mm, S)[0].tolist(), "m": rope_schedule(mm, S)[1]}
             for mm, S in FIX_METHODS}
    fixmeta = dict(
        format="see tests/fixtures/model/README.md", model_files={k: f"{args.name}-{k}.gguf" for k in fixtures},
        positions=FIX_POS, methods=[f"{mm}-{S}" for mm, S in FIX_METHODS], topk=TOPK, full_rows=FIX_FULL,
        vocab=tok.n_vocab, rope=dict(D=64, base=10000.0, L=512, alpha=32, beta=1, d_l=3, d_h=16,
                                     layout="normal (adjacent pairs)", schedules=sched),
        input_ids=fix_ids, input_text_decoded=tok.decode(fix_ids[1:]), summary=fixtures)
    with open(os.path.join(args.out, "fixture.json"), "w") as f:
        json.dump(fixmeta, f)


if __name__ == "__main__":
    main()
