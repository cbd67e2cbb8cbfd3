"""Resolvers: turn the groups of a matched timex pattern into a TIMEX3 value and a day interval.

Each resolver takes the match groups and a :class:`Context` (the DCT, the word lists, the
anchors, whether the clause points to the future) and returns a :class:`Resolution`, or
``None`` when the words do not make a real date (February 30, month 13, an absurd count).
Values follow TIMEX3: ``2022-03-02``, ``2022-W09``, ``2022-03``, ``2022``, ``2022-Q1``,
``P3D``, ``PT6H``, ``PRESENT_REF``; ``X`` marks what cannot be known without a DCT.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from vigil.schema import DateInterval

from .grammar import norm_key

MIN_DATE = date(1, 1, 1)
MAX_DATE = date(9999, 12, 31)
FUTURE_REACH_DAYS = 183
SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}


@dataclass(frozen=True)
class Context:
    """What a resolver may look at besides the match groups."""

    dct: date | None
    lex: dict[str, dict[str, Any]]
    anchors: dict[str, date]
    future: bool = False
    past: bool = False


@dataclass(frozen=True)
class Resolution:
    """A resolved value; ``type`` overrides the rule's type when set (``Wednesday night`` is a TIME)."""

    value: str
    interval: DateInterval | None
    type: str | None = None
    ref_days: int | None = None
    ref_suffix: str = ""
    anaphor: str | None = None
    anaphor_n: int = 0


Groups = dict[str, str | None]


# --- calendar helpers -------------------------------------------------------------------


def day_iv(d: date) -> DateInterval:
    """One calendar day as an interval."""
    return DateInterval(start=d, end=d)


def span_iv(a: date | None, b: date | None) -> DateInterval:
    """The interval from ``a`` to ``b`` (either may be unknown)."""
    return DateInterval(start=a, end=b)


def month_end(y: int, m: int) -> date:
    """The last day of a month."""
    return date(y, m, calendar.monthrange(y, m)[1])


def month_iv(y: int, m: int) -> DateInterval:
    """A whole calendar month."""
    return DateInterval(start=date(y, m, 1), end=month_end(y, m))


def year_iv(y: int) -> DateInterval:
    """A whole calendar year."""
    return DateInterval(start=date(y, 1, 1), end=date(y, 12, 31))


def week_value(d: date) -> str:
    """The ISO week of a day as a TIMEX3 value (``2022-W09``)."""
    iso = d.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def week_monday(d: date) -> date:
    """The Monday of the ISO week holding ``d``."""
    return d - timedelta(days=d.isoweekday() - 1)


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    """Year and month ``k`` months after (or before) ``y``-``m``."""
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def _distance(iv_start: date, iv_end: date, dct: date, future: bool, past: bool = False) -> float:
    """How far an interval is from the DCT.

    Past readings are preferred: without a future cue in the clause a future reading
    counts double (so "January 3" in a late-December article is the coming one, but
    "December 30" in an early-January article is last year's). A past-tense cue and no
    future cue ("the fiscal year ended Jan. 31") makes a future reading count four times.
    """
    if iv_start <= dct <= iv_end:
        return 0.0
    if iv_end < dct:
        return float((dct - iv_end).days) * (6.0 if future else 1.0)
    ahead = float((iv_start - dct).days)
    if future:
        return ahead
    # without a future cue, a reading more than half a year ahead is a last resort
    return ahead * (4.0 if past else 2.0) if ahead <= FUTURE_REACH_DAYS else 1e6 + ahead


def pick_year(dct: date, future: bool, make: Callable[[int], tuple[date, date] | None],
              past: bool = False) -> int | None:
    """The year that puts a yearless interval closest to the DCT (past readings preferred).

    ``make(year)`` returns the interval for a year or ``None`` when that year has no such
    date (February 29). Years up to eight back are tried so a leap day always resolves.
    """
    best: tuple[float, int] | None = None
    for y in range(dct.year + 1, dct.year - 9, -1):
        if y < 1 or y > 9999:
            continue
        iv = make(y)
        if iv is None:
            continue
        dist = _distance(iv[0], iv[1], dct, future, past)
        if best is None or dist < best[0]:
            best = (dist, y)
    return best[1] if best else None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_int(s: str | None, lex: dict[str, dict[str, Any]]) -> float | None:
    """A count written in digits or words ("3", "three", "twenty-one", "a"); ``None`` when unknown."""
    if s is None:
        return None
    k = norm_key(s).replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", k):
        v = float(k)
        return v if v < 1e7 else None
    words = lex.get("numword", {})
    if k in words:
        return float(words[k])
    parts = re.split(r"[\s-]+", k)
    total = 0.0
    for p in parts:
        if p not in words:
            return None
        v = float(words[p])
        total = total * v if v >= 100 and total else total + v
    return total


def parse_ordinal(s: str | None, lex: dict[str, dict[str, Any]]) -> int | None:
    """An ordinal written in digits or words ("7th", "seventh"); ``None`` when unknown."""
    if s is None:
        return None
    k = norm_key(s)
    m = re.fullmatch(r"(\d{1,4})(?:st|nd|rd|th)?", k)
    if m:
        return int(m.group(1))
    v = lex.get("ordinal", {}).get(k)
    return int(v) if v is not None else None


def _fmt_num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _lookup(ctx: Context, slot: str, word: str | None) -> Any:
    if word is None:
        return None
    return ctx.lex.get(slot, {}).get(norm_key(word))


