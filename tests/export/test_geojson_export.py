"""write_geojson: a valid FeatureCollection, [lon, lat] order, unlocated events counted."""

from __future__ import annotations

import io
import json
from datetime import date

from vigil.export import write_geojson
from vigil.schema import Acled, Article, Event, EventDate, Location, Span

TEXT = "Drones struck a depot near Izium on Sunday. Talks were held somewhere, officials said."


def _event(eid: str, location: Location | None, piece: str = "struck") -> Event:
    start = TEXT.index(piece)
    return Event(id=eid, doc_id="doc-iz", type="airstrike", location=location,
                 date=EventDate(start=date(2022, 4, 3), end=date(2022, 4, 3)),
                 acled=Acled(event_type="Explosions/Remote violence", sub_event_type="Air/drone strike"),
                 trigger=Span(doc_id="doc-iz", start=start, end=start + len(piece), text=piece))


def _setup() -> tuple[list[Event], dict[str, Article]]:
    located = _event("e1", Location(name="Izium", country="UA", lat=49.21, lon=37.26, precision="city"))
    no_coords = _event("e2", Location(name="somewhere"), "Talks")
    no_location = _event("e3", None, "Talks")
    bad_coords = _event("e4", Location(name="Off the map", lat=123.0, lon=37.0))
    article = Article(id="doc-iz", text=TEXT, published=date(2022, 4, 4), outlet="Invented Wire",
                      url="https://example.org/iz")
    return [located, no_coords, no_location, bad_coords], {"doc-iz": article}


def _write(events: list[Event], articles: dict[str, Article]) -> tuple[int, dict]:
    fh = io.StringIO()
    n = write_geojson(events, fh, articles)
    return n, json.loads(fh.getvalue())


def test_write_geojson_is_a_feature_collection() -> None:
    n, fc = _write(*_setup())
    assert fc["type"] == "FeatureCollection"
    assert n == len(fc["features"]) == 1
    feature = fc["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"


def test_write_geojson_coordinates_are_lon_lat() -> None:
    _, fc = _write(*_setup())
    assert fc["features"][0]["geometry"]["coordinates"] == [37.26, 49.21]


def test_write_geojson_counts_unlocated_events() -> None:
    _, fc = _write(*_setup())
    assert fc["unlocated"] == 3


def test_write_geojson_properties_carry_record_and_article_fields() -> None:
    _, fc = _write(*_setup())
    props = fc["features"][0]["properties"]
    assert props["doc_id"] == "doc-iz" and props["outlet"] == "Invented Wire"
    assert props["published"] == "2022-04-04" and props["url"] == "https://example.org/iz"
    assert props["type"] == "airstrike" and props["date"] == {"start": "2022-04-03", "end": "2022-04-03"}
    assert props["acled"]["sub_event_type"] == "Air/drone strike"
    assert props["trigger"] == {"start": 7, "end": 13, "text": "struck"}


def test_write_geojson_missing_article_and_no_events() -> None:
    events, _ = _setup()
    n, fc = _write(events[:1], {})
    assert n == 1 and fc["features"][0]["properties"]["outlet"] is None
    n, fc = _write([], {})
    assert (n, fc["features"], fc["unlocated"]) == (0, [], 0)
