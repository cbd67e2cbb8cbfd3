"""ACLED coding of extracted events: event type -> (ACLED event type, sub-event type).

The mapping is data (``vigil/rules/extract/en/acled.yaml``, schema
``vigil.rules.acled.v1``):

* ``base``: the default sub-event type of each of vigil's 14 event types
  (events.md type table); protest-like types take theirs from ``interventions``.
* ``rules``: cue rules that refine the base from the event's evidence text
  ("suicide bomber" -> Suicide bomb, "looted shops" -> Looting/property destruction).

Every candidate has a priority: the base has ``base_priority``, a trigger's own
sub-event type (``rule_sub_event``) has ``trigger_priority``, a cue rule its
``priority``. The highest wins; ties go to the earlier candidate. The returned
``event_type`` is always the codebook parent of ``sub_event_type``.

Cue syntax (phrases, matched case-insensitively on whole words): a word ending
in ``*`` matches any word it begins (``loot*`` -> looted, looters); the word
``...`` stands for up to four words in between (``set ... ablaze``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from vigil.errors import RuleError
from vigil.extract.triggers import load_trigger_rules
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import ACLED_SUB_TO_TYPE, ACTOR_KINDS, EVENT_TYPES, INTERVENTIONS, Acled, Actor, Event

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

ACLED_SCHEMA = "vigil.rules.acled.v1"
_GAP = r"(?:\W+[\w'’-]+){0,4}?"
_MAX_TEXT = 20_000  # evidence text is a sentence or three; cap pathological inputs


@dataclass(frozen=True)
class CuePattern:
    """A compiled cue list: any of the phrases, as one regular expression."""

    phrases: tuple[str, ...]
    regex: re.Pattern[str] | None

    def search(self, text: str) -> re.Match[str] | None:
        """The first match of any phrase in ``text`` (already lowercased), or None."""
        return self.regex.search(text) if self.regex is not None else None

    def finditer(self, text: str) -> list[re.Match[str]]:
        """All non-overlapping matches in ``text`` (already lowercased)."""
        return list(self.regex.finditer(text)) if self.regex is not None else []


@dataclass(frozen=True)
class AcledRule:
    """One cue rule of ``acled.yaml``: cues in the text -> an ACLED sub-event type."""

    id: str
    sub_event_type: str
    priority: int
    cues: CuePattern
    types: frozenset[str] = frozenset()
    requires_any: CuePattern | None = None
    excludes_any: CuePattern | None = None
    actor_kinds: frozenset[str] = frozenset()
    agents: CuePattern | None = None
    rival_agents: CuePattern | None = None


@dataclass(frozen=True)
class AcledRules:
    """The whole ``acled.yaml``: base table, priorities and the cue rules in file order."""

    base: dict[str, str | None]
    interventions: dict[str, str]
    base_priority: int
    trigger_priority: int
    intervention_priority: int
    casualty_sub: str
    rules: tuple[AcledRule, ...]


def _phrase_regex(phrase: str) -> str:
    parts: list[str] = []
    for word in phrase.lower().replace("’", "'").split():
        if word == "...":
            parts.append(_GAP)
            continue
        star = word.endswith("*")
        core = re.escape(word.rstrip("*"))
        if not core:
            continue
        piece = core + (r"[\w'-]*" if star else "")
        if parts and parts[-1] != _GAP:
            parts.append(r"[\s-]+" + piece)
        elif parts:
            parts.append(r"\W+" + piece)
        else:
            parts.append(piece)
    return "".join(parts)


def compile_cues(phrases: Sequence[str]) -> CuePattern:
    """Compile a phrase list (``*`` suffix and ``...`` gap allowed) into one pattern."""
    cleaned = tuple(p.strip() for p in phrases if isinstance(p, str) and p.strip())
    alts = [r for r in (_phrase_regex(p) for p in cleaned) if r]
    if not alts:
        return CuePattern(cleaned, None)
    # longest alternatives first so "suicide car bomb" wins over "car bomb" in spans
    alts.sort(key=len, reverse=True)
    return CuePattern(cleaned, re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])"))


def _strings(raw: dict[str, Any], key: str, where: str) -> list[str]:
    val = raw.get(key)
    if val is None:
        return []
    if not isinstance(val, list) or not all(isinstance(v, str) and v.strip() for v in val):
        raise RuleError(f"{where}: {key!r} must be a list of non-empty strings")
    return list(val)


def parse_acled_rule(raw: dict[str, Any], *, source: str) -> AcledRule:
    """Validate one raw cue rule and compile it.

    Raises:
        RuleError: unknown sub-event type, event type or actor kind, or no cues.
    """
    rid = str(raw.get("id"))
    where = f"{source}: rule {rid!r}"
    sub = raw.get("sub_event_type")
    if sub not in ACLED_SUB_TO_TYPE:
        raise RuleError(f"{where}: unknown sub_event_type {sub!r}. Allowed: {', '.join(ACLED_SUB_TO_TYPE)}")
    cues = _strings(raw, "cues", where)
    if not cues:
        raise RuleError(f"{where}: a cue rule needs a non-empty 'cues' list")
    types = _strings(raw, "types", where)
    bad = [t for t in types if t not in EVENT_TYPES]
    if bad:
        raise RuleError(f"{where}: unknown type(s) {bad}. Allowed: {', '.join(EVENT_TYPES)}")
    kinds = _strings(raw, "actor_kinds", where)
    bad = [k for k in kinds if k not in ACTOR_KINDS]
    if bad:
        raise RuleError(f"{where}: unknown actor kind(s) {bad}. Allowed: {', '.join(ACTOR_KINDS)}")
    try:
        priority = int(raw.get("priority", 30))
    except (TypeError, ValueError) as e:
        raise RuleError(f"{where}: priority must be an integer") from e
    req = _strings(raw, "requires_any", where)
    exc = _strings(raw, "excludes_any", where)
    agents = _strings(raw, "agents", where)
    rivals = _strings(raw, "rival_agents", where)
    return AcledRule(
        id=rid,
        sub_event_type=sub,
        priority=priority,
        cues=compile_cues(cues),
        types=frozenset(types),
        requires_any=compile_cues(req) if req else None,
        excludes_any=compile_cues(exc) if exc else None,
        actor_kinds=frozenset(kinds),
        agents=compile_cues(agents) if agents else None,
        rival_agents=compile_cues(rivals) if rivals else None,
    )


def acled_rules_path(lang: str = "en") -> Path:
    """Where the ACLED rule file of ``lang`` lives."""
    return rules_dir("extract", lang) / "acled.yaml"


@lru_cache(maxsize=8)
def load_acled_rules(lang: str = "en") -> AcledRules:
    """Load and validate ``acled.yaml`` (cached read-only per process).

    Raises:
        RuleError: wrong schema, a base entry outside the codebook, or an invalid cue rule.
    """
    path = acled_rules_path(lang)
    data = load_rule_file(str(path))
    if data.get("schema") != ACLED_SCHEMA:
        raise RuleError(f"{path}: schema must be {ACLED_SCHEMA!r}, not {data.get('schema')!r}")
    base_raw = data.get("base") or {}
    if not isinstance(base_raw, dict):
        raise RuleError(f"{path}: 'base' must map event types to sub-event types")
    base: dict[str, str | None] = {}
    for etype in EVENT_TYPES:
        if etype not in base_raw:
            raise RuleError(f"{path}: 'base' has no entry for event type {etype!r}")
        sub = base_raw[etype]
        if sub is not None and sub not in ACLED_SUB_TO_TYPE:
            raise RuleError(f"{path}: base[{etype!r}] = {sub!r} is not an ACLED sub-event type")
        base[etype] = sub
    inter_raw = data.get("interventions") or {}
    inter: dict[str, str] = {}
    for key, sub in inter_raw.items():
        name = "none" if key is None else str(key)
        if name not in (*INTERVENTIONS, "none", "default"):
            raise RuleError(f"{path}: interventions has unknown key {name!r}. Allowed: none, default, "
                            f"{', '.join(INTERVENTIONS)}")
        if sub not in ACLED_SUB_TO_TYPE:
            raise RuleError(f"{path}: interventions[{name!r}] = {sub!r} is not an ACLED sub-event type")
        inter[name] = sub
    for key in ("none", "default"):
        if key not in inter:
            raise RuleError(f"{path}: interventions needs a {key!r} entry")
    prio = data.get("priorities") or {}
    casualty_sub = data.get("protest_casualties", "Excessive force against protesters")
    if casualty_sub not in ACLED_SUB_TO_TYPE:
        raise RuleError(f"{path}: protest_casualties {casualty_sub!r} is not an ACLED sub-event type")
    rules = tuple(parse_acled_rule(r, source=str(path)) for r in data.get("rules") or [])
    return AcledRules(
        base=base,
        interventions=inter,
        base_priority=int(prio.get("base", 10)),
        trigger_priority=int(prio.get("trigger", 50)),
        intervention_priority=int(prio.get("intervention", 60)),
        casualty_sub=casualty_sub,
        rules=rules,
    )


def normalize_text(text: str) -> str:
    """Lowercase, unify apostrophes and cap the length: the form cue rules are matched on."""
    if not isinstance(text, str):
        return ""
    return text[:_MAX_TEXT].lower().replace("’", "'").replace("‘", "'")


def _first_agent(rule: AcledRule, chunk: str) -> bool | None:
    """True when the first actor phrase in ``chunk`` is one of the rule's agents, False for a rival, None if none."""
    assert rule.agents is not None
    mine = rule.agents.search(chunk)
    rival = rule.rival_agents.search(chunk) if rule.rival_agents is not None else None
    if mine is None and rival is None:
        return None
    if mine is not None and rival is not None:
        return mine.start() <= rival.start()
    return mine is not None


