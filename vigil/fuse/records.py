"""One record per real-world event: merged fields, sources, corroboration and disagreements.

``merge_cluster`` is a pure function of the events of one cluster and their
articles. Each merged field records the rule that chose it in ``rules``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vigil.fuse.clusters import locations_agree
from vigil.schema import (
    Acled,
    Actor,
    Article,
    Crowd,
    DateInterval,
    Disagreement,
    Event,
    EventCluster,
    Location,
    Source,
)

PRECISION_RANK = {"site": 0, "city": 1, "admin2": 2, "admin1": 3, "country": 4, None: 5}
SEVERITY = ["fired_on_crowd", "warning_shots", "crowd_control", "detentions", "physical_force"]
DOUBTFUL = {"claimed", "unverified", "denied"}


def _who(e: Event, articles: Mapping[str, Article]) -> str:
    a = articles.get(e.doc_id)
    return (a.outlet if a and a.outlet else None) or e.doc_id


def _disagreement(field: str, pairs: list[tuple[Any, Event]], articles: Mapping[str, Article]) -> Disagreement | None:
    groups: dict[str, list[str]] = {}
    shown: dict[str, Any] = {}
    for value, ev in pairs:
        key = repr(value)
        shown[key] = value
        groups.setdefault(key, []).append(_who(ev, articles))
    if len(groups) < 2:
        return None
    return Disagreement(field=field, values=[{"value": shown[k], "sources": sorted(set(v))} for k, v in groups.items()])


def _merge_dates(events: Sequence[Event]) -> tuple[DateInterval, str, bool]:
    starts = [e.date.start for e in events if e.date.start]
    ends = [e.date.end for e in events if e.date.end]
    if not starts or not ends:
        return DateInterval(start=min(starts, default=None), end=max(ends, default=None)), "known ends", True
    lo, hi = max(starts), min(ends)
    if lo <= hi:
        return DateInterval(start=lo, end=hi), "intersection", True
    return DateInterval(start=min(starts), end=max(ends)), "union (sources' intervals do not overlap)", False


def _merge_location(events: Sequence[Event]) -> tuple[Location | None, str]:
    locs = [e.location for e in events if e.location is not None]
    if not locs:
        return None, "none given"
    names = Counter(loc.name for loc in locs)
    best = min(locs, key=lambda loc: (PRECISION_RANK.get(loc.precision, 5), -names[loc.name], loc.name))
    return best, "most precise place"


def _merge_crowd(events: Sequence[Event]) -> tuple[Crowd | None, str]:
    crowds = [e.crowd for e in events if e.crowd is not None]
    if not crowds:
        return None, "none given"
    lows = [c.low for c in crowds if c.low is not None]
    highs = [c.high for c in crowds if c.high is not None]
    if not lows or not highs:
        return crowds[0], "only source with a figure"
    if len(crowds) == 1:
        return crowds[0], "single source"
    text = "; ".join(sorted({c.text for c in crowds}))
    return Crowd(text=text, low=min(lows), high=max(highs)), "range across sources"


def _merge_actors(events: Sequence[Event]) -> list[Actor]:
    seen: dict[tuple, Actor] = {}
    for e in events:
        for a in e.actors:
            seen.setdefault((a.kind, a.role, a.side), a)
    return list(seen.values())


@dataclass(frozen=True)
class Report:
    """The facts of one source's report that decide a cluster's status (see ``cluster_status``)."""

    type: str
    intervention: str | None
    modality: str
    location: Location | None = None

    @classmethod
    def of(cls, e: Event) -> Report:
        return cls(type=e.type, intervention=e.intervention, modality=e.modality, location=e.location)


def contested(reports: Sequence[Report]) -> bool:
    """Sources disagree on a type-level fact: two different types or interventions (silence is not a
    disagreement), places that do not agree (not the same place, not within 30 km, not inside the
    same admin1 region), or a source denies the event."""
    if len({r.type for r in reports}) > 1 or len({r.intervention for r in reports if r.intervention}) > 1:
        return True
    if any(r.modality == "denied" for r in reports):
        return True
    located = [r.location for r in reports if r.location is not None]
    return any(not locations_agree(a, b) for i, a in enumerate(located) for b in located[i + 1:])


def cluster_status(reports: Sequence[Report], corroboration: int) -> str:
    """``unverified`` when every report is claimed/unverified/denied, else ``contested`` when they disagree
    on a type-level fact, else ``corroborated`` with two or more independent outlets, else ``single-source``.

    The one rule for every reader of clusters (CLI records, API lists and event pages).
    """
    if reports and all(r.modality in DOUBTFUL for r in reports):
        return "unverified"
    if contested(reports):
        return "contested"
    return "corroborated" if corroboration >= 2 else "single-source"


def _extractor(e: Event) -> str | None:
    """``stage@version`` of the rule that found the event (its trigger's provenance)."""
    prov = e.trigger.provenance
    return prov.split(":", 1)[0] if prov else None


def independent_outlets(events: Sequence[Event], articles: Mapping[str, Article], duplicates: Mapping[str, str]) -> int:
    """How many independent outlets report the event: copies count as their original, one outlet once."""
    keys = set()
    for e in events:
        doc = duplicates.get(e.doc_id, e.doc_id)
        a = articles.get(doc)
        keys.add(("outlet", a.outlet) if a is not None and a.outlet else ("doc", doc))
    return len(keys)


def merge_cluster(
    cluster_id: str,
    events: Sequence[Event],
    articles: Mapping[str, Article],
    duplicates: Mapping[str, str] | None = None,
) -> EventCluster:
    """Merge the events of one cluster into one record.

    Args:
        articles: the documents the events come from, by id (for outlet, date, hash).
        duplicates: copy doc id -> original doc id (``near_duplicates``); copies add no corroboration.
    """
    if not events:
        raise ValueError(f"cluster {cluster_id!r} has no events")
    duplicates = duplicates or {}
    events = sorted(events, key=lambda e: (e.doc_id, e.id))
    rules: dict[str, str] = {}
    disagreements: list[Disagreement] = []

    def note(field: str, pairs: list[tuple[Any, Event]]) -> None:
        d = _disagreement(field, pairs, articles)
        if d is not None:
            disagreements.append(d)

    type_counts = Counter(e.type for e in events)
    etype = max(type_counts, key=lambda t: (type_counts[t], -[e.type for e in events].index(t)))
    rules["type"] = "majority"
    note("type", [(e.type, e) for e in events])

    interventions = [e.intervention for e in events if e.intervention]
    intervention = min(interventions, key=SEVERITY.index) if interventions else None
    rules["intervention"] = "most severe reported" if intervention else "none reported"
    note("intervention", [(e.intervention, e) for e in events])

    date, how, consistent = _merge_dates(events)
    rules["date"] = how
    if not consistent:
        note("date", [({"start": str(e.date.start), "end": str(e.date.end)}, e) for e in events])

    location, rules["location"] = _merge_location(events)
    note("location", [(e.location.name if e.location else None, e) for e in events])

    crowd, rules["crowd"] = _merge_crowd(events)
    crowd_values = [((e.crowd.low, e.crowd.high), e) for e in events if e.crowd and e.crowd.low is not None]
    if len({v for v, _ in crowd_values}) > 1:
        note("crowd", [({"text": e.crowd.text, "low": lo, "high": hi}, e) for (lo, hi), e in crowd_values
                       if e.crowd])

    for field in ("fatalities", "injuries"):
        vals = [(getattr(e, field), e) for e in events if getattr(e, field) is not None]
        if vals:
            note(field, vals)
            rules[field] = "highest reported"
    fatalities = max((e.fatalities for e in events if e.fatalities is not None), default=None)
    injuries = max((e.injuries for e in events if e.injuries is not None), default=None)

    subs = Counter((e.acled.event_type, e.acled.sub_event_type) for e in events)
    acled = max(subs, key=lambda k: (subs[k], str(k)))
    note("modality", [(e.modality, e) for e in events])

    sources = []
    for e in events:
        a = articles.get(e.doc_id)
        sources.append(Source(
            doc_id=e.doc_id, event_id=e.id, outlet=a.outlet if a else None, published=a.published if a else None,
            modality=e.modality, sha256=a.sha256 if a else None, duplicate_of=duplicates.get(e.doc_id),
            ingested_at=a.ingested_at if a else None, extractor=_extractor(e),
            evidence=e.evidence or [e.trigger],
        ))
    corroboration = independent_outlets(events, articles, duplicates)
    status = cluster_status([Report.of(e) for e in events], corroboration)
    return EventCluster(
        id=cluster_id, type=etype, intervention=intervention if etype in ("protest", "obstruction") else None,
        date=date, location=location, actors=_merge_actors(events), crowd=crowd, fatalities=fatalities,
        injuries=injuries, acled=Acled(event_type=acled[0], sub_event_type=acled[1]),
        sources=sources, corroboration=corroboration, status=status, disagreements=disagreements, rules=rules,
    )


def merge_clusters(articles: Sequence[Article], duplicates: Mapping[str, str] | None = None) -> list[EventCluster]:
    """All cluster records of a set of clustered articles, ordered by date then id."""
    by_id = {a.id: a for a in articles}
    groups: dict[str, list[Event]] = {}
    for a in articles:
        for e in a.events:
            groups.setdefault(e.cluster or e.id, []).append(e)
    out = [merge_cluster(cid, evs, by_id, duplicates) for cid, evs in groups.items()]
    return sorted(out, key=lambda c: (str(c.date.start), c.id))


def compare_claims(articles: Sequence[Article], duplicates: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The claims of several documents side by side: one group per claim kind and publication day.

    Each group is ``{"kind", "day", "values": [{"value", "qualifier", "source", "documents", "evidence"}],
    "differ"}``; ``differ`` flags groups whose figures are not all the same. A copy's claim
    (``duplicates``: copy doc id -> original) is listed under its original's figure, not counted twice.
    """
    duplicates = duplicates or {}
    groups: dict[tuple[str, str], dict[tuple, dict[str, Any]]] = {}
    for a in sorted(articles, key=lambda x: x.id):
        day = a.published.isoformat() if a.published else "undated"
        for c in a.claims:
            if c.value is None:
                continue
            key = (c.value, c.qualifier, c.source)
            slot = groups.setdefault((c.kind, day), {}).setdefault(key, {
                "value": c.value, "qualifier": c.qualifier, "source": c.source, "documents": [], "evidence": []})
            doc = duplicates.get(a.id, a.id)
            if doc not in slot["documents"]:
                slot["documents"].append(doc)
                slot["evidence"].append(c.evidence)
    out = []
    for (kind, day), values in sorted(groups.items()):
        listed = sorted(values.values(), key=lambda v: (v["value"], str(v["qualifier"]), str(v["source"])))
        out.append({"kind": kind, "day": day, "values": listed, "differ": len({v["value"] for v in listed}) > 1})
    return out
