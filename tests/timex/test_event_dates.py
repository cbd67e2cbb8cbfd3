"""Event dates from timexes (the date attachment of vigil/extract/events.py), end to end on our own sentences."""

from __future__ import annotations

from datetime import date

import pytest

from vigil.extract import extract_article
from vigil.nlp import parse_article
from vigil.schema import Article
from vigil.timex import annotate_timexes

PUB = date(2022, 3, 7)


def _events(nlp: object, text: str) -> list:
    art = annotate_timexes(parse_article(Article(id="t", text=text, published=PUB), nlp))  # type: ignore[arg-type]
    return extract_article(art).events


@pytest.mark.model
def test_event_date_since_then_makes_the_previous_date_a_lower_bound(nlp: object) -> None:
    text = ("Russian troops entered Kherson five days ago. Since then, hundreds of residents have protested "
            "in the main square every day.")
    ev = next(e for e in _events(nlp, text) if e.type == "protest")
    assert (ev.date.start, ev.date.end) == (date(2022, 3, 2), PUB)
    assert ev.date.rule == "date-previous-sentence-since-lower-bound"


@pytest.mark.model
def test_event_date_previous_sentence_without_since_then_is_that_day(nlp: object) -> None:
    text = "Russian troops entered Kherson five days ago. Hundreds of residents protested in the main square."
    ev = next(e for e in _events(nlp, text) if e.type == "protest")
    assert (ev.date.start, ev.date.end) == (date(2022, 3, 2), date(2022, 3, 2))


@pytest.mark.model
def test_event_date_unclear_when_keeps_only_the_upper_bound(nlp: object) -> None:
    text = ("Residents blocked tanks near Kherson on Saturday, a video shows. "
            "It is unclear when the footage was recorded.")
    ev = next(e for e in _events(nlp, text) if e.type == "obstruction")
    assert (ev.date.start, ev.date.end) == (date(2022, 2, 24), date(2022, 3, 5))
    assert (ev.date.rule or "").endswith("when-unclear")


@pytest.mark.model
def test_event_date_without_unclear_cue_is_not_widened(nlp: object) -> None:
    text = "Residents blocked tanks near Kherson on Saturday."
    ev = next(e for e in _events(nlp, text) if e.type == "obstruction")
    assert (ev.date.start, ev.date.end) == (date(2022, 3, 5), date(2022, 3, 5))
