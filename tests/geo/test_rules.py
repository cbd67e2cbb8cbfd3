"""Every geo rule's own examples: ``match`` sentences make the rule fire, ``no_match`` ones do not."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache

import pytest

from vigil.geo import Gazetteer, geoparse_article, load_gazetteer
from vigil.ruleset import load_stage_rules
from vigil.schema import Article


@lru_cache(maxsize=1)
def _gaz() -> Gazetteer:
    return load_gazetteer()


def _cases() -> list[tuple[str, str, str, bool]]:
    out = []
    for stem, data in load_stage_rules("geo").items():
        for rule in data.get("rules") or []:
            ex = rule.get("examples") or {}
            out += [(stem, rule["id"], s, True) for s in ex.get("match") or []]
            out += [(stem, rule["id"], s, False) for s in ex.get("no_match") or []]
    return out


def _rule(stem: str, rule_id: str) -> dict:
    return next(r for r in load_stage_rules("geo")[stem]["rules"] if r["id"] == rule_id)


def _fires(stem: str, rule: dict, article: Article) -> bool:
    places, text = article.places, article.text
    if stem == "variants":
        return any(p.resolved and p.name == rule["canonical"] for p in places)
    if stem == "regions" and rule.get("position") == "list":  # each listed name is its own county
        return sum(p.precision == "admin2" and p.name.endswith((" County", " Parish")) for p in places) >= 2
    if stem == "regions":
        words = {w.lower() for w in rule["words"]}
        return any(p.precision == rule["precision"] and p.text.split()[-1].lower() in words for p in places)
    if stem in ("demonyms", "stopwords"):
        present = [w for w in rule["words"] if re.search(rf"\b{re.escape(w)}\b", text)]
        return bool(present) and not any(p.text in present for p in places)
    if stem == "cues" and rule.get("position") == "context":
        people = {(m.start, m.end) for m in article.entities if m.label == "PERSON"}
        return any((p.start, p.end) in people and p.resolved for p in places)
    if stem == "cues":
        words = {w.lower() for w in rule["words"] + rule.get("modifiers", [])}
        for p in places:
            if rule.get("position") == "org_head":  # the head may come after two more capitalised words
                nxt = re.findall(r"\w+", text[p.end:])[:3]
                if any(w.lower() in words for w in nxt):
                    return True
                continue
            elif rule.get("position") == "after":
                m = re.match(r"\s+(\w+)", text[p.end:])
            else:
                m = re.search(r"(\w+)\s+$", text[:p.start])
            if m and m.group(1).lower() in words:
                return True
        return False
    raise AssertionError(f"no example check for rule file {stem}.yaml")


def test_rule_files_all_have_examples() -> None:
    for stem, data in load_stage_rules("geo").items():
        for rule in data["rules"]:
            assert rule.get("examples", {}).get("match"), f"{stem}:{rule['id']} has no match example"
            assert rule.get("examples", {}).get("no_match"), f"{stem}:{rule['id']} has no no_match example"


@pytest.mark.model
@pytest.mark.parametrize(("stem", "rule_id", "sentence", "expected"), _cases())
def test_rule_examples(nlp, stem: str, rule_id: str, sentence: str, expected: bool) -> None:
    from vigil.nlp import parse_article

    if _rule(stem, rule_id).get("position") == "list" and expected and importlib.util.find_spec("zipcodes") is None:
        pytest.skip("US counties come from the optional 'zipcodes' package")
    article = geoparse_article(parse_article(Article(id="ex", text=sentence), nlp), _gaz())
    got = _fires(stem, _rule(stem, rule_id), article)
    assert got is expected, [(p.text, p.name, p.precision) for p in article.places]
