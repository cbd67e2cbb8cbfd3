"""Initial tables: articles, events, claims.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "articles",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("outlet", sa.String(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lang", sa.String(), nullable=True),
        sa.Column("extractor_version", sa.String(), nullable=True),
        sa.Column("ruleset_version", sa.String(), nullable=True),
        sa.Column("payload", JSONType, nullable=False),
        sa.UniqueConstraint("sha256", name="uq_articles_sha256"),
    )
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_table(
        "events",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("doc_id", sa.String(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("intervention", sa.String(32), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("location_name", sa.Text(), nullable=True),
        sa.Column("admin1", sa.Text(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("precision", sa.String(16), nullable=True),
        sa.Column("geonameid", sa.BigInteger(), nullable=True),
        sa.Column("modality", sa.String(16), nullable=False),
        sa.Column("acled_event_type", sa.String(), nullable=True),
        sa.Column("acled_sub_event_type", sa.String(), nullable=True),
        sa.Column("fatalities", sa.BigInteger(), nullable=True),
        sa.Column("injuries", sa.BigInteger(), nullable=True),
        sa.Column("cluster", sa.String(), nullable=True),
        sa.Column("salience", sa.Float(), nullable=True),
        sa.Column("payload", JSONType, nullable=False),
    )
    op.create_index("ix_events_type", "events", ["type"])
    op.create_index("ix_events_dates", "events", ["date_start", "date_end"])
    op.create_index("ix_events_cluster", "events", ["cluster"])
    op.create_index("ix_events_country", "events", ["country"])
    op.create_index("ix_events_doc_position", "events", ["doc_id", "position"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.String(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("payload", JSONType, nullable=False),
    )
    op.create_index("ix_claims_doc_position", "claims", ["doc_id", "position"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("claims")
    op.drop_table("events")
    op.drop_table("articles")
