"""``vigil geoparse`` end to end on invented text: unresolved names, --resolved-only and --demonyms."""

import json

import pytest
from typer.testing import CliRunner

from vigil.cli import app

pytestmark = pytest.mark.model

TEXT = ("Egyptian officials met farmers in Lviv and on Zorblaxian Avenue in Chasiv Yar on Monday, "
        "near Fort Quimbly.")


def _geoparse(tmp_path, *flags: str) -> list[dict]:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "g1", "text": TEXT}) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["geoparse", "--input", str(src), "--output", str(dst), *flags])
    assert res.exit_code == 0, res.output
    (line,) = dst.read_text(encoding="utf-8").splitlines()
    rec = json.loads(line)
    assert rec["id"] == "g1"
    for t in rec["toponyms"]:
        assert set(t) >= {"start", "end", "name", "lat", "lon", "geonameid", "precision"}
    return rec["toponyms"]


def test_geoparse_lists_unresolved_names_with_null_coordinates(tmp_path):
    tops = _geoparse(tmp_path)
    by_text = {TEXT[t["start"]:t["end"]]: t for t in tops}
    assert by_text["Lviv"]["lat"] == pytest.approx(49.84, abs=0.05)
    assert by_text["Chasiv Yar"]["geonameid"] is not None
    unresolved = [t for t in tops if t["lat"] is None]
    assert unresolved, "a recognised but unplaced name is reported, not dropped"
    assert all(t["lon"] is None and t["geonameid"] is None for t in unresolved)
    assert "Egyptian" not in by_text  # demonyms are off by default


def test_geoparse_resolved_only_and_demonyms(tmp_path):
    tops = _geoparse(tmp_path, "--resolved-only", "--demonyms")
    assert tops and all(t["lat"] is not None and t["lon"] is not None for t in tops)
    first = tops[0]
    assert TEXT[first["start"]:first["end"]] == "Egyptian"
    assert first["demonym"] is True and first["precision"] == "country"
    assert [TEXT[t["start"]:t["end"]] for t in tops[1:]] == ["Lviv", "Chasiv Yar"]
