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
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
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


class EventRow(Base):
    """One extracted event; ``payload`` is the full Event, the ``cluster`` column is authoritative."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_type", "type"),
        Index("ix_events_dates", "date_start", "date_end"),
        Index("ix_events_cluster", "cluster"),
        Index("ix_events_country", "country"),
        Index("ix_events_doc_position", "doc_id", "position"),
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
