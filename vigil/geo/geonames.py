"""Import GeoNames dumps into an SQLite gazetteer: ``vigil gazetteer import FILE``.

Accepted files (tab-separated, UTF-8, as GeoNames publishes them):

- the main table, 19 columns: ``allCountries.txt``, a country file such as ``UA.txt``,
  or ``cities500.txt`` / ``cities1000.txt`` / ... (the same columns);
- ``admin1CodesASCII.txt``, 4 columns: ``CC.CODE``, name, ASCII name, geonameid.

The import streams each file line by line into a temporary SQLite file that starts
as a copy of the packaged build, validates every line (column count, numbers,
coordinates in range) and only then atomically replaces the imported gazetteer. A
corrupt or truncated file raises ``InputError`` naming the file and the line, and
leaves the existing gazetteer untouched.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from vigil.errors import InputError
from vigil.geo.gazetteer import (
    GAZETTEER_VERSION,
    Gazetteer,
    _Builder,
    _latin_key,
    build_into,
    build_packaged,
    finish_index,
    imported_path,
    normalize,
)

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

_MAIN_COLUMNS = 19
_ADMIN1_COLUMNS = 4
_BATCH = 20_000
DEFAULT_CLASSES = "PA"


def _precision(fclass: str, fcode: str) -> str | None:
    """GeoNames feature class and code -> vigil precision (None: not kept)."""
    if fclass == "P":
        return "city"
    if fclass == "A":
        if fcode.startswith("PCL"):
            return "country"
        if fcode == "ADM1":
            return "admin1"
        if fcode in ("ADM2", "ADM3"):
            return "admin2"
        return None
    return "site"


def _bad(path: Path, line: int | None, message: str) -> InputError:
    """An ``InputError`` that names the file and the line ("UA.txt:12: ...")."""
    return InputError(message, source=str(path), line=line)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of a text file; a line that is not UTF-8 is an error with its number."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise _bad(path, n, f"not UTF-8 text ({e.reason}); is the file a GeoNames dump?") from e
            # a truncated last line (no newline) is caught by the column and number checks
            yield n, line.rstrip("\r\n")


def _rows(path: Path, columns: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line number, tab-separated columns) of the data lines (no blanks, no ``#`` comments).

    With ``columns``, a line with another column count is an error with its number.
    """
    for n, line in _lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if columns is not None and len(cols) != columns:
            raise _bad(path, n, f"{len(cols)} tab-separated columns instead of {columns}; "
                             "the file is corrupt or truncated")
        yield n, cols


def _num(path: Path, n: int, what: str, value: str, kind: type, lo: float | None = None,
         hi: float | None = None) -> float | int:
    try:
        v = kind(value) if value.strip() else kind(0)
    except ValueError:
        raise _bad(path, n, f"{what} {value!r} is not a number; the file looks corrupt") from None
    if v != v or (lo is not None and v < lo) or (hi is not None and v > hi):  # v != v: NaN
        raise _bad(path, n, f"{what} {value!r} is out of range [{lo}, {hi}]; the file looks corrupt")
    return v


def _kind(path: Path) -> str:
    """``admin1`` or ``main``, from the first non-comment line's column count."""
    for n, cols in _rows(path):
        if len(cols) == _ADMIN1_COLUMNS:
            return "admin1"
        if len(cols) == _MAIN_COLUMNS:
            return "main"
        raise _bad(path, n, f"{len(cols)} tab-separated columns; a GeoNames main dump has "
                         f"{_MAIN_COLUMNS} (allCountries.txt, UA.txt, cities500.txt) and admin1CodesASCII.txt "
                         f"has {_ADMIN1_COLUMNS}")
    raise _bad(path, None, "empty file; expected a GeoNames dump")


