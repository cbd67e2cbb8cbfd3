"""Serving and review over a :class:`~vigil.store.Store`: tokens, the audit log, analyst overrides, queries.

The machine's output stays in ``events`` (column values and the full ``payload``).
An analyst's change lives in ``event_reviews.overrides`` (events.md shape) and is

* copied onto the ``events`` columns at once (so filters and ordering use the indexes), and
  again by :func:`reapply_overrides` (call it after anything re-extracts or re-clusters);
* applied over the payload on every read, so a re-run never shows the machine's value again.

Every change appends one row per event to ``audit_log`` (who, when, before, after, reason);
nothing here updates or deletes an audit row. Token secrets are never stored, only their SHA-256.

Functions take the store and run one transaction each; they raise :class:`ReviewNotFound`
(unknown id) or :class:`ReviewInvalid` (a value that cannot be applied) and ``StoreError`` when
the database fails.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Text, cast, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vigil.errors import StoreError
from vigil.extract import ACLED_INPUTS, event_acled
from vigil.schema import Acled, Actor, Article, Claim, Crowd, Event, EventDate, Location
from vigil.store.models import ArticleRow, AuditRow, ClaimRow, EventReviewRow, EventRow, TokenRow
from vigil.store.records import _span_out, dumps, payload_record
from vigil.store.repository import Store, _clean
from vigil.store.stats import cluster_stats, cluster_status, keys_of, refresh_stats

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())
_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]  # the C encoder of ensure_ascii=False

ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
REVIEW_STATUSES: tuple[str, ...] = ("unreviewed", "verified", "rejected")
CLUSTER_STATUSES: tuple[str, ...] = ("single-source", "corroborated", "contested", "unverified")
EDITABLE_FIELDS: tuple[str, ...] = (
    "type", "intervention", "date", "location", "actors", "modality", "crowd", "fatalities", "injuries",
)
DOUBTFUL = frozenset({"claimed", "unverified", "denied"})
TOKEN_PREFIX = "vgl_"
_CHUNK = 500


class ReviewNotFound(LookupError):
    """An event, document or token id that is not in the store."""

    def __init__(self, what: str, key: Any) -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} with id {key!r}")


class ReviewInvalid(ValueError):
    """A change that cannot be applied; ``details`` says which field and why."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        self.details = details or {}
        super().__init__(message)


@dataclass(frozen=True)
class Principal:
    """Who acts: the token id (None for the command line) and its role."""

    token_id: int | None
    role: str


@dataclass
class EventFilters:
    """The filters of ``GET /events``; ``None`` means "any". ``bbox`` is (minlon, minlat, maxlon, maxlat)."""

    type: str | None = None
    since: date | None = None
    until: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    place: str | None = None
    admin1: str | None = None
    country: str | None = None
    outlet: str | None = None
    status: str | None = None
    review: str | None = None
    modality: str | None = None
    min_corroboration: int | None = None
    q: str | None = None


# --- plumbing ---------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _iso_moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _filters(f: EventFilters) -> EventFilters:
    """The filters with NUL and lone surrogates made U+FFFD (PostgreSQL refuses them in any string)."""
    return dataclasses.replace(f, **{k: _clean(v) for k, v in vars(f).items() if isinstance(v, str)})


@contextmanager
def _tx(store: Store, what: str, *, write: bool = False) -> Iterator[Session]:
    try:
        with store._session(write=write) as session:  # noqa: SLF001 - the store package's own helper
            yield session
    except (ReviewNotFound, ReviewInvalid):
        raise
    except SQLAlchemyError as e:
        raise store._fail(what, e) from e  # noqa: SLF001


def _audit(session: Session, by: Principal | None, action: str, event_id: str | None, before: Any, after: Any,
           reason: str | None) -> None:
    session.add(AuditRow(at=_now(), token_id=by.token_id if by else None, role=by.role if by else None,
                         action=action, event_id=event_id, before=before, after=after, reason=reason))


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReviewInvalid("a reason is required", {"field": "reason"})
    return text


