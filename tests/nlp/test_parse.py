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


@pytest.mark.model
def test_parse_articles_matches_parse_article_in_order(nlp):
    from vigil.nlp import parse_articles

    arts = [Article(id=f"b{k}", text=t) for k, t in enumerate([TEXT, "Crowds gathered in Lviv.", "\n \n", "x"])]
    batched = list(parse_articles(arts, nlp, batch_size=2))
    single = [parse_article(a, nlp) for a in arts]
    assert [a.id for a in batched] == [a.id for a in arts]
    for b, s in zip(batched, single, strict=True):
        assert [(x.start, x.end, x.parsed, len(x.tokens)) for x in b.sentences] == \
            [(x.start, x.end, x.parsed, len(x.tokens)) for x in s.sentences]
        assert [(m.start, m.label, m.sentence) for m in b.entities] == [(m.start, m.label, m.sentence)
                                                                        for m in s.entities]


@pytest.mark.model
def test_parse_article_select_keeps_quoted_exclamation_in_one_sentence(nlp):
    text = "Crowds hold signs saying 'Go home!', in the square of Lviv, on Sunday. The weather was mild."
    a = parse_article(Article(id="q", text=text), nlp, select=lambda s: "Crowds" in s)
    assert a.sentences[0].parsed and "Lviv" in text[a.sentences[0].start:a.sentences[0].end]
    assert not a.sentences[-1].parsed


@pytest.mark.model
def test_parse_article_select_joins_neighbouring_kept_sentences(nlp):
    text = "Troops shelled the bridge. Crowds rallied nearby. The weather was mild."
    a = parse_article(Article(id="j", text=text), nlp, select=lambda s: "weather" not in s)
    assert [s.parsed for s in a.sentences] == [True, True, False]
    assert [t.i for s in a.sentences for t in s.tokens] == list(range(sum(len(s.tokens) for s in a.sentences)))
