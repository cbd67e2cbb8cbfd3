"""Assemble events from triggers: filter non-events, attach dates and places, merge, rank.

The steps, for one parsed article:

1. ``match_triggers`` finds trigger hits sentence by sentence.
2. Cue rules (``negation.yaml``) drop negated, failed, planned, conditional and
   future mentions ("has not been able to take", "could launch an attack") and
   mark explicit denials (``modality: denied``).
3. Type priority (``assembly.yaml``) keeps one reading of a sentence that holds
   several triggers of one real event (warning shots at a protest).
4. Each remaining hit gets its places (one event per place where it happened)
   and a date interval (timex of the sentence, of the scene-setting sentence
   before it, or a default from ``anchors.yaml`` and the tense).
5. The partners' attribute finders fill actors, crowd, casualties,
   intervention, modality and the ACLED coding.
6. Mentions of the same event (type, place, overlapping dates) are merged and
   events are ranked by salience.

Everything here is pure: the article goes in, a list of events comes out.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from vigil.errors import RuleError
from vigil.extract.dates import governs, is_clock_time, is_ongoing, is_prior_event, prior_relation
from vigil.extract.dates import lemma as _lemma
from vigil.extract.triggers import TriggerHit, TriggerRule, load_trigger_rules, match_triggers, named_people
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import (
    EVENT_TYPES,
    Acled,
    Actor,
    Article,
    Claim,
    Crowd,
    Event,
    EventDate,
    Location,
    Place,
    Sentence,
    Span,
    Timex,
    Token,
)

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

VERSION = "0.1"
PROVENANCE = f"extract@{VERSION}"
CUE_SCHEMA = "vigil.rules.cue.v1"
ASSEMBLY_SCHEMA = "vigil.rules.assembly.v1"
ANCHOR_SCHEMA = "vigil.rules.anchor.v1"
_EFFECTS = ("drop", "denied")
# dependency links followed upwards from a trigger to the words that govern it
_UP_DEPS = frozenset({"xcomp", "ccomp", "dobj", "obj", "nsubjpass", "nsubj", "pobj", "prep", "acomp", "attr",
                      "pcomp", "advcl", "oprd", "agent", "compound", "amod", "appos", "csubj", "csubjpass",
                      "conj"})
# links that stay inside the trigger's own clause (for negation / modal children)
_CLAUSE_DEPS = frozenset({"xcomp", "dobj", "obj", "nsubjpass", "nsubj", "pobj", "prep", "acomp", "attr",
                          "pcomp", "oprd", "agent", "compound", "amod", "appos"})
_PLACE_PREP_RANK = {"in": 0, "at": 0, "near": 0, "outside": 0, "around": 0, "across": 0, "throughout": 0,
                    "inside": 0, "within": 0, "of": 1, "on": 1, "into": 1, "over": 1, "to": 2, "towards": 2,
                    "toward": 2, "from": 2, "through": 1, "along": 1, "by": 2}
_PRECISION_RANK = {"city": 0, "site": 1, "admin2": 2, "admin1": 3, "country": 4, None: 5}
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "poss", "agent", "npadvmod"})
_WORD = re.compile(r"[\w'’]+")


# --------------------------------------------------------------------------- rule data


@dataclass(frozen=True)
class CueRule:
    """A cue that makes a trigger a non-event (``drop``) or a denied event (``denied``)."""

    id: str
    effect: str
    child_lemmas: frozenset[str] = frozenset()
    child_deps: frozenset[str] = frozenset()
    governors: frozenset[str] = frozenset()
    unless_governors: frozenset[str] = frozenset()
    unless_child_lemmas: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()
    window: int = 40
    types: frozenset[str] = frozenset()
    trigger_deps: frozenset[str] = frozenset()
    object_ents: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PriorityRule:
    """Within one sentence, triggers of ``drop`` types yield to a trigger of a ``keep`` type."""

    id: str
    keep: frozenset[str]
    drop: frozenset[str]
    scope: str = "sentence"


_SCOPES = ("sentence", "act")


@dataclass(frozen=True)
class PlaceFilters:
    """The place filters of ``places.yaml`` (see its description)."""

    facility_heads: frozenset[str] = frozenset()
    facility_deps: frozenset[str] = frozenset()
    destination_preps: frozenset[str] = frozenset()
    motion_verbs: frozenset[str] = frozenset()
    metonym_subject_of: frozenset[str] = frozenset()
    metonym_object_of: frozenset[str] = frozenset()
    district_km: float = 0.0
    district_precisions: frozenset[str] = frozenset()
    ids: tuple[tuple[str, str], ...] = ()  # (kind, rule id)

    def rule_id(self, kind: str) -> str:
        return next((rid for k, rid in self.ids if k == kind), f"place-{kind}")


@dataclass(frozen=True)
class Anchor:
    """The start of a conflict: the default lower bound of undated past events."""

    id: str
    day: date
    countries: frozenset[str | None]
    max_days: int
    since_phrases: tuple[str, ...]


@dataclass(frozen=True)
class DateDefaults:
    """Defaults of ``anchors.yaml``: days before publication for undated events."""

    past_days: int = 7
    present_days: int = 0
    perfect_days: int = 1
    perfect_uses_anchor: bool = True
    drop_before_anchor: bool = True
    headline_days: int | None = 1
    since_words: tuple[str, ...] = ("since",)
    upper_bound_cues: tuple[str, ...] = ()
    report_verbs: frozenset[str] = frozenset()
    since_then: tuple[str, ...] = ()
    unknown_when: tuple[str, ...] = ()
    prior_words: frozenset[str] = frozenset()
    prior_governors: frozenset[str] = frozenset()
    ongoing_verbs: frozenset[str] = frozenset()


def _lower_set(raw: Any, where: str, key: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise RuleError(f"{where}: '{key}' must be a list")
    return frozenset(str(x).lower() if x is not None else "" for x in raw)


@lru_cache(maxsize=4)
def load_cue_rules(lang: str = "en") -> tuple[CueRule, ...]:
    """Cue rules of ``negation.yaml`` (and any ``cues*.yaml``) of the extract stage.

    Raises:
        RuleError: a wrong schema, an unknown effect or event type, or a rule with no cue.
    """
    folder = rules_dir("extract", lang)
    out: list[CueRule] = []
    for path in [folder / "negation.yaml", *sorted(folder.glob("cues*.yaml"))]:
        if not path.exists():
            continue
        data = load_rule_file(str(path))
        if data.get("schema") != CUE_SCHEMA:
            raise RuleError(f"{path}: schema must be {CUE_SCHEMA!r}")
        for raw in data.get("rules") or []:
            where = f"{path}: rule {raw['id']!r}"
            effect = raw.get("effect")
            if effect not in _EFFECTS:
                raise RuleError(f"{where}: unknown effect {effect!r}. Allowed: {', '.join(_EFFECTS)}")
            types = _lower_set(raw.get("types"), where, "types")
            bad = sorted(t for t in types if t not in EVENT_TYPES)
            if bad:
                raise RuleError(f"{where}: unknown type(s) {bad}. Allowed: {', '.join(EVENT_TYPES)}")
            rule = CueRule(
                id=str(raw["id"]),
                effect=effect,
                child_lemmas=_lower_set(raw.get("child_lemmas"), where, "child_lemmas"),
                child_deps=_lower_set(raw.get("child_deps"), where, "child_deps"),
                governors=_lower_set(raw.get("governors"), where, "governors"),
                unless_governors=_lower_set(raw.get("unless_governors"), where, "unless_governors"),
                unless_child_lemmas=_lower_set(raw.get("unless_child_lemmas"), where, "unless_child_lemmas"),
                phrases=tuple(sorted(_lower_set(raw.get("phrases"), where, "phrases"))),
                window=int(raw.get("window", 40)),
                types=types,
                trigger_deps=_lower_set(raw.get("trigger_deps"), where, "trigger_deps"),
                object_ents=frozenset(e.upper() for e in _lower_set(raw.get("object_ents"), where, "object_ents")),
            )
            if not (rule.child_lemmas or rule.governors or rule.phrases or rule.trigger_deps or rule.object_ents):
                raise RuleError(f"{where}: a cue rule needs child_lemmas, governors, phrases, trigger_deps "
                                "or object_ents")
            out.append(rule)
    return tuple(out)


@lru_cache(maxsize=4)
def load_priority_rules(lang: str = "en") -> tuple[PriorityRule, ...]:
    """Type-priority rules of ``assembly.yaml``.

    Raises:
        RuleError: a wrong schema or an unknown event type.
    """
    path = rules_dir("extract", lang) / "assembly.yaml"
    if not path.exists():
        return ()
    data = load_rule_file(str(path))
    if data.get("schema") != ASSEMBLY_SCHEMA:
        raise RuleError(f"{path}: schema must be {ASSEMBLY_SCHEMA!r}")
    out = []
    for raw in data.get("rules") or []:
        where = f"{path}: rule {raw['id']!r}"
        keep = _lower_set(raw.get("keep"), where, "keep")
        drop = _lower_set(raw.get("drop"), where, "drop")
        bad = sorted(t for t in keep | drop if t not in EVENT_TYPES)
        if bad or not keep or not drop:
            raise RuleError(f"{where}: keep/drop must be non-empty lists of event types; bad: {bad}. "
                            f"Allowed: {', '.join(EVENT_TYPES)}")
        scope = str(raw.get("scope", "sentence"))
        if scope not in _SCOPES:
            raise RuleError(f"{where}: unknown scope {scope!r}. Allowed: {', '.join(_SCOPES)}")
        out.append(PriorityRule(str(raw["id"]), keep, drop, scope))
    return tuple(out)


PLACE_FILTER_SCHEMA = "vigil.rules.placefilter.v1"
_PLACE_KINDS = ("facility", "destination", "metonym", "district")


@lru_cache(maxsize=4)
def load_place_filters(lang: str = "en") -> PlaceFilters:
    """The place filters of ``places.yaml`` (facility modifiers, destinations, metonyms, districts).

    Raises:
        RuleError: a wrong schema or an unknown kind.
    """
    path = rules_dir("extract", lang) / "places.yaml"
    if not path.exists():
        return PlaceFilters()
    data = load_rule_file(str(path))
    if data.get("schema") != PLACE_FILTER_SCHEMA:
        raise RuleError(f"{path}: schema must be {PLACE_FILTER_SCHEMA!r}")
    vals: dict[str, Any] = {}
    ids: list[tuple[str, str]] = []

    def add(key: str, raw: Any, where: str, name: str) -> None:
        vals[key] = vals.get(key, frozenset()) | _lower_set(raw, where, name)

    for raw in data.get("rules") or []:
        where = f"{path}: rule {raw['id']!r}"
        kind = raw.get("kind")
        if kind not in _PLACE_KINDS:
            raise RuleError(f"{where}: unknown kind {kind!r}. Allowed: {', '.join(_PLACE_KINDS)}")
        ids.append((kind, str(raw["id"])))
        if kind == "facility":
            add("facility_heads", raw.get("heads"), where, "heads")
            add("facility_deps", raw.get("deps"), where, "deps")
        elif kind == "destination":
            add("destination_preps", raw.get("preps"), where, "preps")
            add("motion_verbs", raw.get("motion"), where, "motion")
        elif kind == "metonym":
            add("metonym_subject_of", raw.get("subject_of"), where, "subject_of")
            add("metonym_object_of", raw.get("object_of"), where, "object_of")
        else:
            try:
                vals["district_km"] = float(raw.get("max_km", 15))
            except (TypeError, ValueError) as e:
                raise RuleError(f"{where}: max_km must be a number") from e
            add("district_precisions", raw.get("precisions") or ["admin2", "site"], where, "precisions")
    return PlaceFilters(**vals, ids=tuple(ids))


@dataclass(frozen=True)
class AssemblyPolicy:
    """Type-level settings of ``assembly.yaml`` (top-level keys beside ``rules``)."""

    local_place_types: frozenset[str] = frozenset()
    merge_same_rule_types: frozenset[str] = frozenset()
    no_fallback_place_types: frozenset[str] = frozenset()
    no_loose_place_types: frozenset[str] = frozenset()
    act_prefer_files: tuple[str, ...] = ()
    # an undated event of the key type told in one sentence with a dated event of a listed type ends
    # by that one: "kidnapped the mayor, who refused to cooperate" (the refusal came first)
    ends_by: tuple[tuple[str, frozenset[str]], ...] = ()
    # "a nationwide wave of rallies", "across the country": with no place of its own, an event of one of
    # nationwide_types is the country's the document is about (country precision), not the city told
    # in the sentence before
    nationwide_words: tuple[str, ...] = ()
    nationwide_types: frozenset[str] = frozenset()


@lru_cache(maxsize=4)
def load_assembly_policy(lang: str = "en") -> AssemblyPolicy:
    """``local_place_types`` (no headline/document place fallback), ``merge_same_rule_types``
    (mentions merge only when told by the same trigger rule) and ``no_fallback_place_types``
    (the place must be attached in the event's own sentence, else none) of ``assembly.yaml``.

    Raises:
        RuleError: an unknown event type.
    """
    path = rules_dir("extract", lang) / "assembly.yaml"
    if not path.exists():
        return AssemblyPolicy()
    data = load_rule_file(str(path))
    out = {}
    for key in ("local_place_types", "merge_same_rule_types", "no_fallback_place_types", "no_loose_place_types"):
        vals = _lower_set(data.get(key), str(path), key)
        bad = sorted(t for t in vals if t not in EVENT_TYPES)
        if bad:
            raise RuleError(f"{path}: {key} has unknown type(s) {bad}. Allowed: {', '.join(EVENT_TYPES)}")
        out[key] = vals
    prefer = data.get("act_prefer_files") or []
    if not isinstance(prefer, list):
        raise RuleError(f"{path}: act_prefer_files must be a list of trigger file names")
    raw_ends = data.get("ends_by") or {}
    if not isinstance(raw_ends, dict):
        raise RuleError(f"{path}: ends_by must map an event type to a list of event types")
    ends_by = []
    for key, later in raw_ends.items():
        vals = _lower_set(later, str(path), f"ends_by.{key}")
        bad = sorted(t for t in {str(key).lower(), *vals} if t not in EVENT_TYPES)
        if bad:
            raise RuleError(f"{path}: ends_by has unknown type(s) {bad}. Allowed: {', '.join(EVENT_TYPES)}")
        ends_by.append((str(key).lower(), vals))
    nationwide = data.get("nationwide") or {}
    words = nationwide.get("words") or [] if isinstance(nationwide, dict) else None
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise RuleError(f"{path}: nationwide must hold 'words', a list of words or phrases, and 'types'")
    wide_types = _lower_set(nationwide.get("types"), str(path), "nationwide.types")
    bad = sorted(t for t in wide_types if t not in EVENT_TYPES)
    if bad:
        raise RuleError(f"{path}: nationwide.types has unknown type(s) {bad}. Allowed: {', '.join(EVENT_TYPES)}")
    return AssemblyPolicy(**out, act_prefer_files=tuple(str(x) for x in prefer), ends_by=tuple(ends_by),
                          nationwide_words=tuple(w.strip().lower() for w in words), nationwide_types=wide_types)


@lru_cache(maxsize=4)
def load_anchors(lang: str = "en") -> tuple[tuple[Anchor, ...], DateDefaults]:
    """Conflict anchors and date defaults of ``anchors.yaml``.

    Raises:
        RuleError: a wrong schema, an anchor date that is not ISO, or a bad default.
    """
    path = rules_dir("extract", lang) / "anchors.yaml"
    if not path.exists():
        return (), DateDefaults()
    data = load_rule_file(str(path))
    if data.get("schema") != ANCHOR_SCHEMA:
        raise RuleError(f"{path}: schema must be {ANCHOR_SCHEMA!r}")
    d = data.get("defaults") or {}
    try:
        defaults = DateDefaults(
            past_days=int(d.get("past_days", 7)),
            present_days=int(d.get("present_days", 0)),
            perfect_days=int(d.get("perfect_days", 1)),
            perfect_uses_anchor=bool(d.get("perfect_uses_anchor", True)),
            drop_before_anchor=bool(d.get("drop_before_anchor", True)),
            headline_days=None if d.get("headline_days") is None else int(d["headline_days"]),
            since_words=tuple(str(w).lower() for w in d.get("since_words") or ("since",)),
            upper_bound_cues=tuple(str(w).lower() for w in d.get("upper_bound_cues") or ()),
            report_verbs=frozenset(str(w).lower() for w in d.get("report_verbs") or ()),
            since_then=tuple(str(w).lower() for w in d.get("since_then") or ()),
            unknown_when=tuple(str(w).lower() for w in d.get("unknown_when") or ()),
            prior_words=frozenset(str(w).lower() for w in d.get("prior_words") or ()),
            prior_governors=frozenset(str(w).lower() for w in d.get("prior_governors") or ()),
            ongoing_verbs=frozenset(str(w).lower() for w in d.get("ongoing_verbs") or ()),
        )
    except (TypeError, ValueError) as e:
        raise RuleError(f"{path}: defaults must be integers ({e})") from e
    anchors = []
    for raw in data.get("rules") or []:
        where = f"{path}: rule {raw['id']!r}"
        try:
            day = date.fromisoformat(str(raw.get("date")))
        except ValueError as e:
            raise RuleError(f"{where}: date must be an ISO date, not {raw.get('date')!r}") from e
        countries = frozenset(None if c is None else str(c).upper() for c in raw.get("countries") or [None])
        anchors.append(Anchor(str(raw["id"]), day, countries, int(raw.get("max_days", 365)),
                              tuple(str(p).lower() for p in raw.get("since_phrases") or [])))
    return tuple(anchors), defaults


# --------------------------------------------------------------------------- partners


@dataclass(frozen=True)
class AttributeFinders:
    """The attribute functions the assembly calls (the partners' modules, or test doubles)."""

    actors: Callable[..., list[Actor]]
    crowd: Callable[..., Crowd | None]
    casualties: Callable[..., Any]
    intervention: Callable[..., tuple[Any, Span | None]]
    modality: Callable[..., tuple[Any, Span | None]]
    claims: Callable[[Article], list[Claim]]
    acled: Callable[..., Acled]


@lru_cache(maxsize=1)
def default_finders() -> AttributeFinders:
    """The shipped attribute finders, imported on first use.

    Raises:
        ImportError: a partner module is missing (no silent fallback).
    """
    from vigil.extract.acled import acled_coding
    from vigil.extract.actors import find_actors
    from vigil.extract.claims import find_claims
    from vigil.extract.interventions import find_intervention
    from vigil.extract.modality import find_modality
    from vigil.extract.numbers import find_casualties, find_crowd

    return AttributeFinders(find_actors, find_crowd, find_casualties, find_intervention, find_modality,
                            find_claims, acled_coding)


# --------------------------------------------------------------------------- helpers


def make_span(article: Article, start: int, end: int, sentence: int | None, rule_id: str) -> Span:
    """A Span over ``article.text[start:end]`` with the extract provenance."""
    start = max(0, min(start, len(article.text)))
    end = max(start, min(end, len(article.text)))
    return Span(doc_id=article.id, start=start, end=end, text=article.text[start:end], sentence=sentence,
                provenance=f"{PROVENANCE}:{rule_id}")


class SentenceView:
    """Index of one parsed sentence: tokens by absolute index, children lists."""

    def __init__(self, sentence: Sentence) -> None:
        self.sentence = sentence
        self.tok: dict[int, Token] = {t.i: t for t in sentence.tokens}
        self.children: dict[int, list[Token]] = {}
        for t in sentence.tokens:
            if t.head != t.i and t.head in self.tok:
                self.children.setdefault(t.head, []).append(t)

    def head(self, t: Token) -> Token | None:
        if t.head == t.i:
            return None
        return self.tok.get(t.head)

    def chain(self, t: Token, deps: frozenset[str], limit: int = 6) -> list[Token]:
        """``t`` and the words above it reached through ``deps`` links."""
        out = [t]
        cur = t
        for _ in range(limit):
            if cur.dep not in deps:
                break
            h = self.head(cur)
            if h is None or h in out:
                break
            out.append(h)
            cur = h
        return out

    def clause_verb(self, t: Token) -> Token:
        """The verb (or adjective) of the clause a nominal trigger sits in; the trigger when it is a verb."""
        cur = t
        for _ in range(6):
            if cur.pos in ("VERB", "AUX") and cur is not t or cur is t and t.pos == "VERB":
                return cur
            if cur.dep not in _CLAUSE_DEPS:
                return cur
            h = self.head(cur)
            if h is None:
                return cur
            cur = h
        return cur


# --------------------------------------------------------------------------- cues


def assess_hit(hit: TriggerHit, sentence: Sentence, text: str, cues: Sequence[CueRule],
               view: SentenceView | None = None, places: Sequence[Place] = ()
               ) -> tuple[str | None, CueRule | None, Span | None]:
    """Which cue (if any) applies to a trigger hit: ``("drop"|"denied"|None, rule, cue offsets)``.

    The returned Span has no doc id filled in meaningfully (``doc_id=""``); callers rebuild it.
    """
    for cue in cues:
        found = cue_matches(cue, hit, sentence, text, view, places)
        if found is not None:
            return cue.effect, cue, found
    return None, None, None


def cue_matches(cue: CueRule, hit: TriggerHit, sentence: Sentence, text: str,
                view: SentenceView | None = None, places: Sequence[Place] = ()) -> Span | None:
    """Where ``cue`` applies to ``hit`` (the cue word's offsets, ``doc_id=""``), or None.

    ``places`` (the geo stage's places of the sentence) keep ``object_ents`` from
    firing on a place name the tagger took for a person.
    """
    if cue.types and hit.rule.type not in cue.types:
        return None
    tok = None
    if view is not None and hit.head_token is not None:
        tok = view.tok.get(hit.head_token)

    def span(s: int, e: int) -> Span:
        return Span(doc_id="", start=s, end=e, text=text[s:e], sentence=sentence.i)

    if cue.trigger_deps:
        if tok is not None and tok.dep.lower() in cue.trigger_deps:
            return span(hit.start, hit.end)
        if not (cue.child_lemmas or cue.governors or cue.phrases or cue.object_ents):
            return None
    if cue.object_ents:
        if tok is not None and view is not None:
            for k in view.children.get(tok.i, []):
                if k.dep in ("dobj", "obj", "nsubjpass") and k.ent_type.upper() in cue.object_ents \
                        and not any(p.start <= k.start < p.end for p in places):
                    return span(k.start, k.start + len(k.text))
        if not (cue.child_lemmas or cue.governors or cue.phrases):
            return None
    if tok is not None and view is not None:
        full = view.chain(tok, _UP_DEPS)
        # the trigger's own clause: stop at the first link that leaves it
        local = view.chain(tok, _CLAUSE_DEPS)
        if cue.child_lemmas:
            if cue.unless_governors and any(_lemma(g) in cue.unless_governors for g in full[1:]):
                pass
            else:
                for g in local:
                    kids = view.children.get(g.i, [])
                    if cue.unless_child_lemmas and any(_lemma(k) in cue.unless_child_lemmas for k in kids):
                        continue
                    for k in kids:
                        if _lemma(k) in cue.child_lemmas and (not cue.child_deps or k.dep in cue.child_deps):
                            return span(k.start, k.start + len(k.text))
        if cue.governors:
            for g in full[1:]:
                if _lemma(g) in cue.governors:
                    return span(g.start, g.start + len(g.text))
    elif tok is None and not sentence.tokens:
        # unparsed sentence: look at the few words just before the trigger
        before = text[max(sentence.start, hit.start - cue.window):hit.start]
        words = [w.lower() for w in _WORD.findall(before)][-4:]
        for w in words:
            if w in cue.child_lemmas or w in cue.governors or any(w.startswith(g) for g in cue.governors if
                                                                 len(g) > 4):
                i = before.lower().rfind(w)
                s = hit.start - len(before) + i
                return span(s, s + len(w))
    if cue.phrases:
        lo = max(sentence.start, hit.start - cue.window)
        before = text[lo:hit.start].lower()
        for p in cue.phrases:
            i = before.rfind(p)
            if i >= 0 and (i == 0 or not before[i - 1].isalnum()):
                return span(lo + i, lo + i + len(p))
    return None


# --------------------------------------------------------------------------- places


@dataclass
class _PlaceChoice:
    place: Place
    rule: str


def _place_tokens(place: Place, view: SentenceView) -> Token | None:
    toks = [t for t in view.sentence.tokens if place.start <= t.start < place.end]
    if not toks:
        return None
    ids = {t.i for t in toks}
    for t in toks:
        if t.head not in ids or t.head == t.i:
            return t
    return toks[0]


def _attachment(place_tok: Token, trig: Token, verb: Token, view: SentenceView) -> float | None:
    """How a place token hangs off the trigger (lower is closer), or None when it does not."""
    targets = {trig.i, verb.i}
    up = trig
    for _ in range(2):
        if up.dep not in ("relcl", "acl", "amod", "appos"):
            break
        h = view.head(up)
        if h is None:
            break
        if h.i == place_tok.i:
            return 0.0
        up = h
    cur = place_tok
    prep_rank: float = 0.5
    steps = 0
    while steps < 8:
        if cur.i in targets:
            return prep_rank + steps * 0.01
        h = view.head(cur)
        if h is None:
            return None
        if h.pos == "ADP" or cur.dep == "prep" and h.pos != "VERB":
            rank = _PLACE_PREP_RANK.get(_lemma(h))
            if rank is not None and prep_rank == 0.5:
                prep_rank = rank
        if h.pos in ("VERB", "AUX") and h.i not in targets:
            # a participle or clause hanging directly off the trigger ("airstrikes destroying ... in X")
            hh = view.head(h)
            if not (hh is not None and hh.i in targets and h.dep in ("acl", "relcl", "advcl", "xcomp")):
                return None
        cur = h
        steps += 1
    return None


def _in_subject_phrase(tok: Token, view: SentenceView) -> bool:
    """The token sits in a subject noun phrase ("the Zaporizhzhia administration spokesman said")."""
    cur = tok
    for _ in range(4):
        if cur.dep in ("nsubj", "nsubjpass"):
            return True
        if cur.dep not in ("compound", "poss", "amod", "appos", "pobj", "prep"):
            return False
        h = view.head(cur)
        if h is None:
            return False
        cur = h
    return False


def _is_actor_place(place: Place, ptok: Token | None, view: SentenceView | None) -> bool:
    if ptok is None or view is None:
        return False
    if ptok.dep in ("nsubj", "nsubjpass", "agent", "npadvmod"):
        return True
    # "Russia's troops", "Ukraine anti-war protests": a country modifying a noun names a party
    return ptok.dep in ("compound", "poss") and place.precision == "country"


def place_role(place: Place, view: SentenceView | None, filters: PlaceFilters) -> str | None:
    """Why a place mention is not (or only weakly) an event place: ``metonym`` ("Moscow said",
    "press Moscow"), ``facility`` ("the Rivne nuclear power plant"), ``destination`` ("trucks heading
    towards Mykolaiv"), or None when it may be one. Needs the parse of the place's sentence."""
    if view is None:
        return None
    ptok = _place_tokens(place, view)
    if ptok is None:
        return None
    h = view.head(ptok)
    if h is not None:
        if ptok.dep in ("nsubj", "csubj") and _lemma(h) in filters.metonym_subject_of:
            return "metonym"
        if ptok.dep in ("dobj", "obj") and _lemma(h) in filters.metonym_object_of:
            return "metonym"
        if ptok.dep == "pobj" and _lemma(h) in ("on", "upon"):
            hh = view.head(h)
            if hh is not None and _lemma(hh) in filters.metonym_object_of:
                return "metonym"  # "called on Moscow", "pressure on Kyiv"
    cur = ptok
    for _ in range(4):
        up = view.head(cur)
        if up is None:
            break
        if cur.dep == "pobj" and _lemma(up) in filters.destination_preps:
            verb = view.head(up)
            if verb is not None and verb.pos in ("VERB", "AUX") and _lemma(verb) in filters.motion_verbs:
                return "destination"
            break
        if cur.dep not in ("compound", "amod", "appos", "conj", "nmod", "poss"):
            break
        cur = up
    cur = ptok
    for _ in range(4):
        if cur.dep not in filters.facility_deps:
            break
        up = view.head(cur)
        if up is None:
            break
        if _lemma(up) in filters.facility_heads:
            return "facility"
        cur = up
    return None


def _haversine_km(a: Place, b: Place) -> float:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return math.inf
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    x = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(x)))


