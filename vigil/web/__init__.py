"""The browser UI: one HTML shell and our own JS/CSS; third-party assets come from npm (never committed).

The API (``vigil.api.web``) serves ``templates/index.html`` at ``/``, ``static/`` at ``/static`` and the
repository's ``node_modules`` (installed by ``npm ci``) at ``/vendor``. The page loads
``/vendor/leaflet/dist/leaflet.{js,css}``, ``/vendor/topojson-client/dist/topojson-client.min.js`` and
draws its basemap from ``/vendor/world-atlas/countries-50m.json``: no tile server, no internet.
"""

from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
INDEX_HTML = WEB_DIR / "templates" / "index.html"
STATIC_DIR = WEB_DIR / "static"
VENDOR_PACKAGES: tuple[str, ...] = ("leaflet", "world-atlas", "topojson-client")

__all__ = ["INDEX_HTML", "STATIC_DIR", "VENDOR_PACKAGES", "WEB_DIR"]
