"""events.md document records: the JSON shape shared by gold files and ``extract --format jsonl``.

One document is ``{"id", "published", "outlet", "url", "events", "claims"}``. Each
event carries the events.md keys (``type, intervention, date, location, actors,
crowd, fatalities, injuries, modality, acled, evidence, cluster``) plus the keys
that keep its evidence: ``id``, ``evidence_spans``, ``field_evidence``,
``trigger``, ``salience`` and ``rules``. Each claim carries ``kind, value,
qualifier, source, verified, evidence`` (the text) plus ``evidence_span``.
Dates are ISO strings or ``null``; offsets are character offsets into the text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date
from typing import IO, Any

from vigil.schema import Article, Claim, Event, Span


def _finite(x: float | None) -> float | None:
    """The number, or None when it is missing or not finite (JSON has no NaN or Infinity)."""
    return x if x is not None and math.isfinite(x) else None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _span(s: Span, *, with_doc: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"doc_id": s.doc_id} if with_doc else {}
    out.update({"start": s.start, "end": s.end, "text": s.text})
    return out


def event_record(event: Event) -> dict[str, Any]:
    """One event in the events.md shape, with its evidence spans, trigger, salience and rules."""
    loc = event.location
    return {
        "id": event.id,
        "type": event.type,
        "intervention": event.intervention,
        "date": {"start": _iso(event.date.start), "end": _iso(event.date.end)},
        "location": None
        if loc is None
        else {
            "name": loc.name,
            "admin1": loc.admin1,
            "country": loc.country,
            "lat": _finite(loc.lat),
            "lon": _finite(loc.lon),
            "precision": loc.precision,
        },
        "actors": [{"text": a.text, "kind": a.kind, "side": a.side, "role": a.role} for a in event.actors],
        "crowd": None
        if event.crowd is None
        else {"text": event.crowd.text, "low": event.crowd.low, "high": event.crowd.high},
        "fatalities": event.fatalities,
        "injuries": event.injuries,
        "modality": event.modality,
        "acled": {"event_type": event.acled.event_type, "sub_event_type": event.acled.sub_event_type},
        "evidence": [s.text for s in event.evidence],
        "cluster": event.cluster,
        "evidence_spans": [_span(s, with_doc=True) for s in event.evidence],
        "field_evidence": {name: _span(s) for name, s in event.field_evidence.items()},
        "trigger": _span(event.trigger),
        "salience": _finite(event.salience),
        "rules": list(event.rules),
    }


def claim_record(claim: Claim) -> dict[str, Any]:
    """One claim in the events.md shape (``evidence`` is the text) plus ``evidence_span``."""
    return {
        "kind": claim.kind,
        "value": claim.value,
        "qualifier": claim.qualifier,
        "source": claim.source,
        "verified": claim.verified,
        "evidence": claim.evidence.text,
        "evidence_span": _span(claim.evidence, with_doc=True),
    }


def document_record(article: Article) -> dict[str, Any]:
    """The events.md record of one article: metadata, events (in the article's order) and claims.

    >>> from vigil.schema import Article
    >>> document_record(Article(id="d1", text=""))["events"]
    []
    """
    return {
        "id": article.id,
        "published": _iso(article.published),
        "outlet": article.outlet,
        "url": article.url,
        "events": [event_record(e) for e in article.events],
        "claims": [claim_record(c) for c in article.claims],
    }


# JSON allows these raw inside strings, but str.splitlines() and some JSONL readers break lines on them.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def record_line(article: Article) -> str:
    """The document record of ``article`` as one JSON line (UTF-8 text; no raw line separators)."""
    line = json.dumps(document_record(article), ensure_ascii=False)
    for raw, escaped in _LINE_BREAKS.items():
        line = line.replace(raw, escaped)
    return line + "\n"


def write_jsonl(articles: Iterable[Article], fh: IO[str]) -> int:
    """Write one document record per line to ``fh``; returns the number of lines written."""
    n = 0
    for article in articles:
        fh.write(record_line(article))
        n += 1
    return n
