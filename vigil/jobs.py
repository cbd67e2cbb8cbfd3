"""The main jobs behind the CLI: run inputs into a store, extract a JSONL batch.

These are consumers of the stages (ingest, pipeline, fuse, store, export), kept
out of ``cli.py`` so that the CLI stays a thin layer and tests and benches can
call the same code path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from vigil.errors import InputError, StageError
from vigil.schema import Article, Event, EventCluster, Rejected

log = logging.getLogger(__name__)

FUSION_WINDOW = timedelta(days=14)


@dataclass
class RunSummary:
    """What a run did: counts and the one-line reasons of everything it could not use."""

    read: int = 0
    stored: int = 0
    duplicates: int = 0
    events: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.read} documents read, {self.stored} stored, {self.duplicates} already in the store, "
                f"{self.events} events, {len(self.rejected)} rejected")


def _reject_from_error(article: Article, err: Exception) -> Rejected:
    code = "stage" if isinstance(err, StageError) else "input"
    return Rejected(source=article.source or article.id, code=code, message=str(err))


class _StoredEvents:
    """The stored events a run has needed so far, read once per day range and kept up to date.

    Fusion needs the stored events near a batch's dates; reading them again for every
    batch would make an incremental run cost more than the extraction it follows.
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self.events: dict[str, Event] = {}
        self.lo: date | None = None
        self.hi: date | None = None

    def _load(self, since: date, until: date) -> None:
        for e in self.store.query_events(since=since, until=until):
            self.events.setdefault(e.id, e)

    def near(self, articles: Sequence[Article]) -> list[Event]:
        days = [d for a in articles for e in a.events for d in (e.date.start, e.date.end) if d]
        if not days:
            return []
        try:
            lo, hi = min(days) - FUSION_WINDOW, max(days) + FUSION_WINDOW
        except OverflowError:
            lo, hi = min(days), max(days)
        if self.lo is None or self.hi is None:
            self._load(lo, hi)
            self.lo, self.hi = lo, hi
        else:
            if lo < self.lo:
                self._load(lo, self.lo)
                self.lo = lo
            if hi > self.hi:
                self._load(self.hi, hi)
                self.hi = hi
        return list(self.events.values())

    def add(self, article: Article) -> None:
        for e in article.events:
            self.events[e.id] = e


@dataclass
class _Copies:
    """A batch's MinHash signatures, band keys and copy -> original map (stored originals included)."""

    signatures: dict[str, tuple[int, ...]]
    bands: dict[str, list[str]]
    originals: dict[str, str]


def _copies(batch: Sequence[Article], store: Any) -> _Copies:
    """Near-duplicates of a batch among itself and the stored documents (found by band keys, no texts read)."""
    from vigil.fuse import StoredDoc, band_keys, near_duplicates, signature

    sigs = {a.id: signature(a.text) for a in batch}
    bands = {doc_id: band_keys(sig) for doc_id, sig in sigs.items()}
    found = store.similar_documents({k for keys in bands.values() for k in keys})
    stored = {d: StoredDoc(signature=sig, duplicate_of=orig, published=pub) for d, (sig, orig, pub) in found.items()
              if d not in sigs}
    originals = near_duplicates(batch, stored=stored, signatures=sigs)
    # stored copies among the candidates keep pointing at their originals (fusion treats them alike)
    originals.update({d: doc.duplicate_of for d, doc in stored.items() if doc.duplicate_of})
    return _Copies(signatures=sigs, bands=bands, originals=originals)


def run_into_store(
    items: Iterable[Article | Rejected],
    store: Any,
    pipeline: Callable[[Article], Article],
    *,
    on_reject: Callable[[Rejected], None] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 32,
) -> RunSummary:
    """Process ingested items and store them, one transaction per document.

    Documents whose raw bytes are already stored are skipped before any work, so
    an interrupted run can simply be started again: nothing is lost or duplicated.
    Events are fused with each other and with stored events of nearby dates.
    """
    from vigil.fuse import assign_clusters

    summary = RunSummary()

    def reject(r: Rejected) -> None:
        summary.rejected.append(r)
        if on_reject:
            on_reject(r)

    batch: list[Article] = []
    stored_events = _StoredEvents(store)

    def flush() -> None:
        if not batch:
            return
        copies = _copies(batch, store)
        fused = assign_clusters(batch, existing=stored_events.near(batch), duplicates=copies.originals)
        for article in fused:
            if store.add_article(article, signature=copies.signatures[article.id],
                                 bands=copies.bands[article.id], duplicate_of=copies.originals.get(article.id)):
                stored_events.add(article)
                summary.stored += 1
                summary.events += len(article.events)
            else:
                summary.duplicates += 1
        batch.clear()

    seen: set[str] = set()
    for item in items:
        summary.read += 1
        if progress:
            progress(summary.read)
        if isinstance(item, Rejected):
            reject(item)
            continue
        if item.sha256 and (item.sha256 in seen or store.has_sha256(item.sha256)):
            summary.duplicates += 1
            continue
        if item.sha256:
            seen.add(item.sha256)
        try:
            batch.append(pipeline(item))
        except (StageError, InputError) as e:
            reject(_reject_from_error(item, e))
            continue
        if len(batch) >= batch_size:
            flush()
    flush()
    return summary


def extract_records(
    items: Iterable[Article | Rejected],
    pipeline: Callable[[Article], Article],
    *,
    on_reject: Callable[[Rejected], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Article]:
    """Stateless extraction: items in, processed Articles with cluster ids across the whole input out."""
    from vigil.fuse import assign_clusters

    done: list[Article] = []
    for n, item in enumerate(items, 1):
        if progress:
            progress(n)
        if isinstance(item, Rejected):
            if on_reject:
                on_reject(item)
            continue
        try:
            done.append(pipeline(item))
        except (StageError, InputError) as e:
            if on_reject:
                on_reject(_reject_from_error(item, e))
    return assign_clusters(done)


def write_records(articles: Iterable[Article], fh: IO[str]) -> int:
    """Write one events.md document record per line; returns the number of lines."""
    from vigil.export import write_jsonl

    return write_jsonl(articles, fh)


def example_paths() -> list[Path]:
    """The packaged example articles (with their manifest) used by ``vigil demo``."""
    from importlib import resources

    folder = Path(str(resources.files("vigil"))) / "data" / "examples"
    return [folder]


def cluster_records(store: Any, events: Sequence[Event]) -> dict[str, EventCluster]:
    """The fused record (``EventCluster``) of the cluster of each given event, computed from the store on read.

    Every stored member of each cluster is read, with its source articles (for outlets and
    copies); nothing is written. Keys are cluster ids (an event without one is its own cluster).
    """
    from vigil.fuse import merge_cluster

    members: dict[str, list[Event]] = {}
    for ev in events:
        cid = ev.cluster or ev.id
        if cid not in members:
            members[cid] = store.query_events(cluster=ev.cluster) if ev.cluster else [ev]
            members[cid] = members[cid] or [ev]
    doc_ids = {e.doc_id for evs in members.values() for e in evs}
    copies = store.duplicates_of(doc_ids)  # found at ingest from stored signatures: no texts compared here
    sources = store.get_sources(doc_ids | set(copies.values()))
    out: dict[str, EventCluster] = {}
    for cid, evs in members.items():
        mine = {e.doc_id for e in evs}
        out[cid] = merge_cluster(cid, evs, sources, {d: o for d, o in copies.items() if d in mine})
    return out
