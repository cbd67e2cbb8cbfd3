"""Toponym recognition and resolution: ``Article`` (text, sentences, entities) -> ``Article.places``.

Recognition sources, most trusted first (overlaps go to the more trusted, then longer):

1. region phrases, "the Chernihiv region", "Kherson Oblast", "the Donetsk and Luhansk
   regions", "the Bakhmut district" (rules ``regions.yaml``): one place covering the
   name and the region word, admin1 (or admin2 around a town for district words);
   exact written abbreviations ("W.Va.", "U.S.", data file ``admin1.yaml``);
2. the entity recogniser's GPE/LOC/FAC mentions, looked up whole (a leading "the" and
   a trailing "'s" dropped; very close misspellings matched with rapidfuzz), and
   all-capitals datelines ("KHERSON, Ukraine (AP) --");
3. capitalised proper-noun runs the recogniser missed or mislabelled, when the whole
   run is a gazetteer name (not a demonym or stop word, not after a title such as
   "President", not inside a date; a small town abroad needs a cue or the document's
   country), when a place name heads an institution ("the Mariupol City Council",
   "Texas Forest Service") or follows "of" inside one ("University of Georgia"), and
   each name of a county list ("Clay and Wilkin counties"); a run the recogniser
   called PERSON/NORP needs evidence (rules ``cues.yaml``): a locative word before
   it, a word like "residents" after it, the same name as a place elsewhere in the
   document, coordination with a place, or a
   sizeable town of the document's country; never a word of a longer personal name
   ("Mykhailo Fedorov" ... "Fedorov");
4. GPE/LOC/FAC mentions the gazetteer lacks: unresolved places (FAC as a ``site``).

Resolution ranks each name's gazetteer entries by population, by the document's
country and region context (countries named, and countries/regions of the names that
are unambiguous), by closeness to the candidates of the document's other names (towns and
counties: "Paris" beside "Henry County" is Paris, Tennessee), by a following
", <region or country>" ("Paris, Texas"), by whether
the match was the entry's own name or only an alternate spelling, and prefers
countries and regions over towns of the same name. A name whose only matches are small
places known by an alternate spelling, outside the document's countries, stays
unresolved (``resolved=False``, no coordinates): never a silent country centroid.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from vigil.errors import RuleError
from vigil.geo.gazetteer import Entry, Gazetteer, Hit, normalize
from vigil.ruleset import load_stage_rules
from vigil.schema import Article, Mention, Place, Sentence, Token, full_name_words

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

NAME = "vigil.geo.gazetteer.v1"
Resolver = Literal["context", "population"]

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_ALT_MIN_POP = 100_000  # an alternate spelling alone is trusted for big places only
_ALT_UNRESOLVED_POP = 10_000  # below this, a weak alternate match outside the context stays unresolved
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:['\u2019]s|['\u2019])?[\s.,;:!?)\]\"'\u201d]*$")
_DATELINE = re.compile(r"\b([A-Z][A-Z'\u2019.\-]{2,}(?: [A-Z][A-Z'\u2019.\-]+){0,3})"
                       r"(?=(?:,[^\n]{0,30}?)?\s*(?:--|\u2014|\u2013|\((?:AP|Reuters|AFP)\)))")
_CAP_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019]*(?:-[\w'\u2019]+)*"
_REGION_RE_CACHE: dict[str, re.Pattern[str]] = {}
_ABBREV_RE_CACHE: dict[int, re.Pattern[str]] = {}


@dataclass(frozen=True)
class GeoRules:
    """The geo stage's lexicons, loaded from ``vigil/rules/geo/en``."""

    region_words: dict[str, tuple[str, str]]  # lower word -> (precision, rule id)
    blocked: dict[str, str]  # lower word -> rule id (demonyms and stop words)
    demonyms: frozenset[str]
    cues: frozenset[str]  # lower words that announce a place ("in", "near", "through")
    cues_after: frozenset[str]  # lower words that follow a place ("police", "residents")
    titles: frozenset[str]  # lower words that make the next name a person's ("president", "coach")
    org_heads: frozenset[str]  # lower words after a place name in an institution's name ("police")
    org_modifiers: frozenset[str]  # words allowed between the place and the head ("City" Council)
    person_town_countries: frozenset[str] = frozenset()  # countries with many towns named after people
    context_min_population: int = 20_000
    list_words: dict[str, str] = field(default_factory=dict)  # "counties" -> rule id (lists of county names)
    # demonym word (as written) -> (gazetteer name of its place, country code or None, rule id)
    demonym_places: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    language_cues: frozenset[str] = frozenset()  # lower words that make a next demonym a language ("spoke")
    compound_heads: frozenset[str] = frozenset()  # "American": "African-American" is no country reference
    compound_modifiers: frozenset[str] = frozenset()  # "Native" American
    style_heads: frozenset[str] = frozenset()  # lower words after a demonym that make it a style ("food")
    state_heads: frozenset[str] = frozenset()  # lower words of a state body's name ("Georgian Interior Ministry")
    person_heads: frozenset[str] = frozenset()  # cues_after words that follow a person too ("Smith administration")


def _demonym_places(files: dict[str, dict]) -> dict[str, tuple[str, str | None, str]]:
    """Word -> (place, country, rule id) from the ``places`` lists of ``demonyms.yaml``.

    Raises:
        RuleError: an item without a place name or words, or a word given to two places.
    """
    out: dict[str, tuple[str, str | None, str]] = {}
    for rule in (files.get("demonyms") or {}).get("rules") or []:
        for item in rule.get("places") or []:
            place, country, words = (item or {}).get("place"), (item or {}).get("country"), (item or {}).get("words")
            if not isinstance(place, str) or not isinstance(words, list) or not words:
                raise RuleError(f"geo rules demonyms.yaml: rule {rule.get('id')!r} item {item!r} needs a 'place' "
                                "name and a non-empty 'words' list")
            for w in words:
                if not isinstance(w, str) or not w.strip():
                    raise RuleError(f"geo rules demonyms.yaml: rule {rule.get('id')!r} place {place!r} has a "
                                    f"non-string word {w!r}")
                if w in out and out[w][0] != place:
                    raise RuleError(f"geo rules demonyms.yaml: word {w!r} is given to both {out[w][0]!r} and {place!r}")
                out[w] = (place, str(country) if country else None, str(rule["id"]))
    return out


