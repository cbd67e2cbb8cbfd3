#!/usr/bin/env python3
"""Incremental-ingest benchmark: fuse new articles into a store that already holds many events.

usage: python bench/bench_fuse.py [--events 10000] [--articles 1000] [--db PATH] [--seed 7]

1. Builds a SQLite store holding ``--events`` fused events, synthesized from our own
   report templates (fictional reports, 2022 dates, real Ukrainian towns) without running
   the extractor (setup, timed separately).
2. Writes ``--articles`` new articles from the same templates and runs the full document
   pipeline (nlp, timex, geo, extract) over them: the extraction time.
3. Ingests the extracted articles into the store with ``vigil.jobs.run_into_store`` (fusion
   against the stored events, near-duplicate check, one transaction per document): the
   incremental-ingest time.
4. Runs step 3 again on the same input (nothing may change) and prints every figure, the
   ratio (extraction + incremental ingest) / extraction, and whether it is below 2.

Uses no shared data; everything is generated from the templates below (seeded).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vigil.schema import Acled, Article, Crowd, Event, EventDate, Location, Span  # noqa: E402

TOWNS = [  # name, admin1, lat, lon (GeoNames coordinates, rounded)
    ("Kherson", "Kherson Oblast", 46.64, 32.61), ("Melitopol", "Zaporizhzhia Oblast", 46.85, 35.37),
    ("Berdyansk", "Zaporizhzhia Oblast", 46.76, 36.79), ("Enerhodar", "Zaporizhzhia Oblast", 47.50, 34.66),
    ("Nova Kakhovka", "Kherson Oblast", 46.75, 33.37), ("Kharkiv", "Kharkiv Oblast", 49.98, 36.25),
    ("Mykolaiv", "Mykolaiv Oblast", 46.98, 32.00), ("Chernihiv", "Chernihiv Oblast", 51.51, 31.29),
    ("Sumy", "Sumy Oblast", 50.91, 34.80), ("Kramatorsk", "Donetsk Oblast", 48.72, 37.56),
    ("Zaporizhzhia", "Zaporizhzhia Oblast", 47.82, 35.19), ("Odesa", "Odesa Oblast", 46.48, 30.73),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OUTLETS = ["Steppe Herald", "Black Sea Wire", "Dnipro Morning Digest", "River Post", "Eastern Ledger",
           "Coastal Courier", "Prairie Gazette", "Harbour Times"]

# (type, ACLED event type, sub-event type, template). Our own wording; {town} {day} {crowd} are filled in.
TEMPLATES = [
    ("protest", "Protests", "Peaceful protest",
     "{crowd} residents of {town} rallied in the central square on {day} to protest against the occupation."),
    ("protest", "Protests", "Peaceful protest",
     "On {day}, {crowd} people marched through {town} waving Ukrainian flags and chanting slogans."),
    ("obstruction", "Protests", "Peaceful protest",
     "Residents of {town} blocked a column of Russian military trucks on the main road on {day}."),
    ("abduction", "Violence against civilians", "Abduction/forced disappearance",
     "Russian soldiers detained the deputy mayor of {town} on {day} and took him to an unknown location."),
    ("shelling", "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Artillery shelled a residential district of {town} on {day}, damaging a school and several houses."),
    ("airstrike", "Explosions/Remote violence", "Air/drone strike",
     "A Russian airstrike hit an industrial area of {town} on {day}, the regional governor said."),
    ("occupation_measure", "Strategic developments", "Other",
     "The occupying authorities in {town} introduced a curfew on {day} and closed the local television station."),
]
CROWDS = [("Hundreds of", 200, 999), ("Dozens of", 24, 99), ("About 500", 500, 500), ("Thousands of", 2000, 9999),
          ("Around 300", 300, 300)]
START = date(2022, 3, 1)
DAYS = 300


def _report(rng: random.Random, n: int) -> tuple[str, str, date, str, str, str, int, int, str, tuple]:
    etype, acled, sub, template = TEMPLATES[rng.randrange(len(TEMPLATES))]
    town = TOWNS[rng.randrange(len(TOWNS))]
    day = START + timedelta(days=rng.randrange(DAYS))
    crowd = CROWDS[rng.randrange(len(CROWDS))]
    published = day + timedelta(days=rng.randrange(1, 4))
    text = template.format(town=town[0], day=WEEKDAYS[day.weekday()], crowd=crowd[0])
    extra = f" Local officials confirmed the reports in a statement numbered {n}."
    return etype, text + extra, day, published.isoformat(), acled, sub, crowd[1], crowd[2], crowd[0], town


def synthetic_article(rng: random.Random, n: int, prefix: str) -> Article:
    """A stored-looking article with one event built from a template (no extraction)."""
    etype, text, day, published, acled, sub, low, high, crowd_text, town = _report(rng, n)
    doc = f"{prefix}-{n:06d}"
    end = text.index(".") + 1
    ev = Event(
        id=f"{doc}:e0", doc_id=doc, type=etype,  # type: ignore[arg-type]
        date=EventDate(start=day, end=day, rule="synthetic"),
        location=Location(name=town[0], admin1=town[1], country="UA", lat=town[2], lon=town[3], precision="city"),
        crowd=Crowd(text=crowd_text, low=low, high=high) if etype == "protest" else None,
        acled=Acled(event_type=acled, sub_event_type=sub),
        trigger=Span(doc_id=doc, start=0, end=5, text=text[:5], sentence=0, provenance="bench@0:synthetic"),
        evidence=[Span(doc_id=doc, start=0, end=end, text=text[:end], sentence=0)],
    )
    return Article(id=doc, text=text, published=date.fromisoformat(published),
                   outlet=OUTLETS[rng.randrange(len(OUTLETS))], sha256=hashlib.sha256(text.encode()).hexdigest(),
                   events=[ev])


def new_documents(rng: random.Random, count: int) -> list[dict]:
    """Raw records (id, text, published, outlet) for the articles to ingest."""
    docs = []
    for n in range(count):
        _, text, _, published, *_ = _report(rng, 100000 + n)
        docs.append({"id": f"new-{n:05d}", "text": text, "published": published,
                     "outlet": OUTLETS[rng.randrange(len(OUTLETS))]})
    return docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10000, help="events in the store before the increment")
    ap.add_argument("--articles", type=int, default=1000, help="new articles to extract and ingest")
    ap.add_argument("--db", default=None, help="SQLite file for the store (default: a temporary file)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    from vigil.jobs import run_into_store
    from vigil.pipeline import Resources, article_from_record, build_pipeline
    from vigil.store import open_store

    rng = random.Random(args.seed)
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="vigil-bench-fuse-")) / "store.db"
    if db.exists():
        db.unlink()
    store = open_store(str(db))

    t = time.perf_counter()
    seed_articles = [synthetic_article(rng, n, "stored") for n in range(args.events)]
    seed_summary = run_into_store(seed_articles, store, lambda a: a)
    setup = time.perf_counter() - t
    print(f"setup: {store.count_events()} events stored in {setup:.1f}s ({seed_summary.line()})")

    t = time.perf_counter()
    resources = Resources.load()
    pipeline = build_pipeline(resources=resources)
    print(f"resources loaded in {time.perf_counter() - t:.1f}s")

    docs = new_documents(rng, args.articles)
    t = time.perf_counter()
    extracted = [pipeline(article_from_record(d)) for d in docs]
    extract_s = time.perf_counter() - t
    n_events = sum(len(a.events) for a in extracted)
    print(f"extraction: {len(extracted)} articles, {n_events} events in {extract_s:.1f}s "
          f"({len(extracted) / extract_s:.1f} articles/s)")

    before = {e.id: e.cluster for e in store.query_events()}
    t = time.perf_counter()
    summary = run_into_store(extracted, store, lambda a: a)
    ingest_s = time.perf_counter() - t
    after = {e.id: e.cluster for e in store.query_events()}
    joined = sum(1 for a in extracted for e in a.events
                 if after.get(e.id) in set(before.values()))
    changed = sum(1 for k, v in before.items() if after.get(k) != v)
    print(f"incremental ingest (fusion + store): {summary.line()} in {ingest_s:.1f}s; "
          f"{joined} new events joined stored clusters; {changed} stored cluster ids changed")

    t = time.perf_counter()
    again = run_into_store(extracted, store, lambda a: a)
    rerun_s = time.perf_counter() - t
    final = {e.id: e.cluster for e in store.query_events()}
    print(f"re-run on the same input: {again.line()} in {rerun_s:.1f}s; "
          f"ids changed: {sum(1 for k, v in after.items() if final.get(k) != v)}; "
          f"events now {len(final)} (was {len(after)})")

    ratio = (extract_s + ingest_s) / extract_s
    print(f"ratio (extraction + incremental ingest) / extraction = {ratio:.2f} "
          f"({'below' if ratio < 2 else 'NOT below'} 2); ingest alone / extraction = {ingest_s / extract_s:.2f}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
