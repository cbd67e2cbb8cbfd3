"""The browser UI: ``GET /`` (the page shell), ``/static`` (vigil/web/static) and ``/vendor`` (npm files).

None of these need a token: the page asks for one and sends it with every API call.
The vendor folder is the first that exists of ``$VIGIL_WEB_VENDOR``, ``<cwd>/node_modules`` and
``<repo root>/node_modules``; only folders that exist are mounted, so the page loads without them.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from vigil.api.errors import error_response

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def vendor_dir() -> Path | None:
    """The folder served at /vendor, or None when none of the candidates exists."""
    env = os.environ.get("VIGIL_WEB_VENDOR")
    candidates = [Path(env)] if env else []
    candidates += [Path.cwd() / "node_modules", REPO_ROOT / "node_modules"]
    return next((c for c in candidates if c.is_dir()), None)


def mount_web(app: FastAPI) -> None:
    """Add the UI routes and static mounts to ``app``."""
    index = WEB_DIR / "templates" / "index.html"

    @app.get("/", include_in_schema=False)
    def ui() -> Response:
        if not index.is_file():
            return error_response(404, "the web UI is not installed (vigil/web/templates/index.html is missing)")
        return FileResponse(index, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})

    static = WEB_DIR / "static"
    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")
    vendor = vendor_dir()
    if vendor is not None:
        app.mount("/vendor", StaticFiles(directory=vendor), name="vendor")
