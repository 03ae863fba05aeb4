"""Minimal GGUF v3 writer/reader (numpy only) for the project's Llama model.

Layout (https://github.com/ggerganov/ggml/blob/master/docs/gguf.md):
  u32 magic "GGUF", u32 version 3, u64 n_tensors, u64 n_kv,
  n_kv x (string key, u32 type, value),
  n_tensors x (string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset),
  padding to `alignment`, tensor data (each tensor's offset aligned to `alignment`).
Strings are u64 length + UTF-8 bytes.  ne[0] is the innermost (contiguous) dimension, so a
row-major numpy array of shape (rows, cols) is written with ne = [cols, rows].
"""
import struct

import numpy as np

GGUF_MAGIC = 0x46554747
ALIGN = 32

# value types
T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY, \
    T_UINT64, T_INT64, T_FLOAT64 = range(13)
# ggml tensor types
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
QK8_0 = 32
# general.file_type values (llama_ftype)
FTYPE_F32, FTYPE_F16, FTYPE_Q8_0 = 0, 1, 7

_SCALAR = {T_UINT8: "<B", T_INT8: "<b", T_UINT16: "<H", T_INT16: "<h", T_UINT32: "<I", T_INT32: "<i",
           T_FLOAT32: "<f", T_BOOL: "<?", T_UINT64: "<Q", T_INT64: "<q", T_FLOAT64: "<d"}


def _str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(vtype, v):
    if vtype == T_STRING:
        return _str(v)
    if vtype == T_ARRAY:
        etype, items = v
        out = [struct.pack("<IQ", etype, len(items))]
        if etype == T_STRING:
            out += [_str(x) for x in items]
        else:
            out.append(np.asarray(items, dtype=np.dtype(_SCALAR[etype])).tobytes())
        return b"".join(out)
    return struct.pack(_SCALAR[vtype], v)


def quantize_q8_0(x):
    """ggml's reference Q8_0 quantizer: per block of 32, d = amax/127 (stored as f16),
    q = round-half-away-from-zero(x / d) using the float32 d.  Returns (bytes, dequantized f32)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    assert x.shape[-1] % QK8_0 == 0
    b = x.reshape(-1, QK8_0)
    amax = np.abs(b).max(axis=1, keepdims=True)
    d = (amax / np.float32(127.0)).astype(np.float32)
    with np.errstate(divide="ignore"):
        idv = np.where(d != 0, np.float32(1.0) / d, np.float32(0.0)).astype(np.float32)
    v = (b * idv).astype(np.float32)
    q = (np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))).astype(np.int8)  # lroundf
    d16 = d.astype(np.float16)
    blocks = np.empty((b.shape[0], 34), dtype=np.uint8)
    blocks[:, :2] = d16.view(np.uint8).reshape(-1, 2)
    blocks[:, 2:] = q.view(np.uint8)
    deq = (q.astype(np.float32) * d16.astype(np.float32)).reshape(x.shape)
    return blocks.tobytes(), deq


def dequantize_q8_0(raw, shape):
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 34)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    q = blocks[:, 2:].copy().view(np.int8).astype(np.float32)
    return (q * d).reshape(shape)


class GGUFWriter:
    def __init__(self):
        self.kv = []       # (key, type, value)
        self.tensors = []  # (name, ne list, ggml_type, bytes)

    def add(self, key, vtype, value):
        self.kv.append((key, vtype, value))

    def add_tensor(self, name, arr, ggml_type):
        """arr: numpy array in row-major order (float32); stored as F32, F16 or Q8_0.
        Returns the float32 values the file will hold (after rounding)."""
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        ne = list(reversed(arr.shape))
        if ggml_type == GGML_F32:
            data, back = arr.tobytes(), arr
        elif ggml_type == GGML_F16:
            h = arr.astype(np.float16)
            data, back = h.tobytes(), h.astype(np.float32)
        elif ggml_type == GGML_Q8_0:
            data, back = quantize_q8_0(arr)
        else:
            raise ValueError(ggml_type)
        self.tensors.append((name, ne, ggml_type, data))
        return back

    def write(self, path):
        kv = [("general.alignment", T_UINT32, ALIGN)] + self.kv
        head = [struct.pack("<IIQQ", GGUF_MAGIC, 3, len(self.tensors), len(kv))]
        for k, t, v in kv:
            head.append(_str(k) + struct.pack("<I", t) + _value(t, v))
        offset = 0
        offsets = []
        for name, ne, gt, data in self.tensors:
            offsets.append(offset)
            head.append(_str(name) + struct.pack("<I", len(ne)) + struct.pack(f"<{len(ne)}Q", *ne)
                        + struct.pack("<IQ", gt, offset))
            offset += (len(data) + ALIGN - 1) // ALIGN * ALIGN
        header = b"".join(head)
        with open(path, "wb") as f:
            f.write(header)
            f.write(b"\0" * ((-len(header)) % ALIGN))
            for (name, ne, gt, data), off in zip(self.tensors, offsets):
                f.write(data)
                f.write(b"\0" * ((-len(data)) % ALIGN))


def read_gguf(path):
    """Parse a GGUF file: returns (kv dict, {name: float32 array in numpy (row-major) shape})."""
    buf = open(path, "rb").read()
    pos = 0

    def rd(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def rstr():
        nonlocal pos
        n = rd("<Q")
        s = buf[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def rval(t):
        if t == T_STRING:
            return rstr()
        if t == T_ARRAY:
            et, n = rd("<I"), rd("<Q")
            return [rval(et) for _ in range(n)]
        return rd(_SCALAR[t])

    magic, ver, nt, nkv = rd("<IIQQ")
    assert magic == GGUF_MAGIC and ver == 3
    kv = {}
    for _ in range(nkv):
        k = rstr()
        kv[k] = rval(rd("<I"))
    infos = []
    for _ in range(nt):
        name = rstr()
        nd = rd("<I")
        ne = [rd("<Q") for _ in range(nd)]
        gt, off = rd("<I"), rd("<Q")
        infos.append((name, ne, gt, off))
    align = kv.get("general.alignment", ALIGN)
    base = (pos + align - 1) // align * align
    tensors = {}
    for name, ne, gt, off in infos:
        shape = tuple(reversed(ne))
        n = int(np.prod(ne))
        start = base + off
        if gt == GGML_F32:
            a = np.frombuffer(buf, np.float32, n, start).reshape(shape)
        elif gt == GGML_F16:
            a = np.frombuffer(buf, np.float16, n, start).astype(np.float32).reshape(shape)
        elif gt == GGML_Q8_0:
            a = dequantize_q8_0(buf[start:start + n // QK8_0 * 34], shape)
        else:
            raise ValueError(gt)
        tensors[name] = a
    return kv, tensors
