"""Find temporal expressions in a text and resolve them against the document creation date.

The finder runs every pattern rule of the timex rule files over the text, resolves each
candidate (a candidate that is no real date is dropped), keeps the longest non-overlapping
candidates, joins "between X and Y" into one interval, and reads the cue words around each
expression to set its relation ("a video shared on Tuesday" -> before, "since March 1" ->
after, with the interval widened to the DCT).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from types import MappingProxyType

from vigil.schema import Article, DateInterval, Timex

from .grammar import Grammar, Rule, compile_grammar, default_anchors, norm_key
from .resolve import RESOLVE, Context, Resolution, month_end, month_iv

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

DEFAULT_ANCHORS: Mapping[str, date] = MappingProxyType(default_anchors())

_WORD_BEFORE = re.compile(r"([\w'’-]+)\W{0,2}$")
_NAME_BEFORE = re.compile(r"([\w'’-]+)[ \t]+$")
_WORD_AFTER = re.compile(r"^\W{0,2}([\w'’-]+)")
_WINDOW = 80
_ANAPHOR_REACH = 1500
_NARRATIVE_REACH = 1500
_CLAUSE_OPENING = re.compile(r"[\s\"'“‘(,—–-]*(?:(?:on|in|at|during|by|from|until|this|next|early|late|and|but)\s+)*",
                             re.IGNORECASE)


def _grammar(anchors: Mapping[str, date] | None) -> Grammar:
    merged = dict(DEFAULT_ANCHORS)
    if anchors:
        merged.update({str(k): v for k, v in anchors.items() if isinstance(v, date) and str(k).strip()})
    return compile_grammar(tuple(sorted(merged.items())))


def _clause(text: str, start: int, end: int, g: Grammar) -> str:
    """Where a tense cue for [start, end) may stand: the clause before it ("will meet on Monday"),
    from its last speech verb on ("he said Friday", "she said he will go on Monday"); the words
    after it only when the expression opens the clause ("On Monday the talks will resume"),
    and then only up to a speech verb ("On Monday, the mayor said he will resign"), since what
    follows a speech verb is reported speech with its own tense."""
    left = text[max(0, start - _WINDOW):start]
    cut = [m.end() for m in g.clause_stop.finditer(left)]
    if cut:
        left = left[cut[-1]:]
    said = [m.start() for m in g.speech.finditer(left)]
    if said:  # '"We will win," he said Friday': the quote's tense is not the speech verb's
        left = left[said[-1]:]
    if not _CLAUSE_OPENING.fullmatch(left):
        return left
    right = text[end:end + _WINDOW]
    m = g.clause_stop.search(right)
    if m:
        right = right[:m.start()]
    m = g.speech.search(right)
    if m:
        right = right[:m.start()]
    return left + " " + right


_POSSESSIVE = re.compile(r"^['’]s?\b")


def _tense(text: str, start: int, end: int, g: Grammar) -> tuple[bool, bool]:
    """Whether the clause of [start, end) points ahead, and whether it looks back.

    Ahead: a future cue ("will", or "would" close before a non-possessive expression) and no
    past-perfect or counterfactual cue ("had been scheduled to"). Back: no future cue and a
    past-tense cue ("the year ended Jan. 31").
    """
    clause = _clause(text, start, end, g)
    ahead = bool(g.future.search(clause))
    if not ahead and not _POSSESSIVE.match(text[end:end + 2]):
        ahead = bool(g.future_near.search(text[max(0, start - _WINDOW):start]))
    if ahead and g.past.search(clause):
        return False, True
    if ahead:
        return True, False
    said = g.speech.match(clause)
    if said and not _CLAUSE_OPENING.fullmatch(clause, said.end()):
        # "said it expects to report in November": the speech verb's tense is not the report's
        clause = clause[said.end():]
    return False, bool(g.past_tense.search(clause))


def _in_name(text: str, start: int) -> bool:
    """A capitalised word right after another capitalised word, same clause: part of a name ("Democracy Now")."""
    if not text[start:start + 1].isupper():
        return False
    m = _NAME_BEFORE.search(text[max(0, start - 40):start])
    # "toldDemocracy Now": a name glued to the word before it still counts
    return bool(m and any(c.isupper() for c in m.group(1)))


def _rejected_by_context(rule: Rule, g: Grammar, text: str, start: int, end: int) -> bool:
    if rule.not_in_name and _in_name(text, start):
        return True
    if rule.not_before:
        m = _WORD_BEFORE.search(text[max(0, start - 40):start])
        if m and norm_key(m.group(1)) in g.lex[rule.not_before]:
            return True
    if rule.not_after:
        m = _WORD_AFTER.search(text[end:end + 40])
        if m and norm_key(m.group(1)) in g.lex[rule.not_after]:
            return True
    return False


_REACH = 60
_SPACE = re.compile(r"\s")


def _lower(text: str) -> str:
    """``text`` lower-cased character by character, so every offset stays where it was (a
    character whose lower case is longer, such as "İ", is kept as it is)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _word_hits(low: str, g: Grammar) -> dict[str, list[tuple[int, int]]]:
    """Where the words that open a trigger word list occur, per list (one pass over the
    lower-cased text)."""
    hits: dict[str, list[tuple[int, int]]] = {}
    tw = g.trigger_words
    for m in g.trigger_word_regex.finditer(low):
        w = m.group(0)
        # a pattern may glue letters to a word list ("{weekday}s"): the singular is looked up too
        for slots in (tw.get(w), tw.get(w[:-1]) if w.endswith("s") else None):
            if slots:
                for slot in slots:
                    hits.setdefault(slot, []).append(m.span())
    return hits


