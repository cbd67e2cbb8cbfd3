"""Every example sentence in vigil/rules/timex/en/*.yaml runs as a test (our own sentences).

Publication-date count rules (``kind: dct_count``): ``match`` infers a date by that rule.
Pattern rules: each ``match`` example yields a timex produced by that rule, each ``no_match``
none. Lexicon groups: ``match`` yields some timex, ``no_match`` none at all. Anchors: the
example yields (or not) a timex from an ``anchor.*`` rule. Relation cues: the example yields
(or not) a timex with that relation (``future``, and ``abbreviation`` with a future cue across
it: resolved after the DCT; ``past`` and ``speech``: on or before it despite a future cue;
``range``: joined).
"""

from __future__ import annotations

from datetime import date

import pytest

from vigil.ruleset import load_stage_rules
from vigil.schema import Timex
from vigil.timex import find_timexes, infer_dct

DCT = date(2022, 3, 4)  # a Friday


def _cases() -> list[tuple[str, dict, str, bool]]:
    out = []
    for stem, data in load_stage_rules("timex").items():
        for rule in data.get("rules") or []:
            ex = rule.get("examples") or {}
            for s in ex.get("match") or []:
                out.append((stem, rule, s, True))
            for s in ex.get("no_match") or []:
                out.append((stem, rule, s, False))
    return out


CASES = _cases()


def _hit(rule: dict, found: list[Timex]) -> bool:
    if "pattern" in rule:
        return any(t.rule == rule["id"] for t in found)
    if rule.get("kind") == "anchor":
        return any((t.rule or "").startswith("anchor.") for t in found)
    rel = rule.get("relation")
    if rel in ("future", "abbreviation"):  # a future cue across an abbreviation still counts
        return any(t.interval is not None and t.interval.start is not None and t.interval.start > DCT
                   for t in found)
    if rel in ("past", "speech", "past_tense"):  # the expression stays on or before the DCT despite a future cue
        return any(t.interval is not None and t.interval.end is not None and t.interval.end <= DCT
                   for t in found)
    if rel == "range":
        return any(t.rule == rule["id"] for t in found)
    if rel:
        return any(t.relation == rel for t in found)
    return bool(found)


def test_rule_examples_exist() -> None:
    assert len(CASES) > 100
    ids = [r["id"] for _, r, _, _ in CASES]
    assert all(ids.count(i) >= 2 for i in set(ids)), "every rule needs a match and a no_match example"


@pytest.mark.parametrize(("stem", "rule", "sentence", "should"), CASES,
                         ids=[f"{c[1]['id']}-{'match' if c[3] else 'no'}-{n}" for n, c in enumerate(CASES)])
def test_rule_examples_behave(stem: str, rule: dict, sentence: str, should: bool) -> None:
    if rule.get("kind") == "dct_count":  # publication-date inference for undated texts
        assert (rule["id"] in infer_dct(sentence).reason) is should, infer_dct(sentence)
        return
    found = find_timexes(sentence, DCT)
    got = [(t.text, t.rule, t.value, t.relation) for t in found]
    assert _hit(rule, found) is should, f"{stem}.yaml {rule['id']}: {sentence!r} -> {got}"
