"""extract_article: the stage function (events and claims on a copy), and the whole pipeline end to end."""

from __future__ import annotations

from datetime import date

import pytest
from finder_doubles import null_finders

from vigil.extract import extract_article
from vigil.nlp import parse_article
from vigil.schema import Article, Claim, Place, Span

PUB = date(2022, 3, 12)
TEXT = ("Residents rally for kidnapped mayor in Melitopol\n"
        "Thousands of residents rallied in Melitopol on Saturday to demand the release of the mayor, "
        "who was abducted by Russian soldiers on Friday.\n"
        "The occupiers have not been able to install a new administration, a local official said.")


def parsed(nlp) -> Article:
    art = parse_article(Article(id="mel", text=TEXT, published=PUB), nlp)
    places = []
    i = TEXT.find("Melitopol")
    while i >= 0:
        s = next(x.i for x in art.sentences if x.start <= i < x.end)
        places.append(Place(start=i, end=i + 9, text="Melitopol", name="Melitopol", lat=46.85, lon=35.37,
                            country="UA", admin1="Zaporizhzhia Oblast", precision="city", geonameid=702658,
                            sentence=s))
        i = TEXT.find("Melitopol", i + 1)
    return art.model_copy(update={"places": places})


@pytest.mark.model
def test_extract_article_fills_events_and_claims_on_a_copy(nlp):
    art = parsed(nlp)
    claim = Claim(kind="other", evidence=Span(doc_id="mel", start=0, end=9, text=TEXT[:9]))
    out = extract_article(art, finders=null_finders(claims=lambda a: [claim]))
    assert art.events == [] and art.claims == []
    assert out.claims == [claim]
    types = [e.type for e in out.events]
    assert types[0] == "protest"
    assert "abduction" in types and "occupation_measure" not in types
    assert all(e.location and e.location.name == "Melitopol" for e in out.events)
    for e in out.events:
        assert TEXT[e.trigger.start:e.trigger.end] == e.trigger.text


@pytest.mark.model
def test_extract_article_is_deterministic(nlp):
    art = parsed(nlp)
    a = extract_article(art, finders=null_finders())
    b = extract_article(art, finders=null_finders())
    assert a.model_dump() == b.model_dump()


def test_extract_article_empty_text():
    out = extract_article(Article(id="e", text="  "), finders=null_finders())
    assert out.events == [] and out.claims == []


def test_extract_article_without_sentences_finds_nothing():
    out = extract_article(Article(id="e", text="Residents rallied in Kherson."), finders=null_finders())
    assert out.events == []


@pytest.mark.model
def test_extract_article_end_to_end_pipeline(nlp):
    from vigil.pipeline import Resources, build_pipeline

    res = Resources.load(("geo",))
    res.nlp = nlp
    pipe = build_pipeline(resources=res)
    art = pipe(Article(id="e2e", text=TEXT, published=PUB))
    assert art.events, "the pipeline found no event"
    main = art.events[0]
    assert main.type == "protest" and main.id == "e2e-e1"
    assert main.location is not None and main.location.name == "Melitopol"
    assert main.date.start == main.date.end == date(2022, 3, 12)
    assert main.acled.event_type == "Protests"
    abd = next(e for e in art.events if e.type == "abduction")
    assert abd.date.start == date(2022, 3, 11)
