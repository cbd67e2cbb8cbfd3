"""Request dependencies: the store, the caller's token and role, the document pipeline.

Tests replace them with ``app.dependency_overrides`` (e.g. ``get_pipeline`` with a light double).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vigil.api.errors import ApiError
from vigil.store import Store
from vigil.store.review import ROLES, Principal, authenticate, hash_secret

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
TOKEN_CACHE_SECONDS = 2.0
_bearer = HTTPBearer(auto_error=False, description="An API token from `vigil token create` or POST /tokens.")


class TokenCache:
    """Recently checked tokens (by their hash) for a couple of seconds; revocation clears it."""

    def __init__(self, ttl: float = TOKEN_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Principal | None]] = {}

    def get(self, key: str) -> tuple[bool, Principal | None]:
        with self._lock:
            hit = self._items.get(key)
        if hit is None or time.monotonic() - hit[0] > self.ttl:
            return False, None
        return True, hit[1]

    def put(self, key: str, value: Principal | None) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic(), value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


async def get_store(request: Request) -> Store:
    """The app's store (opened by ``create_app``)."""
    return request.app.state.store


async def get_principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008 - FastAPI's idiom
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 when missing, unknown or revoked.

    Async on purpose (like the other cheap dependencies): a sync dependency costs a thread hop per
    request. A cache miss does one indexed lookup on the loop.
    """
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "an API token is required: send 'Authorization: Bearer <token>'",
                       headers={"WWW-Authenticate": "Bearer"})
    secret = credentials.credentials.strip()
    cache: TokenCache = request.app.state.token_cache
    key = hash_secret(secret)
    hit, principal = cache.get(key)
    if not hit:
        principal = authenticate(request.app.state.store, secret)
        cache.put(key, principal)
    if principal is None:
        raise ApiError(401, "the API token is unknown or revoked", headers={"WWW-Authenticate": "Bearer"})
    return principal


def require(role: str) -> Callable[..., Principal]:
    """A dependency that lets through callers with at least ``role`` (403 otherwise)."""
    need = ROLE_RANK[role]

    async def check(principal: Principal = Depends(get_principal)) -> Principal:  # noqa: B008
        if ROLE_RANK.get(principal.role, -1) < need:
            raise ApiError(403, f"this needs the {role} role; your token has {principal.role}",
                           details={"required": role, "role": principal.role})
        return principal

    return check


viewer = require("viewer")
editor = require("editor")
admin = require("admin")


def get_pipeline(request: Request) -> Callable[[Any], Any]:
    """The document pipeline (nlp, timex, geo, extract), built once per process on first use."""
    state = request.app.state
    with state.pipeline_lock:
        if state.pipeline is None:
            from vigil.pipeline import build_pipeline

            state.pipeline = build_pipeline()
        return state.pipeline
