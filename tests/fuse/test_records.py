from datetime import UTC, date

import pytest

from vigil.fuse import compare_claims, merge_cluster, merge_clusters, near_duplicates
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
    (["asserted", "reported"], ["fired_on_crowd", "warning_shots"], "contested"),
    (["asserted", "denied"], [None, None], "contested"),
    (["asserted", "reported"], [None, "warning_shots"], "corroborated"),
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


def test_merge_cluster_silence_on_intervention_is_listed_not_contested():
    arts = {"a": _art("a", "A"), "b": _art("b", "B")}
    rec = merge_cluster("c1", [_ev("a"), _ev("b", intervention="warning_shots")], arts)
    assert rec.status == "corroborated"
    dis = [d for d in rec.disagreements if d.field == "intervention"]
    assert len(dis) == 1 and {v["value"] for v in dis[0].values} == {None, "warning_shots"}


def test_merge_cluster_distant_places_are_contested():
    arts = {"a": _art("a", "A"), "b": _art("b", "B")}
    far = _ev("b", place="Kharkiv").model_copy(
        update={"location": Location(name="Kharkiv", lat=49.98, lon=36.25, precision="city")})
    assert merge_cluster("c1", [_ev("a"), far], arts).status == "contested"


def test_merge_cluster_sources_carry_provenance():
    from datetime import datetime

    when = datetime(2022, 3, 7, 9, 30, tzinfo=UTC)
    art = _art("a", "A").model_copy(update={"ingested_at": when})
    ev = _ev("a").model_copy(update={"trigger": Span(doc_id="a", start=0, end=8, text="gathered", sentence=0,
                                                     provenance="extract@0.3:protest-verb")})
    src = merge_cluster("c1", [ev], {"a": art}).sources[0]
    assert (src.sha256, src.ingested_at, src.extractor) == ("a" * 8, when, "extract@0.3")
    assert src.evidence[0].doc_id == "a" and src.evidence[0].end == 20


def _claims_art(doc: str, outlet: str, value: int, published: str = "2022-03-07") -> Article:
    from vigil.schema import Claim

    text = f"The regional governor said {value} civilians had been killed."
    claim = Claim(kind="civilian_deaths", value=value, source="the regional governor",
                  evidence=Span(doc_id=doc, start=0, end=len(text), text=text))
    return Article(id=doc, text=text, outlet=outlet, published=date.fromisoformat(published), claims=[claim])


def test_compare_claims_keeps_figures_side_by_side_and_flags_differences():
    arts = [_claims_art("a", "A", 12), _claims_art("b", "B", 15), _claims_art("c", "C", 12),
            _claims_art("d", "D", 40, published="2022-03-20")]
    groups = compare_claims(arts, duplicates={"c": "a"})
    first = [g for g in groups if g["day"] == "2022-03-07"][0]
    assert first["differ"] is True
    assert [(v["value"], v["documents"]) for v in first["values"]] == [(12, ["a"]), (15, ["b"])]
    later = [g for g in groups if g["day"] == "2022-03-20"][0]
    assert later["differ"] is False and later["values"][0]["value"] == 40