def _agent_ok(rule: AcledRule, low: str, m: re.Match[str]) -> bool:
    """Whether the actor doing the cue's action is one of the rule's agents.

    A passive agent right after the cue ("... was captured by rebels", "fell to
    rebels") decides first; otherwise the first actor phrase of the clause that
    holds the cue (the subject, in news style).
    """
    if rule.agents is None:
        return True
    after = low[m.end():m.end() + 60]
    by = re.match(r"\W+(?:\w+\W+){0,2}?by\b", after)
    if by or m.group(0).endswith(" to"):
        tail = after[by.end():by.end() + 50] if by else after[:50]
        found = _first_agent(rule, tail)
        if found is not None:
            return found
    before = low[max(0, m.start() - 300):m.start()]
    cut = max(before.rfind(". "), before.rfind("; "))
    if cut >= 0:
        before = before[cut + 2:]
    return bool(_first_agent(rule, before))


def rule_matches(rule: AcledRule, text: str, actors: Sequence[Actor] = ()) -> bool:
    """Whether a cue rule fires on ``text`` (with the event's actors for ``actor_kinds``).

    ``actor_kinds`` and ``agents`` are alternatives: an initiator actor of a listed
    kind, or an agent phrase next to the cue, satisfies the rule.
    """
    return _matches(rule, normalize_text(text), actors)


