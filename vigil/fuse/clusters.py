"""Give the events that several documents tell of one real-world event the same cluster id.

Three steps:

1. **Blocking.** Two events from different documents are candidates only when their
   types are of one family (shelling and airstrike are one family: outlets name the
   weapon differently), their date intervals overlap (one day of slack), and their
   places agree (same GeoNames id or name, at most 30 km apart, or one admin1 region when one
   side is only admin1-precise). A place mismatch is forgiven only for events of the
   same type whose evidence tells the same story: TF-IDF cosine >= ``PLACE_OVERRIDE``,
   ``OVERRIDE_TERMS`` shared content words and at least one shared name (a capitalized
   word that is not generic, ``vigil/rules/fuse/en/generic_names.yaml``): one outlet
   misplacing a story everybody else tells. So is one for two abductions or attacks on
   civilians (``VICTIM_TYPES``) that name the same victim (surname of the name opening a
   target actor; transliterations within ``SURNAME_SIMILARITY``). Two events without a place agree on place
   only vacuously, so they too must tell the same story. A campaign (an interval over
   a month, or one the text opens with "since ...") never joins a shorter event it
   merely contains, unless the evidence is the same story or the documents are copies.
2. **A scored decision.** Candidates get a score: ``BASE`` plus the TF-IDF cosine of
   their evidence sentences, plus small terms for agreeing specific dates (a vague
   interval adds only a recency prior: news tells recent events), the same place name,
   intervention, crowd, actor kinds, and a bonus when the documents are near-duplicate
   copies (MinHash). Pairs below ``JOIN`` stay apart.
3. **Best-first, consistent merging.** Pairs are merged best first. A merge is refused
   when it would put two events of one document together, join two events whose dates
   cannot overlap (``CHAIN_SLACK``: no chain links 24 February to 6 March through a
   vague report), or join two clusters that were already stored.

Incremental: ``existing`` events (already stored, with cluster ids) take part as fixed
clusters; only those whose family and dates can reach a new event are looked at. New
events may join them and stored ids never change. A new cluster is named after its
founding event (earliest publication, then document and event id), so the same input
always gives the same ids whatever its order.

Evidence similarity: TF-IDF over the evidence sentences of the events of one call
(plain Python). A packaged sentence-embedding model was not used: the one on PyPI
pulls in torch and CUDA (several GB) for a signal the structural terms mostly carry.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from rapidfuzz import fuzz
from spacy.lang.en.stop_words import STOP_WORDS

from vigil.fuse.duplicates import near_duplicates
from vigil.ruleset import load_stage_rules
from vigil.schema import Article, Event, Location

NEAR_KM = 30.0
SLACK = timedelta(days=1)
JOIN = 0.30
"""Minimum pair score for two events to be one event."""
PLACE_OVERRIDE = 0.55
"""Evidence similarity above which a place disagreement is forgiven (same type only)."""
VAGUE_DAYS = 7
"""An interval longer than this is vague: it says little about which day an event happened."""
OVERRIDE_TERMS = 4
"""...and the evidence must share at least this many content words (a bare trigger word is not a story)."""
CAMPAIGN_DAYS = 31
"""An interval longer than this is a campaign, never the same event as a one-day report it contains."""
BASE = 0.25
"""Score of two events whose type, place and dates agree, before any other evidence."""
CHAIN_SLACK = timedelta(days=2)
"""Within one cluster every two dates must overlap with this much slack (outlets differ by a day)."""
FAMILIES: dict[str, str] = {"shelling": "remote_violence", "airstrike": "remote_violence"}
"""Types that outlets use for one another; every other type is its own family."""
VICTIM_TYPES = frozenset({"abduction", "attack_on_civilians"})
"""Types whose named victim identifies the event: two reports of the kidnapping of one named mayor
on agreeing dates are one event even when one of them names the wrong town."""
SURNAME_SIMILARITY = 80.0
"""rapidfuzz ratio at or above which two surnames are one (transliterations: Matveyev, Matvieiev;
Fedorov, Fyodorov), unless one is the other's feminine form (Ivanov, Ivanova)."""

_WORD = re.compile(r"[^\W\d_]{3,}|\d+")
_SURNAME = re.compile(r"\b[A-Z][^\W\d_]{2,}(?:-[A-Z][^\W\d_]+)?")
_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][^\W\d_]{2,}")


