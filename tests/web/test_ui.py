"""Browser tests of the web UI (issue 6) in Debian's Chromium, driven by Playwright.

The server is the real ``vigil.api.create_app`` (uvicorn on 127.0.0.1 and a free port) over a
temporary SQLite store filled by ``vigil run`` on ``vigil/data/examples`` plus one script-laden
article of our own; tokens come from ``vigil token create``. ``VIGIL_WEB_STUB=1`` runs the same
tests against ``tests/web/stub_server.py`` instead (for UI work while the API is changing).
Screenshots go to ``tests/web/artifacts/`` (or ``$VIGIL_WEB_ARTIFACTS``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("VIGIL_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("VIGIL_WEB_ARTIFACTS", Path(__file__).parent / "artifacts"))
VIGIL = [sys.executable, "-m", "vigil.cli"]
USE_STUB = os.environ.get("VIGIL_WEB_STUB") == "1"

# Our own invented report, laced with markup that must show as text and never run.
SCRIPT_ARTICLE = (
    'Residents rally in Kherson square <script>window.__vigil_xss = "title"</script>\n\n'
    "KHERSON, Ukraine - Hundreds of residents protested in the central square of Kherson on Saturday "
    "<img src=x onerror=\"window.__vigil_xss = 'img'\">, waving Ukrainian flags and chanting at Russian "
    "soldiers who watched from armoured vehicles.\n\n"
    "<b onmouseover=\"window.__vigil_xss = 'hover'\">Organisers</b> said the rally was peaceful and that "
    'nobody was detained. <script>alert("owned")</script>\n'
)
SCRIPT_OUTLET = "Test <i>Outlet</i>"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    for pkg in ("leaflet/dist/leaflet.js", "world-atlas/countries-50m.json", "topojson-client/dist"):
        if not (REPO / "node_modules" / pkg).exists():
            return f"node_modules/{pkg} missing: run `npm ci` at the repo root"
    if importlib.util.find_spec("playwright") is None:
        return "the Python playwright package is not installed (pip install playwright)"
    if not USE_STUB:
        try:
            from vigil.api import create_app  # noqa: F401
        except ImportError as e:
            return f"vigil.api.create_app is not available ({e}); VIGIL_WEB_STUB=1 runs these tests on the stub"
    return None


def _run_cli(*args: str) -> str:
    done = subprocess.run([*VIGIL, *args], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, f"vigil {' '.join(args)} failed: {done.stderr[-2000:]}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Site:
    """The running server: base URL, tokens by role, and a small JSON client for checks."""

    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base, self.tokens = base, tokens

    def get(self, path: str, role: str = "viewer") -> Any:
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.tokens[role]}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def events(self) -> list[dict[str, Any]]:
        return self.get("/events?limit=1000")["items"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("web")
    db = tmp / "web.db"
    url = f"sqlite:///{db}"
    examples = REPO / "vigil" / "data" / "examples"
    corpus = tmp / "corpus"
    shutil.copytree(examples, corpus)
    (corpus / "kherson-square.txt").write_text(SCRIPT_ARTICLE, encoding="utf-8")
    with (corpus / "manifest.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps({"path": "kherson-square.txt", "id": "test-kherson-square", "published": "2022-03-05",
                            "outlet": SCRIPT_OUTLET, "url": None}) + "\n")
    _run_cli("run", str(corpus), "--manifest", str(corpus / "manifest.jsonl"), "--db", url)
    if USE_STUB:
        sys.path.insert(0, str(Path(__file__).parent))
        from stub_server import start_stub

        tokens = {"viewer": "viewer-secret", "editor": "editor-secret", "admin": "admin-secret"}
        server, base = start_stub(url, {v: k for k, v in tokens.items()})
        yield Site(base, tokens)
        server.shutdown()
        return
    import uvicorn

    from vigil.api import create_app

    tokens = {role: _run_cli("token", "create", "--role", role, "--db", url).strip().splitlines()[-1].strip()
              for role in ("viewer", "editor", "admin")}
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", tokens)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh tab (own sessionStorage) that records page errors and dialogs; fails on a page error."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.vigil_errors = []
    pg.vigil_dialogs = []
    pg.on("pageerror", lambda e: pg.vigil_errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        pg.vigil_dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    errors = list(pg.vigil_errors)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _shot(pg: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _login(pg: Any, site: Site, role: str) -> None:
    pg.goto(site.base + "/")
    pg.fill("#token-input", site.tokens[role])
    pg.click("#login-form button[type=submit]")
    pg.wait_for_selector("#event-list tbody tr[data-event-id]")


def _open_event(pg: Any, site: Site, event_id: str, role: str = "viewer") -> None:
    _login(pg, site, role)
    pg.evaluate("id => { location.hash = '#/event/' + encodeURIComponent(id); }", event_id)
    pg.wait_for_selector("#event-title")
    pg.wait_for_selector(".source.self .article-text[data-highlighted]")


def _pick(site: Site, index: int, *, exclude_outlet: str = SCRIPT_OUTLET) -> dict[str, Any]:
    """The index-th example event (tests that change events each take their own)."""
    items = [e for e in site.events() if e.get("outlet") != exclude_outlet]
    assert len(items) > index, f"only {len(items)} example events in the store"
    return items[index]


def test_ui_shell_loads_without_token_and_asks_for_one(page: Any, site: Site) -> None:
    page.goto(site.base + "/")
    assert page.is_visible("#login-view")
    assert page.is_visible("#token-input")
    assert not page.is_visible("#main-view")


def test_ui_bad_token_is_refused_with_message(page: Any, site: Site) -> None:
    page.goto(site.base + "/")
    page.fill("#token-input", "not-a-real-token")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#notice:not([hidden])")
    assert "401" in page.inner_text("#notice")
    assert page.is_visible("#login-view")
    assert page.evaluate("sessionStorage.getItem('vigil.token')") is None


def test_ui_token_survives_reload_in_session_storage(page: Any, site: Site) -> None:
    _login(page, site, "viewer")
    page.reload()
    page.wait_for_selector("#event-list tbody tr[data-event-id]")
    assert not page.is_visible("#login-view")
    assert "viewer" in page.inner_text("#whoami")


def test_ui_overview_shows_map_timeline_and_list(page: Any, site: Site) -> None:
    total = len(site.events())
    _login(page, site, "viewer")
    page.wait_for_selector("#map[data-basemap=ready]")
    page.wait_for_selector("path.event-marker")
    _shot(page, "overview")
    assert page.locator("#event-list tbody tr[data-event-id]").count() == min(total, 50)
    assert page.locator(".leaflet-overlay-pane path:not(.event-marker)").count() > 100  # country shapes
    points = {(round(e["location"]["lat"], 4), round(e["location"]["lon"], 4))
              for e in site.events() if (e.get("location") or {}).get("lat") is not None}
    assert page.locator("path.event-marker").count() == len(points)
    bars = page.locator("#timeline rect.bar")
    assert bars.count() > 0
    drawn = sum(int(bars.nth(i).get_attribute("data-count")) for i in range(bars.count()))
    timeline = site.get("/timeline")
    assert drawn == sum(sum(d["counts"].values()) for d in timeline["days"])


def test_ui_type_filter_narrows_the_list(page: Any, site: Site) -> None:
    events = site.events()
    kind = next(e["type"] for e in events if e["type"] != events[0]["type"])
    expected = sum(1 for e in events if e["type"] == kind)
    _login(page, site, "viewer")
    page.select_option("#f-type", kind)
    page.click("#f-apply")
    page.wait_for_function(
        "n => document.querySelectorAll('#event-list tbody tr[data-event-id]').length === n", arg=expected
    )
    _shot(page, "filtered")
    badges = page.locator("#event-list tbody tr[data-event-id] .badge").all_inner_texts()
    assert badges == [kind] * expected
    assert page.locator("path.event-marker").count() <= expected


def test_ui_text_search_filters_the_list(page: Any, site: Site) -> None:
    _login(page, site, "viewer")
    page.fill("#f-q", "Skadovsk")
    page.click("#f-apply")
    expected = site.get("/events?q=Skadovsk&limit=1000")["total"]
    assert 0 < expected < len(site.events())
    page.wait_for_function(
        "n => document.querySelectorAll('#event-list tbody tr[data-event-id]').length === n", arg=expected
    )
    assert f"{expected} events" in page.inner_text("#list-count")


def test_ui_event_page_highlights_evidence_in_article_text(page: Any, site: Site) -> None:
    ev = _pick(site, 0)
    _login(page, site, "viewer")
    page.click(f"#event-list tbody tr[data-event-id='{ev['id']}'] a.event-link")
    page.wait_for_selector(".source.self .article-text[data-highlighted]")
    _shot(page, "event")
    doc = site.get(f"/documents/{ev['doc_id']}")
    marked = page.locator(".source.self .article-text mark.hl-evidence")
    assert marked.count() > 0
    shown = "".join(marked.all_text_contents())
    for span in ev["evidence_spans"]:
        assert doc["text"][span["start"]:span["end"]] == span["text"]
        assert span["text"] in shown or all(part in shown for part in span["text"].split())
    assert page.inner_text(".source.self .article-text") .replace("\n", "") == doc["text"].replace("\n", "")
    assert page.locator(".source.self .article-text mark.hl-trigger").count() >= 1


def test_ui_map_popup_links_to_the_event(page: Any, site: Site) -> None:
    _login(page, site, "viewer")
    page.wait_for_selector("path.event-marker")
    page.evaluate("""() => {
        const m = document.querySelector('path.event-marker');
        m.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 1, clientY: 1}));
    }""")
    page.wait_for_selector(".leaflet-popup a.popup-link")
    _shot(page, "popup")
    page.click(".leaflet-popup a.popup-link")
    page.wait_for_selector("#event-title")
    assert page.url.split("#/event/", 1)[1]


def test_ui_editor_edit_shows_in_fields_and_audit(page: Any, site: Site) -> None:
    ev = _pick(site, 1)
    new_type = "protest" if ev["type"] != "protest" else "obstruction"
    _open_event(page, site, ev["id"], "editor")
    assert page.is_visible("#edit-form")
    page.select_option("#edit-type", new_type)
    page.fill("#edit-reason", "the article describes a sit-in, checked by hand")
    page.click("#edit-save")
    page.wait_for_selector("#history .audit-row")
    _shot(page, "edited")
    assert page.inner_text("#notice").startswith("Saved")
    assert page.inner_text("td.field-type") == new_type
    assert "the article describes a sit-in, checked by hand" in page.inner_text("#history")
    after = site.get(f"/events/{ev['id']}")
    assert after["event"]["type"] == new_type
    assert after["event"]["edited"] is True


def test_ui_edit_without_reason_sends_nothing(page: Any, site: Site) -> None:
    ev = _pick(site, 2)
    _open_event(page, site, ev["id"], "editor")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.method) if r.method != "GET" else None)
    page.select_option("#edit-modality", "denied" if ev["modality"] != "denied" else "claimed")
    page.fill("#edit-reason", "   ")
    page.click("#edit-save")
    page.wait_for_timeout(500)
    assert sent == []
    assert site.get(f"/events/{ev['id']}")["event"]["edited"] is False


def test_ui_editor_verify_marks_the_event(page: Any, site: Site) -> None:
    ev = _pick(site, 3)
    _open_event(page, site, ev["id"], "editor")
    page.fill("#review-reason", "two independent outlets confirm it")
    page.click("#verify-btn")
    page.wait_for_function("() => document.querySelector('td.field-review')?.textContent.startsWith('verified')")
    assert site.get(f"/events/{ev['id']}")["event"]["review"] == "verified"
    assert "two independent outlets confirm it" in page.inner_text("#history")


def test_ui_editor_split_then_merge_moves_clusters(page: Any, site: Site) -> None:
    ev = _pick(site, 4)
    _open_event(page, site, ev["id"], "editor")
    page.fill("#cluster-reason", "different day from the rest of the cluster")
    page.click("#split-btn")
    page.wait_for_function("() => (document.getElementById('notice').textContent || '').startsWith('Split')")
    split_cluster = site.get(f"/events/{ev['id']}")["event"]["cluster"]
    assert split_cluster != ev["cluster"]
    page.wait_for_selector("#cluster-reason")
    candidate = "#merge-candidates option[value]:not([value=''])"
    page.wait_for_function("sel => document.querySelectorAll(sel).length > 0", arg=candidate)
    other_id = page.eval_on_selector(candidate, "o => o.value")
    page.select_option("#merge-candidates", other_id)
    assert page.input_value("#merge-ids") == other_id
    page.fill("#cluster-reason", "same rally reported twice")
    page.click("#merge-btn")
    page.wait_for_function("() => (document.getElementById('notice').textContent || '').startsWith('Merged')")
    assert site.get(f"/events/{ev['id']}")["event"]["cluster"] == site.get(f"/events/{other_id}")["event"]["cluster"]


def test_ui_viewer_has_no_review_actions_and_is_refused(page: Any, site: Site) -> None:
    ev = _pick(site, 6)
    _open_event(page, site, ev["id"], "viewer")
    assert not page.is_visible("#review-forms")
    assert "editor token" in page.inner_text("#review-viewer-note")
    # Forced open, the form's request is refused by the server and the UI says so.
    page.evaluate("() => { document.getElementById('review-forms').hidden = false; }")
    page.select_option("#edit-type", "other" if ev["type"] != "other" else "threat")
    page.fill("#edit-reason", "a viewer trying to edit")
    page.click("#edit-save")
    page.wait_for_function("() => (document.getElementById('notice').textContent || '').includes('403')")
    _shot(page, "viewer-refused")
    assert site.get(f"/events/{ev['id']}")["event"]["edited"] is False


def test_ui_script_laden_article_shows_literally_and_never_runs(page: Any, site: Site) -> None:
    scripted = [e for e in site.events() if e.get("outlet") == SCRIPT_OUTLET]
    assert scripted, "the script-laden article produced no event"
    _open_event(page, site, scripted[0]["id"], "viewer")
    page.mouse.move(10, 10)
    page.hover(".source.self .article-text")
    page.wait_for_timeout(300)
    _shot(page, "script-article")
    assert page.evaluate("() => window.__vigil_xss") is None
    assert page.vigil_dialogs == []
    text = page.inner_text(".source.self .article-text")
    assert '<script>window.__vigil_xss = "title"</script>' in text
    assert "<img src=x onerror=" in text
    assert page.locator("#event-detail script, #event-detail img, #event-detail b").count() == 0
    assert "Test <i>Outlet</i>" in page.inner_text("#event-detail")
    page.goto(site.base + "/")
    page.wait_for_selector("#event-list tbody tr[data-event-id]")
    assert page.locator("#event-list i").count() == 0
    assert page.evaluate("() => window.__vigil_xss") is None


def test_ui_export_downloads_with_the_filters(page: Any, site: Site) -> None:
    _login(page, site, "viewer")
    page.select_option("#f-type", "protest")
    page.click("#f-apply")
    page.wait_for_function("() => [...document.querySelectorAll('#event-list tbody .badge')].every(b => "
                           "b.textContent === 'protest')")
    with page.expect_download() as info:
        page.click("button[data-export=jsonl]")
    download = info.value
    assert download.suggested_filename == "vigil-events.jsonl"
    lines = [json.loads(line) for line in Path(download.path()).read_text(encoding="utf-8").splitlines() if line]
    assert lines
    types = {e["type"] for rec in lines for e in (rec.get("events") or [rec])}
    assert types == {"protest"}


def test_ui_date_range_filter_keeps_only_overlapping_events(page: Any, site: Site) -> None:
    expected = site.get("/events?since=2022-03-05&until=2022-03-09&limit=1000")
    assert 0 < expected["total"] < len(site.events())
    _login(page, site, "viewer")
    page.fill("#f-since", "2022-03-05")
    page.fill("#f-until", "2022-03-09")
    page.click("#f-apply")
    page.wait_for_function(
        "n => document.querySelectorAll('#event-list tbody tr[data-event-id]').length === n", arg=expected["total"]
    )
    shown = page.eval_on_selector_all("#event-list tbody tr[data-event-id]", "rows => rows.map(r => r.dataset.eventId)")
    assert shown == [e["id"] for e in expected["items"]]


def test_ui_timeline_bar_click_filters_to_that_day_and_type(page: Any, site: Site) -> None:
    _login(page, site, "viewer")
    bar = page.locator("#timeline rect.bar").first
    day, kind = bar.get_attribute("data-date"), bar.get_attribute("data-type")
    bar.dispatch_event("click")
    page.wait_for_function("d => document.getElementById('f-since').value === d", arg=day)
    expected = site.get(f"/events?since={day}&until={day}&type={kind}&limit=1000")["total"]
    page.wait_for_function(
        "n => document.querySelectorAll('#event-list tbody tr[data-event-id]').length === n", arg=expected
    )
    assert page.input_value("#f-type") == kind
    assert set(page.locator("#event-list tbody .badge").all_inner_texts()) == {kind}


@pytest.mark.parametrize("fragment", ["no-such-event", "%E0%A4%A", "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"])
def test_ui_unknown_event_shows_not_found(page: Any, site: Site, fragment: str) -> None:
    _login(page, site, "viewer")
    page.evaluate("f => { location.hash = '#/event/' + f; }", fragment)
    page.wait_for_selector("#event-detail .error-text")
    assert "404" in page.inner_text("#event-detail .error-text")
    assert page.locator("#event-detail img").count() == 0
    assert page.vigil_dialogs == []


NEW_REPORT = (
    "Villagers block armoured column near Nova Kakhovka\n\n"
    "NOVA KAKHOVKA, Ukraine - About two hundred villagers stood on the bridge road outside Nova Kakhovka "
    "on Thursday and blocked a column of Russian armoured vehicles, local officials said.\n"
)


@pytest.mark.skipif(USE_STUB, reason="the test stub has no POST /documents")
def test_ui_editor_adds_a_report_and_sees_its_events(page: Any, site: Site) -> None:
    before = len(site.events())
    _login(page, site, "editor")
    assert page.is_visible("#ingest-panel")
    page.fill("#ingest-title", "Villagers block armoured column")
    page.fill("#ingest-outlet", "Dnieper Valley Herald")
    page.fill("#ingest-published", "2022-03-11")
    page.fill("#ingest-text", NEW_REPORT)
    page.click("#ingest-submit")
    page.wait_for_function("() => /^Stored document /.test(document.getElementById('notice').textContent || '')",
                           timeout=120000)
    _shot(page, "ingested")
    added = [e for e in site.events() if e.get("outlet") == "Dnieper Valley Herald"]
    assert added and len(site.events()) == before + len(added)
    assert page.locator("#ingest-result a.event-link").count() == len(added)
    page.wait_for_function(
        "n => document.querySelectorAll('#event-list tbody tr[data-event-id]').length === n",
        arg=min(before + len(added), 50),
    )


@pytest.mark.skipif(USE_STUB, reason="the test stub has no POST /documents")
def test_ui_editor_uploads_a_report_file(page: Any, site: Site, tmp_path: Path) -> None:
    path = tmp_path / "kakhovka-bridge.txt"
    path.write_text(NEW_REPORT.replace("Thursday", "Friday").replace("two hundred", "three hundred"), encoding="utf-8")
    _login(page, site, "editor")
    page.fill("#ingest-outlet", "Steppe Telegraph")
    page.fill("#ingest-published", "2022-03-12")
    page.set_input_files("#ingest-file", str(path))
    page.click("#ingest-submit")
    page.wait_for_function("() => /^(Stored|Already stored)/.test(document.getElementById('notice').textContent || '')",
                           timeout=120000)
    assert any(e.get("outlet") == "Steppe Telegraph" for e in site.events())


def test_ui_viewer_has_no_ingest_panel(page: Any, site: Site) -> None:
    _login(page, site, "viewer")
    assert not page.is_visible("#ingest-panel")
