"""The main jobs behind the CLI: run inputs into a store, extract a JSONL batch.

These are consumers of the stages (ingest, pipeline, fuse, store, export), kept
out of ``cli.py`` so that the CLI stays a thin layer and tests and benches can
call the same code path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from vigil.errors import InputError, StageError
from vigil.schema import Article, Event, Rejected

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


def _existing_events(store: Any, articles: Sequence[Article]) -> list[Event]:
    days = [d for a in articles for e in a.events for d in (e.date.start, e.date.end) if d]
    if not days:
        return []
    return store.query_events(since=min(days) - FUSION_WINDOW, until=max(days) + FUSION_WINDOW)


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

    def flush() -> None:
        if not batch:
            return
        fused = assign_clusters(batch, existing=_existing_events(store, batch))
        for article in fused:
            if store.add_article(article):
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
