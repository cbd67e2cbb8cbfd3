"""store: the SQLAlchemy/Alembic-backed database of articles, events and claims.

``open_store(url_or_path)`` opens (and migrates) a SQLite file or a PostgreSQL URL and
returns a :class:`Store` with ``add_article``, ``has_sha256``, ``query_events``,
``get_article``, ``iter_articles``, ``count_articles``, ``set_cluster`` and ``close``.
"""

from vigil.store.repository import Store, open_store

__all__ = ["Store", "open_store"]