@dataclass
class _Item:
    """One event with what the clustering needs about it."""

    event: Event
    published: date
    fixed: str | None = None
    vector: dict[str, float] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    victims: frozenset[str] = frozenset()


def _family(event_type: str) -> str:
    return FAMILIES.get(event_type, event_type)


def _km(a: Event, b: Event) -> float | None:
    return _km_between(a.location, b.location)


def _km_between(la: Location | None, lb: Location | None) -> float | None:
    if la is None or lb is None or None in (la.lat, la.lon, lb.lat, lb.lon):
        return None
    try:
        p1, l1, p2, l2 = map(math.radians, (la.lat, la.lon, lb.lat, lb.lon))  # type: ignore[arg-type]
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
        return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(max(0.0, h))))
    except (TypeError, ValueError, OverflowError):
        return None


def _norm(name: str | None) -> str:
    name = (name or "").lower()
    name = re.sub(r"\b(oblast|region|province|city|raion|district)\b", " ", name)
    return re.sub(r"[^a-z]", "", name)


def places_agree(a: Event, b: Event) -> bool:
    """Same GeoNames id or normalized name, at most 30 km apart, or one admin1 region if a side is admin1-precise."""
    return locations_agree(a.location, b.location)


def locations_agree(la: Location | None, lb: Location | None) -> bool:
    """``places_agree`` over two locations (two missing locations agree; one missing does not)."""
    if la is None or lb is None:
        return la is None and lb is None
    if la.geonameid is not None and la.geonameid == lb.geonameid:
        return True
    if _norm(la.name) and _norm(la.name) == _norm(lb.name):
        return True
    d = _km_between(la, lb)
    if d is not None and d <= NEAR_KM:
        return True
    if "admin1" in (la.precision, lb.precision):
        return bool(_norm(la.admin1)) and _norm(la.admin1) == _norm(lb.admin1)
    return False


def _dates_agree(a: Event, b: Event, slack: timedelta = SLACK) -> bool:
    s1, e1, s2, e2 = a.date.start, a.date.end, b.date.start, b.date.end
    if None in (s1, e1, s2, e2):
        return False
    try:
        return s2 <= e1 + slack and s1 <= e2 + slack  # type: ignore[operator]
    except OverflowError:
        return s2 <= e1 and s1 <= e2  # type: ignore[operator]


def _width(e: Event) -> int | None:
    if e.date.start is None or e.date.end is None:
        return None
    return (e.date.end - e.date.start).days + 1


def _campaign(e: Event) -> bool:
    """An ongoing campaign: an interval longer than ``CAMPAIGN_DAYS``, or a vague one the text opens
    with "since ..." (the date rule says so), rather than a date the text leaves unknown."""
    width = _width(e) or 1
    return width > CAMPAIGN_DAYS or (width > VAGUE_DAYS and "since" in (e.date.rule or ""))


def _recency(vague: Event, narrow: Event) -> float:
    """1.0 when the narrow date sits at the end of the vague interval, 0.0 at its start.

    A vague interval is mostly an upper bound (the report's date): news tells recent events.
    """
    if None in (vague.date.start, vague.date.end, narrow.date.end):
        return 0.0
    width = max(1, (vague.date.end - vague.date.start).days)  # type: ignore[operator]
    gap = (vague.date.end - narrow.date.end).days  # type: ignore[operator]
    return min(1.0, max(0.0, 1.0 - gap / width))


def events_match(a: Event, b: Event) -> bool:
    """True when two events could be the same real-world event: type family, place and dates agree."""
    return _family(a.type) == _family(b.type) and places_agree(a, b) and _dates_agree(a, b)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "unplaced"


def cluster_id(event: Event) -> str:
    """A readable, stable cluster id derived from the event that founded the cluster."""
    place = _slug(event.location.name) if event.location else "unplaced"
    day = event.date.start.isoformat() if event.date.start else "undated"
    digest = hashlib.sha1(event.id.encode()).hexdigest()[:6]
    return f"{place}-{day}-{event.type}-{digest}"


# --- evidence similarity (TF-IDF over the events of one call) ---------------------------