def _month_of(g: Groups, ctx: Context) -> int | None:
    word = g.get("month") or g.get("month2")
    if word:
        v = _lookup(ctx, "month", word)
        return int(v) if v is not None else None
    if g.get("mnum"):
        m = int(g["mnum"] or 0)
        return m if 1 <= m <= 12 else None
    return None


def spelled_year(s: str, lex: dict[str, dict[str, Any]]) -> int | None:
    """A year written in words ('nineteen ninety-six', 'nineteen oh five', 'the year two thousand')."""
    k = re.sub(r"^the\s+year\s+", "", norm_key(s))
    m = re.fullmatch(r"two[\s-]+thousand(?:\s+and)?(?:[\s-]+(?P<rest>.+))?", k)
    if m:
        n = parse_int(m.group("rest"), lex) if m.group("rest") else 0.0
        return 2000 + int(n) if n is not None and float(n).is_integer() and 0 <= n <= 99 else None
    m = re.fullmatch(r"(?P<c>[a-z]+)[\s-]+(?P<oh>oh[\s-]+)?(?P<rest>.+)", k)
    if m is None:
        return None
    century = lex.get("centuryword", {}).get(m.group("c"))
    if not isinstance(century, int):
        return None
    if m.group("rest") == "hundred" and not m.group("oh"):
        return century * 100
    n = parse_int(m.group("rest"), lex)
    if n is None or not float(n).is_integer():
        return None
    lo, hi = (1, 9) if m.group("oh") else (10, 99)
    return century * 100 + int(n) if lo <= n <= hi else None


def _year_of(g: Groups, key: str = "year", lex: dict[str, dict[str, Any]] | None = None) -> int | None:
    """The year in group ``key``: digits, or (given the word lists) a year written in words."""
    y = g.get(key)
    if y is None:
        return None
    if y.isdigit():
        v: int | None = int(y)
    else:
        v = spelled_year(y, lex) if lex is not None else None
    return v if v is not None and 1 <= v <= 9999 else None


# --- resolvers --------------------------------------------------------------------------


def r_date(g: Groups, ctx: Context) -> Resolution | None:
    """Day + month (+ year): '2 March', 'March 2, 2022', 'the night of March 3'."""
    part = _lookup(ctx, "part", g.get("part"))
    if part:
        res = r_date({**g, "part": None}, ctx)
        if res is None:
            return None
        return Resolution(res.value + f"T{part}", res.interval, "TIME")
    m = _month_of(g, ctx)
    day_word = g.get("day") or g.get("day2")
    day = int(day_word) if day_word else parse_ordinal(g.get("ordday"), ctx.lex)
    if m is None or day is None:
        return None
    y = _year_of(g)
    if y is None:
        if _safe_date(2000, m, day) is None:
            return None
        if ctx.dct is None:
            return Resolution(f"XXXX-{m:02d}-{day:02d}", None)

        def make(yy: int) -> tuple[date, date] | None:
            d = _safe_date(yy, m, day)
            return (d, d) if d else None

        y = pick_year(ctx.dct, ctx.future, make, ctx.past)
        if y is None:
            return None
    d = _safe_date(y, m, day)
    if d is None:
        return None
    return Resolution(d.isoformat(), day_iv(d))


def r_numeric_date(g: Groups, ctx: Context) -> Resolution | None:
    """05.03.2022 (day first); 03/12/2022 (whichever order is valid, the one nearest the DCT if both)."""
    y = _year_of(g)
    a, b = int(g.get("a") or 0), int(g.get("b") or 0)
    if y is None:
        return None
    dmy = _safe_date(y, b, a)
    if g.get("sep") == ".":
        readings = [dmy]
    else:
        mdy = _safe_date(y, a, b)
        readings = [dmy, mdy]
        if ctx.dct is not None and dmy is not None and mdy is not None:
            dct = ctx.dct
            readings.sort(key=lambda d: _distance(d, d, dct, ctx.future, ctx.past))  # type: ignore[arg-type]
    for d in readings:
        if d is not None:
            return Resolution(d.isoformat(), day_iv(d))
    return None


def _pick_month_year(m: int, g: Groups, ctx: Context) -> int | None:
    y = _year_of(g, lex=ctx.lex)
    if y is not None or ctx.dct is None:
        return y
    dct = ctx.dct
    if g.get("ymod"):
        return dct.year + {"last": -1, "this": 0, "next": 1}.get(norm_key(g["ymod"] or ""), 0)
    mod = norm_key(g["mod"]) if g.get("mod") else None
    if mod in ("last", "past"):
        return dct.year if m < dct.month else dct.year - 1
    if mod == "this":
        return dct.year
    if mod == "next":
        return dct.year if m > dct.month else dct.year + 1
    return pick_year(dct, ctx.future, lambda yy: (date(yy, m, 1), month_end(yy, m)), ctx.past)


def r_month(g: Groups, ctx: Context) -> Resolution | None:
    """A month, its year given, implied by last/this/next, or the one nearest the DCT."""
    m = _month_of(g, ctx)
    if m is None:
        return None
    if g.get("pos"):
        return r_month_part(g, ctx)
    y = _pick_month_year(m, g, ctx)
    if y is None:
        return Resolution(f"XXXX-{m:02d}", None)
    return Resolution(f"{y:04d}-{m:02d}", month_iv(y, m))


def r_month_part(g: Groups, ctx: Context) -> Resolution | None:
    """Early/mid/late part or the end of a month ('mid-March'), or of this/next month/year/week."""
    part = _lookup(ctx, "monthpart", g.get("pos"))
    if g.get("period"):
        return _period_part(g, ctx, part)
    m = _month_of(g, ctx)
    if m is None or not part:
        return None
    y = _pick_month_year(m, g, ctx)
    if y is None:
        return Resolution(f"XXXX-{m:02d}", None)
    a, b = part["days"]
    last = month_end(y, m).day
    return Resolution(f"{y:04d}-{m:02d}", span_iv(date(y, m, min(a, last)), date(y, m, min(b, last))))