def _check_words(files: dict[str, dict], stem: str) -> None:
    for rule in (files.get(stem) or {}).get("rules") or []:
        if rule.get("position") in ("context", "exclusion") or rule.get("places"):
            continue
        words = rule.get("words")
        if not isinstance(words, list) or not words:
            raise RuleError(f"geo rules {stem}.yaml: rule {rule.get('id')!r} needs a non-empty 'words' list")
        bad = [w for w in words if not isinstance(w, str) or not w.strip()]
        if bad:
            raise RuleError(f"geo rules {stem}.yaml: rule {rule.get('id')!r} has non-string words {bad!r} "
                            "(quote YAML words such as 'on', 'no', 'yes')")


@lru_cache(maxsize=1)
def load_geo_rules() -> GeoRules:
    """Read the geo rule files once per process.

    Raises:
        RuleError: a word list is missing, empty, or holds a non-string (YAML turns ``on`` into True).
    """
    files = load_stage_rules("geo")
    for stem in ("regions", "demonyms", "stopwords", "cues"):
        _check_words(files, stem)
    region_words: dict[str, tuple[str, str]] = {}
    list_words: dict[str, str] = {}
    for rule in (files.get("regions") or {}).get("rules") or []:
        for w in rule.get("words") or []:
            if rule.get("position") == "list":
                list_words[str(w).lower()] = str(rule["id"])
            else:
                region_words[str(w).lower()] = (str(rule.get("precision", "admin1")), str(rule["id"]))
    blocked: dict[str, str] = {}
    demonyms: set[str] = set()
    demonym_places = _demonym_places(files)
    for w, (_, _, rule_id) in demonym_places.items():
        blocked[w.lower()] = rule_id
        demonyms.add(w.lower())
    exclusion = next((r for r in (files.get("demonyms") or {}).get("rules") or []
                      if r.get("position") == "exclusion"), {})
    for stem in ("demonyms", "stopwords"):
        for rule in (files.get(stem) or {}).get("rules") or []:
            for w in rule.get("words") or []:
                blocked[str(w).lower()] = str(rule["id"])
                if stem == "demonyms":
                    demonyms.add(str(w).lower())
    cues: dict[str, set[str]] = {"before": set(), "after": set(), "org_head": set()}
    person_town_countries: set[str] = set()
    context_min_population = 20_000
    for rule in (files.get("cues") or {}).get("rules") or []:
        where = str(rule.get("position") or "before")
        if where == "context":
            person_town_countries.update(str(c) for c in rule.get("except_countries") or [])
            context_min_population = int(rule.get("min_population", context_min_population))
            continue
        if where not in cues:
            raise RuleError(f"geo rules cues.yaml: rule {rule.get('id')!r} has position {where!r}; "
                            f"allowed: {', '.join(cues)}")
        cues[where].update(str(w).lower() for w in rule.get("words") or [])
    person_heads = {str(w).lower() for rule in (files.get("cues") or {}).get("rules") or []
                    for w in rule.get("person_heads") or []}
    modifiers = {str(w).lower() for rule in (files.get("cues") or {}).get("rules") or []
                 for w in rule.get("modifiers") or []}
    titles = {str(w).lower() for rule in (files.get("stopwords") or {}).get("rules") or []
              if rule.get("titles") for w in rule.get("words") or []}
    return GeoRules(region_words=region_words, blocked=blocked, demonyms=frozenset(demonyms),
                    cues=frozenset(cues["before"]), cues_after=frozenset(cues["after"]), titles=frozenset(titles),
                    org_heads=frozenset(cues["org_head"]), org_modifiers=frozenset(modifiers),
                    person_town_countries=frozenset(person_town_countries),
                    context_min_population=context_min_population, list_words=list_words,
                    demonym_places=demonym_places,
                    language_cues=frozenset(str(w).lower() for w in exclusion.get("language_cues") or []),
                    compound_heads=frozenset(str(w) for w in exclusion.get("compound_heads") or []),
                    compound_modifiers=frozenset(str(w) for w in exclusion.get("compound_modifiers") or []),
                    style_heads=frozenset(str(w).lower() for w in exclusion.get("style_heads") or []),
                    state_heads=frozenset(str(w).lower() for w in exclusion.get("state_heads") or []),
                    person_heads=frozenset(person_heads))


def _region_re(rules: GeoRules) -> re.Pattern[str]:
    key = "|".join(sorted(rules.region_words))
    pat = _REGION_RE_CACHE.get(key)
    if pat is None:
        words = "|".join(re.escape(w) for w in sorted(rules.region_words, key=len, reverse=True))
        pat = re.compile(rf"\b((?:{_CAP_WORD})(?:\s+{_CAP_WORD}){{0,3}})\s+({words})\b", re.IGNORECASE)
        # IGNORECASE would let lowercase words start the name: checked again in code
        _REGION_RE_CACHE[key] = pat
    return pat


@dataclass
class _Cand:
    start: int
    end: int
    text: str
    source: str  # region | ner | cap
    priority: int
    label: str | None = None
    hits: tuple[Hit, ...] = ()
    fixed: list[int] = field(default_factory=list)  # entry indices chosen by a rule (region phrases)
    precision: str | None = None
    rule: str | None = None


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the" and trailing possessive/punctuation from a span of ``text``."""
    seg = text[start:end]
    m = _LEADING_THE.match(seg)
    if m:
        start += m.end()
        seg = text[start:end]
    t = _TRAILING.search(seg)
    if t and t.start() > 0:
        new_end = start + t.start()
        if text[new_end:new_end + 1] == "." and "." in text[start:new_end]:
            new_end += 1  # "U.S.", "W.Va.", "Tenn." keep their final period
        end = new_end
    return start, end


