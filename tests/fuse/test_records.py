from datetime import date

import pytest

from vigil.fuse import merge_cluster, merge_clusters, near_duplicates
from vigil.schema import Acled, Article, Crowd, Event, EventDate, Location, Span

WIRE = ("Several hundred residents of Vasylivka gathered outside the town council on Sunday morning and "
        "called on the occupying troops to leave. Soldiers fired shots into the air, witnesses said.")


def _ev(doc: str, *, crowd=None, start="2022-03-06", end=None, modality="asserted", intervention=None,
        place="Vasylivka") -> Event:
    return Event(
        id=f"{doc}:e0", doc_id=doc, type="protest", intervention=intervention, modality=modality,
        date=EventDate(start=date.fromisoformat(start), end=date.fromisoformat(end or start)),
        location=Location(name=place, lat=47.44, lon=35.28, precision="city"),
        crowd=crowd, acled=Acled(event_type="Protests", sub_event_type="Peaceful protest"),
        trigger=Span(doc_id=doc, start=0, end=8, text="gathered"), cluster="c1",
        evidence=[Span(doc_id=doc, start=0, end=20, text=WIRE[:20])],
    )


def _art(doc: str, outlet: str | None, text: str = WIRE, published: str = "2022-03-07") -> Article:
    return Article(id=doc, text=text, outlet=outlet, published=date.fromisoformat(published), sha256=doc * 8)


def test_near_duplicates_finds_wire_copy_only():
    a = _art("a", "Steppe Post")
    b = _art("b", "Coast Daily", text=WIRE + " Reporting by staff.", published="2022-03-08")
    c = _art("c", "Other", text="Artillery hit a bridge near Orikhiv overnight, the regional governor said.")
    assert near_duplicates([c, b, a]) == {"b": "a"}


def test_merge_cluster_counts_copies_once_and_lists_crowd_disagreement():
    arts = {"a": _art("a", "Steppe Post"), "b": _art("b", "Coast Daily"), "c": _art("c", "Wire Copy")}
    events = [
        _ev("a", crowd=Crowd(text="several hundred", low=200, high=999)),
        _ev("b", crowd=Crowd(text="about 2,000", low=2000, high=2000)),
        _ev("c", crowd=Crowd(text="about 2,000", low=2000, high=2000)),
    ]
    rec = merge_cluster("c1", events, arts, duplicates={"c": "b"})
    assert rec.corroboration == 2
    assert rec.status == "corroborated"
    crowd = [d for d in rec.disagreements if d.field == "crowd"]
    assert len(crowd) == 1 and len(crowd[0].values) == 2
    assert rec.crowd is not None and (rec.crowd.low, rec.crowd.high) == (200, 2000)
    assert {s.doc_id for s in rec.sources} == {"a", "b", "c"}
    assert [s.duplicate_of for s in rec.sources if s.doc_id == "c"] == ["b"]


def test_merge_cluster_date_intersection_or_flagged_union():
    arts = {"a": _art("a", "A"), "b": _art("b", "B")}
    rec = merge_cluster("c1", [_ev("a", start="2022-03-01", end="2022-03-07"), _ev("b", start="2022-03-06")], arts)
    assert (str(rec.date.start), str(rec.date.end)) == ("2022-03-06", "2022-03-06")
    assert rec.rules["date"] == "intersection"
    rec = merge_cluster("c1", [_ev("a", start="2022-03-01"), _ev("b", start="2022-03-05")], arts)
    assert (str(rec.date.start), str(rec.date.end)) == ("2022-03-01", "2022-03-05")
    assert rec.rules["date"].startswith("union")
    assert any(d.field == "date" for d in rec.disagreements)


@pytest.mark.parametrize(("modalities", "interventions", "status"), [
    (["claimed", "unverified"], [None, None], "unverified"),
    (["asserted", "reported"], [None, "warning_shots"], "contested"),
    (["asserted"], [None], "single-source"),
])
def test_merge_cluster_status(modalities, interventions, status):
    docs = [chr(ord("a") + i) for i in range(len(modalities))]
    arts = {d: _art(d, f"Outlet {d}") for d in docs}
    evs = [_ev(d, modality=m, intervention=i) for d, m, i in zip(docs, modalities, interventions, strict=True)]
    assert merge_cluster("c1", evs, arts).status == status


def test_merge_clusters_groups_by_cluster_id():
    a = _art("a", "A").model_copy(update={"events": [_ev("a")]})
    b = _art("b", "B").model_copy(update={"events": [_ev("b").model_copy(update={"cluster": "c2"})]})
    recs = merge_clusters([a, b])
    assert sorted(r.id for r in recs) == ["c1", "c2"]


def test_merge_cluster_refuses_empty():
    with pytest.raises(ValueError, match="no events"):
        merge_cluster("c0", [], {})