def _windows(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Stretches of ``text`` around the trigger words, merged, cut at whitespace (a rule that needs
    one of these words can only match there)."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for s, e in spans:
        a = max(0, s - _REACH)
        b = min(n, e + _REACH)
        if a > 0:
            sp = text.rfind(" ", 0, a)
            a = sp + 1 if sp >= 0 else 0
        if b < n:
            sp = _SPACE.search(text, b)
            b = sp.start() if sp else n
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _matches(rule: Rule, text: str, low: str, g: Grammar,
             wins: dict[str, list[tuple[int, int]]]) -> Iterator[re.Match[str]]:
    """The matches of ``rule``: on the lower-cased text ``low`` when the rule has a lower-case twin
    (same offsets; take the matched words from ``text``), else on ``text``."""
    rx, on = (rule.lower_regex, low) if rule.lower_regex is not None else (rule.regex, text)
    if rule.trigger is None:
        yield from rx.finditer(on)
        return
    if rule.trigger not in wins:
        if "" not in wins:
            wins.update({k: _windows(text, v) for k, v in _word_hits(low, g).items()})
            wins[""] = []
        if rule.trigger not in wins:
            wins[rule.trigger] = [] if rule.trigger in g.word_triggers else _windows(
                text, (m.span() for m in g.triggers[rule.trigger].finditer(text)))
    for a, b in wins[rule.trigger]:
        yield from rx.finditer(on, a, b)


def _candidates(text: str, dct: date | None, g: Grammar) -> list[tuple[int, int, Rule, Resolution]]:
    out: list[tuple[int, int, Rule, Resolution]] = []
    future_cache: dict[tuple[int, int], tuple[bool, bool]] = {}
    wins: dict[str, list[tuple[int, int]]] = {}
    low = _lower(text)
    for rule in g.rules:
        has_x = "x" in rule.regex.groupindex
        for m in _matches(rule, text, low, g, wins):
            start, end = m.span("x") if has_x and m.group("x") is not None else m.span()
            if end <= start or _rejected_by_context(rule, g, text, start, end):
                continue
            groups: dict[str, str | None] = {k: None if m.start(k) < 0 else text[m.start(k):m.end(k)]
                                             for k in rule.regex.groupindex}
            groups["_text"] = text[start:end]
            key = (start, end)
            if key not in future_cache:
                future_cache[key] = _tense(text, start, end, g)
            ahead, back = future_cache[key]
            ctx = Context(dct=dct, lex=g.lex, anchors=g.anchors, future=ahead, past=back)
            try:
                res = RESOLVE[rule.resolve](groups, ctx)
            except (ValueError, OverflowError, ArithmeticError, KeyError, TypeError) as e:
                log.debug("timex rule %s could not resolve %r: %s", rule.id, groups["_text"], e)
                res = None
            if res is not None:
                out.append((start, end, rule, res))
    return out


def _select(cands: list[tuple[int, int, Rule, Resolution]]) -> list[tuple[int, int, Rule, Resolution]]:
    """Longest first (then rule order), never overlapping; returned in text order."""
    chosen: list[tuple[int, int, Rule, Resolution]] = []
    starts: list[int] = []
    ends: list[int] = []
    for c in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[2].order, c[0])):
        s, e = c[0], c[1]
        i = bisect.bisect_left(starts, s)
        if i > 0 and ends[i - 1] > s:
            continue
        if i < len(starts) and starts[i] < e:
            continue
        starts.insert(i, s)
        ends.insert(i, e)
        chosen.insert(i, c)
    return chosen