def district_cities(places: Sequence[Place], filters: PlaceFilters) -> dict[tuple[int, int], Place]:
    """Districts of a city named in the same document: (start, end) of the district mention -> the city.

    A resolved place of ``district`` precision (admin2, site) lying within ``max_km`` of a resolved
    city-precision place of the document (and in the same country) is a part of that city.
    """
    if filters.district_km <= 0:
        return {}
    cities = [p for p in places if p.resolved and p.precision == "city" and p.lat is not None]
    out: dict[tuple[int, int], Place] = {}
    for p in places:
        if not p.resolved or p.precision not in filters.district_precisions or p.lat is None:
            continue
        near = [(d, c) for c in cities
                if c.geonameid != p.geonameid and c.country == p.country
                and (d := _haversine_km(p, c)) <= filters.district_km]
        if near:
            out[(p.start, p.end)] = min(near, key=lambda x: (x[0], x[1].start))[1]
    return out


def _place_key(p: Place) -> tuple[Any, ...]:
    return (p.geonameid,) if p.geonameid is not None else (p.name.lower(),)


def _choose_places(hit: TriggerHit, sentence: Sentence, places: list[Place],
                   view: SentenceView | None, types_without_loose: frozenset[str] = frozenset(),
                   strict_types: frozenset[str] = frozenset(),
                   roles: dict[tuple[int, int], str] | None = None) -> list[_PlaceChoice]:
    """The places where the hit's event happened, from its own sentence (maybe several).

    ``roles`` (from ``place_role``): metonyms are never chosen, destinations only when attached to the
    trigger, facility modifiers only when no other place of the sentence is a candidate (their choices
    then carry the rule ``place-facility`` so that the caller can prefer a fallback).
    """
    roles = roles or {}
    places = [p for p in places if roles.get((p.start, p.end)) != "metonym"]
    if not places:
        return []
    facility = [p for p in places if roles.get((p.start, p.end)) == "facility"]
    if facility:
        others = [p for p in places if roles.get((p.start, p.end)) != "facility"]
        found = _choose_places(hit, sentence, others, view, types_without_loose, strict_types, roles) \
            if others else []
        if found:
            return found
        weak = _choose_places(hit, sentence, facility, view, types_without_loose, strict_types)
        return [_PlaceChoice(c.place, "place-facility") for c in weak]
    trig = view.tok.get(hit.head_token) if view is not None and hit.head_token is not None else None
    if trig is None or view is None:
        usable = [p for p in places if p.resolved and p.precision != "country"]
        if not usable:
            return []
        best = min(usable, key=lambda p: (_PRECISION_RANK.get(p.precision, 5), abs(p.start - hit.start)))
        return [_PlaceChoice(best, "place-sentence-nearest")]
    verb = view.clause_verb(trig)
    attached: list[tuple[float, Place]] = []
    loose: list[Place] = []
    for p in places:
        ptok = _place_tokens(p, view)
        if ptok is None:
            continue
        if p.start < hit.end and hit.start < p.end:
            continue  # the trigger word itself (e.g. a place-named operation)
        if ptok.ent_type == "ORG" and (len(p.text) <= 4 or p.text.isupper()):
            continue  # "NATO allies", "EU countries": an acronym of an organisation, not a place
        a = _attachment(ptok, trig, verb, view)
        if _is_actor_place(p, ptok, view) and (a is None or a >= 0.5):
            continue
        if a is not None:
            attached.append((a, p))
        elif not _in_subject_phrase(ptok, view) and roles.get((p.start, p.end)) != "destination":
            loose.append(p)
    # a country or an unresolved name is the event's place only when told with "in/at/across..."
    attached = [(a, p) for a, p in attached
                if (p.resolved and p.precision != "country") or a < 0.5]
    if types_without_loose and hit.rule.type in types_without_loose:
        loose = []
    if hit.rule.type in strict_types:
        attached = [(a, p) for a, p in attached if a < 0.5]
    if attached:
        best_prec = min(_PRECISION_RANK.get(p.precision, 5) if p.resolved else 5 for _, p in attached)
        tier = [(a, p) for a, p in attached if (_PRECISION_RANK.get(p.precision, 5) if p.resolved else 5) == best_prec]
        best_a = min(int(a) for a, _ in tier)
        chosen: list[_PlaceChoice] = []
        seen: set[tuple[Any, ...]] = set()
        for a, p in sorted(tier, key=lambda x: x[1].start):
            if int(a) == best_a and _place_key(p) not in seen:
                seen.add(_place_key(p))
                chosen.append(_PlaceChoice(p, "place-attached"))
        return chosen
    usable = [p for p in loose if p.resolved and p.precision != "country"]
    if usable:
        best = min(usable, key=lambda p: (_PRECISION_RANK.get(p.precision, 5), abs(p.start - hit.start)))
        return [_PlaceChoice(best, "place-sentence")]
    return []


