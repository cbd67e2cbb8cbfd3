"""Claims: numbers attributed to a source that are not events (events.md "One claim").

Every number in the article is checked against the claim rules of
``claims.yaml``: a cue that follows the number in the same clause ("1.5
million people have fled") or precedes it ("viewed 2 million times") gives the
claim kind. Casualty tallies need an attributed source (otherwise the number
belongs to an event); counts of detentions, refugees, displaced people and
views are claims on their own. The source is the subject of a speaking verb
("OVD-Info said ...") or the object of "according to"; a verification caveat in
the sentence or the next one sets ``verified=False``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from vigil.errors import RuleError
from vigil.extract.numbers import (
    NumberMatch,
    children_of,
    find_numbers,
    make_span,
    sentence_text,
    singular,
    subtree_ids,
    token_index,
)
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import CLAIM_KINDS, Article, Claim, Sentence

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

CLAIMS_SCHEMA = "vigil.rules.claims.v1"
_BREAKS = frozenset({",", ";", ".", ":", "but", "while", "whereas", "(", ")"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*|[^\sA-Za-z\d]")
_RAW_SOURCE = (
    re.compile(r"\baccording\s+to\s+([^,.;:]{2,80})", re.IGNORECASE),
    re.compile(r"(?:^|,)\s*([^,.;:]{2,60}?)\s+(?:said|says|reported|reports|told|estimated|announced|wrote)\b"),
    re.compile(r"\b(?:said|says|reported)\s+([A-Z][^,.;:]{1,60})"),
)


@dataclass(frozen=True)
class ClaimRule:
    """One claim rule: the cues that make a number a claim of ``claim_kind``."""

    id: str
    claim_kind: str
    after: tuple[str, ...]
    before: tuple[str, ...]
    nouns: frozenset[str]
    needs_source: bool


@dataclass(frozen=True)
class ClaimRules:
    """The compiled contents of claims.yaml."""

    claims: tuple[ClaimRule, ...]
    source_verbs: frozenset[str]
    source_rule: str
    unverified: tuple[re.Pattern[str], ...]


def _strs(rule: dict, key: str, where: str) -> list[str]:
    vals = rule.get(key) or []
    if not isinstance(vals, list) or not all(isinstance(v, str) and v.strip() for v in vals):
        raise RuleError(f"{where}: '{key}' must be a list of non-empty strings")
    return [v.strip().lower() for v in vals]


@lru_cache(maxsize=4)
def load_claim_rules(lang: str = "en") -> ClaimRules:
    """Load and check ``claims.yaml`` (cached read-only per process).

    Raises:
        RuleError: wrong schema, unknown claim kind or rule kind, a pattern that does not compile.
    """
    path = rules_dir("extract", lang) / "claims.yaml"
    data = load_rule_file(str(path))
    if data.get("schema") != CLAIMS_SCHEMA:
        raise RuleError(f"{path}: schema must be {CLAIMS_SCHEMA!r}")
    claims: list[ClaimRule] = []
    verbs: frozenset[str] = frozenset()
    source_rule = ""
    unverified: list[re.Pattern[str]] = []
    for rule in data.get("rules") or []:
        rid = rule["id"]
        where = f"{path}: rule {rid!r}"
        kind = rule.get("kind")
        if kind == "claim":
            ck = rule.get("claim_kind")
            if ck not in CLAIM_KINDS:
                raise RuleError(f"{where}: unknown claim kind {ck!r}; allowed: {', '.join(CLAIM_KINDS)}")
            claims.append(
                ClaimRule(
                    id=rid,
                    claim_kind=ck,
                    after=tuple(_strs(rule, "after", where)),
                    before=tuple(_strs(rule, "before", where)),
                    nouns=frozenset(_strs(rule, "nouns", where)),
                    needs_source=bool(rule.get("needs_source", True)),
                )
            )
        elif kind == "source":
            verbs = frozenset(_strs(rule, "lemmas", where))
            source_rule = rid
        elif kind == "unverified":
            for p in rule.get("patterns") or []:
                try:
                    unverified.append(re.compile(str(p), re.IGNORECASE))
                except re.error as e:
                    raise RuleError(f"{where}: pattern {p!r} does not compile ({e})") from e
        else:
            raise RuleError(f"{where}: unknown kind {kind!r}; allowed: claim, source, unverified")
    return ClaimRules(tuple(claims), verbs, source_rule, tuple(unverified))


@lru_cache(maxsize=4096)
def _phrase_rx(phrase: str, anchored_end: bool = False) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(r"(?<!\w)" + body + r"$" if anchored_end else body + r"(?!\w)")


def _phrase_at(low: str, pos: int, phrase: str) -> int | None:
    m = _phrase_rx(phrase).match(low, pos)
    return m.end() if m else None


def _match_rule(text: str, nm: NumberMatch, rule: ClaimRule) -> bool:
    low = text.lower()
    words = [(m.group(0).lower(), m.start()) for m in _WORD.finditer(low, nm.end)][:9]
    seen_noun = False
    for w, pos in words:
        if any(_phrase_at(low, pos, p) is not None for p in rule.after):
            return not rule.nouns or seen_noun
        if w in _BREAKS:
            break
        if rule.nouns and (w in rule.nouns or singular(w) in rule.nouns):
            seen_noun = True
    head = low[max(0, nm.start - 60) : nm.start].rstrip()
    return any(_phrase_rx(p, True).search(head) for p in rule.before)


def _source(article: Article, sentence: Sentence, rules: ClaimRules) -> str | None:
    text = sentence_text(article, sentence)
    if sentence.tokens:
        by_i = token_index(sentence)
        kids = children_of(sentence)
        for t in sentence.tokens:
            if t.text.lower() == "according" and t.i + 1 in by_i and by_i[t.i + 1].text.lower() == "to":
                for c in kids.get(t.i + 1, []):
                    if c.dep == "pobj":
                        return _ids_text(article, sentence, subtree_ids(c.i, kids))
        for t in sentence.tokens:
            if t.pos in ("VERB", "AUX") and t.lemma.lower() in rules.source_verbs:
                for c in kids.get(t.i, []):
                    if c.dep == "nsubj" and c.pos != "PRON":
                        return _ids_text(article, sentence, subtree_ids(c.i, kids, frozenset({"relcl"})))
        return None
    for pat in _RAW_SOURCE:
        m = pat.search(text)
        if m:
            return m.group(1).strip() or None
    return None


def _ids_text(article: Article, sentence: Sentence, ids: set[int]) -> str | None:
    by_i = token_index(sentence)
    toks = sorted((by_i[i] for i in ids if i in by_i), key=lambda t: t.i)
    while toks and toks[-1].text in {",", ".", ";", ":", '"', "”"}:
        toks.pop()
    if not toks:
        return None
    return article.text[toks[0].start : toks[-1].start + len(toks[-1].text)].strip() or None


def _verified(article: Article, sentence: Sentence, rules: ClaimRules) -> bool | None:
    texts = [sentence_text(article, sentence)]
    later = [s for s in article.sentences if s.start >= sentence.end and s.paragraph == sentence.paragraph]
    if later:
        texts.append(sentence_text(article, min(later, key=lambda s: s.start)))
    return False if any(p.search(t) for p in rules.unverified for t in texts) else None


def find_claims(article: Article) -> list[Claim]:
    """Every claim of the article (casualty tallies, refugee, displaced, detention and view counts), in text order.

    Each claim has its kind, integer value, qualifier ("more than", "at least"...),
    the attributed source (or None), ``verified=False`` when the text says the
    figure is not verified, and the sentence as evidence.
    """
    rules = load_claim_rules()
    out: list[Claim] = []
    for sentence in sorted(article.sentences, key=lambda s: s.start):
        text = sentence_text(article, sentence)
        if not text.strip():
            continue
        source: str | None = None
        source_done = False
        for nm in find_numbers(text):
            if nm.value is None:
                continue
            rule = next((r for r in rules.claims if _match_rule(text, nm, r)), None)
            if rule is None:
                continue
            if not source_done:
                source, source_done = _source(article, sentence, rules), True
            if rule.needs_source and source is None:
                continue
            out.append(
                Claim(
                    kind=rule.claim_kind,  # type: ignore[arg-type]
                    value=nm.value,
                    qualifier=nm.qualifier if nm.qualifier != "between" else None,
                    source=source,
                    verified=_verified(article, sentence, rules),
                    evidence=make_span(article, sentence.start, sentence.end, sentence.i, rule.id),
                )
            )
    return out
