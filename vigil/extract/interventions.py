"""Interventions: how forces responded to a protest or an obstruction (events.md).

Cue rules (``interventions.yaml``) are regular expressions searched in the
trigger's sentence and the next one or two sentences of the same paragraph.
A cue may require a crowd word nearby ("detained 300 people") and may be
blocked by a word just before it ("the mayor was detained" is an abduction,
not a protest intervention). The most severe intervention found wins:
fired_on_crowd > warning_shots > crowd_control > detentions > physical_force.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from vigil.errors import RuleError
from vigil.extract.numbers import make_span, sentence_text
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import INTERVENTIONS, Article, Intervention, Sentence, Span

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

INTERVENTIONS_SCHEMA = "vigil.rules.interventions.v1"


@dataclass(frozen=True)
class InterventionRule:
    """One intervention cue rule."""

    id: str
    intervention: str
    priority: int
    patterns: tuple[re.Pattern[str], ...]
    requires_near: re.Pattern[str] | None
    near: int
    excludes_before: re.Pattern[str] | None


@dataclass(frozen=True)
class InterventionRules:
    """The compiled contents of interventions.yaml."""

    event_types: frozenset[str]
    cues: tuple[InterventionRule, ...]
    extended_sentences: int = 0
    extended_requires: re.Pattern[str] | None = None


def _compile(p: object, where: str) -> re.Pattern[str]:
    try:
        return re.compile(str(p), re.IGNORECASE)
    except re.error as e:
        raise RuleError(f"{where}: pattern {p!r} does not compile ({e})") from e


@lru_cache(maxsize=4)
def load_intervention_rules(lang: str = "en") -> InterventionRules:
    """Load and compile ``interventions.yaml``, most severe cue first (cached read-only per process).

    Raises:
        RuleError: wrong schema, unknown intervention, a pattern that does not compile.
    """
    path = rules_dir("extract", lang) / "interventions.yaml"
    data = load_rule_file(str(path))
    if data.get("schema") != INTERVENTIONS_SCHEMA:
        raise RuleError(f"{path}: schema must be {INTERVENTIONS_SCHEMA!r}")
    types: set[str] = set()
    cues = []
    ext_n = 0
    ext_req = None
    for rule in data.get("rules") or []:
        rid = rule["id"]
        where = f"{path}: rule {rid!r}"
        if rule.get("kind") == "scope":
            types.update(str(t) for t in rule.get("event_types") or [])
            ext_n = int(rule.get("extended_sentences", 0))
            if rule.get("extended_requires"):
                ext_req = _compile(rule["extended_requires"], where)
            continue
        if rule.get("kind") != "cue":
            raise RuleError(f"{where}: kind must be 'scope' or 'cue'")
        iv = rule.get("intervention")
        if iv not in INTERVENTIONS:
            raise RuleError(f"{where}: unknown intervention {iv!r}; allowed: {', '.join(INTERVENTIONS)}")
        pats = tuple(_compile(p, where) for p in rule.get("patterns") or [])
        if not pats:
            raise RuleError(f"{where}: a cue rule needs patterns")
        req = rule.get("requires_near")
        exc = rule.get("excludes_before")
        cues.append(
            InterventionRule(
                id=rid,
                intervention=iv,
                priority=int(rule.get("priority", 9)),
                patterns=pats,
                requires_near=_compile(req, where) if req else None,
                near=int(rule.get("near", 60)),
                excludes_before=_compile(exc, where) if exc else None,
            )
        )
    cues.sort(key=lambda r: r.priority)
    return InterventionRules(frozenset(types), tuple(cues), ext_n, ext_req)


def _cue_ok(rule: InterventionRule, text: str, m: re.Match[str]) -> bool:
    if rule.excludes_before is not None and rule.excludes_before.search(text[max(0, m.start() - 40) : m.start()]):
        return False
    if rule.requires_near is not None:
        lo, hi = max(0, m.start() - rule.near), min(len(text), m.end() + rule.near)
        around = text[lo : m.start()] + " " + text[m.end() : hi]
        if not rule.requires_near.search(around):
            return False
    return True


def find_intervention(
    article: Article, window: list[Sentence], trigger: Span, event_type: str
) -> tuple[Intervention | None, Span | None]:
    """The forces' intervention in a protest/obstruction and the span of its cue, or ``(None, None)``.

    Args:
        window: the trigger's sentence first, then the next one or two sentences of
            the same paragraph (sentences of other paragraphs are ignored). When the window
            holds no cue, up to ``extended_sentences`` later sentences of the article are
            searched, keeping only cues whose sentence names the protest or its people.
        event_type: other types than the scope rule's (protest, obstruction) give ``(None, None)``.
    """
    rules = load_intervention_rules()
    if event_type not in rules.event_types or not window:
        return None, None
    para = window[0].paragraph
    sents = [s for k, s in enumerate(window) if k == 0 or s.paragraph == para]
    found = _search(article, sents, trigger, rules, None)
    if found is None and rules.extended_sentences > 0:
        seen = {(s.start, s.end) for s in window}
        later = sorted((s for s in article.sentences if s.start >= window[0].end and (s.start, s.end) not in seen),
                       key=lambda s: s.start)[: rules.extended_sentences]
        found = _search(article, later, trigger, rules, rules.extended_requires)
    return found if found is not None else (None, None)


def _search(
    article: Article,
    sents: list[Sentence],
    trigger: Span,
    rules: InterventionRules,
    sentence_requires: re.Pattern[str] | None,
) -> tuple[Intervention, Span] | None:
    best: tuple[int, int, int, Intervention, Span] | None = None
    for k, sent in enumerate(sents):
        text = sentence_text(article, sent)
        if not text.strip() or (sentence_requires is not None and not sentence_requires.search(text)):
            continue
        for rule in rules.cues:
            if best is not None and rule.priority > best[0]:
                break
            for pat in rule.patterns:
                for m in pat.finditer(text):
                    if not _cue_ok(rule, text, m):
                        continue
                    s, e = sent.start + m.start(), sent.start + m.end()
                    if s < trigger.end and trigger.start < e:
                        continue
                    key = (rule.priority, k, abs(s - trigger.start))
                    if best is None or key < best[:3]:
                        span = make_span(article, s, e, sent.i, rule.id)
                        best = (*key, rule.intervention, span)  # type: ignore[assignment]
    return None if best is None else (best[3], best[4])
