"""Every rule of the fuse rule files runs its own examples."""

from __future__ import annotations

import pytest

from vigil.fuse.clusters import capitalized_names, generic_names
from vigil.ruleset import load_stage_rules

RULES = [(stem, rule) for stem, data in load_stage_rules("fuse").items() for rule in data.get("rules") or []]


def _inner_capitalized(sentence: str) -> set[str]:
    words = sentence.replace(",", " ").replace(".", " ").split()
    return {w.lower() for w in words[1:] if w[:1].isupper()}


@pytest.mark.parametrize(("stem", "rule"), RULES, ids=[f"{s}:{r['id']}" for s, r in RULES])
def test_rules_fuse_examples(stem, rule):
    words = {str(w).lower() for w in rule["words"]}
    for sentence in rule["examples"]["match"]:
        hit = _inner_capitalized(sentence) & words
        assert hit, f"{rule['id']}: no word of the rule in {sentence!r}"
        assert not hit & capitalized_names(sentence), f"{rule['id']}: {hit} still counted as a name"
    for sentence in rule["examples"]["no_match"]:
        assert not _inner_capitalized(sentence) & words, f"{rule['id']}: {sentence!r} holds a word of the rule"


def test_rules_fuse_generic_names_loaded():
    assert {"russian", "tuesday", "telegram"} <= generic_names()


def test_capitalized_names_keeps_people_and_skips_first_word():
    assert capitalized_names("Soldiers took Mayor Oksana Hrytsenko away, a Russian officer said.") == {
        "oksana", "hrytsenko"}
    assert capitalized_names("") == set()
