"""Compile the timex rule files (``vigil/rules/timex/en/*.yaml``) into regular expressions.

The YAML holds the data: word lists (lexicon groups with a ``slot`` name), anchor dates,
cue words and the patterns. A pattern refers to a word list as ``{slot}``; this module
expands the slots, compiles each pattern once per process and per anchor set, and hands
the result to the finder. Nothing here depends on the text being processed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from vigil.errors import RuleError
from vigil.ruleset import load_stage_rules

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

STAGE = "timex"
TIMEX_TYPES = ("DATE", "TIME", "DURATION", "SET")
RESOLVERS = (
    "date", "month", "month_part", "year_part", "year", "decade", "quarter", "day_range",
    "weekday", "day_word", "part_word", "ago", "period", "season", "recent", "present",
    "anchor_day", "anchor_start", "duration", "set_every", "set_word", "clock", "century", "coming",
    "narrative", "numeric_date", "holiday", "decade_word", "ref_period", "year_end",
)
_SLOT_RE = re.compile(r"\{([a-z_]+)\}")
NEVER = re.compile(r"(?!x)x")  # a cue list left empty by the rule files


def norm_key(s: str) -> str:
    """The lookup form of a lexicon word: lower case, single spaces, no trailing period."""
    return re.sub(r"\s+", " ", s.strip().lower()).rstrip(".")


@dataclass(frozen=True)
class Rule:
    """One compiled pattern rule."""

    id: str
    type: str
    resolve: str
    regex: re.Pattern[str]
    not_before: str | None
    not_after: str | None
    order: int
    not_in_name: bool = False
    trigger: str | None = None
    # the same pattern without IGNORECASE, for the lower-cased text, when nothing in it depends on
    # case (about twice as fast: the engine compares characters instead of case-folding both)
    lower_regex: re.Pattern[str] | None = None


_ESCAPE_OR_NAME = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)|\(\?\(\w+\)")


def lower_case_twin(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` compiled case-sensitively for lower-cased text, or ``None`` when it has a
    case-sensitive part ("(?-i:May)") or an upper-case letter outside escapes and group names,
    where lower-casing the text would change what it matches."""
    if "(?-i" in pattern or re.search(r"[A-Z]", _ESCAPE_OR_NAME.sub("", pattern)):
        return None
    return re.compile(pattern)


@dataclass(frozen=True)
class Grammar:
    """Everything the finder needs, compiled: rules, word lists, anchors and cue regexes."""

    rules: tuple[Rule, ...]
    lex: dict[str, dict[str, Any]]
    anchors: dict[str, date]
    before_prefix: re.Pattern[str]
    before_verb: re.Pattern[str]
    after_widen: re.Pattern[str]
    after_plain: re.Pattern[str]
    future: re.Pattern[str]
    range_opener: re.Pattern[str]
    range_between: re.Pattern[str]
    cue_ids: dict[str, str]
    before_left: re.Pattern[str] | None = None
    dct_counts: tuple[tuple[str, re.Pattern[str]], ...] = ()
    before_right: re.Pattern[str] | None = None
    triggers: dict[str, re.Pattern[str]] = field(default_factory=dict)
    trigger_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    word_triggers: frozenset[str] = frozenset()
    # one pass over the lower-cased text finds every word of trigger_words, bare or with a plural "s"
    trigger_word_regex: re.Pattern[str] = NEVER
    past: re.Pattern[str] = NEVER
    future_near: re.Pattern[str] = NEVER
    past_tense: re.Pattern[str] = NEVER
    speech: re.Pattern[str] = NEVER
    # where a clause ends: . ! ? ; or a line break; a period only at the end of a word ("3.5" goes
    # on), not after an initial ("P.", "a.m.") or a listed abbreviation ("Gen.", "Ala.,"), and not
    # before a lower-case word
    clause_stop: re.Pattern[str] = re.compile(r"[.!?;\n]")