def _is_cap(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _strong(hits: tuple[Hit, ...], gaz: Gazetteer) -> bool:
    for h in hits:
        if h.strength == "primary" or gaz.entries[h.entry].population >= _ALT_MIN_POP:
            return True
    return False


def _region_cands(text: str, gaz: Gazetteer, rules: GeoRules) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _region_re(rules).finditer(text):
        name_start, word = m.start(1), m.group(2)
        precision, rule_id = rules.region_words[word.lower()]
        words = [(w.start() + name_start, w.end() + name_start) for w in re.finditer(r"\S+", m.group(1))]
        # try the longest run of capitalised words ending before the region word, then shorter ones
        for k in range(len(words)):
            s = words[k][0]
            base = text[s:m.end(1)]
            if not _is_cap(base) or base.lower() in rules.blocked:
                continue
            if precision == "admin1":
                idx = list(gaz.bases.get(normalize(base), ()))
                if idx:
                    out.append(_Cand(s, m.end(2), text[s:m.end(2)], "region", 0, fixed=idx,
                                     precision="admin1", rule=rule_id))
                    if word.lower().endswith("s"):
                        out += _listed_regions(text, s, gaz, rule_id)
                    break
            hits = gaz.hits(base)
            towns = tuple(h for h in hits if gaz.entries[h.entry].precision == "city")
            if towns and _strong(towns, gaz):
                out.append(_Cand(s, m.end(2), text[s:m.end(2)], "region", 0, hits=towns,
                                 precision="admin2", rule=rule_id))
                break
    return out


_CAP_RUN = rf"{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}}"
_COUNTY_LIST = re.compile(rf"((?:{_CAP_RUN})(?:\s*,\s*(?:and\s+|or\s+)?(?:{_CAP_RUN})|\s+(?:and|or)\s+(?:{_CAP_RUN}))*)"
                          r"\s+(counties|parishes)\b")
_COUNTY_SUFFIX = {"counties": "County", "parishes": "Parish"}


def _county_list_cands(text: str, gaz: Gazetteer, rules: GeoRules) -> list[_Cand]:
    """Each name of "Clay, Otter Tail and Wilkin counties" is the county "<name> County" when the
    gazetteer has one (rule ``region-county-list``)."""
    if not rules.list_words or ("counties" not in text and "parishes" not in text):
        return []
    out: list[_Cand] = []
    for m in _COUNTY_LIST.finditer(text):
        rule_id = rules.list_words.get(m.group(2))
        if rule_id is None:
            continue
        suffix = _COUNTY_SUFFIX[m.group(2)]
        for item in re.finditer(_CAP_RUN, m.group(1)):
            words = list(re.finditer(r"\S+", item.group()))
            for k in range(len(words)):  # "In Clay": drop leading words until a county matches
                s = m.start(1) + item.start() + words[k].start()
                e = m.start(1) + item.end()
                name = text[s:e]
                if name.lower() in rules.blocked:
                    continue
                hits = tuple(h for h in gaz.hits(f"{name} {suffix}") if gaz.entries[h.entry].precision == "admin2")
                if hits:
                    out.append(_Cand(s, e, name, "region", 0, hits=hits, precision="admin2", rule=rule_id))
                    break
    return out


_LIST_BEFORE = re.compile(rf"((?:{_CAP_WORD})(?:\s*,\s*(?:{_CAP_WORD}))*)\s*,?\s+and\s+$")


def _listed_regions(text: str, start: int, gaz: Gazetteer, rule_id: str) -> list[_Cand]:
    """The other names of "the Donetsk and Luhansk regions": each an admin1 place of its own."""
    m = _LIST_BEFORE.search(text[max(0, start - 120):start])
    if not m:
        return []
    off = max(0, start - 120) + m.start(1)
    out = []
    for w in re.finditer(_CAP_WORD, m.group(1)):
        idx = list(gaz.bases.get(normalize(w.group()), ()))
        if idx:
            out.append(_Cand(off + w.start(), off + w.end(), w.group(), "region", 0, fixed=idx,
                             precision="admin1", rule=rule_id))
    return out


def _abbrev_cands(text: str, gaz: Gazetteer) -> list[_Cand]:
    """Exact written abbreviations of regions and countries ("Charleston, W.Va.", "the U.S.")."""
    if not gaz.abbrevs:
        return []
    pat = _ABBREV_RE_CACHE.get(id(gaz.abbrevs))
    if pat is None:
        alts = "|".join(re.escape(a) for a in sorted(gaz.abbrevs, key=len, reverse=True))
        pat = re.compile(rf"(?<![\w.])(?:{alts})(?![\w])")
        _ABBREV_RE_CACHE.clear()
        _ABBREV_RE_CACHE[id(gaz.abbrevs)] = pat
    return [_Cand(m.start(), m.end(), m.group(), "abbrev", 0, fixed=[gaz.abbrevs[m.group()]])
            for m in pat.finditer(text)]


def _dateline_cands(text: str, gaz: Gazetteer) -> list[_Cand]:
    """All-capitals datelines: "KHERSON, Ukraine (AP) --", "MANSFIELD --"."""
    out = []
    for m in _DATELINE.finditer(text):
        s, e = m.span(1)
        while e > s and text[e - 1] in ".-'\u2019":
            e -= 1
        hits = gaz.hits(text[s:e])
        if hits and _strong(hits, gaz):
            out.append(_Cand(s, e, text[s:e], "dateline", 1, hits=hits))
    return out


def _token_ent_ranges(entities: list[Mention], labels: set[str]) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in entities if m.label in labels]


def _overlaps(s: int, e: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s < re_ and rs < e for rs, re_ in ranges)


def _ner_cands(article: Article, gaz: Gazetteer, rules: GeoRules) -> list[_Cand]:
    text = article.text
    person_words = _person_words(article.entities)
    out: list[_Cand] = []
    for m in article.entities:
        if m.label not in _PLACE_LABELS:
            continue
        if not (0 <= m.start < m.end <= len(text)):
            continue
        s, e = _clean_span(text, m.start, m.end)
        if e <= s:
            continue
        name = text[s:e]
        low = name.lower()
        if low in rules.demonyms or (low in rules.blocked and _previous_word(text, s) not in rules.cues):
            continue  # "the West", "Nato"; but "flooding in Mobile" stays
        if not any(c.isalpha() for c in name):
            continue
        if name in gaz.abbrevs:
            continue  # found by _abbrev_cands
        if not _is_cap(name):
            continue  # "shelter in metro": a lowercase common word the tagger took for a place
        hits = gaz.hits(name)
        letters = [c for c in name if c.isalpha()]
        if name.isupper() and len(letters) <= 4:
            # "UN", "EU", "PA": only a country or region abbreviation, never a town of that name
            hits = tuple(h for h in hits if gaz.entries[h.entry].precision in ("country", "admin1"))
            if not hits:
                continue
        if " " not in name and normalize(name) in person_words and _previous_word(text, s) not in rules.cues:
            continue  # "Farrin" after "Henry Farrin"
        if _previous_word(text, s) in rules.titles:
            continue  # "President Saakashvili"
        if hits:
            out.append(_Cand(s, e, name, "ner", 1, label=m.label, hits=hits))
            continue
        # "Kharkiv, Ukraine" as one mention: resolve its parts
        if "," in name:
            pos = s
            for part in name.split(","):
                ps = text.find(part, pos, e)
                pos = ps + len(part)
                ps2, pe2 = _clean_span(text, ps + (len(part) - len(part.lstrip())), ps + len(part.rstrip()))
                if pe2 > ps2 and gaz.hits(text[ps2:pe2]):
                    out.append(_Cand(ps2, pe2, text[ps2:pe2], "ner", 1, label=m.label, hits=gaz.hits(text[ps2:pe2])))
            continue
        if not _is_cap(name) or name.split()[0].lower() in rules.demonyms:
            continue  # "Belarusian Criminal Code" is not a place
        rest = _DIRECTION.match(name)
        if rest and _strong(gaz.hits(name[rest.end():]), gaz):
            # "Northeast Georgia": a direction that is not part of a gazetteer name leaves the span on the place
            ps = s + rest.end()
            out.append(_Cand(ps, e, text[ps:e], "ner", 1, label=m.label, hits=gaz.hits(text[ps:e])))
            continue
        fuzzy = _fuzzy_hits(name, gaz) if m.label in ("GPE", "LOC") else ()
        if fuzzy:
            out.append(_Cand(s, e, name, "ner", 1, label=m.label, hits=fuzzy, rule="fuzzy"))
            continue
        head = _institution_place(text, s, e, gaz, rules)
        if head is not None:
            out.append(head)
            continue
        out.append(_Cand(s, e, name, "ner", 3, label=m.label, precision="site" if m.label == "FAC" else None))
    return out


