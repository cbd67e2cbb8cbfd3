"""Events: list with filters and paging, one event with its cluster and history, the timeline, review actions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from vigil.api.deps import editor, get_store, viewer
from vigil.api.errors import ApiError
from vigil.api.responses import errors, json_response
from vigil.api.schemas import ClusterId, EditIn, EventDetail, EventList, EventOut, MergeIn, ReviewIn, SplitIn, Timeline
from vigil.schema import EventType, Modality
from vigil.store import Store
from vigil.store.review import (
    EventFilters,
    Principal,
    edit_event,
    event_detail,
    get_event_out,
    merge_events,
    review_event,
    search_events_json,
    split_event,
    timeline,
)

router = APIRouter(tags=["events"])
MAX_LIMIT = 1000
INLINE_LIMIT = 200  # /events pages up to this size (at offsets up to INLINE_OFFSET) skip the thread pool
INLINE_OFFSET = 5000


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None or not value.strip():
        return None
    parts = value.split(",")
    try:
        nums = tuple(float(p) for p in parts)
    except ValueError:
        nums = ()
    ok = len(nums) == 4 and all(n == n and abs(n) != float("inf") for n in nums)
    if not ok or not (-180 <= nums[0] <= 180 and -180 <= nums[2] <= 180 and -90 <= nums[1] <= nums[3] <= 90):
        raise ApiError(422, f"bbox {value[:100]!r} is not minlon,minlat,maxlon,maxlat in degrees",
                       details={"field": "bbox"})
    return nums  # type: ignore[return-value]


async def event_filters(
    type: Annotated[EventType | None, Query(description="Event type.")] = None,
    since: Annotated[dt.date | None, Query(description="Events ending on or after this day (YYYY-MM-DD).")] = None,
    until: Annotated[dt.date | None, Query(description="Events starting on or before this day.")] = None,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat", max_length=200)] = None,
    place: Annotated[str | None, Query(description="Place name (case-insensitive).", max_length=500)] = None,
    admin1: Annotated[str | None, Query(description="First-level region (case-insensitive).", max_length=500)] = None,
    country: Annotated[str | None, Query(description="ISO country code, e.g. UA.", max_length=8)] = None,
    outlet: Annotated[str | None, Query(description="Outlet name (case-insensitive).", max_length=300)] = None,
    status: Annotated[Literal["single-source", "corroborated", "contested", "unverified"] | None, Query()] = None,
    review: Annotated[Literal["unreviewed", "verified", "rejected"] | None, Query()] = None,
    modality: Annotated[Modality | None, Query()] = None,
    min_corroboration: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    q: Annotated[str | None, Query(description="Text in the evidence, place or actors.", max_length=500)] = None,
) -> EventFilters:
    """The shared filters of /events, /timeline and /export."""
    return EventFilters(type=type, since=since, until=until, bbox=_bbox(bbox), place=place, admin1=admin1,
                        country=country, outlet=outlet, status=status, review=review, modality=modality,
                        min_corroboration=min_corroboration, q=q)


Filters = Annotated[EventFilters, Depends(event_filters)]
StoreDep = Annotated[Store, Depends(get_store)]
Viewer = Annotated[Principal, Depends(viewer)]
Editor = Annotated[Principal, Depends(editor)]


def _quick(f: EventFilters, limit: int, offset: int) -> bool:
    """True when a page is cheap enough to build on the event loop (indexed filters, a UI-sized page)."""
    return not (f.q and f.q.strip()) and limit <= INLINE_LIMIT and offset <= INLINE_OFFSET


@router.get("/events", response_model=EventList, responses=errors(401, 403, 422))
async def list_events(
    f: Filters, store: StoreDep, _: Viewer,
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Events matching the filters, newest first, with their cluster status and review state.

    A UI page over indexed filters takes about a millisecond and is built on the event loop (a thread
    hop costs as much as the page); text search, status filters and big pages go to the thread pool.
    """
    if _quick(f, limit, offset):
        body = search_events_json(store, f, limit=limit, offset=offset)
    else:
        body = await run_in_threadpool(search_events_json, store, f, limit=limit, offset=offset)
    return Response(body, media_type="application/json")


@router.get("/timeline", response_model=Timeline, responses=errors(401, 403, 422))
def get_timeline(f: Filters, store: StoreDep, _: Viewer) -> Response:
    """Events per day (start date) and type, with the same filters as /events."""
    return json_response({"days": timeline(store, f)})


@router.post("/events/merge", response_model=ClusterId, responses=errors(401, 403, 404, 422))
def merge(body: MergeIn, store: StoreDep, who: Editor) -> Response:
    """Put the events in one cluster (the first event's); audited per event."""
    return json_response({"cluster": merge_events(store, body.ids, body.reason, by=who)})


@router.post("/events/{event_id:path}/review", response_model=EventOut, responses=errors(401, 403, 404, 422))
def review(event_id: str, body: ReviewIn, store: StoreDep, who: Editor) -> Response:
    """Mark an event verified or rejected (or unreviewed again); audited."""
    review_event(store, event_id, body.status, body.reason, by=who)
    return json_response(get_event_out(store, event_id))


@router.post("/events/{event_id:path}/split", response_model=ClusterId, responses=errors(401, 403, 404, 422))
def split(event_id: str, body: SplitIn, store: StoreDep, who: Editor) -> Response:
    """Move the event to a new cluster of its own; audited."""
    return json_response({"cluster": split_event(store, event_id, body.reason, by=who)})


@router.get("/events/{event_id:path}", response_model=EventDetail, responses=errors(401, 403, 404))
def get_event(event_id: str, store: StoreDep, _: Viewer) -> Response:
    """One event with its cluster (sources with evidence, disagreements) and its audit history."""
    return json_response(event_detail(store, event_id))


@router.patch("/events/{event_id:path}", response_model=EventOut, responses=errors(401, 403, 404, 422))
def patch_event(event_id: str, body: EditIn, store: StoreDep, who: Editor) -> Response:
    """Change an event's fields (with a required reason); the analyst's values survive re-extraction."""
    changes = body.changes.as_overrides()
    if not changes:
        raise ApiError(422, "changes: give at least one field to change", details={"field": "changes"})
    edit_event(store, event_id, changes, body.reason, by=who)
    return json_response(get_event_out(store, event_id))
