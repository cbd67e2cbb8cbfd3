"""API speed: each event's API record stored as JSON text, and indexes for listing and counting events.

``events.record`` is ``vigil.store.records.record_json(payload)``: the list route copies it instead of
decoding the payload (NULL means "build it from the payload"). Existing rows are filled here.
``ix_events_order`` serves the list order (newest first, then id) with the bounding box columns;
``ix_events_admin1`` serves the case-insensitive region filter.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BATCH = 500


def upgrade() -> None:
    """Add ``events.record`` (filled for stored events) and the list/count indexes."""
    from vigil.store.records import record_json

    op.add_column("events", sa.Column("record", sa.Text(), nullable=True))
    conn = op.get_bind()
    # PostgreSQL reads an ascending index backwards as DESC NULLS FIRST: name the list order exactly
    # (SQLite sorts NULL lowest, so its backward scan already is DESC NULLS LAST)
    first = sa.text("date_start DESC NULLS LAST") if conn.dialect.name == "postgresql" else "date_start"
    op.create_index("ix_events_order", "events", [first, "id", "lat", "lon"])
    op.create_index("ix_events_admin1", "events", [sa.text("lower(admin1)"), "modality", "date_start"])
    events = sa.table("events", sa.column("id", sa.String()), sa.column("payload", JSONType),
                      sa.column("record", sa.Text()))
    last = ""
    while True:
        rows = conn.execute(sa.select(events.c.id, events.c.payload).where(events.c.id > last)
                            .order_by(events.c.id).limit(_BATCH)).all()
        if not rows:
            break
        values = [{"eid": event_id, "rec": record_json(payload)} for event_id, payload in rows
                  if isinstance(payload, dict)]
        if values:
            conn.execute(events.update().where(events.c.id == sa.bindparam("eid")).values(record=sa.bindparam("rec")),
                         values)
        last = rows[-1][0]


def downgrade() -> None:
    """Drop the indexes and ``events.record``."""
    op.drop_index("ix_events_admin1", table_name="events")
    op.drop_index("ix_events_order", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("record")
