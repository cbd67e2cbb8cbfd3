"""annotate_timexes: Article in, a copy with timexes (and their sentence index) out."""

from __future__ import annotations

from datetime import date

import pytest

from vigil.schema import Article, Sentence
from vigil.timex import annotate_timexes

TEXT = "Residents blocked the bridge on Wednesday. A video shared on Thursday shows the crowd."


def _sentences(text: str) -> list[Sentence]:
    cut = text.index(". ") + 2
    return [Sentence(i=0, start=0, end=cut - 1), Sentence(i=1, start=cut, end=len(text))]


def test_annotate_timexes_sets_sentence_index() -> None:
    art = Article(id="a1", text=TEXT, published=date(2022, 3, 4), sentences=_sentences(TEXT))
    out = annotate_timexes(art)
    assert [(t.text, t.sentence, t.value, t.relation) for t in out.timexes] == [
        ("Wednesday", 0, "2022-03-02", "on"), ("Thursday", 1, "2022-03-03", "before")]


def test_annotate_timexes_leaves_input_unchanged() -> None:
    art = Article(id="a1", text=TEXT, published=date(2022, 3, 4))
    out = annotate_timexes(art)
    assert art.timexes == [] and len(out.timexes) == 2
    assert out.model_dump(exclude={"timexes"}) == art.model_dump(exclude={"timexes"})


def test_annotate_timexes_without_sentences_has_no_index() -> None:
    out = annotate_timexes(Article(id="a1", text=TEXT, published=date(2022, 3, 4)))
    assert [t.sentence for t in out.timexes] == [None, None]


def test_annotate_timexes_without_published_date() -> None:
    out = annotate_timexes(Article(id="a1", text=TEXT, published=None))
    assert [(t.value, t.interval) for t in out.timexes] == [("XXXX-WXX-3", None), ("XXXX-WXX-4", None)]


@pytest.mark.model
def test_annotate_timexes_with_parsed_sentences(nlp) -> None:  # type: ignore[no-untyped-def]
    from vigil.nlp import parse_article

    text = "Hundreds gathered in the square on Monday. Three days ago the mayor was detained."
    art = parse_article(Article(id="a2", text=text, published=date(2022, 3, 4)), nlp)
    out = annotate_timexes(art)
    assert [(t.text, t.sentence) for t in out.timexes] == [("Monday", 0), ("Three days ago", 1)]
