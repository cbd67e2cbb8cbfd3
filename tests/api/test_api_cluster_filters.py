"""Status and corroboration filters run in SQL: full pages, correct totals, kept current by every write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.api.conftest import Api, _make_api
from vigil.schema import Article, Event, EventDate, Location, Span

OUTLETS = ["Plains Courier", "Valley Bulletin"]
SINCE = "2023-01-01"  # leaves out the conftest store's own 2022 events


def _article(n: int, outlet: str, cluster: str, day: date, town: str) -> Article:
    verb = "protested" if outlet == OUTLETS[0] else "protested loudly"
    text = f"Residents of {town} {verb} outside the town hall on that day, report number {n} said."
    doc = f"doc-{n:03d}-{outlet[:5].lower()}"
    sp = Span(doc_id=doc, start=13, end=13 + len(town), text=town, sentence=0, provenance="test@1:m")
    ev = Event(id=f"{doc}-e1", doc_id=doc, type="protest", date=EventDate(start=day, end=day),
               location=Location(name=town, admin1="Lowland Oblast", country="UA", lat=47.0, lon=33.0,
                                 precision="city"),
               trigger=sp, evidence=[Span(doc_id=doc, start=0, end=len(text), text=text, sentence=0)],
               cluster=cluster, salience=0.5)
    return Article(id=doc, text=text, published=day, outlet=outlet, events=[ev])


def _articles() -> list[Article]:
    """25 invented protests told by two outlets (corroborated) and 20 told once (single-source)."""
    out = []
    start = date(2023, 5, 1)
    for n in range(45):
        day = start + timedelta(days=n)
        town = f"Town{n:02d}"
        out.append(_article(n, OUTLETS[0], f"c-{n}", day, town))
        if n < 25:
            out.append(_article(n, OUTLETS[1], f"c-{n}", day, town))
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def many(request: pytest.FixtureRequest, tmp_path: Path, pg_schema: Callable) -> Iterator[Api]:
    def fill(url: str) -> Iterator[Api]:
        for api in _make_api(url):
            for a in _articles():
                assert api.store.add_article(a)
            yield api

    if request.param == "sqlite":
        yield from fill(str(tmp_path / "many.db"))
    else:
        with pg_schema("vigil_filters") as url:
            yield from fill(url)


def _pages(api: Api, query: str, size: int) -> tuple[list[dict], list[int], int]:
    items, sizes, total, offset = [], [], -1, 0
    while True:
        body = api.client.get(f"/events?{query}&since={SINCE}&limit={size}&offset={offset}",
                              headers=api.h("viewer")).json()
        total = body["total"]
        if not body["items"]:
            return items, sizes, total
        items += body["items"]
        sizes.append(len(body["items"]))
        offset += size


@pytest.mark.parametrize("query", ["status=corroborated", "min_corroboration=2",
                                   "status=corroborated&type=protest"])
def test_status_filters_give_full_pages_and_the_right_total(many: Api, query: str) -> None:
    items, sizes, total = _pages(many, query, 7)
    assert total == 50 and len(items) == 50
    assert sizes == [7] * 7 + [1]  # every page but the last is full
    assert {e["status"] for e in items} == {"corroborated"} and {e["corroboration"] for e in items} == {2}
    days = [e["date"]["start"] for e in items]
    assert days == sorted(days, reverse=True)  # the list order holds across pages


def test_single_source_filter_and_timeline_agree(many: Api) -> None:
    items, _, total = _pages(many, "status=single-source", 8)
    assert total == len(items) >= 20
    assert all(e["corroboration"] == 1 for e in items if e["id"].startswith("doc-"))
    days = many.client.get(f"/timeline?min_corroboration=2&since={SINCE}", headers=many.h("viewer")).json()["days"]
    assert sum(sum(d["counts"].values()) for d in days) == 50


def test_split_and_merge_move_events_between_status_filters(many: Api) -> None:
    h = many.h("editor")
    assert many.client.post("/events/doc-000-valle-e1/split", json={"reason": "another rally"},
                            headers=h).status_code == 200
    total = many.client.get(f"/events?status=corroborated&since={SINCE}&limit=1",
                            headers=many.h("viewer")).json()["total"]
    assert total == 48
    resp = many.client.post("/events/merge", json={"ids": ["doc-030-plain-e1", "doc-000-valle-e1"],
                                                   "reason": "same rally"}, headers=h)
    assert resp.status_code == 200
    body = many.client.get(f"/events?min_corroboration=2&since={SINCE}&limit=100", headers=many.h("viewer")).json()
    assert body["total"] == 50 and "doc-030-plain-e1" in {e["id"] for e in body["items"]}


def test_edit_that_makes_a_cluster_contested_moves_it(many: Api) -> None:
    many.client.patch("/events/doc-001-valle-e1", json={"changes": {"type": "obstruction"}, "reason": "road"},
                      headers=many.h("editor"))
    body = many.client.get(f"/events?status=contested&since={SINCE}&limit=10", headers=many.h("viewer")).json()
    assert body["total"] == 2 and {e["id"] for e in body["items"]} == {"doc-001-plain-e1", "doc-001-valle-e1"}


def test_status_filter_is_sql_on_indexed_columns(many: Api) -> None:
    from sqlalchemy import select

    from vigil.store.models import EventRow
    from vigil.store.review import EventFilters, _count_query

    sql = str(_count_query(EventFilters(status="contested", min_corroboration=2)))
    assert "events.status" in sql and "events.corroboration" in sql
    many.client.post("/events/doc-002-valle-e1/split", json={"reason": "two rallies"}, headers=many.h("editor"))
    with many.store._session() as s:  # noqa: SLF001 - the stored columns the filters read
        rows = dict(s.execute(select(EventRow.id, EventRow.corroboration)
                              .where(EventRow.id.in_(["doc-002-plain-e1", "doc-002-valle-e1", "doc-003-plain-e1"])))
                    .all())
    assert rows == {"doc-002-plain-e1": 1, "doc-002-valle-e1": 1, "doc-003-plain-e1": 2}
