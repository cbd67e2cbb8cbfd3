"""document_record and write_jsonl: the events.md shape, ISO dates, evidence offsets, JSONL round trip."""

from __future__ import annotations

import io
import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.export import EXPORTERS, document_record, write_jsonl
from vigil.schema import Acled, Actor, Article, Claim, Crowd, Event, EventDate, Location, Span

TEXT = (
    "Crowds of pensioners in Nova Kakhovka stood in front of a column of trucks on Friday, the town's mayor said. "
    "Officers detained three men. According to the mayor, at least 12 residents have been taken away since March."
)

EVENT_KEYS = {"type", "intervention", "date", "location", "actors", "crowd", "fatalities", "injuries", "modality",
              "acled", "evidence", "cluster", "id", "evidence_spans", "field_evidence", "trigger", "salience", "rules"}
CLAIM_KEYS = {"kind", "value", "qualifier", "source", "verified", "evidence", "evidence_span"}


def _span(piece: str, doc_id: str = "doc-nk") -> Span:
    start = TEXT.index(piece)
    return Span(doc_id=doc_id, start=start, end=start + len(piece), text=piece)


def _article() -> Article:
    sentence = TEXT[: TEXT.index(" Officers")]
    main = Event(
        id="doc-nk-e1", doc_id="doc-nk", type="obstruction", intervention="detentions",
        date=EventDate(start=date(2022, 3, 18), end=date(2022, 3, 18), evidence=_span("on Friday")),
        location=Location(name="Nova Kakhovka", admin1="Kherson Oblast", country="UA", lat=46.75, lon=33.37,
                          precision="city", geonameid=698131),
        actors=[Actor(text="Crowds of pensioners", kind="civilians", side="UA", role="initiator"),
                Actor(text="Officers", kind="police", side=None, role="target")],
        crowd=Crowd(text="Crowds", low=None, high=None),
        modality="reported",
        acled=Acled(event_type="Protests", sub_event_type="Protest with intervention"),
        trigger=_span("stood in front of"),
        evidence=[_span(sentence)],
        field_evidence={"date": _span("on Friday"), "location": _span("Nova Kakhovka")},
        salience=0.75, cluster="nova-kakhovka-2022-03-18-obstruction", rules=["trigger:stand_in_front"],
    )
    second = Event(id="doc-nk-e2", doc_id="doc-nk", type="abduction", trigger=_span("taken away"), salience=0.2)
    claim = Claim(kind="detentions", value=12, qualifier="at least", source="the mayor",
                  evidence=_span("at least 12 residents have been taken away"))
    return Article(id="doc-nk", text=TEXT, published=date(2022, 3, 19), outlet="Fictional Gazette",
                   url="https://example.org/nk", events=[main, second], claims=[claim])


def test_document_record_has_every_events_md_key() -> None:
    rec = document_record(_article())
    assert set(rec) == {"id", "published", "outlet", "url", "events", "claims"}
    assert all(set(ev) == EVENT_KEYS for ev in rec["events"])
    assert set(rec["claims"][0]) == CLAIM_KEYS
    assert set(rec["events"][0]["location"]) == {"name", "admin1", "country", "lat", "lon", "precision"}
    assert set(rec["events"][0]["actors"][0]) == {"text", "kind", "side", "role"}
    assert set(rec["events"][0]["crowd"]) == {"text", "low", "high"}
    assert set(rec["events"][0]["acled"]) == {"event_type", "sub_event_type"}


def test_document_record_dates_are_iso_or_null() -> None:
    rec = document_record(_article())
    assert rec["published"] == "2022-03-19"
    assert rec["events"][0]["date"] == {"start": "2022-03-18", "end": "2022-03-18"}
    assert rec["events"][1]["date"] == {"start": None, "end": None}
    assert document_record(Article(id="x", text="")) == {
        "id": "x", "published": None, "outlet": None, "url": None, "events": [], "claims": []}


def test_document_record_offsets_point_into_the_text() -> None:
    rec = document_record(_article())
    ev = rec["events"][0]
    spans = [*ev["evidence_spans"], *ev["field_evidence"].values(), ev["trigger"], rec["claims"][0]["evidence_span"]]
    for span in spans:
        assert TEXT[span["start"]:span["end"]] == span["text"]
    assert ev["evidence"] == [s["text"] for s in ev["evidence_spans"]]
    assert ev["evidence_spans"][0]["doc_id"] == "doc-nk"
    assert rec["claims"][0]["evidence"] == "at least 12 residents have been taken away"


def test_document_record_keeps_event_order_and_values() -> None:
    rec = document_record(_article())
    assert [e["id"] for e in rec["events"]] == ["doc-nk-e1", "doc-nk-e2"]
    first = rec["events"][0]
    assert (first["type"], first["intervention"], first["modality"]) == ("obstruction", "detentions", "reported")
    assert first["location"]["lat"] == 46.75 and first["location"]["precision"] == "city"
    assert first["crowd"] == {"text": "Crowds", "low": None, "high": None}
    assert rec["events"][1]["location"] is None and rec["events"][1]["crowd"] is None


def test_document_record_non_finite_numbers_become_null() -> None:
    article = _article()
    ev = article.events[0].model_copy(update={
        "location": Location(name="Nowhere", lat=float("nan"), lon=float("inf")), "salience": float("nan")})
    rec = document_record(article.model_copy(update={"events": [ev]}))
    json.dumps(rec, allow_nan=False)
    assert rec["events"][0]["location"]["lat"] is None and rec["events"][0]["salience"] is None


def test_write_jsonl_round_trips_through_json_loads() -> None:
    odd = Article(id="odd", text="Quote \"marks\", commas,\nnewlines and \u0457 \U0001f600", outlet="Ковель Daily")
    fh = io.StringIO()
    assert write_jsonl([_article(), odd], fh) == 2
    lines = fh.getvalue().splitlines()
    assert len(lines) == 2
    assert [json.loads(line) for line in lines] == [document_record(_article()), document_record(odd)]


def test_write_jsonl_empty_input_writes_nothing() -> None:
    fh = io.StringIO()
    assert write_jsonl([], fh) == 0
    assert fh.getvalue() == ""


def test_exporters_registry_names() -> None:
    assert set(EXPORTERS) == {"jsonl", "geojson", "acled-csv"}
    assert EXPORTERS["jsonl"] is write_jsonl


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=60), outlet=st.none() | st.text(max_size=20),
       fatalities=st.none() | st.integers(min_value=0, max_value=10**30))
def test_write_jsonl_any_text_round_trips(text: str, outlet: str | None, fatalities: int | None) -> None:
    trigger = Span(doc_id="h", start=0, end=len(text), text=text)
    ev = Event(id="h-e1", doc_id="h", type="other", trigger=trigger, evidence=[trigger], fatalities=fatalities)
    article = Article(id="h", text=text, outlet=outlet, events=[ev])
    fh = io.StringIO()
    write_jsonl([article], fh)
    (line,) = fh.getvalue().splitlines()
    back = json.loads(line)
    assert back["outlet"] == outlet and back["events"][0]["evidence"] == [text]
    assert back["events"][0]["fatalities"] == fatalities
