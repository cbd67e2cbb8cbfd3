"""Publication-date inference for undated texts: a dateline, else an anchor count, else unknown.

A text without a creation date leaves "on Wednesday" or "three days ago" unresolvable. Two
kinds of evidence in the text itself fix the date: a dateline (a full date with its year at
the head of the text: "KYIV, March 3, 2022 -", a page stamp "03/12/2022 10:40:50"), or a
count from a named anchor ("the ninth day of the invasion", "resisting the invasion for over
eight days now"; anchors and count patterns are data in ``anchors.yaml``). Nothing else is
guessed: with neither, the date stays unknown and the reason says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .finder import _grammar, find_timexes
from .grammar import norm_key
from .resolve import parse_int

DATELINE_CHARS = 300
_FULL_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:T.*)?")
_LINE_LEAD = 60
_AMBIGUOUS = re.compile(r"(\d{1,2})/(\d{1,2})/\d{4}")


@dataclass(frozen=True)
class DctGuess:
    """An inferred creation date (``None`` when unknown), why, and the evidence offsets."""

    dct: date | None
    reason: str
    start: int | None = None
    end: int | None = None


def _dateline(text: str, anchors: Mapping[str, date] | None) -> DctGuess | None:
    head = text[:DATELINE_CHARS]
    for t in find_timexes(head, None, anchors=anchors, join_ranges=False):
        if t.type not in ("DATE", "TIME") or not _FULL_DAY.fullmatch(t.value) or t.interval is None:
            continue
        if (t.rule or "").startswith("anchor."):
            continue  # a count from an anchor is weaker evidence than a dateline: see _anchor_count
        ambiguous = _AMBIGUOUS.fullmatch(t.text)
        if ambiguous and int(ambiguous.group(1)) <= 12 and int(ambiguous.group(2)) <= 12 \
                and ambiguous.group(1) != ambiguous.group(2):
            continue  # 03/12/2022: March 12 or 3 December, nothing to decide by
        line_start = head.rfind("\n", 0, t.start) + 1
        if t.start - line_start > _LINE_LEAD and t.relation != "before":
            continue  # a date deep inside a sentence of the lead is an event date, not a dateline
        d = t.interval.start
        if d is None:
            continue
        return DctGuess(d, f"dateline {t.text!r}", t.start, t.end)
    return None


def _sentence_at(text: str, start: int, end: int) -> str:
    a = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    stops = [i for i in (text.find(".", end), text.find("\n", end)) if i >= 0]
    return text[a:min(stops) if stops else len(text)]


def _anchor_count(text: str, anchors: Mapping[str, date] | None) -> DctGuess | None:
    g = _grammar(anchors)
    best: DctGuess | None = None

    def keep(d: date, reason: str, s: int, e: int) -> None:
        nonlocal best
        if best is None or (best.dct is not None and d > best.dct):
            best = DctGuess(d, reason, s, e)

    for t in find_timexes(text, None, anchors=anchors, join_ranges=False):
        if (t.rule or "").startswith("anchor.") and t.rule not in ("anchor.start", "anchor.since") \
                and t.interval is not None and t.interval.end is not None:
            keep(t.interval.end, f"anchor count {t.text!r}", t.start, t.end)
    names = sorted(g.anchors, key=len, reverse=True)
    for rid, rx in g.dct_counts:
        for m in rx.finditer(text):
            n = parse_int(m.group("n"), g.lex)
            if n is None or not float(n).is_integer() or n > 36_500:
                continue
            days = int(n) * (7 if norm_key(m.group("unit")).startswith("week") else 1)
            sent = _sentence_at(text, m.start(), m.end()).lower()
            hit = next((a for a in names if re.search(rf"(?<!\w){re.escape(a)}(?!\w)", sent)), None)
            if hit is None:
                continue
            try:
                d = g.anchors[hit] + timedelta(days=days)
            except OverflowError:
                continue
            keep(d, f"anchor count {m.group(0)!r} from the {hit} ({rid})", m.start(), m.end())
    return best


def infer_dct(text: str, *, anchors: Mapping[str, date] | None = None) -> DctGuess:
    """The creation date of an undated ``text``: from a dateline, else from an anchor count, else unknown.

    An anchor count is a lower bound (the text was written at least that late); it is used as
    the creation date. Malformed input gives an unknown date, never an error.

    >>> infer_dct("KYIV, March 3, 2022 - Crowds gathered on Wednesday.").dct
    datetime.date(2022, 3, 3)
    """
    if not isinstance(text, str) or not text.strip():
        return DctGuess(None, "empty text: no publication date")
    found = _dateline(text, anchors) or _anchor_count(text, anchors)
    if found is not None:
        return found
    return DctGuess(None, "no dateline or anchor count: relative dates left unresolved")
