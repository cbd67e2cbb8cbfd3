"""Give events of the same type, place and overlapping dates from different documents one cluster id.

This is the walking-skeleton fusion: a greedy, order-independent-by-construction
pass. Events are visited in a fixed order (existing events first, then by
publication date, document id and event id); each event joins the best matching
cluster that holds no event of its own document, else starts a new cluster.
Existing events keep their cluster ids, so ids stay stable across runs.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from datetime import date, timedelta

from vigil.schema import Article, Event

NEAR_KM = 30.0
SLACK = timedelta(days=1)


def _km(a: Event, b: Event) -> float | None:
    la, lb = a.location, b.location
    if la is None or lb is None or None in (la.lat, la.lon, lb.lat, lb.lon):
        return None
    p1, l1, p2, l2 = map(math.radians, (la.lat, la.lon, lb.lat, lb.lon))  # type: ignore[arg-type]
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _norm(name: str | None) -> str:
    name = (name or "").lower()
    name = re.sub(r"\b(oblast|region|province|city|raion|district)\b", " ", name)
    return re.sub(r"[^a-z]", "", name)


def _places_agree(a: Event, b: Event) -> bool:
    la, lb = a.location, b.location
    if la is None or lb is None:
        return la is None and lb is None
    if la.geonameid is not None and la.geonameid == lb.geonameid:
        return True
    if _norm(la.name) and _norm(la.name) == _norm(lb.name):
        return True
    d = _km(a, b)
    if d is not None and d <= NEAR_KM:
        return True
    if "admin1" in (la.precision, lb.precision):
        return bool(_norm(la.admin1)) and _norm(la.admin1) == _norm(lb.admin1)
    return False


def _dates_agree(a: Event, b: Event) -> bool:
    s1, e1, s2, e2 = a.date.start, a.date.end, b.date.start, b.date.end
    if None in (s1, e1, s2, e2):
        return False
    return s2 <= e1 + SLACK and s1 <= e2 + SLACK  # type: ignore[operator]


def events_match(a: Event, b: Event) -> bool:
    """True when two events could be the same real-world event: type, place and dates agree."""
    return a.type == b.type and _places_agree(a, b) and _dates_agree(a, b)


def _closeness(a: Event, b: Event) -> float:
    score = 0.0
    if (a.date.start, a.date.end) == (b.date.start, b.date.end):
        score += 2.0
    d = _km(a, b)
    if d is not None:
        score += 1.0 / (1.0 + d)
    if a.intervention == b.intervention:
        score += 0.5
    return score


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "unplaced"


def cluster_id(event: Event) -> str:
    """A readable, stable cluster id derived from the event that founded the cluster."""
    place = _slug(event.location.name) if event.location else "unplaced"
    day = event.date.start.isoformat() if event.date.start else "undated"
    digest = hashlib.sha1(event.id.encode()).hexdigest()[:6]
    return f"{place}-{day}-{event.type}-{digest}"


def assign_clusters(articles: Sequence[Article], existing: Sequence[Event] = ()) -> list[Article]:
    """Return copies of ``articles`` whose events carry a ``cluster`` id.

    Args:
        existing: events already stored, with their cluster ids; new events may
            join their clusters, and their ids never change.
    """
    clusters: dict[str, list[Event]] = {}
    for ev in existing:
        if ev.cluster:
            clusters.setdefault(ev.cluster, []).append(ev)
    published = {a.id: a.published or date.max for a in articles}
    order = sorted(
        (ev for a in articles for ev in a.events),
        key=lambda e: (published.get(e.doc_id, date.max), e.doc_id, e.id),
    )
    assigned: dict[str, str] = {}
    for ev in order:
        best, best_score = None, -1.0
        for cid, members in clusters.items():
            if any(m.doc_id == ev.doc_id for m in members):
                continue
            scores = [_closeness(ev, m) for m in members if events_match(ev, m)]
            if scores and max(scores) > best_score:
                best, best_score = cid, max(scores)
        cid = best or cluster_id(ev)
        clusters.setdefault(cid, []).append(ev)
        assigned[ev.id] = cid
    out = []
    for a in articles:
        events = [e.model_copy(update={"cluster": assigned[e.id]}) for e in a.events]
        out.append(a.model_copy(update={"events": events}))
    return out
