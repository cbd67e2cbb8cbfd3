"""Numbers in event sentences: crowd sizes and casualty counts, with their evidence.

The lexicon (number words, qualifiers, quantity bands, crowd nouns, casualty
cues) is data in ``vigil/rules/extract/en/numbers.yaml``. Matching works on the
raw sentence text with regular expressions built from that file, so it behaves
the same whether or not the sentence was parsed.

Also home of the small helpers the other attribute extractors share
(``make_span``, ``sentence_text``, ``find_numbers``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from vigil.errors import RuleError
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Article, Crowd, Sentence, Span, Token

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

PROVENANCE = "extract@0.1"
NUMBERS_SCHEMA = "vigil.rules.numbers.v1"
MAX_DIGITS = 15  # longer digit runs are identifiers, not counts (and int() would refuse huge strings)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*|[^\sA-Za-z\d]")
_CLAUSE_BREAK = frozenset({",", ";", ":", ".", "!", "?", "(", ")", "and", "but", "while", "whereas", "as", "after"})
_YEAR_CONTEXT = frozenset(
    "in since from until till by of year early late mid spring summer autumn fall winter january february march "
    "april may june july august september october november december".split()
)


# --- shared helpers --------------------------------------------------------------------------


def make_span(article: Article, start: int, end: int, sentence: int | None, rule_id: str) -> Span:
    """A ``Span`` over ``article.text[start:end]`` with provenance ``extract@0.1:<rule_id>``."""
    n = len(article.text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    return Span(
        doc_id=article.id,
        start=start,
        end=end,
        text=article.text[start:end],
        sentence=sentence,
        provenance=f"{PROVENANCE}:{rule_id}",
    )


def sentence_text(article: Article, sentence: Sentence) -> str:
    """The raw text of ``sentence`` (works for unparsed sentences too)."""
    return article.text[max(0, sentence.start) : max(0, sentence.end)]


def token_index(sentence: Sentence) -> dict[int, Token]:
    """The sentence's tokens by absolute index."""
    return {t.i: t for t in sentence.tokens}


def children_of(sentence: Sentence) -> dict[int, list[Token]]:
    """Dependents of each token (absolute index -> tokens), in sentence order."""
    kids: dict[int, list[Token]] = {}
    for t in sentence.tokens:
        if t.head != t.i:
            kids.setdefault(t.head, []).append(t)
    return kids


def subtree_ids(i: int, kids: dict[int, list[Token]], skip_deps: frozenset[str] = frozenset()) -> set[int]:
    """Token indices of the subtree under ``i`` (cycle-safe), leaving out children attached by ``skip_deps``."""
    out = {i}
    stack = [i]
    while stack:
        for c in kids.get(stack.pop(), []):
            if c.i not in out and c.dep not in skip_deps:
                out.add(c.i)
                stack.append(c.i)
    return out


def ancestors(tok: Token, by_i: dict[int, Token], limit: int = 30) -> list[Token]:
    """The chain of heads above ``tok`` (nearest first), stopping at the root or a cycle."""
    out: list[Token] = []
    seen = {tok.i}
    cur = tok
    while cur.head != cur.i and cur.head in by_i and cur.head not in seen and len(out) < limit:
        cur = by_i[cur.head]
        seen.add(cur.i)
        out.append(cur)
    return out


def trigger_token(sentence: Sentence, trigger: Span) -> Token | None:
    """The syntactic head of the tokens under ``trigger`` (None for an unparsed sentence or no overlap)."""
    inside = [t for t in sentence.tokens if t.start < trigger.end and trigger.start < t.start + len(t.text)]
    if not inside:
        return None
    ids = {t.i for t in inside}
    heads = [t for t in inside if t.head not in ids or t.head == t.i]
    pool = heads or inside
    return next((t for t in pool if t.pos in ("VERB", "NOUN", "PROPN", "ADJ")), pool[0])