def _location(article: Article, choice: _PlaceChoice,
              districts: dict[tuple[int, int], Place] | None = None) -> Location:
    p = choice.place
    city = (districts or {}).get((p.start, p.end))
    if city is not None:
        # a district of a city named in the document: the event is in that city (evidence: the district)
        return Location(name=city.name, admin1=city.admin1, country=city.country, lat=city.lat, lon=city.lon,
                        precision=city.precision, geonameid=city.geonameid,
                        evidence=make_span(article, p.start, p.end, p.sentence, "place-district-of-city"))
    return Location(
        name=p.name,
        admin1=p.admin1,
        country=p.country,
        lat=p.lat,
        lon=p.lon,
        precision=p.precision,
        geonameid=p.geonameid,
        evidence=make_span(article, p.start, p.end, p.sentence, choice.rule),
    )


def _dominant_place(places: Sequence[Place]) -> Place | None:
    counts: dict[tuple[Any, ...], list[Place]] = {}
    for p in places:
        if p.resolved and p.precision in ("city", "site", "admin2", "admin1"):
            counts.setdefault(_place_key(p), []).append(p)
    if not counts:
        return None
    best = max(counts.values(), key=lambda ps: (len(ps), -_PRECISION_RANK.get(ps[0].precision, 5), -ps[0].start))
    return best[0]