def _matches(rule: AcledRule, low: str, actors: Sequence[Actor]) -> bool:
    if not low:
        return False
    matches = rule.cues.finditer(low)
    if not matches:
        return False
    if rule.requires_any is not None and rule.requires_any.search(low) is None:
        return False
    if rule.excludes_any is not None and rule.excludes_any.search(low) is not None:
        return False
    if rule.agents is None and not rule.actor_kinds:
        return True
    if rule.actor_kinds and any(a.kind in rule.actor_kinds and a.role == "initiator" for a in actors):
        return True
    # the first cue of the text is the main clause's: judge its agent only
    return rule.agents is not None and _agent_ok(rule, low, matches[0])


def _protest_base(rules: AcledRules, intervention: str | None, fatalities: int | None,
                  injuries: int | None) -> tuple[str, int]:
    if intervention is None:
        return rules.interventions["none"], rules.base_priority
    if intervention in rules.interventions:
        return rules.interventions[intervention], rules.intervention_priority
    hurt = (fatalities or 0) > 0 or (injuries or 0) > 0
    if hurt:
        return rules.casualty_sub, rules.intervention_priority
    return rules.interventions["default"], rules.intervention_priority


def acled_candidates(
    event_type: str,
    *,
    text: str,
    intervention: str | None = None,
    fatalities: int | None = None,
    injuries: int | None = None,
    actors: Sequence[Actor] = (),
    rule_sub_event: str | None = None,
    lang: str = "en",
) -> list[tuple[int, str, str]]:
    """Every candidate sub-event type as ``(priority, sub_event_type, source)``, in order of discovery.

    ``source`` is ``base``, ``intervention``, ``trigger`` or the id of a cue rule.
    """
    rules = load_acled_rules(lang)
    out: list[tuple[int, str, str]] = []
    if event_type in ("protest", "obstruction"):
        sub, prio = _protest_base(rules, intervention, fatalities, injuries)
        out.append((prio, sub, "base" if prio == rules.base_priority else "intervention"))
    else:
        base = rules.base.get(event_type)
        if base is not None:
            out.append((rules.base_priority, base, "base"))
    if rule_sub_event in ACLED_SUB_TO_TYPE:
        out.append((rules.trigger_priority, rule_sub_event, "trigger"))
    low = normalize_text(text)
    for rule in rules.rules:
        if rule.types and event_type not in rule.types:
            continue
        if _matches(rule, low, actors):
            out.append((rule.priority, rule.sub_event_type, rule.id))
    return out


