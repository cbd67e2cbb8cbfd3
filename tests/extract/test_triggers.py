"""Trigger rules: loading, validation, matching on parsed and unparsed sentences, every rule's examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.errors import RuleError
from vigil.extract.triggers import load_trigger_rules, match_triggers, named_people, parse_trigger_rule
from vigil.nlp import parse_article
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import EVENT_TYPES, Article, Sentence

TRIGGER_FILE = rules_dir("extract") / "triggers.yaml"


def _examples(kind: str) -> list[tuple[str, str]]:
    data = load_rule_file(str(TRIGGER_FILE))
    return [(r["id"], s) for r in data["rules"] for s in (r.get("examples") or {}).get(kind, [])]


def _hit_rule_ids(nlp, text: str) -> set[str]:
    art = parse_article(Article(id="t", text=text), nlp)
    rules = load_trigger_rules()
    people = named_people(art.entities)
    return {h.rule.id for s in art.sentences for h in match_triggers(s, art.text, rules, people)}


def test_load_trigger_rules_covers_all_conflict_types():
    types = {r.type for r in load_trigger_rules()}
    assert set(EVENT_TYPES) - {"other"} <= types


def test_load_trigger_rules_ids_unique_across_files():
    ids = [r.id for r in load_trigger_rules()]
    assert len(ids) == len(set(ids))


def test_load_trigger_rules_every_rule_has_examples():
    data = load_rule_file(str(TRIGGER_FILE))
    for r in data["rules"]:
        assert r["examples"]["match"], r["id"]
        assert r["examples"]["no_match"], r["id"]


def test_parse_trigger_rule_rejects_unknown_type():
    with pytest.raises(RuleError, match="unknown type"):
        parse_trigger_rule({"id": "x", "type": "picnic", "lemmas": ["eat"]}, source="t.yaml")


def test_parse_trigger_rule_rejects_unknown_sub_event():
    with pytest.raises(RuleError, match="sub_event_type"):
        parse_trigger_rule({"id": "x", "type": "other", "sub_event_type": "Picnic", "lemmas": ["eat"]},
                           source="t.yaml")


def test_parse_trigger_rule_rejects_empty_rule():
    with pytest.raises(RuleError, match="needs 'lemmas' or 'phrases'"):
        parse_trigger_rule({"id": "x", "type": "protest"}, source="t.yaml")


def test_parse_trigger_rule_rejects_bad_pos():
    with pytest.raises(RuleError, match="POS"):
        parse_trigger_rule({"id": "x", "type": "protest", "lemmas": ["rally"], "pos": ["VERBISH"]}, source="t")


def test_match_triggers_unparsed_sentence_uses_raw_text():
    text = "Villagers rallied outside the school. Nothing else happened."
    sent = Sentence(i=0, start=0, end=36, parsed=False)
    hits = match_triggers(sent, text, load_trigger_rules())
    assert any(h.rule.type == "protest" and text[h.start:h.end] == h.text == "rallied" for h in hits)


def test_match_triggers_unparsed_respects_excludes():
    text = "Stock markets staged a rally on Tuesday."
    sent = Sentence(i=0, start=0, end=len(text), parsed=False)
    assert not [h for h in match_triggers(sent, text, load_trigger_rules()) if h.rule.type == "protest"]


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "🙂🙂🙂", "a" * 5000])
def test_match_triggers_weird_input_does_not_crash(text: str):
    sent = Sentence(i=0, start=0, end=len(text), parsed=False)
    assert isinstance(match_triggers(sent, text, load_trigger_rules()), list)


def test_match_triggers_empty_rules():
    sent = Sentence(i=0, start=0, end=5, parsed=False)
    assert match_triggers(sent, "rally", ()) == []


@pytest.mark.model
def test_match_triggers_offsets_point_into_text(nlp):
    text = "Residents took to the streets of Kherson. Soldiers shelled the port."
    art = parse_article(Article(id="t", text=text), nlp)
    hits = [h for s in art.sentences for h in match_triggers(s, art.text, load_trigger_rules())]
    assert {h.rule.type for h in hits} >= {"protest", "shelling"}
    for h in hits:
        assert text[h.start:h.end] == h.text
    assert any(h.text == "took to the streets" for h in hits)


@pytest.mark.model
def test_match_triggers_month_march_is_not_protest(nlp):
    assert not {"protest-noun", "protest-march-verb"} & _hit_rule_ids(nlp, "The decree was signed in March.")


@pytest.mark.model
def test_match_triggers_labour_strike_is_noncooperation(nlp):
    ids = _hit_rule_ids(nlp, "Teachers in the town went on strike against the new curriculum.")
    assert "noncoop-strike" in ids and "shelling-strike" not in ids


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "sentence"), _examples("match"))
def test_trigger_rule_examples_match(nlp, rule_id: str, sentence: str):
    assert rule_id in _hit_rule_ids(nlp, sentence)


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "sentence"), _examples("no_match"))
def test_trigger_rule_examples_no_match(nlp, rule_id: str, sentence: str):
    assert rule_id not in _hit_rule_ids(nlp, sentence)


def test_trigger_file_exists():
    assert Path(TRIGGER_FILE).is_file()


@pytest.mark.model
def test_match_triggers_split_particle_phrase(nlp):
    ids = _hit_rule_ids(nlp, "Villagers pushed the armoured vehicles back towards the forest.")
    assert "obstruction-push-back" in ids


@pytest.mark.model
def test_match_triggers_subject_excludes_occupiers_blocking(nlp):
    assert "obstruction-block" not in _hit_rule_ids(nlp, "Russian soldiers blocked the road out of the village.")
    assert "obstruction-block" in _hit_rule_ids(nlp, "Farmers blocked the road out of the village with tractors.")


@pytest.mark.model
def test_match_triggers_requires_also_needs_a_perpetrator(nlp):
    assert "attack-civilians-verb" not in _hit_rule_ids(nlp, "Two women were injured in a car accident.")
    assert "attack-civilians-verb" in _hit_rule_ids(nlp, "Soldiers shot two women at a checkpoint.")


def test_parse_trigger_rule_reads_syntax_keys():
    r = parse_trigger_rule({"id": "x", "type": "obstruction", "lemmas": ["block"], "subject_any": ["Farmer"],
                            "object_ents": ["person"]}, source="t.yaml")
    assert r.subject_any == frozenset({"farmer"}) and r.object_ents == frozenset({"PERSON"})


def _tokens(words: list[tuple[str, str, str, int, str]]) -> tuple[str, Sentence]:
    """A hand-parsed sentence: (text, lemma, dep, head, ent_type) per word, single spaces."""
    from vigil.schema import Token

    toks, pos, text = [], 0, ""
    for i, (w, lemma, dep, head, ent) in enumerate(words):
        toks.append(Token(i=i, text=w, start=pos, ws=" ", lemma=lemma, dep=dep, head=head, ent_type=ent,
                          pos="VERB" if dep == "ROOT" else "PROPN" if ent else "NOUN"))
        text += w + " "
        pos += len(w) + 1
    return text, Sentence(i=0, start=0, end=len(text), parsed=True, tokens=toks)


# "Soldiers seized Vesele": the NER called the town a person
_SEIZED = [("Soldiers", "soldier", "nsubj", 1, ""), ("seized", "seize", "ROOT", 1, ""),
           ("Vesele", "Vesele", "dobj", 1, "PERSON")]


def test_a_lone_person_label_is_trusted_only_for_a_name_the_article_gives_in_full():
    text, sent = _tokens(_SEIZED)
    rules = load_trigger_rules()

    def types(people):
        return {h.rule.id for h in match_triggers(sent, text, rules, people)}

    assert "abduction-armed-person" in types(None)  # the NER's label as it is
    assert "abduction-armed-person" not in types(frozenset())  # no full name "... Vesele" in the article
    assert "abduction-armed-person" in types(frozenset({"oleh", "vesele"}))
    plain = parse_trigger_rule({"id": "p", "type": "abduction", "lemmas": ["seize"], "object_ents": ["PERSON"]},
                               source="t")
    assert match_triggers(sent, text, [plain], frozenset())  # a rule without named_object takes the label


def test_named_people_takes_the_words_of_full_names_only():
    from vigil.schema import Mention

    ents = [Mention(start=0, end=14, text="Oleh Marchenko", label="PERSON"),
            Mention(start=20, end=28, text="Hostomel", label="PERSON"),
            Mention(start=30, end=44, text="Kyiv Oblast", label="GPE")]
    assert named_people(ents) == {"oleh", "marchenko"}