class _Importer:
    def __init__(self, conn: sqlite3.Connection, classes: str) -> None:
        self.conn = conn
        self.classes = set(classes)
        self.next_id = int(conn.execute("SELECT coalesce(max(id), -1) + 1 FROM entries").fetchone()[0])
        self.known = {int(g) for (g,) in conn.execute("SELECT geonameid FROM entries WHERE geonameid IS NOT NULL")}
        self.admin1_names = {(c, k): n for c, k, n in conn.execute(
            "SELECT a.country, a.code, e.name FROM admin1 a JOIN entries e ON e.id = a.entry")}
        self.added = 0

    def main(self, path: Path) -> None:
        entries: list[tuple] = []
        names: list[tuple[str, int, int]] = []
        for n, cols in _rows(path, _MAIN_COLUMNS):
            gid = int(_num(path, n, "geonameid", cols[0], int, 1))
            name = cols[1].strip()
            if not name:
                raise _bad(path, n, f"empty name for geonameid {gid}; the file looks corrupt")
            lat = float(_num(path, n, "latitude", cols[4], float, -90, 90))
            lon = float(_num(path, n, "longitude", cols[5], float, -180, 180))
            pop = int(_num(path, n, "population", cols[14], int, 0, 10**10))
            fclass, fcode, cc, a1 = cols[6].strip(), cols[7].strip(), cols[8].strip() or None, cols[10].strip() or None
            if fclass not in self.classes or gid in self.known:
                continue  # (only the packaged ids are held in memory; duplicates across dumps go in dedupe())
            precision = _precision(fclass, fcode)
            if precision is None:
                continue
            i = self.next_id
            self.next_id += 1
            admin1 = self.admin1_names.get((cc or "", a1 or ""))
            if precision == "admin1":
                admin1 = name
            entries.append((i, gid, name, lat, lon, cc, admin1, a1, precision, fcode or fclass, pop, fclass))
            keys = {normalize(name): 0, normalize(cols[2]): 0}
            for alt in cols[3].split(","):
                k = _latin_key(alt) if alt and not alt.isupper() else None
                if k and k not in keys:
                    keys[k] = 1
            names += [(k, i, a) for k, a in keys.items() if k]
            if precision == "admin1" and cc and a1:
                self.conn.execute("INSERT OR IGNORE INTO admin1 (country, code, entry) VALUES (?,?,?)", (cc, a1, i))
                self.admin1_names.setdefault((cc, a1), name)
            if len(entries) >= _BATCH:
                self._flush(entries, names)
        self._flush(entries, names)

    def _flush(self, entries: list[tuple], names: list[tuple[str, int, int]]) -> None:
        self.conn.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", entries)
        self.conn.executemany("INSERT INTO names (key, entry, alt) VALUES (?,?,?)", names)
        self.added += len(entries)
        entries.clear()
        names.clear()

    def dedupe(self) -> None:
        """Keep one entry per geonameid when several dumps overlap (cities500.txt and UA.txt)."""
        self.conn.execute("CREATE INDEX IF NOT EXISTS entries_geonameid ON entries (geonameid)")
        self.conn.execute("DELETE FROM entries WHERE geonameid IS NOT NULL AND id NOT IN "
                          "(SELECT min(id) FROM entries WHERE geonameid IS NOT NULL GROUP BY geonameid)")
        self.conn.execute("DELETE FROM names WHERE entry NOT IN (SELECT id FROM entries)")

    def admin1(self, path: Path) -> None:
        rows: list[tuple[str, str, str, int]] = []
        for n, cols in _rows(path, _ADMIN1_COLUMNS):
            cc, dot, code = cols[0].partition(".")
            if not dot or len(cc) != 2 or not code or not cols[1].strip():
                raise _bad(path, n, f"{cols[0]!r} is not a 'CC.CODE' admin1 key with a name; "
                                 "the file looks corrupt")
            gid = int(_num(path, n, "geonameid", cols[3], int, 0))
            rows.append((cc, code, cols[1].strip(), gid))
        for cc, code, name, gid in rows:
            if (cc, code) not in self.admin1_names:
                pt = self.conn.execute("SELECT avg(lat), avg(lon), sum(population) FROM entries WHERE country = ? "
                                       "AND admin1_code = ? AND precision = 'city'", (cc, code)).fetchone()
                if pt[0] is None:
                    continue  # no town known in the region: no honest position for it
                i = self.next_id
                self.next_id += 1
                self.conn.execute("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                                  (i, gid or None, name, round(pt[0], 4), round(pt[1], 4), cc, name, code,
                                   "admin1", "ADM1", int(pt[2] or 0), "A"))
                self.conn.execute("INSERT OR IGNORE INTO admin1 (country, code, entry) VALUES (?,?,?)", (cc, code, i))
                self.conn.execute("INSERT INTO names (key, entry, alt) VALUES (?,?,0)", (normalize(name), i))
                self.admin1_names[(cc, code)] = name
                self.added += 1
            self.conn.execute("UPDATE entries SET admin1 = ? WHERE country = ? AND admin1_code = ? AND admin1 IS NULL",
                              (self.admin1_names[(cc, code)], cc, code))


def import_geonames(files: Sequence[str | Path], path: str | Path | None = None, *,
                    classes: str = DEFAULT_CLASSES, packaged: bool = True) -> Gazetteer:
    """Build a gazetteer from the packaged data plus GeoNames dump ``files`` and atomically write it.

    Args:
        files: GeoNames main-table dumps and/or ``admin1CodesASCII.txt`` (admin1 files are applied last).
        path: the SQLite file to write (default: ``imported_path()``, which ``load_gazetteer`` prefers).
        classes: GeoNames feature classes to keep (``P`` towns, ``A`` countries and regions, ``H``/``T``/
            ``L``/``S`` water, terrain, areas, sites).
        packaged: start from the packaged build (False: from the dumps alone, as tests do).

    Raises:
        InputError: a file is missing, not a GeoNames dump, or corrupt/truncated (message names the line);
            the existing gazetteer at ``path`` is left as it was.
    """
    target = Path(path) if path else imported_path()
    paths = [Path(f) for f in files]
    if not paths:
        raise InputError("no GeoNames file given", source="vigil gazetteer import")
    for p in paths:
        if not p.is_file():
            raise _bad(p, None, "no such file")
    kinds = {p: _kind(p) for p in paths}

    def fill(tmp: Path) -> None:
        (build_packaged() if packaged else _Builder()).write(tmp, sources="packaged" if packaged else "")
        conn = sqlite3.connect(str(tmp))
        try:
            conn.execute("DROP INDEX IF EXISTS names_key")
            imp = _Importer(conn, classes)
            for p in paths:
                if kinds[p] == "main":
                    imp.main(p)
            if sum(kinds[p] == "main" for p in paths) > 1:
                imp.dedupe()
            for p in paths:
                if kinds[p] == "admin1":
                    imp.admin1(p)
            finish_index(conn, "packaged+" + ",".join(p.name for p in paths))
            conn.commit()
            log.info("imported %d GeoNames entries into %s (%s)", imp.added, target, GAZETTEER_VERSION)
        finally:
            conn.close()

    build_into(target, fill)
    return Gazetteer(target)
