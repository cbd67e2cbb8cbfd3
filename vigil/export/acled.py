"""ACLED-style CSV: one row per event, in ACLED's column names and codes.

Columns, in this order, and how each is filled from an :class:`~vigil.schema.Event`:

- ``event_id_cnty``: ISO 3166 alpha-3 code of the event's country (pycountry) followed by
  the first 8 hex digits of the SHA-1 of the event id (stable across runs), e.g. ``UKR1a2b3c4d``;
  ``XXX`` instead of the code when the country is unknown.
- ``event_date``: the first day of the event's date interval (ISO ``YYYY-MM-DD``); empty when unknown.
- ``event_type`` / ``sub_event_type``: the event's ACLED coding (empty when ACLED has no category,
  e.g. diplomacy).
- ``actor1``: the first initiator, ``actor2``: the first target, each labelled like ACLED by kind
  and side (the side's country, else the event's country): military -> ``Military Forces of
  Russia (2000-)``, police -> ``Police Forces of Russia (2000-)``, government and officials ->
  ``Government of Ukraine (2019-)``, armed_group -> ``Unidentified Armed Group (Ukraine)``,
  protesters -> ``Protesters (Russia)``, civilians and journalists -> ``Civilians (Ukraine)``,
  other -> the actor's own text. Without a country the state labels become ``Unidentified
  Military Forces`` (police, government alike) and the others lose the bracket.
- ``interaction``: ACLED's two-digit code from the actor kinds: state forces 1 (military,
  police, government, officials), rebels 2 (armed_group), political militia 3, identity
  militia 4, rioters 5, protesters 6, civilians 7 (civilians, journalists), external/other 8;
  the smaller digit first ("17"), "60" style when only one actor is known, empty when none.
- ``country``: the full country name (ACLED spelling: "Russia", "Ukraine"); ``admin1``;
  ``location``: the location name; ``latitude`` / ``longitude``: empty when unknown.
- ``geo_precision``: 1 site or city, 2 admin2, 3 admin1 or country (3 when the precision is
  unknown); empty when the event has no location.
- ``time_precision``: 1 when the date is one day, 2 when the interval lies within a week,
  3 otherwise or when unknown.
- ``source``: the outlet of the event's article, together with the outlets of the other
  exported events of the same cluster ("; "-separated, sorted).
- ``notes``: the first evidence sentence, verbatim (the trigger text when there is none), followed by
  `` [modality: reported]`` (or claimed, unverified, denied) when the outlet does not assert it.
- ``fatalities``: an integer, 0 when unknown.

Quoting is ``csv.writer``'s with RFC 4180 CRLF row ends, so commas, quotes and any line
break (LF, CR) inside a field round-trip through ``csv.reader``. Open files with ``newline=""``.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import IO

import pycountry

from vigil.schema import Actor, Article, Event

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "interaction",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "time_precision",
    "source",
    "notes",
    "fatalities",
)

# ACLED inter codes by our actor kinds.
INTER_CODES: dict[str, int] = {
    "military": 1,
    "police": 1,
    "government": 1,
    "officials": 1,
    "armed_group": 2,
    "protesters": 6,
    "civilians": 7,
    "journalists": 7,
    "other": 8,
}

# ACLED names some countries differently from ISO 3166 (the codebook's actor and country names).
_ACLED_COUNTRY_NAMES: dict[str, str] = {"RU": "Russia"}
# ACLED dates state actors by the government period; only the ones of our corpus are known here.
_STATE_PERIODS: dict[str, str] = {"RU": "2000-", "UA": "2019-", "BY": "1994-"}
_GEO_PRECISION: dict[str, int] = {"site": 1, "city": 1, "admin2": 2, "admin1": 3, "country": 3}


def _country(code: str | None) -> tuple[str | None, str | None, str | None]:
    """(alpha-2, alpha-3, ACLED name) for an ISO code or a country name; Nones when unknown."""
    if not code or not code.strip():
        return None, None, None
    value = code.strip()
    try:
        found = pycountry.countries.lookup(value)
    except LookupError:
        return None, None, None
    a2 = found.alpha_2
    name = _ACLED_COUNTRY_NAMES.get(a2) or getattr(found, "common_name", None) or found.name
    return a2, found.alpha_3, name


def actor_label(actor: Actor, event_country: str | None = None) -> str:
    """ACLED-style label of an actor from its kind and side (or the event's country)."""
    a2, _, name = _country(actor.side)
    if name is None:
        a2, _, name = _country(event_country)
    kind = actor.kind
    if kind in ("military", "police", "government", "officials"):
        noun = {"military": "Military Forces", "police": "Police Forces"}.get(kind, "Government")
        if name is None:
            return f"Unidentified {noun}" if noun != "Government" else "Unidentified Government"
        period = _STATE_PERIODS.get(a2 or "")
        return f"{noun} of {name}" + (f" ({period})" if period else "")
    if kind == "other":
        return actor.text
    noun = {"armed_group": "Unidentified Armed Group", "protesters": "Protesters"}.get(kind, "Civilians")
    return f"{noun} ({name})" if name else noun


def interaction_code(actor1: Actor | None, actor2: Actor | None) -> str:
    """ACLED interaction: the two actors' inter codes, smaller first; "X0" for one actor, "" for none."""
    codes = sorted(INTER_CODES.get(a.kind, 8) for a in (actor1, actor2) if a is not None)
    if not codes:
        return ""
    if len(codes) == 1:
        return f"{codes[0]}0"
    return f"{codes[0]}{codes[1]}"


def time_precision(event: Event) -> int:
    """1 for a single day, 2 for an interval within a week, 3 otherwise or unknown."""
    start, end = event.date.start, event.date.end
    if start is None or end is None:
        return 3
    days = (end - start).days
    if days == 0:
        return 1
    if 0 < days < 7:
        return 2
    return 3


def _coord(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return repr(round(value, 5))


def _first(actors: Sequence[Actor], role: str) -> Actor | None:
    return next((a for a in actors if a.role == role), None)


def acled_row(event: Event, article: Article | None = None, outlets: Sequence[str] = ()) -> list[str]:
    """One CSV row (strings, in :data:`ACLED_COLUMNS` order) for ``event``."""
    loc = event.location
    _, a3, country_name = _country(loc.country if loc else None)
    digest = hashlib.sha1(event.id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    a1, a2 = _first(event.actors, "initiator"), _first(event.actors, "target")
    event_country = loc.country if loc else None
    if outlets:
        source = "; ".join(outlets)
    else:
        source = article.outlet if article is not None and article.outlet else ""
    note = event.evidence[0].text if event.evidence else event.trigger.text
    if event.modality != "asserted":
        note += f" [modality: {event.modality}]"
    if loc is None:
        geo_precision = ""
    else:
        geo_precision = str(_GEO_PRECISION.get(loc.precision or "", 3))
    fatalities = event.fatalities if event.fatalities is not None and event.fatalities >= 0 else 0
    return [
        f"{a3 or 'XXX'}{digest}",
        event.date.start.isoformat() if event.date.start else "",
        event.acled.event_type or "",
        event.acled.sub_event_type or "",
        actor_label(a1, event_country) if a1 else "",
        actor_label(a2, event_country) if a2 else "",
        interaction_code(a1, a2),
        country_name or "",
        (loc.admin1 or "") if loc else "",
        loc.name if loc else "",
        _coord(loc.lat) if loc else "",
        _coord(loc.lon) if loc else "",
        geo_precision,
        str(time_precision(event)),
        source,
        note,
        str(fatalities),
    ]


def write_acled_csv(events: Sequence[Event], fh: IO[str], articles: Mapping[str, Article]) -> int:
    """Write ``events`` as ACLED-style CSV (header + one row per event); returns the number of rows.

    ``articles`` maps doc ids to their articles (for the outlet); a missing article leaves
    ``source`` empty. Open ``fh`` with ``newline=""`` so quoted newlines round-trip.
    """
    by_cluster: dict[str, set[str]] = {}
    for e in events:
        art = articles.get(e.doc_id)
        if e.cluster and art is not None and art.outlet:
            by_cluster.setdefault(e.cluster, set()).add(art.outlet)
    writer = csv.writer(fh)  # RFC 4180 CRLF row ends: a field holding CR or LF gets quoted
    writer.writerow(ACLED_COLUMNS)
    n = 0
    for e in events:
        outlets = sorted(by_cluster.get(e.cluster, ())) if e.cluster else []
        writer.writerow(acled_row(e, articles.get(e.doc_id), outlets))
        n += 1
    return n
