"""api: the FastAPI app over a vigil store (``vigil serve``) and its browser UI.

``create_app(db_url)`` opens (and migrates) the store and returns the app: JSON routes under
token auth (viewer < editor < admin), one error shape, OpenAPI at ``/openapi.json`` and ``/docs``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vigil import __version__
from vigil.api.deps import TokenCache
from vigil.api.errors import ApiError, error_response, install_error_handlers
from vigil.api.routers import audit, documents, events, export, tokens
from vigil.store import open_store

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

MAX_BODY_BYTES = documents.MAX_UPLOAD_BYTES + 64 * 1024  # the document limit plus room for form fields
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY")]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = error_response(413, f"the request body is over the limit of {self.max_bytes} bytes",
                                  details={"max_bytes": self.max_bytes})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()] + SECURITY_HEADERS})
        await send({"type": "http.response.body", "body": response.body})


def create_app(db_url: str, *, web: bool = True, pipeline: Any = None) -> FastAPI:
    """The API over the store at ``db_url`` (opened and migrated now, closed at shutdown).

    Args:
        web: also serve the browser UI at ``/`` with ``/static`` and ``/vendor``.
        pipeline: the document pipeline for POST /documents; built on first use when None.

    Raises:
        StoreError: the store cannot be opened or migrated.
    """
    store = open_store(db_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="vigil",
        version=__version__,
        description="Verified, mapped, dated, evidence-linked events from news reports. Every JSON route needs "
                    "`Authorization: Bearer <token>` (create one with `vigil token create`). Errors have one "
                    'shape: `{"error": {"code", "message", "status", "details"}}`.',
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.token_cache = TokenCache()
    app.state.pipeline = pipeline
    app.state.pipeline_lock = threading.Lock()
    install_error_handlers(app)
    for module in (events, documents, export, audit, tokens):
        app.include_router(module.router)
    if web:
        from vigil.api.web import mount_web

        mount_web(app)
    app.add_middleware(BodyLimit)
    return app


def app_from_env() -> FastAPI:
    """The app of a ``uvicorn --factory`` worker: the store in ``VIGIL_SERVE_DB``, the UI unless ``VIGIL_SERVE_WEB=0``.

    Raises:
        StoreError: no store named, or it cannot be opened.
    """
    import os

    from vigil.errors import StoreError

    url = os.environ.get("VIGIL_SERVE_DB")
    if not url:
        raise StoreError("VIGIL_SERVE_DB is not set: name the store to serve")
    return create_app(url, web=os.environ.get("VIGIL_SERVE_WEB", "1") != "0")


__all__ = ["ApiError", "BodyLimit", "app_from_env", "create_app"]
