"""A tiny in-memory stand-in for the API contract of issue 6 (test-only, never shipped).

It lets the browser tests run before ``vigil.api`` exists (``VIGIL_WEB_STUB=1``). It reads the
articles of a real vigil store once, then serves ``/``, ``/static``, ``/vendor`` and the JSON
routes the UI uses, with the contract's auth, roles and error shape. Built on the standard
library only so it needs no web framework.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from vigil.export.records import document_record
from vigil.store import open_store

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "vigil" / "web"
VENDOR = REPO / "node_modules"
RANK = {"viewer": 1, "editor": 2, "admin": 3}
TYPES_JSON = {".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".png": "image/png",
              ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


class StubApi:
    """The in-memory state: documents, events, clusters, reviews, audit log and tokens."""

    def __init__(self, db_url: str, tokens: dict[str, str]) -> None:
        self.tokens = {t: (i + 1, role) for i, (t, role) in enumerate(tokens.items())}
        self.docs: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.audit: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        store = open_store(db_url)
        try:
            for art in store.iter_articles():
                rec = document_record(art)
                self.docs[art.id] = {"id": art.id, "title": art.title, "text": art.text,
                                     "published": rec["published"], "outlet": art.outlet, "url": art.url,
                                     "sha256": art.sha256}
                for ev in rec["events"]:
                    self.events[ev["id"]] = {**ev, "doc_id": art.id, "outlet": art.outlet,
                                             "published": rec["published"], "review": "unreviewed", "edited": False}
        finally:
            store.close()

    # --- helpers -----------------------------------------------------------------------

    def _cluster_members(self, cluster: str | None) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if cluster and e["cluster"] == cluster]

    def _out(self, ev: dict[str, Any]) -> dict[str, Any]:
        members = self._cluster_members(ev["cluster"]) or [ev]
        n = len({m["doc_id"] for m in members})
        types = {m["type"] for m in members}
        status = "contested" if len(types) > 1 else ("corroborated" if n > 1 else "single-source")
        return {**ev, "status": status, "corroboration": n}

    def _get(self, event_id: str) -> dict[str, Any]:
        if event_id not in self.events:
            raise ApiError(404, "not_found", f"no event {event_id!r}", {"id": event_id})
        return self.events[event_id]

    def _log(self, who: tuple[int, str], action: str, event_id: str | None, before: Any, after: Any,
             reason: str) -> None:
        self.audit.append({"id": len(self.audit) + 1, "at": datetime.now(UTC).isoformat(timespec="seconds"),
                           "token_id": who[0], "role": who[1], "action": action, "event_id": event_id,
                           "before": before, "after": after, "reason": reason})

    def filtered(self, q: dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for ev in sorted(self.events.values(), key=lambda e: (e["date"]["start"] or "9999", e["id"])):
            o = self._out(ev)
            loc = o["location"] or {}
            if q.get("type") and o["type"] != q["type"]:
                continue
            if q.get("since") and (o["date"]["end"] or o["date"]["start"] or "") < q["since"]:
                continue
            if q.get("until") and not (o["date"]["start"] or "9999") <= q["until"]:
                continue
            if q.get("place") and q["place"].lower() not in (loc.get("name") or "").lower():
                continue
            if q.get("status") and o["status"] != q["status"]:
                continue
            if q.get("review") and o["review"] != q["review"]:
                continue
            if q.get("q"):
                hay = " ".join(o["evidence"] + [loc.get("name") or ""] + [a["text"] for a in o["actors"]]).lower()
                if q["q"].lower() not in hay:
                    continue
            out.append(o)
        return out

    # --- routes ------------------------------------------------------------------------

    def handle(self, method: str, path: str, q: dict[str, str], body: Any, who: tuple[int, str]) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        need_editor = method != "GET"
        if need_editor and RANK[who[1]] < RANK["editor"]:
            raise ApiError(403, "forbidden", f"this action needs the editor role; your token is {who[1]}")
        if parts == ["me"]:
            return 200, {"role": who[1], "token_id": who[0]}
        if parts == ["events"] and method == "GET":
            items = self.filtered(q)
            limit, offset = min(int(q.get("limit", 100)), 1000), int(q.get("offset", 0))
            return 200, {"items": items[offset:offset + limit], "total": len(items), "limit": limit, "offset": offset}
        if parts == ["export"]:
            if q.get("format") != "jsonl":
                raise ApiError(422, "invalid", "the stub exports jsonl only", {"format": q.get("format")})
            return 200, "".join(json.dumps(o) + "\n" for o in self.filtered(q))
        if parts == ["timeline"]:
            days: dict[str, Counter] = {}
            for o in self.filtered(q):
                if o["date"]["start"]:
                    days.setdefault(o["date"]["start"], Counter())[o["type"]] += 1
            return 200, {"days": [{"date": d, "counts": dict(c)} for d, c in sorted(days.items())]}
        if parts[0] == "documents" and len(parts) == 2 and method == "GET":
            doc = self.docs.get(parts[1])
            if doc is None:
                raise ApiError(404, "not_found", f"no document {parts[1]!r}")
            evs = [{"id": e["id"], "type": e["type"], "trigger": e["trigger"], "evidence_spans": e["evidence_spans"],
                    "field_evidence": e["field_evidence"]} for e in self.events.values() if e["doc_id"] == doc["id"]]
            return 200, {**doc, "events": evs}
        if parts == ["events", "merge"] and method == "POST":
            ids, reason = body.get("ids") or [], (body.get("reason") or "").strip()
            if len(ids) < 2 or not reason:
                raise ApiError(422, "invalid", "merge needs two ids and a reason")
            target = self._get(ids[0])["cluster"] or f"manual-{ids[0]}"
            for i in ids:
                ev = self._get(i)
                self._log(who, "merge", i, {"cluster": ev["cluster"]}, {"cluster": target}, reason)
                ev["cluster"] = target
            return 200, {"cluster": target}
        if parts[0] == "events" and len(parts) >= 2:
            ev = self._get(parts[1])
            if method == "GET" and len(parts) == 2:
                members = self._cluster_members(ev["cluster"]) or [ev]
                sources = [{"doc_id": m["doc_id"], "event_id": m["id"], "outlet": m["outlet"],
                            "published": m["published"], "modality": m["modality"],
                            "evidence": [{k: s[k] for k in ("start", "end", "text")} for s in m["evidence_spans"]]}
                           for m in members]
                out = self._out(ev)
                return 200, {"event": out, "cluster": {"id": ev["cluster"], "status": out["status"],
                                                       "corroboration": out["corroboration"], "sources": sources,
                                                       "disagreements": []},
                             "history": [a for a in self.audit if a["event_id"] == ev["id"]]}
            reason = (body.get("reason") or "").strip() if isinstance(body, dict) else ""
            if not reason:
                raise ApiError(422, "invalid", "a non-empty reason is required", {"field": "reason"})
            if method == "PATCH" and len(parts) == 2:
                changes = body.get("changes") or {}
                bad = [k for k in changes if k not in ev]
                if bad:
                    raise ApiError(422, "invalid", "unknown fields", {"fields": bad})
                before = {k: ev[k] for k in changes}
                ev.update(changes)
                ev["edited"] = True
                self._log(who, "edit", ev["id"], before, changes, reason)
                return 200, self._out(ev)
            if method == "POST" and parts[2:] == ["review"]:
                status = body.get("status")
                if status not in ("verified", "rejected"):
                    raise ApiError(422, "invalid", "status must be verified or rejected")
                self._log(who, "review", ev["id"], {"review": ev["review"]}, {"review": status}, reason)
                ev["review"] = status
                return 200, self._out(ev)
            if method == "POST" and parts[2:] == ["split"]:
                new = f"split-{ev['id']}"
                self._log(who, "split", ev["id"], {"cluster": ev["cluster"]}, {"cluster": new}, reason)
                ev["cluster"] = new
                return 200, {"cluster": new}
        raise ApiError(404, "not_found", f"no route {method} /{'/'.join(parts)}")


def _handler(api: StubApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: Any) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _file(self, root: Path, rel: str) -> None:
            path = (root / rel).resolve()
            if not path.is_file() or root.resolve() not in path.parents:
                self._json(404, {"error": {"code": "not_found", "message": "no such file", "status": 404,
                                           "details": {}}})
                return
            self._send(200, path.read_bytes(), TYPES_JSON.get(path.suffix, "application/octet-stream"))

        def _dispatch(self, method: str) -> None:
            url = urlsplit(self.path)
            if method == "GET" and url.path == "/":
                self._file(WEB / "templates", "index.html")
                return
            for prefix, root in (("/static/", WEB / "static"), ("/vendor/", VENDOR)):
                if method == "GET" and url.path.startswith(prefix):
                    self._file(root, url.path[len(prefix):])
                    return
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            auth = self.headers.get("Authorization", "")
            try:
                who = api.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
                if who is None:
                    raise ApiError(401, "unauthorized", "a valid bearer token is required")
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError as e:
                    raise ApiError(422, "invalid_json", "malformed JSON body") from e
                with api.lock:
                    status, data = api.handle(method, url.path, q, body, who)
                if isinstance(data, str):
                    self._send(status, data.encode(), "application/x-ndjson")
                else:
                    self._json(status, data)
            except ApiError as e:
                self._json(e.status, {"error": {"code": e.code, "message": e.message, "status": e.status,
                                                "details": e.details}})

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            self._dispatch("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch("POST")

        def do_PATCH(self) -> None:  # noqa: N802
            self._dispatch("PATCH")

    return Handler


def start_stub(db_url: str, tokens: dict[str, str]) -> tuple[ThreadingHTTPServer, str]:
    """Serve the stub on 127.0.0.1 and a free port in a daemon thread; returns (server, base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(StubApi(db_url, tokens)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