_DIRECTION = re.compile(r"(?:North|South|East|West|Northern|Southern|Eastern|Western|Central|Northeast|Northwest|"
                        r"Southeast|Southwest|North-?east|North-?west|South-?east|South-?west)(?:ern)?\s+(?=[A-Z])")
_FUZZY_CUTOFF = 90.0
_FUZZY_MIN_POP = 5000
_FUZZY_MIN_POP_ALT = 50_000  # alternate spellings of big towns are misspelt too ("Svietlahorsk")
_FuzzyKeys = dict[tuple[str, int], list[str]]
_FUZZY_KEYS: dict[int, tuple[Gazetteer, _FuzzyKeys, dict[str, str | None]]] = {}


def _institution_place(text: str, s: int, e: int, gaz: Gazetteer, rules: GeoRules) -> _Cand | None:
    """The place name heading a place mention the gazetteer lacks: "Huntsville City", "the Mount Pleasant
    Fire Department" -> the town, when an institution word follows it within three words."""
    words = list(re.finditer(r"[\w'\u2019.-]+", text[s:e]))
    for k in range(min(3, len(words) - 1), 0, -1):
        pe = s + words[k - 1].end()
        name = text[s:pe]
        nxt = [w.group().lower() for w in words[k:k + 3]]
        if nxt[0] not in rules.org_modifiers and not any(w in rules.org_heads for w in nxt):
            continue
        hits = gaz.hits(name)
        if hits and _strong(hits, gaz) and name.lower() not in rules.blocked:
            return _Cand(s, pe, name, "ner", 1, label="GPE", hits=hits)
    return None


def _fuzzy_keys(gaz: Gazetteer) -> tuple[_FuzzyKeys, dict[str, str | None]]:
    """Names (5+ letters) of regions, countries, towns of 5,000+ people and alternates of big towns,
    bucketed by first letter and length (a close spelling shares the first letter and nearly the length).

    Built once per process and gazetteer, with a memo of the queries already answered.
    """
    got = _FUZZY_KEYS.get(id(gaz))
    if got is not None and got[0] is gaz:
        return got[1], got[2]
    keys: _FuzzyKeys = {}
    for k in gaz.keys_for_fuzzy(5, _FUZZY_MIN_POP, _FUZZY_MIN_POP_ALT):
        keys.setdefault((k[0], len(k)), []).append(k)
    memo: dict[str, str | None] = {}
    _FUZZY_KEYS.clear()
    _FUZZY_KEYS[id(gaz)] = (gaz, keys, memo)
    return keys, memo


def prepare_gazetteer(gaz: Gazetteer) -> None:
    """Build the per-process lookup structures of ``gaz`` now (the fuzzy spelling keys) rather than on
    the first document that needs them."""
    _fuzzy_keys(gaz)


def _fuzzy_hits(name: str, gaz: Gazetteer) -> tuple[Hit, ...]:
    """Hits of the closest spelling ("Zaporizhzia" -> Zaporizhzhia), only when very close."""
    from rapidfuzz import fuzz, process

    key = normalize(name)
    if len(key) < 6 or any(c.isdigit() for c in key):
        return ()
    keys, memo = _fuzzy_keys(gaz)
    if key not in memo:
        # fuzz.ratio >= cutoff needs |len(a) - len(b)| <= (1 - cutoff/100) * (len(a) + len(b))
        slack = 1.0 - _FUZZY_CUTOFF / 100.0
        lo, hi = math.ceil(len(key) * (1 - slack) / (1 + slack)), math.floor(len(key) * (1 + slack) / (1 - slack))
        pool = [k for n in range(lo, hi + 1) for k in keys.get((key[0], n), ())]
        best = process.extractOne(key, pool, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF) if pool else None
        memo[key] = best[0] if best is not None else None
    found = memo[key]
    if found is None:
        return ()
    return tuple(h for h in gaz.hits(found)
                 if h.strength == "primary" or gaz.entries[h.entry].population >= _FUZZY_MIN_POP_ALT)


def _runs(tokens: list[Token]) -> list[list[Token]]:
    """Maximal runs of capitalised tokens (hyphen-joined pieces stay in the run)."""
    runs: list[list[Token]] = []
    cur: list[Token] = []
    for t in tokens:
        joined = bool(cur) and cur[-1].ws == "" and (t.text in ("-", "\u2010", "\u2011") or cur[-1].text in
                                                      ("-", "\u2010", "\u2011"))
        if _is_cap(t.text) or joined:
            cur.append(t)
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _person_words(entities: list[Mention]) -> set[str]:
    """Words that occur inside multi-word PERSON mentions ("Mykhailo Fedorov" -> fedorov)."""
    return {normalize(w) for w in full_name_words(entities)}


