"""Event dates: which timex governs which event, earlier events, ongoing events, title lines, clock times.

The sentences are invented. Timexes are given as records (so these tests do not
depend on the timex stage) except in the last block, which runs the real timex
stage to check the issue-3 requirements end to end.
"""

from __future__ import annotations

from datetime import date

import pytest
from article_doubles import article_with_records
from finder_doubles import null_finders

from vigil.extract.dates import is_clock_time
from vigil.extract.events import assemble_events, load_anchors
from vigil.schema import Article, Timex

PUB = date(2022, 3, 4)  # a Friday
WAR = date(2022, 2, 24)
COORDS = {"Kherson": (46.64, 32.61), "Kharkiv": (49.98, 36.25)}


def build(nlp, text: str, places: tuple[str, ...] = ("Kherson",),
          timexes: tuple[tuple[str, date, str], ...] = ()) -> Article:
    """Parse ``text``; add each place occurrence and the timexes (phrase, day, type) as records."""
    return article_with_records(nlp, text, published=PUB, coords=COORDS, places=places,
                                timexes=tuple((ph, day, day, "on", kind) for ph, day, kind in timexes))


def dates_by_type(nlp, text: str, **kw) -> dict[str, tuple[date | None, date | None, str | None]]:
    art = build(nlp, text, **kw)
    return {e.type: (e.date.start, e.date.end, e.date.rule) for e in assemble_events(art, finders=null_finders())}


def days(d: tuple[date | None, date | None, str | None]) -> tuple[date | None, date | None]:
    return d[0], d[1]


# ------------------------------------------------------------------- earlier events


@pytest.mark.model
def test_date_on_an_earlier_event_is_a_lower_bound(nlp):
    text = "Residents took to the streets of Kherson after the abduction of the mayor on Wednesday."
    got = dates_by_type(nlp, text, timexes=(("Wednesday", date(2022, 3, 2), "DATE"),))
    assert days(got["abduction"]) == (date(2022, 3, 2), date(2022, 3, 2))
    assert days(got["protest"]) == (date(2022, 3, 2), PUB)
    assert got["protest"][2] == "date-sentence-prior-lower-bound"


@pytest.mark.model
def test_date_of_the_later_event_is_an_upper_bound_of_the_earlier(nlp):
    text = "Residents of Kherson protested on Wednesday against the abduction of the mayor."
    got = dates_by_type(nlp, text, timexes=(("Wednesday", date(2022, 3, 2), "DATE"),))
    assert days(got["protest"]) == (date(2022, 3, 2), date(2022, 3, 2))
    assert days(got["abduction"]) == (WAR, date(2022, 3, 2))


@pytest.mark.model
def test_date_phrase_after_an_event_noun_dates_that_noun(nlp):
    # the parser may hang "on Wednesday" on "protest"; read next to "abduction" it dates the abduction
    text = "Hundreds of residents protest the abduction on Wednesday of the mayor of Kherson."
    got = dates_by_type(nlp, text, timexes=(("Wednesday", date(2022, 3, 2), "DATE"),))
    assert days(got["abduction"]) == (date(2022, 3, 2), date(2022, 3, 2))
    assert days(got["protest"]) == (date(2022, 3, 2), PUB)


@pytest.mark.model
def test_earlier_event_named_in_a_present_clause_is_not_dated_today(nlp):
    text = "Residents march through Kherson in protest against the abduction of their mayor."
    got = dates_by_type(nlp, text)
    assert days(got["protest"]) == (PUB, PUB)
    assert days(got["abduction"]) == (WAR, PUB)


# ------------------------------------------------------------------- governing timex


@pytest.mark.model
def test_timex_of_the_trigger_clause_wins_over_a_nearer_one(nlp):
    text = "Soldiers who arrived on Monday detained the mayor of Kherson on Wednesday."
    got = dates_by_type(nlp, text, timexes=(("Monday", date(2022, 2, 28), "DATE"),
                                            ("Wednesday", date(2022, 3, 2), "DATE")))
    assert days(got["abduction"]) == (date(2022, 3, 2), date(2022, 3, 2))


@pytest.mark.model
def test_calendar_date_wins_over_a_bare_clock_time(nlp):
    text = ("As reported, on March 1, at roughly 08:45, amid heavy shelling of Kherson, "
            "a shell hit the school.")
    got = dates_by_type(nlp, text, timexes=(("March 1", date(2022, 3, 1), "DATE"), ("08:45", PUB, "TIME")))
    assert days(got["shelling"]) == (date(2022, 3, 1), date(2022, 3, 1))  # "as reported" dates no report


@pytest.mark.model
def test_as_of_with_a_clock_time_is_an_upper_bound(nlp):
    text = "As of 14:00 on March 3, a missile strike had destroyed the hospital in Kharkiv."
    got = dates_by_type(nlp, text, places=("Kharkiv",), timexes=(("March 3", date(2022, 3, 3), "DATE"),))
    assert days(got["shelling"]) == (WAR, date(2022, 3, 3))


@pytest.mark.model
@pytest.mark.parametrize(("text", "day", "expected"), [
    # present perfect after a dated sentence: from that date on
    ("On Tuesday soldiers detained the mayor of Kherson. The president has called on allies to demand his release.",
     ("Tuesday", date(2022, 3, 1)),
     {"abduction": (date(2022, 3, 1), date(2022, 3, 1)), "diplomacy": (date(2022, 3, 1), PUB)}),
    # a refusal told with the kidnapping it led to ends by the kidnapping's date (assembly.yaml ends_by)
    ("Soldiers kidnapped Oleh Marchenko, the mayor of Kherson, who refused to cooperate with them. "
     "The soldiers abducted Marchenko at the town hall on Wednesday.", ("Wednesday", date(2022, 3, 2)),
     {"abduction": (date(2022, 3, 2), date(2022, 3, 2)), "noncooperation": (WAR, date(2022, 3, 2))}),
    # ... but not one told in another sentence
    ("The mayor of Kherson refused to cooperate with the occupiers. "
     "Soldiers abducted the mayor of Kherson at the town hall on Wednesday.", ("Wednesday", date(2022, 3, 2)),
     {"noncooperation": (WAR, PUB)}),
])
def test_dates_across_the_events_of_a_story(nlp, text: str, day: tuple[str, date],
                                            expected: dict[str, tuple[date, date]]):
    got = dates_by_type(nlp, text, timexes=((day[0], day[1], "DATE"),))
    assert {t: days(got[t]) for t in expected} == expected


