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
    if stem == "demonyms" and (rule.get("places") or rule.get("position") == "exclusion"):
        return _demonym_fires(rule, article)
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


def _demonym_fires(rule: dict, article: Article) -> bool:
    """A ``places`` rule fires when, by default, none of its words is a place and, with demonyms on, one
    becomes a demonym place of the rule's places; the exclusion rule fires when, with demonyms on, a demonym
    word of the text stays no place."""
    words = {w for r in load_stage_rules("geo")["demonyms"]["rules"] for item in r.get("places") or []
             for w in item["words"]}
    present = [w for w in words if re.search(rf"(?<![\w.]){re.escape(w)}(?!\w)", article.text)]
    if any(p.text in present for p in article.places):
        return False  # the default never makes a place of a demonym
    on = geoparse_article(article, _gaz(), demonyms=True).places
    found = {p.text for p in on if p.feature == "demonym"}
    if rule.get("position") == "exclusion":
        return any(w not in found and not any(w in f for f in found) for w in present)
    names = {item["place"] for item in rule["places"]}
    mine = {w for item in rule["places"] for w in item["words"]}
    allowed = {_gaz().entries[h.entry].name for n in names for h in _gaz().hits(n)}
    return any(p.feature == "demonym" and p.text in mine and p.name in allowed for p in on)


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