def _cap_cands(article: Article, gaz: Gazetteer, rules: GeoRules) -> list[_Cand]:
    text = article.text
    # PERSON/NORP mentions: a town the model took for a person or a nationality needs more evidence
    persons = [(m.start, m.end) for m in article.entities if m.label in ("PERSON", "NORP")]
    person_words = _person_words(article.entities)
    orgs = _token_ent_ranges(article.entities, {"ORG", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"})
    out: list[_Cand] = []
    for sent in article.sentences:
        if not sent.tokens:
            continue
        following = {t.i: sent.tokens[n + 1] for n, t in enumerate(sent.tokens[:-1])}
        for run in _runs(sent.tokens):
            # trim function words ("In", "The") and non-proper nouns at the edges
            while run and (run[0].pos not in ("PROPN", "") or run[0].text.lower() in rules.blocked):
                run = run[1:]
            while run and (run[-1].pos not in ("PROPN", "") or run[-1].text in ("-",)):
                run = run[:-1]
            if not run or len(run) > gaz.max_words + 4:
                continue
            if any(t.pos not in ("PROPN", "PUNCT", "") for t in run):
                continue
            # the whole run, or a place name heading an institution ("Gainesville Police Department")
            # "Walker County Fair", "Laurel County Clerk": a county's name ends at its unit word
            options = [(run, False)] + [(run[:k], True) for k in range(min(len(run) - 1, gaz.max_words), 0, -1)
                                        if run[k - 1].text in _UNIT_WORDS or _heads_institution(run, k, rules)]
            for toks, headed in options:
                cand = _run_cand(text, toks, following.get(toks[-1].i), headed, gaz, rules, persons,
                                 person_words, orgs)
                if cand is not None:
                    out.append(cand)
                    break
    return out


_RAW_MIN_POP = 100_000
_RAW_SENT_START = re.compile(r"^\W*$")  # nothing but punctuation before: the sentence's first word
_RAW_RUN = re.compile(_CAP_WORD + r"(?:[ \t]+" + _CAP_WORD + r")*")


def _raw_cap_cands(article: Article, gaz: Gazetteer, rules: GeoRules) -> list[_Cand]:
    """Capitalised gazetteer names in the sentences the nlp stage left unparsed (no tokens, no entities):
    the longest name at each position of a run of capitalised words, with the same checks as parsed runs
    except the part-of-speech ones (so a sentence-initial word needs a strong gazetteer hit)."""
    text = article.text
    person_words = _person_words(article.entities)
    out: list[_Cand] = []
    for sent in article.sentences:
        if sent.tokens or not (0 <= sent.start < sent.end <= len(text)):
            continue
        for m in _RAW_RUN.finditer(text, sent.start, sent.end):
            words = [(w.start(), w.end()) for w in re.finditer(r"\S+", m.group(0))]
            k = 0
            while k < len(words):
                found = None
                for n in range(min(len(words) - k, gaz.max_words), 0, -1):
                    s0, e0 = m.start() + words[k][0], m.start() + words[k + n - 1][1]
                    s0, e0 = _clean_span(text, s0, e0)
                    name = text[s0:e0]
                    low = name.lower()
                    if e0 <= s0 or low in rules.blocked or low in rules.demonyms or normalize(name) in person_words:
                        continue
                    if _previous_word(text, s0) in rules.titles or (name.isupper() and len(name) <= 4):
                        continue
                    hits = gaz.hits(name)
                    # without a tagger, a name needs a place cue before it ("in Melitopol") or must be the
                    # whole run and a big place ("Vladimir Putin", "Bethany Smith" are people)
                    whole = n == len(words) and _RAW_SENT_START.search(text[sent.start:s0]) is None
                    cued = _previous_word(text, s0) in rules.cues or _next_word(text, e0) in rules.cues_after
                    if hits and _strong(hits, gaz) and (cued or whole and any(
                            gaz.entries[h.entry].population >= _RAW_MIN_POP
                            or gaz.entries[h.entry].precision in ("country", "admin1") for h in hits)):
                        found = (n, _Cand(s0, e0, name, "cap", 2, hits=hits,
                                          rule=f"{_previous_word(text, s0)} {_next_word(text, e0)}"))
                        break
                if found is None:
                    k += 1
                    continue
                out.append(found[1])
                k += found[0]
    return out


_UNIT_WORDS = {"County", "Parish", "Borough", "Township"}


def _heads_institution(run: list[Token], k: int, rules: GeoRules) -> bool:
    """Whether ``run[:k]`` is a place name heading an institution: "Mariupol [City] Council", "Kherson State
    University".
    """
    if run[0].text.lower() in rules.org_heads or run[0].text.lower() in rules.org_modifiers:
        return False
    # the head may follow up to two more capitalised words: "Texas [Forest] Service", "Dublin [Community
    # Recreation] Center"
    return any(t.text.lower() in rules.org_heads for t in run[k:k + 3])


def _run_cand(text: str, run: list[Token], nxt: Token | None, headed: bool, gaz: Gazetteer, rules: GeoRules,
              persons: list[tuple[int, int]], person_words: set[str], orgs: list[tuple[int, int]]) -> _Cand | None:
    s, e = run[0].start, run[-1].start + len(run[-1].text)
    if not (0 <= s < e <= len(text)):
        return None
    name = text[s:e]
    if name.lower() in rules.blocked or normalize(name) in person_words:
        return None
    if _previous_word(text, s) in rules.titles:
        return None
    person = [(rs, re_) for rs, re_ in persons if s < re_ and rs < e]
    if person and any((rs, re_) != (s, e) for rs, re_ in person):
        return None  # part of a longer personal name or nationality
    possessive = nxt is not None and nxt.text in ("'s", "\u2019s")
    org = [(rs, re_) for rs, re_ in orgs if s < re_ and rs < e]
    of_place = _previous_word(text, s) == "of" and text[max(0, s - 3):s] == "of "
    if org and not (headed or possessive or of_place) and any((rs, re_) != (s, e) for rs, re_ in org):
        return None  # part of a longer organisation name ("Kyiv Independent"), but "University of Kherson" names one
    hits = gaz.hits(name)
    if name.isupper() and sum(c.isalpha() for c in name) <= 4:
        hits = tuple(h for h in hits if gaz.entries[h.entry].precision in ("country", "admin1"))
    if not hits or not _strong(hits, gaz):
        return None
    # a lone name the recogniser calls an organisation or product ("the Toyota failed to yield", "Bell ran")
    # needs the same evidence as a person's name
    label = "PERSON" if person else "ORG" if (org and " " not in name and (s, e) in org) else None
    cue = f"{_previous_word(text, s)} {_next_word(text, e)}"
    return _Cand(s, e, name, "cap", 2, label=label, hits=hits, rule=cue)


def _next_word(text: str, end: int) -> str:
    m = re.match(r"\s{0,3}([^\W\d_]+)", text[end:end + 40])
    return m.group(1).lower() if m else ""


def _previous_word(text: str, start: int) -> str:
    m = re.search(r"([^\W\d_]+)\W{0,3}$", text[max(0, start - 40):start])
    return m.group(1).lower() if m else ""


_BIG_TOWN = 500_000
_PERSON_HEAD_MIN_POP = 100_000  # a town this big keeps "administration" as a place cue after it
_NEEDS_EVIDENCE = {"PERSON", "ORG"}  # labels of lone names that are places only with evidence
_SPEECH = r"(?:said|says|told|added|asked|wrote|explained|testified)\b"


def _speaks(name: str, text: str) -> bool:
    """``name`` is followed by a speech verb somewhere in ``text`` ("Robertson said"): a person."""
    return re.search(rf"\b{re.escape(name)}\s+{_SPEECH}", text) is not None


def _accept_persons(cands: list[_Cand], others: list[_Cand], article: Article, gaz: Gazetteer,
                    rules: GeoRules, countries: Counter[str]) -> list[_Cand]:
    """Keep a single-name PERSON mention as a place only with evidence that it is one."""
    text = article.text
    place_spans = sorted((c.start, c.end) for c in others)
    known = {normalize(c.text) for c in others if c.hits or c.fixed}
    for c in others:  # "the Kherson region" makes a later bare "Kherson" a place too
        if c.source == "region":
            known.add(normalize(re.sub(r"\s+\S+$", "", c.text)))
    kept = []
    for c in cands:
        ents = [gaz.entries[h.entry] for h in c.hits if h.strength == "primary"]
        if not ents:
            continue
        before, _, after = (c.rule or "").partition(" ")
        if _speaks(c.text, text):
            continue  # "Robertson said" elsewhere in the document: a person
        # "the Obama administration": a word that also follows a person's name is no cue for a PERSON mention
        # of a small town (but "the Melitopol administration" is a city's)
        after_cue = after in rules.cues_after and not (
            c.label == "PERSON" and after in rules.person_heads
            and all(x.population < _PERSON_HEAD_MIN_POP for x in ents))
        cue = before in rules.cues or after_cue or normalize(c.text) in known
        coordinated = any(
            re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*", text[e:c.start]) or re.fullmatch(
                r"\s*(?:,|and|or|,\s*and)\s*", text[c.end:s]) for s, e in place_spans)
        # a big town is a place; one the recogniser took for a person must also be in the document's countries
        big = any(x.population >= _BIG_TOWN and (c.label == "ORG" or not countries or countries[x.country or ""])
                  for x in ents)
        # a sizeable town of a country the document is about, where towns are seldom named after people
        local = any(countries[x.country or ""] and x.population >= rules.context_min_population
                    and x.country not in rules.person_town_countries for x in ents)
        if cue or coordinated or big or local:
            c.rule = None
            kept.append(c)
    return kept


_DEMONYM_RE_CACHE: dict[int, re.Pattern[str]] = {}
_NAME_LABELS = {"PERSON", "ORG", "FAC", "WORK_OF_ART", "EVENT", "LAW", "PRODUCT"}
_DEMONYM_PRECISION = {"country": 0, "admin1": 1}


def _demonym_re(rules: GeoRules) -> re.Pattern[str]:
    pat = _DEMONYM_RE_CACHE.get(id(rules))
    if pat is None:
        words = sorted(rules.demonym_places, key=len, reverse=True)
        alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
        pat = re.compile(rf"(?<![\w.])(?:{alts})(?![\w])")
        _DEMONYM_RE_CACHE.clear()
        _DEMONYM_RE_CACHE[id(rules)] = pat
    return pat


@lru_cache(maxsize=512)
def _demonym_entry(gaz: Gazetteer, place: str, country: str | None) -> int | None:
    """The gazetteer entry a demonym refers to: ``place`` as a country or region (never a town), in
    ``country`` when one is given; None when the gazetteer has no such entry."""
    found = [h for h in gaz.hits(place) if gaz.entries[h.entry].precision != "city"
             and (country is None or gaz.entries[h.entry].country == country)]
    if not found:
        return None
    return min(found, key=lambda h: (h.strength != "primary",
                                     _DEMONYM_PRECISION.get(gaz.entries[h.entry].precision, 2))).entry


def _demonym_excluded(text: str, s: int, e: int, rules: GeoRules) -> bool:
    """A language ("spoke French"), an ethnic compound ("African-American", "Native American") or a title
    before a surname ("Mr. French")."""
    before = _previous_word(text, s)
    if before in rules.language_cues or before in rules.titles or _next_word(text, e) in rules.style_heads:
        return True
    word = text[s:e]
    prev = re.search(r"([^\W\d_]+)[\s-]$", text[max(0, s - 40):s])
    nxt = re.match(r"[\s-]([^\W\d_]+)", text[e:e + 40])
    if word in rules.compound_heads and prev and (prev.group(1) in rules.compound_modifiers
                                                  or prev.group(1) in rules.demonym_places):
        return True
    return bool(nxt and nxt.group(1) in rules.compound_heads and word not in rules.compound_heads)


def _state_body(name: str, rules: GeoRules) -> bool:
    """Whether an organisation's name is a state body's: "Georgian Interior Ministry", "Russian Army"."""
    return any(w.lower() in rules.state_heads for w in re.findall(r"[^\W\d_]+", name))


def _demonym_cands(article: Article, gaz: Gazetteer, rules: GeoRules) -> list[_Cand]:
    """National adjectives and nouns as references to their place ("Egyptian officials" -> Egypt): the
    opt-in LGL convention (``demonyms=True``). Not inside a longer personal or organisation name ("American
    Legion", "Monica French"), not a language or an ethnic compound."""
    text = article.text
    if not rules.demonym_places:
        return []
    names = [(m.start, m.end, m.label) for m in article.entities if m.label in _NAME_LABELS]
    person_words = _person_words(article.entities)
    out: list[_Cand] = []
    for m in _demonym_re(rules).finditer(text):
        s, e = m.span()
        inside = [(rs, re_, label) for rs, re_, label in names if rs <= s and e <= re_ and (re_ - rs) > (e - s)]
        if inside and not all(label == "ORG" and _state_body(text[rs:re_], rules) for rs, re_, label in inside):
            continue
        if normalize(m.group()) in person_words or _demonym_excluded(text, s, e, rules):
            continue
        place, country, rule_id = rules.demonym_places[re.sub(r"\s+", " ", m.group())]
        idx = _demonym_entry(gaz, place, country)
        if idx is not None:
            out.append(_Cand(s, e, m.group(), "demonym", 2, fixed=[idx], rule=rule_id))
    return out


_NOT_PLACE_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}
_SMALL_TOWN = 10_000


