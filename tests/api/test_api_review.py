"""Review: PATCH with reason and audit, verified/rejected, merge and split, overrides surviving re-runs."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, update

from tests.api.conftest import Api, assert_error, fake_pipeline, make_articles
from vigil.store.models import EventRow

CHANGE = {"type": "obstruction", "date": {"start": "2022-02-27"},
          "location": {"name": "Lisove", "admin1": "Kyiv Oblast", "country": "UA", "lat": 50.6, "lon": 30.9,
                       "precision": "city"},
          "actors": [{"text": "farmers", "kind": "civilians", "role": "initiator"}], "fatalities": 0}


def _audit(api: Api, event_id: str | None = None) -> list[dict]:
    q = f"?event_id={event_id}" if event_id else ""
    return api.client.get(f"/audit{q}", headers=api.h("viewer")).json()["items"]


def test_patch_changes_fields_and_returns_event(api: Api) -> None:
    resp = api.client.patch("/events/doc-south-e1", json={"changes": CHANGE, "reason": "misread report"},
                            headers=api.h("editor"))
    assert resp.status_code == 200, resp.text
    ev = resp.json()
    assert ev["type"] == "obstruction" and ev["date"] == {"start": "2022-02-27", "end": "2022-02-27"}
    assert ev["location"]["name"] == "Lisove" and ev["actors"][0]["text"] == "farmers"
    assert ev["fatalities"] == 0 and ev["edited"] is True
    assert "location" not in ev["field_evidence"]  # the machine's evidence no longer supports the value
    assert ev["trigger"]["text"] == "shelled"  # evidence of the report itself stays


def test_patch_is_visible_to_filters_and_timeline(api: Api) -> None:
    api.client.patch("/events/doc-south-e1", json={"changes": CHANGE, "reason": "misread"}, headers=api.h("editor"))
    ids = [e["id"] for e in api.client.get("/events?type=obstruction&place=lisove",
                                           headers=api.h("viewer")).json()["items"]]
    assert sorted(ids) == ["doc-script-e1", "doc-south-e1"]
    days = api.client.get("/timeline?type=obstruction", headers=api.h("viewer")).json()["days"]
    assert {"date": "2022-02-27", "counts": {"obstruction": 1}} in days


def test_patch_writes_audit_with_before_after_reason(api: Api) -> None:
    api.client.patch("/events/doc-south-e1", json={"changes": {"type": "airstrike"}, "reason": "video shows a jet"},
                     headers=api.h("editor"))
    me = api.client.get("/me", headers=api.h("editor")).json()
    entry = _audit(api, "doc-south-e1")[0]
    assert entry["action"] == "edit" and entry["reason"] == "video shows a jet"
    assert entry["before"] == {"type": "shelling", "acled": {"event_type": None, "sub_event_type": None}}
    assert entry["after"] == {"type": "airstrike", "acled": {"event_type": "Explosions/Remote violence",
                                                             "sub_event_type": "Air/drone strike"}}
    assert entry["token_id"] == me["token_id"] and entry["role"] == "editor" and entry["at"]
    history = api.client.get("/events/doc-south-e1", headers=api.h("viewer")).json()["history"]
    assert [h["id"] for h in history] == [entry["id"]]


@pytest.mark.parametrize("body", [
    {"changes": {"type": "obstruction"}},
    {"changes": {"type": "obstruction"}, "reason": ""},
    {"changes": {"type": "obstruction"}, "reason": "   "},
    {"changes": {"type": "obstruction"}, "reason": None},
])
def test_patch_without_reason_is_422_and_changes_nothing(lite: Api, body: dict) -> None:
    assert_error(lite.client.patch("/events/doc-south-e1", json=body, headers=lite.h("editor")), 422)
    ev = lite.client.get("/events/doc-south-e1", headers=lite.h("viewer")).json()["event"]
    assert ev["type"] == "shelling" and ev["edited"] is False
    assert _audit(lite) == [a for a in _audit(lite) if a["action"] == "token.create"]


@pytest.mark.parametrize("changes", [
    {"type": "riot"}, {"date": {"start": "2022-13-45"}}, {"date": {"start": "2022-02-30"}},
    {"date": {"start": "2022-03-05", "end": "2022-03-01"}}, {"location": {"name": ""}},
    {"location": {"name": "X", "lat": 91, "lon": 0}}, {"location": {"name": "X", "lat": 10}},
    {"fatalities": -1}, {"fatalities": 10**30}, {"crowd": {"text": "many", "low": 50, "high": 10}},
    {"actors": [{"text": "a", "kind": "aliens", "role": "initiator"}]}, {"modality": "rumoured"},
    {"type": None}, {"salience": 1.0}, {}, {"cluster": "x"},
])
def test_patch_invalid_value_is_422_with_details(lite: Api, changes: dict) -> None:
    resp = lite.client.patch("/events/doc-south-e1", json={"changes": changes, "reason": "fix"},
                             headers=lite.h("editor"))
    err = assert_error(resp, 422)
    assert err["details"]
    assert lite.client.get("/events/doc-south-e1", headers=lite.h("viewer")).json()["event"]["edited"] is False


def test_patch_unknown_event_is_404(api: Api) -> None:
    resp = api.client.patch("/events/nope", json={"changes": {"type": "protest"}, "reason": "x"},
                            headers=api.h("editor"))
    assert_error(resp, 404, "not_found")
    assert all(a["action"] != "edit" for a in _audit(api))


def test_patch_malformed_json_is_422(lite: Api) -> None:
    resp = lite.client.patch("/events/doc-south-e1", content=b'{"changes": {', headers={
        **lite.h("editor"), "Content-Type": "application/json"})
    assert_error(resp, 422, "malformed_json")


@pytest.mark.parametrize("status", ["verified", "rejected"])
def test_review_marks_event_and_is_filterable(api: Api, status: str) -> None:
    resp = api.client.post("/events/doc-wire-e1/review", json={"status": status, "reason": "called the mayor"},
                           headers=api.h("editor"))
    assert resp.status_code == 200 and resp.json()["review"] == status
    assert [e["id"] for e in api.client.get(f"/events?review={status}",
                                            headers=api.h("viewer")).json()["items"]] == ["doc-wire-e1"]
    entry = _audit(api, "doc-wire-e1")[0]
    assert entry["action"] == "review" and entry["before"] == {"review": "unreviewed"}
    assert entry["after"] == {"review": status}


def test_review_unknown_status_is_422(lite: Api) -> None:
    assert_error(lite.client.post("/events/doc-wire-e1/review", json={"status": "fine"}, headers=lite.h("editor")),
                 422)


def test_review_unknown_event_is_404(lite: Api) -> None:
    assert_error(lite.client.post("/events/nope/review", json={"status": "verified"}, headers=lite.h("editor")), 404)


def test_merge_puts_events_in_one_cluster(api: Api) -> None:
    resp = api.client.post("/events/merge", json={"ids": ["doc-south-e1", "doc-script-e1"], "reason": "same strike"},
                           headers=api.h("editor"))
    assert resp.status_code == 200
    cluster = resp.json()["cluster"]
    assert cluster == "c-prymorske"
    detail = api.client.get("/events/doc-script-e1", headers=api.h("viewer")).json()
    assert detail["cluster"]["id"] == cluster
    assert sorted(s["event_id"] for s in detail["cluster"]["sources"]) == ["doc-script-e1", "doc-south-e1"]
    assert detail["cluster"]["status"] == "contested"  # the two reports disagree on the type
    assert detail["history"][0]["action"] == "merge" and detail["history"][0]["after"] == {"cluster": cluster}


@pytest.mark.parametrize(("ids", "status"), [(["doc-south-e1"], 422), (["doc-south-e1", "doc-south-e1"], 422),
                                             (["doc-south-e1", "ghost"], 404), ([], 422)])
def test_merge_bad_ids_change_nothing(lite: Api, ids: list[str], status: int) -> None:
    assert_error(lite.client.post("/events/merge", json={"ids": ids, "reason": "r"}, headers=lite.h("editor")),
                 status)
    assert lite.client.get("/events/doc-south-e1", headers=lite.h("viewer")).json()["cluster"]["id"] == "c-prymorske"
    assert all(a["action"] != "merge" for a in _audit(lite))


def test_merge_without_reason_is_422(lite: Api) -> None:
    assert_error(lite.client.post("/events/merge", json={"ids": ["doc-south-e1", "doc-wire-e1"]},
                                  headers=lite.h("editor")), 422)


def test_split_moves_event_to_its_own_cluster(api: Api) -> None:
    resp = api.client.post("/events/doc-wire-e1/split", json={"reason": "another day"}, headers=api.h("editor"))
    assert resp.status_code == 200
    new = resp.json()["cluster"]
    assert new != "c-ivanivka"
    wire = api.client.get("/events/doc-wire-e1", headers=api.h("viewer")).json()
    north = api.client.get("/events/doc-north-e1", headers=api.h("viewer")).json()
    assert wire["cluster"]["id"] == new and [s["event_id"] for s in wire["cluster"]["sources"]] == ["doc-wire-e1"]
    assert [s["event_id"] for s in north["cluster"]["sources"]] == ["doc-north-e1"]
    assert north["event"]["status"] == "single-source"


def test_split_without_reason_is_422(lite: Api) -> None:
    assert_error(lite.client.post("/events/doc-wire-e1/split", json={}, headers=lite.h("editor")), 422)


def test_split_unknown_event_is_404(lite: Api) -> None:
    assert_error(lite.client.post("/events/ghost/split", json={"reason": "r"}, headers=lite.h("editor")), 404)


def test_audit_is_append_only_and_newest_first(lite: Api) -> None:
    h = lite.h("editor")
    lite.client.patch("/events/doc-south-e1", json={"changes": {"fatalities": 4}, "reason": "update"}, headers=h)
    lite.client.patch("/events/doc-south-e1", json={"changes": {"fatalities": 5}, "reason": "second update"},
                      headers=h)
    entries = _audit(lite, "doc-south-e1")
    assert [e["reason"] for e in entries] == ["second update", "update"]
    assert entries[1]["before"] == {"fatalities": 3} and entries[0]["before"] == {"fatalities": 4}
    paged = lite.client.get("/audit?event_id=doc-south-e1&limit=1&offset=1", headers=lite.h("viewer")).json()
    assert [e["id"] for e in paged["items"]] == [entries[1]["id"]]


def test_overrides_survive_rerun_of_same_input(api: Api) -> None:
    from vigil.jobs import run_into_store

    api.client.patch("/events/doc-south-e1", json={"changes": {"type": "airstrike", "fatalities": 7},
                                                   "reason": "ministry statement"}, headers=api.h("editor"))
    api.client.post("/events/doc-wire-e1/split", json={"reason": "separate rally"}, headers=api.h("editor"))
    summary = run_into_store(make_articles(), api.store, fake_pipeline)
    assert summary.stored == 0
    ev = api.client.get("/events/doc-south-e1", headers=api.h("viewer")).json()["event"]
    assert ev["type"] == "airstrike" and ev["fatalities"] == 7
    assert api.client.get("/events/doc-wire-e1", headers=api.h("viewer")).json()["cluster"]["id"] != "c-ivanivka"


def test_overrides_survive_machine_rewriting_the_event(api: Api) -> None:
    """A re-extraction or re-clustering that rewrites the event row never shows the machine value again."""
    from vigil.store.review import reapply_overrides

    api.client.patch("/events/doc-south-e1", json={"changes": {"type": "airstrike"}, "reason": "jet seen"},
                     headers=api.h("editor"))
    api.client.post("/events/merge", json={"ids": ["doc-north-e1", "doc-south-e1"], "reason": "same"},
                    headers=api.h("editor"))
    with api.store._session(write=True) as s:  # what a re-extraction / re-fusion writes
        s.execute(update(EventRow).where(EventRow.id == "doc-south-e1").values(type="shelling", cluster="machine-1"))
    ev = api.client.get("/events/doc-south-e1", headers=api.h("viewer")).json()
    assert ev["event"]["type"] == "airstrike" and ev["cluster"]["id"] == "c-ivanivka"
    assert reapply_overrides(api.store) >= 1
    with api.store._session() as s:
        assert s.execute(select(EventRow.type, EventRow.cluster).where(EventRow.id == "doc-south-e1")).one() == (
            "airstrike", "c-ivanivka")
    assert "doc-south-e1" in [e["id"] for e in api.client.get("/events?type=airstrike",
                                                              headers=api.h("viewer")).json()["items"]]


# --- ACLED recoding after an edit -------------------------------------------------------------------

AIR = {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"}


def _acled_row(api: Api, event_type: str) -> dict[str, str]:
    resp = api.client.get(f"/export?format=acled-csv&type={event_type}", headers=api.h("viewer"))
    assert resp.status_code == 200, resp.text
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == 1
    return rows[0]


def test_type_edit_recodes_acled_in_api_export_and_columns(api: Api) -> None:
    ev = api.client.patch("/events/doc-south-e1", json={"changes": {"type": "airstrike"}, "reason": "a jet"},
                          headers=api.h("editor")).json()
    assert ev["acled"] == AIR
    assert api.client.get("/events/doc-south-e1", headers=api.h("viewer")).json()["event"]["acled"] == AIR
    listed = api.client.get("/events?type=airstrike", headers=api.h("viewer")).json()["items"]
    assert [e["acled"] for e in listed] == [AIR]
    row = _acled_row(api, "airstrike")
    assert (row["event_type"], row["sub_event_type"]) == (AIR["event_type"], AIR["sub_event_type"])
    with api.store._session() as s:  # noqa: SLF001 - the indexed columns follow too
        cols = s.execute(select(EventRow.acled_event_type, EventRow.acled_sub_event_type)
                         .where(EventRow.id == "doc-south-e1")).one()
    assert tuple(cols) == (AIR["event_type"], AIR["sub_event_type"])


def test_intervention_edit_recodes_a_protest(lite: Api) -> None:
    h = lite.h("editor")
    ev = lite.client.patch("/events/doc-wire-e1", json={"changes": {"intervention": "crowd_control"},
                                                        "reason": "police lines"}, headers=h).json()
    assert ev["acled"] == {"event_type": "Protests", "sub_event_type": "Protest with intervention"}
    ev = lite.client.patch("/events/doc-wire-e1", json={"changes": {"intervention": "fired_on_crowd"},
                                                        "reason": "video"}, headers=h).json()
    assert ev["acled"] == {"event_type": "Protests", "sub_event_type": "Excessive force against protesters"}
    entry = _audit(lite, "doc-wire-e1")[0]
    assert entry["before"]["acled"]["sub_event_type"] == "Protest with intervention"
    assert entry["after"]["acled"]["sub_event_type"] == "Excessive force against protesters"
    row = _acled_row(lite, "protest&place=ivanivka&outlet=continental%20wire")
    assert row["sub_event_type"] == "Excessive force against protesters"


def test_edit_of_a_field_acled_ignores_keeps_the_coding_out_of_the_audit(lite: Api) -> None:
    lite.client.patch("/events/doc-south-e1", json={"changes": {"modality": "reported"}, "reason": "quote"},
                      headers=lite.h("editor"))
    entry = _audit(lite, "doc-south-e1")[0]
    assert entry["before"] == {"modality": "asserted"} and entry["after"] == {"modality": "reported"}


def test_acled_recoding_survives_a_rerun(lite: Api) -> None:
    lite.client.patch("/events/doc-south-e1", json={"changes": {"type": "airstrike"}, "reason": "a jet"},
                      headers=lite.h("editor"))
    from vigil.jobs import run_into_store
    from vigil.store.review import reapply_overrides

    run_into_store(make_articles(), lite.store, fake_pipeline)
    reapply_overrides(lite.store)
    assert lite.client.get("/events/doc-south-e1", headers=lite.h("viewer")).json()["event"]["acled"] == AIR
