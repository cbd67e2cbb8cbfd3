"""export stage: events.md JSONL records, GeoJSON and ACLED-style CSV writers.

``EXPORTERS`` maps the CLI format names to the writers: ``jsonl`` takes articles
(``write_jsonl(articles, fh)``); ``geojson`` and ``acled-csv`` take events and the
articles they come from (``write_geojson(events, fh, articles)``).
"""

from collections.abc import Callable
from typing import Any

from vigil.export.acled import ACLED_COLUMNS, acled_row, actor_label, interaction_code, write_acled_csv
from vigil.export.geojson import geojson_collection, write_geojson
from vigil.export.records import claim_record, document_record, event_record, record_line, write_jsonl

EXPORTERS: dict[str, Callable[..., Any]] = {
    "jsonl": write_jsonl,
    "geojson": write_geojson,
    "acled-csv": write_acled_csv,
}

__all__ = [
    "ACLED_COLUMNS",
    "EXPORTERS",
    "acled_row",
    "actor_label",
    "claim_record",
    "document_record",
    "event_record",
    "geojson_collection",
    "interaction_code",
    "record_line",
    "write_acled_csv",
    "write_geojson",
    "write_jsonl",
]
