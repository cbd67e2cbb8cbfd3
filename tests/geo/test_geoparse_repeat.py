"""One sense per discourse (a name the document uses as a place is a place again where it recurs), towns
heading institution names the gazetteer lacks, and persons before "administration"."""

from __future__ import annotations

from functools import lru_cache

import pytest

from vigil.geo import Gazetteer, geoparse_article, load_gazetteer
from vigil.schema import Article


@lru_cache(maxsize=1)
def _gaz() -> Gazetteer:
    return load_gazetteer()


def _parse(nlp, text: str) -> Article:
    from vigil.nlp import parse_article

    return geoparse_article(parse_article(Article(id="t", text=text), nlp), _gaz())


def _at(article: Article, word: str, nth: int) -> list:
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(word, start + 1)
    return [p for p in article.places if p.start == start and p.end == start + len(word)]


@pytest.mark.model
def test_repeat_inside_an_unknown_organisation_name(nlp) -> None:
    a = _parse(nlp, "The fair opened in Dublin, Ohio, on Saturday. The Dublin Singers performed twice, "
                    "and Dublin officials praised the turnout.")
    (p,) = _at(a, "Dublin", 1)
    assert p.resolved and p.country == "US" and p.admin1 == "Ohio"
    assert not any(x.text == "The Dublin Singers" or x.text == "Dublin Singers" for x in a.places)


@pytest.mark.model
def test_repeat_skips_personal_names_and_street_names(nlp) -> None:
    a = _parse(nlp, "Volunteers painted a mural in Tulsa, Oklahoma. Marcus Tulsa Greene paid for the paint, "
                    "and Tulsa Road stayed shut.")
    assert _at(a, "Tulsa", 0)
    assert not _at(a, "Tulsa", 1)  # a word of a personal name
    assert not any(p.resolved and p.text == "Tulsa" and p.start == a.text.index("Tulsa Road") for p in a.places)


@pytest.mark.model
def test_person_before_administration_is_no_place(nlp) -> None:
    a = _parse(nlp, "Critics said the Obama administration moved too slowly on the bill.")
    assert not any(p.text == "Obama" for p in a.places)


@pytest.mark.model
def test_administration_after_a_town_is_still_a_cue(nlp) -> None:
    a = _parse(nlp, "The Melitopol administration was replaced by appointees in March.")
    assert any(p.text == "Melitopol" and p.country == "UA" for p in a.places)


@pytest.mark.model
def test_town_heading_an_unknown_institution_mention(nlp) -> None:
    a = _parse(nlp, "Road repairs were approved by Huntsville City Manager Dana Pruitt on Monday.")
    (p,) = _at(a, "Huntsville", 0)
    assert p.resolved and p.country == "US"
    a = _parse(nlp, "Volunteers from the Mount Pleasant Fire Department Ladies Auxiliary served lunch.")
    (p,) = _at(a, "Mount Pleasant", 0)
    assert p.resolved and p.precision == "city"