def _narrative(cands: list[tuple[int, int, Rule, Resolution]]) -> list[tuple[int, int, Rule, Resolution]]:
    """Fill 'the next day' / 'two days later' from the last single-day date before it in the text."""
    out = []
    ref: tuple[int, date] | None = None
    for s, e, rule, res in cands:
        if res.ref_days is not None:
            if ref is not None and s - ref[0] <= _NARRATIVE_REACH:
                try:
                    d = ref[1] + timedelta(days=res.ref_days)
                except OverflowError:
                    d = None
                if d is not None:
                    res = Resolution(d.isoformat() + res.ref_suffix, DateInterval(start=d, end=d), res.type)
        iv = res.interval
        if iv is not None and iv.start is not None and iv.start == iv.end and rule.type in ("DATE", "TIME"):
            ref = (e, iv.start)
        out.append((s, e, rule, res))
    return out


_PERIOD_VALUE = re.compile(r"(?P<y>\d{4})-(?:(?P<ql>[QH])(?P<qn>[1-4])|(?P<m>\d{2}))")


def _period_back(value: str, years: int) -> Resolution | None:
    """A quarter, half, month or day value moved ``years`` back, with its interval."""
    m = _PERIOD_VALUE.fullmatch(value)
    if m is None:
        return None
    y = int(m.group("y")) - years
    if not 1 <= y <= 9999:
        return None
    if m.group("ql"):
        size = 3 if m.group("ql") == "Q" else 6
        k = int(m.group("qn"))
        if k * size > 12:
            return None
        return Resolution(f"{y:04d}-{m.group('ql')}{k}",
                          DateInterval(start=date(y, (k - 1) * size + 1, 1), end=month_end(y, k * size)))
    mon = int(m.group("m"))
    if not 1 <= mon <= 12:
        return None
    return Resolution(f"{y:04d}-{mon:02d}", month_iv(y, mon))


_CAL_VALUE = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?![\d]))?")


def _calendar_shift(res: Resolution, year: int, month: int | None) -> Resolution | None:
    """'that year' / 'the following month' moved from the DCT to the last year or month the text named."""
    if res.anaphor == "ref_year":
        y = year + res.anaphor_n
        return Resolution(f"{y:04d}", DateInterval(start=date(y, 1, 1), end=date(y, 12, 31)), res.type) \
            if 1 <= y <= 9999 else None
    if month is None:
        return None
    y, m = divmod(year * 12 + month - 1 + res.anaphor_n, 12)
    return Resolution(f"{y:04d}-{m + 1:02d}", month_iv(y, m + 1), res.type) if 1 <= y <= 9999 else None


def _anaphora(cands: list[tuple[int, int, Rule, Resolution]]) -> list[tuple[int, int, Rule, Resolution]]:
    """'a year earlier' / 'the year-ago quarter' / 'the quarter' after a quarter or month: that period
    (a year back). Financial and statistical reports compare a period with the same one a year before.
    'that year' / 'the following month': the last year or month the text named, shifted."""
    out = []
    ref: tuple[int, str] | None = None
    cal: tuple[int, int, int | None] | None = None
    for s, e, rule, res in cands:
        if res.anaphor in ("ref_year", "ref_month"):
            moved = _calendar_shift(res, cal[1], cal[2]) if cal is not None and s - cal[0] <= _ANAPHOR_REACH \
                else None
            if moved is not None:  # the shifted period is the narrative's reference from here on
                cm = _CAL_VALUE.match(moved.value)
                cal = (e, int(cm.group("y")), int(cm.group("m")) if cm.group("m") else None) if cm else cal
            out.append((s, e, rule, moved or res))
            continue
        cm = _CAL_VALUE.match(res.value) if not res.anaphor and rule.type in ("DATE", "TIME") else None
        if cm is not None:
            cal = (e, int(cm.group("y")), int(cm.group("m")) if cm.group("m") else None)
        if res.anaphor and ref is not None and s - ref[0] <= _ANAPHOR_REACH:
            years = {"year_back": res.anaphor_n, "in_year": int(ref[1][:4]) - res.anaphor_n}.get(res.anaphor, 0)
            back = _period_back(ref[1], years)
            quarter_only = rule.resolve == "quarter"
            if back is not None and (not quarter_only or back.value[5:6] in "QH"):
                res = Resolution(back.value, back.interval, res.type)
                out.append((s, e, rule, res))
                continue
        if not res.anaphor and rule.type == "DATE" and _PERIOD_VALUE.fullmatch(res.value):
            ref = (e, res.value)
        out.append((s, e, rule, res))
    return out


def _to_timex(text: str, c: tuple[int, int, Rule, Resolution]) -> Timex:
    s, e, rule, res = c
    return Timex(start=s, end=e, text=text[s:e], type=res.type or rule.type, value=res.value,
                 interval=res.interval, rule=rule.id)


def _joinable(t: Timex) -> bool:
    return t.type in ("DATE", "TIME") and t.interval is not None and t.interval.start is not None \
        and t.interval.end is not None


