"""Claims: attributed tallies and counts that are not events (our own invented sentences)."""

from __future__ import annotations

import pytest

from vigil.extract.claims import find_claims
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Article


def _parsed(nlp, text: str) -> Article:
    from vigil.nlp import parse_article

    return parse_article(Article(id="c1", text=text), nlp)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A rights group said more than 900 people had been detained at rallies across the country.",
         ("detentions", 900, "more than", "A rights group", None)),
        ("According to the regional council, at least 40 civilians have died in the city.",
         ("civilian_deaths", 40, "at least", "the regional council", None)),
        ("Some 2.5 million people have fled abroad, the agency said.",
         ("refugees", 2500000, "some", "the agency", None)),
        ("The clip has been viewed more than 3 million times.", ("views", 3000000, "more than", None, None)),
        ("The council said 60 civilians had died. The figure could not be independently verified.",
         ("civilian_deaths", 60, None, "The council", False)),
        ("More than 1,300 soldiers have been killed since the war began, the general staff said.",
         ("military_deaths", 1300, "more than", "the general staff", None)),
    ],
)
def test_find_claims_fields(nlp, text: str, expected: tuple) -> None:
    art = _parsed(nlp, text)
    claims = find_claims(art)
    assert [(c.kind, c.value, c.qualifier, c.source, c.verified) for c in claims] == [expected]
    ev = claims[0].evidence
    assert art.text[ev.start : ev.end] == ev.text


@pytest.mark.model
def test_find_claims_unattributed_death_count_is_not_a_claim(nlp) -> None:
    assert find_claims(_parsed(nlp, "Twelve people were killed when a shell hit the market.")) == []


def test_find_claims_empty_article() -> None:
    assert find_claims(Article(id="e", text="")) == []


_RULES = load_rule_file(str(rules_dir("extract") / "claims.yaml"))["rules"]
_CASES = [
    (r["id"], outcome, ex)
    for r in _RULES
    for outcome in ("match", "no_match")
    for ex in (r.get("examples") or {}).get(outcome) or []
]


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "outcome", "example"), _CASES)
def test_claims_rule_examples(nlp, rule_id: str, outcome: str, example: str) -> None:
    rule = next(r for r in _RULES if r["id"] == rule_id)
    claims = find_claims(_parsed(nlp, example))
    if rule["kind"] == "claim":
        got = any(c.evidence.provenance.endswith(":" + rule_id) for c in claims)
    elif rule["kind"] == "source":
        got = any(c.source is not None for c in claims)
    else:
        got = any(c.verified is False for c in claims)
    assert got == (outcome == "match")