def singular(word: str) -> str:
    """A crude English singular of a lowercased noun ("residents" -> "resident", "women" -> "woman")."""
    w = word.lower().strip("'’")
    if w.endswith("men") and len(w) > 3:
        return w[:-3] + "man"
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ses", "xes", "ches", "shes")) and len(w) > 4:
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _phrase_alt(phrases: list[str]) -> str:
    """A regex alternation of literal phrases, longest first, flexible on inner whitespace."""
    parts = sorted({p.strip().lower() for p in phrases if p and p.strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)


# --- the lexicon -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberLexicon:
    """The compiled contents of numbers.yaml."""

    values: dict[str, int]
    scales: dict[str, int]
    qualifiers: dict[str, tuple[str, str]]  # phrase -> (bound, rule id)
    bands: tuple[tuple[str, int, int, str], ...]  # (phrase, low, high, rule id)
    crowd_nouns: frozenset[str]
    crowd_verbs: frozenset[str]
    crowd_rule: str
    crowd_exclude: frozenset[str]
    exclude_rule: str
    vague: tuple[str, ...]
    vague_rule: str
    cues: dict[str, dict[str, Any]]  # "fatality"/"injury" -> {after, before, single, rule}
    number_re: re.Pattern[str]
    vague_re: re.Pattern[str] | None


def _strings(rule: dict[str, Any], key: str, where: str) -> list[str]:
    vals = rule.get(key) or []
    if not isinstance(vals, list) or not all(isinstance(v, str) and v.strip() for v in vals):
        raise RuleError(f"{where}: rule {rule.get('id')!r}: '{key}' must be a list of non-empty strings")
    return [v.strip().lower() for v in vals]


@lru_cache(maxsize=4)
def load_number_lexicon(lang: str = "en") -> NumberLexicon:
    """Load and compile ``numbers.yaml`` (cached read-only per process).

    Raises:
        RuleError: the file has the wrong schema or a rule of an unknown kind.
    """
    path = rules_dir("extract", lang) / "numbers.yaml"
    data = load_rule_file(str(path))
    if data.get("schema") != NUMBERS_SCHEMA:
        raise RuleError(f"{path}: schema must be {NUMBERS_SCHEMA!r}")
    values: dict[str, int] = {}
    scales: dict[str, int] = {}
    qualifiers: dict[str, tuple[str, str]] = {}
    bands: list[tuple[str, int, int, str]] = []
    crowd_nouns: set[str] = set()
    crowd_verbs: set[str] = set()
    crowd_exclude: set[str] = set()
    vague: list[str] = []
    cues: dict[str, dict[str, Any]] = {}
    crowd_rule = exclude_rule = vague_rule = ""
    for rule in data.get("rules") or []:
        kind = rule.get("kind")
        rid = rule["id"]
        if kind == "number_words":
            values.update({str(k).lower(): int(v) for k, v in (rule.get("values") or {}).items()})
            scales.update({str(k).lower(): int(v) for k, v in (rule.get("scales") or {}).items()})
        elif kind == "qualifier":
            bound = rule.get("bound")
            if bound not in ("low", "high", "approx"):
                raise RuleError(f"{path}: rule {rid!r}: bound must be low, high or approx, not {bound!r}")
            for p in _strings(rule, "phrases", str(path)):
                qualifiers[p] = (bound, rid)
        elif kind == "band":
            low, high = int(rule["low"]), int(rule["high"])
            if low > high:
                raise RuleError(f"{path}: rule {rid!r}: low {low} > high {high}")
            bands.extend((p, low, high, rid) for p in _strings(rule, "phrases", str(path)))
        elif kind == "crowd_nouns":
            crowd_nouns.update(_strings(rule, "lemmas", str(path)))
            crowd_verbs.update(_strings(rule, "verbs", str(path)))
            crowd_rule = rid
        elif kind == "crowd_exclude":
            crowd_exclude.update(_strings(rule, "words", str(path)))
            exclude_rule = rid
        elif kind == "crowd_vague":
            vague.extend(_strings(rule, "phrases", str(path)))
            vague_rule = rid
        elif kind in ("fatality", "injury"):
            cues[kind] = {
                "after": _strings(rule, "after", str(path)),
                "before": _strings(rule, "before", str(path)),
                "single": _strings(rule, "single", str(path)),
                "rule": rid,
            }
        else:
            raise RuleError(
                f"{path}: rule {rid!r}: unknown kind {kind!r}; allowed: number_words, qualifier, band, "
                "crowd_nouns, crowd_exclude, crowd_vague, fatality, injury"
            )
    word_alt = _phrase_alt(list(values) + list(scales))
    value_alt = _phrase_alt(list(values))
    scale_alt = _phrase_alt(list(scales))
    digits = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d{{1,{MAX_DIGITS}}}(?:\.\d+)?"
    num = (
        rf"(?:(?:{digits})(?:\s*(?:{scale_alt})\b)?"
        rf"|(?:a|an|one)\s+(?:{scale_alt})\b(?:(?:\s+|-)(?:{word_alt})\b)*"
        rf"|(?:{value_alt})\b(?:(?:\s+|-)(?:{word_alt})\b)*)"
    )
    qual_alt = _phrase_alt(list(qualifiers))
    band_alt = _phrase_alt([b[0] for b in bands])
    number_re = re.compile(
        rf"(?<![\w.,:/$€£₴-])(?:"
        rf"(?P<band>{band_alt})\b"
        rf"|between\s+(?P<b1>{num})\s+and\s+(?P<b2>{num})"
        rf"|(?:(?P<qual>{qual_alt})\s+)?(?P<n1>{num})(?:\s*(?:-|–|—|to)\s*(?P<n2>{num}))?"
        rf")(?![\w:/%])",
        re.IGNORECASE,
    )
    vague_re = re.compile(rf"(?<!\w)(?:{_phrase_alt(vague)})(?!\w)", re.IGNORECASE) if vague else None
    return NumberLexicon(
        values=values,
        scales=scales,
        qualifiers=qualifiers,
        bands=tuple(bands),
        crowd_nouns=frozenset(crowd_nouns),
        crowd_verbs=frozenset(crowd_verbs),
        crowd_rule=crowd_rule,
        crowd_exclude=frozenset(crowd_exclude),
        exclude_rule=exclude_rule,
        vague=tuple(vague),
        vague_rule=vague_rule,
        cues=cues,
        number_re=number_re,
        vague_re=vague_re,
    )


# --- numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberMatch:
    """A number expression found in a text (offsets relative to that text).

    ``value`` is the number when the text gives one; ``low``/``high`` the interval it
    denotes (a band, a range, a bound from a qualifier). ``rule`` names the band or
    qualifier rule that shaped the interval, or ``number-words``.
    """

    start: int
    end: int
    text: str
    value: int | None
    low: int | None
    high: int | None
    qualifier: str | None
    rule: str


def _word_value(words: list[str], lex: NumberLexicon) -> int | None:
    total = 0
    current = 0
    seen = False
    for w in words:
        if w in ("a", "an"):
            current = 1
            continue
        if w in lex.values:
            current += lex.values[w]
            seen = True
        elif w in lex.scales:
            scale = lex.scales[w]
            seen = True
            if scale == 100:
                current = max(current, 1) * scale
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            return None
    return total + current if seen else None


def parse_number(text: str, lang: str = "en") -> int | None:
    """The integer a number phrase denotes ("2,000", "1.5 million", "twenty-five", "a dozen"), else None.

    Never raises; vague words ("several", "dozens") give None.

    >>> parse_number("1.5 million")
    1500000
    """
    if not isinstance(text, str):
        return None
    t = " ".join(text.lower().replace("-", " ").replace("–", " ").split())
    if not t:
        return None
    lex = load_number_lexicon(lang)
    m = re.fullmatch(rf"(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d{{1,{MAX_DIGITS}}}(?:\.\d+)?)\s*([a-z]+)?", t)
    if m:
        try:
            base = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            return None
        if m.group(2):
            scale = lex.scales.get(m.group(2))
            if scale is None:
                return None
            base *= scale
        return int(base)
    return _word_value(t.split(), lex)


def _bounds(value: int, qualifier: str | None, lex: NumberLexicon) -> tuple[int | None, int | None, str | None]:
    if qualifier is None:
        return value, value, None
    bound, rid = lex.qualifiers.get(" ".join(qualifier.lower().split()), ("approx", None))
    if bound == "low":
        return value, None, rid
    if bound == "high":
        return None, value, rid
    return value, value, rid


def _looks_like_year(text: str, start: int, raw: str) -> bool:
    if not re.fullmatch(r"(19|20)\d\d", raw):
        return False
    before = re.findall(r"[A-Za-z]+", text[max(0, start - 20) : start])
    return not before or before[-1].lower() in _YEAR_CONTEXT or text[max(0, start - 2) : start].strip() == ","


_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


def _looks_like_day(text: str, start: int, end: int, raw: str) -> bool:
    """A day of the month ("2 March", "March 2"), not a count."""
    if not raw.isdigit() or not 1 <= int(raw) <= 31:
        return False
    after = re.match(r"\s*(?:of\s+)?([A-Za-z]+)", text[end : end + 16])
    before = re.search(r"([A-Za-z]+)\.?\s*$", text[max(0, start - 12) : start])
    return bool(after and after.group(1).lower() in _MONTHS) or bool(before and before.group(1).lower() in _MONTHS)


def find_numbers(text: str, lang: str = "en") -> list[NumberMatch]:
    """Every number expression in ``text``: digits, number words, ranges, qualifiers and vague bands.

    Years ("in 2014") are skipped. Never raises.
    """
    if not text:
        return []
    lex = load_number_lexicon(lang)
    out: list[NumberMatch] = []
    for m in lex.number_re.finditer(text):
        raw = m.group(0)
        if m.group("band"):
            key = " ".join(m.group("band").lower().split())
            band = next((b for b in lex.bands if b[0] == key), None)
            if band is None:
                continue
            out.append(NumberMatch(m.start(), m.end(), raw, None, band[1], band[2], None, band[3]))
            continue
        if m.group("b1"):
            a, b = parse_number(m.group("b1"), lang), parse_number(m.group("b2"), lang)
            if a is None or b is None:
                continue
            lo, hi = min(a, b), max(a, b)
            out.append(NumberMatch(m.start(), m.end(), raw, lo, lo, hi, "between", "number-words"))
            continue
        n1 = m.group("n1")
        if n1.lower() in ("a", "an"):
            continue
        value = parse_number(n1, lang)
        if value is None or _looks_like_year(text, m.start("n1"), n1):
            continue
        if not m.group("qual") and _looks_like_day(text, m.start("n1"), m.end("n1"), n1):
            continue
        qual = m.group("qual")
        qual_text = " ".join(qual.lower().split()) if qual else None
        if m.group("n2"):
            v2 = parse_number(m.group("n2"), lang)
            if v2 is not None:
                lo, hi = min(value, v2), max(value, v2)
                out.append(NumberMatch(m.start(), m.end(), raw, value, lo, hi, qual_text, "number-words"))
                continue
            raw = text[m.start() : m.end("n1")]
        low, high, qrule = _bounds(value, qual_text, lex)
        rid = qrule or "number-words"
        out.append(NumberMatch(m.start(), m.start() + len(raw), raw, value, low, high, qual_text, rid))
    return out


# --- crowd -----------------------------------------------------------------------------------


def _words_after(text: str, pos: int, limit: int) -> list[tuple[str, int, int]]:
    out = []
    for m in _WORD.finditer(text, pos):
        out.append((m.group(0).lower(), m.start(), m.end()))
        if len(out) >= limit:
            break
    return out


def _words_before(text: str, pos: int, limit: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[max(0, pos - 80) : pos])][-limit:]


