"""GeoJSON export: one Point feature per located event, a count of the unlocated ones.

The output is a ``FeatureCollection`` whose features carry ``[lon, lat]`` coordinates
(RFC 7946 order) and, as properties, the events.md event record (see
:mod:`vigil.export.records`) plus ``doc_id``, ``outlet``, ``published`` and ``url`` of the
article. Events without finite coordinates are not features; the top-level key
``"unlocated"`` counts them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import IO, Any

from vigil.export.records import event_record
from vigil.schema import Article, Event


def _point(event: Event) -> list[float] | None:
    loc = event.location
    if loc is None or loc.lat is None or loc.lon is None:
        return None
    lat, lon = loc.lat, loc.lon
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return [lon, lat]


def geojson_collection(events: Sequence[Event], articles: Mapping[str, Article]) -> dict[str, Any]:
    """The FeatureCollection (a dict) for ``events``; see the module docstring for the shape."""
    features: list[dict[str, Any]] = []
    unlocated = 0
    for e in events:
        point = _point(e)
        if point is None:
            unlocated += 1
            continue
        art = articles.get(e.doc_id)
        props = event_record(e)
        props.update(
            {
                "doc_id": e.doc_id,
                "outlet": art.outlet if art else None,
                "published": art.published.isoformat() if art and art.published else None,
                "url": art.url if art else None,
            }
        )
        features.append({"type": "Feature", "id": e.id, "geometry": {"type": "Point", "coordinates": point},
                         "properties": props})
    return {"type": "FeatureCollection", "features": features, "unlocated": unlocated}


def write_geojson(events: Sequence[Event], fh: IO[str], articles: Mapping[str, Article]) -> int:
    """Write ``events`` as a GeoJSON FeatureCollection; returns the number of features written."""
    collection = geojson_collection(events, articles)
    fh.write(json.dumps(collection, ensure_ascii=False, allow_nan=False))
    fh.write("\n")
    return len(collection["features"])