def _join_ranges(text: str, found: list[Timex], g: Grammar) -> list[Timex]:
    out: list[Timex] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        if b is not None and _joinable(a) and _joinable(b):
            assert a.interval is not None and b.interval is not None
            between = g.range_between.match(text[a.end:b.start])
            opener = g.range_opener.search(text[max(0, a.start - 20):a.start])
            ok_order = a.interval.start <= b.interval.end  # type: ignore[operator]
            if between and ok_order and (between.group("dash") or opener):
                start = a.start - (len(opener.group(0)) if opener else 0)
                out.append(Timex(start=start, end=b.end, text=text[start:b.end], type="DATE",
                                 value=f"{a.value}/{b.value}",
                                 interval=DateInterval(start=a.interval.start, end=b.interval.end),
                                 rule=g.cue_ids.get("range", "range.join")))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _with_relation(text: str, t: Timex, dct: date | None, g: Grammar) -> Timex:
    if t.type not in ("DATE", "TIME"):
        return t
    if (g.before_right is not None and g.before_right.match(text, t.end, t.end + 20)) or \
            (g.before_left is not None and g.before_left.search(text[max(0, t.start - _WINDOW):t.start])):
        return t.model_copy(update={"relation": "before"})  # a post's time stamp
    left = text[max(0, t.start - _WINDOW):t.start]
    stops = [m.end() for m in g.clause_stop.finditer(left)]
    if stops:
        left = left[stops[-1]:]
    if g.after_widen.search(left):
        iv = t.interval
        if iv is not None and iv.start is not None:
            end = dct if dct is not None and dct >= iv.start else None
            iv = DateInterval(start=iv.start, end=end)
        return t.model_copy(update={"relation": "after", "interval": iv})
    if g.after_plain.search(left):
        return t.model_copy(update={"relation": "after"})
    if g.before_prefix.search(left) or g.before_verb.search(left):
        return t.model_copy(update={"relation": "before"})
    return t


def find_timexes(text: str, dct: date | None, *, anchors: Mapping[str, date] | None = None,
                 join_ranges: bool = True) -> list[Timex]:
    """Find the temporal expressions in ``text`` and resolve them against ``dct``.

    Args:
        text: the article text; offsets in the result are Python character offsets into it.
        dct: the document creation (publication) date, or ``None`` when unknown (values then
            carry ``X`` where the year or day cannot be known, and intervals are ``None``).
        anchors: named anchor dates (``{"invasion": date(2022, 2, 24)}``) added to or
            overriding :data:`DEFAULT_ANCHORS`.
        join_ranges: join "between March 1 and March 3" into one interval timex (what event
            dates need); ``False`` keeps the two ends apart, as TIMEX3 annotation does.

    Returns:
        Timexes in text order, never overlapping. Malformed input gives ``[]``, never an error.

    >>> [t.value for t in find_timexes("Crowds gathered on Wednesday.", date(2022, 3, 4))]
    ['2022-03-02']
    """
    if not isinstance(text, str) or not text.strip():
        return []
    if dct is not None and not isinstance(dct, date):
        dct = None
    g = _grammar(anchors)
    found = [_to_timex(text, c) for c in _anaphora(_narrative(_select(_candidates(text, dct, g))))]
    if join_ranges:
        found = _join_ranges(text, found, g)
    return [_with_relation(text, t, dct, g) for t in found]


def annotate_timexes(article: Article) -> Article:
    """A copy of ``article`` with ``timexes`` found in its text against its publication date.

    ``Timex.sentence`` is the index of the sentence that holds the expression's start when
    the article has sentences. Without a publication date the date is inferred from the text
    (:func:`vigil.timex.infer_dct`: a dateline or an anchor count) and the reason is added to
    ``notes``; with neither, relative expressions stay unresolved.
    """
    dct = article.published
    notes = list(article.notes)
    if dct is None:
        from .dct import infer_dct  # noqa: PLC0415 - dct.py builds on this module

        guess = infer_dct(article.text)
        dct = guess.dct
        notes.append(f"timex: publication date unknown; relative dates resolved against {dct.isoformat()} "
                     f"inferred from the {guess.reason}" if dct is not None else f"timex: {guess.reason}")
    found = find_timexes(article.text, dct)
    if article.sentences:
        starts = [s.start for s in article.sentences]
        placed = []
        for t in found:
            k = bisect.bisect_right(starts, t.start) - 1
            sent = article.sentences[k] if k >= 0 else None
            idx = sent.i if sent is not None and sent.start <= t.start < max(sent.end, sent.start + 1) else None
            placed.append(t.model_copy(update={"sentence": idx}))
        found = placed
    return article.model_copy(update={"timexes": found, "notes": notes})
