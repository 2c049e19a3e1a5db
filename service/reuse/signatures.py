"""MinHash signatures of passages, with datasketch, stored as compact bytes.

Byte layout of a stored signature: datasketch's ``LeanMinHash.serialize`` (seed, number
of permutations, scheme, then the hash values), preceded by nothing else; the passage's
start and end offsets are stored beside it in the database, not inside.

Example:
    >>> signed = sign_passages("Putin met Pompeo in Sochi on Tuesday and discussed Syria, Iran and Venezuela.")
    >>> LeanMinHash.deserialize(signed[0].signature).jaccard(signed[0].minhash)
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash
from datasketch.minhash import _SCHEME_WIDTHS, _fmix

from service.reuse.shingles import passages

NUM_PERM = 64
SEED = 1


@dataclass(frozen=True, slots=True)
class PassageSignature:
    """A passage's span (offsets into the signed text) and its MinHash."""

    start: int
    end: int
    minhash: LeanMinHash

    @property
    def signature(self) -> bytes:
        buffer = bytearray(self.minhash.bytesize())
        self.minhash.serialize(buffer)
        return bytes(buffer)

    @classmethod
    def from_bytes(cls, start: int, end: int, data: bytes) -> PassageSignature:
        return cls(start, end, LeanMinHash.deserialize(data))


@lru_cache(maxsize=4)
def _template(num_perm: int, seed: int) -> MinHash:
    # Permutations are drawn once per (num_perm, seed) and shared by every signature.
    return MinHash(num_perm=num_perm, seed=seed, hashfunc=int)


def minhash_of(shingles: tuple[int, ...], *, num_perm: int = NUM_PERM, seed: int = SEED) -> LeanMinHash:
    """The MinHash of a set of 32-bit shingle hashes."""
    template = _template(num_perm, seed)
    minhash = MinHash(
        num_perm=num_perm, seed=seed, hashfunc=int, permutations=template.permutations, scheme=template.scheme
    )
    minhash.update_batch(np.asarray(shingles, dtype=np.uint32).tolist() or [0])
    return LeanMinHash(minhash)


def _hash_rows(shingles: list[tuple[int, ...]], num_perm: int, seed: int) -> np.ndarray:
    """The MinHash values of many shingle sets at once: one (sets, num_perm) array.

    The same values as ``minhash_of`` on each set (datasketch's pre-mix and permutation,
    wrapping arithmetic of the scheme's width, applied to every shingle of the text in one
    product, then a minimum per set); a test holds the two paths equal.
    """
    template = _template(num_perm, seed)
    sizes = [len(s) or 1 for s in shingles]
    flat = np.fromiter((h for s in shingles for h in (s or (0,))), dtype=np.uint32, count=sum(sizes))
    a, b = template.permutations
    permuted = _fmix(flat.reshape(-1, 1), _SCHEME_WIDTHS[template.scheme]) * a + b
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return np.minimum.reduceat(permuted, starts, axis=0)


def sign_passages(text: str, *, num_perm: int = NUM_PERM, seed: int = SEED) -> list[PassageSignature]:
    """Signatures of every passage of ``text`` (see service.reuse.shingles), computed together."""
    found = passages(text)
    if not found:
        return []
    template = _template(num_perm, seed)
    rows = _hash_rows([p.shingles for p in found], num_perm, seed)
    return [PassageSignature(p.start, p.end, LeanMinHash(seed=seed, hashvalues=row, scheme=template.scheme)) for p, row in zip(found, rows)]
