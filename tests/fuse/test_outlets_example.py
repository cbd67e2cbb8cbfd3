"""The full pipeline on our own multi-outlet example articles (tests/fuse/fixtures/outlets.jsonl).

One Saturday rally in Kherson told by three outlets, one a wire copy of another, with
different crowd sizes; and a second, smaller protest in the same city on the Tuesday after.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vigil.fuse import merge_clusters, near_duplicates

pytestmark = pytest.mark.model
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def fused(nlp):
    from vigil.geo import load_gazetteer
    from vigil.pipeline import Resources, build_pipeline, process_documents

    pipeline = build_pipeline(resources=Resources(nlp=nlp, gazetteer=load_gazetteer()))
    docs = [json.loads(line) for line in (FIXTURES / "outlets.jsonl").read_text(encoding="utf-8").splitlines()]
    articles = process_documents(docs, pipeline)
    duplicates = near_duplicates(articles)
    return articles, duplicates, merge_clusters(articles, duplicates)


def _record_of(records, doc_id):
    return next(r for r in records if any(s.doc_id == doc_id and r.type == "protest" for s in r.sources))


def test_outlets_example_wire_copy_is_found(fused):
    _, duplicates, _ = fused
    assert duplicates == {"kherson-rally-wire-copy": "kherson-rally-wire"}


def test_outlets_example_three_reports_make_one_corroborated_record(fused):
    _, _, records = fused
    rec = _record_of(records, "kherson-rally-steppe")
    assert {s.doc_id for s in rec.sources} == {"kherson-rally-steppe", "kherson-rally-wire", "kherson-rally-wire-copy"}
    assert rec.corroboration == 2
    assert rec.status == "corroborated"
    crowd = [d for d in rec.disagreements if d.field == "crowd"]
    assert len(crowd) == 1
    said = {v["value"]["low"]: v["sources"] for v in crowd[0].values}
    assert said[2000] == ["Steppe Herald"]
    assert set(said[200]) == {"Black Sea Wire", "Dnipro Morning Digest"}


def test_outlets_example_protest_on_another_day_stays_apart(fused):
    _, _, records = fused
    saturday = _record_of(records, "kherson-rally-steppe")
    tuesday = _record_of(records, "kherson-rally-tuesday")
    assert saturday.id != tuesday.id
    assert [s.doc_id for s in tuesday.sources] == ["kherson-rally-tuesday"]
    assert tuesday.status == "single-source"
