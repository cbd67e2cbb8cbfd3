"""SQLAlchemy 2 models of the store: articles, their events and their claims.

Columns hold what is queried (type, dates, place, cluster, ...); the ``payload``
JSON of an event or claim is its full ``model_dump(mode="json")`` so nothing is
lost, and the article payload keeps its timexes, places, entities, sentence
boundaries and notes. The migrations in ``migrations/versions`` create exactly
these tables (a test compares them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class ArticleRow(Base):
    """One stored article (document metadata, text and the document-level annotations)."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("sha256", name="uq_articles_sha256"),)

    id: Mapped[str] = mapped_column(String, primary_key=True)
    sha256: Mapped[str] = mapped_column(String, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    outlet: Mapped[str | None] = mapped_column(String)
    url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lang: Mapped[str | None] = mapped_column(String)
    extractor_version: Mapped[str | None] = mapped_column(String)
    ruleset_version: Mapped[str | None] = mapped_column(String)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    # migration 0004: the MinHash signature (vigil.fuse.signature, hex) and the original this text copies
    minhash: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[str | None] = mapped_column(String)


class ArticleBandRow(Base):
    """An LSH band key of a stored article's MinHash (migration 0004): new texts find stored copies by key."""

    __tablename__ = "article_bands"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)


class EventRow(Base):
    """One extracted event; ``payload`` is the full Event, the ``cluster`` column is authoritative."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_type", "type"),
        Index("ix_events_dates", "date_start", "date_end"),
        Index("ix_events_cluster", "cluster"),
        Index("ix_events_country", "country"),
        Index("ix_events_doc_position", "doc_id", "position"),
        # migration 0002: a covering index for the API's filters and counts (no payload reads)
        Index("ix_events_filter", "type", "date_start", "date_end", "modality", "country", "admin1",
              "location_name", "lat", "lon"),
        # migration 0003: the list order (newest first, then id) with the bbox columns; the region filter
        Index("ix_events_order", "date_start", "id", "lat", "lon"),
        Index("ix_events_admin1", func.lower(text("admin1")), "modality", "date_start"),
        # migration 0004: the status and corroboration filters, in list order
        Index("ix_events_status", "status", "date_start", "id"),
        Index("ix_events_corroboration", "corroboration", "date_start", "id"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    intervention: Mapped[str | None] = mapped_column(String(32))
    date_start: Mapped[date | None] = mapped_column(Date)
    date_end: Mapped[date | None] = mapped_column(Date)
    location_name: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str | None] = mapped_column(String)
    geonameid: Mapped[int | None] = mapped_column(BigInteger)
    modality: Mapped[str] = mapped_column(String(16), nullable=False)
    acled_event_type: Mapped[str | None] = mapped_column(String)
    acled_sub_event_type: Mapped[str | None] = mapped_column(String)
    fatalities: Mapped[int | None] = mapped_column(BigInteger)
    injuries: Mapped[int | None] = mapped_column(BigInteger)
    cluster: Mapped[str | None] = mapped_column(String)
    salience: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    # migration 0003: vigil.store.records.record_json(payload), copied by the list route; NULL = build it
    record: Mapped[str | None] = mapped_column(Text)
    # migration 0004: the cluster's status and independent outlets (vigil.store.stats keeps them current)
    status: Mapped[str | None] = mapped_column(String(16))
    corroboration: Mapped[int | None] = mapped_column(Integer)


class ClaimRow(Base):
    """One claim of an article; ``payload`` is the full Claim."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_doc_position", "doc_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    value: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)


# --- review (migration 0002): API tokens, the audit log and the analysts' overrides -------------


class TokenRow(Base):
    """An API token: only the SHA-256 of its secret is stored."""

    __tablename__ = "tokens"
    __table_args__ = (UniqueConstraint("secret_sha256", name="uq_tokens_secret_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class AuditRow(Base):
    """One entry of the append-only audit log: who did what to which event, before, after and why."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_event", "event_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    token_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    event_id: Mapped[str | None] = mapped_column(String)
    before: Mapped[Any] = mapped_column(JSONType, nullable=True)
    after: Mapped[Any] = mapped_column(JSONType, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)


class EventReviewRow(Base):
    """An analyst's current view of one event, applied on read over the machine's values.

    No foreign key to ``events``: re-extracting a document must never drop the analyst's work.
    ``overrides`` holds every changed field in the events.md shape; ``cluster`` is the analyst's
    cluster (merge/split). ``vigil.store.review`` copies them onto the ``events`` columns (so filters
    stay indexed) and over the payload on every read.
    """

    __tablename__ = "event_reviews"
    __table_args__ = (Index("ix_event_reviews_cluster", "cluster"),)

    event_id: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="unreviewed")
    overrides: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    cluster: Mapped[str | None] = mapped_column(String)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
