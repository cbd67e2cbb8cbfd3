"""GeoNames dump import (our own dump-format fixture lines) and ``vigil gazetteer``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.errors import InputError
from vigil.geo import geoparse_article
from vigil.geo.geonames import import_geonames
from vigil.schema import Article, Mention

DATA = Path(__file__).parent / "data"
MAIN, ADMIN1 = DATA / "UA-mini.txt", DATA / "admin1-mini.txt"


@pytest.fixture
def imported(tmp_path):
    return import_geonames([MAIN, ADMIN1], tmp_path / "gaz.sqlite", packaged=False)


def test_import_geonames_finds_small_ukrainian_town(imported) -> None:
    [town] = imported.lookup("Vilshanka")
    assert (town.geonameid, town.country, town.precision, town.admin1) == (90000001, "UA", "city", "Kirovohrad Oblast")
    assert town.population < 15_000
    assert imported.lookup("Olshanka")[0].geonameid == 90000001  # an alternate spelling


def test_import_geonames_admin1_codes_name_regions(imported) -> None:
    reg = imported.admin1_entry("UA", "05")
    assert reg is not None and reg.name == "Donetsk Oblast" and reg.precision == "admin1"
    assert 48 < reg.lat < 49.5  # placed at its known towns


def test_import_geonames_keeps_only_requested_feature_classes(imported, tmp_path) -> None:
    assert imported.lookup("Pine Hollow Lake") == []
    assert imported.lookup("Zorivka Raion")[0].precision == "admin2"
    wide = import_geonames([MAIN], tmp_path / "wide.sqlite", packaged=False, classes="PAH")
    assert wide.lookup("Pine Hollow Lake")[0].precision == "site"


def _mentions(text: str, names: list[str]) -> list[Mention]:
    out = []
    for n in names:
        s = text.index(n)
        out.append(Mention(start=s, end=s + len(n), text=n, label="GPE"))
    return out


def test_geoparse_ambiguous_name_resolved_by_context(imported) -> None:
    plain = "Shelling hit Mykolaivka on Monday morning."
    a = geoparse_article(Article(id="a", text=plain, entities=_mentions(plain, ["Mykolaivka"])), imported)
    assert a.places[0].geonameid == 90000003  # alone: the more populous one
    text = "Shelling hit Mykolaivka, Donetsk Oblast, on Monday morning."
    b = geoparse_article(Article(id="b", text=text, entities=_mentions(text, ["Mykolaivka", "Donetsk Oblast"])),
                         imported)
    got = {p.text: p for p in b.places}
    assert got["Mykolaivka"].geonameid == 90000002
    assert got["Donetsk Oblast"].precision == "admin1"


def _good_lines() -> list[str]:
    return MAIN.read_text("utf-8").splitlines(keepends=True)


@pytest.mark.parametrize(("mutate", "line_no", "words"), [
    (lambda ls: ls[:-1] + [ls[-1][:40]], 6, "columns"),  # truncated download
    (lambda ls: ls[:2] + [ls[2].replace("46.97", "4x6.97")] + ls[3:], 3, "latitude"),
    (lambda ls: ls[:1] + [ls[1].replace("37.79", "237.79")] + ls[2:], 2, "out of range"),
    (lambda ls: ls[:3] + [ls[3].replace("48.3", "nan")] + ls[4:], 4, "out of range"),
    (lambda ls: ls[:4] + [ls[4].replace("\t0\t", "\t99999999999999\t")] + ls[5:], 5, "population"),
])
def test_import_geonames_corrupt_dump_names_line_and_keeps_gazetteer(tmp_path, mutate, line_no, words) -> None:
    target = tmp_path / "gaz.sqlite"
    import_geonames([MAIN], target, packaged=False)
    before = target.read_bytes()
    bad = tmp_path / "UA.txt"
    bad.write_text("".join(mutate(_good_lines())), "utf-8")
    with pytest.raises(InputError) as e:
        import_geonames([bad], target, packaged=False)
    assert f"UA.txt:{line_no}:" in str(e.value) and words in str(e.value)
    assert target.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".gazetteer-")]


def test_import_geonames_binary_file_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "allCountries.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage\n")
    with pytest.raises(InputError, match="allCountries.txt:1"):
        import_geonames([bad], tmp_path / "g.sqlite", packaged=False)


def test_import_geonames_missing_and_empty_files(tmp_path) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_geonames([tmp_path / "nope.txt"], tmp_path / "g.sqlite", packaged=False)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        import_geonames([empty], tmp_path / "g.sqlite", packaged=False)


def test_cli_gazetteer_import_bad_file_exits_with_line(tmp_path) -> None:
    from vigil.cli import app

    bad = tmp_path / "cities500.txt"
    bad.write_text("1\tonly three\tcolumns\n", "utf-8")
    target = tmp_path / "g.sqlite"
    res = CliRunner().invoke(app, ["gazetteer", "import", str(bad), "--output", str(target)])
    assert res.exit_code == 1
    assert "cities500.txt:1" in res.output and not target.exists()


def test_cli_gazetteer_info_lists_counts_and_lookups(imported) -> None:
    from vigil.cli import app

    res = CliRunner().invoke(app, ["gazetteer", "info", "--path", str(imported.path), "--lookup", "Vilshanka"])
    assert res.exit_code == 0, res.output
    assert '"city": 4' in res.output and "90000001" in res.output


def test_import_geonames_overlapping_dumps_keep_one_entry_per_id(tmp_path) -> None:
    copy = tmp_path / "cities500.txt"
    copy.write_text(MAIN.read_text("utf-8"), "utf-8")
    g = import_geonames([MAIN, copy], tmp_path / "g.sqlite", packaged=False)
    assert [e.geonameid for e in g.lookup("Vilshanka")] == [90000001]
    assert len(g.lookup("Mykolaivka")) == 2
