"""write_acled_csv: exact header, ACLED actor labels and interaction codes, quoting round trip."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.export import ACLED_COLUMNS, actor_label, interaction_code, write_acled_csv
from vigil.schema import Acled, Actor, Article, Event, EventDate, Location, Span

HEADER = ["event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "interaction",
          "country", "admin1", "location", "latitude", "longitude", "geo_precision", "time_precision", "source",
          "notes", "fatalities"]

TEXT = 'Villagers in Bilozerka, shouting "go home", blocked troops, the council said.\nTwo were hurt.'


def _event(eid: str = "doc-bz-e1", **kw: object) -> Event:
    base: dict = {
        "id": eid, "doc_id": "doc-bz", "type": "obstruction",
        "trigger": Span(doc_id="doc-bz", start=43, end=50, text="blocked"),
        "evidence": [Span(doc_id="doc-bz", start=0, end=len(TEXT), text=TEXT)],
        "date": EventDate(start=date(2022, 3, 5), end=date(2022, 3, 5)),
        "location": Location(name="Bilozerka", admin1="Kherson Oblast", country="UA", lat=46.63, lon=32.44,
                             precision="city"),
        "actors": [Actor(text="Villagers", kind="civilians", side="UA", role="initiator"),
                   Actor(text="troops", kind="military", side="RU", role="target")],
        "acled": Acled(event_type="Protests", sub_event_type="Protest with intervention"),
    }
    base.update(kw)
    return Event(**base)


ARTICLES = {"doc-bz": Article(id="doc-bz", text=TEXT, outlet="Made-up Times"),
            "doc-b2": Article(id="doc-b2", text=TEXT, outlet="Another Invented Outlet")}


def _rows(events: list[Event], articles: dict[str, Article] | None = None) -> tuple[int, list[list[str]]]:
    fh = io.StringIO(newline="")
    n = write_acled_csv(events, fh, ARTICLES if articles is None else articles)
    return n, list(csv.reader(io.StringIO(fh.getvalue(), newline="")))


def _row(event: Event) -> dict[str, str]:
    _, rows = _rows([event])
    return dict(zip(rows[0], rows[1], strict=True))


def test_write_acled_csv_header_is_exact() -> None:
    n, rows = _rows([_event()])
    assert rows[0] == HEADER == list(ACLED_COLUMNS)
    assert n == 1 and len(rows) == 2


def test_write_acled_csv_row_values() -> None:
    row = _row(_event())
    assert row["event_id_cnty"].startswith("UKR") and len(row["event_id_cnty"]) == 11
    assert row["event_date"] == "2022-03-05"
    assert (row["event_type"], row["sub_event_type"]) == ("Protests", "Protest with intervention")
    assert row["actor1"] == "Civilians (Ukraine)"
    assert row["actor2"] == "Military Forces of Russia (2000-)"
    assert row["interaction"] == "17"
    assert (row["country"], row["admin1"], row["location"]) == ("Ukraine", "Kherson Oblast", "Bilozerka")
    assert (row["latitude"], row["longitude"]) == ("46.63", "32.44")
    assert (row["geo_precision"], row["time_precision"], row["source"]) == ("1", "1", "Made-up Times")


def test_write_acled_csv_event_id_is_stable() -> None:
    assert _row(_event())["event_id_cnty"] == _row(_event())["event_id_cnty"]
    assert _row(_event())["event_id_cnty"] != _row(_event("doc-bz-e9"))["event_id_cnty"]


def test_write_acled_csv_note_with_commas_quotes_newlines_round_trips() -> None:
    event = _event(modality="asserted")
    assert _row(event)["notes"] == TEXT
    tricky = 'He said, "stop", then\nleft; a "quoted, comma" part'
    event = _event(evidence=[Span(doc_id="doc-bz", start=0, end=len(tricky), text=tricky)])
    n, rows = _rows([event, _event("doc-bz-e2")])
    assert n == 2 and len(rows) == 3
    assert rows[1][HEADER.index("notes")] == tricky


def test_write_acled_csv_note_marks_modality() -> None:
    assert _row(_event(modality="reported"))["notes"].endswith(" [modality: reported]")
    assert "[modality" not in _row(_event(modality="asserted"))["notes"]


def test_write_acled_csv_fatalities_zero_when_unknown() -> None:
    assert _row(_event(fatalities=None))["fatalities"] == "0"
    assert _row(_event(fatalities=4))["fatalities"] == "4"


def test_write_acled_csv_unknown_place_and_date() -> None:
    row = _row(_event(location=None, date=EventDate(), actors=[]))
    assert row["event_id_cnty"].startswith("XXX")
    assert (row["event_date"], row["country"], row["latitude"], row["geo_precision"]) == ("", "", "", "")
    assert (row["time_precision"], row["actor1"], row["interaction"]) == ("3", "", "")


def test_write_acled_csv_diplomacy_has_empty_coding() -> None:
    row = _row(_event(type="diplomacy", acled=Acled()))
    assert (row["event_type"], row["sub_event_type"]) == ("", "")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(date(2022, 3, 1), date(2022, 3, 1), "1"), (date(2022, 3, 1), date(2022, 3, 6), "2"),
     (date(2022, 3, 1), date(2022, 3, 20), "3"), (date(2022, 3, 1), None, "3"), (None, None, "3")],
)
def test_write_acled_csv_time_precision(start: date | None, end: date | None, expected: str) -> None:
    assert _row(_event(date=EventDate(start=start, end=end)))["time_precision"] == expected


@pytest.mark.parametrize(
    ("precision", "expected"),
    [("site", "1"), ("city", "1"), ("admin2", "2"), ("admin1", "3"), ("country", "3"), (None, "3")],
)
def test_write_acled_csv_geo_precision(precision: str | None, expected: str) -> None:
    loc = Location(name="Somewhere", country="UA", precision=precision)
    assert _row(_event(location=loc))["geo_precision"] == expected


def _actor(kind: str, role: str = "initiator", side: str | None = "UA") -> Actor:
    return Actor(text=f"some {kind}", kind=kind, side=side, role=role)


@pytest.mark.parametrize(
    ("a1", "a2", "expected"),
    [
        ("civilians", "military", "17"),
        ("military", "civilians", "17"),
        ("protesters", "police", "16"),
        ("military", "military", "11"),
        ("armed_group", "military", "12"),
        ("journalists", "officials", "17"),
        ("government", None, "10"),
        ("protesters", None, "60"),
        (None, "civilians", "70"),
        ("other", "civilians", "78"),
        (None, None, ""),
    ],
)
def test_interaction_code(a1: str | None, a2: str | None, expected: str) -> None:
    first = _actor(a1) if a1 else None
    second = _actor(a2, "target") if a2 else None
    assert interaction_code(first, second) == expected


@pytest.mark.parametrize(
    ("kind", "side", "country", "expected"),
    [
        ("civilians", "UA", None, "Civilians (Ukraine)"),
        ("journalists", None, "UA", "Civilians (Ukraine)"),
        ("protesters", "RU", "UA", "Protesters (Russia)"),
        ("military", "RU", "UA", "Military Forces of Russia (2000-)"),
        ("police", "RU", None, "Police Forces of Russia (2000-)"),
        ("officials", "UA", None, "Government of Ukraine (2019-)"),
        ("armed_group", None, "UA", "Unidentified Armed Group (Ukraine)"),
        ("military", None, None, "Unidentified Military Forces"),
        ("civilians", "ZZ", None, "Civilians"),
        ("other", "UA", None, "some other"),
    ],
)
def test_actor_label(kind: str, side: str | None, country: str | None, expected: str) -> None:
    assert actor_label(_actor(kind, side=side), country) == expected


def test_write_acled_csv_source_joins_outlets_of_a_cluster() -> None:
    a = _event("doc-bz-e1", cluster="bilozerka-blockade")
    b = _event("doc-b2-e1", cluster="bilozerka-blockade").model_copy(update={"doc_id": "doc-b2"})
    lone = _event("doc-bz-e3", cluster=None)
    _, rows = _rows([a, b, lone])
    col = HEADER.index("source")
    assert rows[1][col] == rows[2][col] == "Another Invented Outlet; Made-up Times"
    assert rows[3][col] == "Made-up Times"


def test_write_acled_csv_missing_article_and_huge_numbers() -> None:
    _, rows = _rows([_event(fatalities=10**25)], articles={})
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["source"] == "" and row["fatalities"] == str(10**25)


@settings(max_examples=60, deadline=None)
@given(note=st.text(min_size=1, max_size=80))
def test_write_acled_csv_any_note_round_trips(note: str) -> None:
    event = _event(modality="asserted", evidence=[Span(doc_id="doc-bz", start=0, end=len(note), text=note)])
    n, rows = _rows([event])
    assert n == 1 and len(rows) == 2
    assert rows[1][HEADER.index("notes")] == note
