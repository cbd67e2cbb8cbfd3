"""GET /events, /events/{id}, /timeline: filters, paging, clusters, disagreements; bad query values."""

from __future__ import annotations

import pytest

from tests.api.conftest import TEXTS, Api, assert_error, make_articles


def _ids(api: Api, query: str = "", role: str = "viewer") -> list[str]:
    resp = api.client.get(f"/events{query}", headers=api.h(role))
    assert resp.status_code == 200, resp.text
    return sorted(e["id"] for e in resp.json()["items"])


def test_events_list_has_contract_fields(api: Api) -> None:
    body = api.client.get("/events", headers=api.h("viewer")).json()
    assert body["total"] == 4 and body["limit"] == 100 and body["offset"] == 0
    ev = next(e for e in body["items"] if e["id"] == "doc-north-e1")
    for key in ("type", "intervention", "date", "location", "actors", "crowd", "fatalities", "injuries", "modality",
                "acled", "evidence", "evidence_spans", "field_evidence", "trigger", "cluster", "doc_id", "outlet",
                "published", "status", "corroboration", "review", "edited"):
        assert key in ev
    assert ev["outlet"] == "Northern Herald" and ev["published"] == "2022-03-01"
    assert ev["cluster"] == "c-ivanivka" and ev["review"] == "unreviewed" and ev["edited"] is False
    start = TEXTS["doc-north"].index("protested")
    assert ev["trigger"] == {"start": start, "end": start + 9, "text": "protested"}


def test_events_list_newest_first(api: Api) -> None:
    items = api.client.get("/events", headers=api.h("viewer")).json()["items"]
    starts = [e["date"]["start"] for e in items]
    assert starts == sorted(starts, reverse=True)


def test_events_two_outlets_make_a_corroborated_cluster(api: Api) -> None:
    items = {e["id"]: e for e in api.client.get("/events", headers=api.h("viewer")).json()["items"]}
    assert items["doc-north-e1"]["status"] == "corroborated" and items["doc-north-e1"]["corroboration"] == 2
    assert items["doc-south-e1"]["status"] == "single-source" and items["doc-south-e1"]["corroboration"] == 1
    assert items["doc-script-e1"]["status"] == "unverified"


@pytest.mark.parametrize(("query", "expected"), [
    ("?type=shelling", ["doc-south-e1"]),
    ("?since=2022-03-03", ["doc-script-e1", "doc-south-e1"]),
    ("?until=2022-02-28", ["doc-north-e1", "doc-wire-e1"]),
    ("?since=2022-03-01&until=2022-03-03", ["doc-south-e1"]),
    ("?bbox=33,46,34,47", ["doc-north-e1", "doc-wire-e1"]),
    ("?place=ivanivka", ["doc-north-e1", "doc-wire-e1"]),
    ("?admin1=Kyiv%20Oblast", ["doc-script-e1"]),
    ("?country=ua&type=obstruction", ["doc-script-e1"]),
    ("?country=RU", []),
    ("?outlet=southern%20gazette", ["doc-south-e1"]),
    ("?status=corroborated", ["doc-north-e1", "doc-wire-e1"]),
    ("?status=unverified", ["doc-script-e1"]),
    ("?min_corroboration=2", ["doc-north-e1", "doc-wire-e1"]),
    ("?modality=claimed", ["doc-script-e1"]),
    ("?review=unreviewed&type=shelling", ["doc-south-e1"]),
    ("?review=verified", []),
    ("?q=ARTILLERY", ["doc-south-e1"]),
    ("?q=100%25", []),
    ("?q=Prymorske&status=single-source", ["doc-south-e1"]),
])
def test_events_filters(ro_api: Api, query: str, expected: list[str]) -> None:
    assert _ids(ro_api, query) == expected


def test_events_paging_keeps_total(lite: Api) -> None:
    first = lite.client.get("/events?limit=3", headers=lite.h("viewer")).json()
    rest = lite.client.get("/events?limit=3&offset=3", headers=lite.h("viewer")).json()
    assert first["total"] == rest["total"] == 4
    assert len(first["items"]) == 3 and len(rest["items"]) == 1
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in rest["items"]}


def test_events_paging_with_status_filter(lite: Api) -> None:
    body = lite.client.get("/events?status=corroborated&limit=1&offset=1", headers=lite.h("viewer")).json()
    assert body["total"] == 2 and len(body["items"]) == 1


