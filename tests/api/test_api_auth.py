"""Authz: every JSON route needs a token (401), write routes need editor, token admin needs admin (403)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_error

EDIT = {"changes": {"type": "obstruction"}, "reason": "the report describes a blockade"}
WRITE_ROUTES = [
    ("patch", "/events/doc-north-e1", EDIT),
    ("post", "/events/doc-north-e1/review", {"status": "verified", "reason": "checked with a second source"}),
    ("post", "/events/merge", {"ids": ["doc-north-e1", "doc-south-e1"], "reason": "same incident"}),
    ("post", "/events/doc-wire-e1/split", {"reason": "a different gathering"}),
    ("post", "/documents", {"text": "Residents protested in Lisove on Sunday.", "published": "2022-03-06"}),
]
ADMIN_ROUTES = [
    ("post", "/tokens", {"role": "viewer", "label": "intern"}),
    ("get", "/tokens", None),
    ("delete", "/tokens/1", None),
]
READ_ROUTES = ["/me", "/events", "/events/doc-north-e1", "/timeline", "/documents/doc-north", "/export?format=jsonl",
               "/audit"]


def _call(api: Api, method: str, path: str, body: dict | None, role: str | None):  # type: ignore[no-untyped-def]
    kwargs = {"headers": api.h(role)}
    if body is not None:
        kwargs["json"] = body
    return getattr(api.client, method)(path, **kwargs)


@pytest.mark.parametrize(("method", "path", "body"), WRITE_ROUTES + ADMIN_ROUTES)
def test_write_route_without_token_is_401(ro_lite: Api, method: str, path: str, body: dict | None) -> None:
    err = assert_error(_call(ro_lite, method, path, body, None), 401, "unauthorized")
    assert "token" in err["message"]


@pytest.mark.parametrize(("method", "path", "body"), WRITE_ROUTES + ADMIN_ROUTES)
def test_write_route_refuses_viewer_with_403(lite: Api, method: str, path: str, body: dict | None) -> None:
    before = lite.client.get("/audit", headers=lite.h("admin")).json()["items"]
    err = assert_error(_call(lite, method, path, body, "viewer"), 403, "forbidden")
    assert err["details"]["role"] == "viewer"
    assert lite.client.get("/audit", headers=lite.h("admin")).json()["items"] == before


@pytest.mark.parametrize(("method", "path", "body"), WRITE_ROUTES)
def test_write_route_allows_editor(lite: Api, method: str, path: str, body: dict | None) -> None:
    resp = _call(lite, method, path, body, "editor")
    assert resp.status_code in (200, 201), resp.text


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
def test_admin_route_refuses_editor_with_403(ro_lite: Api, method: str, path: str, body: dict | None) -> None:
    assert_error(_call(ro_lite, method, path, body, "editor"), 403, "forbidden")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
def test_admin_route_allows_admin(lite: Api, method: str, path: str, body: dict | None) -> None:
    resp = _call(lite, method, path, body, "admin")
    assert resp.status_code in (200, 201), resp.text


@pytest.mark.parametrize("path", READ_ROUTES)
def test_read_route_without_token_is_401(ro_lite: Api, path: str) -> None:
    resp = ro_lite.client.get(path)
    assert_error(resp, 401, "unauthorized")
    assert resp.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", READ_ROUTES)
def test_read_route_allows_viewer(ro_lite: Api, path: str) -> None:
    assert ro_lite.client.get(path, headers=ro_lite.h("viewer")).status_code == 200


@pytest.mark.parametrize("header", ["Bearer vgl_not-a-real-token", "Bearer ", "Basic dXNlcjpwdw==",
                                    "Bearer \u00e9\u2028x".encode(), b"Bearer \xff\xfe", "Bearer " + "x" * 5000])
def test_auth_unknown_or_malformed_token_is_401(ro_lite: Api, header: str | bytes) -> None:
    # non-ASCII tokens go as raw bytes (the client refuses to encode them from str); the server must answer 401
    resp = ro_lite.client.get("/events", headers={"Authorization": header})
    assert_error(resp, 401, "unauthorized")


def test_me_returns_role_and_token_id(lite: Api) -> None:
    body = lite.client.get("/me", headers=lite.h("editor")).json()
    assert body["role"] == "editor" and isinstance(body["token_id"], int)


def test_tokens_created_by_admin_work_and_are_listed_without_secrets(lite: Api) -> None:
    resp = lite.client.post("/tokens", json={"role": "editor", "label": "night shift"}, headers=lite.h("admin"))
    assert resp.status_code == 201
    new = resp.json()
    assert new["role"] == "editor" and new["token"].startswith("vgl_")
    me = lite.client.get("/me", headers={"Authorization": f"Bearer {new['token']}"}).json()
    assert me == {"role": "editor", "token_id": new["id"]}
    listing = lite.client.get("/tokens", headers=lite.h("admin"))
    assert new["token"] not in listing.text
    assert any(t["id"] == new["id"] and t["label"] == "night shift" for t in listing.json()["items"])


def test_tokens_are_stored_hashed(lite: Api) -> None:
    from sqlalchemy import select

    from vigil.store.models import TokenRow
    from vigil.store.review import hash_secret

    with lite.store._session() as s:
        stored = set(s.scalars(select(TokenRow.secret_sha256)))
    assert lite.tokens["viewer"] not in stored
    assert hash_secret(lite.tokens["viewer"]) in stored


def test_revoked_token_is_refused_at_once(lite: Api) -> None:
    me = lite.client.get("/me", headers=lite.h("viewer")).json()
    assert lite.client.delete(f"/tokens/{me['token_id']}", headers=lite.h("admin")).status_code == 200
    assert_error(lite.client.get("/events", headers=lite.h("viewer")), 401)


def test_revoke_unknown_token_is_404(lite: Api) -> None:
    assert_error(lite.client.delete("/tokens/9999", headers=lite.h("admin")), 404, "not_found")


def test_token_create_bad_role_is_422(lite: Api) -> None:
    assert_error(lite.client.post("/tokens", json={"role": "root"}, headers=lite.h("admin")), 422)
