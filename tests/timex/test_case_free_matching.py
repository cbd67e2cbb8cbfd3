"""Rules that do not depend on case run on the lower-cased text (a speed measure): they must find
exactly what the case-insensitive pattern finds on the original text, at the same offsets."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.ruleset import load_stage_rules
from vigil.timex import find_timexes
from vigil.timex.finder import _grammar, _lower
from vigil.timex.grammar import lower_case_twin

DCT = date(2022, 3, 4)


def _sentences() -> list[str]:
    out: list[str] = []
    for data in load_stage_rules("timex").values():
        for rule in data.get("rules") or []:
            ex = rule.get("examples") or {}
            out += [s for s in (ex.get("match") or []) + (ex.get("no_match") or []) if isinstance(s, str)]
    return out


SENTENCES = _sentences()


def _variants(s: str) -> list[str]:
    return [s, s.upper(), s.title(), s.swapcase()]


def test_most_rules_have_a_lower_case_twin() -> None:
    rules = _grammar(None).rules
    twins = [r for r in rules if r.lower_regex is not None]
    assert len(twins) >= len(rules) // 2


def test_a_case_sensitive_part_or_an_upper_case_letter_keeps_the_original_pattern() -> None:
    assert lower_case_twin(r"(?-i:May)\s+\d+") is None
    assert lower_case_twin(r"[A-Z][a-z]+ \d{4}") is None
    assert lower_case_twin(r"(?P<year>\d{4})\s+days?\b") is not None  # group names and escapes are not text
    assert lower_case_twin(r"\Bweek\S*") is not None


def test_lowering_keeps_every_offset() -> None:
    text = "İstanbul, Straße, ΣΟΦΊΑ on Monday"
    low = _lower(text)
    assert len(low) == len(text)
    assert low.endswith("on monday")
    assert low[0] == "İ"  # its lower case is two characters: kept as it is


@pytest.mark.parametrize("sentence", SENTENCES[:400])
def test_twin_finds_what_the_pattern_finds(sentence: str) -> None:
    for text in _variants(sentence):
        low = _lower(text)
        for rule in _grammar(None).rules:
            if rule.lower_regex is None:
                continue
            want = [m.span() for m in rule.regex.finditer(text)]
            got = [m.span() for m in rule.lower_regex.finditer(low)]
            assert got == want, (rule.id, text)


def test_shouting_headline_resolves_like_the_sentence() -> None:
    text = "Crowds blocked the convoy three days ago and marched again on Wednesday"
    want = [(t.start, t.end, t.value) for t in find_timexes(text, DCT)]
    assert [v for _, _, v in want] == ["2022-03-01", "2022-03-02"]
    assert [(t.start, t.end, t.value) for t in find_timexes(text.upper(), DCT)] == want


@given(st.text(alphabet=st.sampled_from(list("aAbBİıßẞσΣ 0123456789.,:-'MonDAYjanuary")), max_size=60))
def test_twins_agree_on_any_text(text: str) -> None:
    low = _lower(text)
    assert len(low) == len(text)
    for rule in _grammar(None).rules:
        if rule.lower_regex is not None:
            assert [m.span() for m in rule.lower_regex.finditer(low)] == [m.span() for m in rule.regex.finditer(text)]