# --- tokens -----------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a token secret is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(store: Store, role: str, label: str | None = None, *, by: Principal | None = None) -> tuple[int, str]:
    """Create an API token; returns ``(id, secret)``. The secret is shown once and stored only hashed.

    Raises:
        ReviewInvalid: ``role`` is not viewer, editor or admin.
    """
    if role not in ROLES:
        raise ReviewInvalid(f"unknown role {role!r}; valid: {', '.join(ROLES)}", {"field": "role"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with _tx(store, "cannot create a token", write=True) as s:
        label = _clean(label)
        row = TokenRow(secret_sha256=hash_secret(secret), role=role, label=label, created_at=_now(), revoked=False)
        s.add(row)
        s.flush()
        _audit(s, by, "token.create", None, None, {"token_id": row.id, "role": role, "label": label}, None)
        return row.id, secret


def authenticate(store: Store, secret: str) -> Principal | None:
    """The principal of a token secret, or None when it is unknown or revoked."""
    if not secret or len(secret) > 512:
        return None
    with _tx(store, "cannot check a token") as s:
        row = s.execute(select(TokenRow.id, TokenRow.role, TokenRow.revoked)
                        .where(TokenRow.secret_sha256 == hash_secret(secret))).first()
    if row is None or row.revoked:
        return None
    return Principal(token_id=row.id, role=row.role)


def list_tokens(store: Store) -> list[dict[str, Any]]:
    """Every token without its secret: id, role, label, created_at, revoked."""
    with _tx(store, "cannot list tokens") as s:
        rows = s.execute(select(TokenRow).order_by(TokenRow.id)).scalars().all()
        return [{"id": r.id, "role": r.role, "label": r.label, "created_at": _iso_moment(r.created_at),
                 "revoked": bool(r.revoked)} for r in rows]


def revoke_token(store: Store, token_id: int, *, by: Principal | None = None) -> None:
    """Revoke a token (it stays listed, marked revoked).

    Raises:
        ReviewNotFound: no token with that id.
    """
    with _tx(store, f"cannot revoke token {token_id}", write=True) as s:
        row = s.get(TokenRow, token_id)
        if row is None:
            raise ReviewNotFound("token", token_id)
        if not row.revoked:
            row.revoked = True
            _audit(s, by, "token.revoke", None, {"token_id": token_id, "revoked": False},
                   {"token_id": token_id, "revoked": True}, None)


# --- reading: events in the API shape -----------------------------------------------------------


def _apply_overrides(rec: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The record with the analyst's values; the machine's evidence of a changed field is dropped."""
    if not overrides:
        return rec
    for key, value in overrides.items():
        rec[key] = value
        rec["field_evidence"].pop(key, None)
    return rec


@dataclass
class _Row:
    payload: dict[str, Any]
    cluster: str | None
    doc_id: str
    outlet: str | None
    published: date | None
    review_status: str | None
    overrides: dict[str, Any] | None
    review_cluster: str | None
    status: str | None = None
    corroboration: int | None = None

    @property
    def key(self) -> str:
        return self.review_cluster or self.cluster or str(self.payload.get("id"))


def _row_columns() -> tuple[Any, ...]:
    return (EventRow.payload, EventRow.cluster, EventRow.doc_id, ArticleRow.outlet, ArticleRow.published,
            EventReviewRow.status, EventReviewRow.overrides, EventReviewRow.cluster, EventRow.status,
            EventRow.corroboration)


def _joined(q: Any, *, articles: bool = True, reviews: bool = True) -> Any:
    if articles:
        q = q.join(ArticleRow, ArticleRow.id == EventRow.doc_id)
    if reviews:
        q = q.outerjoin(EventReviewRow, EventReviewRow.event_id == EventRow.id)
    return q


def _count_query(f: EventFilters) -> Any:
    """``count(*)`` joining only the tables the filters need (the common case reads one index)."""
    q = select(func.count()).select_from(EventRow)
    q = _joined(q, articles=f.outlet is not None, reviews=f.review is not None or bool(f.q and f.q.strip()))
    return _where(q, f)


def _event_out(row: _Row, stats: dict[str, Any] | None) -> dict[str, Any]:
    """The API record of a row; ``stats`` (computed) wins over the row's stored status columns."""
    if stats is None and row.status is not None:
        stats = {"status": row.status, "corroboration": row.corroboration or 1}
    rec = _apply_overrides(payload_record(row.payload, row.key), row.overrides)
    rec.update({
        "doc_id": row.doc_id,
        "outlet": row.outlet,
        "published": _iso(row.published),
        "status": stats["status"] if stats else "single-source",
        "corroboration": stats["corroboration"] if stats else 1,
        "review": row.review_status or "unreviewed",
        "edited": bool(row.overrides),
    })
    return rec


def _cluster_stats(session: Session, keys: Iterable[str] | None) -> dict[str, dict[str, Any]]:
    """Status and corroboration per cluster key (all clusters when ``keys`` is None), computed from the rows."""
    return cluster_stats(session.connection(), keys)


def _refresh(session: Session, keys: Iterable[str] | None) -> None:
    """Write the status and corroboration of the clusters ``keys`` (all when None) onto their events."""
    session.flush()
    refresh_stats(session.connection(), keys)


def _where(q: Any, f: EventFilters) -> Any:
    """Add every filter to a query over the joined rows (status and corroboration are ``events`` columns)."""
    if f.type is not None:
        q = q.where(EventRow.type == f.type)
    if f.since is not None:
        q = q.where(func.coalesce(EventRow.date_end, EventRow.date_start) >= f.since)
    if f.until is not None:
        q = q.where(func.coalesce(EventRow.date_start, EventRow.date_end) <= f.until)
    if f.bbox is not None:
        minlon, minlat, maxlon, maxlat = f.bbox
        q = q.where(EventRow.lat.between(minlat, maxlat))
        if minlon <= maxlon:
            q = q.where(EventRow.lon.between(minlon, maxlon))
        else:  # the box crosses the antimeridian
            q = q.where(or_(EventRow.lon >= minlon, EventRow.lon <= maxlon))
    if f.place is not None:
        q = q.where(func.lower(EventRow.location_name) == f.place.strip().lower())
    if f.admin1 is not None:
        q = q.where(func.lower(EventRow.admin1) == f.admin1.strip().lower())
    if f.country is not None:
        q = q.where(func.upper(EventRow.country) == f.country.strip().upper())
    if f.outlet is not None:
        q = q.where(func.lower(ArticleRow.outlet) == f.outlet.strip().lower())
    if f.modality is not None:
        q = q.where(EventRow.modality == f.modality)
    if f.status is not None:
        q = q.where(EventRow.status == f.status)
    if f.min_corroboration is not None and f.min_corroboration > 1:
        q = q.where(EventRow.corroboration >= f.min_corroboration)
    if f.review is not None:
        if f.review == "unreviewed":
            q = q.where(or_(EventReviewRow.status.is_(None), EventReviewRow.status == "unreviewed"))
        else:
            q = q.where(EventReviewRow.status == f.review)
    if f.q is not None and f.q.strip():
        needle = "%" + f.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(or_(func.lower(cast(EventRow.payload, Text)).like(needle, escape="\\"),
                        func.lower(cast(EventReviewRow.overrides, Text)).like(needle, escape="\\")))
    return q


def _order(q: Any) -> Any:
    return q.order_by(EventRow.date_start.desc().nulls_last(), EventRow.id)


def _rows_by_id(session: Session, ids: Sequence[str]) -> list[_Row]:
    found: dict[str, _Row] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = list(ids[i:i + _CHUNK])
        for r in session.connection().execute(_joined(select(EventRow.id, *_row_columns()))
                                              .where(EventRow.id.in_(chunk))):
            found[r[0]] = _Row(*r[1:])
    return [found[i] for i in ids if i in found]


def search_events(store: Store, f: EventFilters, *, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """One page of events (API shape, analyst values applied) matching ``f``, and the total count.

    Ordered by start date, newest first (undated last), then id.
    """
    f = _filters(f)
    limit, offset = max(0, limit), max(0, offset)
    with _tx(store, "cannot query events") as s:
        conn = s.connection()
        total = int(conn.scalar(_count_query(f)) or 0)
        page = _order(_where(_joined(select(*_row_columns())), f)).limit(limit).offset(offset)
        rows = [_Row(*r) for r in conn.execute(page)] if limit else []
        missing = {r.key for r in rows if r.status is None}
        stats = _cluster_stats(s, missing) if missing else {}
    return [_event_out(r, stats.get(r.key)) for r in rows], total


def _record_page(session: Session, f: EventFilters, limit: int, offset: int) -> list[tuple[Any, ...]]:
    """The ``_record_rows`` of one page of the SQL-filtered events, in list order, in one statement.

    The page's ids come from a subquery joining only what the filters need (an index-only scan
    for the common filters); the wide columns are read for those rows only.
    """
    ids = _joined(select(EventRow.id), articles=f.outlet is not None,
                  reviews=f.review is not None or bool(f.q and f.q.strip()))
    page = _order(_where(ids, f)).limit(limit).offset(offset).subquery()
    q = _order(_RECORD_COLUMNS.join(page, page.c.id == EventRow.id))
    return [tuple(r) for r in session.connection().execute(q).all()]


_RECORD_COLUMNS = _joined(select(EventRow.id, EventRow.record, EventRow.cluster, EventRow.doc_id, ArticleRow.outlet,
                                 ArticleRow.published, EventReviewRow.status, EventReviewRow.overrides,
                                 EventReviewRow.cluster, EventRow.status, EventRow.corroboration))


def _js(value: Any) -> str:
    """JSON text of a short value (strings through the C encoder, as ``dumps`` writes them)."""
    if value is None:
        return "null"
    return _encode_str(value) if type(value) is str else dumps(value)


def search_events_json(store: Store, f: EventFilters, *, limit: int = 100, offset: int = 0) -> bytes:
    """``{"items", "total", "limit", "offset"}`` of :func:`search_events` as UTF-8 JSON bytes, built fast.

    Each item is the stored ``events.record`` text with the cluster, source, status and review
    fields appended; an event with analyst changes (or no stored record) is built from its payload.
    """
    f = _filters(f)
    limit, offset = max(0, limit), max(0, offset)
    with _tx(store, "cannot query events") as s:
        total = int(s.connection().scalar(_count_query(f)) or 0)
        rows = _record_page(s, f, limit, offset) if limit and total > offset else []
        missing = {r[8] or r[2] or r[0] for r in rows if r[9] is None}  # no stored status: compute it
        stats = _cluster_stats(s, missing) if missing else {}
        slow_ids = [r[0] for r in rows if r[1] is None or r[7]]
        slow = {str(r.payload.get("id")): r for r in _rows_by_id(s, slow_ids)} if slow_ids else {}
    parts: list[str] = []
    for eid, record, clus, doc_id, outlet, published, review, _overrides, rclus, status, corr in rows:
        key = rclus or clus or eid
        st = stats.get(key) or ({"status": status, "corroboration": corr or 1} if status is not None else None)
        if eid in slow:
            parts.append(dumps(_event_out(slow[eid], st)))
            continue
        parts.append(f'{record[:-1]},"cluster":{_js(key)},"doc_id":{_js(doc_id)},"outlet":{_js(outlet)},'
                     f'"published":{_js(_iso(published))},"status":{_js(st["status"] if st else "single-source")},'
                     f'"corroboration":{int(st["corroboration"]) if st else 1},'
                     f'"review":{_js(review or "unreviewed")},"edited":false}}')
    body = f'{{"items":[{",".join(parts)}],"total":{total},"limit":{limit},"offset":{offset}}}'
    return body.encode("utf-8", "surrogatepass")


def timeline(store: Store, f: EventFilters) -> list[dict[str, Any]]:
    """Events per start day and type: ``[{"date": "2022-03-02", "counts": {"protest": 3}}]``, oldest first."""
    f = _filters(f)
    with _tx(store, "cannot build the timeline") as s:
        q = _where(_joined(select(EventRow.date_start, EventRow.type, func.count(EventRow.id))), f)
        q = q.where(EventRow.date_start.is_not(None)).group_by(EventRow.date_start, EventRow.type)
        rows = list(s.execute(q))
    days: dict[date, dict[str, int]] = {}
    for day, etype, n in rows:
        counts = days.setdefault(day, {})
        counts[etype] = counts.get(etype, 0) + int(n)
    return [{"date": d.isoformat(), "counts": dict(sorted(c.items()))} for d, c in sorted(days.items())]


def _members(session: Session, key: str) -> list[_Row]:
    q = _joined(select(EventRow.id, *_row_columns())).where(
        or_(EventRow.cluster == key, EventRow.id == key, EventReviewRow.cluster == key))
    rows = [_Row(*r[1:]) for r in session.execute(q.order_by(EventRow.doc_id, EventRow.id))]
    return [r for r in rows if r.key == key]


def _disagreements(outs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fields the sources disagree on, each distinct value with the documents that gave it."""
    def group(field: str, pairs: list[tuple[Any, str]]) -> dict[str, Any] | None:
        groups: dict[str, tuple[Any, set[str]]] = {}
        for value, doc in pairs:
            groups.setdefault(repr(value), (value, set()))[1].add(doc)
        if len(groups) < 2:
            return None
        return {"field": field, "values": [{"value": v, "docs": sorted(d)} for v, d in groups.values()]}

    found = [
        group("type", [(o["type"], o["doc_id"]) for o in outs]),
        group("intervention", [(o["intervention"], o["doc_id"]) for o in outs]),
        group("location", [((o["location"] or {}).get("name"), o["doc_id"]) for o in outs]),
    ]
    starts = [o["date"]["start"] for o in outs if o["date"]["start"]]
    ends = [o["date"]["end"] for o in outs if o["date"]["end"]]
    if starts and ends and max(starts) > min(ends):
        found.append(group("date", [(o["date"], o["doc_id"]) for o in outs]))
    found.append(group("crowd", [((o["crowd"]["low"], o["crowd"]["high"]), o["doc_id"]) for o in outs
                                 if o["crowd"] and o["crowd"]["low"] is not None]))
    for field in ("fatalities", "injuries"):
        found.append(group(field, [(o[field], o["doc_id"]) for o in outs if o[field] is not None]))
    found.append(group("modality", [(o["modality"], o["doc_id"]) for o in outs]))
    return [d for d in found if d is not None]


def get_event_out(store: Store, event_id: str) -> dict[str, Any]:
    """One event in the API shape (analyst values applied).

    Raises:
        ReviewNotFound: no such event.
    """
    event_id = _clean(event_id)
    with _tx(store, f"cannot read event {event_id!r}") as s:
        row = _current(s, event_id)
        stats = _cluster_stats(s, {row.key})
    return _event_out(row, stats.get(row.key))


def event_detail(store: Store, event_id: str) -> dict[str, Any]:
    """``{"event", "cluster": {id, status, corroboration, sources, disagreements}, "history"}``.

    Raises:
        ReviewNotFound: no such event.
    """
    event_id = _clean(event_id)
    with _tx(store, f"cannot read event {event_id!r}") as s:
        row = _current(s, event_id)
        key = row.key
        members = _members(s, key) or [row]
        history = _audit_rows(s, event_id=event_id, limit=1000, offset=0, newest_first=False)
        stats = _cluster_stats(s, {key}).get(key) or {"status": "single-source", "corroboration": 1}
    outs = [_apply_overrides(payload_record(m.payload, key), m.overrides) | {"doc_id": m.doc_id} for m in members]
    status, corroboration = stats["status"], stats["corroboration"]
    sources = [{"doc_id": m.doc_id, "event_id": o["id"], "outlet": m.outlet, "published": _iso(m.published),
                "modality": o["modality"], "evidence": [_span_out(sp) for sp in m.payload.get("evidence") or []]}
               for m, o in zip(members, outs, strict=True)]
    return {
        "event": _event_out(row, stats),
        "cluster": {"id": key, "status": status, "corroboration": corroboration, "sources": sources,
                    "disagreements": _disagreements(outs)},
        "history": history,
    }


def document_view(store: Store, doc_id: str) -> dict[str, Any]:
    """A stored article's metadata and raw text with the spans behind each of its events.

    Raises:
        ReviewNotFound: no such document.
    """
    doc_id = _clean(doc_id)
    with _tx(store, f"cannot read document {doc_id!r}") as s:
        art = s.get(ArticleRow, doc_id)
        if art is None:
            raise ReviewNotFound("document", doc_id)
        q = (select(EventRow.payload, EventRow.cluster, EventReviewRow.overrides)
             .outerjoin(EventReviewRow, EventReviewRow.event_id == EventRow.id)
             .where(EventRow.doc_id == doc_id).order_by(EventRow.position))
        events = []
        for payload, clus, overrides in s.execute(q):
            rec = _apply_overrides(payload_record(payload, clus), overrides)
            events.append({"id": rec["id"], "type": rec["type"], "trigger": rec["trigger"],
                           "evidence_spans": rec["evidence_spans"], "field_evidence": rec["field_evidence"]})
        return {"id": art.id, "title": art.title, "text": art.text, "published": _iso(art.published),
                "outlet": art.outlet, "url": art.url, "sha256": art.sha256, "events": events}


def document_events(store: Store, doc_id: str) -> list[dict[str, Any]]:
    """The events of one document in the API shape (after an ingest)."""
    doc_id = _clean(doc_id)
    with _tx(store, f"cannot read document {doc_id!r}") as s:
        ids = list(s.scalars(select(EventRow.id).where(EventRow.doc_id == doc_id).order_by(EventRow.position)))
        rows = _rows_by_id(s, ids)
        stats = _cluster_stats(s, {r.key for r in rows}) if rows else {}
    return [_event_out(r, stats.get(r.key)) for r in rows]


def doc_id_by_sha256(store: Store, sha: str) -> str | None:
    """The id of the stored article with these content digits, or None."""
    sha = _clean(sha)
    with _tx(store, "cannot look up a sha256") as s:
        return s.scalar(select(ArticleRow.id).where(ArticleRow.sha256 == sha).limit(1))


def _schema_event(row: _Row) -> Event:
    """The stored Event with the analyst's values (their machine evidence dropped)."""
    data = dict(row.payload, cluster=row.key)
    ov = row.overrides or {}
    fe = dict(data.get("field_evidence") or {})
    for key, value in ov.items():
        fe.pop(key, None)
        if key == "date":
            data["date"] = EventDate(start=value.get("start"), end=value.get("end"), rule="analyst")
        elif key == "location":
            data["location"] = Location(**value)
        elif key == "actors":
            data["actors"] = [Actor(**a) for a in value]
        elif key == "crowd":
            data["crowd"] = None if value is None else Crowd(**value)
        else:
            data[key] = value
    data["field_evidence"] = fe
    if "acled" in data and not isinstance(data["acled"], Acled):
        data["acled"] = Acled(**(data["acled"] or {}))
    return Event.model_validate(data)


def export_selection(
    store: Store, f: EventFilters, *, max_rows: int = 100_000
) -> tuple[list[Event], dict[str, Article]]:
    """The events matching ``f`` (analyst values applied) and light articles (metadata and claims, no text)."""
    f = _filters(f)
    with _tx(store, "cannot export events") as s:
        ids = list(s.scalars(_order(_where(_joined(select(EventRow.id)), f)).limit(max_rows)))
        rows = _rows_by_id(s, ids)
        doc_ids = sorted({r.doc_id for r in rows})
        arts: dict[str, Article] = {}
        for i in range(0, len(doc_ids), _CHUNK):
            chunk = doc_ids[i:i + _CHUNK]
            claims: dict[str, list[Claim]] = {}
            for doc, payload in s.execute(select(ClaimRow.doc_id, ClaimRow.payload)
                                          .where(ClaimRow.doc_id.in_(chunk)).order_by(ClaimRow.position)):
                claims.setdefault(doc, []).append(Claim.model_validate(payload))
            for a in s.scalars(select(ArticleRow).where(ArticleRow.id.in_(chunk))):
                arts[a.id] = Article(id=a.id, text="", title=a.title, published=a.published, outlet=a.outlet,
                                     url=a.url, sha256=a.sha256, claims=claims.get(a.id, []))
    try:
        events = [_schema_event(r) for r in rows]
    except (ValidationError, TypeError) as e:
        raise StoreError(f"store {store.url}: a stored event does not fit the schema: {e}") from e
    return events, arts


# --- writing: review actions ----------------------------------------------------------------------


def _review_row(session: Session, event_id: str) -> EventReviewRow:
    row = session.get(EventReviewRow, event_id)
    if row is None:
        row = EventReviewRow(event_id=event_id, status="unreviewed", overrides={}, cluster=None, updated_at=_now())
        session.add(row)
    return row


def _column_values(overrides: dict[str, Any]) -> dict[str, Any]:
    """The ``events`` column values that the analyst's fields replace."""
    values: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in ("type", "intervention", "modality", "fatalities", "injuries"):
            values[key] = value
        elif key == "date":
            values["date_start"] = date.fromisoformat(value["start"]) if value.get("start") else None
            values["date_end"] = date.fromisoformat(value["end"]) if value.get("end") else None
        elif key == "acled":
            values.update(acled_event_type=value.get("event_type"), acled_sub_event_type=value.get("sub_event_type"))
        elif key == "location":
            values.update(location_name=value.get("name"), admin1=value.get("admin1"), country=value.get("country"),
                          lat=value.get("lat"), lon=value.get("lon"), precision=value.get("precision"),
                          geonameid=None)
    for key in ("fatalities", "injuries"):
        if key in values and isinstance(values[key], int) and not -(2**63 - 1) <= values[key] <= 2**63 - 1:
            values[key] = None
    return values


def _sync(session: Session, review: EventReviewRow) -> None:
    values = _column_values(review.overrides or {})
    if review.cluster is not None:
        values["cluster"] = review.cluster
    if values:
        session.execute(update(EventRow).where(EventRow.id == review.event_id).values(**values))


def reapply_overrides(store: Store) -> int:
    """Copy every analyst value onto the ``events`` columns again; returns the number of reviews applied.

    Call it after anything rewrites events (a re-extraction, a re-clustering) so that filters see
    the analyst's values; reads apply them anyway.
    """
    with _tx(store, "cannot re-apply the analysts' changes", write=True) as s:
        reviews = list(s.scalars(select(EventReviewRow).where(
            or_(EventReviewRow.cluster.is_not(None), EventReviewRow.event_id.in_(select(EventRow.id))))))
        for r in reviews:
            _sync(s, r)
        if reviews:
            _refresh(s, None)
        return len(reviews)


def _current(session: Session, event_id: str) -> _Row:
    rows = _rows_by_id(session, [event_id])
    if not rows:
        raise ReviewNotFound("event", event_id)
    return rows[0]


def edit_event(store: Store, event_id: str, changes: dict[str, Any], reason: str, *, by: Principal | None) -> None:
    """Apply an analyst's changes (events.md shape, already validated) to one event, with an audit entry.

    Raises:
        ReviewNotFound: no such event.
        ReviewInvalid: no change, an unknown field, or no reason.
    """
    event_id = _clean(event_id)
    why = _reason(_clean(reason))
    changes = _clean(changes)
    if not changes:
        raise ReviewInvalid("no changes given", {"field": "changes"})
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ReviewInvalid(f"fields that cannot be edited: {', '.join(unknown)}", {"fields": unknown})
    with _tx(store, f"cannot edit event {event_id!r}", write=True) as s:
        cur = _current(s, event_id)
        rec = _apply_overrides(payload_record(cur.payload, cur.key), cur.overrides)
        before = {k: rec[k] for k in changes}
        after = dict(changes)
        overrides = {**(cur.overrides or {}), **changes}
        if set(changes) & ACLED_INPUTS:
            coded = _recoded(cur, overrides)
            if coded != _recoded(cur, cur.overrides or {}):  # the edit changes the coding: it follows
                overrides["acled"] = coded
                if coded != rec["acled"]:
                    before["acled"], after["acled"] = rec["acled"], coded
        review = _review_row(s, event_id)
        review.overrides = overrides
        review.updated_at = _now()
        s.flush()
        _sync(s, review)
        _refresh(s, {cur.key})
        _audit(s, by, "edit", event_id, before, after, why)


def _recoded(row: _Row, overrides: dict[str, Any]) -> dict[str, Any]:
    """The ACLED coding (``{"event_type", "sub_event_type"}``) of the event with the analyst's values.

    Raises:
        ReviewInvalid: the changed event does not fit the schema (so it cannot be coded).
    """
    try:
        event = _schema_event(dataclasses.replace(row, overrides=overrides))
    except (ValidationError, TypeError) as e:
        raise ReviewInvalid(f"the edited event does not fit the schema: {e}", {"field": "changes"}) from e
    coded = event_acled(event)
    return {"event_type": coded.event_type, "sub_event_type": coded.sub_event_type}


def review_event(store: Store, event_id: str, status: str, reason: str | None, *, by: Principal | None) -> None:
    """Mark an event verified or rejected (or back to unreviewed), with an audit entry.

    Raises:
        ReviewNotFound: no such event.
        ReviewInvalid: an unknown status.
    """
    event_id = _clean(event_id)
    if status not in REVIEW_STATUSES:
        raise ReviewInvalid(f"unknown review status {status!r}; valid: {', '.join(REVIEW_STATUSES)}",
                            {"field": "status"})
    with _tx(store, f"cannot review event {event_id!r}", write=True) as s:
        _current(s, event_id)
        review = _review_row(s, event_id)
        before = review.status or "unreviewed"
        review.status = status
        review.updated_at = _now()
        _audit(s, by, "review", event_id, {"review": before}, {"review": status},
               _clean((reason or "").strip()) or None)


def _move(session: Session, row: _Row, event_id: str, cluster: str, action: str, reason: str,
          by: Principal | None) -> None:
    before = row.key
    review = _review_row(session, event_id)
    review.cluster = cluster
    review.updated_at = _now()
    session.flush()
    _sync(session, review)
    _refresh(session, {before, cluster} | keys_of(session.connection(), [event_id]))
    _audit(session, by, action, event_id, {"cluster": before}, {"cluster": cluster}, reason)


def merge_events(store: Store, ids: Sequence[str], reason: str, *, by: Principal | None) -> str:
    """Put the events in one cluster (the first event's); returns the cluster id.

    Raises:
        ReviewNotFound: an unknown event id (nothing is changed).
        ReviewInvalid: fewer than two distinct ids, or no reason.
    """
    why = _reason(_clean(reason))
    unique = list(dict.fromkeys(_clean(list(ids))))
    if len(unique) < 2:
        raise ReviewInvalid("merge needs at least two distinct event ids", {"field": "ids"})
    with _tx(store, "cannot merge events", write=True) as s:
        rows = _rows_by_id(s, unique)
        found = {str(r.payload.get("id")) for r in rows}
        missing = [i for i in unique if i not in found]
        if missing:
            raise ReviewNotFound("event", missing[0])
        by_id = {str(r.payload.get("id")): r for r in rows}
        target = by_id[unique[0]].key
        for eid in unique:
            if by_id[eid].key != target or by_id[eid].cluster != target:
                _move(s, by_id[eid], eid, target, "merge", why, by)
        return target


def split_event(store: Store, event_id: str, reason: str, *, by: Principal | None) -> str:
    """Move an event to a new cluster of its own; returns the new cluster id.

    Raises:
        ReviewNotFound: no such event.
        ReviewInvalid: no reason.
    """
    event_id = _clean(event_id)
    why = _reason(_clean(reason))
    with _tx(store, f"cannot split event {event_id!r}", write=True) as s:
        row = _current(s, event_id)
        cluster = f"split-{uuid.uuid4().hex[:16]}"
        _move(s, row, event_id, cluster, "split", why, by)
        return cluster


# --- the audit log ------------------------------------------------------------------------------------


def _audit_rows(session: Session, *, event_id: str | None, limit: int, offset: int,
                newest_first: bool) -> list[dict[str, Any]]:
    q = select(AuditRow)
    if event_id is not None:
        q = q.where(AuditRow.event_id == event_id)
    q = q.order_by(AuditRow.id.desc() if newest_first else AuditRow.id).limit(max(0, limit)).offset(max(0, offset))
    return [{"id": r.id, "at": _iso_moment(r.at), "token_id": r.token_id, "role": r.role, "action": r.action,
             "event_id": r.event_id, "before": r.before, "after": r.after, "reason": r.reason}
            for r in session.scalars(q)]


def list_audit(store: Store, *, event_id: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    """Audit entries, newest first (optionally those of one event)."""
    event_id = _clean(event_id)
    with _tx(store, "cannot read the audit log") as s:
        return _audit_rows(s, event_id=event_id, limit=limit, offset=offset, newest_first=True)


__all__ = [
    "CLUSTER_STATUSES", "EDITABLE_FIELDS", "REVIEW_STATUSES", "ROLES", "EventFilters", "Principal", "ReviewInvalid",
    "ReviewNotFound", "authenticate", "cluster_status", "create_token", "doc_id_by_sha256", "document_events",
    "document_view", "edit_event", "event_detail", "export_selection", "get_event_out", "hash_secret", "list_audit",
    "list_tokens", "merge_events", "payload_record", "reapply_overrides", "review_event", "revoke_token",
    "search_events", "search_events_json", "split_event", "timeline",
]