# --------------------------------------------------------------------------- dates


def _clip_interval(start: date | None, end: date | None, published: date | None) -> tuple[date | None, date | None]:
    if published is not None:
        if end is not None and end > published:
            end = published
        if start is not None and start > published:
            start = published
    if start is not None and end is not None and start > end:
        start = end
    return start, end


def _default_start(published: date, country: str | None, anchors: Sequence[Anchor],
                   defaults: DateDefaults) -> tuple[date, str]:
    for a in anchors:
        if (country in a.countries or None in a.countries) and a.day <= published \
                and (published - a.day).days <= a.max_days:
            return a.day, a.id
    return published - timedelta(days=defaults.past_days), "default-past-days"


def _tense(tok: Token | None, view: SentenceView | None) -> str:
    """present, perfect or past (the default) from the trigger's clause verb."""
    if tok is None or view is None:
        return "past"
    verb = view.clause_verb(tok)
    kids = view.children.get(verb.i, [])
    aux = [k for k in kids if k.dep in ("aux", "auxpass")]
    if any(_lemma(k) == "have" and "Tense=Pres" in k.morph for k in aux):
        return "perfect"
    if any("Tense=Past" in k.morph for k in aux) or "Tense=Past" in verb.morph:
        return "past"
    if any("Tense=Pres" in k.morph for k in aux) or ("Tense=Pres" in verb.morph and "VerbForm=Fin" in verb.morph):
        return "present"
    return "past"


