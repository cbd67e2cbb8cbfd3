"""Interventions of forces in protests and obstructions (our own invented sentences)."""

from __future__ import annotations

import pytest

from vigil.extract.interventions import find_intervention
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Article, Sentence, Span


def _window(raw: str, parsed: list[tuple[int, int]] | None = None) -> tuple[Article, list[Sentence], Span]:
    """One paragraph split at ". " into unparsed sentences; "[word]" marks the trigger."""
    s = raw.index("[")
    e = raw.index("]") - 1
    text = raw.replace("[", "").replace("]", "")
    sents, start = [], 0
    for k, part in enumerate(text.split(". ")):
        end = start + len(part) + (1 if start + len(part) < len(text) else 0)
        sents.append(Sentence(i=k, start=start, end=min(end, len(text))))
        start = end + 1
    art = Article(id="i1", text=text, sentences=sents)
    first = next(x for x in sents if x.start <= s < x.end)
    window = [x for x in sents if x.i >= first.i][:3]
    return art, window, Span(doc_id="i1", start=s, end=e, text=text[s:e], sentence=first.i)


@pytest.mark.parametrize(
    ("paragraph", "etype", "intervention"),
    [
        ("Residents [rallied] in the square. Soldiers fired into the air to scare them.", "protest", "warning_shots"),
        ("Residents [rallied] in the square. Soldiers opened fire on the crowd.", "protest", "fired_on_crowd"),
        ("Residents [rallied] in the square. Troops threw stun grenades and fired in the air.", "protest",
         "warning_shots"),
        ("Police detained more than 300 people at the [rally] in the capital.", "protest", "detentions"),
        ("Villagers [blocked] the convoy. Soldiers beat two of them with rifle butts.", "obstruction",
         "physical_force"),
        ("Residents [protested] outside the town hall. Their mayor was detained on Friday.", "protest", None),
        ("Residents [rallied] in the square and sang the anthem.", "protest", None),
        ("Artillery [shelled] the square. Police detained two looters.", "shelling", None),
    ],
)
def test_find_intervention_values(paragraph: str, etype: str, intervention: str | None) -> None:
    art, window, trig = _window(paragraph)
    got, span = find_intervention(art, window, trig, etype)
    assert got == intervention
    assert (span is None) == (intervention is None)
    if span is not None:
        assert art.text[span.start : span.end] == span.text


def test_find_intervention_ignores_other_paragraph() -> None:
    art, window, trig = _window("Residents [rallied] in the square. Soldiers opened fire on the crowd.")
    window = [window[0], window[1].model_copy(update={"paragraph": 1})]
    assert find_intervention(art, window, trig, "protest") == (None, None)


def test_find_intervention_empty_window() -> None:
    art = Article(id="e", text="")
    assert find_intervention(art, [], Span(doc_id="e", start=0, end=0, text=""), "protest") == (None, None)


_RULES = load_rule_file(str(rules_dir("extract") / "interventions.yaml"))["rules"]
_CASES = [
    (r["id"], outcome, ex)
    for r in _RULES
    for outcome in ("match", "no_match")
    for ex in (r.get("examples") or {}).get(outcome) or []
]


@pytest.mark.parametrize(("rule_id", "outcome", "example"), _CASES)
def test_interventions_rule_examples(rule_id: str, outcome: str, example: str) -> None:
    rule = next(r for r in _RULES if r["id"] == rule_id)
    art, window, trig = _window(example)
    if rule["kind"] == "scope":
        etype = "protest" if outcome == "match" else "shelling"
        assert (find_intervention(art, window, trig, etype)[0] is not None) == (outcome == "match")
        return
    _iv, span = find_intervention(art, window, trig, "protest")
    got = span is not None and span.provenance.endswith(":" + rule_id)
    assert got == (outcome == "match")


@pytest.mark.parametrize(
    ("paragraph", "intervention"),
    [
        ("Residents [rallied] in the square. They sang. They chanted. Soldiers fired into the air over the crowd.",
         "warning_shots"),
        ("Residents [rallied] in the square. They sang. They chanted. Soldiers fired into the air near the bridge.",
         None),
    ],
)
def test_find_intervention_later_sentences_need_protest_words(paragraph: str, intervention: str | None) -> None:
    art, window, trig = _window(paragraph)
    assert find_intervention(art, window[:3], trig, "protest")[0] == intervention
