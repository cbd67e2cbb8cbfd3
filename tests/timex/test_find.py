"""find_timexes: resolution against fixed DCTs, offsets, relations, bad input (our own sentences)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.schema import Timex
from vigil.timex import DEFAULT_ANCHORS, find_timexes, load_anchors

FRI = date(2022, 3, 4)  # Friday, day 9 of the invasion
D = date.fromisoformat


def _one(text: str, dct: date | None, **kw: object) -> Timex:
    found = find_timexes(text, dct, **kw)  # type: ignore[arg-type]
    assert len(found) == 1, [(t.text, t.value, t.rule) for t in found]
    return found[0]


def _iv(t: Timex) -> tuple[str | None, str | None] | None:
    if t.interval is None:
        return None
    s, e = t.interval.start, t.interval.end
    return (s.isoformat() if s else None, e.isoformat() if e else None)


RESOLUTION = [
    # explicit dates
    ("Farmers towed a tank away on March 2.", FRI, "March 2", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("The rally was held on 2 March.", FRI, "2 March", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("The convoy stopped on March 2nd.", FRI, "March 2nd", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("Shops shut on the 2nd of March.", FRI, "the 2nd of March", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("The decree is dated March 2, 2021.", FRI, "March 2, 2021", "2021-03-02", ("2021-03-02", "2021-03-02")),
    ("Signed 2 March 2022 in the town hall.", FRI, "2 March 2022", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("Order 17 of 2022-03-02 closed schools.", FRI, "2022-03-02", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("The siege began on Mar. 2 at dawn.", FRI, "Mar. 2", "2022-03-02", ("2022-03-02", "2022-03-02")),
    # year boundary: a December date in a January article is last year
    ("The factory was seized on December 30.", D("2023-01-05"), "December 30", "2022-12-30",
     ("2022-12-30", "2022-12-30")),
    ("Trains stopped on January 3.", D("2022-01-29"), "January 3", "2022-01-03", ("2022-01-03", "2022-01-03")),
    # a near date ahead of the DCT is read as the coming one (a schedule), a far one as last year's
    ("Trains stop on January 3.", D("2022-12-29"), "January 3", "2023-01-03", ("2023-01-03", "2023-01-03")),
    ("Trains stopped on August 3.", D("2022-01-29"), "August 3", "2021-08-03", ("2021-08-03", "2021-08-03")),
    # leap day
    ("The bridge was hit on February 29.", D("2024-03-05"), "February 29", "2024-02-29",
     ("2024-02-29", "2024-02-29")),
    ("The bridge was hit on February 29.", D("2023-03-05"), "February 29", "2020-02-29",
     ("2020-02-29", "2020-02-29")),
    # months, years, parts
    ("The council was dissolved in March 2021.", FRI, "March 2021", "2021-03", ("2021-03-01", "2021-03-31")),
    ("The ferry stopped running in January.", FRI, "January", "2022-01", ("2022-01-01", "2022-01-31")),
    ("The ferry stopped running in November.", FRI, "November", "2021-11", ("2021-11-01", "2021-11-30")),
    ("The peninsula was annexed in 2014.", FRI, "2014", "2014", ("2014-01-01", "2014-12-31")),
    ("The first buses left in early March.", FRI, "early March", "2022-03", ("2022-03-01", "2022-03-10")),
    ("The first buses left in mid-March.", D("2022-04-02"), "mid-March", "2022-03", ("2022-03-11", "2022-03-20")),
    ("The last buses left in late March.", D("2022-04-02"), "late March", "2022-03", ("2022-03-21", "2022-03-31")),
    ("Supplies ran out at the end of February.", FRI, "the end of February", "2022-02",
     ("2022-02-21", "2022-02-28")),
    # weekdays
    ("Crowds blocked the road on Wednesday.", FRI, "Wednesday", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("Crowds blocked the road on Friday.", FRI, "Friday", "2022-03-04", ("2022-03-04", "2022-03-04")),
    ("Crowds blocked the road last Friday.", FRI, "last Friday", "2022-02-25", ("2022-02-25", "2022-02-25")),
    ("Crowds blocked the road last Wednesday.", FRI, "last Wednesday", "2022-03-02",
     ("2022-03-02", "2022-03-02")),
    ("Crowds blocked the road this Wednesday.", FRI, "this Wednesday", "2022-03-02",
     ("2022-03-02", "2022-03-02")),
    ("Crowds blocked the road on Saturday.", FRI, "Saturday", "2022-02-26", ("2022-02-26", "2022-02-26")),
    ("Talks resume next Monday.", FRI, "next Monday", "2022-03-07", ("2022-03-07", "2022-03-07")),
    ("Sirens sounded on Wednesday morning.", FRI, "Wednesday morning", "2022-03-02TMO",
     ("2022-03-02", "2022-03-02")),
    ("Shots were heard on Sunday night.", D("2022-03-01"), "Sunday night", "2022-02-27TNI",
     ("2022-02-27", "2022-02-27")),
    # deictic
    ("The mayor was freed today.", FRI, "today", "2022-03-04", ("2022-03-04", "2022-03-04")),
    ("The mayor was freed yesterday.", FRI, "yesterday", "2022-03-03", ("2022-03-03", "2022-03-03")),
    ("The mayor was seized the day before yesterday.", FRI, "the day before yesterday", "2022-03-02",
     ("2022-03-02", "2022-03-02")),
    ("The governor spoke this morning.", FRI, "this morning", "2022-03-04TMO", ("2022-03-04", "2022-03-04")),
    ("Rockets fell on the port last night.", FRI, "last night", "2022-03-03TNI", ("2022-03-03", "2022-03-03")),
    ("Rockets fell on the port overnight.", FRI, "overnight", "2022-03-03TNI", ("2022-03-03", "2022-03-04")),
    ("The governor will speak tonight.", FRI, "tonight", "2022-03-04TNI", ("2022-03-04", "2022-03-04")),
    ("The convoy arrived three days ago.", FRI, "three days ago", "2022-03-01", ("2022-03-01", "2022-03-01")),
    ("The convoy arrived 3 days ago.", FRI, "3 days ago", "2022-03-01", ("2022-03-01", "2022-03-01")),
    ("The checkpoints went up last week.", FRI, "last week", "2022-W08", ("2022-02-21", "2022-02-27")),
    ("The checkpoints went up this week.", FRI, "this week", "2022-W09", ("2022-02-28", "2022-03-06")),
    ("The checkpoints went up earlier this week.", FRI, "earlier this week", "2022-W09",
     ("2022-02-28", "2022-03-04")),
    ("Schools closed last month.", FRI, "last month", "2022-02", ("2022-02-01", "2022-02-28")),
    ("Schools closed last month.", D("2022-01-10"), "last month", "2021-12", ("2021-12-01", "2021-12-31")),
    ("Schools closed earlier this month.", FRI, "earlier this month", "2022-03", ("2022-03-01", "2022-03-04")),
    ("The harvest failed last year.", FRI, "last year", "2021", ("2021-01-01", "2021-12-31")),
    ("Shelling grew worse in recent days.", FRI, "recent days", "PAST_REF", ("2022-02-25", "2022-03-04")),
    ("The town is now occupied.", FRI, "now", "PRESENT_REF", ("2022-03-04", "2022-03-04")),
    # anchors: the invasion day is day 1
    ("Crowds gathered on the seventh day of the invasion.", FRI, "the seventh day of the invasion", "2022-03-02",
     ("2022-03-02", "2022-03-02")),
    ("Trains stopped on day 7 of the war.", FRI, "day 7 of the war", "2022-03-02", ("2022-03-02", "2022-03-02")),
    ("It was the 12th day of Russia's invasion.", FRI, "the 12th day of Russia's invasion", "2022-03-07",
     ("2022-03-07", "2022-03-07")),
    ("Bakeries shut on the first day of the war.", FRI, "the first day of the war", "2022-02-24",
     ("2022-02-24", "2022-02-24")),
    # durations and sets
    ("The curfew will last for three days.", FRI, "three days", "P3D", None),
    ("The road was closed for two weeks.", FRI, "two weeks", "P2W", None),
    ("Power was cut for six hours.", FRI, "six hours", "PT6H", None),
    ("Twelve people died in the past 24 hours.", FRI, "the past 24 hours", "PT24H", ("2022-03-03", "2022-03-04")),
    ("Prices doubled over the past three days.", FRI, "the past three days", "P3D", ("2022-03-01", "2022-03-04")),
]


@pytest.mark.parametrize(("text", "dct", "span", "value", "interval"), RESOLUTION,
                         ids=[f"{n}-{r[2]}" for n, r in enumerate(RESOLUTION)])
def test_find_timexes_resolves(text: str, dct: date, span: str, value: str,
                               interval: tuple[str, str] | None) -> None:
    t = _one(text, dct)
    assert (t.text, t.value, _iv(t)) == (span, value, interval)


@pytest.mark.parametrize(("text", "ttype"), [
    ("Residents gather every day at the church.", "SET"),
    ("Buses run daily between the towns.", "SET"),
    ("Volunteers meet every Sunday.", "SET"),
    ("The siege lasted three weeks.", "DURATION"),
    ("Sirens sounded on Wednesday evening.", "TIME"),
    ("Crowds blocked the road on Wednesday.", "DATE"),
])
def test_find_timexes_types(text: str, ttype: str) -> None:
    assert _one(text, FRI).type == ttype


@pytest.mark.parametrize(("text", "value"), [
    ("Crowds blocked the road on Wednesday.", "XXXX-WXX-3"),
    ("Farmers towed a tank away on March 2.", "XXXX-03-02"),
    ("The ferry stopped running in January.", "XXXX-01"),
    ("The checkpoints went up last week.", "XXXX-WXX"),
    ("The decree is dated March 2, 2021.", "2021-03-02"),
    ("Crowds gathered on the seventh day of the invasion.", "2022-03-02"),
    ("The convoy arrived three days ago.", "PAST_REF"),
])
def test_find_timexes_without_dct(text: str, value: str) -> None:
    t = _one(text, None)
    assert t.value == value
    if "X" in value or value.endswith("REF"):
        assert t.interval is None


def test_find_timexes_custom_anchor_overrides_default() -> None:
    t = _one("Shops reopened on the third day of the occupation of Melitopol.", FRI,
             anchors={"occupation of Melitopol": date(2022, 2, 26)})
    assert (t.value, t.rule) == ("2022-02-28", "anchor.ordinal_day")
    t = _one("It was the seventh day of the invasion.", FRI, anchors={"invasion": date(2014, 2, 20)})
    assert t.value == "2014-02-26"


def test_default_anchors_are_data() -> None:
    assert DEFAULT_ANCHORS["invasion"] == date(2022, 2, 24)
    assert load_anchors() == dict(DEFAULT_ANCHORS)


@pytest.mark.parametrize(("text", "relation", "interval"), [
    ("A video shared on Tuesday shows residents blocking a convoy.", "before", ("2022-03-01", "2022-03-01")),
    ("Footage posted on March 3 showed the bridge.", "before", ("2022-03-03", "2022-03-03")),
    ("The mayor said the count was finished as of Monday.", "before", ("2022-02-28", "2022-02-28")),
    ("The volunteers had left by Friday.", "before", ("2022-03-04", "2022-03-04")),
    ("The town has had no power since March 1.", "after", ("2022-03-01", "2022-03-04")),
    ("The curfew applies from Monday.", "after", ("2022-02-28", "2022-03-04")),
    ("Plants have stood idle since the start of the invasion.", "after", ("2022-02-24", "2022-03-04")),
    ("Residents blocked a convoy on Tuesday.", "on", ("2022-03-01", "2022-03-01")),
])
def test_find_timexes_relation(text: str, relation: str, interval: tuple[str, str]) -> None:
    t = _one(text, FRI)
    assert (t.relation, _iv(t)) == (relation, interval)


@pytest.mark.parametrize(("text", "span", "interval"), [
    ("Shelling went on between March 1 and March 3.", "between March 1 and March 3", ("2022-03-01", "2022-03-03")),
    ("Talks were held from 1 to 3 March.", "from 1 to 3 March", ("2022-03-01", "2022-03-03")),
    ("The bridge was closed from Monday to Wednesday.", "from Monday to Wednesday", ("2022-02-28", "2022-03-02")),
])
def test_find_timexes_joins_ranges(text: str, span: str, interval: tuple[str, str]) -> None:
    t = _one(text, FRI)
    assert (t.text, _iv(t), t.relation) == (span, interval, "on")


@pytest.mark.parametrize("text", [
    "Residents may be evacuated if the shelling resumes.",
    "Thousands joined a march through the city.",
    "They will march to the square at noon tomorrow",
    "The Sunday Times interviewed the mayor.",
    "The bridge was hit on February 30.",
    "Order 2022-13-45 was posted on the door.",
    "Police counted 2022 people on the square.",
])
def test_find_timexes_invents_nothing(text: str) -> None:
    found = find_timexes(text, FRI)
    assert not any("2022-02-30" in t.value or "-13-" in t.value for t in found)
    assert not any(t.text in ("May", "march", "March", "Sunday", "2022") for t in found)


def test_find_timexes_march_at_sentence_start_is_a_date() -> None:
    t = _one("March 2 was the day the first convoy was stopped.", FRI)
    assert t.value == "2022-03-02"


@pytest.mark.parametrize("text", ["", "   ", "\x00\ufeff\u202e", "99999999999 days ago", "day 0 of the war",
                                  "the 99999th day of the invasion", "Good Friday", "9999-12-31", "0000-01-01"])
def test_find_timexes_survives_odd_input(text: str) -> None:
    for dct in (FRI, None, date(9999, 12, 30), date(1, 1, 2)):
        for t in find_timexes(text, dct):
            assert text[t.start:t.end] == t.text


def test_find_timexes_offsets_in_a_longer_text() -> None:
    text = ("KHERSON, March 4 — Hundreds of residents marched to the square on Wednesday morning, "
            "three days after the town was taken. A video shared on Telegram on Thursday shows them "
            "singing. Protests have continued every day since March 1, and the mayor said they would "
            "go on for weeks.")
    found = find_timexes(text, FRI)
    assert [t.text for t in found] == ["March 4", "Wednesday morning", "three days", "Thursday",
                                    "every day", "March 1", "weeks"]
    assert all(text[t.start:t.end] == t.text for t in found)
    assert [t.relation for t in found] == ["on", "on", "on", "before", "on", "after", "on"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.dates()))
def test_find_timexes_never_raises(text: str, dct: date | None) -> None:
    found = find_timexes(text, dct)
    last = -1
    for t in found:
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start:t.end] == t.text
        assert t.start >= last
        last = t.end


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["on", "March", "May", "2", "31", "Friday", "last", "week", "since", "the",
                                 "seventh", "day", "of", "invasion", "ago", "three", "days", "2022", "-",
                                 "between", "and", "night", "every", "February", "29", "30", "13", "45",
                                 "next", "year", "tomorrow", "century", "the", "day", "later", "quarter"]),
                max_size=12),
       st.one_of(st.none(), st.dates()))
def test_find_timexes_never_raises_on_date_words(words: list[str], dct: date | None) -> None:
    text = " ".join(words)
    for t in find_timexes(text, dct):
        assert text[t.start:t.end] == t.text
        if t.interval is not None and t.interval.start and t.interval.end:
            assert t.interval.start <= t.interval.end


def test_find_timexes_ignores_anchor_after_dct() -> None:
    found = find_timexes("Trade has collapsed since the war began, on the third day of the invasion.", date(1991, 2, 2))
    assert not any((t.rule or "").startswith("anchor.") for t in found)


@pytest.mark.parametrize(("text", "value"), [
    ("Troops entered the town on March 3. The next day residents blocked the road.", "2022-03-04"),
    ("The mayor was seized on 1 March; two days later crowds demanded his release.", "2022-03-03"),
    ("Shelling began on Tuesday. That night the power failed.", "2022-03-01TNI"),
    ("The convoy was stopped on 2 March. The day before, the bridge had been mined.", "2022-03-01"),
])
def test_find_timexes_narrative_follows_last_date(text: str, value: str) -> None:
    assert find_timexes(text, FRI)[-1].value == value


def test_find_timexes_narrative_without_reference_is_unresolved() -> None:
    t = _one("The next day residents blocked the road.", FRI)
    assert (t.value, t.interval) == ("XXXX-XX-XX", None)


@pytest.mark.parametrize(("text", "value", "interval"), [
    ("The depot burned on the night of March 3.", "2022-03-03TNI", ("2022-03-03", "2022-03-03")),
    ("The bridge should reopen by the end of the month.", "2022-03", ("2022-03-21", "2022-03-31")),
    ("More buses are expected in the coming days.", "FUTURE_REF", ("2022-03-04", "2022-03-11")),
    ("The dam was first damaged in June last year.", "2021-06", ("2021-06-01", "2021-06-30")),
    ("The fortress was built in the 17th century.", "16", ("1600-01-01", "1699-12-31")),
    ("The ultimatum ran out at 6 a.m. March 3.", "2022-03-03T06:00", ("2022-03-03", "2022-03-03")),
    ("The curfew starts at 20:00.", "2022-03-04T20:00", ("2022-03-04", "2022-03-04")),
])
def test_find_timexes_more_forms(text: str, value: str, interval: tuple[str, str]) -> None:
    t = _one(text, FRI)
    assert (t.value, _iv(t)) == (value, interval)


@pytest.mark.parametrize(("text", "dct", "value"), [
    ("The decree of 05.03.2022 closed the schools.", FRI, "2022-03-05"),
    ("Posted 03/12/2022 by the council.", date(2022, 3, 12), "2022-03-12"),
    ("Posted 12/03/2022 by the council.", date(2022, 3, 12), "2022-03-12"),
    ("Posted 25/03/2022 by the council.", date(2022, 3, 26), "2022-03-25"),
    ("Posted 03/25/2022 by the council.", date(2022, 3, 26), "2022-03-25"),
])
def test_find_timexes_numeric_dates(text: str, dct: date, value: str) -> None:
    assert _one(text, dct).value == value


@pytest.mark.parametrize(("text", "span", "value"), [
    ("The depot was hit in the early hours of Thursday.", "the early hours of Thursday", "2022-03-03TMO"),
    ("The depot was hit in the early hours of March 3.", "the early hours of March 3", "2022-03-03TMO"),
    ("Crowds gathered this past weekend.", "this past weekend", "2022-W08-WE"),
    ("Crowds gathered over the weekend.", "the weekend", "2022-W08-WE"),
    ("The talks were held on Thursday, Feb. 24.", "Thursday, Feb. 24", "2022-02-24"),
    ("The talks ran from February 24 until March 2.", "from February 24 until March 2", "2022-02-24/2022-03-02"),
])
def test_find_timexes_news_forms(text: str, span: str, value: str) -> None:
    t = _one(text, FRI)
    assert (t.text, t.value) == (span, value)


@pytest.mark.parametrize(("text", "value"), [
    ("The delegations will meet on Monday.", "2022-03-07"),
    ("On Monday the delegations will meet again.", "2022-03-07"),
    ("The mayor said on Monday he will not resign.", "2022-02-28"),
    ("The delegations met on Monday.", "2022-02-28"),
    # a speech verb after a clause-opening date: its complement keeps its own tense
    ("On Monday, the mayor said the checkpoint will stay closed.", "2022-02-28"),
    ("On Monday, the council plans to vote on the curfew.", "2022-03-07"),
    # "plans" as a noun is no future cue; "plans to" is
    ("On Monday, when the envoy set aside her holiday plans, the talks began.", "2022-02-28"),
    # postponement and "would" point ahead; past perfect and "would have" look back
    ("The court postponed until Monday any ruling on the appeal.", "2022-03-07"),
    ("Her lawyer said she would travel to the capital on Monday.", "2022-03-07"),
    ("The traders would keep their stalls despite Monday's ban.", "2022-02-28"),
    ("The talks had been scheduled to resume on Monday.", "2022-02-28"),
    ("The convoy would have left on Monday.", "2022-02-28"),
])
def test_find_timexes_future_cue_scope(text: str, value: str) -> None:
    assert _one(text, FRI).value == value


@pytest.mark.parametrize(("text", "dct", "value"), [
    # a month 2-3 months ahead: the future reading unless the clause is told in the past tense
    ("The fair opens in June.", FRI, "2022-06"),
    ("In June, the fund bought the mill.", FRI, "2021-06"),
    ("Since the fund bought the mill in June, it has sold two plants.", FRI, "2021-06"),
    ("The lease ended June 1, the landlord said.", FRI, "2021-06-01"),
    # a name ending in -ed is not a past tense; a future cue beats a past tense
    ("The United Nations envoy stays until June 1.", FRI, "2022-06-01"),
    ("The council, which was elected by the residents, will meet again in June.", FRI, "2022-06"),
])
def test_find_timexes_past_tense_lean(text: str, dct: date, value: str) -> None:
    assert _one(text, dct).value == value


@pytest.mark.parametrize(("text", "value"), [
    ("The ultimatum expires at midnight Friday.", "2022-03-04T24:00"),
    ("The ultimatum expired at midnight.", "2022-03-04T00:00"),
    ("The ultimatum expired at noon Thursday.", "2022-03-03T12:00"),
])
def test_find_timexes_midnight_with_a_day_ends_it(text: str, value: str) -> None:
    assert _one(text, FRI).value == value