def _period_part(g: Groups, ctx: Context, part: Any) -> Resolution | None:
    """'the end of the month', 'the beginning of next year', 'the middle of this week'."""
    if not part:
        return None
    unit = norm_key(g.get("period") or "")
    dct = ctx.dct
    if dct is None:
        return Resolution({"month": "XXXX-XX", "year": "XXXX"}.get(unit, "XXXX-WXX"), None)
    shift = {"next": 1, "last": -1}.get(norm_key(g.get("pmod") or ""), 0)
    if unit == "month":
        y, m = add_months(dct.year, dct.month, shift)
        a, b = part["days"]
        last = month_end(y, m).day
        return Resolution(f"{y:04d}-{m:02d}", span_iv(date(y, m, min(a, last)), date(y, m, min(b, last))))
    if unit == "year":
        y = dct.year + shift
        a, b = part["months"]
        return Resolution(f"{y:04d}", span_iv(date(y, a, 1), month_end(y, b)))
    mon = week_monday(dct) + timedelta(days=7 * shift)
    a, b = part["days"]
    # a week has 7 days where a month has ~30: scale the month's day range down
    lo, hi = (a - 1) * 7 // 31, min(6, (b - 1) * 7 // 31)
    return Resolution(week_value(mon), span_iv(mon + timedelta(days=lo), mon + timedelta(days=hi)))


def r_year_end(g: Groups, ctx: Context) -> Resolution | None:
    """'by year-end', "by year's end": the end of the DCT's year, as 'the end of the year'."""
    return _period_part({"period": "year"}, ctx, _lookup(ctx, "monthpart", "the end of"))


def r_century(g: Groups, ctx: Context) -> Resolution | None:
    """'the 17th century' -> ``16``."""
    n = parse_ordinal(g.get("ord"), ctx.lex)
    if n is None or not 1 <= n <= 99:
        return None
    y0 = (n - 1) * 100
    return Resolution(f"{n - 1:02d}", span_iv(date(max(y0, 1), 1, 1), date(y0 + 99, 12, 31)))


def r_coming(g: Groups, ctx: Context) -> Resolution | None:
    """'the coming days', 'in coming months': FUTURE_REF covering the days ahead of the DCT."""
    reach = _lookup(ctx, "recentunit", g.get("recentunit") or g.get("recentunit2"))
    if reach is None:
        return None
    if ctx.dct is None:
        return Resolution("FUTURE_REF", None)
    return Resolution("FUTURE_REF", span_iv(ctx.dct, ctx.dct + timedelta(days=int(reach))))


def r_year_part(g: Groups, ctx: Context) -> Resolution | None:
    """'early 2021', 'the end of 2019': the year with the matching months."""
    y = _year_of(g)
    part = _lookup(ctx, "monthpart", g.get("pos"))
    if y is None or not part:
        return None
    a, b = part["months"]
    return Resolution(f"{y:04d}", span_iv(date(y, a, 1), month_end(y, b)))


def r_year(g: Groups, ctx: Context) -> Resolution | None:
    """A year number, or a year in words ('nineteen ninety-six'; 'two thousand' only after 'the year')."""
    if g.get("year") and not g["year"].isdigit() and norm_key(g["year"]).startswith("two") \
            and not g.get("yt"):
        return None
    y = _year_of(g, lex=ctx.lex)
    if y is None:
        return None
    return Resolution(f"{y:04d}", year_iv(y))


def r_decade(g: Groups, ctx: Context) -> Resolution | None:
    """'the 1970s' -> ``197``."""
    dec = g.get("decade")
    if not dec:
        return None
    y0 = int(dec) * 10
    return Resolution(dec, span_iv(date(y0, 1, 1), date(y0 + 9, 12, 31)))


_QWORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _period_ref(g: Groups, ctx: Context) -> Resolution | None:
    """'the year-ago period', 'the 2020 period': a year until the finder finds the quarter it refers to."""
    if g.get("pyear"):
        y = _year_of(g, "pyear")
        if y is None:
            return None
        return Resolution(f"{y:04d}", year_iv(y), anaphor="in_year", anaphor_n=y)
    if ctx.dct is None:
        return Resolution("XXXX", None, anaphor="year_back", anaphor_n=1)
    y = ctx.dct.year - 1
    return Resolution(f"{y:04d}", year_iv(y), anaphor="year_back", anaphor_n=1)


