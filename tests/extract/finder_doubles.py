"""Neutral attribute finders for the assembly tests: they find nothing, so only triggers, dates and places count.

The partner modules (actors, numbers, interventions, modality, claims, acled) test themselves.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from vigil.extract.events import AttributeFinders
from vigil.schema import Acled


def null_finders(**over: Any) -> AttributeFinders:
    """Finders that find nothing; override any of them by field name (e.g. ``intervention=...``)."""
    base: dict[str, Any] = dict(
        actors=lambda a, s, t, ty: [],
        crowd=lambda a, s, t: None,
        casualties=lambda a, s, t: SimpleNamespace(fatalities=None, injuries=None, fatalities_span=None,
                                                   injuries_span=None),
        intervention=lambda a, w, t, ty: (None, None),
        modality=lambda a, s, t: ("asserted", None),
        claims=lambda a: [],
        acled=lambda ty, **kw: Acled(),
    )
    base.update(over)
    return AttributeFinders(**base)
