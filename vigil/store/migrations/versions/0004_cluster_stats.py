"""Cluster status and corroboration as event columns; stored MinHash signatures for near-duplicates.

``events.status`` / ``events.corroboration`` (with indexes in list order) let the API filter, page and
count by them in SQL; ``vigil.store.stats`` keeps them current. ``articles.minhash`` (hex signature),
``articles.duplicate_of`` (the original a near-duplicate copies) and ``article_bands`` (LSH band
keys) let a later ingest recognise copies of stored documents without reading their texts.

Existing rows are filled here: every stored text is read once for its signature, copies are found
among all stored documents (the earliest of a group is the original) and every cluster's status
and corroboration are computed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 500


def _fill_signatures(conn: sa.Connection) -> None:
    from vigil.fuse import band_keys, near_duplicates, signature
    from vigil.schema import Article
    from vigil.store.repository import encode_signature

    articles = sa.table("articles", sa.column("id", sa.String()), sa.column("text", sa.Text()),
                        sa.column("published", sa.Date()), sa.column("minhash", sa.Text()),
                        sa.column("duplicate_of", sa.String()))
    bands = sa.table("article_bands", sa.column("key", sa.String()), sa.column("doc_id", sa.String()))
    sigs: dict[str, tuple[int, ...]] = {}
    docs: list[Article] = []
    last = ""
    while True:
        rows = conn.execute(sa.select(articles.c.id, articles.c.text, articles.c.published)
                            .where(articles.c.id > last).order_by(articles.c.id).limit(_BATCH)).all()
        if not rows:
            break
        for doc_id, text, published in rows:
            sigs[doc_id] = signature(text or "")
            docs.append(Article(id=doc_id, text="", published=published))
        last = rows[-1][0]
    copies = near_duplicates(docs, signatures=sigs)
    values = [{"did": d, "mh": encode_signature(s), "dup": copies.get(d)} for d, s in sigs.items()]
    keys = [{"key": k, "doc_id": d} for d, s in sigs.items() for k in dict.fromkeys(band_keys(s))]
    upd = (articles.update().where(articles.c.id == sa.bindparam("did"))
           .values(minhash=sa.bindparam("mh"), duplicate_of=sa.bindparam("dup")))
    for i in range(0, len(values), _BATCH):
        conn.execute(upd, values[i:i + _BATCH])
    for i in range(0, len(keys), _BATCH):
        conn.execute(bands.insert(), keys[i:i + _BATCH])


def upgrade() -> None:
    """Add the columns, the band table and the indexes; fill them for stored rows."""
    op.add_column("articles", sa.Column("minhash", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("duplicate_of", sa.String(), nullable=True))
    op.create_table(
        "article_bands",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("doc_id", sa.String(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    )
    op.add_column("events", sa.Column("status", sa.String(16), nullable=True))
    op.add_column("events", sa.Column("corroboration", sa.Integer(), nullable=True))
    op.create_index("ix_events_status", "events", ["status", "date_start", "id"])
    op.create_index("ix_events_corroboration", "events", ["corroboration", "date_start", "id"])
    conn = op.get_bind()
    _fill_signatures(conn)
    from vigil.store.stats import refresh_stats

    refresh_stats(conn, None)


def downgrade() -> None:
    """Drop the indexes, columns and the band table."""
    op.drop_index("ix_events_corroboration", table_name="events")
    op.drop_index("ix_events_status", table_name="events")
    # plain DROP COLUMN (SQLite >= 3.35; unindexed columns): a batch copy of events would lose the
    # expression index ix_events_admin1
    op.drop_column("events", "corroboration")
    op.drop_column("events", "status")
    op.drop_table("article_bands")
    # plain DROP COLUMN too: a batch copy of articles would cascade-delete every event and claim
    op.drop_column("articles", "duplicate_of")
    op.drop_column("articles", "minhash")