def _before_anchor(d: EventDate, published: date | None, country: str | None, anchors: Sequence[Anchor]) -> bool:
    """True when the event's interval ends before the start of the conflict it belongs to (background history)."""
    if d.end is None or published is None or _is_default_date(d):
        return False
    for a in anchors:
        if (country in a.countries or None in a.countries) and a.day <= published \
                and (published - a.day).days <= a.max_days:
            return d.end < a.day
    return False


def _timex_usable(t: Timex, published: date | None) -> bool:
    if t.type not in ("DATE", "TIME") or t.interval is None:
        return False
    iv = t.interval
    if iv.start is None and iv.end is None:
        return False
    return not (published is not None and iv.start is not None and iv.start > published)


def _date_from_timex(article: Article, t: Timex, country: str | None, anchors: Sequence[Anchor],
                     defaults: DateDefaults, rule: str) -> EventDate:
    iv = t.interval
    assert iv is not None
    start, end = iv.start, iv.end
    published = article.published
    if t.relation == "before":
        if published is not None and end is not None:
            start = _default_start(min(end, published), country, anchors, defaults)[0]
        rule += "-upper-bound"
    elif t.relation == "after":
        end = published or end
        rule += "-lower-bound"
    if start is None:
        start = end
    if end is None:
        end = published if published is not None and start is not None and start <= published else start
    start, end = _clip_interval(start, end, published)
    return EventDate(start=start, end=end, rule=rule,
                     evidence=make_span(article, t.start, t.end, t.sentence, rule))


_CLOSERS = "\"'”’»)]* \t\r\n"


def _ends_sentence(text: str, sentence: Sentence) -> bool:
    """The sentence ends with closing punctuation (quotes and brackets aside): body text, not a title line."""
    tail = text[sentence.start:sentence.end].rstrip(_CLOSERS)
    return tail.endswith((".", "!", "?", "…"))


def _is_dateline(sentence: Sentence | None, timexes: Sequence[Timex], by_index: dict[int, Sentence]) -> bool:
    """``sentence`` is a paragraph of its own made mostly of dates and times ("March 29, 2022 12:07 pm")."""
    if sentence is None or any(s.paragraph == sentence.paragraph and s.i != sentence.i for s in by_index.values()):
        return False
    covered = sum(max(0, min(t.end, sentence.end) - max(t.start, sentence.start)) for t in timexes)
    return covered > 0 and covered >= 0.6 * (sentence.end - sentence.start)


def _is_headline(text: str, sentence: Sentence, by_index: dict[int, Sentence],
                 sent_timexes: dict[int, list[Timex]]) -> bool:
    """The sentence is a title line: alone in the first paragraph of a text with more paragraphs, and without
    closing punctuation (a one-sentence lede that ends with a full stop is body text), or with it when a
    dateline paragraph follows ("Forces hit the depot." then "March 29, 2022 12:07 pm")."""
    if not by_index:
        return False
    first = by_index[min(by_index)]
    if sentence.paragraph != first.paragraph:
        return False
    same = [s for s in by_index.values() if s.paragraph == first.paragraph]
    if len(same) != 1 or not any(s.paragraph != first.paragraph for s in by_index.values()):
        return False
    if not _ends_sentence(text, sentence):
        return True
    nxt = by_index.get(sentence.i + 1)
    return _is_dateline(nxt, sent_timexes.get(sentence.i + 1, []), by_index)


def _dates_the_report(t: Timex, trig: Token | None, view: SentenceView | None, verbs: frozenset[str]) -> bool:
    """The timex hangs off a reporting verb, not off the event ("officials said on Wednesday that ...")."""
    if trig is None or view is None or not verbs:
        return False
    toks = [x for x in view.sentence.tokens if t.start <= x.start < t.end]
    if not toks:
        return False
    cur: Token | None = toks[0]
    for _ in range(6):
        if cur is None:
            return False
        if cur.pos in ("VERB", "AUX") and cur.i != trig.i:  # "as reported, on March 2 ..." is no report date
            return _lemma(cur) in verbs and not any(k.dep == "mark" and _lemma(k) == "as"
                                                    for k in view.children.get(cur.i, []))
        if cur.i == trig.i:
            return False
        cur = view.head(cur)
    return False


_FILLER_TAIL = re.compile(r"(?:\s+|,|\b(?:on|at|about|around)\b|\b\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?)+$")


def _cue_before(text: str, sentence: Sentence, t: Timex, cues: Sequence[str]) -> bool:
    """One of ``cues`` ends right before the timex ("as of April 2"), maybe with a clock time between
    ("as of 14:00 on April 2")."""
    before = text[max(sentence.start, t.start - 40):t.start].lower().rstrip()
    stripped = _FILLER_TAIL.sub("", before)
    for cue in cues:
        if stripped != before and stripped.endswith(cue) and \
                (len(stripped) == len(cue) or not stripped[-len(cue) - 1].isalnum()):
            return True
        for tail in (cue, cue + " on", cue + " the"):
            if before.endswith(tail) and (len(before) == len(tail) or not before[-len(tail) - 1].isalnum()):
                return True
    return False


def _after_since(text: str, sentence: Sentence, t: Timex, since_words: Sequence[str]) -> bool:
    """The timex is the object of "since" ("since February 24"): a lower bound, not the event day."""
    before = text[max(sentence.start, t.start - 60):t.start].lower()
    words = _WORD.findall(before.replace(",", " , "))
    for w in reversed(words[-12:]):
        if w in since_words:
            return "," not in before[before.rfind(w):]
    return False


def _event_date(article: Article, hit: TriggerHit, sentence: Sentence, tok: Token | None,
                view: SentenceView | None, country: str | None, sent_timexes: dict[int, list[Timex]],
                by_index: dict[int, Sentence], anchors: Sequence[Anchor], defaults: DateDefaults) -> EventDate:
    """The event's date interval; "it is unclear when the footage was recorded" (this sentence or the
    next in the paragraph) keeps only its upper bound and widens it back to the default start."""
    d = _event_date_core(article, hit, sentence, tok, view, country, sent_timexes, by_index, anchors, defaults)
    if not defaults.unknown_when or d.end is None or (d.rule or "").startswith("date-since"):
        return d
    nxt = by_index.get(sentence.i + 1)
    ends = nxt.end if nxt is not None and nxt.paragraph == sentence.paragraph else sentence.end
    low = article.text[sentence.start:ends].lower()
    if not any(c in low for c in defaults.unknown_when):
        return d
    start = _default_start(d.end, country, anchors, defaults)[0]
    if d.start is not None and d.start < start:
        start = d.start
    return d.model_copy(update={"start": start, "rule": f"{d.rule}-when-unclear"})


def _event_date_core(article: Article, hit: TriggerHit, sentence: Sentence, tok: Token | None,
                     view: SentenceView | None, country: str | None, sent_timexes: dict[int, list[Timex]],
                     by_index: dict[int, Sentence], anchors: Sequence[Anchor], defaults: DateDefaults) -> EventDate:
    published = article.published
    own = [t for t in sent_timexes.get(sentence.i, []) if _timex_usable(t, published)]
    # "now" in another clause ("... the building where the occupiers have now settled") dates that
    # clause, not the event
    own = [t for t in own if t.value != "PRESENT_REF" or view is None or governs(t, tok, view)]
    if own:
        # the timex of the trigger's own clause first, a calendar date before a bare clock time, then the nearest
        best = min(own, key=lambda t: (t.relation != "on", not governs(t, tok, view), is_clock_time(t),
                                       abs(t.start - hit.start)))
        rule = "date-sentence"
        if best.relation == "on" and _after_since(article.text, sentence, best, defaults.since_words):
            best = best.model_copy(update={"relation": "after"})
        elif best.relation == "on" and (_cue_before(article.text, sentence, best, defaults.upper_bound_cues)
                                        or _dates_the_report(best, tok, view, defaults.report_verbs)):
            best = best.model_copy(update={"relation": "before"})
        elif best.relation == "on":
            prior = prior_relation(best, tok, view, defaults.prior_words, defaults.prior_governors)
            if prior is not None:  # the timex dates an earlier event, or the trigger is the earlier event
                best = best.model_copy(update={"relation": prior})
                rule = "date-sentence-prior"
        return _date_from_timex(article, best, country, anchors, defaults, rule)
    # "since the occupation began"
    low = article.text[sentence.start:sentence.end].lower()
    for a in anchors:
        for p in a.since_phrases:
            i = low.find(p)
            if i >= 0 and published is not None and a.day <= published:
                s = sentence.start + i
                return EventDate(start=a.day, end=published, rule=f"date-since-{a.id}",
                                 evidence=make_span(article, s, s + len(p), sentence.i, f"date-since-{a.id}"))
    # the scene-setting sentence before, in the same paragraph
    j = sentence.i - 1
    while j >= 0 and j in by_index and by_index[j].paragraph == sentence.paragraph and sentence.i - j <= 3:
        prev = [t for t in sent_timexes.get(j, []) if _timex_usable(t, published) and t.relation == "on"]
        if prev:
            ref = prev[-1]
            if any(p in low for p in defaults.since_then):  # "Eleven days ago ... Since then, ..."
                return _date_from_timex(article, ref.model_copy(update={"relation": "after"}), country, anchors,
                                        defaults, "date-previous-sentence-since")
            if _tense(tok, view) == "perfect":  # "On Monday X happened. Y has called for ...": Y since Monday
                return _date_from_timex(article, ref.model_copy(update={"relation": "after"}), country, anchors,
                                        defaults, "date-previous-sentence-perfect")
            return _date_from_timex(article, ref, country, anchors, defaults, "date-previous-sentence")
        j -= 1
    if published is None:
        return EventDate(rule="date-unknown")
    if defaults.headline_days is not None and _is_headline(article.text, sentence, by_index, sent_timexes):
        return EventDate(start=published - timedelta(days=defaults.headline_days), end=published,
                         rule="date-default-headline")
    tense = _tense(tok, view)
    if tok is not None and view is not None and tense == "present":
        if is_ongoing(tok, view, defaults.ongoing_verbs):
            tense = "ongoing"
        elif is_prior_event(tok, view, defaults.prior_words, defaults.prior_governors):
            tense = "past"
    if tense == "present":
        return EventDate(start=published - timedelta(days=defaults.present_days), end=published,
                         rule="date-default-present")
    if tense == "perfect" and not defaults.perfect_uses_anchor:
        return EventDate(start=published - timedelta(days=defaults.perfect_days), end=published,
                         rule="date-default-perfect")
    start, aid = _default_start(published, country, anchors, defaults)
    return EventDate(start=start, end=published, rule=f"date-default-{tense}:{aid}")


