"""Cluster statistics kept on the ``events`` rows: each event's cluster status and corroboration.

``events.status`` and ``events.corroboration`` (migration 0004) hold ``vigil.fuse.cluster_status`` of
the event's cluster, so the API filters, orders, pages and counts by them in SQL. They are written
whenever a cluster can change: an article is stored (``Store.add_article``), an event moves
(``Store.set_cluster``, merge, split) or an analyst edits a field (``vigil.store.review``).

A cluster's key is the analyst's cluster, else the machine's, else the event id. Corroboration
counts independent outlets: a near-duplicate copy (``articles.duplicate_of``) counts as its
original (that document's outlet), a document without outlet counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, func, select, union, update
from sqlalchemy.orm import aliased

from vigil.fuse import Report
from vigil.fuse import cluster_status as fused_status
from vigil.schema import Location
from vigil.store.models import ArticleRow, EventReviewRow, EventRow

_CHUNK = 500
_ORIGIN = aliased(ArticleRow, name="origin")


def cluster_status(members: Sequence[dict[str, Any]]) -> tuple[str, int]:
    """Status and corroboration of a cluster, by ``vigil.fuse.cluster_status`` (the one rule for all readers).

    ``members``: dicts with ``doc_id``, ``outlet``, ``type``, ``intervention``, ``modality`` and
    ``location`` (a ``Location``, a location dict, a bare name, or None). Corroboration counts
    independent outlets (a document without outlet counts once); pass a copy's original as its
    ``doc_id`` and that document's outlet as its ``outlet``.
    """
    if not members:
        return "single-source", 0
    corroboration = len({("outlet", m["outlet"]) if m.get("outlet") else ("doc", m["doc_id"]) for m in members})
    reports = [Report(type=m.get("type") or "other", intervention=m.get("intervention"),
                      modality=m.get("modality") or "asserted", location=_as_location(m.get("location")))
               for m in members]
    return fused_status(reports, corroboration), corroboration


def _as_location(value: Any) -> Location | None:
    if value is None or isinstance(value, Location):
        return value
    if isinstance(value, str):
        return Location(name=value)
    if isinstance(value, dict) and value.get("name"):
        keys = ("name", "admin1", "country", "lat", "lon", "precision", "geonameid")
        try:
            return Location(**{k: value.get(k) for k in keys})
        except ValidationError:
            return Location(name=str(value["name"]))
    return None


_STATS_ALL = (
    select(EventRow.id, EventRow.cluster, EventRow.doc_id, EventRow.type, EventRow.intervention,
           EventRow.location_name, EventRow.modality, ArticleRow.outlet, EventReviewRow.cluster, EventRow.admin1,
           EventRow.lat, EventRow.lon, EventRow.precision, EventRow.geonameid, ArticleRow.duplicate_of,
           _ORIGIN.outlet)
    .join(ArticleRow, ArticleRow.id == EventRow.doc_id)
    .outerjoin(EventReviewRow, EventReviewRow.event_id == EventRow.id)
    .outerjoin(_ORIGIN, _ORIGIN.id == ArticleRow.duplicate_of)
)
# built once, with expanding parameters: the member ids come from three index lookups (an OR over them
# makes SQLite scan every event, once per stored article)
_STATS_SOME = _STATS_ALL.where(EventRow.id.in_(union(
    select(EventRow.id).where(EventRow.cluster.in_(bindparam("keys", expanding=True))),
    select(EventRow.id).where(EventRow.id.in_(bindparam("keys", expanding=True))),
    select(EventReviewRow.event_id).where(EventReviewRow.cluster.in_(bindparam("keys", expanding=True))),
)))
_KEYS = (select(func.coalesce(EventReviewRow.cluster, EventRow.cluster, EventRow.id))
         .select_from(EventRow).outerjoin(EventReviewRow, EventReviewRow.event_id == EventRow.id)
         .where(EventRow.id.in_(bindparam("ids", expanding=True))))
_SET = (update(EventRow).where(EventRow.id == bindparam("eid"))
        .values(status=bindparam("st"), corroboration=bindparam("co")))


def cluster_members(conn: Connection, keys: Iterable[str] | None) -> dict[str, dict[str, dict[str, Any]]]:
    """The members of each cluster key (all clusters when ``keys`` is None): key -> event id -> member dict."""
    wanted = None if keys is None else set(keys)
    rows: list[Any] = []
    if wanted is None:
        rows = conn.execute(_STATS_ALL).all()
    else:
        ordered = sorted(wanted)
        for i in range(0, len(ordered), _CHUNK):
            rows.extend(conn.execute(_STATS_SOME, {"keys": ordered[i:i + _CHUNK]}).all())
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for (eid, clus, doc_id, etype, intervention, place, modality, outlet, rclus, admin1, lat, lon, prec, gid,
         original, original_outlet) in rows:
        key = rclus or clus or eid
        if wanted is not None and key not in wanted:
            continue
        loc = None if place is None else {"name": place, "admin1": admin1, "lat": lat, "lon": lon, "precision": prec,
                                          "geonameid": gid}
        groups.setdefault(key, {})[eid] = {
            "doc_id": original or doc_id, "outlet": original_outlet if original else outlet, "type": etype,
            "intervention": intervention, "location": loc, "modality": modality}
    return groups


def cluster_stats(conn: Connection, keys: Iterable[str] | None) -> dict[str, dict[str, Any]]:
    """``{"status", "corroboration"}`` per cluster key (all clusters when ``keys`` is None), computed from rows."""
    out = {}
    for key, members in cluster_members(conn, keys).items():
        status, corroboration = cluster_status(list(members.values()))
        out[key] = {"status": status, "corroboration": corroboration}
    return out


def keys_of(conn: Connection, event_ids: Sequence[str]) -> set[str]:
    """The cluster keys of the given events (unknown ids are left out)."""
    out: set[str] = set()
    for i in range(0, len(event_ids), _CHUNK):
        out.update(conn.scalars(_KEYS, {"ids": list(event_ids[i:i + _CHUNK])}))
    return out


def refresh_stats(conn: Connection, keys: Iterable[str] | None) -> int:
    """Write the status and corroboration of the clusters ``keys`` (all when None) onto their events.

    Returns the number of events written. Call it inside the transaction that changed the clusters.
    """
    values = []
    for members in cluster_members(conn, keys).values():
        status, corroboration = cluster_status(list(members.values()))
        values.extend({"eid": eid, "st": status, "co": corroboration} for eid in members)
    for i in range(0, len(values), _CHUNK):
        conn.execute(_SET, values[i:i + _CHUNK])
    return len(values)


__all__ = ["cluster_members", "cluster_stats", "cluster_status", "keys_of", "refresh_stats"]
