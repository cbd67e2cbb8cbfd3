"""GET /documents/{id} (raw text, spans) and POST /documents (JSON or upload): 201, 413, 422, 409, nothing partial."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import TEXTS, Api, assert_error


def _counts(api: Api) -> tuple[int, int]:
    return api.store.count_articles(), api.store.count_events()


def test_document_returns_raw_text_and_spans(api: Api) -> None:
    resp = api.client.get("/documents/doc-north", headers=api.h("viewer"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["text"] == TEXTS["doc-north"] and body["outlet"] == "Northern Herald"
    assert body["published"] == "2022-03-01" and len(body["sha256"]) == 64
    ev = body["events"][0]
    assert ev["id"] == "doc-north-e1" and ev["type"] == "protest"
    t = ev["trigger"]
    assert body["text"][t["start"]:t["end"]] == t["text"] == "protested"
    for sp in ev["evidence_spans"]:
        assert body["text"][sp["start"]:sp["end"]] == sp["text"]


def test_document_with_script_is_returned_raw_as_json(lite: Api) -> None:
    resp = lite.client.get("/documents/doc-script", headers=lite.h("viewer"))
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.json()["text"] == TEXTS["doc-script"]
    assert "<script>alert('x')</script>" in resp.json()["text"]


def test_document_unknown_is_404(lite: Api) -> None:
    assert_error(lite.client.get("/documents/none-such", headers=lite.h("viewer")), 404, "not_found")


def test_post_document_json_runs_pipeline_and_stores(api: Api) -> None:
    body = {"text": "Hundreds of people protested in Lisove on Sunday against the curfew.", "title": "Rally",
            "published": "2022-03-06", "outlet": "Forest Courier", "url": "https://example.org/rally"}
    resp = api.client.post("/documents", json=body, headers=api.h("editor"))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["stored"] is True and out["id"].startswith("api-")
    assert [e["type"] for e in out["events"]] == ["protest"]
    assert out["events"][0]["outlet"] == "Forest Courier" and out["events"][0]["date"]["start"] == "2022-03-06"
    doc = api.client.get(f"/documents/{out['id']}", headers=api.h("viewer")).json()
    assert doc["title"] == "Rally" and doc["url"] == "https://example.org/rally"


def test_post_document_twice_is_not_stored_again(lite: Api) -> None:
    body = {"text": "Villagers blocked the bridge near Lisove on Monday.", "published": "2022-03-07"}
    first = lite.client.post("/documents", json=body, headers=lite.h("editor")).json()
    before = _counts(lite)
    again = lite.client.post("/documents", json=body, headers=lite.h("editor"))
    assert again.status_code == 201
    assert again.json()["stored"] is False and again.json()["id"] == first["id"]
    assert [e["id"] for e in again.json()["events"]] == [e["id"] for e in first["events"]]
    assert _counts(lite) == before


def test_post_document_with_explicit_id_taken_by_other_text_is_409(lite: Api) -> None:
    before = _counts(lite)
    resp = lite.client.post("/documents", json={"id": "doc-north", "text": "Something else entirely protested."},
                            headers=lite.h("editor"))
    assert_error(resp, 409, "conflict")
    assert _counts(lite) == before


@pytest.mark.parametrize("raw", [b'{"text": "abc"', b"not json", b"", b'{"text": "a", }', b"\xff\xfe\x00"])
def test_post_document_malformed_json_is_422_nothing_stored(lite: Api, raw: bytes) -> None:
    before = _counts(lite)
    resp = lite.client.post("/documents", content=raw, headers={**lite.h("editor"), "Content-Type": "application/json"})
    assert_error(resp, 422, "malformed_json")
    assert _counts(lite) == before


@pytest.mark.parametrize("body", [
    {"text": ""}, {"text": "   "}, {"title": "no text"}, {"text": 5}, {"text": "ok", "published": "2022-13-45"},
    {"text": "ok", "published": "2022-02-30"}, {"text": "ok", "extra": 1}, [], {"text": "nul\x00inside"},
    {"text": "ok", "id": ""},
])
def test_post_document_invalid_is_422_nothing_stored(lite: Api, body: object) -> None:
    before = _counts(lite)
    assert_error(lite.client.post("/documents", json=body, headers=lite.h("editor")), 422)
    assert _counts(lite) == before


def test_post_document_over_20mb_is_413_nothing_stored(lite: Api) -> None:
    before = _counts(lite)
    big = json.dumps({"text": "protest " * (21 * 1024 * 1024 // 8)}).encode()
    resp = lite.client.post("/documents", content=big, headers={**lite.h("editor"), "Content-Type": "application/json"})
    err = assert_error(resp, 413, "payload_too_large")
    assert err["details"]["max_bytes"] >= 20 * 1024 * 1024
    assert _counts(lite) == before


def test_post_document_streamed_over_limit_is_413(lite: Api) -> None:
    before = _counts(lite)

    def chunks():  # no Content-Length: the limit is counted while reading
        for _ in range(22):
            yield b"x" * (1024 * 1024)

    resp = lite.client.post("/documents", content=chunks(), headers={**lite.h("editor"),
                                                                     "Content-Type": "application/json"})
    assert_error(resp, 413)
    assert _counts(lite) == before


def test_post_document_upload_file(api: Api) -> None:
    text = "Shelling hit Prymorske again.\n\nResidents said artillery shelled the port overnight."
    resp = api.client.post("/documents", files={"file": ("port report.txt", text.encode(), "text/plain")},
                           data={"published": "2022-03-08", "outlet": "Southern Gazette"}, headers=api.h("editor"))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["stored"] is True and out["id"].startswith("port_report-")
    assert [e["type"] for e in out["events"]] == ["shelling"]
    doc = api.client.get(f"/documents/{out['id']}", headers=api.h("viewer")).json()
    assert doc["title"] == "Shelling hit Prymorske again." and doc["published"] == "2022-03-08"


@pytest.mark.parametrize(("files", "data"), [
    ({"file": ("empty.txt", b"   \n", "text/plain")}, {}),
    ({"file": ("bin.txt", b"\x00\x01\x02\xff" * 100, "application/octet-stream")}, {}),
    ({"file": ("ok.txt", b"Residents protested.", "text/plain")}, {"published": "2022-13-45"}),
    ({"other": ("ok.txt", b"Residents protested.", "text/plain")}, {}),
])
def test_post_document_bad_upload_is_422_nothing_stored(lite: Api, files: dict, data: dict) -> None:
    before = _counts(lite)
    assert_error(lite.client.post("/documents", files=files, data=data, headers=lite.h("editor")), 422)
    assert _counts(lite) == before


def test_post_document_other_content_type_is_415(lite: Api) -> None:
    resp = lite.client.post("/documents", content=b"text", headers={**lite.h("editor"), "Content-Type": "text/plain"})
    assert_error(resp, 415, "unsupported_media_type")


def test_post_document_pipeline_failure_is_500_without_traceback(lite: Api) -> None:
    from vigil.api.deps import get_pipeline
    from vigil.errors import StageError

    def broken(article):  # type: ignore[no-untyped-def]
        raise StageError("boom secret-detail", stage="extract", doc_id=article.id)

    lite.client.app.dependency_overrides[get_pipeline] = lambda: broken
    before = _counts(lite)
    resp = lite.client.post("/documents", json={"text": "Residents protested."}, headers=lite.h("editor"))
    err = assert_error(resp, 500, "pipeline_error")
    assert "secret-detail" not in resp.text and "boom" not in err["message"]
    assert _counts(lite) == before
