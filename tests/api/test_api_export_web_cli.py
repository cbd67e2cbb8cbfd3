"""GET /export, the UI shell and static mounts, OpenAPI, 5xx shape, and the serve/token CLI commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.api.conftest import Api, assert_error


@pytest.mark.parametrize(("fmt", "ctype"), [("acled-csv", "text/csv"), ("geojson", "application/geo+json"),
                                            ("jsonl", "application/x-ndjson")])
def test_export_formats_are_downloads(api: Api, fmt: str, ctype: str) -> None:
    resp = api.client.get(f"/export?format={fmt}&type=protest", headers=api.h("viewer"))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith(ctype)
    assert resp.headers["content-disposition"].startswith("attachment; filename=")
    if fmt == "geojson":
        assert sorted(f["id"] for f in resp.json()["features"]) == ["doc-north-e1", "doc-wire-e1"]
    elif fmt == "jsonl":
        docs = [json.loads(line) for line in resp.text.splitlines()]
        assert sorted(d["id"] for d in docs) == ["doc-north", "doc-wire"]
    else:
        rows = list(csv.reader(io.StringIO(resp.text)))
        assert len(rows) == 3


def test_export_applies_analyst_values(lite: Api) -> None:
    lite.client.patch("/events/doc-south-e1", json={"changes": {"type": "airstrike", "fatalities": 9},
                                                    "reason": "official statement"}, headers=lite.h("editor"))
    gj = lite.client.get("/export?format=geojson&type=airstrike", headers=lite.h("viewer")).json()
    assert [f["properties"]["fatalities"] for f in gj["features"]] == [9]
    assert gj["features"][0]["properties"]["type"] == "airstrike"


def test_export_filters_by_status(lite: Api) -> None:
    resp = lite.client.get("/export?format=jsonl&status=unverified", headers=lite.h("viewer"))
    assert [json.loads(x)["id"] for x in resp.text.splitlines()] == ["doc-script"]


def test_export_bad_format_is_422(lite: Api) -> None:
    assert_error(lite.client.get("/export?format=parquet", headers=lite.h("viewer")), 422)


def test_ui_shell_loads_without_token(lite: Api) -> None:
    from vigil.api.web import WEB_DIR

    resp = lite.client.get("/")
    if (WEB_DIR / "templates" / "index.html").is_file():
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    else:
        assert_error(resp, 404, "not_found")


def test_static_and_vendor_mounts_need_no_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from vigil.api import create_app

    vendor = tmp_path / "node_modules" / "leaflet" / "dist"
    vendor.mkdir(parents=True)
    (vendor / "leaflet.js").write_text("window.L = {};", encoding="utf-8")
    monkeypatch.setenv("VIGIL_WEB_VENDOR", str(tmp_path / "node_modules"))
    with TestClient(create_app(str(tmp_path / "w.db"))) as client:
        resp = client.get("/vendor/leaflet/dist/leaflet.js")
        assert resp.status_code == 200 and resp.text == "window.L = {};"
        assert_error(client.get("/vendor/leaflet/missing.js"), 404)


def test_vendor_dir_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.api import web

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIGIL_WEB_VENDOR", raising=False)
    monkeypatch.setattr(web, "REPO_ROOT", tmp_path / "repo")
    assert web.vendor_dir() is None
    (tmp_path / "repo" / "node_modules").mkdir(parents=True)
    assert web.vendor_dir() == tmp_path / "repo" / "node_modules"
    (tmp_path / "node_modules").mkdir()
    assert web.vendor_dir() == tmp_path / "node_modules"
    (tmp_path / "env").mkdir()
    monkeypatch.setenv("VIGIL_WEB_VENDOR", str(tmp_path / "env"))
    assert web.vendor_dir() == tmp_path / "env"


def test_openapi_documents_routes_and_bearer_auth(lite: Api) -> None:
    spec = lite.client.get("/openapi.json").json()
    for path in ("/events", "/events/{event_id}", "/timeline", "/documents", "/documents/{doc_id}", "/export",
                 "/events/merge", "/events/{event_id}/split", "/events/{event_id}/review", "/audit", "/tokens",
                 "/tokens/{token_id}", "/me"):
        assert path in spec["paths"], path
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())
    assert lite.client.get("/docs").status_code == 200


def test_unknown_route_and_method_use_error_shape(lite: Api) -> None:
    assert_error(lite.client.get("/nowhere", headers=lite.h("viewer")), 404, "not_found")
    assert_error(lite.client.put("/events", headers=lite.h("viewer")), 405, "method_not_allowed")


def test_server_error_has_shape_and_no_traceback(lite: Api) -> None:
    from vigil.api.deps import get_store

    class Exploding:
        def __getattr__(self, name: str) -> object:
            raise RuntimeError("database password is hunter2")

    lite.client.app.dependency_overrides[get_store] = lambda: Exploding()
    resp = lite.client.get("/events", headers=lite.h("viewer"))
    assert_error(resp, 500, "internal_error")
    assert "hunter2" not in resp.text


def test_cli_token_create_prints_token_last_line(tmp_path: Path) -> None:
    from vigil.cli import app
    from vigil.store import open_store
    from vigil.store.review import authenticate

    db = str(tmp_path / "cli.db")
    result = CliRunner().invoke(app, ["token", "create", "--role", "editor", "--db", db, "--label", "desk"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("vgl_") and " " not in token
    with open_store(db) as store:
        assert authenticate(store, token).role == "editor"


def test_cli_token_create_bad_role_fails(tmp_path: Path) -> None:
    from vigil.cli import app

    result = CliRunner().invoke(app, ["token", "create", "--role", "root", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "unknown role 'root'" in result.output


def test_cli_serve_is_registered() -> None:
    from vigil.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
