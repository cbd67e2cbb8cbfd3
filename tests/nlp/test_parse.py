import pytest

from vigil.nlp import parse_article, split_paragraphs
from vigil.schema import Article

TEXT = ("Farmers block a road near Sumy\n\n  Farmers parked tractors across the road to Sumy on Monday. "
        "Troops turned back.\nThe local council said nobody was hurt.\n")


def test_split_paragraphs_strips_blank_lines_and_edges():
    spans = split_paragraphs(TEXT)
    assert [TEXT[s:e] for s, e in spans] == [
        "Farmers block a road near Sumy",
        "Farmers parked tractors across the road to Sumy on Monday. Troops turned back.",
        "The local council said nobody was hurt.",
    ]


def test_split_paragraphs_empty_text():
    assert split_paragraphs("\n \n") == []


@pytest.mark.model
def test_parse_article_offsets_and_absolute_heads(nlp):
    a = parse_article(Article(id="n1", text=TEXT), nlp)
    assert [s.i for s in a.sentences] == list(range(len(a.sentences)))
    assert a.sentences[0].paragraph == 0 and a.sentences[-1].paragraph == 2
    all_tokens = [t for s in a.sentences for t in s.tokens]
    assert [t.i for t in all_tokens] == list(range(len(all_tokens)))
    for t in all_tokens:
        assert TEXT[t.start:t.start + len(t.text)] == t.text
        assert 0 <= t.head < len(all_tokens)
    for s in a.sentences:
        assert all(s.tokens[0].i <= all_tokens[t.head].i <= s.tokens[-1].i for t in s.tokens)
    assert any(m.text == "Monday" and m.label == "DATE" for m in a.entities)
    for m in a.entities:
        assert TEXT[m.start:m.end] == m.text and m.sentence is not None


@pytest.mark.model
def test_parse_article_select_parses_only_kept_sentences(nlp):
    a = parse_article(Article(id="n2", text=TEXT), nlp, select=lambda s: "tractors" in s)
    parsed = [TEXT[s.start:s.end] for s in a.sentences if s.parsed]
    assert parsed == ["Farmers parked tractors across the road to Sumy on Monday."]
    assert len(a.sentences) == 4
    assert all(not s.tokens for s in a.sentences if not s.parsed)