_REPEAT_SOURCES = {"ner", "region", "dateline", "abbrev"}
_REPEAT_LABELS = {"PERSON", "NORP", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"}


def _repeat_cands(chosen: list[_Cand], article: Article, rules: GeoRules) -> list[_Cand]:
    """Other occurrences of a name the document already uses as a place (one sense per discourse).

    A name recognised as a place by a trusted source ("Dublin" tagged GPE once) is a place again where it
    stands alone elsewhere in the same document ("Dublin operates its own sirens"), also inside a span the
    gazetteer lacks, which it then replaces ("the Dublin Singers"),
    unless it is a word of a longer capitalised name ("East Dublin", "Nora Dublin"), follows a title, lies
    inside a personal name or another non-place entity, or heads a street or lake name ("Dublin Road").
    The copy gets the first occurrence's gazetteer hits, so it resolves the same way.
    """
    text = article.text or ""
    persons = _person_words(article.entities)
    firsts: dict[str, _Cand] = {}
    for c in chosen:
        if (c.source in _REPEAT_SOURCES and (c.hits or c.fixed) and len(c.text) >= 4 and _is_cap(c.text)
                and not c.text.isupper() and c.text.lower() not in rules.blocked and c.rule != "fuzzy"
                and normalize(c.text) not in persons and not _speaks(c.text, text)):
            firsts.setdefault(c.text, c)
    if not firsts:
        return []
    taken = [(c.start, c.end) for c in chosen if c.hits or c.fixed]
    others = _token_ent_ranges(article.entities, _REPEAT_LABELS)
    out: list[_Cand] = []
    for name, first in firsts.items():
        for m in re.finditer(rf"(?<![\w\-'\u2019./&]){re.escape(name)}(?![\w\-])", text):
            s, e = m.span()
            if _overlaps(s, e, taken) or _overlaps(s, e, others):
                continue
            before = re.search(r"(\S+)\s+$", text[max(0, s - 40):s])
            prev = before.group(1) if before else ""
            ends_clause = prev.endswith((".", ",", ":", ";", "!", "?", '"', "\u201d"))
            if prev and _is_cap(prev) and not _LEADING_THE.match(prev + " ") and not ends_clause:
                continue  # a word of a longer name: "East Dublin", "Nora Dublin"
            if _previous_word(text, s) in rules.titles or _next_word(text, e) in rules.style_heads:
                continue
            out.append(_Cand(s, e, name, "repeat", 4, hits=first.hits, fixed=list(first.fixed)))
    return out


def _plausible(c: _Cand, gaz: Gazetteer, rules: GeoRules, countries: Counter[str]) -> bool:
    """Whether a capitalised run the recogniser did not call a place is one: a place cue around it, or a
    country/region/county, a town of 10,000+ people, or a town in a country the document names elsewhere
    (small towns abroad share their names with common words: "Research", "Hill", "Vice")."""
    before, _, after = (c.rule or "").partition(" ")
    if before in rules.cues or after in rules.cues_after:
        return True
    for h in c.hits:
        e = gaz.entries[h.entry]
        if h.strength == "primary" and (e.precision != "city" or e.population >= _SMALL_TOWN
                                        or countries[e.country or ""]):
            return True
    return False


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Keep non-overlapping candidates: more trusted source first, then longer spans."""
    chosen: list[_Cand] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(cands, key=lambda c: (c.priority, -(c.end - c.start), c.start)):
        if _overlaps(c.start, c.end, taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    chosen.sort(key=lambda c: c.start)
    return chosen


def _sentence_of(sentences: list[Sentence], starts: list[int], pos: int) -> int | None:
    k = bisect.bisect_right(starts, pos) - 1
    if k >= 0 and sentences[k].start <= pos < sentences[k].end:
        return sentences[k].i
    return None


def _context(cands: list[_Cand], gaz: Gazetteer) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Country and admin1 votes from names that are unambiguous (or country/region names)."""
    countries: Counter[str] = Counter()
    regions: Counter[tuple[str, str]] = Counter()
    for c in cands:
        idx = c.fixed or [h.entry for h in c.hits if h.strength == "primary"] or [h.entry for h in c.hits]
        ents = [gaz.entries[i] for i in idx]
        if not ents:
            continue
        ccs = {x.country for x in ents if x.country}
        if len(ccs) == 1:
            countries[next(iter(ccs))] += 1
        a1 = {(x.country, x.admin1_code) for x in ents if x.country and x.admin1_code}
        if len(a1) == 1 and len(ents) == 1:
            regions[next(iter(a1))] += 1  # type: ignore[arg-type]
    return countries, regions


_PROX_KM = 60.0  # e-folding distance of the closeness between two places of a document
_PROX_TOP = 12  # candidates per name considered for closeness (own names first, most populous first)
_PROX_WEIGHT = 1.0


def _proximity(cands: list[_Cand], gaz: Gazetteer) -> dict[int, float]:
    """Closeness of each candidate entry to the other names of the document (spatial minimality).

    For an entry of name A: the sum over the other names B of the best ``exp(-km / 60)`` to any of B's
    candidate towns or counties (capped at 1). Countries and admin1 regions are left out: their
    centroid says little about distance. Returns entry index -> closeness (entries of at least two names).
    """
    import numpy as np

    groups: dict[str, list[int]] = {}
    for c in cands:
        key = normalize(c.text)
        if key in groups:
            continue
        idx = c.fixed or [h.entry for h in c.hits[:_PROX_TOP]]
        pts = [i for i in idx if gaz.entries[i].precision in ("city", "admin2")]
        if pts:
            groups[key] = pts
    if len(groups) < 2:
        return {}
    ids: list[int] = []
    gid: list[int] = []
    for g, pts in enumerate(groups.values()):
        ids += pts
        gid += [g] * len(pts)
    lat = np.radians([gaz.entries[i].lat for i in ids])
    lon = np.radians([gaz.entries[i].lon for i in ids])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    close = np.exp(-km / _PROX_KM)
    g_arr = np.asarray(gid)
    same = g_arr[:, None] == g_arr[None, :]
    close[same] = 0.0
    n_groups = len(groups)
    per_group = np.zeros((len(ids), n_groups))
    for g in range(n_groups):
        cols = g_arr == g
        per_group[:, g] = close[:, cols].max(axis=1)
    total = np.minimum(per_group.sum(axis=1), 1.0)
    out: dict[int, float] = {}
    for i, v in zip(ids, total.tolist(), strict=True):
        out[i] = max(out.get(i, 0.0), float(v))
    return out


def _score(entry: Entry, strength: str, countries: Counter[str], regions: Counter[tuple[str, str]],
           container: Entry | None, closeness: float = 0.0) -> float:
    total = sum(countries.values())
    s = math.log10(entry.population + 10) / 7.0
    if strength == "primary":
        s += 0.5
    # context counts half for a place matched only by an alternate spelling ("New York" is also
    # the old name of a Donetsk-region village: a Ukrainian context must not pull it there)
    weight = 1.0 if strength == "primary" else 0.5
    if total and entry.country:
        s += 1.5 * weight * countries[entry.country] / total
    if entry.country and entry.admin1_code and regions[(entry.country, entry.admin1_code)]:
        s += 0.8 * weight
    s += _PROX_WEIGHT * closeness
    if entry.precision == "country":
        s += 1.2
    elif entry.precision == "admin1":
        s += 1.0
    if container is not None:
        if container.precision == "country" and entry.country == container.country:
            s += 2.0
        elif (container.precision == "admin1" and entry.country == container.country
              and entry.admin1_code == container.admin1_code):
            s += 3.0
    return s


def _place(c: _Cand, entry: Entry | None, sentence: int | None, score: float | None,
           precision: str | None = None) -> Place:
    if entry is None:
        return Place(start=c.start, end=c.end, text=c.text, name=c.text, resolved=False,
                     precision=c.precision if c.precision == "site" else None, sentence=sentence, score=None)
    return Place(
        start=c.start, end=c.end, text=c.text, name=entry.name, resolved=True, geonameid=entry.geonameid,
        lat=entry.lat, lon=entry.lon, admin1=entry.admin1, country=entry.country,
        precision=precision or entry.precision,  # type: ignore[arg-type]
        feature="ADM2" if precision == "admin2" else entry.feature, population=entry.population or None,
        sentence=sentence, score=None if score is None else round(score, 3),
    )


def geoparse_article(article: Article, gazetteer: Gazetteer, *, resolver: Resolver = "context",
                     demonyms: bool = False) -> Article:
    """Return a copy of ``article`` with ``places`` filled: every toponym, resolved when possible.

    Args:
        gazetteer: from ``load_gazetteer()``.
        resolver: ``"context"`` (default) or ``"population"`` (every name -> its most
            populous entry; the baseline the bench compares with).
        demonyms: also count national adjectives and nouns ("Egyptian officials",
            "Palestinians") as references to their country or region, as the LGL corpus
            does: places with ``feature="demonym"``, outside the resolution context. Off by
            default: the event extractor never takes a demonym for an event location.

    >>> from vigil.schema import Article
    >>> from vigil.geo import load_gazetteer
    >>> a = geoparse_article(Article(id="d", text="Crowds marched in the Kherson region."), load_gazetteer())
    >>> [(p.text, p.name, p.precision) for p in a.places]
    [('Kherson region', 'Kherson Oblast', 'admin1')]
    """
    text = article.text or ""
    rules = load_geo_rules()
    cands = _region_cands(text, gazetteer, rules) + _abbrev_cands(text, gazetteer)
    cands += _county_list_cands(text, gazetteer, rules)
    cands += _dateline_cands(text, gazetteer) + _ner_cands(article, gazetteer, rules)
    caps = _cap_cands(article, gazetteer, rules) + _raw_cap_cands(article, gazetteer, rules)
    nonnames = _token_ent_ranges(article.entities, _NOT_PLACE_LABELS)
    caps = [c for c in caps if not _overlaps(c.start, c.end, nonnames)]  # "Nov." in a date is no town
    base_countries, _ = _context(_select(cands), gazetteer)
    caps = [c for c in caps if c.label in _NEEDS_EVIDENCE or _plausible(c, gazetteer, rules, base_countries)]
    for c in caps:
        if c.label not in _NEEDS_EVIDENCE:
            c.rule = None
    chosen = _select(cands + [c for c in caps if c.label not in _NEEDS_EVIDENCE])
    countries, _ = _context(chosen, gazetteer)
    chosen = _select(cands + [c for c in caps if c.label not in _NEEDS_EVIDENCE]
                     + _accept_persons([c for c in caps if c.label in _NEEDS_EVIDENCE], chosen, article, gazetteer,
                                       rules, countries))
    repeats = _repeat_cands(chosen, article, rules)
    # a repeated place name inside a span the gazetteer lacks ("the Dublin Singers") is the place itself
    chosen = _select([c for c in chosen if c.hits or c.fixed or not _overlaps(c.start, c.end,
                                                                             [(r.start, r.end) for r in repeats])]
                     + repeats)
    countries, regions = _context(chosen, gazetteer)
    sentences = sorted(article.sentences, key=lambda x: x.start)
    starts = [x.start for x in sentences]

    closeness = _proximity(chosen, gazetteer) if resolver == "context" else {}

    # first pass: containers ("Paris, Texas") are fixed/unambiguous picks of the following name
    def best(c: _Cand, container: Entry | None) -> tuple[Entry | None, float | None]:
        if c.fixed:
            return gazetteer.entries[c.fixed[0]], 1.0
        if not c.hits:
            return None, None
        if resolver == "population":
            h = max(c.hits, key=lambda h: gazetteer.entries[h.entry].population)
            return gazetteer.entries[h.entry], 1.0 / len(c.hits)
        scored = sorted(((_score(gazetteer.entries[h.entry], h.strength, countries, regions, container,
                                 closeness.get(h.entry, 0.0)), h)
                         for h in c.hits[:50]), key=lambda x: -x[0])
        top_s, top = scored[0]
        e = gazetteer.entries[top.entry]
        if (top.strength != "primary" and e.population < _ALT_UNRESOLVED_POP and not countries[e.country or ""]
                and container is None):
            return None, None
        z = sum(math.exp(4.0 * (s - top_s)) for s, _ in scored)
        return e, 1.0 / z

    firsts: list[tuple[Entry | None, float | None]] = [best(c, None) for c in chosen]
    places: list[Place] = []
    for k, c in enumerate(chosen):
        container = None
        if resolver == "context" and k + 1 < len(chosen):
            nxt = chosen[k + 1]
            gap = text[c.end:nxt.start]
            ne = firsts[k + 1][0]
            if gap.strip() == "," and ne is not None and ne.precision in ("country", "admin1"):
                container = ne
        entry, score = best(c, container) if container is not None else firsts[k]
        precision = c.precision if (c.precision == "admin2" and entry is not None) else None
        places.append(_place(c, entry, _sentence_of(sentences, starts, c.start), score, precision))
    if demonyms:
        taken = [(c.start, c.end) for c in chosen]
        for c in _demonym_cands(article, gazetteer, rules):
            if not _overlaps(c.start, c.end, taken):
                place = _place(c, gazetteer.entries[c.fixed[0]], _sentence_of(sentences, starts, c.start), 1.0)
                places.append(place.model_copy(update={"feature": "demonym"}))
        places.sort(key=lambda p: p.start)
    return article.model_copy(update={"places": places})