def acled_coding(
    event_type: str,
    *,
    text: str,
    intervention: str | None = None,
    fatalities: int | None = None,
    injuries: int | None = None,
    actors: Sequence[Actor] = (),
    rule_sub_event: str | None = None,
) -> Acled:
    """ACLED event type and sub-event type of one event.

    Args:
        event_type: one of vigil's 14 event types (an unknown one is treated as ``other``).
        text: the event's evidence sentence(s); cue rules read it.
        intervention: the event's intervention (protest and obstruction).
        fatalities, injuries: counts told for the event; on a protest with an
            intervention they mean excessive force.
        actors: the event's actors (``armed_group`` initiators make a seizure a
            non-state take-over, ``military``/``government`` a government one).
        rule_sub_event: the sub-event type the trigger rule implies; it wins
            unless a cue rule of higher priority fires.

    Returns:
        A codebook pair (parent always consistent), or both None when ACLED has no
        category (diplomacy without a concluded agreement).

    >>> acled_coding("protest", text="Hundreds marched through the town.").sub_event_type
    'Peaceful protest'
    """
    sub, rule_id = _choose(event_type, text=text, intervention=intervention, fatalities=fatalities,
                           injuries=injuries, actors=actors, rule_sub_event=rule_sub_event)
    if sub is None:
        return Acled(event_type=None, sub_event_type=None)
    log.debug("acled %s -> %s (%s)", event_type, sub, rule_id)
    return Acled(event_type=ACLED_SUB_TO_TYPE[sub], sub_event_type=sub)


def _choose(
    event_type: str,
    *,
    text: str,
    intervention: str | None,
    fatalities: int | None,
    injuries: int | None,
    actors: Sequence[Actor],
    rule_sub_event: str | None,
) -> tuple[str | None, str | None]:
    etype = event_type if event_type in EVENT_TYPES else "other"
    inter = intervention if intervention in INTERVENTIONS else None
    fat = fatalities if isinstance(fatalities, int) and fatalities >= 0 else None
    inj = injuries if isinstance(injuries, int) and injuries >= 0 else None
    cands = acled_candidates(etype, text=text if isinstance(text, str) else "", intervention=inter,
                             fatalities=fat, injuries=inj, actors=actors, rule_sub_event=rule_sub_event)
    if not cands:
        return None, None
    best = cands[0]
    for c in cands[1:]:
        if c[0] > best[0]:
            best = c
    return best[1], best[2]


def acled_rule_id(
    event_type: str,
    *,
    text: str,
    intervention: str | None = None,
    fatalities: int | None = None,
    injuries: int | None = None,
    actors: Sequence[Actor] = (),
    rule_sub_event: str | None = None,
) -> str | None:
    """The id of the candidate ``acled_coding`` chose (``base``, ``intervention``, ``trigger`` or a cue rule)."""
    return _choose(event_type, text=text, intervention=intervention, fatalities=fatalities,
                   injuries=injuries, actors=actors, rule_sub_event=rule_sub_event)[1]


def _trigger_sub_event(event: Event, lang: str) -> str | None:
    """The sub-event type the event's trigger rule implies, when that rule is of the event's (current) type.

    The trigger rule is the first id of ``event.rules`` (extract writes it first). A rule of another
    type says nothing once an analyst has changed the type.
    """
    if not event.rules:
        return None
    rule = next((r for r in load_trigger_rules(lang) if r.id == event.rules[0]), None)
    if rule is None or rule.type != event.type:
        return None
    return rule.sub_event_type


def event_acled(event: Event, *, lang: str = "en") -> Acled:
    """The ACLED coding of an event record from its current fields: a pure function of the record.

    Reads what ``acled_coding`` reads at extraction: the type, the first evidence sentence (the
    trigger text when there is none), the intervention (protest and obstruction only), fatalities,
    injuries, actors and the trigger rule's own sub-event type (kept only while the rule's type is
    the event's type). The review path calls it after an analyst edits a field the coding depends
    on (``ACLED_INPUTS``), so exports and the API follow the new type.

    >>> from vigil.schema import Span
    >>> ev = Event(id="d:e0", doc_id="d", type="protest",
    ...            trigger=Span(doc_id="d", start=0, end=7, text="marched"),
    ...            evidence=[Span(doc_id="d", start=0, end=34, text="Hundreds marched through the town.")])
    >>> event_acled(ev).sub_event_type
    'Peaceful protest'
    >>> event_acled(ev.model_copy(update={"type": "shelling"})).event_type
    'Explosions/Remote violence'
    """
    text = event.evidence[0].text if event.evidence else event.trigger.text
    intervention = event.intervention if event.type in ("protest", "obstruction") else None
    return acled_coding(event.type, text=text, intervention=intervention, fatalities=event.fatalities,
                        injuries=event.injuries, actors=event.actors,
                        rule_sub_event=_trigger_sub_event(event, lang))


ACLED_INPUTS: frozenset[str] = frozenset({"type", "intervention", "fatalities", "injuries", "actors"})
"""The event fields ``event_acled`` reads besides the evidence text: editing one of them recodes the event."""
