"""The append-only audit log of review actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from vigil.api.deps import get_store, viewer
from vigil.api.responses import errors, json_response
from vigil.api.schemas import AuditList
from vigil.store import Store
from vigil.store.review import Principal, list_audit

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=AuditList, responses=errors(401, 403, 422))
def get_audit(
    store: Annotated[Store, Depends(get_store)], _: Annotated[Principal, Depends(viewer)],
    event_id: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[int, Query(ge=0, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Audit entries, newest first; ``event_id`` keeps those of one event."""
    return json_response({"items": list_audit(store, event_id=event_id, limit=limit, offset=offset)})