def r_quarter(g: Groups, ctx: Context) -> Resolution | None:
    """Quarters and halves: 'the third quarter', 'Q1 2022', 'the first half of 2022', 'the quarter'."""
    if g.get("pyear") or g.get("pback") or g.get("pback2"):
        return _period_ref(g, ctx)
    if g.get("qlatest"):  # "the latest period" of a report: its latest quarter, like "the quarter"
        g = {**g, "qdet": "the"}
    unit = norm_key(g.get("qunit") or "quarter")
    words = [w for w in re.split(r"\s+|-(?!ago|earlier)", norm_key(g.get("qmod") or "")) if w and w != "fiscal"]
    if g.get("qdet"):
        # "this quarter" is the current one; "the quarter" in a report is the latest one reported
        words = ["current"] if norm_key(g["qdet"] or "") == "this" else ["latest"]
    size = 3 if unit == "quarter" else 6
    count = 4 if unit == "quarter" else 2
    letter = "Q" if unit == "quarter" else "H"
    y = _year_of(g) or _year_of(g, "year0")
    dct = ctx.dct
    if g.get("ymod") and dct is not None:  # "next year's second quarter"
        y = dct.year + {"last": -1, "next": 1}.get(norm_key(g["ymod"] or ""), 0)
    n: int | None = None
    shift = 0
    for w in words:
        if w in _QWORDS:
            n = _QWORDS[w]
        elif w in ("latest", "last", "previous"):
            shift = -1
        elif w in ("year-ago", "year-earlier"):
            shift = -count - 1
    if n is None and y is not None and "last" in words:  # "the last half of 2021"
        n, shift = count, 0
    if n is not None and n > count:
        return None
    if n is None and not words:
        return None
    if dct is None and (y is None or n is None):
        return Resolution(f"{y:04d}-{letter}X" if y else f"XXXX-{letter}{n or 'X'}", None)
    if n is None:
        assert dct is not None
        cur = (dct.month - 1) // size
        t = dct.year * count + cur + shift
        y, n = t // count, t % count + 1
    elif y is None:
        assert dct is not None
        cur = (dct.month - 1) // size + 1
        if ctx.future:
            # results of the quarter just ended are still to come ("expects a third-quarter loss" in
            # October): a future cue moves only quarters before that one to next year
            y = dct.year if n >= cur - 1 else dct.year + 1
        else:
            y = dct.year if n <= cur else dct.year - 1
        if shift < -1:  # "the year-earlier third quarter"
            y -= 1
    if not 1 <= y <= 9999:
        return None
    start = date(y, (n - 1) * size + 1, 1)
    end = month_end(y, n * size)
    # "the year-ago quarter" and "the quarter" refer back to the period the text is reporting on
    anaphor = "year_back" if shift < -1 else "same_period" if g.get("qdet") and not g.get("qmod") else None
    return Resolution(f"{y:04d}-{letter}{n}", span_iv(start, end), anaphor=anaphor, anaphor_n=1 if anaphor else 0)


def r_day_range(g: Groups, ctx: Context) -> Resolution | None:
    """'1-3 March', 'from March 5 to 7': one interval."""
    m = _month_of(g, ctx)
    if m is None or not g.get("day") or not g.get("day2"):
        return None
    d1, d2 = int(g["day"] or 0), int(g["day2"] or 0)
    if d1 > d2 or _safe_date(2000, m, d1) is None or _safe_date(2000, m, d2) is None:
        return None
    y = _year_of(g)
    if y is None:
        if ctx.dct is None:
            return Resolution(f"XXXX-{m:02d}-{d1:02d}/XXXX-{m:02d}-{d2:02d}", None)

        def make(yy: int) -> tuple[date, date] | None:
            a, b = _safe_date(yy, m, d1), _safe_date(yy, m, d2)
            return (a, b) if a and b else None

        y = pick_year(ctx.dct, ctx.future, make, ctx.past)
        if y is None:
            return None
    a, b = _safe_date(y, m, d1), _safe_date(y, m, d2)
    if a is None or b is None:
        return None
    return Resolution(f"{a.isoformat()}/{b.isoformat()}", span_iv(a, b))


def _weekday_date(n: int, mod: str | None, dct: date, future: bool) -> date:
    wd = dct.isoweekday()
    if mod in ("last", "past", "this past"):
        return dct - timedelta(days=(wd - n - 1) % 7 + 1)
    if mod == "this":
        return dct + timedelta(days=n - wd)
    if mod in ("next", "coming", "this coming"):
        return dct + timedelta(days=(n - wd - 1) % 7 + 1)
    if future:
        return dct + timedelta(days=(n - wd) % 7)
    return dct - timedelta(days=(wd - n) % 7)


def r_weekday(g: Groups, ctx: Context) -> Resolution | None:
    """A weekday: the latest such day on or before the DCT unless last/this/next or a future cue says otherwise."""
    n = _lookup(ctx, "weekday", g.get("weekday"))
    if n is None:
        return None
    part = _lookup(ctx, "part", g.get("part"))
    suffix = f"T{part}" if part else ""
    rtype = "TIME" if part else "DATE"
    if ctx.dct is None:
        return Resolution(f"XXXX-WXX-{n}{suffix}", None, rtype)
    mod = norm_key(g["mod"]).removeprefix("the ") if g.get("mod") else None
    mod = "last" if mod == "previous" else mod
    d = _weekday_date(int(n), mod, ctx.dct, ctx.future)
    return Resolution(d.isoformat() + suffix, day_iv(d), rtype)


def r_day_word(g: Groups, ctx: Context) -> Resolution | None:
    """today, yesterday, tomorrow, the day before yesterday (+ part of day)."""
    off = _lookup(ctx, "dayword", g.get("dayword"))
    if off is None:
        return None
    part = _lookup(ctx, "part", g.get("part"))
    suffix = f"T{part}" if part else ""
    rtype = "TIME" if part else "DATE"
    if ctx.dct is None:
        value = "PRESENT_REF" if off == 0 and not part else f"XXXX-XX-XX{suffix}"
        return Resolution(value, None, rtype)
    d = ctx.dct + timedelta(days=int(off))
    return Resolution(d.isoformat() + suffix, day_iv(d), rtype)


