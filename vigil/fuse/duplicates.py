"""Near-duplicate articles (wire copies, syndication, one text under several outlets) via MinHash.

Two documents whose word 5-shingle sets have an estimated Jaccard similarity of
at least ``threshold`` are copies; each copy points at the earliest document of
its group (by publication date, then id), which is what counts as the source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from datasketch import MinHash, MinHashLSH

from vigil.schema import Article

_WORD = re.compile(r"\w+")
NUM_PERM = 64
SHINGLE = 5


def _minhash(text: str) -> MinHash:
    words = _WORD.findall(text.lower())
    m = MinHash(num_perm=NUM_PERM, seed=1)
    if len(words) < SHINGLE:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    for s in shingles:
        m.update(s.encode("utf-8"))
    return m


def near_duplicates(articles: Sequence[Article], threshold: float = 0.8) -> dict[str, str]:
    """Map each copy's document id to the id of the original it copies (originals are not keys).

    >>> from vigil.schema import Article
    >>> t = "Residents of the town gathered in the main square on Sunday to demand the mayor's release."
    >>> near_duplicates([Article(id="a", text=t), Article(id="b", text=t + " (Wire)")])
    {'b': 'a'}
    """
    order = sorted(articles, key=lambda a: (a.published or date.max, a.id))
    rank = {a.id: n for n, a in enumerate(order)}
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    out: dict[str, str] = {}
    for a in order:
        m = _minhash(a.text)
        found = [k for k in lsh.query(m) if hashes[k].jaccard(m) >= threshold]
        if found:
            first = min(found, key=rank.__getitem__)
            out[a.id] = out.get(first, first)
        else:
            lsh.insert(a.id, m)
        hashes[a.id] = m
    return out
