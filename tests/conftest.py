"""Shared fixtures: the spaCy model (loaded once), the ../shared folder (skip when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from vigil.nlp import load_model

    return load_model()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "bench").is_dir():
        pytest.skip(f"../shared not found at {SHARED}: gold-set checks run only beside the shared folder")
    return SHARED
