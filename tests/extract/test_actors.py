"""Actors: kinds, sides and roles of the noun phrases around a trigger (our own invented sentences)."""

from __future__ import annotations

import pytest

from vigil.extract.actors import find_actors, load_actor_lexicon, speaker_subjects
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Article, Place, Sentence, Span

_PLACES = {"Kherson": "UA", "Dubove": "UA", "Tula": "RU"}


def _parsed(nlp, raw: str) -> tuple[Article, Sentence, Span]:
    """Parse ``raw`` ("[word]" marks the trigger); known town names get a test-double Place."""
    from vigil.nlp import parse_article

    s = raw.index("[")
    e = raw.index("]") - 1
    text = raw.replace("[", "").replace("]", "")
    places = [
        Place(start=text.index(n), end=text.index(n) + len(n), text=n, name=n, country=c)
        for n, c in _PLACES.items()
        if n in text
    ]
    art = parse_article(Article(id="a1", text=text, places=places), nlp)
    sent = next(x for x in art.sentences if x.start <= s < x.end)
    return art, sent, Span(doc_id="a1", start=s, end=e, text=text[s:e], sentence=sent.i)


def _unparsed(art: Article, sent: Sentence) -> tuple[Article, Sentence]:
    bare = sent.model_copy(update={"tokens": [], "parsed": False})
    return art.model_copy(update={"sentences": [bare]}), bare


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "etype", "expected"),
    [
        (
            "Hundreds of residents of Kherson [protested] against Russian soldiers on Monday.",
            "protest",
            [("Hundreds of residents of Kherson", "civilians", "UA", "initiator"),
             ("Russian soldiers", "military", "RU", "target")],
        ),
        (
            "Russian soldiers [detained] the mayor near the council building.",
            "abduction",
            [("Russian soldiers", "military", "RU", "initiator"), ("the mayor", "officials", None, "target")],
        ),
        (
            "Oleh Marchuk, the mayor of Dubove, was [detained] by Russian troops, officials said.",
            "abduction",
            [("Russian troops", "military", "RU", "initiator"),
             ("Oleh Marchuk, the mayor of Dubove", "officials", "UA", "target")],
        ),
        (
            "Riot police [detained] dozens of anti-war protesters in Tula.",
            "protest",
            [("dozens of anti-war protesters", "protesters", None, "initiator"),
             ("Riot police", "police", None, "target")],
        ),
        (
            "The occupiers [installed] a new mayor in the town.",
            "occupation_measure",
            [("The occupiers", "military", "RU", "initiator"), ("a new mayor", "officials", None, "initiator")],
        ),
        (
            "Armed men [seized] the town council building.",
            "territory_control",
            [("Armed men", "military", None, "initiator")],
        ),
        (
            "Soldiers seized the town hall after [detaining] the mayor.",
            "abduction",
            [("Soldiers", "military", None, "initiator"), ("the mayor", "officials", None, "target")],
        ),
        (
            "Police broke up the anti-war [protests] in the capital.",
            "protest",
            [("the anti-war protests in the capital", "protesters", None, "initiator"),
             ("Police", "police", None, "target")],
        ),
        (
            "Russia [shelled] the port through the night.",
            "shelling",
            [("Russia", "military", "RU", "initiator")],
        ),
    ],
)
def test_find_actors_kinds_sides_roles(nlp, sentence: str, etype: str, expected: list[tuple]) -> None:
    art, sent, trig = _parsed(nlp, sentence)
    actors = find_actors(art, sent, trig, etype)
    assert [(a.text, a.kind, a.side, a.role) for a in actors] == expected
    for a in actors:
        assert a.evidence is not None and art.text[a.evidence.start : a.evidence.end] == a.text


@pytest.mark.model
def test_find_actors_skips_quoted_source(nlp) -> None:
    art, sent, trig = _parsed(nlp, "Soldiers [detained] two teachers, local officials said.")
    assert all(a.kind != "officials" for a in find_actors(art, sent, trig, "abduction"))


@pytest.mark.model
def test_find_actors_unparsed_sentence_uses_lexicon(nlp) -> None:
    art, sent, trig = _parsed(nlp, "Villagers [blocked] Russian tanks on the road.")
    art, sent = _unparsed(art, sent)
    got = [(a.text, a.kind, a.side, a.role) for a in find_actors(art, sent, trig, "obstruction")]
    assert got == [("Villagers", "civilians", None, "initiator"), ("Russian tanks", "military", "RU", "target")]


@pytest.mark.model
def test_find_actors_names_known_person_from_elsewhere(nlp) -> None:
    from vigil.nlp import parse_article

    text = "Oleh Marchuk, the mayor of the town, refused to cooperate. On Friday soldiers detained Marchuk at home."
    art = parse_article(Article(id="p1", text=text), nlp)
    s = text.index("detained")
    sent = next(x for x in art.sentences if x.start <= s < x.end)
    trig = Span(doc_id="p1", start=s, end=s + 8, text="detained", sentence=sent.i)
    kinds = {(a.text, a.kind, a.role) for a in find_actors(art, sent, trig, "abduction")}
    assert ("Marchuk", "officials", "target") in kinds


def test_find_actors_empty_sentence_returns_nothing() -> None:
    art = Article(id="z", text="   ", sentences=[Sentence(i=0, start=0, end=3)])
    assert find_actors(art, art.sentences[0], Span(doc_id="z", start=0, end=1, text=" "), "protest") == []


# --- every example of actors.yaml -----------------------------------------------------------------

_RULES = load_rule_file(str(rules_dir("extract") / "actors.yaml"))["rules"]
_CASES = [
    (r["id"], outcome, ex)
    for r in _RULES
    for outcome in ("match", "no_match")
    for ex in (r.get("examples") or {}).get(outcome) or []
]


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "outcome", "example"), _CASES)
def test_actors_rule_examples(nlp, rule_id: str, outcome: str, example: str) -> None:
    rule = next(r for r in _RULES if r["id"] == rule_id)
    art, sent, trig = _parsed(nlp, example)
    want = outcome == "match"
    kind = rule["kind"]
    if kind == "speakers":
        from vigil.extract.numbers import trigger_token

        tok = trigger_token(sent, trig)
        got = bool(speaker_subjects(sent, load_actor_lexicon(), frozenset({tok.i}) if tok else frozenset()))
        assert got == want
        return
    etype = {"roles": (rule.get("event_types") or ["other"])[0], "trigger_modifier": "airstrike",
             "event_noun_actor": "protest"}.get(kind, "abduction")
    if kind == "kind" and "by_event_type" not in rule:
        etype = "obstruction"  # every kind has a role there, so every lexicon phrase is returned
    actors = find_actors(art, sent, trig, etype)
    if kind == "kind":
        got = any(a.evidence and a.evidence.provenance.endswith(":" + rule_id) for a in actors)
    elif kind == "side":
        got = any(a.side == rule["side"] for a in actors)
    elif kind == "side_from_place":
        got = any(a.side in rule["countries"] and a.kind in rule["actor_kinds"] for a in actors)
    elif kind == "roles":
        got = bool(actors)
    elif kind == "event_noun_actor":
        got = any(a.evidence and a.evidence.provenance.endswith(":" + rule_id) for a in actors)
    elif kind == "trigger_modifier":
        got = any(a.evidence and a.evidence.provenance.endswith(":" + rule_id) for a in actors)
    else:
        pytest.fail(f"no example check for rule kind {kind!r}")
    assert got == want
