"""Period anaphora ("a year earlier" after a quarter) and the trigger-word prefilter (our own sentences)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.timex import find_timexes
from vigil.timex.finder import _candidates, _grammar

DCT = date(2021, 11, 2)  # early in the fourth quarter


def _value(text: str, span: str, dct: date = DCT) -> str:
    found = {t.text: t.value for t in find_timexes(text, dct)}
    assert span in found, found
    return found[span]


@pytest.mark.parametrize(("text", "span", "value"), [
    ("The bakery chain earned 5 million in the third quarter, up from 3 million a year earlier.",
     "a year earlier", "2020-Q3"),
    ("Grain shipments in the third quarter were below those of the year-ago quarter.",
     "the year-ago quarter", "2020-Q3"),
    ("Ferry traffic in the third quarter rose 8%; in the quarter, fuel costs doubled.", "the quarter", "2021-Q3"),
    ("Rents in August 2021 were 4% higher than a year ago, the agency said.", "a year ago", "2020-08"),
    ("The bridge over the river was built a year ago.", "a year ago", "2020"),
    ("Revenue for the year-earlier third quarter was restated.", "the year-earlier third quarter", "2020-Q3"),
])
def test_find_timexes_period_anaphora(text: str, span: str, value: str) -> None:
    assert _value(text, span) == value


def test_find_timexes_anaphora_reference_too_far_is_ignored() -> None:
    filler = "The committee met to discuss roads, schools and the water supply in detail. " * 30
    text = "Exports fell in the third quarter. " + filler + "The dam was finished a year ago."
    assert _value(text, "a year ago") == "2020"


_WORDS = ["on", "March", "May", "2", "31", "Friday", "last", "week", "since", "the", "third", "quarter",
          "a", "year", "ago", "three", "days", "later", "1998", "in", "every", "morning", "noon", "10:30",
          "p.m.", "now", "recent", "weeks", "century", "Sundays", "mid-March", "Jan.", "hours", "the 1990s",
          "2021-03-05", "next", "day", "x" * 40, ".", ","]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=80), st.dates(min_value=date(1900, 1, 1)))
def test_candidates_prefilter_finds_what_a_full_scan_finds(words: list[str], dct: date) -> None:
    text = " ".join(words)
    g = _grammar(None)
    full = dataclasses.replace(g, rules=tuple(dataclasses.replace(r, trigger=None) for r in g.rules))
    fast = {(s, e, r.id, res.value) for s, e, r, res in _candidates(text, dct, g)}
    slow = {(s, e, r.id, res.value) for s, e, r, res in _candidates(text, dct, full)}
    assert fast == slow


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.dates()))
def test_find_timexes_intervals_are_ordered(text: str, dct: date | None) -> None:
    for t in find_timexes(text, dct):
        iv = t.interval
        if iv is not None and iv.start is not None and iv.end is not None:
            assert iv.start <= iv.end
