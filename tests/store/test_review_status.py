"""The API's cluster status (vigil.store.review) follows the same rule as the fused record (vigil.fuse)."""

from datetime import date

import pytest

from vigil.fuse import merge_cluster
from vigil.schema import Article, Event, EventDate, Location, Span
from vigil.store.review import cluster_status


def _event(doc: str, *, intervention=None, modality="asserted", place=("Bucha", 50.54, 30.22), type_="protest"):
    name, lat, lon = place
    return Event(id=f"{doc}-e1", doc_id=doc, type=type_, intervention=intervention, modality=modality,
                 date=EventDate(start=date(2022, 3, 2), end=date(2022, 3, 2)),
                 location=Location(name=name, lat=lat, lon=lon, precision="city"),
                 trigger=Span(doc_id=doc, start=0, end=5, text="rally"))


def _member(e: Event, outlet: str) -> dict:
    return {"doc_id": e.doc_id, "outlet": outlet, "type": e.type, "intervention": e.intervention,
            "modality": e.modality, "location": e.location.model_dump() if e.location else None}


@pytest.mark.parametrize(("a", "b", "status"), [
    (_event("a", intervention="warning_shots"), _event("b"), "corroborated"),  # silence is no disagreement
    (_event("a", intervention="warning_shots"), _event("b", intervention="detentions"), "contested"),
    (_event("a"), _event("b", place=("Irpin", 50.52, 30.25)), "corroborated"),  # 4 km apart: same place
    (_event("a"), _event("b", place=("Lviv", 49.84, 24.03)), "contested"),
    (_event("a", modality="claimed"), _event("b", modality="unverified"), "unverified"),
    (_event("a"), _event("b", modality="denied"), "contested"),
])
def test_review_cluster_status_matches_fused_record(a, b, status):
    articles = {"a": Article(id="a", text="rally", outlet="Wire One"), "b": Article(id="b", text="rally",
                                                                                  outlet="Paper Two")}
    record = merge_cluster("c1", [a, b], articles)
    assert record.status == status
    assert cluster_status([_member(a, "Wire One"), _member(b, "Paper Two")]) == (status, 2)
