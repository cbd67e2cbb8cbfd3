"""The UI's files and how they are served (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vigil.web import INDEX_HTML, STATIC_DIR, VENDOR_PACKAGES

APP_JS = STATIC_DIR / "app.js"
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


def missing_vendor() -> list[str]:
    return [name for name in VENDOR_PACKAGES if not (NODE_MODULES / name / "package.json").is_file()]


@pytest.fixture()
def client(tmp_path: Path):
    pytest.importorskip("fastapi")
    try:
        from vigil.api import create_app
    except ImportError as e:
        pytest.skip(f"vigil.api.create_app is not available: {e}")
    from fastapi.testclient import TestClient

    with TestClient(create_app(f"sqlite:///{tmp_path / 'web.db'}")) as c:
        yield c


@pytest.mark.parametrize("sink", ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                                  "new Function", "setTimeout(\"", "javascript:"])
def test_app_js_never_uses_an_html_sink(sink: str) -> None:
    assert sink not in APP_JS.read_text(encoding="utf-8")


def test_index_html_loads_only_local_assets() -> None:
    html = INDEX_HTML.read_text(encoding="utf-8")
    urls = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert urls, "index.html references no assets"
    assert all(u.startswith(("/static/", "/vendor/")) for u in urls), urls


def test_index_html_vendor_paths_exist_in_npm_packages() -> None:
    if missing_vendor():
        pytest.skip(f"npm packages missing: {missing_vendor()} (run `npm ci`)")
    html = INDEX_HTML.read_text(encoding="utf-8")
    for url in re.findall(r'"/vendor/([^"]+)"', html):
        assert (NODE_MODULES / url).is_file(), url
    assert (NODE_MODULES / "world-atlas" / "countries-50m.json").is_file()


def test_web_serves_shell_without_token(client) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert '<script src="/static/app.js"></script>' in resp.text


@pytest.mark.parametrize("path", ["/static/app.js", "/static/app.css"])
def test_web_serves_static_files(client, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    assert resp.content == (STATIC_DIR / path.rsplit("/", 1)[1]).read_bytes()


def test_web_serves_vendor_packages(client) -> None:
    if missing_vendor():
        pytest.skip(f"npm packages missing: {missing_vendor()} (run `npm ci`)")
    assert client.get("/vendor/leaflet/dist/leaflet.js").status_code == 200
    assert client.get("/vendor/topojson-client/dist/topojson-client.min.js").status_code == 200
    assert client.get("/vendor/world-atlas/countries-50m.json").json()["type"] == "Topology"


def test_web_does_not_serve_outside_static(client) -> None:
    assert client.get("/static/../__init__.py").status_code == 404
    assert client.get("/static/%2e%2e/__init__.py").status_code == 404


def test_app_js_parses_with_node() -> None:
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run([node, "--check", str(APP_JS)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
