"""Fusion into a store: new articles join stored events, re-runs change nothing, records are computed on read."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from typer.testing import CliRunner

from vigil.cli import app
from vigil.jobs import cluster_records, run_into_store
from vigil.schema import Article, Crowd, Event, EventDate, Location, Span
from vigil.store import open_store

REPORTS = {
    "steppe": ("Steppe Herald", "About 2,000 residents rallied on the central square of Kherson on Saturday.", 2000),
    "wire": ("Black Sea Wire", "Several hundred people protested in Kherson on Saturday, officials said.", 200),
    "copy": ("Morning Digest", "Several hundred people protested in Kherson on Saturday, officials said.", 200),
    "later": ("Steppe Herald", "Dozens of residents protested outside the Kherson theatre on Tuesday.", 24),
}


def _article(key: str) -> Article:
    outlet, text, crowd = REPORTS[key]
    day = "2022-03-08" if key == "later" else "2022-03-05"
    ev = Event(
        id=f"{key}:e0", doc_id=key, type="protest",
        date=EventDate(start=date.fromisoformat(day), end=date.fromisoformat(day)),
        location=Location(name="Kherson", lat=46.64, lon=32.61, precision="city", geonameid=706448),
        crowd=Crowd(text=text.split(" r")[0], low=crowd, high=crowd),
        trigger=Span(doc_id=key, start=0, end=5, text=text[:5], sentence=0, provenance="extract@0.1:test"),
        evidence=[Span(doc_id=key, start=0, end=len(text), text=text, sentence=0)],
    )
    published = {"later": date(2022, 3, 9), "copy": date(2022, 3, 7)}.get(key, date(2022, 3, 6))
    return Article(id=key, text=text, outlet=outlet, published=published,
                   sha256=hashlib.sha256(text.encode()).hexdigest() if key != "copy" else "c" * 64, events=[ev])


def _identity(article: Article) -> Article:
    return article


@pytest.fixture()
def store(tmp_path):
    s = open_store(str(tmp_path / "fuse.db"))
    yield s
    s.close()


def _clusters(store) -> dict[str, str | None]:
    return {e.id: e.cluster for e in store.query_events()}


def test_incremental_new_article_joins_stored_event(store):
    run_into_store([_article("steppe")], store, _identity)
    first = _clusters(store)
    run_into_store([_article("wire"), _article("later")], store, _identity)
    after = _clusters(store)
    assert after["steppe:e0"] == first["steppe:e0"]
    assert after["wire:e0"] == first["steppe:e0"]
    assert after["later:e0"] != first["steppe:e0"]


def test_incremental_rerun_changes_no_ids_and_adds_nothing(store):
    arts = [_article(k) for k in REPORTS]
    run_into_store(arts, store, _identity)
    before, n = _clusters(store), store.count_events()
    summary = run_into_store(arts, store, _identity)
    assert summary.stored == 0 and summary.duplicates == len(arts)
    assert _clusters(store) == before and store.count_events() == n


def test_cluster_records_counts_the_wire_copy_once(store):
    run_into_store([_article(k) for k in REPORTS], store, _identity)
    ev = store.get_event("steppe:e0")
    rec = cluster_records(store, [ev])[ev.cluster]
    assert {s.doc_id for s in rec.sources} == {"steppe", "wire", "copy"}
    assert rec.corroboration == 2 and rec.status == "corroborated"
    assert [s.duplicate_of for s in rec.sources if s.doc_id == "copy"] == ["wire"]
    crowd = [d for d in rec.disagreements if d.field == "crowd"][0]
    assert sorted(v["value"]["low"] for v in crowd.values) == [200, 2000]


def test_cli_events_shows_status_and_outlets(tmp_path):
    db = str(tmp_path / "cli.db")
    with open_store(db) as s:
        run_into_store([_article(k) for k in REPORTS], s, _identity)
    res = CliRunner().invoke(app, ["events", "--db", db], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    rows = {line.split("│")[1].strip(): line for line in res.output.splitlines() if line.count("│") > 5}
    assert "corroborated" in rows["steppe:e0"] and rows["steppe:e0"].rstrip(" │").endswith("2")
    assert "single-source" in rows["later:e0"]


def test_cli_show_prints_sources_and_disagreements(tmp_path):
    db = str(tmp_path / "cli.db")
    with open_store(db) as s:
        run_into_store([_article(k) for k in REPORTS], s, _identity)
    res = CliRunner().invoke(app, ["show", "wire:e0", "--db", db], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "status: corroborated  corroboration: 2 independent outlet(s)  sources: 3" in res.output
    assert "copy (copy of wire)  outlet: Morning Digest" in res.output
    assert "crowd: " in res.output.split("disagreements:")[1]
    assert "extractor: extract@0.1" in res.output


def test_cli_show_unknown_event_fails_with_message(tmp_path):
    db = str(tmp_path / "cli.db")
    open_store(db).close()
    res = CliRunner().invoke(app, ["show", "nope", "--db", db])
    assert res.exit_code == 1
    assert "no event with id 'nope'" in res.output


# --- near-duplicates of stored documents (a wire copy in a later run) ---------------------------------


def _stats(store, event_id: str) -> tuple[str, int]:
    from vigil.store.review import get_event_out

    ev = get_event_out(store, event_id)
    return ev["status"], ev["corroboration"]


def test_later_run_copy_of_a_stored_text_is_one_source(store):
    run_into_store([_article("steppe"), _article("wire")], store, _identity)
    run_into_store([_article("copy")], store, _identity)  # the wire text again, another outlet, a later run
    assert store.duplicates_of(["steppe", "wire", "copy"]) == {"copy": "wire"}
    assert _clusters(store)["copy:e0"] == _clusters(store)["steppe:e0"]
    assert _stats(store, "copy:e0") == ("corroborated", 2) == _stats(store, "steppe:e0")
    ev = store.get_event("steppe:e0")
    rec = cluster_records(store, [ev])[ev.cluster]
    assert rec.corroboration == 2
    assert [s.duplicate_of for s in rec.sources if s.doc_id == "copy"] == ["wire"]


def test_later_run_copy_matches_one_run(tmp_path):
    with open_store(str(tmp_path / "one.db")) as one, open_store(str(tmp_path / "two.db")) as two:
        run_into_store([_article(k) for k in ("steppe", "wire", "copy")], one, _identity)
        run_into_store([_article("steppe"), _article("wire")], two, _identity)
        run_into_store([_article("copy")], two, _identity)
        assert _clusters(one) == _clusters(two)
        assert one.duplicates_of(["copy"]) == two.duplicates_of(["copy"]) == {"copy": "wire"}
        assert _stats(one, "copy:e0") == _stats(two, "copy:e0")


def test_rerun_after_a_cross_run_copy_changes_nothing(store):
    run_into_store([_article("wire")], store, _identity)
    run_into_store([_article("copy"), _article("steppe")], store, _identity)
    before, n, arts = _clusters(store), store.count_events(), store.count_articles()
    summary = run_into_store([_article(k) for k in REPORTS], store, _identity)
    assert summary.duplicates == 3 and summary.stored == 1
    assert {k: v for k, v in _clusters(store).items() if k in before} == before
    assert store.count_events() == n + 1 and store.count_articles() == arts + 1
    assert store.duplicates_of(["copy"]) == {"copy": "wire"}
