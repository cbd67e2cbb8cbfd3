"""Export the filtered events as ACLED-style CSV, GeoJSON or JSONL (events.md documents)."""

from __future__ import annotations

import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from vigil.api.deps import get_store, viewer
from vigil.api.responses import errors
from vigil.api.routers.events import Filters
from vigil.store import Store
from vigil.store.review import Principal, export_selection

router = APIRouter(tags=["export"])
MAX_EXPORT = 100_000
MEDIA = {"acled-csv": ("text/csv; charset=utf-8", "csv"), "geojson": ("application/geo+json", "geojson"),
         "jsonl": ("application/x-ndjson", "jsonl")}


@router.get("/export", responses={200: {"content": {m: {} for m, _ in MEDIA.values()},
                                        "description": "The file."}, **errors(401, 403, 422)})
def export(
    f: Filters, store: Annotated[Store, Depends(get_store)], _: Annotated[Principal, Depends(viewer)],
    format: Annotated[Literal["acled-csv", "geojson", "jsonl"], Query()] = "jsonl",
) -> Response:
    """A file download of every event matching the filters (analyst values applied, at most 100,000)."""
    from vigil.export import write_acled_csv, write_geojson, write_jsonl

    events, articles = export_selection(store, f, max_rows=MAX_EXPORT)
    buf = io.StringIO(newline="")
    if format == "jsonl":
        by_doc: dict[str, list] = {}
        for e in events:
            by_doc.setdefault(e.doc_id, []).append(e)
        write_jsonl([articles[d].model_copy(update={"events": evs}) for d, evs in by_doc.items() if d in articles],
                    buf)
    elif format == "geojson":
        write_geojson(events, buf, articles)
    else:
        write_acled_csv(events, buf, articles)
    media, ext = MEDIA[format]
    return Response(buf.getvalue().encode("utf-8", "surrogatepass"), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="vigil-events.{ext}"'})
