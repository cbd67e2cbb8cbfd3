"""The fast /events path: stored records, one JSON body, indexes of migration 0003, TCP_NODELAY serving."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.api.conftest import Api, make_articles
from vigil.api.routers.events import _quick
from vigil.api.server import HttpProtocol, set_nodelay
from vigil.store import open_store
from vigil.store.models import EventRow
from vigil.store.records import payload_record, record_json
from vigil.store.review import (
    EventFilters,
    Principal,
    edit_event,
    merge_events,
    review_event,
    search_events,
    search_events_json,
)

FILTERS = [
    EventFilters(),
    EventFilters(type="protest"),
    EventFilters(since=date(2022, 3, 1), until=date(2022, 3, 31)),
    EventFilters(bbox=(30.0, 46.0, 37.0, 51.0)),
    EventFilters(admin1="kherson oblast", modality="reported"),
    EventFilters(outlet="northern herald"),
    EventFilters(review="verified"),
    EventFilters(status="corroborated"),
    EventFilters(min_corroboration=2),
    EventFilters(q="council"),
    EventFilters(place="Nowhere"),
]
EDITOR = Principal(token_id=None, role="editor")


def _same(store: object, f: EventFilters, limit: int = 100, offset: int = 0) -> None:
    items, total = search_events(store, f, limit=limit, offset=offset)  # type: ignore[arg-type]
    body = json.loads(search_events_json(store, f, limit=limit, offset=offset))  # type: ignore[arg-type]
    assert body == {"items": items, "total": total, "limit": limit, "offset": offset}


@pytest.mark.parametrize("f", FILTERS)
def test_search_events_json_equals_search_events(api: Api, f: EventFilters) -> None:
    review_event(api.store, "doc-north-e1", "verified", "checked", by=EDITOR)
    _same(api.store, f)


def test_search_events_json_applies_edits_and_merges(api: Api) -> None:
    edit_event(api.store, "doc-south-e1", {"type": "protest", "modality": "claimed"}, "misread", by=EDITOR)
    merge_events(api.store, ["doc-north-e1", "doc-south-e1"], "same incident", by=EDITOR)
    for f in FILTERS:
        _same(api.store, f)
    body = json.loads(search_events_json(api.store, EventFilters(type="protest")))
    south = next(i for i in body["items"] if i["id"] == "doc-south-e1")
    assert south["edited"] is True and south["modality"] == "claimed" and south["cluster"] == "c-ivanivka"


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1, 0), (2, 1), (100, 3), (5, 10_000)])
def test_search_events_json_pages_like_search_events(lite: Api, limit: int, offset: int) -> None:
    _same(lite.store, EventFilters(), limit, offset)


def test_search_events_json_builds_records_missing_from_the_store(lite: Api) -> None:
    with lite.store._session(write=True) as s:
        s.execute(update(EventRow).values(record=None))
    _same(lite.store, EventFilters())
    assert json.loads(search_events_json(lite.store, EventFilters()))["total"] == 4


def test_record_json_is_payload_record_without_cluster() -> None:
    for article in make_articles():
        for ev in article.events:
            payload = ev.model_dump(mode="json")
            expected = payload_record(payload, None)
            del expected["cluster"]
            assert json.loads(record_json(payload) or "null") == expected


@pytest.mark.parametrize("payload", [{"actors": 5}, {"evidence": [1, 2]}, {"location": "Kyiv"}])
def test_record_json_refuses_odd_payloads(payload: dict) -> None:
    assert record_json(payload) is None


def test_add_article_stores_the_record(tmp_path: Path) -> None:
    from sqlalchemy import select

    with open_store(str(tmp_path / "r.db")) as store:
        for a in make_articles():
            store.add_article(a)
        with store._session() as s:
            records = dict(s.execute(select(EventRow.id, EventRow.record)).all())
    assert records and all(r is not None and json.loads(r)["id"] == eid for eid, r in records.items())


def test_migration_0003_fills_records_of_stored_events(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import select

    from vigil.store.repository import _alembic_config

    path = tmp_path / "m.db"
    with open_store(str(path)) as store:
        for a in make_articles():
            store.add_article(a)
        cfg = _alembic_config()
        with store._engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
    with open_store(str(path)) as store:  # migrates to head again
        with store._session() as s:
            rows = s.execute(select(EventRow.payload, EventRow.record)).all()
    assert rows and all(rec == record_json(payload) for payload, rec in rows)


def test_list_events_route_returns_the_fast_body(ro_lite: Api) -> None:
    resp = ro_lite.client.get("/events?type=protest&limit=1", headers=ro_lite.h("viewer"))
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["items"][0]["type"] == "protest"


@pytest.mark.parametrize(("f", "limit", "offset", "quick"), [
    (EventFilters(type="protest"), 50, 0, True),
    (EventFilters(), 1000, 0, False),
    (EventFilters(), 50, 100_000, False),
    (EventFilters(q="mayor"), 50, 0, False),
    (EventFilters(q="   "), 50, 0, True),
    (EventFilters(status="contested", min_corroboration=2), 50, 0, True),  # indexed columns now
])
def test_quick_keeps_slow_pages_off_the_event_loop(f: EventFilters, limit: int, offset: int, quick: bool) -> None:
    assert _quick(f, limit, offset) is quick


class _Transport:
    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock

    def get_extra_info(self, name: str, default: object = None) -> object:
        return self.sock if name == "socket" else default


def _accepted_pair() -> tuple[socket.socket, socket.socket, socket.socket]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # no protocol named, as uvicorn's workers bind
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    return listener, client, conn


def test_set_nodelay_switches_nagle_off() -> None:
    listener, client, conn = _accepted_pair()
    try:
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        assert set_nodelay(_Transport(conn)) is True
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        for s in (listener, client, conn):
            s.close()


def test_set_nodelay_ignores_non_tcp_transports() -> None:
    a, b = socket.socketpair()
    try:
        assert set_nodelay(_Transport(a)) is False
        assert set_nodelay(_Transport(None)) is False
    finally:
        a.close()
        b.close()


def test_http_protocol_sets_nodelay_on_connection(sqlite_url: str) -> None:
    import asyncio

    import uvicorn
    from uvicorn.server import ServerState

    from vigil.api import create_app

    listener, client, conn = _accepted_pair()
    loop = asyncio.new_event_loop()
    try:
        app = create_app(sqlite_url, web=False)
        config = uvicorn.Config(app, log_level="warning")
        transport = _Transport(conn)
        transport.is_closing = lambda: False  # type: ignore[attr-defined]
        proto = HttpProtocol(config=config, server_state=ServerState(), app_state={}, _loop=loop)
        proto.connection_made(transport)  # type: ignore[arg-type]
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        app.state.store.close()
    finally:
        loop.close()
        for s in (listener, client, conn):
            s.close()
