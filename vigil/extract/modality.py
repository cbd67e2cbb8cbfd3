"""Modality: does the text assert the event, attribute it, relay a party's claim, doubt it or deny it?

Cues are data (``modality.yaml``): regular expressions with a scope. A
``governs`` cue must govern the trigger in a parsed sentence (the trigger is in
the cue verb's subtree and not in its subject: "Soldiers detained the mayor,
officials said", but not "Residents who protested said ..."); a ``sentence``
cue attaches to the whole sentence ("according to", "reportedly"); a
``next_sentence`` cue may also come from the next sentence of the paragraph
(a verification caveat about "the video"). Unparsed sentences treat ``governs``
as ``sentence``. When several cues fire, the most severe wins
(denied > unverified > claimed > reported); no cue means asserted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from vigil.errors import RuleError
from vigil.extract.numbers import children_of, make_span, sentence_text, subtree_ids, token_index, trigger_token
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import MODALITIES, Article, Modality, Sentence, Span, Token

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

MODALITY_SCHEMA = "vigil.rules.modality.v1"
_SCOPES = ("governs", "sentence", "next_sentence")


@dataclass(frozen=True)
class ModalityRule:
    """One modality cue rule."""

    id: str
    modality: str
    priority: int
    scope: str
    patterns: tuple[re.Pattern[str], ...]
    subject_any: frozenset[str]


@lru_cache(maxsize=4)
def load_modality_rules(lang: str = "en") -> tuple[ModalityRule, ...]:
    """Load and compile ``modality.yaml``, most severe first (cached read-only per process).

    Raises:
        RuleError: wrong schema, unknown modality or scope, a pattern that does not compile.
    """
    path = rules_dir("extract", lang) / "modality.yaml"
    data = load_rule_file(str(path))
    if data.get("schema") != MODALITY_SCHEMA:
        raise RuleError(f"{path}: schema must be {MODALITY_SCHEMA!r}")
    out = []
    for rule in data.get("rules") or []:
        rid = rule["id"]
        where = f"{path}: rule {rid!r}"
        mod = rule.get("modality")
        if mod not in MODALITIES or mod == "asserted":
            raise RuleError(f"{where}: modality {mod!r} must be one of {', '.join(MODALITIES[1:])}")
        scope = rule.get("scope", "sentence")
        if scope not in _SCOPES:
            raise RuleError(f"{where}: scope {scope!r} must be one of {', '.join(_SCOPES)}")
        pats = []
        for p in rule.get("patterns") or []:
            try:
                pats.append(re.compile(str(p), re.IGNORECASE))
            except re.error as e:
                raise RuleError(f"{where}: pattern {p!r} does not compile ({e})") from e
        if not pats:
            raise RuleError(f"{where}: a modality rule needs patterns")
        out.append(
            ModalityRule(
                id=rid,
                modality=mod,
                priority=int(rule.get("priority", 9)),
                scope=scope,
                patterns=tuple(pats),
                subject_any=frozenset(str(w).lower() for w in rule.get("subject_any") or []),
            )
        )
    out.sort(key=lambda r: r.priority)
    return tuple(out)


def _token_at(sentence: Sentence, pos: int) -> Token | None:
    return next((t for t in sentence.tokens if t.start <= pos < t.start + max(1, len(t.text))), None)


def _governs(cue: Token, trig: Token, sentence: Sentence, subject_any: frozenset[str]) -> bool:
    by_i = token_index(sentence)
    kids = children_of(sentence)
    verb = cue
    if verb.pos not in ("VERB", "NOUN") and verb.head in by_i:
        verb = by_i[verb.head]
    if verb.i == trig.i:
        return False
    subj: set[int] = set()
    for c in kids.get(verb.i, []):
        if c.dep in ("nsubj", "nsubjpass", "csubj"):
            subj |= subtree_ids(c.i, kids)
    if subject_any:
        words = {by_i[i].lemma.lower() for i in subj} | {by_i[i].text.lower() for i in subj}
        if not words & subject_any:
            return False
    if trig.i in subj:
        return False
    return trig.i in subtree_ids(verb.i, kids)


def _next_sentence(article: Article, sentence: Sentence) -> Sentence | None:
    later = [s for s in article.sentences if s.start >= sentence.end and s.paragraph == sentence.paragraph]
    return min(later, key=lambda s: s.start) if later else None


def find_modality(article: Article, sentence: Sentence, trigger: Span) -> tuple[Modality, Span | None]:
    """The modality of the event announced by ``trigger`` and the span of the cue (None when asserted).

    Returns:
        ``(modality, cue_span)``; ``("asserted", None)`` when no cue applies.
    """
    text = sentence_text(article, sentence)
    if not text.strip():
        return "asserted", None
    trig = trigger_token(sentence, trigger) if sentence.tokens else None
    nxt = None
    for rule in load_modality_rules():
        for pat in rule.patterns:
            for m in pat.finditer(text):
                s, e = sentence.start + m.start(), sentence.start + m.end()
                if s < trigger.end and trigger.start < e and rule.scope == "governs":
                    continue
                if rule.scope == "governs" and trig is not None:
                    cue = _token_at(sentence, s)
                    if cue is None or not _governs(cue, trig, sentence, rule.subject_any):
                        continue
                elif rule.scope == "governs" and rule.subject_any:
                    continue  # the subject cannot be checked without a parse
                return rule.modality, make_span(article, s, e, sentence.i, rule.id)  # type: ignore[return-value]
        if rule.scope == "next_sentence":
            nxt = nxt or _next_sentence(article, sentence)
            if nxt is None:
                continue
            ntext = sentence_text(article, nxt)
            for pat in rule.patterns:
                m = pat.search(ntext)
                if m:
                    span = make_span(article, nxt.start + m.start(), nxt.start + m.end(), nxt.i, rule.id)
                    return rule.modality, span  # type: ignore[return-value]
    return "asserted", None