def _alternation(words: list[str]) -> str:
    """One regex for any of ``words`` (spaces match any whitespace), the longest first.

    The words are laid out as a trie ("jan(?:uary|)"), which tries the same words in the same
    order as a flat longest-first alternation (two words that match at one place are a prefix of
    one another, and the trie tries the longer one first) but rules out most of them on their
    first letter: the regex engine walks one branch per letter instead of every word."""
    trie: dict[str, Any] = {}
    for w in set(words):
        node = trie
        for ch in " ".join(w.split()):
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie) if trie else NEVER.pattern


def _trie_regex(node: dict[str, Any]) -> str:
    def depth(n: dict[str, Any]) -> int:
        return max((1 + depth(c) for k, c in n.items() if k), default=0)

    branches = []
    for ch in sorted((k for k in node if k), key=lambda k: (-depth(node[k]), k)):
        head = r"\s+" if ch == " " else re.escape(ch)
        branches.append(head + _trie_regex(node[ch]))
    if "" in node:
        branches.append("")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _slot_regex(rule: dict[str, Any]) -> str:
    words = [str(k) for k in rule.get("entries", {})]
    case = rule.get("case")
    if case == "exact":
        return f"(?-i:{_alternation(words)})"
    if case == "title":
        return f"(?-i:{_alternation(words + [w.upper() for w in words])})"
    return f"(?:{_alternation(words)})"


_SENTINEL = "\ue000"
_WORD = re.compile(r"\w+")


def _key_word(entry: str) -> str | None:
    """The word of a word-list entry the one pass over the words looks for: its longest, so that
    "the day before yesterday" is found by "yesterday", not by every "the" of the text."""
    words = _WORD.findall(entry)
    return max(words, key=len).lower() if words else None


def _can_match(items: Any) -> bool:
    """Whether a parsed regex can match without the sentinel character (which never occurs)."""
    from re import _parser as sre  # type: ignore[attr-defined]

    for op, av in items:
        if op is sre.LITERAL and av == ord(_SENTINEL):
            return False
        if op is sre.SUBPATTERN and not _can_match(av[-1]):
            return False
        if op is sre.BRANCH and not any(_can_match(b) for b in av[1]):
            return False
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] > 0 and not _can_match(av[2]):
            return False
    return True


def _required_slot(pattern: str, names: list[str], expand: Any) -> str | None:
    """A slot every match of ``pattern`` must contain a word of (a cheap prefilter), or ``None``."""
    try:
        from re import _parser as sre  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - other Pythons: scan everything
        return None
    for name in names:
        try:
            parsed = sre.parse(expand(pattern, name), re.IGNORECASE)
        except (re.error, RuleError):
            return None
        if not _can_match(list(parsed)):
            return name
    return None


