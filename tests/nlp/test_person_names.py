"""One name, one kind: a bare surname the tagger mislabels takes the PERSON label of the full name."""

import pytest

from vigil.nlp import parse_article
from vigil.nlp.parse import _person_names_agree
from vigil.schema import Article, Mention, Sentence, Token


def _sent(words: list[tuple[str, str, str]], start: int = 0) -> Sentence:
    toks, pos = [], start
    for i, (text, tag, ent) in enumerate(words):
        toks.append(Token(i=i, text=text, start=pos, pos=tag, ent_type=ent, ent_iob="B" if ent else "O"))
        pos += len(text) + 1
    return Sentence(i=0, start=start, end=pos, paragraph=0, tokens=toks)


def test_bare_surname_takes_the_person_label() -> None:
    first = _sent([("Olena", "PROPN", "PERSON"), ("Marchuk", "PROPN", "PERSON"), ("spoke", "VERB", "")])
    later = _sent([("Soldiers", "NOUN", ""), ("seized", "VERB", ""), ("Marchuk", "PROPN", "ORG")], start=100)
    ents = [Mention(start=0, end=14, text="Olena Marchuk", label="PERSON"),
            Mention(start=later.tokens[2].start, end=later.tokens[2].start + 7, text="Marchuk", label="ORG")]
    _person_names_agree([first, later], ents)
    assert later.tokens[2].ent_type == "PERSON"
    assert ents[1].label == "PERSON"


@pytest.mark.parametrize("words", [
    [("Marchuk", "PROPN", "FAC"), ("Street", "PROPN", "FAC")],          # part of a longer name
    [("the", "DET", ""), ("Marchuk", "PROPN", "ORG"), ("Fund", "PROPN", "ORG")],
    [("Olena", "PROPN", "GPE")],                                         # a first name is never relabelled
    [("Marchuk", "PROPN", "DATE")],                                      # a label we do not override
])
def test_names_that_stay_as_they_are(words: list[tuple[str, str, str]]) -> None:
    first = _sent([("Olena", "PROPN", "PERSON"), ("Marchuk", "PROPN", "PERSON")])
    later = _sent(words, start=100)
    before = [t.ent_type for t in later.tokens]
    _person_names_agree([first, later], [Mention(start=0, end=13, text="Olena Marchuk", label="PERSON")])
    assert [t.ent_type for t in later.tokens] == before


def test_no_full_person_name_changes_nothing() -> None:
    s = _sent([("Marchuk", "PROPN", "ORG")])
    _person_names_agree([s], [Mention(start=0, end=7, text="Marchuk", label="ORG")])
    assert s.tokens[0].ent_type == "ORG"


@pytest.mark.model
def test_parse_article_names_agree_across_sentences(nlp) -> None:
    text = ("The mayor of the town, Ivan Fedorov, refused to work with the occupiers.\n\n"
            "Russian troops captured Fedorov outside the city hall on Friday, officials said.\n")
    a = parse_article(Article(id="p1", text=text), nlp)
    later = [t for s in a.sentences for t in s.tokens if t.text == "Fedorov" and t.start > 60]
    assert later and all(t.ent_type == "PERSON" for t in later)