def _terms(event: Event) -> Counter[str]:
    texts = [s.text for s in event.evidence] or [event.trigger.text]
    words = (w for t in dict.fromkeys(texts) for w in _WORD.findall(t.lower()))
    return Counter(w for w in words if w not in STOP_WORDS)


@lru_cache(maxsize=1)
def generic_names() -> frozenset[str]:
    """Capitalized words that name nobody in particular (``vigil/rules/fuse/en/generic_names.yaml``)."""
    data = load_stage_rules("fuse").get("generic_names", {})
    return frozenset(str(w).lower() for rule in data.get("rules") or [] for w in rule.get("words") or [])


def _place_words(event: Event) -> set[str]:
    loc = event.location
    if loc is None:
        return set()
    return set(_WORD.findall(f"{loc.name} {loc.admin1 or ''}".lower()))


def capitalized_names(text: str) -> set[str]:
    """Lowercased capitalized words inside a sentence (not its first word), minus stop words and generic names."""
    generic = generic_names()
    return {w for m in _NAME.finditer(text) if (w := m.group(0).lower()) not in STOP_WORDS and w not in generic}


def _names(event: Event) -> set[str]:
    """The names in an event's evidence, leaving out its own place."""
    place = _place_words(event)
    return {w for span in event.evidence for w in capitalized_names(span.text) if w not in place}


def victim_surnames(event: Event) -> frozenset[str]:
    """Lowercased surnames of the named people an event was done to: the last capitalized word of the
    name that opens each target actor ("Ivan Fedorov, the mayor of Mariupol" -> fedorov; "mayor Ivan
    Fedorov" -> fedorov; "their mayor" -> none)."""
    generic = generic_names()
    out: set[str] = set()
    for actor in event.actors:
        if actor.role != "target":
            continue
        head = re.split(r",|\s(?:of|from|in|at)\s|\(", actor.text, maxsplit=1)[0]
        names = [w.lower() for w in _SURNAME.findall(head)]
        names = [w for w in names if w not in STOP_WORDS and w not in generic]
        if names:
            out.add(names[-1])
    return frozenset(out)


def _same_surname(x: str, y: str) -> bool:
    if x == y:
        return True
    if x + "a" == y or y + "a" == x:
        return False  # Ivanov, Ivanova: two people
    return x[0] == y[0] and fuzz.ratio(x, y) >= SURNAME_SIMILARITY