def _is_crowd_noun(word: str, lex: NumberLexicon) -> bool:
    sing = singular(word)
    return word in lex.crowd_nouns or (sing != word and sing in lex.crowd_nouns)


def _is_crowd_verb(word: str, lex: NumberLexicon) -> bool:
    w = word.lower()
    stems = {w, w[:-1], w[:-2], w[:-3], singular(w)}
    irregular = {"took": "take", "came": "come", "stood": "stand", "sang": "sing", "joined": "join"}
    stems.add(irregular.get(w, w))
    return any(s in lex.crowd_verbs for s in stems if s)


def _crowd_extent(text: str, nm: NumberMatch, lex: NumberLexicon) -> tuple[int, str] | None:
    """Where the counted group ends and which rule accepted it, or None when it counts no people."""
    after = _words_after(text, nm.end, 6)
    i = 0
    if after and after[0][0] == "of":
        i = 1
        if i < len(after) and after[i][0] in ("the", "local", "their"):
            i += 1
    for j in range(i, min(i + 3, len(after))):
        w, _s, e = after[j]
        if not re.match(r"[a-z]", w):
            break
        if _is_crowd_noun(w, lex):
            return e, lex.crowd_rule
        if j == 0 and i == 0 and text[_s].islower() and _is_crowd_verb(w, lex):
            return nm.end, lex.crowd_rule
        if w in lex.crowd_exclude:
            return None
    if after and after[0][0] in ("were", "have", "had", "gathered") and nm.value is None:
        # a bare band as subject ("Hundreds were ...") is checked against exclusions by the caller
        return nm.end, lex.crowd_rule
    return None