# ------------------------------------------------------------------- defaults


@pytest.mark.model
def test_ongoing_event_is_not_dated_by_its_present_tense(nlp):
    got = dates_by_type(nlp, "A long military convoy continues to advance towards Kherson.")
    start, end, rule = got["military_movement"]
    assert (start, end) == (WAR, PUB) and rule is not None and "ongoing" in rule


@pytest.mark.model
def test_one_sentence_lede_with_full_stop_is_not_a_title(nlp):
    text = "Russian shelling has destroyed a school in Kharkiv.\n\nThe city council asked residents to stay home."
    got = dates_by_type(nlp, text, places=("Kharkiv",))
    assert days(got["shelling"]) == (WAR, PUB)


@pytest.mark.model
def test_title_line_without_full_stop_is_recent(nlp):
    text = "Troops shelled Kharkiv\n\nThe city council asked residents to stay home."
    got = dates_by_type(nlp, text, places=("Kharkiv",))
    assert days(got["shelling"]) == (date(2022, 3, 3), PUB)


def test_clock_time_detection():
    def tx(text: str, kind: str = "TIME") -> Timex:
        return Timex(start=0, end=len(text), text=text, type=kind, value="x")  # type: ignore[arg-type]

    assert is_clock_time(tx("08:45")) and is_clock_time(tx("at about 5 pm")) and is_clock_time(tx("14.00"))
    assert not is_clock_time(tx("Sunday morning")) and not is_clock_time(tx("This morning"))
    assert not is_clock_time(tx("March 1", "DATE"))


def test_date_word_lists_load_from_yaml():
    _, defaults = load_anchors()
    assert {"after", "against"} <= defaults.prior_words
    assert "protest" in defaults.prior_governors and "continue" in defaults.ongoing_verbs


# ------------------------------------------------------------------- issue 3 end to end (real timex stage)


@pytest.mark.model
@pytest.mark.parametrize(("sentence", "expected"), [
    ("Soldiers detained the mayor of Kherson on Wednesday.", (date(2022, 3, 2), date(2022, 3, 2))),
    ("Soldiers detained the mayor of Kherson last week.", (date(2022, 2, 21), date(2022, 2, 27))),
    ("Soldiers detained the mayor of Kherson three days ago.", (date(2022, 3, 1), date(2022, 3, 1))),
    ("Earlier Wednesday, soldiers detained the mayor of Kherson.", (date(2022, 3, 2), date(2022, 3, 2))),
    ("Soldiers seized the town hall in Kherson on the seventh day of the war.", (date(2022, 3, 2), date(2022, 3, 2))),
    ("Residents of Kherson have protested every day since the city was occupied.", (WAR, PUB)),
    ("A video shared on Tuesday shows residents blocking tanks in Kherson.", (WAR, date(2022, 3, 1))),
    ("Officials said on Wednesday that troops fired on protesters in Kherson.", (WAR, date(2022, 3, 2))),
    ("A video shows residents blocking tanks in Kherson. It is unclear when the footage was recorded.", (WAR, PUB)),
    # "now" dates the clause it sits in (where the soldiers are), not the rally
    ("Residents of Kherson rallied outside the school where the soldiers have now set up camp.", (WAR, PUB)),
])
def test_issue3_date_requirements_end_to_end(nlp, sentence: str, expected: tuple[date, date]):
    from vigil.timex import annotate_timexes

    art = annotate_timexes(build(nlp, sentence))
    events = assemble_events(art, finders=null_finders())
    assert events, sentence
    assert (events[0].date.start, events[0].date.end) == expected


@pytest.mark.model
@pytest.mark.parametrize(("text", "expected"), [
    # a title with a full stop, then a dateline: a title (recent), not a lede (any day since the war began)
    ("Russian forces hit the Kherson council building.\nMarch 4, 2022 09:15 am\n"
     "Rescuers are still searching the rubble for survivors.", (date(2022, 3, 3), PUB)),
    # without the dateline the same line is a one-sentence lede
    ("Russian forces hit the Kherson council building.\n"
     "Rescuers are still searching the rubble for survivors.", (WAR, PUB)),
])
def test_title_line_before_a_dateline(nlp, text: str, expected: tuple[date, date]):
    from vigil.timex import annotate_timexes

    events = assemble_events(annotate_timexes(build(nlp, text)), finders=null_finders())
    assert [(e.type, e.date.start, e.date.end) for e in events] == [("shelling", *expected)]


@pytest.mark.model
def test_a_date_of_the_mentions_own_sentence_beats_a_borrowed_one(nlp):
    # the byline's "2 hours ago" reaches the next sentence; the video's own date bounds the same blockade
    text = ("Updated 2 hours ago. Villagers near Kherson stopped the tanks. "
            "A video posted on Thursday shows villagers near Kherson blocking the tanks.")
    got = dates_by_type(nlp, text, timexes=(("2 hours ago", PUB, "TIME"), ("on Thursday", date(2022, 3, 3), "DATE")))
    assert days(got["obstruction"]) == (WAR, date(2022, 3, 3))