# --------------------------------------------------------------------------- candidates


@dataclass
class _Candidate:
    hit: TriggerHit
    sentence: Sentence
    tok: Token | None
    view: SentenceView | None
    effect: str | None
    cue: CueRule | None
    cue_span: Span | None
    location: Location | None = None
    date: EventDate = field(default_factory=EventDate)
    rules: list[str] = field(default_factory=list)


def apply_priority(hits: list[TriggerHit], priorities: Sequence[PriorityRule]) -> tuple[list[TriggerHit], list[str]]:
    """Drop the hits of one sentence whose type yields to another type present; returns (kept, rule ids used).

    Only ``scope: sentence`` rules apply here; ``scope: act`` rules are for ``resolve_same_act``.
    """
    types = {h.rule.type for h in hits}
    dropped: set[str] = set()
    used: list[str] = []
    for pr in priorities:
        if pr.scope != "sentence":
            continue
        if types & pr.keep:
            gone = (types & pr.drop) - pr.keep
            if gone - dropped:
                used.append(pr.id)
            dropped |= gone
    return [h for h in hits if h.rule.type not in dropped], used


def same_act(a: TriggerHit, b: TriggerHit, view: SentenceView | None) -> bool:
    """Two hits of one sentence tell one act: their words overlap, they share a clause verb, or one
    clause hangs off the other as a participle, complement or conjunct ("formed a human chain ...,
    blocking the column"; "stood in front of the trucks and sang the anthem")."""
    if a.start < b.end and b.start < a.end:
        return True
    if view is None or a.head_token is None or b.head_token is None:
        return False
    ta, tb = view.tok.get(a.head_token), view.tok.get(b.head_token)
    if ta is None or tb is None:
        return False
    va, vb = view.clause_verb(ta), view.clause_verb(tb)

    def up(v: Token) -> list[int]:
        return [t.i for t in view.chain(v, frozenset({"advcl", "xcomp", "conj", "ccomp"}), limit=3)]

    return bool(set(up(va)) & set(up(vb)))


def resolve_same_act(hits: list[TriggerHit], priorities: Sequence[PriorityRule], view: SentenceView | None,
                     prefer_files: Sequence[str] = ()) -> tuple[list[TriggerHit], list[str]]:
    """Keep one reading of hits of different types that tell the same act; returns (kept, rule ids used).

    A priority rule (either scope) whose ``keep`` holds one type and ``drop`` the other decides; else a
    hit from a file of ``prefer_files`` (the conflict triggers) wins over one from another file (the
    ACLED-only triggers); else both stay.
    """
    dropped: set[int] = set()
    used: list[str] = []
    for n, a in enumerate(hits):
        for b in hits[n + 1:]:
            if id(a) in dropped or id(b) in dropped or not same_act(a, b, view):
                continue
            loser: TriggerHit | None = None
            why = ""
            if a.rule.type == b.rule.type:
                # one act told by a conflict trigger and an ACLED-only one: the conflict reading carries it
                pa, pb = a.rule.source in prefer_files, b.rule.source in prefer_files
                if pa != pb:
                    dropped.add(id(b) if pa else id(a))
                continue
            for pr in priorities:
                if a.rule.type in pr.keep and b.rule.type in pr.drop and b.rule.type not in pr.keep:
                    loser, why = b, pr.id
                elif b.rule.type in pr.keep and a.rule.type in pr.drop and a.rule.type not in pr.keep:
                    loser, why = a, pr.id
                if loser is not None:
                    break
            if loser is None and prefer_files:
                pa, pb = a.rule.source in prefer_files, b.rule.source in prefer_files
                if pa != pb:
                    loser, why = (b if pa else a), "act-prefer-conflict-trigger"
            if loser is not None:
                dropped.add(id(loser))
                used.append(why)
    return [h for h in hits if id(h) not in dropped], list(dict.fromkeys(used))


def select_hits(sentence: Sentence, text: str, rules: Sequence[TriggerRule], priorities: Sequence[PriorityRule],
                prefer_files: Sequence[str] = (), view: SentenceView | None = None,
                people: frozenset[str] | None = None) -> tuple[list[TriggerHit], list[str]]:
    """Trigger hits of one sentence after de-duplication, same-act resolution and sentence priority
    (``people``: ``named_people`` of the article)."""
    if view is None and sentence.parsed and sentence.tokens:
        view = SentenceView(sentence)
    hits = _dedupe_hits(match_triggers(sentence, text, rules, people))
    hits, used = resolve_same_act(hits, priorities, view, prefer_files)
    kept, used2 = apply_priority(hits, priorities)
    return kept, [*used, *used2]


def _dedupe_hits(hits: list[TriggerHit]) -> list[TriggerHit]:
    """One hit per token span and type; a longer phrase covering a single-word hit of the same type wins."""
    out: list[TriggerHit] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if any(o.start <= h.start and h.end <= o.end and (o.rule.type == h.rule.type or o.end - o.start >
                                                          h.end - h.start) for o in out):
            continue
        out.append(h)
    out.sort(key=lambda h: (h.start, h.rule.id))
    return out


def find_candidates(article: Article, rules: Sequence[TriggerRule], cues: Sequence[CueRule],
                    priorities: Sequence[PriorityRule], prefer_files: Sequence[str] = ()) -> list[_Candidate]:
    """Trigger hits of every sentence that survive the cue, same-act and priority rules."""
    out: list[_Candidate] = []
    text = article.text
    places_by_sent: dict[int, list[Place]] = {}
    for p in article.places:
        if p.sentence is not None:
            places_by_sent.setdefault(p.sentence, []).append(p)
    people = named_people(article.entities)
    # beside parsed sentences, an unparsed one was judged trigger-free by the nlp stage's pre-filter
    selective = any(s.parsed for s in article.sentences)
    for sent in article.sentences:
        if sent.end <= sent.start or sent.start >= len(text) or (selective and not sent.parsed):
            continue
        hits = _dedupe_hits(match_triggers(sent, text, rules, people))
        if not hits:
            continue
        view = SentenceView(sent) if sent.parsed and sent.tokens else None
        kept: list[_Candidate] = []
        for h in hits:
            effect, cue, cspan = assess_hit(h, sent, text, cues, view, places_by_sent.get(sent.i, ()))
            if effect == "drop":
                log.debug("%s: drop %s %r (%s)", article.id, h.rule.type, h.text, cue.id if cue else "")
                continue
            tok = view.tok.get(h.head_token) if view is not None and h.head_token is not None else None
            kept.append(_Candidate(h, sent, tok, view, effect, cue, cspan))
        if not kept:
            continue
        acts, used_act = resolve_same_act([c.hit for c in kept], priorities, view, prefer_files)
        survivors, used = apply_priority(acts, priorities)
        used = [*used_act, *used]
        ids = {id(h) for h in survivors}
        for c in kept:
            if id(c.hit) in ids:
                c.rules.extend(used)
                out.append(c)
    return out


# --------------------------------------------------------------------------- assembly


def _overlap(a: EventDate, b: EventDate) -> bool:
    if None in (a.start, a.end, b.start, b.end):
        return True
    assert a.start and a.end and b.start and b.end
    return a.start <= b.end + timedelta(days=1) and b.start <= a.end + timedelta(days=1)


