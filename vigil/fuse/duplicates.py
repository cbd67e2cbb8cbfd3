"""Near-duplicate articles (wire copies, syndication, one text under several outlets) via MinHash.

Two documents whose word 5-shingle sets have an estimated Jaccard similarity of
at least ``threshold`` are copies; each copy points at the earliest document of
its group (by publication date, then id), which is what counts as the source.

Across runs: a store keeps each document's MinHash signature (``signature``) and its
LSH band keys (``band_keys``), so a later run finds the stored candidates of a new text
by its band keys and compares signatures, without reading stored texts. Stored documents
come before every new one (their originals never change); a new copy of a stored copy
points at the stored original.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from datasketch import MinHash, MinHashLSH

from vigil.schema import Article

_WORD = re.compile(r"\w+")
NUM_PERM = 64
SHINGLE = 5
THRESHOLD = 0.8

Signature = tuple[int, ...]


@dataclass(frozen=True)
class StoredDoc:
    """What a store keeps of a document for near-duplicate checks: its signature and its original."""

    signature: Signature
    duplicate_of: str | None = None
    published: date | None = None


def _minhash(text: str) -> MinHash:
    words = _WORD.findall(text.lower())
    m = MinHash(num_perm=NUM_PERM, seed=1)
    if len(words) < SHINGLE:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def signature(text: str) -> Signature:
    """The MinHash signature of a text (``NUM_PERM`` 32-bit values) as stored.

    >>> len(signature("Residents of the town gathered in the main square on Sunday."))
    64
    """
    return tuple(int(v) for v in _minhash(text if isinstance(text, str) else "").hashvalues)


@lru_cache(maxsize=4)
def _bands(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's LSH uses for ``threshold`` and ``NUM_PERM``."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def band_keys(sig: Signature, threshold: float = THRESHOLD) -> list[str]:
    """The LSH band keys of a signature: two signatures sharing one key are candidate copies.

    A key is ``"<band>:<16 hex digits>"`` (the band number and a digest of its rows).
    """
    b, r = _bands(threshold)
    out = []
    for i in range(b):
        rows = b"".join(v.to_bytes(4, "big") for v in sig[i * r:(i + 1) * r])
        out.append(f"{i}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return out


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two signatures (the share of equal values)."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def near_duplicates(
    articles: Sequence[Article],
    threshold: float = THRESHOLD,
    *,
    stored: Mapping[str, StoredDoc] | None = None,
    signatures: Mapping[str, Signature] | None = None,
) -> dict[str, str]:
    """Map each copy's document id to the id of the original it copies (originals are not keys).

    Args:
        stored: already stored candidate documents by id (found by ``band_keys``); they rank
            before every new article, and a stored copy's original is followed. Stored ids are
            never keys of the result.
        signatures: the articles' signatures when already computed (by id).

    >>> from vigil.schema import Article
    >>> t = "Residents of the town gathered in the main square on Sunday to demand the mayor's release."
    >>> near_duplicates([Article(id="a", text=t), Article(id="b", text=t + " (Wire)")])
    {'b': 'a'}
    """
    stored = stored or {}
    signatures = signatures or {}
    old = sorted(stored, key=lambda k: (stored[k].published or date.max, k))
    order = sorted((a for a in articles if a.id not in stored), key=lambda a: (a.published or date.max, a.id))
    rank = {k: n for n, k in enumerate([*old, *(a.id for a in order)])}
    index: dict[str, list[str]] = {}
    sigs: dict[str, Signature] = {}
    out: dict[str, str] = {}
    roots = {k: doc.duplicate_of or k for k, doc in stored.items()}
    for k in old:
        sigs[k] = stored[k].signature
        for key in band_keys(sigs[k], threshold):
            index.setdefault(key, []).append(k)
    for a in order:
        sig = signatures.get(a.id) or signature(a.text)
        keys = band_keys(sig, threshold)
        candidates = {k for key in keys for k in index.get(key, ())}
        found = [k for k in candidates if similarity(sigs[k], sig) >= threshold]
        if found:
            first = min(found, key=rank.__getitem__)
            out[a.id] = roots.get(first, first)
        else:
            for key in keys:
                index.setdefault(key, []).append(a.id)
        sigs[a.id] = sig
    return out