@pytest.mark.parametrize("query", ["?since=2022-13-45", "?until=2022-02-30", "?limit=1001", "?limit=-1",
                                   "?offset=-5", "?type=riot", "?status=maybe", "?bbox=1,2,3", "?bbox=a,b,c,d",
                                   "?bbox=0,50,10,40", "?bbox=0,0,999,1", "?bbox=nan,0,1,1", "?min_corroboration=x",
                                   "?min_corroboration=99999999999999999999", "?review=pending", "?q=" + "x" * 600])
def test_events_bad_query_is_422(ro_lite: Api, query: str) -> None:
    assert_error(ro_lite.client.get(f"/events{query}", headers=ro_lite.h("viewer")), 422, "invalid_request")


def test_event_detail_has_sources_disagreements_history(api: Api) -> None:
    resp = api.client.get("/events/doc-north-e1", headers=api.h("viewer"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["event"]["id"] == "doc-north-e1"
    cluster = body["cluster"]
    assert cluster["id"] == "c-ivanivka" and cluster["status"] == "corroborated" and cluster["corroboration"] == 2
    assert sorted(s["doc_id"] for s in cluster["sources"]) == ["doc-north", "doc-wire"]
    src = next(s for s in cluster["sources"] if s["doc_id"] == "doc-wire")
    assert src["outlet"] == "Continental Wire" and src["event_id"] == "doc-wire-e1"
    assert src["evidence"][0]["text"].startswith("Residents of Ivanivka")
    fields = {d["field"]: d for d in cluster["disagreements"]}
    assert set(fields) == {"crowd", "modality"}
    assert {tuple(v["docs"]) for v in fields["modality"]["values"]} == {("doc-north",), ("doc-wire",)}
    assert body["history"] == []


def test_event_detail_unknown_id_is_404(api: Api) -> None:
    err = assert_error(api.client.get("/events/no-such-event", headers=api.h("viewer")), 404, "not_found")
    assert err["details"]["id"] == "no-such-event"


def test_event_detail_id_with_slash(lite: Api) -> None:
    art = make_articles()[2]
    ev = art.events[0].model_copy(update={"id": "folder/doc-x-e1", "doc_id": "folder/doc-x", "cluster": None})
    lite.store.add_article(art.model_copy(update={"id": "folder/doc-x", "sha256": "f" * 64, "events": [ev]}))
    assert lite.client.get("/events/folder/doc-x-e1", headers=lite.h("viewer")).json()["event"]["id"] == ev.id
    assert lite.client.get("/documents/folder/doc-x", headers=lite.h("viewer")).json()["id"] == "folder/doc-x"


def test_timeline_counts_per_day_and_type(api: Api) -> None:
    days = api.client.get("/timeline", headers=api.h("viewer")).json()["days"]
    assert days == [
        {"date": "2022-02-28", "counts": {"protest": 2}},
        {"date": "2022-03-03", "counts": {"shelling": 1}},
        {"date": "2022-03-04", "counts": {"obstruction": 1}},
    ]


def test_timeline_uses_the_same_filters(api: Api) -> None:
    days = api.client.get("/timeline?status=corroborated", headers=api.h("viewer")).json()["days"]
    assert days == [{"date": "2022-02-28", "counts": {"protest": 2}}]
    assert api.client.get("/timeline?type=airstrike", headers=api.h("viewer")).json() == {"days": []}


def test_payload_record_equals_event_record() -> None:
    from vigil.export import event_record
    from vigil.store.review import payload_record

    for art in make_articles():
        for ev in art.events:
            assert payload_record(ev.model_dump(mode="json"), ev.cluster) == event_record(ev)


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("get", "/events?q=%00", None, 200), ("get", "/events?place=a%00b&outlet=%ED%A0%80", None, 200),
    ("get", "/events/a%00b", None, 404), ("get", "/documents/%00", None, 404),
    ("get", "/audit?event_id=%00", None, 200),
    ("get", "/timeline?admin1=%00", None, 200), ("get", "/export?format=jsonl&q=%00", None, 200),
    ("post", "/events/merge", {"ids": ["a\u0000", "doc-south-e1"], "reason": "r"}, 404),
    ("patch", "/events/doc-south-e1", {"changes": {"location": {"name": "Lis\u0000ove"}}, "reason": "nul\u0000"}, 200),
])
def test_nul_and_unpaired_characters_never_crash(api: Api, method: str, path: str, body: dict | None,
                                                 status: int) -> None:
    kwargs = {"headers": api.h("editor")}
    if body is not None:
        kwargs["json"] = body
    resp = getattr(api.client, method)(path, **kwargs)
    assert resp.status_code == status, resp.text