def _excluded(text: str, start: int, end: int, lex: NumberLexicon) -> bool:
    for w, _s, _e in _words_after(text, end, 4):
        if w in lex.crowd_exclude:
            return True
        if w in (".", ";", "and", "but", "who", "which", "after", "as"):
            break
    return any(w in lex.crowd_exclude for w in _words_before(text, start, 2))


def _distance(a0: int, a1: int, b0: int, b1: int) -> int:
    if a1 <= b0:
        return b0 - a1
    if b1 <= a0:
        return a0 - b1
    return 0


def find_crowd(article: Article, sentence: Sentence, trigger: Span) -> Crowd | None:
    """The size of the crowd taking part in the event announced by ``trigger``, or None.

    Only numbers that count people ("2,000 people", "hundreds of residents",
    "more than 300 gathered") are crowds; casualty and detention counts, years and
    money are not. Bands: "dozens" 24-99, "hundreds" 200-999, "thousands"
    2000-9999; "more than N" gives low=N, high=None; "up to N" high=N. A vague
    crowd ("a large crowd") keeps its text with unknown bounds. The candidate
    nearest the trigger wins. Meant for gathering events (protest, obstruction).
    """
    lex = load_number_lexicon()
    text = sentence_text(article, sentence)
    if not text.strip():
        return None
    base = sentence.start
    t0, t1 = trigger.start - base, trigger.end - base
    best: tuple[int, int, Crowd] | None = None
    for nm in find_numbers(text):
        if nm.value is not None and nm.value < 2:
            continue
        if nm.start < t1 and t0 < nm.end:
            continue  # the trigger itself
        ext = _crowd_extent(text, nm, lex)
        if ext is None:
            continue
        end, rid = ext
        if _excluded(text, nm.start, end, lex):
            continue
        rule = nm.rule if nm.rule != "number-words" else rid
        span = make_span(article, base + nm.start, base + end, sentence.i, rule)
        crowd = Crowd(text=span.text, low=nm.low, high=nm.high, evidence=span)
        key = (0, _distance(nm.start, end, t0, t1))
        if best is None or key < best[:2]:
            best = (*key, crowd)
    if best is None and lex.vague_re is not None:
        for m in lex.vague_re.finditer(text):
            if _excluded(text, m.start(), m.end(), lex):
                continue
            end = m.end()
            if text[m.start() : m.end()].lower().rstrip().endswith("of"):
                nxt = _words_after(text, m.end(), 1)
                if nxt and re.match(r"[a-z]", nxt[0][0]):
                    end = nxt[0][2]
            span = make_span(article, base + m.start(), base + end, sentence.i, lex.vague_rule)
            key = (1, _distance(m.start(), end, t0, t1))
            if best is None or key < best[:2]:
                best = (*key, Crowd(text=span.text, low=None, high=None, evidence=span))
    return best[2] if best else None


