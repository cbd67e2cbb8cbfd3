"""Demonyms as country references: off by default (event locations), on with ``demonyms=True`` (LGL)."""

from __future__ import annotations

from functools import lru_cache

import pytest

from vigil.errors import RuleError
from vigil.geo import Gazetteer, geoparse_article, load_gazetteer
from vigil.geo.geoparse import _demonym_places
from vigil.schema import Article


@lru_cache(maxsize=1)
def _gaz() -> Gazetteer:
    return load_gazetteer()


def _parse(nlp, text: str, demonyms: bool) -> Article:
    from vigil.nlp import parse_article

    return geoparse_article(parse_article(Article(id="t", text=text), nlp), _gaz(), demonyms=demonyms)


def _demonyms(article: Article) -> dict[str, tuple[str | None, str | None]]:
    return {p.text: (p.country, p.precision) for p in article.places if p.feature == "demonym"}


@pytest.mark.model
def test_demonyms_off_by_default(nlp) -> None:
    a = _parse(nlp, "Egyptian officials met Sudanese envoys in Cairo on Tuesday.", demonyms=False)
    assert not any(p.text in ("Egyptian", "Sudanese") for p in a.places)
    assert any(p.text == "Cairo" for p in a.places)


@pytest.mark.model
def test_demonyms_on_are_country_references(nlp) -> None:
    a = _parse(nlp, "Egyptian officials met Sudanese envoys in Cairo on Tuesday.", demonyms=True)
    got = _demonyms(a)
    assert got["Egyptian"] == ("EG", "country") and got["Sudanese"] == ("SD", "country")
    cairo = next(p for p in a.places if p.text == "Cairo")
    assert cairo.feature != "demonym" and cairo.country == "EG"
    for p in a.places:
        assert a.text[p.start:p.end] == p.text


@pytest.mark.model
def test_demonyms_do_not_change_the_other_places(nlp) -> None:
    text = "Russian diplomats flew to Springfield, Illinois, where Georgian students protested."
    off = [(p.start, p.end, p.name) for p in _parse(nlp, text, demonyms=False).places]
    on = [(p.start, p.end, p.name) for p in _parse(nlp, text, demonyms=True).places if p.feature != "demonym"]
    assert off == on


@pytest.mark.model
def test_demonym_region_is_admin1(nlp) -> None:
    got = _demonyms(_parse(nlp, "Thousands of Ohioans waited for the buses to run again.", demonyms=True))
    assert got["Ohioans"] == ("US", "admin1")


@pytest.mark.model
@pytest.mark.parametrize("text", [
    "The American Legion post hosted a pancake breakfast.",
    "Native American dancers opened the fair.",
    "African-American pastors led the march.",
    "He grew up speaking French with his aunt.",
    "The diner serves Italian food and Mexican food.",
    "Officer Dana French arrived first. French said the door was open.",
])
def test_demonym_not_a_country_reference(nlp, text: str) -> None:
    assert not _demonyms(_parse(nlp, text, demonyms=True))


@pytest.mark.model
def test_demonym_state_body_is_the_country(nlp) -> None:
    got = _demonyms(_parse(nlp, "The Georgian Interior Ministry said the road was closed.", demonyms=True))
    assert got.get("Georgian") == ("GE", "country")


def test_demonym_table_rejects_a_word_given_to_two_places() -> None:
    files = {"demonyms": {"rules": [{"id": "d", "places": [
        {"country": "AA", "place": "Aland", "words": ["Alandic"]},
        {"country": "BB", "place": "Bland", "words": ["Alandic"]}]}]}}
    with pytest.raises(RuleError, match="Alandic"):
        _demonym_places(files)


def test_demonym_table_rejects_an_item_without_words() -> None:
    with pytest.raises(RuleError, match="words"):
        _demonym_places({"demonyms": {"rules": [{"id": "d", "places": [{"country": "AA", "place": "Aland"}]}]}})