def r_part_word(g: Groups, ctx: Context) -> Resolution | None:
    """tonight, overnight, last night, this morning, earlier today."""
    spec = _lookup(ctx, "partword", g.get("_text"))
    if not spec:
        return None
    off, code, reach = int(spec[0]), str(spec[1] or ""), int(spec[2])
    suffix = f"T{code}" if code else ""
    rtype = "TIME" if code else "DATE"
    if ctx.dct is None:
        return Resolution(f"XXXX-XX-XX{suffix}", None, rtype)
    d = ctx.dct + timedelta(days=off)
    return Resolution(d.isoformat() + suffix, span_iv(d, d + timedelta(days=reach)), rtype)


_UNIT_DAYS = {"D": 1, "W": 7, "F": 14}


def r_ago(g: Groups, ctx: Context) -> Resolution | None:
    """'three days ago', 'a year earlier', 'two weeks from now' counted from the DCT."""
    unit = _lookup(ctx, "unit", g.get("unit"))
    if unit is None:
        return None
    direction = -1 if norm_key(g.get("dir") or "ago") in ("ago", "earlier", "before") else 1
    n = parse_int(g.get("n"), ctx.lex)
    vague = n is None and _lookup(ctx, "vague", g.get("n")) is not None
    if n is None and not vague:
        return None
    if ctx.dct is None or vague:
        return Resolution("PAST_REF" if direction < 0 else "FUTURE_REF", None)
    dct = ctx.dct
    if unit in _UNIT_DAYS:
        days = int(round(n * _UNIT_DAYS[unit]))
        d = dct + timedelta(days=direction * days)
        if unit == "D":
            return Resolution(d.isoformat(), day_iv(d))
        mon = week_monday(d)
        return Resolution(week_value(d), span_iv(mon, mon + timedelta(days=6)))
    if unit in ("M", "Q"):
        y, m = add_months(dct.year, dct.month, direction * int(n) * (3 if unit == "Q" else 1))
        if not 1 <= y <= 9999:
            return None
        return Resolution(f"{y:04d}-{m:02d}", month_iv(y, m))
    if unit in ("Y", "DE", "CE"):
        y = dct.year + direction * int(n) * {"Y": 1, "DE": 10, "CE": 100}[unit]
        if not 1 <= y <= 9999:
            return None
        if unit == "Y":
            # "a year earlier" after "the third quarter" is that quarter a year back (see the finder)
            back = direction < 0 and float(n).is_integer()
            return Resolution(f"{y:04d}", year_iv(y), anaphor="year_back" if back else None,
                              anaphor_n=int(n) if back else 0)
        digits = 3 if unit == "DE" else 2
        y0 = y // 10 ** (4 - digits) * 10 ** (4 - digits)
        return Resolution(f"{y0:04d}"[:digits], span_iv(date(y0, 1, 1), date(y0 + 10 ** (4 - digits) - 1, 12, 31)))
    return Resolution(dct.isoformat(), day_iv(dct))


