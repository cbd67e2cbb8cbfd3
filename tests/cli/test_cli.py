"""The command line end to end on our own example articles (the packaged demo set and files written here)."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli import app

pytestmark = pytest.mark.model
EXAMPLES = Path(__file__).resolve().parents[2] / "vigil" / "data" / "examples"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, runner) -> str:
    db = str(tmp_path_factory.mktemp("cli") / "demo.db")
    res = runner.invoke(app, ["run", str(EXAMPLES), "--db", db])
    assert res.exit_code == 0, res.output
    return db


def test_cli_run_reports_counts(demo_db, runner):
    res = runner.invoke(app, ["run", str(EXAMPLES), "--db", demo_db])
    assert res.exit_code == 0
    assert "5 documents read, 0 stored, 5 already in the store" in res.output


def test_cli_events_filters_by_type_and_date(demo_db, runner):
    res = runner.invoke(app, ["events", "--db", demo_db, "--type", "obstruction", "--json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert rows and all(r["type"] == "obstruction" for r in rows)
    assert {r["location"]["name"] for r in rows} == {"Enerhodar"}
    # both outlets' reports of the Enerhodar blockade are one cluster
    assert len({r["cluster"] for r in rows}) == 1 and len({r["doc_id"] for r in rows}) == 2
    res = runner.invoke(app, ["events", "--db", demo_db, "--since", "2022-03-14", "--json"])
    late = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert late and all(r["date"]["end"] >= "2022-03-14" for r in late)


def test_cli_events_rejects_unknown_type(demo_db, runner):
    res = runner.invoke(app, ["events", "--db", demo_db, "--type", "riot"])
    assert res.exit_code == 1
    assert "unknown event type 'riot'" in res.output


@pytest.mark.parametrize("fmt", ["acled-csv", "geojson", "jsonl"])
def test_cli_export_formats(demo_db, runner, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    res = runner.invoke(app, ["export", "--db", demo_db, "--format", fmt, "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    if fmt == "acled-csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and rows[0].keys() >= {"event_id_cnty", "event_date", "sub_event_type", "latitude"}
    elif fmt == "geojson":
        fc = json.loads(text)
        assert fc["type"] == "FeatureCollection" and fc["features"]
    else:
        docs = [json.loads(line) for line in text.splitlines()]
        assert {d["id"] for d in docs} >= {"example-enerhodar-convoy", "example-skadovsk-mayor"}


def test_cli_extract_is_stateless_and_reports_bad_lines(runner, tmp_path):
    src = tmp_path / "docs.jsonl"
    src.write_text(
        json.dumps({"id": "d1", "published": "2022-03-10", "text": "Protest in Kherson\n\nHundreds of residents "
                    "rallied in Kherson on Wednesday against the occupation."}) + "\n"
        + "{oops\n"
        + json.dumps({"id": "d2", "published": "2022-13-45", "text": "Rally in Kherson."}) + "\n",
        encoding="utf-8")
    out = tmp_path / "events.jsonl"
    res = runner.invoke(app, ["extract", "--input", str(src), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert f"{src}:2" in res.output and f"{src}:3" in res.output and "2022-13-45" in res.output
    (doc,) = [json.loads(line) for line in out.read_text().splitlines()]
    ev = doc["events"][0]
    assert (ev["type"], ev["location"]["name"], ev["date"]) == (
        "protest", "Kherson", {"start": "2022-03-09", "end": "2022-03-09"})
    assert ev["cluster"]


def test_cli_extract_missing_input_is_one_line_error(runner, tmp_path):
    res = runner.invoke(app, ["extract", "--input", str(tmp_path / "none.jsonl")])
    assert res.exit_code == 1 and "does not exist" in res.output


def test_cli_run_bad_files_do_not_stop_the_run(runner, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "blob.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "in" / "ok.txt").write_text("Rally in Sumy\n\nHundreds of residents rallied in Sumy on Monday.\n")
    db = str(tmp_path / "v.db")
    res = runner.invoke(app, ["run", str(tmp_path / "in"), "--db", db, "--published", "2022-03-08"])
    assert res.exit_code == 0, res.output
    assert "empty.txt" in res.output and "blob.bin" in res.output
    assert "3 documents read, 1 stored" in res.output


def test_cli_run_bad_published_flag(runner, tmp_path):
    res = runner.invoke(app, ["run", str(EXAMPLES), "--db", str(tmp_path / "x.db"), "--published", "2022-13-45"])
    assert res.exit_code == 1 and "2022-13-45" in res.output
