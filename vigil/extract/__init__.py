"""extract stage: events (type, date, place, actors, numbers, modality, ACLED coding) and claims.

>>> from vigil.extract import extract_article
>>> from vigil.schema import Article
>>> extract_article(Article(id="d0", text="")).events
[]
"""

from __future__ import annotations

from vigil.extract.acled import ACLED_INPUTS, event_acled
from vigil.extract.events import AttributeFinders, assemble_events, default_finders
from vigil.extract.triggers import (
    TriggerHit,
    TriggerPrefilter,
    TriggerRule,
    load_trigger_rules,
    match_triggers,
    trigger_prefilter,
)
from vigil.schema import Article

NAME = "vigil.extract.rules.v1"


def extract_article(article: Article, *, finders: AttributeFinders | None = None) -> Article:
    """Return a copy of ``article`` with ``events`` (main event first) and ``claims`` filled.

    Reads the sentences, entities, timexes, places and publication date the earlier
    stages wrote. Pure: the input article is not changed.

    Args:
        finders: the attribute functions to use (test doubles); the shipped ones when None.
    """
    if not article.text or not article.text.strip():
        return article.model_copy(update={"events": [], "claims": []})
    finders = finders or default_finders()
    events = assemble_events(article, finders=finders)
    claims = list(finders.claims(article) or [])
    return article.model_copy(update={"events": events, "claims": claims})


__all__ = [
    "ACLED_INPUTS",
    "AttributeFinders",
    "TriggerHit",
    "TriggerPrefilter",
    "TriggerRule",
    "assemble_events",
    "default_finders",
    "event_acled",
    "extract_article",
    "load_trigger_rules",
    "match_triggers",
    "trigger_prefilter",
]