def _rules_of(files: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for stem, data in files.items():
        for rule in data.get("rules") or []:
            out.append((stem, rule))
    return out


def default_anchors() -> dict[str, date]:
    """The named anchor dates shipped in ``anchors.yaml`` (``name -> date``)."""
    out: dict[str, date] = {}
    for stem, rule in _rules_of(load_stage_rules(STAGE)):
        if rule.get("kind") == "anchor":
            d = rule.get("date")
            if isinstance(d, str):
                try:
                    d = date.fromisoformat(d)
                except ValueError as e:
                    raise RuleError(f"{stem}.yaml: rule {rule['id']!r}: date {d!r} is not ISO") from e
            if not isinstance(d, date) or not rule.get("name"):
                raise RuleError(f"{stem}.yaml: anchor rule {rule['id']!r} needs 'name' and an ISO 'date'")
            out[str(rule["name"])] = d
    return out


def _spelled_year_regex(numbers: dict[str, Any], century: str) -> str:
    """A year written in words: 'nineteen ninety-six', 'nineteen hundred', 'nineteen oh five',
    'two thousand and one' (built from the number words of the lexicon)."""
    def words(lo: int, hi: int, step: int = 1) -> str:
        return _alternation([w for w, v in numbers.items() if isinstance(v, int) and lo <= v <= hi
                             and v % step == 0 and w not in ("a", "an")])

    ones, teens, tens = words(1, 9), words(10, 19), words(20, 90, 10)
    two_digits = rf"(?:{tens})(?:[\s-]+(?:{ones}))?|(?:{teens})"
    return (rf"(?:(?:{century})[\s-]+(?:oh[\s-]+(?:{ones})|hundred|{two_digits})"
            rf"|two\s+thousand(?:\s+and)?(?:[\s-]+(?:{two_digits}|{ones}))?)")


def _word_regex(words: list[str], but: list[str] | None = None) -> re.Pattern[str]:
    """Any of ``words`` as whole words, except where one of ``but`` starts ("next" but not
    "next to"); never matches when ``words`` is empty."""
    unless = rf"(?!(?:{_alternation(but)})(?![\w]))" if but else ""
    return re.compile(rf"(?<![\w]){unless}(?:{_alternation(words)})(?![\w])", re.IGNORECASE)


def _trigger_word_regex(words: list[str]) -> re.Pattern[str]:
    """A whole word that is one of ``words`` or one of them plus "s", in lower-cased text (the
    words are lower-case single \\w runs)."""
    if not words:
        return NEVER
    return re.compile(rf"(?<!\w)(?:{_alternation(words)})s?(?!\w)")


def _clause_stop_regex(abbreviations: list[str]) -> re.Pattern[str]:
    """The end of a clause: . ! ? ; or a line break; a period only when a space, a closing quote or
    the end follows, after a word that is neither an initial nor one of ``abbreviations`` (exact
    case), and not before a lower-case word."""
    words = sorted({a.rstrip(".") for a in abbreviations if a.rstrip(".")})
    if any(not re.fullmatch(r"\w+", a) for a in words):
        raise RuleError(f"relations: an abbreviation is a single word before its period: {words}")
    # the lookbehinds run only at a period (they follow it), not at every character
    not_after = "".join(rf"(?<!\b{re.escape(a)}\.)" for a in words)
    return re.compile(rf"[!?;\n]|\.(?<!\b[A-Za-z]\.){not_after}(?=[\s\"'”’)]|$)(?!\s+[a-z])")


def _cue_regex(words: list[str], *, tail: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'])(?:{_alternation(words)}){tail}$", re.IGNORECASE)


@lru_cache(maxsize=16)
def compile_grammar(anchor_items: tuple[tuple[str, date], ...]) -> Grammar:
    """Compile every timex rule file for the given anchors (cached per anchor set).

    Raises:
        RuleError: a pattern rule with an unknown type, resolver or slot, or a bad regex.
    """
    files = load_stage_rules(STAGE)
    items = _rules_of(files)
    lex: dict[str, dict[str, Any]] = {}
    slots: dict[str, str] = {}
    for stem, rule in items:
        slot = rule.get("slot")
        if slot:
            entries = rule.get("entries")
            if not isinstance(entries, dict) or not entries:
                raise RuleError(f"{stem}.yaml: lexicon rule {rule['id']!r} needs a non-empty 'entries' mapping")
            lex[slot] = {norm_key(str(k)): v for k, v in entries.items()}
            slots[slot] = _slot_regex(rule)
    anchors = {norm_key(k): v for k, v in anchor_items}
    lex["anchor"] = dict(anchors)
    slots["anchor"] = f"(?:{_alternation(list(anchors))})"
    numbers = lex.get("numword", {})
    tens = [w for w, v in numbers.items() if isinstance(v, int) and 20 <= v <= 90 and v % 10 == 0]
    ones = [w for w, v in numbers.items() if isinstance(v, int) and 1 <= v <= 9 and w not in ("a", "an")]
    numword = slots.get("numword", r"(?!x)x")
    slots["number"] = (rf"(?:\d{{1,9}}(?:\.\d+)?|(?:{_alternation(tens)})[\s-]+(?:{_alternation(ones)})"
                       rf"|{numword})")
    slots["spelledyear"] = _spelled_year_regex(numbers, slots.get("centuryword", r"(?!x)x"))

    def expand(pattern: str, where: str, blank: str | None = None) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in slots:
                raise RuleError(f"{where}: unknown slot {{{name}}}. Available: {', '.join(sorted(slots))}")
            return _SENTINEL if name == blank else slots[name]

        return _SLOT_RE.sub(sub, pattern)

    triggers: dict[str, re.Pattern[str]] = {}
    word_slots: dict[str, set[str]] = {}
    by_regex: set[str] = set()

    rules: list[Rule] = []
    cue_ids: dict[str, str] = {}
    cues: dict[str, list[str]] = {"before_prefix": [], "before_verb": [], "after_widen": [], "after_plain": [],
                                  "future": [], "past": [], "past_tense": [], "speech": [], "future_near": []}
    cue_exceptions: dict[str, list[str]] = {k: [] for k in cues}
    past_tense_pats: list[str] = []
    left_pats: list[str] = []
    dct_counts: list[tuple[str, re.Pattern[str]]] = []
    right_pats: list[str] = []
    range_openers: list[str] = []
    range_joiners: list[str] = []
    range_dashes: list[str] = []
    abbreviations: list[str] = []
    for n, (stem, rule) in enumerate(items):
        where = f"{stem}.yaml: rule {rule['id']!r}"
        if rule.get("kind") == "dct_count":
            try:
                dct_counts.append((rule["id"], re.compile(expand(str(rule["count_pattern"]), where), re.IGNORECASE)))
            except (KeyError, re.error) as e:
                raise RuleError(f"{where}: a dct_count rule needs a valid 'count_pattern' ({e})") from e
            continue
        if "pattern" in rule:
            rtype = rule.get("type")
            if rtype not in TIMEX_TYPES:
                raise RuleError(f"{where}: type {rtype!r} is not one of {', '.join(TIMEX_TYPES)}")
            if rule.get("resolve") not in RESOLVERS:
                raise RuleError(f"{where}: resolve {rule.get('resolve')!r} is not one of {', '.join(RESOLVERS)}")
            for key in ("not_before", "not_after"):
                if rule.get(key) and rule[key] not in lex:
                    raise RuleError(f"{where}: {key} names unknown slot {rule[key]!r}")
            body = expand(str(rule["pattern"]), where)
            try:
                rx = re.compile(rf"(?<![\w])(?:{body})(?![\w])", re.IGNORECASE)
            except re.error as e:
                raise RuleError(f"{where}: bad pattern ({e})") from e
            # ties between equally long matches go to the higher priority, then to file order
            order = n - 100_000 * int(rule.get("priority", 0))
            used = [m.group(1) for m in _SLOT_RE.finditer(str(rule["pattern"])) if m.group(1) != "number"]
            if rule.get("trigger"):
                # a declared prefilter: every match holds a match of it (checked by the rule examples)
                trig: str | None = "=" + str(rule["trigger"])
                parts = str(rule["trigger"]).split("|")
                if trig not in triggers and all(re.fullmatch(r"[a-z]+|\{[a-z_]+\}", p) for p in parts):
                    # plain words and word lists: found by the one pass over the words
                    for p in parts:
                        words = list(lex.get(p[1:-1], {})) if p.startswith("{") else [p]
                        for word in words:
                            key = _key_word(word)
                            if key is not None:
                                word_slots.setdefault(key, set()).add(trig)
                if trig not in triggers:
                    try:
                        triggers[trig] = re.compile(expand(str(rule["trigger"]), where), re.IGNORECASE)
                    except re.error as e:
                        raise RuleError(f"{where}: bad trigger ({e})") from e
            else:
                trig = _required_slot(str(rule["pattern"]), list(dict.fromkeys(used)),
                                      lambda p, name, where=where: expand(p, where, name))
                if trig is not None and trig not in triggers:
                    triggers[trig] = re.compile(rf"(?<![\w])(?:{slots[trig]})(?![\w])", re.IGNORECASE)
                    for word in lex.get(trig, {}):
                        key = _key_word(word)
                        if key is None:  # an entry that holds no word: this slot is found by its regex
                            by_regex.add(trig)
                            continue
                        word_slots.setdefault(key, set()).add(trig)
            rules.append(Rule(rule["id"], rtype, rule["resolve"], rx, rule.get("not_before"),
                              rule.get("not_after"), order, bool(rule.get("not_in_name", False)), trig,
                              lower_case_twin(rx.pattern)))
        elif rule.get("relation"):
            rel, pos = rule["relation"], rule.get("position")
            words = [str(w) for w in rule.get("entries") or []]
            if pos == "pattern":
                if rel != "before":
                    raise RuleError(f"{where}: position 'pattern' is only for relation 'before'")
                left_pats += [str(p) for p in rule.get("left_patterns") or []]
                right_pats += [str(p) for p in rule.get("right_patterns") or []]
                cue_ids["before_pattern"] = rule["id"]
                continue
            if rel == "range":
                range_openers += [str(w) for w in rule.get("openers") or []]
                range_joiners += words
                range_dashes += [str(w) for w in rule.get("dashes") or []]
                cue_ids["range"] = rule["id"]
                continue
            if rel == "before":
                key = "before_verb" if pos == "verb" else "before_prefix"
            elif rel == "after":
                key = "after_widen" if rule.get("widen") else "after_plain"
            elif rel == "future" and pos == "near":
                key = "future_near"
            elif rel == "abbreviation":
                abbreviations += words
                cue_ids["abbreviation"] = rule["id"]
                continue
            elif rel in ("future", "past", "past_tense", "speech"):
                key = rel
                if rel == "past_tense":  # word lists plus regexes ('[a-z]{2,}ed')
                    past_tense_pats += [str(p) for p in rule.get("patterns") or []]
            else:
                raise RuleError(f"{where}: relation {rel!r} is not one of before, after, future, past, past_tense, "
                                f"speech, range, abbreviation")
            cues[key] += words
            if rule.get("except") and key not in ("future", "past", "speech"):
                raise RuleError(f"{where}: 'except' is only for the future, past and speech cue lists")
            cue_exceptions[key] += [str(w) for w in rule.get("except") or []]
            cue_ids[key] = rule["id"]
    try:
        before_left = re.compile("|".join(f"(?:{p})" for p in left_pats), re.IGNORECASE) if left_pats else None
        before_right = re.compile("|".join(f"(?:{p})" for p in right_pats), re.IGNORECASE) if right_pats else None
    except re.error as e:
        raise RuleError(f"relations: bad left/right pattern ({e})") from e
    try:
        # case-sensitive: lower-case words only, so a name ending in -ed is no past tense
        past_tense = re.compile(
            rf"(?<![\w-])(?:{'|'.join([_alternation(cues['past_tense'])] + past_tense_pats)})(?![\w-])")
    except re.error as e:
        raise RuleError(f"relations: bad past-tense pattern ({e})") from e
    prefix_tail = r"\s+(?:on\s+|in\s+|at\s+)?"
    return Grammar(
        rules=tuple(rules),
        lex=lex,
        anchors=anchors,
        before_prefix=_cue_regex(cues["before_prefix"], tail=prefix_tail),
        before_verb=_cue_regex(cues["before_verb"], tail=r"(?:\s+[^\s.,;:!?\"]+){0,4}\s+"),
        after_widen=_cue_regex(cues["after_widen"], tail=prefix_tail),
        after_plain=_cue_regex(cues["after_plain"], tail=prefix_tail),
        future=_word_regex(cues["future"], cue_exceptions["future"]),
        range_opener=re.compile(rf"(?<![\w])(?:{_alternation(range_openers)})\s+$", re.IGNORECASE),
        range_between=re.compile(
            rf"^\s*(?:(?:{_alternation(range_joiners)})|(?P<dash>{_alternation(range_dashes)}))\s*$",
            re.IGNORECASE),
        cue_ids=cue_ids,
        before_left=before_left,
        before_right=before_right,
        dct_counts=tuple(dct_counts),
        triggers=triggers,
        trigger_words={w: tuple(sorted(v - by_regex)) for w, v in word_slots.items() if v - by_regex},
        word_triggers=frozenset(set().union(*word_slots.values()) - by_regex) if word_slots else frozenset(),
        trigger_word_regex=_trigger_word_regex([w for w, v in word_slots.items() if v - by_regex]),
        past=_word_regex(cues["past"], cue_exceptions["past"]),
        past_tense=past_tense,
        future_near=_cue_regex(cues["future_near"], tail=r"(?:\s+[^\s.,;:!?\"]+){0,10}\s+"),
        speech=_word_regex(cues["speech"], cue_exceptions["speech"]),
        clause_stop=_clause_stop_regex(abbreviations),
    )
