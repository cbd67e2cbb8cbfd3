"""Modality: asserted, reported, claimed, unverified, denied (our own invented sentences)."""

from __future__ import annotations

import pytest

from vigil.extract.modality import find_modality, load_modality_rules
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Article, Sentence, Span


def _parsed(nlp, raw: str) -> tuple[Article, Sentence, Span]:
    from vigil.nlp import parse_article

    s = raw.index("[")
    e = raw.index("]") - 1
    text = raw.replace("[", "").replace("]", "")
    art = parse_article(Article(id="m1", text=text), nlp)
    sent = next(x for x in art.sentences if x.start <= s < x.end)
    return art, sent, Span(doc_id="m1", start=s, end=e, text=text[s:e], sentence=sent.i)


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "modality"),
    [
        ("Soldiers [detained] the mayor on Friday.", "asserted"),
        ("Soldiers [detained] the mayor on Friday, his deputy said.", "reported"),
        ("Residents who [protested] said they would come back.", "asserted"),
        ("According to the governor, troops [entered] the village.", "reported"),
        ("The Russian defence ministry said its troops had [taken] the port.", "claimed"),
        ("The army claims it has [captured] the airfield.", "claimed"),
        ("The ministry denied that its troops had [shelled] the hospital.", "denied"),
        ("A video appears to show residents [blocking] a convoy. The footage could not be independently verified.",
         "unverified"),
        ("Soldiers allegedly [abducted] the village head.", "reported"),
        ("Police have [detained] 300 people after the vote, a rights group said Friday.", "reported"),
    ],
)
def test_find_modality_values(nlp, sentence: str, modality: str) -> None:
    art, sent, trig = _parsed(nlp, sentence)
    got, span = find_modality(art, sent, trig)
    assert got == modality
    assert (span is None) == (modality == "asserted")
    if span is not None:
        assert art.text[span.start : span.end] == span.text


@pytest.mark.model
def test_find_modality_unparsed_sentence_uses_text(nlp) -> None:
    art, sent, trig = _parsed(nlp, "Troops [detained] two priests, the governor said.")
    bare = sent.model_copy(update={"tokens": [], "parsed": False})
    art = art.model_copy(update={"sentences": [bare]})
    assert find_modality(art, bare, trig)[0] == "reported"


def test_find_modality_empty_text_is_asserted() -> None:
    art = Article(id="e", text="", sentences=[Sentence(i=0, start=0, end=0)])
    assert find_modality(art, art.sentences[0], Span(doc_id="e", start=0, end=0, text="")) == ("asserted", None)


def test_modality_rules_sorted_by_severity() -> None:
    prios = [r.priority for r in load_modality_rules()]
    assert prios == sorted(prios)


_RULES = load_rule_file(str(rules_dir("extract") / "modality.yaml"))["rules"]
_CASES = [
    (r["id"], outcome, ex)
    for r in _RULES
    for outcome in ("match", "no_match")
    for ex in (r.get("examples") or {}).get(outcome) or []
]


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "outcome", "example"), _CASES)
def test_modality_rule_examples(nlp, rule_id: str, outcome: str, example: str) -> None:
    art, sent, trig = _parsed(nlp, example)
    _mod, span = find_modality(art, sent, trig)
    got = span is not None and span.provenance.endswith(":" + rule_id)
    assert got == (outcome == "match")