def _same_place(a: Location | None, b: Location | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a.geonameid is not None and b.geonameid is not None:
        return a.geonameid == b.geonameid
    return a.name.strip().lower() == b.name.strip().lower()


def _place_within(outer: Location | None, inner: Location | None) -> bool:
    """``inner`` is ``outer`` or lies inside it (same admin1 for an admin1-precise ``outer``, same country
    for a country-precise one); an unknown ``outer`` contains anything."""
    if outer is None:
        return True
    if inner is None:
        return False
    if _same_place(outer, inner):
        return True
    if outer.precision == "admin1":
        return outer.country == inner.country and outer.name == inner.admin1
    if outer.precision == "country":
        return outer.country is not None and outer.country == inner.country
    return False


def _is_default_date(d: EventDate) -> bool:
    return not d.rule or d.rule.startswith("date-default") or d.rule == "date-unknown"


def _date_strength(d: EventDate) -> int:
    """2: a date of the mention's own sentence; 1: one borrowed from the sentence before; 0: a default."""
    if _is_default_date(d):
        return 0
    return 1 if (d.rule or "").startswith("date-previous-sentence") else 2


def _narrower(a: EventDate, b: EventDate) -> EventDate:
    """The date of one event told twice: a date of a mention's own sentence before a borrowed one, a
    borrowed one before a default, then the narrower interval."""
    sa, sb = _date_strength(a), _date_strength(b)
    if sa != sb:
        return a if sa > sb else b
    if None in (a.start, a.end):
        return b
    if None in (b.start, b.end):
        return a
    assert a.start and a.end and b.start and b.end
    return b if (b.end - b.start) < (a.end - a.start) else a


@lru_cache(maxsize=8)
def _phrases_regex(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of ``phrases`` as whole words, any case (compiled once per policy, not per article)."""
    if not phrases:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in phrases) + r")\b", re.IGNORECASE)


def bound_by_later_events(events: Sequence[Event], ends_by: Sequence[tuple[str, frozenset[str]]]) -> list[Event]:
    """Events whose date the text leaves open, ended by a dated event they led to in the same sentence.

    ``ends_by`` pairs a type with the types that follow it (``assembly.yaml``): a refusal to cooperate
    told in the sentence of the mayor's kidnapping on 11 March ended by 11 March.
    """
    later = dict(ends_by)
    out = []
    for ev in events:
        types = later.get(ev.type)
        sents = {s.sentence for s in ev.evidence if s.sentence is not None}
        if not types or not sents or not _is_default_date(ev.date) or ev.date.end is None:
            out.append(ev)
            continue
        bounds = [m.date for m in events if m.type in types and not _is_default_date(m.date)
                  and m.date.end is not None and sents & {s.sentence for s in m.evidence}]
        bound = min(bounds, key=lambda d: d.end or date.max, default=None)
        if bound is None or bound.end is None or bound.end >= ev.date.end:
            out.append(ev)
            continue
        start = ev.date.start if ev.date.start is None or ev.date.start <= bound.end else bound.end
        rule = "date-ends-by-" + "-".join(sorted(types))
        fe = dict(ev.field_evidence)
        if bound.evidence is not None:
            fe["date"] = bound.evidence
        out.append(ev.model_copy(update={
            "date": EventDate(start=start, end=bound.end, evidence=bound.evidence, rule=rule),
            "field_evidence": fe, "rules": [*ev.rules, rule]}))
    return out


def _window(sentence: Sentence, by_index: dict[int, Sentence]) -> list[Sentence]:
    """The trigger sentence, then the next one or two of the same paragraph."""
    out = [sentence]
    for k in (1, 2):
        nxt = by_index.get(sentence.i + k)
        if nxt is None or nxt.paragraph != sentence.paragraph:
            break
        out.append(nxt)
    return out


def _build_event(article: Article, c: _Candidate, finders: AttributeFinders,
                 by_index: dict[int, Sentence]) -> Event:
    rule = c.hit.rule
    trig = make_span(article, c.hit.start, c.hit.end, c.sentence.i, rule.id)
    sent_span = make_span(article, c.sentence.start, c.sentence.end, c.sentence.i, rule.id)
    fe: dict[str, Span] = {"type": trig}
    if c.date.evidence is not None:
        fe["date"] = c.date.evidence
    if c.location is not None and c.location.evidence is not None:
        fe["location"] = c.location.evidence
    actors = list(finders.actors(article, c.sentence, trig, rule.type) or [])
    if actors and actors[0].evidence is not None:
        fe["actors"] = actors[0].evidence
    crowd = finders.crowd(article, c.sentence, trig) if rule.type in ("protest", "obstruction",
                                                                      "noncooperation") else None
    if crowd is not None and crowd.evidence is not None:
        fe["crowd"] = crowd.evidence
    cas = finders.casualties(article, c.sentence, trig)
    fatalities = getattr(cas, "fatalities", None)
    injuries = getattr(cas, "injuries", None)
    if fatalities is not None and getattr(cas, "fatalities_span", None) is not None:
        fe["fatalities"] = cas.fatalities_span
    if injuries is not None and getattr(cas, "injuries_span", None) is not None:
        fe["injuries"] = cas.injuries_span
    intervention = None
    if rule.type in ("protest", "obstruction"):
        intervention, ispan = finders.intervention(article, _window(c.sentence, by_index),
                                                   trig, rule.type)
        if intervention is None and rule.intervention is not None:
            intervention, ispan = rule.intervention, trig
        if intervention is not None and ispan is not None:
            fe["intervention"] = ispan
    modality, mspan = finders.modality(article, c.sentence, trig)
    if c.effect == "denied":
        modality = "denied"
        mspan = make_span(article, c.cue_span.start, c.cue_span.end, c.sentence.i, c.cue.id) \
            if c.cue_span is not None and c.cue is not None else trig
    if mspan is not None:
        fe["modality"] = mspan
    acled = finders.acled(rule.type, text=sent_span.text, intervention=intervention, fatalities=fatalities,
                          injuries=injuries, actors=actors, rule_sub_event=rule.sub_event_type)
    rules = [rule.id, *c.rules]
    if c.date.rule:
        rules.append(c.date.rule)
    if c.location is not None and c.location.evidence is not None and c.location.evidence.provenance:
        rules.append(c.location.evidence.provenance.split(":", 1)[-1])
    if c.cue is not None:
        rules.append(c.cue.id)
    return Event(
        id="",
        doc_id=article.id,
        type=rule.type,  # type: ignore[arg-type]
        intervention=intervention,
        date=c.date,
        location=c.location,
        actors=actors,
        crowd=crowd,
        fatalities=fatalities,
        injuries=injuries,
        modality=modality,
        acled=acled,
        trigger=trig,
        evidence=[sent_span],
        field_evidence=fe,
        salience=rule.weight,
        rules=list(dict.fromkeys(rules)),
    )


def _merge_into(a: Event, b: Event) -> Event:
    """``b`` told again: fold it into ``a`` (evidence, salience, missing fields)."""
    upd: dict[str, Any] = {}
    ev = list(a.evidence)
    for s in b.evidence:
        if all((s.start, s.end) != (x.start, x.end) for x in ev):
            ev.append(s)
    upd["evidence"] = ev
    upd["salience"] = a.salience + b.salience
    fe = dict(a.field_evidence)
    d = _narrower(a.date, b.date)
    if d is not a.date:
        upd["date"] = d
        if d.evidence is not None:
            fe["date"] = d.evidence
    for f in ("intervention", "crowd", "fatalities", "injuries"):
        if getattr(a, f) is None and getattr(b, f) is not None:
            upd[f] = getattr(b, f)
            if f in b.field_evidence:
                fe[f] = b.field_evidence[f]
    if not a.actors and b.actors:
        upd["actors"] = b.actors
        if "actors" in b.field_evidence:
            fe["actors"] = b.field_evidence["actors"]
    if a.intervention is None and b.intervention is not None:
        upd["acled"] = b.acled
    upd["field_evidence"] = fe
    upd["rules"] = list(dict.fromkeys([*a.rules, *b.rules]))
    return a.model_copy(update=upd)


def assemble_events(article: Article, *, finders: AttributeFinders | None = None,
                    rules: Sequence[TriggerRule] | None = None, lang: str = "en") -> list[Event]:
    """Events of one article, ordered by salience (main event first), with ids ``<doc>-e<n>``.

    Args:
        finders: attribute functions; the partners' modules when None.
        rules: trigger rules; every ``triggers*.yaml`` of ``lang`` when None.
    """
    finders = finders or default_finders()
    rules = tuple(rules) if rules is not None else load_trigger_rules(lang)
    cues = load_cue_rules(lang)
    priorities = load_priority_rules(lang)
    anchors, defaults = load_anchors(lang)
    policy = load_assembly_policy(lang)
    filters = load_place_filters(lang)
    text = article.text
    if not text or not article.sentences:
        return []
    by_index = {s.i: s for s in article.sentences}
    places_by_sent: dict[int, list[Place]] = {}
    for p in article.places:
        if p.sentence is not None and 0 <= p.start < p.end <= len(text):
            places_by_sent.setdefault(p.sentence, []).append(p)
    sent_timexes: dict[int, list[Timex]] = {}
    for t in article.timexes:
        if t.sentence is not None and 0 <= t.start <= t.end <= len(text):
            sent_timexes.setdefault(t.sentence, []).append(t)
    for lst in sent_timexes.values():
        lst.sort(key=lambda t: t.start)

    views: dict[int, SentenceView] = {s.i: SentenceView(s) for s in article.sentences
                                      if s.parsed and s.tokens and s.i in places_by_sent}
    roles: dict[tuple[int, int], str] = {}
    for si, plist in places_by_sent.items():
        for p in plist:
            role = place_role(p, views.get(si), filters)
            if role is not None:
                roles[(p.start, p.end)] = role
    districts = district_cities(article.places, filters)

    # document-level fallbacks (a dateline "KYIV:" / "LONDON, March 7" names where the reporter is, not the event;
    # "press Moscow", "the Rivne power plant" do not name where anything happened)
    def fallback_ok(p: Place) -> bool:
        return p.resolved and p.precision not in ("country", None) and not p.text.isupper() \
            and (p.start, p.end) not in roles

    first_para = min((s.paragraph for s in article.sentences), default=0)
    head_place = next((p for s in article.sentences if s.paragraph <= first_para + 1
                       for p in places_by_sent.get(s.i, []) if fallback_ok(p)), None)
    dominant = _dominant_place([p for p in article.places if fallback_ok(p)])

    # the country the document is about, as one of its place mentions at country precision
    countries = Counter(p.country for p in article.places if p.resolved and p.country)
    top_country = countries.most_common(1)[0][0] if countries else None
    country_place = next((p for p in article.places if p.resolved and p.precision == "country"
                          and p.country == top_country), None)
    nationwide_rx = _phrases_regex(policy.nationwide_words)

    def nationwide(sent: Sentence) -> Place | None:
        """The document's country, its evidence the nationwide word of ``sent``."""
        if country_place is None or nationwide_rx is None:
            return None
        m = nationwide_rx.search(text, sent.start, sent.end)
        if m is None:
            return None
        return country_place.model_copy(update={"start": m.start(), "end": m.end(), "text": m.group(0),
                                                "sentence": sent.i})

    def previous_place(sent: Sentence) -> Place | None:
        j = sent.i - 1
        while j >= 0 and j in by_index and by_index[j].paragraph == sent.paragraph and sent.i - j <= 3:
            ok = [p for p in places_by_sent.get(j, []) if fallback_ok(p)]
            if ok:
                return min(ok, key=lambda p: (_PRECISION_RANK.get(p.precision, 5), -p.start))
            j -= 1
        return None

    candidates = find_candidates(article, rules, cues, priorities, policy.act_prefer_files)
    events: list[Event] = []
    order: list[tuple[int, int]] = []  # (paragraph, start) of each event's first mention

    def place_choices(c: _Candidate, strict: bool) -> list[_PlaceChoice] | None:
        """Where the candidate happened; None when a local type has no place near it (strict)."""
        etype = c.hit.rule.type
        local = strict and etype in policy.local_place_types
        no_loose = policy.no_fallback_place_types | (policy.no_loose_place_types if strict else frozenset())
        choices = _choose_places(c.hit, c.sentence, places_by_sent.get(c.sentence.i, []), c.view, no_loose,
                                 policy.no_fallback_place_types, roles)
        weak = bool(choices) and all(ch.rule == "place-facility" for ch in choices)
        if (choices and not weak) or etype in policy.no_fallback_place_types:
            return choices
        wide = nationwide(c.sentence) if etype in policy.nationwide_types else None
        if wide is not None:
            return [_PlaceChoice(wide, "place-nationwide")]
        prev = previous_place(c.sentence)
        if prev is not None:
            return [_PlaceChoice(prev, "place-previous-sentence")]
        if weak:
            return choices  # only a facility's name was told near the trigger: better than a document guess
        if local:
            return None
        if head_place is not None:
            return [_PlaceChoice(head_place, "place-headline")]
        if dominant is not None:
            return [_PlaceChoice(dominant, "place-dominant")]
        return []

    def emit(c: _Candidate, choices: list[_PlaceChoice]) -> None:
        for choice in choices or [None]:
            c.location = _location(article, choice, districts) if choice is not None else None
            country = c.location.country if c.location is not None else None
            c.date = _event_date(article, c.hit, c.sentence, c.tok, c.view, country, sent_timexes, by_index,
                                 anchors, defaults)
            if defaults.drop_before_anchor and _before_anchor(c.date, article.published, country, anchors):
                log.debug("%s: drop %s %r: dated before the conflict", article.id, c.hit.rule.type, c.hit.text)
                continue
            events.append(_build_event(article, c, finders, by_index))
            order.append((c.sentence.paragraph - first_para, c.hit.start))

    unplaced: list[_Candidate] = []
    for c in candidates:
        choices = place_choices(c, strict=True)
        if choices is None:
            unplaced.append(c)
            continue
        emit(c, choices)
    if not events:
        # nothing else in the text: a clash or a movement told without a place is the story itself
        for c in unplaced:
            emit(c, place_choices(c, strict=False) or [])
    elif unplaced:
        log.debug("%s: %d mention(s) with no place near them left out", article.id, len(unplaced))

    # within-document merge: first events told with their own place, then mentions that borrowed one
    def mergeable(m: Event, ev: Event, any_date: bool = False) -> bool:
        if m.type != ev.type or not (any_date or _overlap(m.date, ev.date)):
            return False
        if ev.type not in policy.merge_same_rule_types or m.rules[0] == ev.rules[0]:
            return True
        return {s.sentence for s in m.evidence} == {s.sentence for s in ev.evidence}

    def tier(ev: Event) -> int:
        """0: place told in the event's own sentence; 1: in the sentence just before; 2: headline/document."""
        prov = ev.location.evidence.provenance if ev.location and ev.location.evidence else None
        if prov is not None and prov.endswith((":place-attached", ":place-sentence", ":place-facility",
                                               ":place-district-of-city", ":place-nationwide")):
            return 0
        return 1 if prov is not None and prov.endswith(":place-previous-sentence") else 2

    def sentence_gap(m: Event, ev: Event) -> int:
        a = [s.sentence for s in m.evidence if s.sentence is not None]
        b = [s.sentence for s in ev.evidence if s.sentence is not None]
        return min((abs(x - y) for x in a for y in b), default=10**6)

    merged: list[Event] = []
    merged_order: list[tuple[int, int]] = []
    tiers = [tier(ev) for ev in events]
    # undated headline/lead mentions come after the dated ones, so that they can fold into them
    lead_undated = [order[k][0] <= 1 and _is_default_date(ev.date) for k, ev in enumerate(events)]
    for k in sorted(range(len(events)), key=lambda k: (tiers[k], lead_undated[k], k)):
        ev, pos = events[k], order[k]
        target = None
        for n, m in enumerate(merged):
            if mergeable(m, ev) and _same_place(m.location, ev.location):
                target = n
                break
        if target is None and tiers[k] == 2:
            # a mention with no place of its own: the lead summarises the main story, and a sentence
            # or two after a located mention goes on telling it
            near = [n for n, m in enumerate(merged) if mergeable(m, ev) and (pos[0] <= 1 or sentence_gap(m, ev) <= 3)]
            if near:
                target = min(near, key=lambda n: (sentence_gap(merged[n], ev), n))
        if target is None and not _is_default_date(ev.date):
            # the same, the other way round: the undated title came first (its place is its own, the body's
            # mention borrowed it), and the body dates it
            lead = [n for n, m in enumerate(merged) if merged_order[n][0] <= 1 and _is_default_date(m.date)
                    and mergeable(m, ev, any_date=True) and (tiers[k] == 2 or _place_within(m.location, ev.location))]
            if lead:
                target = lead[0]
        if target is None and pos[0] <= 1 and _is_default_date(ev.date):
            # the headline or lead tells, undated, the story the body dates: "Mayor detained" + "was detained
            # on Tuesday in Skadovsk" is one event, whose date and place are the body's
            lead = [n for n, m in enumerate(merged) if mergeable(m, ev, any_date=True)
                    and not _is_default_date(m.date) and (tiers[k] == 2 or _place_within(ev.location, m.location))]
            if lead:
                target = lead[0]
        if target is not None:
            merged[target] = _merge_into(merged[target], ev)
            merged_order[target] = min(merged_order[target], pos)
        else:
            merged.append(ev)
            merged_order.append(pos)

    if policy.ends_by:
        merged = bound_by_later_events(merged, policy.ends_by)
    ranked = sorted(zip(merged, merged_order, strict=True),
                    key=lambda x: (min(x[1][0], 2), -x[0].salience, x[1]))
    return [ev.model_copy(update={"id": f"{article.id}-e{n}"}) for n, (ev, _) in enumerate(ranked, 1)]
