"""Numbers: parsing, crowd sizes and casualty counts (our own invented sentences)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.extract.numbers import (
    Casualties,
    find_casualties,
    find_crowd,
    find_numbers,
    load_number_lexicon,
    parse_number,
)
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Article, Sentence, Span


def _raw(raw: str) -> tuple[Article, Sentence, Span]:
    """An unparsed one-sentence article; "[word]" marks the trigger (the root of the sentence if absent)."""
    if "[" in raw:
        s = raw.index("[")
        e = raw.index("]") - 1
        text = raw.replace("[", "").replace("]", "")
    else:
        text, s, e = raw, 0, min(1, len(raw))
    art = Article(id="n1", text=text, sentences=[Sentence(i=0, start=0, end=len(text))])
    return art, art.sentences[0], Span(doc_id="n1", start=s, end=e, text=text[s:e])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2,000", 2000),
        ("1.5 million", 1500000),
        ("twenty-five", 25),
        ("three hundred", 300),
        ("a dozen", 12),
        ("two dozen", 24),
        ("4 thousand", 4000),
        ("several", None),
        ("", None),
        ("9" * 50, None),
        ("thousand", 1000),
    ],
)
def test_parse_number_values(text: str, value: int | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("sentence", "low", "high"),
    [
        ("More than 300 residents [gathered] outside the town hall.", 300, None),
        ("About 500 protesters [marched] through the old town.", 500, 500),
        ("Up to 1,000 people [rallied] in the port city.", None, 1000),
        ("Between 200 and 300 villagers [blocked] the bridge.", 200, 300),
        ("Dozens of pensioners [stood] in front of the trucks.", 24, 99),
        ("Several hundred students [marched] to the theatre.", 200, 999),
        ("Tens of thousands of people [rallied] across the capital.", 20000, 99999),
        ("Hundreds [took] to the streets of the port city.", 200, 999),
        ("Thousands of women [gathered] on the embankment.", 2000, 9999),
        ("A crowd of 2,000 people [marched] on the square.", 2000, 2000),
        ("A large crowd [gathered] outside the occupied city hall.", None, None),
    ],
)
def test_find_crowd_bounds(sentence: str, low: int | None, high: int | None) -> None:
    art, sent, trig = _raw(sentence)
    crowd = find_crowd(art, sent, trig)
    assert crowd is not None
    assert (crowd.low, crowd.high) == (low, high)
    assert crowd.evidence is not None
    assert art.text[crowd.evidence.start : crowd.evidence.end] == crowd.text


@pytest.mark.parametrize(
    "sentence",
    [
        "About 200 people were detained after the [protest] in the square.",
        "Residents [rallied] on 2 March 2022 near the statue.",
        "Residents [rallied] to demand the return of $2 million in wages.",
        "At least 30 people were killed when the market was [shelled].",
        "Residents [rallied] in the square at 14:00 on Sunday.",
    ],
)
def test_find_crowd_ignores_non_participant_numbers(sentence: str) -> None:
    art, sent, trig = _raw(sentence)
    assert find_crowd(art, sent, trig) is None


def test_find_crowd_prefers_number_nearest_trigger() -> None:
    art, sent, trig = _raw("Last week 50 people rallied; on Sunday about 400 residents [marched] to the port.")
    crowd = find_crowd(art, sent, trig)
    assert crowd is not None and crowd.low == 400


@pytest.mark.parametrize(
    ("sentence", "fatalities", "injuries"),
    [
        ("The rocket [strike] killed five people in the northern district.", 5, None),
        ("At least 12 civilians were killed when shells [hit] the bus station.", 12, None),
        ("A man was shot dead when soldiers [opened fire] near the bridge.", 1, None),
        ("The [shelling] left three dead and eleven wounded.", 3, 11),
        ("The [attack] killed 5 people and wounded 12 others.", 5, 12),
        ("Seven people were killed and 20 injured in the [strike].", 7, 20),
        ("The death toll from the [strike] rose to 35 on Monday.", None, None),
        ("The death toll rose to 35 after the [strike].", 35, None),
        ("The [shelling] damaged 40 houses in the village.", None, None),
        ("The war in 2014 killed thousands, and troops [shelled] the town again.", None, None),
        ("Two people were injured when a missile [hit] the depot.", None, 2),
    ],
)
def test_find_casualties_counts(sentence: str, fatalities: int | None, injuries: int | None) -> None:
    art, sent, trig = _raw(sentence)
    cas = find_casualties(art, sent, trig)
    assert (cas.fatalities, cas.injuries) == (fatalities, injuries)
    for value, span in ((cas.fatalities, cas.fatalities_span), (cas.injuries, cas.injuries_span)):
        assert (value is None) == (span is None)
        if span is not None:
            assert art.text[span.start : span.end] == span.text


def test_find_casualties_empty_sentence_is_empty() -> None:
    art = Article(id="e", text="", sentences=[Sentence(i=0, start=0, end=0)])
    assert find_casualties(art, art.sentences[0], Span(doc_id="e", start=0, end=0, text="")) == Casualties()


def test_find_numbers_skips_years_and_times() -> None:
    values = [n.value for n in find_numbers("In 2014 at 14:00, 300 people and a dozen others")]
    assert values == [300, 12]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_parse_number_never_raises(text: str) -> None:
    value = parse_number(text)
    assert value is None or value >= 0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["more than", "up to", "about", "between", "and", "to", "-", "1,000", "5", "twenty", "hundreds",
             "dozens", "people", "protesters", "killed", "wounded", "9" * 30, "1.5 million", "tens of thousands",
             "of", "residents", "a", "ünïcode", "\u200b", "—"]
        ),
        max_size=12,
    )
)
def test_number_extractors_never_raise_and_keep_low_le_high(words: list[str]) -> None:
    text = " ".join(words)
    art, sent, trig = _raw(text)
    for n in find_numbers(text):
        if n.low is not None and n.high is not None:
            assert n.low <= n.high
    crowd = find_crowd(art, sent, trig)
    if crowd is not None and crowd.low is not None and crowd.high is not None:
        assert crowd.low <= crowd.high
    find_casualties(art, sent, trig)


# --- every example of numbers.yaml ----------------------------------------------------------------

_RULES = load_rule_file(str(rules_dir("extract") / "numbers.yaml"))["rules"]
_CASES = [
    (r["id"], r["kind"], outcome, ex)
    for r in _RULES
    for outcome in ("match", "no_match")
    for ex in (r.get("examples") or {}).get(outcome) or []
]


@pytest.mark.parametrize(("rule_id", "kind", "outcome", "example"), _CASES)
def test_numbers_rule_examples(rule_id: str, kind: str, outcome: str, example: str) -> None:
    want = outcome == "match"
    if kind == "number_words":
        assert (parse_number(example) is not None) == want
    elif kind in ("qualifier", "band"):
        hits = [n for n in find_numbers(example) if n.rule == rule_id]
        assert bool(hits) == want
    elif kind in ("crowd_nouns", "crowd_exclude", "crowd_vague"):
        art, sent, trig = _raw(example)
        crowd = find_crowd(art, sent, trig)
        if kind == "crowd_vague":
            got = crowd is not None and crowd.evidence is not None and crowd.evidence.provenance.endswith(rule_id)
        elif kind == "crowd_exclude":
            got = crowd is None
        else:
            got = crowd is not None
        assert got == want
    elif kind in ("fatality", "injury"):
        art, sent, trig = _raw(example)
        cas = find_casualties(art, sent, trig)
        value = cas.fatalities if kind == "fatality" else cas.injuries
        assert (value is not None) == want
    else:
        pytest.fail(f"no example check for rule kind {kind!r}")


def test_number_lexicon_loads_bands_in_order() -> None:
    lex = load_number_lexicon()
    assert all(low <= high for _p, low, high, _r in lex.bands)
    assert "people" in lex.crowd_nouns
