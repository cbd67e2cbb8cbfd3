"""Review tables: API tokens (hashed), the append-only audit log, the analysts' event overrides.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create tokens, audit_log and event_reviews, and a covering index for event filters."""
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("secret_sha256", name="uq_tokens_secret_sha256"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(), nullable=True),
        sa.Column("before", JSONType, nullable=True),
        sa.Column("after", JSONType, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_log_event", "audit_log", ["event_id", "id"])
    op.create_table(
        "event_reviews",
        sa.Column("event_id", sa.String(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("overrides", JSONType, nullable=False),
        sa.Column("cluster", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_event_reviews_cluster", "event_reviews", ["cluster"])
    op.create_index("ix_events_filter", "events", ["type", "date_start", "date_end", "modality", "country", "admin1",
                                                   "location_name", "lat", "lon"])


def downgrade() -> None:
    """Drop the review tables and the filter index."""
    op.drop_index("ix_events_filter", table_name="events")
    op.drop_table("event_reviews")
    op.drop_table("audit_log")
    op.drop_table("tokens")
