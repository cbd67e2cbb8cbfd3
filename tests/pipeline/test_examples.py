"""End to end on the packaged example articles (our own fictional reports): the events a reader would code."""

from datetime import date
from pathlib import Path

import pytest

from vigil.ingest import iter_inputs
from vigil.jobs import extract_records
from vigil.schema import Article, Event

pytestmark = pytest.mark.model
EXAMPLES = Path(__file__).resolve().parents[2] / "vigil" / "data" / "examples"


@pytest.fixture(scope="module")
def docs() -> dict[str, Article]:
    from vigil.pipeline import build_pipeline

    return {a.id: a for a in extract_records(iter_inputs([EXAMPLES]), build_pipeline())}


def _one(article: Article, type_: str) -> Event:
    found = [e for e in article.events if e.type == type_]
    assert len(found) == 1, [(e.type, e.location and e.location.name, e.date.start) for e in article.events]
    return found[0]


def _day(e: Event) -> tuple[date | None, date | None]:
    return e.date.start, e.date.end


def test_examples_every_span_points_at_its_text(docs):
    for a in docs.values():
        for e in a.events:
            spans = [e.trigger, *e.evidence, *e.field_evidence.values()]
            spans += [x.evidence for x in (e.date, e.location, e.crowd) if x is not None and x.evidence]
            for s in spans:
                assert a.text[s.start:s.end] == s.text and s.doc_id == a.id
            assert e.evidence[0].start <= e.trigger.start < e.evidence[0].end


def test_examples_enerhodar_blockade_is_one_event_told_by_two_outlets(docs):
    wire, courier = docs["example-enerhodar-wire"], docs["example-enerhodar-convoy"]
    a, b = _one(wire, "obstruction"), _one(courier, "obstruction")
    for e in (a, b):
        assert e.location is not None and e.location.name == "Enerhodar" and e.location.precision == "city"
        assert _day(e) == (date(2022, 3, 2), date(2022, 3, 2))
        assert e.crowd is not None and (e.crowd.low, e.crowd.high) == (200, 999)
    assert a.intervention == "warning_shots" and a.acled.sub_event_type == "Protest with intervention"
    assert a.modality == "reported"
    assert b.intervention is None and b.acled.sub_event_type == "Peaceful protest"
    assert a.cluster == b.cluster
    assert not [e for e in courier.events if e.location and e.location.name == "Zaporizhzhia"]


def test_examples_skadovsk_mayor_abducted_then_rally_dispersed(docs):
    a = docs["example-skadovsk-mayor"]
    abd = _one(a, "abduction")
    assert abd.location is not None and abd.location.name == "Skadovsk"
    assert _day(abd) == (date(2022, 3, 8), date(2022, 3, 8))
    assert abd.acled.sub_event_type == "Abduction/forced disappearance"
    assert {(x.kind, x.role) for x in abd.actors} >= {("military", "initiator"), ("officials", "target")}
    rally = _one(a, "protest")
    assert rally.location is not None and rally.location.name == "Skadovsk"
    assert rally.intervention == "crowd_control" and rally.acled.sub_event_type == "Protest with intervention"
    assert rally.date.start is not None and rally.date.start >= date(2022, 3, 8)
    assert not [e for e in a.events if e.location and e.location.name == "Moscow"]


def test_examples_kharkiv_shelling_casualties_negation_and_claim(docs):
    a = docs["example-kharkiv-shelling"]
    shelling = [e for e in a.events if e.type == "shelling"]
    assert shelling and shelling[0].location is not None and shelling[0].location.name == "Kharkiv"
    assert (shelling[0].fatalities, shelling[0].injuries) == (5, 14)
    assert shelling[0].date.end == date(2022, 3, 7)
    # "has not been able to take Kharkiv" and "an assault is expected" are not events
    assert not [e for e in a.events if e.type in ("territory_control", "armed_clash")]
    (claim,) = [c for c in a.claims if c.kind == "civilian_deaths"]
    assert (claim.value, claim.qualifier) == (1500, "more than") and "United Nations" in (claim.source or "")


def test_examples_mykolaiv_rally_dated_by_day_of_war(docs):
    a = docs["example-mykolaiv-rally"]
    rally = _one(a, "protest")
    assert rally.location is not None and rally.location.name == "Mykolaiv"
    assert _day(rally) == (date(2022, 3, 15), date(2022, 3, 15))
    assert rally.crowd is not None and (rally.crowd.low, rally.crowd.high) == (2000, 9999)
    assert rally.intervention is None and rally.acled.sub_event_type == "Peaceful protest"