def _same_victim(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(_same_surname(x, y) for x in a for y in b)


def _vectors(items: Sequence[_Item]) -> None:
    bags = [_terms(it.event) for it in items]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    for it in items:
        it.names = frozenset(_names(it.event))
        it.victims = victim_surnames(it.event) if it.event.type in VICTIM_TYPES else frozenset()
    for it, bag in zip(items, bags, strict=True):
        vec = {w: (1.0 + math.log(c)) * math.log((1 + n) / (1 + df[w])) + 1.0 for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        it.vector = {w: v / norm for w, v in vec.items()}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


# --- the decision -----------------------------------------------------------------------


def pair_score(a: Event, b: Event, similarity: float, *, shared_terms: int = 0, shared_names: int = 0,
               copies: bool = False, same_victim: bool = False) -> float | None:
    """How strongly two events of different documents look like one event; None when they cannot be.

    Args:
        similarity: cosine similarity of their evidence (0..1).
        shared_terms: how many distinct content words their evidence shares.
        shared_names: how many rare names (people, units, organisations) their evidence shares.
        copies: their documents are near-duplicate copies of one text.
        same_victim: both name the same person as the victim (``VICTIM_TYPES`` only): a place
            disagreement is forgiven.
    """
    if _family(a.type) != _family(b.type) or not _dates_agree(a, b):
        return None
    place_ok = places_agree(a, b)
    same_story = similarity >= PLACE_OVERRIDE and shared_terms >= OVERRIDE_TERMS and shared_names >= 1
    same_story = same_story or (same_victim and a.type == b.type and a.type in VICTIM_TYPES)
    if not place_ok and (a.type != b.type or not same_story):
        return None
    if a.location is None and b.location is None and not (same_story or copies):
        return None  # two unplaced events agree on place only vacuously: the story itself must match
    wa, wb = _width(a) or 1, _width(b) or 1
    if _campaign(a) != _campaign(b) and not (same_story or copies):
        return None  # a months-long campaign is not the shorter event it contains
    score = BASE + similarity
    if a.type != b.type:
        score -= 0.1
    if max(wa, wb) <= VAGUE_DAYS:
        score += 0.25 if (a.date.start, a.date.end) == (b.date.start, b.date.end) else 0.15
    elif min(wa, wb) <= VAGUE_DAYS:
        score += 0.1 * _recency(a, b) if wa > wb else 0.1 * _recency(b, a)
    if place_ok and a.location is not None and b.location is not None:
        same = (a.location.geonameid is not None and a.location.geonameid == b.location.geonameid) or (
            _norm(a.location.name) and _norm(a.location.name) == _norm(b.location.name))
        score += 0.05 if same else 0.0
    if a.intervention and b.intervention:
        score += 0.05 if a.intervention == b.intervention else -0.05
    if a.crowd and b.crowd and None not in (a.crowd.low, a.crowd.high, b.crowd.low, b.crowd.high):
        overlap = a.crowd.low <= b.crowd.high and b.crowd.low <= a.crowd.high  # type: ignore[operator]
        score += 0.05 if overlap else 0.0
    ka = {(x.kind, x.role) for x in a.actors}
    kb = {(x.kind, x.role) for x in b.actors}
    if ka and kb:
        score += 0.05 * len(ka & kb) / len(ka | kb)
    if copies:
        score += 0.5
    return score


class _Clusters:
    """Union-find over items with the consistency checks of a merge."""

    def __init__(self, items: Sequence[_Item]) -> None:
        self.items = items
        self.parent = list(range(len(items)))
        self.members: dict[int, list[int]] = {i: [i] for i in range(len(items))}
        self.fixed: dict[int, str | None] = {i: it.fixed for i, it in enumerate(items)}
        first: dict[str, int] = {}
        for i, it in enumerate(items):  # existing events of one stored cluster start together
            if it.fixed is not None:
                if it.fixed in first:
                    self._union(self.find(first[it.fixed]), self.find(i))
                else:
                    first[it.fixed] = i

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def _union(self, ra: int, rb: int) -> None:
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        self.fixed[ra] = self.fixed[ra] or self.fixed.pop(rb, None)

    def try_merge(self, i: int, j: int) -> bool:
        ra, rb = self.find(i), self.find(j)
        if ra == rb:
            return False
        if self.fixed.get(ra) and self.fixed.get(rb):
            return False  # two stored clusters keep their ids: never merged behind the user's back
        ma, mb = self.members[ra], self.members[rb]
        docs_a = {self.items[k].event.doc_id for k in ma}
        if any(self.items[k].event.doc_id in docs_a for k in mb):
            return False
        if not all(_dates_agree(self.items[x].event, self.items[y].event, CHAIN_SLACK) for x in ma for y in mb):
            return False
        if len(ma) < len(mb):
            ra, rb = rb, ra
        self._union(ra, rb)
        return True


def _candidate_pairs(items: Sequence[_Item], copies: Mapping[str, str]) -> list[tuple[float, str, str, int, int]]:
    by_family: dict[str, list[int]] = {}
    for n, it in enumerate(items):
        by_family.setdefault(_family(it.event.type), []).append(n)
    pairs = []
    for idx in by_family.values():
        idx = sorted(idx, key=lambda n: (items[n].event.date.start or date.max))
        for pos, i in enumerate(idx):
            a = items[i]
            if a.event.date.start is None or a.event.date.end is None:
                continue
            for j in idx[pos + 1:]:
                b = items[j]
                if b.event.date.start is None:
                    break
                if b.event.date.start > a.event.date.end + SLACK:
                    break
                if a.event.doc_id == b.event.doc_id or (a.fixed is not None and b.fixed is not None):
                    continue
                root_a = copies.get(a.event.doc_id, a.event.doc_id)
                root_b = copies.get(b.event.doc_id, b.event.doc_id)
                shared = len(a.vector.keys() & b.vector.keys())
                s = pair_score(a.event, b.event, _cosine(a.vector, b.vector), shared_terms=shared,
                               shared_names=len((a.names & b.names) - _place_words(a.event) - _place_words(b.event)),
                               copies=root_a == root_b, same_victim=_same_victim(a.victims, b.victims))
                if s is not None and s >= JOIN:
                    ka, kb = sorted((a.event.id, b.event.id))
                    pairs.append((-s, ka, kb, i, j))
    pairs.sort()
    return pairs


def _safe_dates(e: Event) -> bool:
    try:
        return e.date.start is None or e.date.end is None or e.date.end + SLACK > e.date.start - SLACK
    except OverflowError:
        return False


def _reach(events: Sequence[Event]) -> dict[str, list[tuple[date, date]]]:
    """Per type family, the merged day ranges (with slack) that new events can join."""
    spans: dict[str, list[tuple[date, date]]] = {}
    for e in events:
        if e.date.start is None or e.date.end is None or not _safe_dates(e):
            continue
        try:
            lo, hi = e.date.start - SLACK, e.date.end + SLACK
        except OverflowError:
            lo, hi = e.date.start, e.date.end
        spans.setdefault(_family(e.type), []).append((lo, hi))
    merged: dict[str, list[tuple[date, date]]] = {}
    for fam, ranges in spans.items():
        out: list[tuple[date, date]] = []
        for lo, hi in sorted(ranges):
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], hi))
            else:
                out.append((lo, hi))
        merged[fam] = out
    return merged