# --- casualties ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Casualties:
    """Death and injury counts told for one event, each with its evidence span (None when not told)."""

    fatalities: int | None = None
    fatalities_span: Span | None = None
    injuries: int | None = None
    injuries_span: Span | None = None


@lru_cache(maxsize=4096)
def _phrase_rx(phrase: str, *, anchored_end: bool = False) -> re.Pattern[str]:
    """A compiled literal phrase, flexible on inner whitespace; word-bounded (or anchored at the end)."""
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(r"(?<!\w)" + body + r"$" if anchored_end else body + r"(?!\w)")


def _cue_at(text: str, pos: int, phrases: list[str]) -> int | None:
    """End offset of the longest phrase of ``phrases`` starting at ``pos`` (word-bounded), else None."""
    low = text[pos : pos + 60].lower()
    best = None
    for p in phrases:
        m = _phrase_rx(p).match(low)
        if m and (best is None or m.end() > best):
            best = m.end()
    return None if best is None else pos + best


def _cue_before(text: str, pos: int, phrases: list[str]) -> int | None:
    """Start offset of a phrase of ``phrases`` that ends right before ``pos``, else None."""
    head = text[max(0, pos - 60) : pos].lower().rstrip()
    off = max(0, pos - 60)
    for p in sorted(phrases, key=len, reverse=True):
        m = _phrase_rx(p, anchored_end=True).search(head)
        if m:
            return off + m.start()
    return None


