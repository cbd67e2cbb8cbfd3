"""Gazetteer build, lookups and the on-disk cache."""

from __future__ import annotations

import pickle
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


def _tiny() -> Gazetteer:
    b = gz._Builder()
    i = b.add(gz.Entry(1, "Testville", 1.0, 2.0, "UA", None, None, "city", "PPL", 5000))
    b.key("Testville", i, "primary")
    return b.finish()


def test_load_gazetteer_rebuilds_corrupt_cache(tmp_path, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(gz, "build_gazetteer", lambda: calls.append(1) or _tiny())
    monkeypatch.setattr(gz, "_LOADED", {})
    path = tmp_path / "gaz.pkl"
    path.write_bytes(b"\x80\x05not a pickle at all")
    g = load_gazetteer(str(path))
    assert calls == [1]
    assert g.lookup("Testville")[0].name == "Testville"
    # the rebuilt cache is written back and read without another build
    monkeypatch.setattr(gz, "_LOADED", {})
    assert load_gazetteer(str(path)).lookup("Testville")
    assert calls == [1]


def test_default_cache_lives_under_vigil_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path))
    monkeypatch.setattr(gz, "build_gazetteer", _tiny)
    monkeypatch.setattr(gz, "_LOADED", {})
    load_gazetteer()
    files = list((tmp_path / "geo").glob("gazetteer-*.pkl"))
    assert len(files) == 1 and gz.GAZETTEER_VERSION in files[0].name


def test_load_gazetteer_rebuilds_when_cache_is_another_object(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(gz, "build_gazetteer", _tiny)
    monkeypatch.setattr(gz, "_LOADED", {})
    path = tmp_path / "gaz.pkl"
    path.write_bytes(pickle.dumps({"not": "a gazetteer"}))
    assert load_gazetteer(str(path)).lookup("Testville")
