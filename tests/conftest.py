"""Shared fixtures: the spaCy model (loaded once), the ../shared folder (skip when absent)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("VIGIL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def nlp():
    from vigil.nlp import load_model

    return load_model()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "bench").is_dir():
        pytest.skip(f"../shared not found at {SHARED}: gold-set checks run only beside the shared folder")
    return SHARED


@contextmanager
def _pg_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards; skip when no server answers."""
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"),
                           connect_args={"connect_timeout": 5})
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - any connection failure means: no server here
        engine.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {str(e).splitlines()[0]}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def pg_schema() -> Callable[[str], AbstractContextManager[str]]:
    """``with pg_schema("prefix") as url:`` a throwaway PostgreSQL schema (any fixture scope can use it)."""
    return _pg_schema


@pytest.fixture
def pg_url(pg_schema: Callable[[str], AbstractContextManager[str]]) -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema, dropped after the test."""
    with pg_schema("vigil_test") as url:
        yield url
