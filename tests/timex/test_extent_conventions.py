"""TIMEX3 extent conventions (our own sentences): what belongs to the expression and what stays outside.

- a hyphenated duration or quarter before a noun ('the eight-day strike') modifies that noun: the
  determiner belongs to the noun phrase, not to the timex;
- focus particles ('only', 'just', 'barely') stay outside; approximators and bounds ('about',
  'over', 'under', 'at least') stay inside;
- 'in the past': the preposition stays outside, as with 'in 2019';
- 'two more weeks' / 'an additional year' are durations.
"""

from __future__ import annotations

from datetime import date

import pytest

from vigil.timex import find_timexes

DCT = date(2021, 6, 15)


def _spans(text: str) -> list[tuple[str, str, str]]:
    return [(t.text, t.type, t.value) for t in find_timexes(text, DCT, join_ranges=False)]


@pytest.mark.parametrize(("text", "expected"), [
    ("The eight-day strike ended at dawn.", ("eight-day", "DURATION", "P8D")),
    ("Farmers joined the two-week blockade of the depot.", ("two-week", "DURATION", "P2W")),
    ("The council approved a five-year plan for the harbour.", ("five-year", "DURATION", "P5Y")),
    ("The co-operative reported the third-quarter loss on Friday.", ("third-quarter", "DATE", "2020-Q3")),
    ("Analysts studied the fiscal second-quarter figures.", ("fiscal second-quarter", "DATE", "2021-Q2")),
])
def test_hyphenated_modifier_leaves_the_determiner_out(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _spans(text)


@pytest.mark.parametrize(("text", "span", "kind"), [
    ("The eight days of the strike were hard.", "The eight days", "DURATION"),
    ("Exports fell in the third quarter.", "the third quarter", "DATE"),
    ("Shelling has killed nine people in the past 24 hours.", "the past 24 hours", "DURATION"),
])
def test_non_hyphenated_forms_keep_their_determiner(text: str, span: str, kind: str) -> None:
    found = _spans(text)
    assert [(f[0], f[1]) for f in found] == [(span, kind)], found


@pytest.mark.parametrize(("text", "span", "value"), [
    ("The ferry ran for only six months.", "six months", "P6M"),
    ("The vote came barely a month after the flood.", "a month", "P1M"),
    ("Rescuers reached the village in just over an hour.", "over an hour", "PT1H"),
    ("The march took about five hours.", "about five hours", "PT5H"),
    ("The repairs took under two weeks.", "under two weeks", "P2W"),
    ("The road stays shut for at least three days.", "at least three days", "P3D"),
])
def test_focus_particles_stay_outside_approximators_inside(text: str, span: str, value: str) -> None:
    assert (span, "DURATION", value) in _spans(text)


def test_over_before_several_is_the_preposition() -> None:
    assert _spans("Prices climbed over several years.") == [("several years", "DURATION", "PXY")]


@pytest.mark.parametrize(("text", "span", "value"), [
    ("The blockade could last two more weeks.", "two more weeks", "P2W"),
    ("The mayor asked for an additional year in office.", "an additional year", "P1Y"),
    ("Negotiators expect at least 10 more years of talks.", "at least 10 more years", "P10Y"),
    ("The shelter needs three extra days to reopen.", "three extra days", "P3D"),
])
def test_more_and_additional_durations(text: str, span: str, value: str) -> None:
    assert (span, "DURATION", value) in _spans(text)


def test_more_without_a_unit_is_no_duration() -> None:
    assert _spans("Two more buses arrived at the camp.") == []


def test_in_the_past_leaves_the_preposition_out() -> None:
    assert _spans("In the past, the ferry was busier.") == [("the past", "DATE", "PAST_REF")]


def test_the_past_as_a_noun_is_no_timex() -> None:
    assert _spans("The past weighs on the small town.") == []


@pytest.mark.parametrize(("text", "span", "value"), [
    ("Dockers held a day-long strike at the port.", "day-long", "P1D"),
    ("The villages ended a decades-long feud over water.", "decades-long", "PXY"),
    ("An hour-long meeting followed.", "hour-long", "PT1H"),
    ("A two-day-long sit-in closed the road.", "two-day-long", "P2D"),
])
def test_unit_long_modifiers(text: str, span: str, value: str) -> None:
    assert (span, "DURATION", value) in _spans(text)


def test_long_as_a_predicate_is_no_timex() -> None:
    assert _spans("The queue was long and slow.") == []


@pytest.mark.parametrize(("text", "span", "value"), [
    ("Repairs to the dam will take two to three weeks.", "two to three weeks", "PXW"),
    ("The pumps can run for up to 90 days.", "up to 90 days", "P90D"),
    ("He may be held no more than sixty days.", "no more than sixty days", "P60D"),
    ("Talks could go on for the next two years or so.", "the next two years or so", "P2Y"),
    ("The depot will stay shut the next year or so.", "the next year or so", "P1Y"),
])
def test_ranges_bounds_and_or_so(text: str, span: str, value: str) -> None:
    assert (span, "DURATION", value) in _spans(text)


def test_a_count_range_reaches_its_upper_bound() -> None:
    found = find_timexes("The board expects results over the next 12 to 18 months.", DCT, join_ranges=False)
    assert [(t.text, t.value) for t in found] == [("the next 12 to 18 months", "PXM")]
    assert found[0].interval is not None
    assert (found[0].interval.start, found[0].interval.end) == (DCT, date(2022, 12, 15))


@pytest.mark.parametrize(("text", "span", "value"), [
    ("The ferry ran late over the summer.", "the summer", "2021-SU"),
    ("Evacuations resumed in the winter of 2019.", "the winter of 2019", "2019-WI"),
    ("Exports recovered this past spring.", "this past spring", "2021-SP"),
    ("Crops failed in the early summer.", "the early summer", "2021-SU"),
    ("The dam will be finished this coming autumn.", "this coming autumn", "2021-FA"),
])
def test_season_extent_keeps_the_determiner_not_the_preposition(text: str, span: str, value: str) -> None:
    assert [(t.text, t.value) for t in find_timexes(text, DCT, join_ranges=False)] == [(span, value)]


@pytest.mark.parametrize(("text", "span", "value"), [
    ("The port authority lost money in fiscal 2019, it said.", "fiscal 2019", "2019"),
    ("Budgets for fiscal year 2020 were cut.", "fiscal year 2020", "2020"),
    ("The bakery expects a loss in the current fiscal year.", "the current fiscal year", "2021"),
])
def test_fiscal_years_keep_the_word_fiscal(text: str, span: str, value: str) -> None:
    assert [(t.text, t.value) for t in find_timexes(text, DCT, join_ranges=False)] == [(span, value)]


def test_fiscal_as_an_adjective_leaves_the_year_alone() -> None:
    assert [t.text for t in find_timexes("The fiscal rules of 2019 were strict.", DCT)] == ["2019"]


@pytest.mark.parametrize(("text", "span"), [
    ("The new bridge should open by year-end.", "year-end"),
    ("The shelter will stay open until year's end.", "year's end"),
    ("Grain prices have risen since year end.", "year end"),
])
def test_year_end_after_a_preposition(text: str, span: str) -> None:
    found = find_timexes(text, DCT, join_ranges=False)
    assert [(t.text, t.type, t.value) for t in found] == [(span, "DATE", "2021")]
    assert found[0].interval is not None and found[0].interval.start == date(2021, 10, 1)


def test_attributive_year_end_is_no_timex() -> None:
    assert find_timexes("Staff received their year-end bonuses.", DCT) == []


@pytest.mark.parametrize(("text", "span", "value"), [
    ("Over the next couple of years the port will grow.", "the next couple of years", "P2Y"),
    ("Care may be needed within weeks or months.", "weeks or months", "PXW"),
])
def test_couple_and_coordinated_units(text: str, span: str, value: str) -> None:
    assert (span, "DURATION", value) in _spans(text)


def test_couple_of_people_is_no_timex() -> None:
    assert _spans("A couple of soldiers came to the gate.") == []