def _within(e: Event, reach: Mapping[str, list[tuple[date, date]]]) -> bool:
    ranges = reach.get(_family(e.type))
    if not ranges or e.date.start is None or e.date.end is None:
        return False
    k = bisect.bisect_right(ranges, (e.date.end, date.max)) - 1
    return k >= 0 and ranges[k][1] >= e.date.start


def assign_clusters(
    articles: Sequence[Article],
    existing: Sequence[Event] = (),
    *,
    duplicates: Mapping[str, str] | None = None,
) -> list[Article]:
    """Return copies of ``articles`` whose events carry a ``cluster`` id.

    Args:
        existing: events already stored, with their cluster ids; new events may
            join their clusters, and their ids never change.
        duplicates: copy doc id -> original doc id (``near_duplicates``); events of
            copies of one text are easier to join.

    >>> from datetime import date
    >>> from vigil.schema import Article, Event, EventDate, Location, Span
    >>> def art(doc):
    ...     ev = Event(id=doc + ":e0", doc_id=doc, type="protest",
    ...                trigger=Span(doc_id=doc, start=0, end=5, text="rally"), location=Location(name="Kherson"),
    ...                date=EventDate(start=date(2022, 3, 5), end=date(2022, 3, 5)))
    ...     return Article(id=doc, text="rally", events=[ev])
    >>> out = assign_clusters([art("a"), art("b")])
    >>> out[0].events[0].cluster == out[1].events[0].cluster
    True
    """
    published = {a.id: a.published or date.max for a in articles}
    new_ids = {e.id for a in articles for e in a.events}
    reach = _reach([e for a in articles for e in a.events])
    items: list[_Item] = [
        _Item(ev, date.min, fixed=ev.cluster) for ev in existing
        if ev.cluster and ev.id not in new_ids and _safe_dates(ev) and _within(ev, reach)
    ]
    first_new = len(items)
    items.extend(_Item(ev, published.get(a.id, date.max)) for a in articles for ev in a.events if _safe_dates(ev))
    _vectors(items)
    if duplicates is None:
        duplicates = near_duplicates(articles)
    clusters = _Clusters(items)
    for _, _, _, i, j in _candidate_pairs(items, duplicates):
        clusters.try_merge(i, j)

    assigned: dict[str, str] = {}
    for root, members in clusters.members.items():
        fixed = clusters.fixed.get(root)
        if fixed is None:
            founder = min((items[k] for k in members), key=lambda it: (it.published, it.event.doc_id, it.event.id))
            fixed = cluster_id(founder.event)
        for k in members:
            if k >= first_new:
                assigned[items[k].event.id] = fixed
    out = []
    for a in articles:
        events = [e.model_copy(update={"cluster": assigned.get(e.id) or cluster_id(e)}) for e in a.events]
        out.append(a.model_copy(update={"events": events}))
    return out


def cluster_members(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Group events by cluster id (an event without one is its own cluster)."""
    groups: dict[str, list[Event]] = {}
    for e in events:
        groups.setdefault(e.cluster or e.id, []).append(e)
    return groups
