"""Actors: the noun phrases of the trigger's sentence that take part in an event.

A head-noun lexicon (``actors.yaml``, ``kind`` rules) gives the actor kind;
modifiers give the side (``side`` rules, plus civilians named with a place of an
invaded country); the role comes from the grammar (subject or by-agent of the
trigger -> initiator, object or passive subject -> target) or, per event type,
from the kind (``roles`` rules: in a protest the civilians initiate and the
forces they face are targets). Sources quoted about the event ("officials
said") are not actors. At most one initiator and one target are returned.

Unparsed sentences fall back to a regular-expression scan with the same
lexicon; roles then come from the kind alone.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vigil.errors import RuleError
from vigil.extract.numbers import (
    ancestors,
    children_of,
    make_span,
    sentence_text,
    singular,
    subtree_ids,
    token_index,
    trigger_token,
)
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import ACTOR_KINDS, EVENT_TYPES, Actor, Article, Sentence, Span, Token

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

ACTORS_SCHEMA = "vigil.rules.actors.v1"
MAX_NP_TOKENS = 15
_NP_SKIP = frozenset({"relcl", "conj", "cc", "advcl", "parataxis", "punct_", "dep", "preconj"})
_QUANTITY = frozenset(
    "hundred thousand million dozen score group crowd number lot majority most some many all couple handful "
    "few several none dozens hundreds thousands one two three each".split()
)
_EDGE_PUNCT = frozenset({",", ";", ":", "-", "–", "—", ".", "(", ")"})
_SUBJ = frozenset({"nsubj", "csubj", "expl"})
_PASSIVE_SUBJ = frozenset({"nsubjpass", "csubjpass"})
_OBJ = frozenset({"dobj", "obj", "dative", "attr", "oprd", "iobj"})
_TARGET_PREPS = frozenset({"against", "on", "at", "toward", "towards", "upon", "with", "of", "to", "into", "for"})
_SCENE_PREPS = frozenset({"after", "before", "since", "following", "during", "until", "amid", "despite", "over"})
_CHAIN_DEPS = frozenset({"xcomp", "conj", "advcl", "acl", "pcomp", "prep", "pobj"})


@dataclass(frozen=True)
class KindRule:
    """A head-noun rule: lemmas/phrases -> actor kind (and maybe a side)."""

    id: str
    kind: str
    lemmas: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    side: str | None
    head_only: bool
    syntax_only: bool
    requires_modifier: frozenset[str]
    by_event_type: dict[str, str]

    def kind_for(self, event_type: str) -> str:
        """The actor kind this rule gives for an event of ``event_type``."""
        return self.by_event_type.get(event_type, self.kind)


@dataclass(frozen=True)
class RolesRule:
    """Which kinds initiate and which are targeted in events of some types, and who decides."""

    id: str
    event_types: frozenset[str]
    mode: str  # "kind" or "syntax"
    initiator: frozenset[str]
    target: frozenset[str]
    allowed: frozenset[str] = frozenset({"initiator", "target"})
    per_role: int = 1


@dataclass(frozen=True)
class TriggerModifierRule:
    """A nationality word modifying the trigger ("a Russian airstrike") that names the acting force."""

    id: str
    kind: str
    lemmas: frozenset[str]
    by_event_type: dict[str, str]


@dataclass(frozen=True)
class ActorLexicon:
    """The compiled contents of actors.yaml."""

    kinds: tuple[KindRule, ...]
    sides: tuple[tuple[str, str, frozenset[str]], ...]  # (rule id, side, lemmas)
    place_side: tuple[str, frozenset[str], frozenset[str]] | None  # (rule id, kinds, countries)
    roles: tuple[RolesRule, ...]
    speakers: frozenset[str]
    speaker_rule: str
    trigger_mods: tuple[TriggerModifierRule, ...] = ()
    event_nouns: tuple[tuple[str, str, frozenset[str], frozenset[str]], ...] = ()  # (id, kind, event types, lemmas)


def _strs(rule: dict[str, Any], key: str, where: str) -> list[str]:
    vals = rule.get(key) or []
    if not isinstance(vals, list) or not all(isinstance(v, str) and v.strip() for v in vals):
        raise RuleError(f"{where}: rule {rule.get('id')!r}: '{key}' must be a list of non-empty strings")
    return [v.strip().lower() for v in vals]


def _check_kind(value: Any, where: str) -> str:
    if value not in ACTOR_KINDS:
        raise RuleError(f"{where}: unknown actor kind {value!r}; allowed: {', '.join(ACTOR_KINDS)}")
    return str(value)


@lru_cache(maxsize=4)
def load_actor_lexicon(lang: str = "en") -> ActorLexicon:
    """Load and check ``actors.yaml`` (cached read-only per process).

    Raises:
        RuleError: wrong schema, unknown rule kind, actor kind or event type.
    """
    path = rules_dir("extract", lang) / "actors.yaml"
    data = load_rule_file(str(path))
    if data.get("schema") != ACTORS_SCHEMA:
        raise RuleError(f"{path}: schema must be {ACTORS_SCHEMA!r}")
    kinds: list[KindRule] = []
    sides: list[tuple[str, str, frozenset[str]]] = []
    roles: list[RolesRule] = []
    place_side = None
    speakers: frozenset[str] = frozenset()
    speaker_rule = ""
    mods: list[TriggerModifierRule] = []
    event_nouns: list[tuple[str, str, frozenset[str], frozenset[str]]] = []
    for rule in data.get("rules") or []:
        rid = rule["id"]
        where = f"{path}: rule {rid!r}"
        k = rule.get("kind")
        if k == "kind":
            by_type = {str(t): _check_kind(v, where) for t, v in (rule.get("by_event_type") or {}).items()}
            for t in by_type:
                if t not in EVENT_TYPES:
                    raise RuleError(f"{where}: unknown event type {t!r}; allowed: {', '.join(EVENT_TYPES)}")
            lemmas = frozenset(_strs(rule, "lemmas", str(path)))
            phrases = tuple(tuple(p.split()) for p in _strs(rule, "phrases", str(path)))
            if not lemmas and not phrases:
                raise RuleError(f"{where}: a kind rule needs lemmas or phrases")
            kinds.append(
                KindRule(
                    id=rid,
                    kind=_check_kind(rule.get("actor_kind"), where),
                    lemmas=lemmas,
                    phrases=phrases,
                    side=rule.get("side"),
                    head_only=bool(rule.get("head_only")),
                    syntax_only=bool(rule.get("syntax_only")),
                    requires_modifier=frozenset(_strs(rule, "requires_modifier", str(path))),
                    by_event_type=by_type,
                )
            )
        elif k == "side":
            sides.append((rid, str(rule.get("side")), frozenset(_strs(rule, "lemmas", str(path)))))
        elif k == "side_from_place":
            akinds = frozenset(_check_kind(v, where) for v in _strs(rule, "actor_kinds", str(path)))
            countries = frozenset(c.upper() for c in _strs(rule, "countries", str(path)))
            place_side = (rid, akinds, countries)
        elif k == "roles":
            mode = rule.get("mode")
            if mode not in ("kind", "syntax"):
                raise RuleError(f"{where}: mode must be 'kind' or 'syntax', not {mode!r}")
            types = frozenset(_strs(rule, "event_types", str(path)))
            bad = sorted(types - set(EVENT_TYPES))
            if bad:
                raise RuleError(f"{where}: unknown event types {bad}; allowed: {', '.join(EVENT_TYPES)}")
            roles.append(
                RolesRule(
                    id=rid,
                    event_types=types,
                    mode=mode,
                    initiator=frozenset(_check_kind(v, where) for v in _strs(rule, "initiator", str(path))),
                    target=frozenset(_check_kind(v, where) for v in _strs(rule, "target", str(path))),
                    allowed=frozenset(_strs(rule, "roles_allowed", str(path)) or ("initiator", "target")),
                    per_role=max(1, int(rule.get("per_role", 1))),
                )
            )
        elif k == "event_noun_actor":
            event_nouns.append(
                (
                    rid,
                    _check_kind(rule.get("actor_kind"), where),
                    frozenset(_strs(rule, "event_types", str(path))),
                    frozenset(_strs(rule, "lemmas", str(path))),
                )
            )
        elif k == "trigger_modifier":
            mods.append(
                TriggerModifierRule(
                    id=rid,
                    kind=_check_kind(rule.get("actor_kind"), where),
                    lemmas=frozenset(_strs(rule, "lemmas", str(path))),
                    by_event_type={str(t): _check_kind(v, where) for t, v in (rule.get("by_event_type") or {}).items()},
                )
            )
        elif k == "speakers":
            speakers = frozenset(_strs(rule, "lemmas", str(path)))
            speaker_rule = rid
        else:
            raise RuleError(
                f"{where}: unknown kind {k!r}; allowed: kind, side, side_from_place, roles, speakers, "
                "trigger_modifier, event_noun_actor"
            )
    # rules with a modifier condition are more specific: try them first
    kinds.sort(key=lambda r: 0 if r.requires_modifier else 1)
    return ActorLexicon(
        tuple(kinds), tuple(sides), place_side, tuple(roles), speakers, speaker_rule, tuple(mods), tuple(event_nouns)
    )


def roles_rule(event_type: str, lex: ActorLexicon | None = None) -> RolesRule | None:
    """The roles rule that covers ``event_type`` (None when no rule does)."""
    lex = lex or load_actor_lexicon()
    return next((r for r in lex.roles if event_type in r.event_types), None)


def _allowed(role: str | None, kind_role: str | None, rr: RolesRule | None) -> str | None:
    if rr is None or role in rr.allowed:
        return role
    return kind_role if kind_role in rr.allowed else None


def _default_role(kind: str, rr: RolesRule | None) -> str | None:
    if rr is None:
        return None
    if kind in rr.initiator:
        return "initiator"
    if kind in rr.target:
        return "target"
    return None


# --- parsed sentences ------------------------------------------------------------------------


@dataclass
class _Candidate:
    head: Token  # the noun-phrase head after lifting
    word: Token  # the lexicon word
    rule: KindRule
    side: str | None = None
    side_rule: str | None = None


def speaker_subjects(
    sentence: Sentence, lex: ActorLexicon | None = None, exclude: frozenset[int] = frozenset()
) -> set[int]:
    """Token indices of quoted sources: subjects of speaker verbs ("officials said") and "according to X".

    Verbs whose index is in ``exclude`` (the trigger itself) are not treated as speaker verbs, nor verbs
    whose open complement (xcomp) holds the trigger.
    """
    lex = lex or load_actor_lexicon()
    by_i = token_index(sentence)
    kids = children_of(sentence)
    out: set[int] = set()
    for t in sentence.tokens:
        if t.pos in ("VERB", "AUX") and t.lemma.lower() in lex.speakers and t.i not in exclude:
            if any(c.dep == "xcomp" and subtree_ids(c.i, kids) & exclude for c in kids.get(t.i, [])):
                continue  # "Russia claims to control the city": the speaker is the trigger's own subject
            for c in kids.get(t.i, []):
                if c.dep == "nsubj":
                    out |= subtree_ids(c.i, kids)
        if t.text.lower() == "according" and t.i + 1 in by_i and by_i[t.i + 1].text.lower() == "to":
            for c in kids.get(t.i + 1, []):
                if c.dep == "pobj":
                    out |= subtree_ids(c.i, kids)
    return out


def _lift(tok: Token, by_i: dict[int, Token]) -> Token:
    """The head of the noun phrase ``tok`` belongs to ("mayor" in "Petro Hnatenko, the mayor" -> "Hnatenko")."""
    h = tok
    for _ in range(6):
        head = by_i.get(h.head)
        if head is None or head.i == h.i:
            break
        if h.dep == "compound" and head.pos in ("NOUN", "PROPN"):
            h = head
        elif h.dep == "appos" and head.pos in ("NOUN", "PROPN"):
            h = head
        elif (
            h.dep == "pobj"
            and head.lemma.lower() == "of"
            and head.head in by_i
            and head.head != head.i
            and (by_i[head.head].lemma.lower() in _QUANTITY or by_i[head.head].pos == "NUM")
        ):
            h = by_i[head.head]
        else:
            break
    return h


_DASHES = frozenset({"-", "–", "—", "--", ":"})


def _dateline_end(sentence: Sentence) -> int | None:
    """Index of the dash closing a dateline that opens the sentence ("KHERSON, Ukraine - ..."), or None."""
    toks = sentence.tokens[:8]
    if not toks or not (toks[0].text.isupper() and sum(c.isalpha() for c in toks[0].text) > 1):
        return None
    for prev, t in zip(toks, toks[1:], strict=False):
        if t.text in _DASHES and t.text != ":" and t.ws and prev.ws:
            return t.i
    return None


def _np_ids(head: Token, sentence: Sentence, kids: dict[int, list[Token]], trigger: int | None = None) -> list[int]:
    """Token indices of the noun phrase headed by ``head``: never across a dateline dash ("KYIV, Ukraine -
    Residents ...") and never over the trigger word itself ("Thousands rally in ...")."""
    ids = {head.i}
    for c in kids.get(head.i, []):
        if c.dep in _NP_SKIP:
            continue
        ids |= subtree_ids(c.i, kids, skip_deps=frozenset({"relcl", "parataxis"}))
    lo = hi = head.i
    while lo - 1 in ids:
        lo -= 1
    while hi + 1 in ids:
        hi += 1
    by_i = token_index(sentence)
    for k in range(head.i - 1, lo - 1, -1):
        if by_i[k].text in _DASHES and by_i[k].ws and k > lo and by_i[k - 1].ws:
            lo = k + 1
            break
    for k in range(head.i + 1, hi + 1):
        if by_i[k].text in _DASHES and by_i[k].ws:
            hi = k - 1
            break
    if trigger is not None and trigger != head.i and lo <= trigger <= hi:
        if trigger > head.i:
            hi = trigger - 1
        else:
            lo = trigger + 1
    while lo < head.i and by_i[lo].text in _EDGE_PUNCT:
        lo += 1
    while hi > head.i and by_i[hi].text in _EDGE_PUNCT:
        hi -= 1
    if hi - lo + 1 > MAX_NP_TOKENS:
        hi = head.i
        lo = max(lo, head.i - MAX_NP_TOKENS + 1)
    return list(range(lo, hi + 1))


def _known_people(article: Article, lex: ActorLexicon) -> dict[str, tuple[KindRule, str | None]]:
    """Surnames the article introduces with a title ("Petro Hnatenko, the mayor") -> (kind rule, side)."""
    out: dict[str, tuple[KindRule, str | None]] = {}
    for s in article.sentences:
        if not s.tokens:
            continue
        by_i = token_index(s)
        for t in s.tokens:
            if t.pos != "NOUN":
                continue
            rule = _match_lemma(t, lex, kids=None)
            if rule is None or rule.kind not in ("officials", "government", "journalists", "military", "police"):
                continue
            head = by_i.get(t.head)
            if head is None or head.pos != "PROPN" or t.dep not in ("appos", "compound"):
                continue
            out.setdefault(head.text.lower(), (rule, None))
    return out


def _match_lemma(t: Token, lex: ActorLexicon, kids: dict[int, list[Token]] | None) -> KindRule | None:
    lemma, low = t.lemma.lower(), t.text.lower()
    sing = singular(low)
    for rule in lex.kinds:
        if lemma not in rule.lemmas and low not in rule.lemmas and sing not in rule.lemmas:
            continue
        if rule.head_only and t.pos not in ("NOUN", "PROPN"):
            continue
        if not rule.head_only and t.pos not in ("NOUN", "PROPN"):
            continue
        if rule.head_only and t.dep in ("amod", "compound", "attr", "acomp"):
            continue
        if rule.requires_modifier:
            if kids is None:
                continue
            mods = {c.lemma.lower() for c in kids.get(t.i, [])} | {c.text.lower() for c in kids.get(t.i, [])}
            if not mods & rule.requires_modifier:
                continue
        return rule
    return None


def _phrase_hits(sentence: Sentence, lex: ActorLexicon) -> list[tuple[Token, KindRule]]:
    toks = sentence.tokens
    low = [t.text.lower() for t in toks]
    out = []
    for rule in lex.kinds:
        for ph in rule.phrases:
            n = len(ph)
            for k in range(len(toks) - n + 1):
                if tuple(low[k : k + n]) == ph:
                    ids = {t.i for t in toks[k : k + n]}
                    head = next((t for t in toks[k : k + n] if t.head not in ids), toks[k + n - 1])
                    out.append((head, rule))
    return out


def _side_of(ids: list[int], by_i: dict[int, Token], lex: ActorLexicon) -> tuple[str | None, str | None]:
    for i in ids:
        t = by_i[i]
        words = {t.lemma.lower(), t.text.lower()}
        for rid, side, lemmas in lex.sides:
            if words & lemmas:
                return side, rid
    return None, None


def _syntactic_role(head: Token, trig: Token, by_i: dict[int, Token]) -> tuple[str | None, int]:
    """("initiator"|"target"|None, tree distance) of a phrase head relative to the trigger token."""
    x = head
    for _ in range(4):
        if x.dep in ("conj", "appos") and x.head in by_i and x.head != x.i:
            x = by_i[x.head]
        else:
            break
    if x.i == trig.i:
        return None, 99
    if x.head == trig.i:
        if x.dep in _SUBJ:
            return "initiator", 1
        if x.dep in _PASSIVE_SUBJ or x.dep in _OBJ:
            return "target", 1
        if x.dep in ("poss", "compound", "nmod"):
            return "initiator", 1
    prep = by_i.get(x.head)
    if x.dep == "pobj" and prep is not None and prep.head == trig.i and prep.i != trig.i:
        p = prep.lemma.lower()
        if prep.dep == "agent" or p == "by":
            return "initiator", 2
        if p in _TARGET_PREPS:
            return "target", 2
    # a by-phrase inside the trigger's noun phrase: "the abduction of the mayor by soldiers"
    if x.dep == "pobj" and prep is not None and prep.lemma.lower() == "by" and trig.pos == "NOUN":
        if any(a.i == trig.i for a in ancestors(prep, by_i, limit=4)):
            return "initiator", 3
    # shared subject: "residents gathered to protest", "soldiers stormed the hall and detained the mayor"
    if x.dep in _SUBJ | _PASSIVE_SUBJ and x.head in by_i:
        gov = x.head
        chain = [trig, *ancestors(trig, by_i, limit=4)]
        for depth, a in enumerate(chain):
            if a.i == gov:
                return ("initiator" if x.dep in _SUBJ else "target"), depth + 2
            if a is not trig and a.dep not in _CHAIN_DEPS:
                break
            if trig.pos == "NOUN" and a.lemma.lower() in _SCENE_PREPS:
                break  # "took to the streets after the abduction": the scene, not the abductors
    return None, 99


def _parsed_candidates(article: Article, sentence: Sentence, lex: ActorLexicon) -> list[_Candidate]:
    by_i = token_index(sentence)
    kids = children_of(sentence)
    found: dict[int, _Candidate] = {}

    def modifies_thing(t: Token) -> bool:
        """A modifier of a thing ("the council building"), not a participant."""
        gov = by_i.get(t.head)
        return t.dep == "compound" and gov is not None and gov.pos == "NOUN" and _match_lemma(gov, lex, kids) is None

    for head, rule in _phrase_hits(sentence, lex):
        if not modifies_thing(head):
            found.setdefault(_lift(head, by_i).i, _Candidate(_lift(head, by_i), head, rule))
    for t in sentence.tokens:
        rule = _match_lemma(t, lex, kids)
        if rule is None or modifies_thing(t):
            continue
        h = _lift(t, by_i)
        prev = found.get(h.i)
        # the phrase head's own word decides ("police officers"), else the first word found
        if prev is None or (t.i == h.i and prev.word.i != h.i):
            found[h.i] = _Candidate(h, t, rule)
    people = _known_people(article, lex)
    for t in sentence.tokens:
        if t.pos == "PROPN" and t.dep != "compound" and t.text.lower() in people and t.i not in found:
            rule, side = people[t.text.lower()]
            found[t.i] = _Candidate(t, t, rule, side)
    return list(found.values())


def _parsed_actors(
    article: Article, sentence: Sentence, trigger: Span, event_type: str, lex: ActorLexicon
) -> list[tuple[int, int, Actor]]:
    by_i = token_index(sentence)
    kids = children_of(sentence)
    trig = trigger_token(sentence, trigger)
    speakers = speaker_subjects(sentence, lex, frozenset({trig.i}) if trig is not None else frozenset())
    rr = roles_rule(event_type, lex)
    out: list[tuple[int, int, Actor]] = []
    dateline = _dateline_end(sentence)
    for cand in _parsed_candidates(article, sentence, lex):
        h = cand.head
        if h.i in speakers or cand.word.i in speakers:
            continue
        if dateline is not None and h.i < dateline:
            # "ENERHODAR, Ukraine - Several hundred residents ...": the parser hangs the people off the dateline
            after = [k for k in kids.get(h.i, []) if k.i > dateline and k.dep in ("appos", "conj", "npadvmod")]
            if not after:
                continue
            h = after[0]
        kind = cand.rule.kind_for(event_type)
        syn_role, depth = _syntactic_role(h, trig, by_i) if trig is not None else (None, 99)
        if cand.rule.syntax_only and syn_role is None:
            continue
        kind_role = _default_role(kind, rr)
        if rr is not None and kind_role is None and kind not in rr.initiator | rr.target:
            continue  # this kind takes no part in events of this type
        if rr is not None and rr.mode == "kind":
            role = kind_role or syn_role
        else:
            role = syn_role or kind_role
        role = _allowed(role, kind_role, rr)
        if role is None:
            continue
        ids = _np_ids(h, sentence, kids, trig.i if trig is not None else None)
        first, last = by_i[ids[0]], by_i[ids[-1]]
        start, end = first.start, last.start + len(last.text)
        side, side_rule = _side_of(ids, by_i, lex)
        side = side or cand.rule.side or cand.side
        if side is None:
            side = _place_side(article, sentence, start, end, kind, lex)
        span = make_span(article, start, end, sentence.i, cand.rule.id)
        dist = abs(cand.word.start - trigger.start)
        out.append((depth, dist, Actor(text=span.text, kind=kind, side=side, role=role, evidence=span)))
    if trig is not None:
        for c in kids.get(trig.i, []):
            if c.dep not in ("amod", "compound", "nmod", "poss"):
                continue
            for mod in lex.trigger_mods:
                if c.lemma.lower() not in mod.lemmas and c.text.lower() not in mod.lemmas:
                    continue
                kind = mod.by_event_type.get(event_type, mod.kind)
                role = _allowed(_default_role(kind, rr) if rr and rr.mode == "kind" else "initiator",
                                _default_role(kind, rr), rr)
                if role is None:
                    continue
                side, _r = _side_of([c.i], by_i, lex)
                span = make_span(article, c.start, c.start + len(c.text), sentence.i, mod.id)
                out.append((50, 0, Actor(text=span.text, kind=kind, side=side, role=role, evidence=span)))
    return out


def _place_side(article: Article, sentence: Sentence, start: int, end: int, kind: str, lex: ActorLexicon) -> str | None:
    if lex.place_side is None:
        return None
    _rid, kinds, countries = lex.place_side
    if kind not in kinds:
        return None
    places = [p for p in article.places if p.country and sentence.start <= p.start < sentence.end]
    inside = [p for p in places if start <= p.start < end]
    pool = inside or places
    found = {p.country.upper() for p in pool if p.country}
    if len(found) == 1:
        only = next(iter(found))
        return only if only in countries else None
    return None


# --- unparsed sentences ----------------------------------------------------------------------


def _forms(lemma: str) -> set[str]:
    forms = {lemma, lemma + "s", lemma + "es"}
    if lemma.endswith("y"):
        forms.add(lemma[:-1] + "ies")
    if lemma.endswith("man"):
        forms.add(lemma[:-3] + "men")
    return forms


@lru_cache(maxsize=4)
def _regex_rules(lang: str = "en") -> tuple[tuple[KindRule, re.Pattern[str]], ...]:
    lex = load_actor_lexicon(lang)
    side_words = sorted({w for _r, _s, ws in lex.sides for w in ws if w.isalpha()}, key=len, reverse=True)
    mods = "|".join(re.escape(w) for w in [*side_words, "local", "armed", "occupying", "civilian"])
    out = []
    for rule in lex.kinds:
        if rule.syntax_only or rule.head_only or rule.requires_modifier:
            continue
        words = sorted({f for lem in rule.lemmas for f in _forms(lem)} | {" ".join(p) for p in rule.phrases},
                       key=len, reverse=True)
        alt = "|".join(r"\s+".join(re.escape(x) for x in w.split()) for w in words)
        pat = rf"(?<!\w)(?:(?:the|a|an)\s+)?(?:(?:{mods})\s+){{0,2}}(?:{alt})(?!\w)"
        out.append((rule, re.compile(pat, re.IGNORECASE)))
    return tuple(out)


def _raw_actors(
    article: Article, sentence: Sentence, trigger: Span, event_type: str, lex: ActorLexicon
) -> list[tuple[int, int, Actor]]:
    text = sentence_text(article, sentence)
    rr = roles_rule(event_type, lex)
    out: list[tuple[int, int, Actor]] = []
    taken: list[tuple[int, int]] = []
    for rule, pat in _regex_rules():
        for m in pat.finditer(text):
            s, e = sentence.start + m.start(), sentence.start + m.end()
            if any(s < b and a < e for a, b in taken):
                continue
            if re.match(r"\s*(said|says|told|reported|claimed|wrote|added)\b", text[m.end() :], re.IGNORECASE):
                continue
            kind = rule.kind_for(event_type)
            role = _allowed(_default_role(kind, rr), _default_role(kind, rr), rr)
            if role is None:
                continue
            taken.append((s, e))
            low = m.group(0).lower()
            side = next((sd for _r, sd, ws in lex.sides if any(re.search(rf"\b{re.escape(w)}\b", low) for w in ws)),
                        None) or rule.side or _place_side(article, sentence, s, e, kind, lex)
            span = make_span(article, s, e, sentence.i, rule.id)
            out.append((99, abs(s - trigger.start), Actor(text=span.text, kind=kind, side=side, role=role,
                                                          evidence=span)))
    return out


def _event_noun_actor(
    article: Article, sentence: Sentence, trigger: Span, event_type: str, lex: ActorLexicon
) -> list[tuple[int, int, Actor]]:
    """The trigger's own noun phrase as the initiator ("anti-war protests") when no participant is named."""
    for rid, kind, types, lemmas in lex.event_nouns:
        if event_type not in types:
            continue
        trig = trigger_token(sentence, trigger) if sentence.tokens else None
        if trig is not None:
            if trig.pos != "NOUN" or trig.lemma.lower() not in lemmas:
                continue
            by_i = token_index(sentence)
            ids = _np_ids(trig, sentence, children_of(sentence))
            left = [k for k in ids if k < trig.i]
            if any(by_i[k].dep == "nummod" or by_i[k].lemma.lower() in _QUANTITY for k in left):
                # "Thousands rally in ...": a headline whose verb was tagged a noun; the people are the count
                ids = left
            first, last = by_i[ids[0]], by_i[ids[-1]]
            start, end = first.start, last.start + len(last.text)
        else:
            words = re.findall(r"[A-Za-z]+", trigger.text.lower())
            if not words or singular(words[-1]) not in lemmas:
                continue
            start, end = trigger.start, trigger.end
        span = make_span(article, start, end, sentence.i, rid)
        return [(90, 0, Actor(text=span.text, kind=kind, side=None, role="initiator", evidence=span))]
    return []


# --- public ----------------------------------------------------------------------------------


def find_actors(article: Article, sentence: Sentence, trigger: Span, event_type: str) -> list[Actor]:
    """The initiator and the target of the event announced by ``trigger`` (at most one each).

    Args:
        sentence: the trigger's sentence; when it was not parsed, a lexicon scan of
            its raw text is used and roles come from the kind alone.
        event_type: one of ``schema.EVENT_TYPES``; picks the roles rule.

    Returns:
        Actors ordered initiator first; each has the exact noun-phrase text and an
        evidence span whose provenance names the kind rule.
    """
    lex = load_actor_lexicon()
    if not sentence_text(article, sentence).strip():
        return []
    if sentence.tokens:
        scored = _parsed_actors(article, sentence, trigger, event_type, lex)
    else:
        scored = _raw_actors(article, sentence, trigger, event_type, lex)
    if not any(item[2].role == "initiator" for item in scored):
        scored.extend(_event_noun_actor(article, sentence, trigger, event_type, lex))
    rr = roles_rule(event_type, lex)
    per_role = rr.per_role if rr else 1
    out: list[Actor] = []
    for role in ("initiator", "target"):
        kinds: set[str] = set()
        for item in sorted((x for x in scored if x[2].role == role), key=lambda x: x[:2]):
            if len(kinds) >= per_role or item[2].kind in kinds:
                continue
            if kinds and item[0] > 2:
                continue  # a second actor of a role must be a direct argument of the trigger
            kinds.add(item[2].kind)
            out.append(item[2])
    return out