def r_period(g: Groups, ctx: Context) -> Resolution | None:
    """last/this/next week, weekend, month, year; 'earlier this week' ends at the DCT."""
    unit = _lookup(ctx, "period", g.get("period"))
    if unit is None:
        return None
    mod = norm_key(g["mod"]) if g.get("mod") else None
    shift = 0
    if mod in ("last", "previous", "early last", "late last", "this past"):
        shift = -1
    elif mod in ("next", "coming"):
        shift = 1
    dct = ctx.dct
    if dct is None:
        blank = {"W": "XXXX-WXX", "WE": "XXXX-WXX-WE", "M": "XXXX-XX", "Y": "XXXX", "DE": "XXX", "CE": "XX"}
        return Resolution(blank.get(unit, "XXXX"), None)
    earlier = mod in ("earlier this", "earlier in the", "early this")
    later = mod in ("later this", "later in the", "late this")
    if unit in ("W", "WE"):
        mon = week_monday(dct)
        if unit == "WE" and mod is None:
            shift = 0 if dct.isoweekday() >= 6 else -1
        mon = mon + timedelta(days=7 * shift)
        sun = mon + timedelta(days=6)
        if unit == "WE":
            return Resolution(week_value(mon) + "-WE", span_iv(mon + timedelta(days=5), sun))
        a, b = (mon, dct) if earlier else (dct, sun) if later else (mon, sun)
        return Resolution(week_value(mon), span_iv(a, b))
    if unit == "M":
        y, m = add_months(dct.year, dct.month, shift)
        iv = month_iv(y, m)
        a, b = (iv.start, dct) if earlier else (dct, iv.end) if later else (iv.start, iv.end)
        return Resolution(f"{y:04d}-{m:02d}", span_iv(a, b))
    if unit == "Y":
        y = dct.year + shift
        iv = year_iv(y)
        a, b = (iv.start, dct) if earlier else (dct, iv.end) if later else (iv.start, iv.end)
        return Resolution(f"{y:04d}", span_iv(a, b))
    if unit == "DE":
        y0 = (dct.year // 10 + shift) * 10
        return Resolution(f"{y0:04d}"[:3], span_iv(date(y0, 1, 1), date(y0 + 9, 12, 31)))
    y0 = (dct.year // 100 + shift) * 100
    return Resolution(f"{y0:04d}"[:2], span_iv(date(max(y0, 1), 1, 1), date(y0 + 99, 12, 31)))


def _season_iv(y: int, code: str) -> tuple[date, date]:
    a, b = SEASON_MONTHS[code]
    if code == "WI":
        return date(y, 12, 1), month_end(y + 1, 2)
    return date(y, a, 1), month_end(y, b)


def r_season(g: Groups, ctx: Context) -> Resolution | None:
    """Seasons: 'last summer', 'in the spring of 2022'."""
    word = g.get("season") or g.get("season2")
    code = _lookup(ctx, "season", word)
    if code is None:
        return None
    y = _year_of(g, lex=ctx.lex) or _year_of(g, "year2", ctx.lex)
    dct = ctx.dct
    if y is None:
        if dct is None:
            return Resolution(f"XXXX-{code}", None)
        mod = norm_key(g["mod"]) if g.get("mod") else ""
        if mod in ("last", "past", "this past"):
            y = max(yy for yy in range(dct.year - 2, dct.year + 1) if _season_iv(yy, code)[1] < dct)
        elif mod in ("next", "coming", "this coming"):
            y = min(yy for yy in range(dct.year - 1, dct.year + 2) if _season_iv(yy, code)[0] > dct)
        elif mod == "this":
            y = dct.year - 1 if code == "WI" and dct.month <= 2 else dct.year
        else:
            y = pick_year(dct, ctx.future, lambda yy: _season_iv(yy, code) if yy < 9999 else None, ctx.past)
            if y is None:
                return None
    if not 1 <= y < 9999:
        return None
    a, b = _season_iv(y, code)
    return Resolution(f"{y:04d}-{code}", span_iv(a, b))


def r_recent(g: Groups, ctx: Context) -> Resolution | None:
    """'in recent days/weeks': PAST_REF covering the days up to the DCT."""
    reach = _lookup(ctx, "recentunit", g.get("recentunit"))
    if reach is None:
        return None
    if ctx.dct is None:
        return Resolution("PAST_REF", None)
    return Resolution("PAST_REF", span_iv(ctx.dct - timedelta(days=int(reach)), ctx.dct))


def r_present(g: Groups, ctx: Context) -> Resolution | None:
    """now, currently (PRESENT_REF), recently (PAST_REF), the future (FUTURE_REF)."""
    value = _lookup(ctx, "present", g.get("_text"))
    if value is None:
        return None
    dct = ctx.dct
    if dct is None:
        return Resolution(str(value), None)
    if value == "PRESENT_REF":
        return Resolution(value, day_iv(dct))
    if value == "PAST_REF":
        return Resolution(value, span_iv(None, dct))
    return Resolution(str(value), span_iv(dct, None))


def holiday_date(spec: Any, y: int) -> date | None:
    """The day of a holiday in year ``y``: ``{month, day}`` (fixed) or ``{month, weekday, from_day}``
    (the first such weekday on or after that day: the fourth Thursday of November starts on the 22nd)."""
    if not isinstance(spec, dict) or not 1 <= y <= 9999:
        return None
    try:
        m = int(spec["month"])
        if "day" in spec:
            return _safe_date(y, m, int(spec["day"]))
        first = _safe_date(y, m, int(spec["from_day"]))
        if first is None:
            return None
        return first + timedelta(days=(int(spec["weekday"]) - first.isoweekday()) % 7)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def r_holiday(g: Groups, ctx: Context) -> Resolution | None:
    """A named holiday ('Thanksgiving Day', 'Christmas 2021', 'last New Year's Day') in its year."""
    spec = _lookup(ctx, "holiday", g.get("holiday"))
    if spec is None:
        return None
    y = _year_of(g)
    dct = ctx.dct
    if y is None:
        if dct is None:
            d0 = holiday_date(spec, 2000)
            return Resolution(f"XXXX-{d0.month:02d}-{d0.day:02d}" if d0 else "XXXX-XX-XX", None)
        mod = norm_key(g.get("mod") or "")
        days = [(yy, holiday_date(spec, yy)) for yy in range(dct.year - 1, dct.year + 2)]
        if mod in ("last", "this past"):
            y = max((yy for yy, d in days if d is not None and d < dct), default=None)
        elif mod in ("next", "this coming", "the coming"):
            y = min((yy for yy, d in days if d is not None and d > dct), default=None)
        else:
            y = pick_year(dct, ctx.future, lambda yy: (lambda d: (d, d) if d else None)(holiday_date(spec, yy)))
        if y is None:
            return None
    d = holiday_date(spec, y)
    return Resolution(d.isoformat(), day_iv(d)) if d is not None else None


def r_decade_word(g: Groups, ctx: Context) -> Resolution | None:
    """'the nineties', "the '80s": the decade of the DCT's century, or the century before when that is ahead."""
    word = g.get("decw")
    n = _lookup(ctx, "decadeword", word) if word else (int(g["dec2"]) if g.get("dec2") else None)
    if n is None or not 0 <= int(n) <= 9:
        return None
    if ctx.dct is None:
        return Resolution(f"XX{int(n)}", None)
    y0 = ctx.dct.year // 100 * 100 + int(n) * 10
    if y0 > ctx.dct.year:
        y0 -= 100
    if y0 < 1:
        return None
    return Resolution(f"{y0:04d}"[:3], span_iv(date(y0, 1, 1), date(y0 + 9, 12, 31)))


def _anchor(g: Groups, ctx: Context) -> date | None:
    """The anchor's date; an anchor after the DCT is some other war or invasion, so ``None``."""
    a = ctx.anchors.get(norm_key(g.get("anchor") or ""))
    if a is None or (ctx.dct is not None and a > ctx.dct):
        return None
    return a


def r_anchor_day(g: Groups, ctx: Context) -> Resolution | None:
    """'the seventh day of the invasion' (anchor date = day 1), 'week 2 of the war'."""
    a = _anchor(g, ctx)
    n = parse_ordinal(g.get("ord"), ctx.lex) if g.get("ord") else (int(g["n"]) if g.get("n") else None)
    if a is None or n is None or n < 1:
        return None
    unit = norm_key(g.get("aunit") or "day")
    if unit == "week":
        start = a + timedelta(days=7 * (n - 1))
        end = start + timedelta(days=6)
        return Resolution(f"{start.isoformat()}/{end.isoformat()}", span_iv(start, end))
    d = a + timedelta(days=n - 1)
    return Resolution(d.isoformat(), day_iv(d))


_NARRATIVE_DAYS = {"the next": 1, "the following": 1, "the previous": -1, "the preceding": -1, "that": 0,
                   "the same": 0, "later that": 0, "earlier that": 0, "before": -1, "after": 1}


def r_narrative(g: Groups, ctx: Context) -> Resolution | None:
    """'the next day', 'that night', 'two days later': an offset from the narrative's last date.

    The value stays unresolved here; the finder fills it from the preceding single-day date.
    """
    if g.get("n"):
        n = parse_int(g["n"], ctx.lex)
        if n is None or not float(n).is_integer():
            return None
        k = int(n) * (7 if norm_key(g.get("unit") or "").startswith("week") else 1)
        return Resolution("XXXX-XX-XX", None, "DATE", ref_days=k)
    direction = norm_key(g.get("rdir") or g.get("rdir2") or "")
    k = _NARRATIVE_DAYS.get(direction)
    if k is None:
        return None
    part = _lookup(ctx, "part", g.get("rpart") or g.get("rpart2"))
    suffix = f"T{part}" if part else ""
    return Resolution("XXXX-XX-XX" + suffix, None, "TIME" if part else "DATE", ref_days=k, ref_suffix=suffix)


_REF_SHIFT = {"that": 0, "the same": 0, "later that": 0, "earlier that": 0, "later in that": 0,
              "earlier in that": 0, "the following": 1, "the previous": -1, "the preceding": -1, "the prior": -1}


def r_ref_period(g: Groups, ctx: Context) -> Resolution | None:
    """'that year', 'the following year', 'the previous month': a shift from the last year or month the
    text names (filled in by the finder); until then, from the DCT."""
    shift = _REF_SHIFT.get(norm_key(g.get("rrel") or ""))
    unit = norm_key(g.get("runit") or "")
    if shift is None or unit not in ("year", "month"):
        return None
    kind = "ref_year" if unit == "year" else "ref_month"
    dct = ctx.dct
    if dct is None:
        return Resolution("XXXX" if unit == "year" else "XXXX-XX", None, anaphor=kind, anaphor_n=shift)
    if unit == "year":
        y = dct.year + shift
        return Resolution(f"{y:04d}", year_iv(y), anaphor=kind, anaphor_n=shift) if 1 <= y <= 9999 else None
    y, m = add_months(dct.year, dct.month, shift)
    return Resolution(f"{y:04d}-{m:02d}", month_iv(y, m), anaphor=kind, anaphor_n=shift) if 1 <= y <= 9999 else None


def r_anchor_start(g: Groups, ctx: Context) -> Resolution | None:
    """'the start of the invasion', 'since the war began': the anchor date."""
    a = _anchor(g, ctx)
    if a is None:
        return None
    return Resolution(a.isoformat(), day_iv(a))


_DUR_LETTER = {"S": ("PT", "S", 1), "MIN": ("PT", "M", 1), "H": ("PT", "H", 1), "D": ("P", "D", 1),
               "W": ("P", "W", 1), "F": ("P", "W", 2), "M": ("P", "M", 1), "Q": ("P", "Q", 1), "Y": ("P", "Y", 1),
               "DE": ("P", "Y", 10), "CE": ("P", "Y", 100)}


_SUB_UNIT = {"Y": ("M", 12), "H": ("M", 60), "MIN": ("S", 60), "D": ("TH", 24)}


def _duration_value(unit: str, n: float | None) -> str:
    """The TIMEX3 value of ``n`` units; a fraction goes to the next smaller unit (2.5 years -> P2Y6M)."""
    prefix, letter, mult = _DUR_LETTER[unit]
    if n is None:
        return f"{prefix}X{letter}"
    whole = int(n)
    sub = _SUB_UNIT.get(unit)
    rest = (n - whole) * sub[1] if sub else 0.0
    if mult != 1 or sub is None or float(n).is_integer() or whole == 0 or not float(rest).is_integer():
        return f"{prefix}{_fmt_num(n * mult)}{letter}"
    sub_letter = sub[0][-1]
    joint = "T" if sub[0].startswith("T") else ""
    return f"{prefix}{whole}{letter}{joint}{int(rest)}{sub_letter}"


def _shift(d: date, unit: str, n: float, direction: int) -> date:
    if unit in ("S", "MIN", "H"):
        hours = {"S": 1 / 3600, "MIN": 1 / 60, "H": 1}[unit] * n
        return d + timedelta(days=direction * max(1, int(-(-hours // 24))))
    if unit in _UNIT_DAYS:
        return d + timedelta(days=direction * int(round(n * _UNIT_DAYS[unit])))
    months = int(round(n * {"M": 1, "Q": 3, "Y": 12, "DE": 120, "CE": 1200}[unit]))
    y, m = add_months(d.year, d.month, direction * months)
    return date(y, m, min(d.day, month_end(y, m).day))


def r_duration(g: Groups, ctx: Context) -> Resolution | None:
    """'three days' -> P3D, 'six hours' -> PT6H; 'the past three days' also gets its interval."""
    unit = _lookup(ctx, "unit", g.get("unit"))
    if unit is None:
        return None
    if g.get("n"):
        n = parse_int(g.get("n"), ctx.lex)
        if n is None and _lookup(ctx, "vague", g.get("n")) is None:
            return None
        if g.get("n0") and parse_int(g.get("n0"), ctx.lex) is None:
            return None
    elif g.get("edge") or g.get("single"):
        n = 1.0
    else:
        n = None
    if n is not None and (g.get("half") or g.get("half2")):
        n += 0.5
    # 'two to three weeks': an unknown number of weeks; the interval reaches the upper bound
    value = _duration_value(unit, None if g.get("n0") else n)
    edge = norm_key(g["edge"]) if g.get("edge") else None
    if edge in ("past", "last", "previous") and not g.get("n") and unit in ("Y", "DE") and ctx.dct is not None:
        # "over the past year", "in the last decade": TimeML dates these as the calendar period before
        prev = r_period({"period": "year" if unit == "Y" else "decade", "mod": "last"}, ctx)
        return Resolution(prev.value, prev.interval, "DATE") if prev is not None else None
    iv = None
    if ctx.dct is not None and n is not None and edge in ("past", "last", "previous", "next", "coming"):
        direction = -1 if edge in ("past", "last", "previous") else 1
        other = _shift(ctx.dct, unit, n, direction)
        iv = span_iv(other, ctx.dct) if direction < 0 else span_iv(ctx.dct, other)
    return Resolution(value, iv)


def r_set_every(g: Groups, ctx: Context) -> Resolution | None:
    """'every day' -> P1D, 'every Sunday' -> XXXX-WXX-7, 'each July' -> XXXX-07, 'twice a week' -> P1W."""
    if g.get("month"):
        m = _month_of(g, ctx)
        return Resolution(f"XXXX-{m:02d}", None) if m is not None else None
    if g.get("weekday"):
        n = _lookup(ctx, "weekday", g["weekday"])
        return Resolution(f"XXXX-WXX-{n}", None) if n is not None else None
    if g.get("part"):
        code = _lookup(ctx, "part", g["part"])
        return Resolution(f"T{code}", None) if code else None
    unit = _lookup(ctx, "unit", g.get("unit"))
    if unit is None:
        return None
    n = parse_int(g.get("n"), ctx.lex) if g.get("n") else 1.0
    if n is None:
        return None
    prefix, letter, mult = _DUR_LETTER[unit]
    return Resolution(f"{prefix}{_fmt_num(n * mult)}{letter}", None)


def r_set_word(g: Groups, ctx: Context) -> Resolution | None:
    """daily, weekly, hourly ... from the lexicon."""
    value = _lookup(ctx, "setword", g.get("_text"))
    return Resolution(str(value), None) if value is not None else None


def r_clock(g: Groups, ctx: Context) -> Resolution | None:
    """Clock times ('10:30 p.m. Wednesday', 'at 20:00', 'midnight') on the DCT or the named day;
    midnight with a named day is the end of that day ('midnight Friday' = Friday T24:00)."""
    named = norm_key(g["named"]) if g.get("named") else None
    if named:
        hour, minute = (0, 0) if named == "midnight" else (12, 0)
    else:
        h = parse_int(g.get("hour"), ctx.lex) if g.get("hour") else 0.0
        if h is None:
            return None
        hour = int(h)
        minute = int(g.get("minute") or 0)
        ampm = norm_key(g["ampm"]).replace(".", "") if g.get("ampm") else None
        daypart = norm_key(g.get("daypart") or g.get("daypart2") or "")
        if daypart:  # 'four in the morning' is a.m.; afternoon and evening p.m.; 'at night' p.m. from 6
            ampm = "am" if daypart == "morning" or (daypart == "night" and (hour < 6 or hour == 12)) else "pm"
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm.startswith("p") else 0)
        if hour > 23 or minute > 59:
            return None
    clock = f"T{hour:02d}:{minute:02d}"
    if named == "midnight" and (g.get("weekday") or g.get("dayword")):
        clock = "T24:00"  # "midnight Friday" ends Friday (ISO 8601 end of day), it does not open it
    dct = ctx.dct
    if dct is None:
        return Resolution(f"XXXX-XX-XX{clock}", None, "TIME")
    d = dct
    if g.get("weekday") or g.get("weekday2"):  # weekday2: after a parenthesis, '10 a.m. (0700 GMT) Friday'
        n = _lookup(ctx, "weekday", g.get("weekday") or g.get("weekday2"))
        if n is not None:
            d = _weekday_date(int(n), None, dct, ctx.future)
    elif g.get("dayword"):
        off = _lookup(ctx, "dayword", g["dayword"])
        if off is not None:
            d = dct + timedelta(days=int(off))
    elif g.get("month") and g.get("day"):
        res = r_date(g, ctx)
        if res is None or res.interval is None or res.interval.start is None:
            return None
        d = res.interval.start
    return Resolution(d.isoformat() + clock, day_iv(d))


RESOLVE: dict[str, Callable[[Groups, Context], Resolution | None]] = {
    "date": r_date, "month": r_month, "month_part": r_month_part, "year_part": r_year_part,
    "year": r_year, "decade": r_decade, "quarter": r_quarter, "day_range": r_day_range,
    "weekday": r_weekday, "day_word": r_day_word, "part_word": r_part_word, "ago": r_ago,
    "period": r_period, "year_end": r_year_end, "season": r_season, "recent": r_recent, "present": r_present,
    "anchor_day": r_anchor_day, "anchor_start": r_anchor_start, "duration": r_duration,
    "set_every": r_set_every, "set_word": r_set_word, "clock": r_clock, "century": r_century,
    "coming": r_coming, "narrative": r_narrative, "numeric_date": r_numeric_date,
    "holiday": r_holiday, "decade_word": r_decade_word, "ref_period": r_ref_period,
}
