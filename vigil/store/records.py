"""The API record of a stored event, built from its payload without an ``Event`` model.

``payload_record`` is the ``vigil.export.event_record`` dict of a payload. ``record_json`` is the
same record without ``cluster``, serialized once: the store keeps it in ``events.record`` when an
article is written (and migration 0003 fills it for older rows), so listing events copies stored
bytes instead of decoding payloads. A change to the record's shape needs a migration that sets
``events.record`` to NULL (reads then fall back to the payload).
"""

from __future__ import annotations

import json
from typing import Any


def _span_out(s: dict[str, Any] | None, *, with_doc: bool = False) -> dict[str, Any] | None:
    if s is None:
        return None
    out: dict[str, Any] = {"doc_id": s.get("doc_id")} if with_doc else {}
    out.update({"start": s.get("start"), "end": s.get("end"), "text": s.get("text")})
    return out


def _finite(x: Any) -> float | None:
    return x if isinstance(x, int | float) and x == x and x not in (float("inf"), float("-inf")) else None


def payload_record(payload: dict[str, Any], cluster: str | None) -> dict[str, Any]:
    """The ``vigil.export.event_record`` dict of a stored event payload, without building an ``Event``.

    The list route builds hundreds of these per request; a test checks it equals ``event_record``.
    """
    loc = payload.get("location")
    crowd = payload.get("crowd")
    dates = payload.get("date") or {}
    acled = payload.get("acled") or {}
    evidence = payload.get("evidence") or []
    return {
        "id": payload.get("id"),
        "type": payload.get("type"),
        "intervention": payload.get("intervention"),
        "date": {"start": dates.get("start"), "end": dates.get("end")},
        "location": None if loc is None else {
            "name": loc.get("name"), "admin1": loc.get("admin1"), "country": loc.get("country"),
            "lat": _finite(loc.get("lat")), "lon": _finite(loc.get("lon")), "precision": loc.get("precision"),
        },
        "actors": [{"text": a.get("text"), "kind": a.get("kind"), "side": a.get("side"), "role": a.get("role")}
                   for a in payload.get("actors") or []],
        "crowd": None if crowd is None else {"text": crowd.get("text"), "low": crowd.get("low"),
                                             "high": crowd.get("high")},
        "fatalities": payload.get("fatalities"),
        "injuries": payload.get("injuries"),
        "modality": payload.get("modality"),
        "acled": {"event_type": acled.get("event_type"), "sub_event_type": acled.get("sub_event_type")},
        "evidence": [s.get("text") for s in evidence],
        "cluster": cluster,
        "evidence_spans": [_span_out(s, with_doc=True) for s in evidence],
        "field_evidence": {k: _span_out(v) for k, v in (payload.get("field_evidence") or {}).items()},
        "trigger": _span_out(payload.get("trigger")),
        "salience": _finite(payload.get("salience")),
        "rules": list(payload.get("rules") or []),
    }


def dumps(value: Any) -> str:
    """Compact JSON text as the API sends it (raw UTF-8 text, nothing escaped but what JSON requires)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def record_json(payload: dict[str, Any]) -> str | None:
    """``payload_record`` without ``cluster`` as JSON text (a JSON object); None when it cannot be built."""
    try:
        rec = payload_record(payload, None)
        del rec["cluster"]
        return dumps(rec)
    except (AttributeError, TypeError, ValueError):  # a payload that is not the events.md shape: read the slow way
        return None


__all__ = ["dumps", "payload_record", "record_json"]
