"""Issue 3 rule families: spelled-out years, decade words, holidays, reference-period anaphora,
accounting years, attributive months, half units and rates (our own sentences)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.schema import Timex
from vigil.timex import find_timexes
from vigil.timex.grammar import compile_grammar
from vigil.timex.resolve import holiday_date, spelled_year

FRI = date(2022, 3, 4)
D = date.fromisoformat


def _one(text: str, dct: date | None) -> Timex:
    found = find_timexes(text, dct)
    assert len(found) == 1, [(t.text, t.value, t.rule) for t in found]
    return found[0]


def _lex() -> dict:
    return compile_grammar(()).lex


@pytest.mark.parametrize(("words", "year"), [
    ("nineteen ninety-six", 1996),
    ("Nineteen eighty four", 1984),
    ("nineteen ten", 1910),
    ("nineteen oh five", 1905),
    ("eighteen hundred", 1800),
    ("the year two thousand", 2000),
    ("two thousand and one", 2001),
    ("twenty twelve", 2012),
    ("nineteen a", None),
    ("nineteen oh fifteen", None),
    ("seven ninety", None),
])
def test_spelled_year(words: str, year: int | None) -> None:
    assert spelled_year(words, _lex()) == year


@pytest.mark.parametrize(("text", "span", "value"), [
    ("The mill closed in nineteen eighty-four.", "nineteen eighty-four", "1984"),
    ("Many feared the clocks would stop in the year two thousand.", "the year two thousand", "2000"),
    ("The ferry line opened in March nineteen eighty-eight.", "March nineteen eighty-eight", "1988-03"),
    ("The harbour froze in the winter of nineteen seventy-nine.", "the winter of nineteen seventy-nine",
     "1979-WI"),
])
def test_years_in_words(text: str, span: str, value: str) -> None:
    t = _one(text, FRI)
    assert (t.text, t.value, t.type) == (span, value, "DATE")


@pytest.mark.parametrize("text", [
    "Two thousand workers walked out of the plant.",
    "Nineteen miners were trapped underground.",
    "The strike lasted nineteen forty-hour weeks.",
])
def test_numbers_in_words_are_not_years(text: str) -> None:
    assert not any(t.rule in ("date.year_words", "date.month_year_words") for t in find_timexes(text, FRI))


@pytest.mark.parametrize(("text", "dct", "value", "interval"), [
    ("Most blocks went up in the sixties.", FRI, "196", ("1960-01-01", "1969-12-31")),
    ("The mine boomed in the late '70s.", FRI, "197", ("1970-01-01", "1979-12-31")),
    ("Tourism collapsed in the nineties.", D("1998-05-01"), "199", ("1990-01-01", "1999-12-31")),
    # a decade ahead of the DCT's is the previous century's
    ("The port thrived in the forties.", D("1935-05-01"), "184", ("1840-01-01", "1849-12-31")),
])
def test_decade_words(text: str, dct: date, value: str, interval: tuple[str, str]) -> None:
    t = _one(text, dct)
    assert t.interval is not None and t.interval.start is not None and t.interval.end is not None
    assert (t.value, (t.interval.start.isoformat(), t.interval.end.isoformat())) == (value, interval)


def test_decade_word_without_dct() -> None:
    assert _one("Most blocks went up in the sixties.", None).value == "XX6"


@pytest.mark.parametrize(("text", "dct", "value"), [
    ("Volunteers served meals on Thanksgiving Day.", D("1999-12-01"), "1999-11-25"),
    ("Volunteers served meals last Thanksgiving.", D("1999-11-10"), "1998-11-26"),
    ("The vote is due on Election Day.", D("1998-10-20"), "1998-11-03"),
    ("The shelters stayed open on Christmas Day.", D("2022-01-03"), "2021-12-25"),
    ("Stores were looted on New Year's Eve 2019.", FRI, "2019-12-31"),
    ("Marchers filled the square on International Women's Day.", D("2022-03-20"), "2022-03-08"),
    ("The parade will take place next Victory Day.", FRI, "2022-05-09"),
])
def test_holidays(text: str, dct: date, value: str) -> None:
    t = _one(text, dct)
    assert (t.value, t.rule) == (value, "rel.holiday")


def test_holiday_without_dct_keeps_month_and_day() -> None:
    assert _one("The shelters stayed open on Christmas Day.", None).value == "XXXX-12-25"


def test_holiday_name_as_modifier_is_not_a_date() -> None:
    assert find_timexes("The Christmas market in the square was cancelled.", FRI) == []


@pytest.mark.parametrize(("spec", "year", "day"), [
    ({"month": 11, "weekday": 4, "from_day": 22}, 2022, "2022-11-24"),
    ({"month": 11, "weekday": 4, "from_day": 22}, 2018, "2018-11-22"),
    ({"month": 9, "weekday": 1, "from_day": 1}, 2021, "2021-09-06"),
    ({"month": 2, "day": 29}, 2024, "2024-02-29"),
    ({"month": 2, "day": 29}, 2023, None),
    ({"month": 13, "day": 1}, 2023, None),
    ({"weekday": 1}, 2023, None),
    ("not a spec", 2023, None),
])
def test_holiday_date(spec: object, year: int, day: str | None) -> None:
    d = holiday_date(spec, year)
    assert (d.isoformat() if d else None) == day


@pytest.mark.parametrize(("text", "values"), [
    ("The dam was finished in 1994, and the following year the valley flooded.", ["1994", "1995"]),
    ("The mill reopened in June 2004 but closed again later that year.", ["2004-06", "2004"]),
    ("The mill reopened in June 2004. The following month it closed.", ["2004-06", "2004-07"]),
    ("The union was founded in 1981. In that year the strikes began.", ["1981", "1981"]),
    ("Turnover rose in the second quarter of 2019. Results for that quarter were revised.",
     ["2019-Q2", "2019-Q2"]),
])
def test_reference_period_follows_the_text(text: str, values: list[str]) -> None:
    assert [t.value for t in find_timexes(text, FRI)] == values


def test_reference_period_without_reference_falls_back_to_dct() -> None:
    t = _one("The following year the valley flooded.", FRI)
    assert (t.value, t.rule) == ("2023", "rel.ref_period")


@pytest.mark.parametrize(("text", "span", "value", "ttype"), [
    ("The bakery expects a small profit for the full year.", "the full year", "2022", "DATE"),
    ("Exports fell in the first nine months of the year.", "the year", "2022", "DATE"),
    ("Bakery sales for the fiscal year ended Nov. 30 slipped.", "the fiscal year", "P1Y", "DURATION"),
    ("Prices rose sharply over the past year.", "the past year", "2021", "DATE"),
    ("Wages lagged inflation in the last decade.", "the last decade", "201", "DATE"),
])
def test_accounting_and_past_years(text: str, span: str, value: str, ttype: str) -> None:
    found = {t.text: t for t in find_timexes(text, FRI)}
    assert span in found, list(found)
    assert (found[span].value, found[span].type) == (value, ttype)


@pytest.mark.parametrize(("text", "value"), [
    ("Observers doubted the results of the October elections.", "2021-10"),
    ("Economists said February's figures were revised.", "2022-02"),
    ("The brewery posted a profit for the third quarter, against a year-earlier loss.", "2020-Q3"),
    ("Freight revenue rose in the third quarter. Fuel costs were higher in the latest period.", "2021-Q3"),
    ("Prices are expected to rise in coming months.", "FUTURE_REF"),
])
def test_modifiers_and_report_periods(text: str, value: str) -> None:
    assert find_timexes(text, FRI)[-1].value == value


def test_month_name_in_a_person_name_is_not_a_date() -> None:
    assert find_timexes("The mayor met Theresa May's envoy at the border.", FRI) == []


@pytest.mark.parametrize(("text", "value"), [
    ("The talks lasted 5 1/2 hours.", "PT5H30M"),
    ("The siren sounded for a minute and a half.", "PT1M30S"),
    ("They lived in the camp for 2 1/2 years.", "P2Y6M"),
    ("The blockade lasted two and a half days.", "P2DT12H"),
    ("The ceasefire held for one and a half weeks.", "P1.5W"),
])
def test_half_units(text: str, value: str) -> None:
    assert _one(text, FRI).value == value


@pytest.mark.parametrize("text", [
    "The co-operative pays its members $2 million a year.",
    "The shares pay a dividend of $1.76 a year.",
    "Rents rose 3% a year.",
    "The town imports about three-quarters of its grain.",
])
def test_rates_and_fractions_are_not_durations(text: str) -> None:
    assert find_timexes(text, FRI) == []


def test_quarter_just_ended_stays_this_year_with_a_future_cue() -> None:
    t = _one("The airline plans to cut jobs after a third-quarter loss.", D("2021-10-26"))
    assert t.value == "2021-Q3"


_WORDS = ["the", "following", "year", "month", "that", "nineteen", "ninety-six", "two", "thousand", "in",
          "sixties", "'70s", "Christmas", "Day", "last", "Thanksgiving", "2 1/2", "years", "a", "half", "and",
          "quarter", "year-earlier", "for", "full", "ended", "March", "October", "elections", "1994", "."]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=14), st.one_of(st.none(), st.dates()))
def test_new_families_never_raise_and_keep_intervals_ordered(words: list[str], dct: date | None) -> None:
    text = " ".join(words)
    for t in find_timexes(text, dct):
        assert text[t.start:t.end] == t.text
        if t.interval is not None and t.interval.start and t.interval.end:
            assert t.interval.start <= t.interval.end


@pytest.mark.parametrize(("text", "dct", "span", "value"), [
    ("The blast came at 9:40 a.m. (0640 GMT) Tuesday, witnesses said.", FRI, "9:40 a.m.", "2022-03-01T09:40"),
    ("Sales rose in the third quarter; in the quarter a year earlier they had fallen.", D("2022-11-04"),
     "the quarter a year earlier", "2021-Q3"),
    ("The fishermen repair their nets each November.", FRI, "each November", "XXXX-11"),
    ("Prices will fall in the near future.", FRI, "the near future", "FUTURE_REF"),
    ("It does not bode well for coming quarters.", FRI, "coming quarters", "FUTURE_REF"),
    # a future cue in the clause: a month ahead beats the same month gone by, even a close one
    ("The crew will fly a mission in December.", D("2022-03-04"), "December", "2022-12"),
    ("The crew flew a mission in December.", D("2022-03-04"), "December", "2021-12"),
])
def test_more_issue3_forms(text: str, dct: date, span: str, value: str) -> None:
    found = {t.text: t.value for t in find_timexes(text, dct)}
    assert found.get(span) == value, found