def _classify_count(text: str, nm: NumberMatch, lex: NumberLexicon) -> tuple[str, int, int] | None:
    """("fatality"|"injury", span start, span end) for a count followed or preceded by a casualty cue."""
    kinds = [k for k in ("fatality", "injury") if k in lex.cues]
    for w, s, _e in _words_after(text, nm.end, 7):
        for k in kinds:
            end = _cue_at(text, s, lex.cues[k]["after"])
            if end is not None:
                return k, nm.start, end
        if w in _CLAUSE_BREAK or re.match(r"\d", w) or parse_number(w) is not None:
            break
    for k in kinds:
        start = _cue_before(text, nm.start, lex.cues[k]["before"])
        if start is not None:
            return k, start, nm.end
    return None


def find_casualties(article: Article, sentence: Sentence, trigger: Span) -> Casualties:
    """Deaths and injuries told in the trigger's sentence ("killed 5 people", "a man was shot dead" -> 1).

    Counts must be exact numbers (vague "dozens killed" gives None). When a
    sentence gives several counts of one kind, the one nearest the trigger wins.
    """
    lex = load_number_lexicon()
    text = sentence_text(article, sentence)
    if not text.strip():
        return Casualties()
    base = sentence.start
    t0, t1 = trigger.start - base, trigger.end - base
    found: dict[str, tuple[int, int, Span]] = {}

    def keep(kind: str, value: int, s: int, e: int) -> None:
        d = _distance(s, e, t0, t1)
        if kind not in found or d < found[kind][0]:
            span = make_span(article, base + s, base + e, sentence.i, lex.cues[kind]["rule"])
            found[kind] = (d, value, span)

    for nm in find_numbers(text):
        if nm.value is None:
            continue
        hit = _classify_count(text, nm, lex)
        if hit:
            keep(hit[0], nm.value, hit[1], hit[2])
    for kind in ("fatality", "injury"):
        if kind in found or kind not in lex.cues:
            continue
        single = _phrase_alt(lex.cues[kind]["single"])
        if not single:
            continue
        for m in re.finditer(rf"(?<!\w)(?:{single})(?!\w)", text, re.IGNORECASE):
            for w, s, _e in _words_after(text, m.end(), 5):
                end = _cue_at(text, s, lex.cues[kind]["after"])
                if end is not None:
                    keep(kind, 1, m.start(), end)
                    break
                if w in _CLAUSE_BREAK:
                    break
    fat, inj = found.get("fatality"), found.get("injury")
    return Casualties(
        fatalities=fat[1] if fat else None,
        fatalities_span=fat[2] if fat else None,
        injuries=inj[1] if inj else None,
        injuries_span=inj[2] if inj else None,
    )
