"""The repository: the only place that speaks SQL. ``open_store`` migrates and returns a ``Store``.

A bare path (``vigil.db``) is a SQLite file; ``sqlite:///...`` and
``postgresql://...`` (mapped to the psycopg 3 driver) are SQLAlchemy URLs.
Opening a store runs the packaged Alembic migrations up to ``head``, so a fresh
file and an already migrated one both work. Each article is written in one
transaction with its events and claims: all or nothing.

Strings are stored as given except lone surrogates and NUL characters, which
become U+FFFD (same length, so offsets stay valid; neither UTF-8 nor PostgreSQL
accepts them). Non-finite floats become ``None``. Sentences keep their
boundaries but not their tokens (they come back with ``parsed=False``). An
article without ``sha256`` is stored under the SHA-256 of its UTF-8 text.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, event, func, or_, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from vigil import __version__
from vigil.errors import StoreError
from vigil.ruleset import ruleset_hash
from vigil.schema import Article, Claim, Event
from vigil.store.models import ArticleBandRow, ArticleRow, ClaimRow, EventRow
from vigil.store.records import record_json
from vigil.store.stats import keys_of, refresh_stats

log = logging.getLogger(__name__)

_BAD_CHARS = re.compile("[\ud800-\udfff\x00]")
_INT64 = 2**63 - 1
_PG_ADVISORY_KEY = 7_405_170_001  # serializes concurrent migrations on one PostgreSQL database


def _clean(value: Any) -> Any:
    """A JSON-ready value that every backend accepts (see the module docstring)."""
    if isinstance(value, str):
        return _BAD_CHARS.sub("\ufffd", value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _int64(value: Any) -> int | None:
    """An integer column value; ``None`` when it does not fit in 64 bits (the payload keeps it)."""
    if isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value <= _INT64:
        return value
    return None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _one_line(e: BaseException) -> str:
    orig = getattr(e, "orig", None)
    text = str(orig if orig is not None else e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _printable(value: str, limit: int = 200) -> str:
    """``value`` for a one-line message: control and unpaired characters escaped, long values cut."""
    if not value.isprintable() or _BAD_CHARS.search(value):
        value = ascii(value)[1:-1]
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def _parse_url(url_or_path: str) -> tuple[URL, str]:
    """The SQLAlchemy URL for a path or URL, and the string to show in messages (no password)."""
    raw = (url_or_path or "").strip()
    if not raw:
        raise StoreError("no store given: pass a SQLite file path or a database URL")
    if "://" not in raw:
        if raw == ":memory:":
            return make_url("sqlite://"), raw
        return URL.create("sqlite", database=raw), _printable(raw)
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as e:
        shown = _printable(re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", raw))
        raise StoreError(f"cannot open store {shown}: not a database URL ({_one_line(e)})") from e
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url, _printable(url.render_as_string(hide_password=True))


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        memory = url.database in (None, "", ":memory:")
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=StaticPool if memory else None,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves: DDL and DML are transactional
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # reads: a 32 MB page cache per connection (the default 2 MB re-reads pages on every API page)
            # and memory-mapped I/O (pages shared through the OS cache, no read() per page)
            cur.execute("PRAGMA cache_size=-32768")
            cur.execute("PRAGMA mmap_size=268435456")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql(conn.info.pop("vigil_begin", "BEGIN"))

        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = 10
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def _alembic_config() -> Config:
    folder = Path(str(resources.files("vigil.store")))
    cfg = Config(str(folder / "alembic.ini"))
    cfg.set_main_option("script_location", str(folder / "migrations").replace("%", "%%"))
    return cfg


def _migrate(engine: Engine) -> None:
    """Run ``alembic upgrade head`` in one transaction (holding a write lock while it runs)."""
    cfg = _alembic_config()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.info["vigil_begin"] = "BEGIN IMMEDIATE"
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_ADVISORY_KEY})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


def open_store(url_or_path: str) -> Store:
    """Open (creating and migrating when needed) the store at a SQLite path or a database URL.

    Raises:
        StoreError: the path or URL cannot be opened or migrated (a folder, a file that is
            not a database, an unreachable server); the message names it without its password.

    >>> with open_store(":memory:") as store:
    ...     store.count_articles()
    0
    """
    url, shown = _parse_url(url_or_path)
    failures = (SQLAlchemyError, CommandError, OSError, ValueError, ImportError)
    try:
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            target = Path(url.database)
            if target.is_dir():
                raise StoreError(f"cannot open store {shown}: it is a folder; give a SQLite file path")
            if not target.parent.is_dir():
                raise StoreError(f"cannot open store {shown}: folder {_printable(str(target.parent))!r} "
                                 "does not exist")
        engine = _make_engine(url)
    except failures as e:
        raise StoreError(f"cannot open store {shown}: {_printable(_one_line(e))}") from e
    try:
        _migrate(engine)
    except failures as e:
        engine.dispose()
        raise StoreError(f"cannot open store {shown}: {_printable(_one_line(e))}") from e
    log.debug("opened store %s", shown)
    return Store(engine, shown)


def encode_signature(sig: Sequence[int]) -> str:
    """A MinHash signature (32-bit values) as the hex text ``articles.minhash`` holds (8 digits a value).

    >>> encode_signature([1, 255])
    '00000001000000ff'
    """
    return "".join(f"{int(v) & 0xFFFFFFFF:08x}" for v in sig)


def decode_signature(text: str | None) -> tuple[int, ...]:
    """The signature of ``encode_signature`` text; empty for None or text that is not 8-digit hex groups."""
    if not text or len(text) % 8:
        return ()
    try:
        return tuple(int(text[i:i + 8], 16) for i in range(0, len(text), 8))
    except ValueError:
        return ()


def _article_row(doc: dict[str, Any], sha: str, ruleset: str | None) -> ArticleRow:
    payload = {k: v for k, v in doc.items() if k not in ("events", "claims", "text", "sha256")}
    payload["sentences"] = [dict(s, tokens=[], parsed=False) for s in doc.get("sentences") or []]
    return ArticleRow(
        id=doc["id"],
        sha256=sha,
        text=doc["text"],
        title=doc.get("title"),
        published=_day(doc.get("published")),
        outlet=doc.get("outlet"),
        url=doc.get("url"),
        source=doc.get("source"),
        ingested_at=_moment(doc.get("ingested_at")),
        lang=doc.get("lang"),
        extractor_version=__version__,
        ruleset_version=ruleset,
        payload=payload,
    )


def _event_row(doc_id: str, position: int, ev: dict[str, Any]) -> EventRow:
    loc = ev.get("location") or {}
    dates = ev.get("date") or {}
    acled = ev.get("acled") or {}
    return EventRow(
        id=ev["id"],
        doc_id=doc_id,
        position=position,
        type=ev["type"],
        intervention=ev.get("intervention"),
        date_start=_day(dates.get("start")),
        date_end=_day(dates.get("end")),
        location_name=loc.get("name"),
        admin1=loc.get("admin1"),
        country=loc.get("country"),
        lat=loc.get("lat"),
        lon=loc.get("lon"),
        precision=loc.get("precision"),
        geonameid=_int64(loc.get("geonameid")),
        modality=ev.get("modality") or "asserted",
        acled_event_type=acled.get("event_type"),
        acled_sub_event_type=acled.get("sub_event_type"),
        fatalities=_int64(ev.get("fatalities")),
        injuries=_int64(ev.get("injuries")),
        cluster=ev.get("cluster"),
        salience=ev.get("salience"),
        payload=ev,
        record=record_json(ev),
    )


def _claim_row(doc_id: str, position: int, claim: dict[str, Any]) -> ClaimRow:
    return ClaimRow(
        doc_id=doc_id,
        position=position,
        kind=claim["kind"],
        value=_int64(claim.get("value")),
        payload=claim,
    )


class Store:
    """A vigil database: articles with their events and claims. Use :func:`open_store` to get one."""

    def __init__(self, engine: Engine, shown: str) -> None:
        self._engine = engine
        self.url = shown
        try:
            self._ruleset: str | None = ruleset_hash()
        except OSError:
            self._ruleset = None

    # --- plumbing -------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def close(self) -> None:
        """Release the database connections (the store cannot be used afterwards)."""
        self._engine.dispose()

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """A session inside one transaction: committed at the end, rolled back on any error."""
        with self._engine.connect() as conn:
            if write and self._engine.dialect.name == "sqlite":
                conn.info["vigil_begin"] = "BEGIN IMMEDIATE"
            with conn.begin(), Session(bind=conn, autoflush=False, expire_on_commit=False) as session:
                yield session
                session.flush()

    def _fail(self, what: str, e: BaseException) -> StoreError:
        return StoreError(f"store {self.url}: {what}: {_one_line(e)}")

    # --- writing --------------------------------------------------------------------------

    def add_article(self, article: Article, *, signature: Sequence[int] | None = None, bands: Sequence[str] = (),
                    duplicate_of: str | None = None) -> bool:
        """Store an article with its events and claims in one transaction.

        Also writes the status and corroboration of the clusters its events are in (``vigil.store.stats``).

        Args:
            signature: the text's MinHash signature (``vigil.fuse.signature``), kept for later near-duplicate checks.
            bands: its LSH band keys (``vigil.fuse.band_keys``), by which later texts find it.
            duplicate_of: the stored or earlier document this text is a near-duplicate copy of.

        Returns False (and stores nothing) when its id or sha256 is already stored.

        Raises:
            StoreError: the write failed; nothing of the article was kept.
        """
        doc = _clean(article.model_dump(mode="json"))
        for ev in doc.get("events") or []:
            if ev.get("salience") is None:
                ev["salience"] = 0.0  # a non-finite salience cannot be stored; it ranks last
        sha = doc.get("sha256") or hashlib.sha256(doc["text"].encode("utf-8")).hexdigest()
        try:
            with self._session(write=True) as session:
                if self._exists(session, doc["id"], sha):
                    return False
                row = _article_row(doc, sha, self._ruleset)
                row.minhash = encode_signature(signature) if signature else None
                row.duplicate_of = _clean(duplicate_of) if duplicate_of != doc["id"] else None
                session.add(row)
                session.flush()
                session.add_all(ArticleBandRow(key=k, doc_id=doc["id"]) for k in dict.fromkeys(bands))
                events = doc.get("events") or []
                for pos, ev in enumerate(events):
                    session.add(_event_row(doc["id"], pos, ev))
                session.flush()
                for pos, claim in enumerate(doc.get("claims") or []):
                    session.add(_claim_row(doc["id"], pos, claim))
                if events:
                    conn = session.connection()
                    refresh_stats(conn, keys_of(conn, [ev["id"] for ev in events]))
        except IntegrityError as e:
            if self._exists_now(doc["id"], sha):
                return False  # a concurrent writer stored the same document first
            raise self._fail(f"cannot store article {article.id!r} (nothing was written)", e) from e
        except Exception as e:  # noqa: BLE001 - any failure: the transaction was rolled back, say so
            raise self._fail(f"cannot store article {article.id!r} (nothing was written)", e) from e
        return True

    @staticmethod
    def _exists(session: Session, doc_id: str, sha: str) -> bool:
        q = select(ArticleRow.id).where(or_(ArticleRow.id == doc_id, ArticleRow.sha256 == sha)).limit(1)
        return session.scalar(q) is not None

    def _exists_now(self, doc_id: str, sha: str) -> bool:
        try:
            with self._session() as session:
                return self._exists(session, doc_id, sha)
        except SQLAlchemyError:
            return False

    def set_cluster(self, event_id: str, cluster: str | None) -> bool:
        """Set the cluster of a stored event (after a later fusion); returns False when there is no such event."""
        try:
            with self._session(write=True) as session:
                conn = session.connection()
                before = keys_of(conn, [event_id])
                result = session.execute(update(EventRow).where(EventRow.id == event_id).values(cluster=cluster))
                if result.rowcount:
                    refresh_stats(conn, before | keys_of(conn, [event_id]))
                return bool(result.rowcount)
        except SQLAlchemyError as e:
            raise self._fail(f"cannot set the cluster of event {event_id!r}", e) from e

    # --- reading --------------------------------------------------------------------------

    def has_sha256(self, sha: str) -> bool:
        """True when an article with these raw-content SHA-256 digits is stored."""
        try:
            with self._session() as session:
                return session.scalar(select(ArticleRow.id).where(ArticleRow.sha256 == sha).limit(1)) is not None
        except SQLAlchemyError as e:
            raise self._fail("cannot look up a sha256", e) from e

    def count_articles(self) -> int:
        """The number of stored articles."""
        try:
            with self._session() as session:
                return int(session.scalar(select(func.count()).select_from(ArticleRow)) or 0)
        except SQLAlchemyError as e:
            raise self._fail("cannot count articles", e) from e

    def count_events(self) -> int:
        """The number of stored events."""
        try:
            with self._session() as session:
                return int(session.scalar(select(func.count()).select_from(EventRow)) or 0)
        except SQLAlchemyError as e:
            raise self._fail("cannot count events", e) from e

    def query_events(
        self,
        *,
        type: str | None = None,
        since: date | None = None,
        until: date | None = None,
        country: str | None = None,
        cluster: str | None = None,
        doc_id: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Stored events matching every given filter, ordered by start date, document and position.

        ``since``: events ending on or after that day; ``until``: starting on or before it (an
        event with one unknown end uses the other; undated events never match a date filter).
        ``country`` compares ISO codes case-insensitively. The ``cluster`` column is authoritative.
        """
        if limit is not None and limit <= 0:
            return []
        q = select(EventRow.payload, EventRow.cluster, EventRow.id)
        if type is not None:
            q = q.where(EventRow.type == type)
        if since is not None:
            q = q.where(func.coalesce(EventRow.date_end, EventRow.date_start) >= since)
        if until is not None:
            q = q.where(func.coalesce(EventRow.date_start, EventRow.date_end) <= until)
        if country is not None:
            q = q.where(func.upper(EventRow.country) == country.strip().upper())
        if cluster is not None:
            q = q.where(EventRow.cluster == cluster)
        if doc_id is not None:
            q = q.where(EventRow.doc_id == doc_id)
        q = q.order_by(EventRow.date_start.is_(None), EventRow.date_start, EventRow.doc_id, EventRow.position)
        if limit is not None:
            q = q.limit(limit)
        try:
            with self._session() as session:
                rows = session.execute(q).all()
        except SQLAlchemyError as e:
            raise self._fail("cannot query events", e) from e
        return [self._event(payload, clus, eid) for payload, clus, eid in rows]

    def get_event(self, event_id: str) -> Event | None:
        """One stored event by id (with its current cluster), or None."""
        try:
            with self._session() as session:
                row = session.execute(
                    select(EventRow.payload, EventRow.cluster, EventRow.id).where(EventRow.id == event_id)
                ).first()
        except SQLAlchemyError as e:
            raise self._fail(f"cannot read event {event_id!r}", e) from e
        return None if row is None else self._event(*row)

    def _event(self, payload: dict[str, Any], cluster: str | None, event_id: str) -> Event:
        try:
            return Event.model_validate({**payload, "cluster": cluster})
        except ValidationError as e:
            raise StoreError(f"store {self.url}: stored event {event_id!r} does not fit the schema: "
                             f"{e.errors()[0]['msg']}") from e

    def get_article(self, doc_id: str) -> Article | None:
        """The stored article with its events and claims (in their original order), or None."""
        try:
            with self._session() as session:
                row = session.get(ArticleRow, doc_id)
                if row is None:
                    return None
                events = session.execute(
                    select(EventRow.payload, EventRow.cluster, EventRow.id)
                    .where(EventRow.doc_id == doc_id)
                    .order_by(EventRow.position)
                ).all()
                claims = session.scalars(
                    select(ClaimRow.payload).where(ClaimRow.doc_id == doc_id).order_by(ClaimRow.position)
                ).all()
                data = {**row.payload, "id": row.id, "text": row.text, "sha256": row.sha256}
        except SQLAlchemyError as e:
            raise self._fail(f"cannot read article {doc_id!r}", e) from e
        try:
            article = Article.model_validate(data)
            parsed_claims = [Claim.model_validate(c) for c in claims]
        except ValidationError as e:
            raise StoreError(f"store {self.url}: stored article {doc_id!r} does not fit the schema: "
                             f"{e.errors()[0]['msg']}") from e
        return article.model_copy(
            update={"events": [self._event(p, c, i) for p, c, i in events], "claims": parsed_claims}
        )

    def get_sources(self, doc_ids: Iterable[str]) -> dict[str, Article]:
        """The stored articles of ``doc_ids`` with text and metadata only (no events, claims or sentences).

        Read in one query; fusion uses them to name outlets and find copies. Unknown ids are left out.
        """
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        cols = (ArticleRow.id, ArticleRow.text, ArticleRow.title, ArticleRow.published, ArticleRow.outlet,
                ArticleRow.url, ArticleRow.sha256, ArticleRow.source, ArticleRow.ingested_at, ArticleRow.lang)
        try:
            with self._session() as session:
                rows = session.execute(select(*cols).where(ArticleRow.id.in_(ids))).all()
        except SQLAlchemyError as e:
            raise self._fail("cannot read source articles", e) from e
        return {r.id: Article(id=r.id, text=r.text, title=r.title, published=r.published, outlet=r.outlet,
                              url=r.url, sha256=r.sha256, source=r.source, ingested_at=r.ingested_at, lang=r.lang)
                for r in rows}

    def similar_documents(self, keys: Iterable[str]) -> dict[str, tuple[tuple[int, ...], str | None, date | None]]:
        """Stored documents sharing an LSH band key with ``keys``: id -> (signature, duplicate_of, published).

        Documents stored without a signature are left out.
        """
        wanted = sorted(set(keys))
        out: dict[str, tuple[tuple[int, ...], str | None, date | None]] = {}
        cols = (ArticleRow.id, ArticleRow.minhash, ArticleRow.duplicate_of, ArticleRow.published)
        try:
            with self._session() as session:
                for i in range(0, len(wanted), 500):
                    ids = select(ArticleBandRow.doc_id).where(ArticleBandRow.key.in_(wanted[i:i + 500]))
                    for doc_id, minhash, original, published in session.execute(
                            select(*cols).where(ArticleRow.id.in_(ids))):
                        sig = decode_signature(minhash)
                        if sig:
                            out[doc_id] = (sig, original, published)
        except SQLAlchemyError as e:
            raise self._fail("cannot look up near-duplicate candidates", e) from e
        return out

    def duplicates_of(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Copy doc id -> the original it copies, for the given stored documents that are copies."""
        ids = sorted(set(doc_ids))
        out: dict[str, str] = {}
        try:
            with self._session() as session:
                for i in range(0, len(ids), 500):
                    q = select(ArticleRow.id, ArticleRow.duplicate_of).where(
                        ArticleRow.id.in_(ids[i:i + 500]), ArticleRow.duplicate_of.is_not(None))
                    out.update({d: o for d, o in session.execute(q)})
        except SQLAlchemyError as e:
            raise self._fail("cannot read near-duplicate copies", e) from e
        return out

    def iter_articles(self) -> Iterator[Article]:
        """Every stored article (with events and claims), ordered by id."""
        try:
            with self._session() as session:
                ids = list(session.scalars(select(ArticleRow.id).order_by(ArticleRow.id)))
        except SQLAlchemyError as e:
            raise self._fail("cannot list articles", e) from e
        for doc_id in ids:
            article = self.get_article(doc_id)
            if article is not None:
                yield article
