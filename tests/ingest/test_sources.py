"""iter_inputs: every kind of input, and every kind of bad input, on files we write here."""

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.errors import ConfigError, InputError
from vigil.ingest import iter_inputs, read_documents_jsonl
from vigil.schema import Article, Rejected

REPORT = "Residents rally in Berdiansk\n\nHundreds of residents rallied in Berdiansk on Sunday.\n"


def _split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Rejected)]


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def test_iter_inputs_text_file_takes_headline_and_manifest(tmp_path):
    _write(tmp_path, "a.txt", REPORT)
    _write(tmp_path, "manifest.jsonl", json.dumps({"path": "a.txt", "id": "doc-a", "published": "2022-03-06",
                                                   "outlet": "Azov Courier"}) + "\n")
    arts, rej = _split(iter_inputs([tmp_path]))
    assert not rej
    (a,) = arts
    assert (a.id, a.title, a.published, a.outlet) == ("doc-a", "Residents rally in Berdiansk", date(2022, 3, 6),
                                                      "Azov Courier")
    assert a.sha256 and len(a.sha256) == 64 and a.ingested_at is not None


def test_iter_inputs_cli_defaults_fill_missing_metadata(tmp_path):
    p = _write(tmp_path, "b.txt", REPORT)
    (a,), _ = _split(iter_inputs([p], defaults={"published": "2022-03-07", "outlet": "Wire"}))
    assert a.published == date(2022, 3, 7) and a.outlet == "Wire" and a.id == "b"


def test_iter_inputs_html_main_text(tmp_path):
    html = ("<html><head><title>Rally | Paper</title></head><body><nav>Home Sport Weather</nav><article>"
            "<h1>Rally in Izium</h1><p>Hundreds of people rallied in Izium on Monday against the occupation, "
            "carrying flags through the central streets.</p><p>Nobody was hurt, the council said later in the "
            "evening.</p></article></body></html>")
    _write(tmp_path, "c.html", html)
    (a,), rej = _split(iter_inputs([tmp_path]))
    assert not rej and "rallied in Izium" in a.text and "Sport Weather" not in a.text


def test_iter_inputs_jsonl_and_csv(tmp_path):
    _write(tmp_path, "d.jsonl", json.dumps({"id": "j1", "text": "Crowds gathered in Sumy.", "published": "2022-03-01"})
           + "\n")
    _write(tmp_path, "e.csv", 'id,text,published\nc1,"Troops entered Konotop, residents said.",2022-02-26\n')
    arts, rej = _split(iter_inputs([tmp_path]))
    assert not rej and sorted(a.id for a in arts) == ["c1", "j1"]


@pytest.mark.parametrize(("name", "data", "code"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"   \n\n ", "empty"),
    ("binary.bin", bytes(range(256)) * 4, "binary"),
    ("nul.txt", b"abc\x00def", "binary"),
    ("latin.txt", "Protest in Kyiv caf\u00e9".encode("latin-1"), "encoding"),
    ("nobody.html", b"<html><head><title>x</title></head><body></body></html>", "no_text"),
])
def test_iter_inputs_bad_file_is_one_rejection_naming_it(tmp_path, name, data, code):
    _write(tmp_path, "good.txt", REPORT)
    _write(tmp_path, name, data)
    arts, rej = _split(iter_inputs([tmp_path]))
    assert [a.id for a in arts] == ["good"]
    assert [r.code for r in rej] == [code]
    assert name in rej[0].message and "\n" not in rej[0].message


def test_iter_inputs_too_large_file_is_rejected_without_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.seek(50 * 1024 * 1024)
        fh.write(b"x")
    _, rej = _split(iter_inputs([big]))
    assert rej[0].code == "too_large" and "big.txt" in rej[0].message


def test_iter_inputs_malformed_jsonl_line_names_line_and_goes_on(tmp_path):
    lines = [json.dumps({"id": "ok1", "text": "Rally in Odesa."}), "{not json",
             json.dumps({"id": "bad-date", "text": "Rally in Lviv.", "published": "2022-13-45"}),
             json.dumps({"id": "ok2", "text": "Rally in Rivne."})]
    p = _write(tmp_path, "docs.jsonl", "\n".join(lines) + "\n")
    arts, rej = _split(iter_inputs([p]))
    assert [a.id for a in arts] == ["ok1", "ok2"]
    assert [(r.code, r.line) for r in rej] == [("json", 2), ("date", 3)]
    assert rej[1].message.startswith(f"{p}:3:") and "2022-13-45" in rej[1].message


def test_iter_inputs_manifest_bad_date_rejects_only_that_file(tmp_path):
    _write(tmp_path, "a.txt", REPORT)
    _write(tmp_path, "b.txt", REPORT.replace("Sunday", "Monday"))
    _write(tmp_path, "manifest.jsonl", json.dumps({"path": "a.txt", "published": "2022-13-45"}) + "\n"
           + json.dumps({"path": "b.txt", "published": "2022-03-08"}) + "\n")
    arts, rej = _split(iter_inputs([tmp_path]))
    assert [a.id for a in arts] == ["b"]
    assert rej[0].code == "manifest" and "a.txt" in rej[0].message and "manifest.jsonl:1" in rej[0].message


def test_iter_inputs_malformed_manifest_stops_before_reading(tmp_path):
    _write(tmp_path, "a.txt", REPORT)
    _write(tmp_path, "manifest.jsonl", "{broken\n")
    with pytest.raises(InputError, match="manifest.jsonl:1"):
        list(iter_inputs([tmp_path]))


def test_iter_inputs_bad_default_date_is_config_error(tmp_path):
    with pytest.raises(ConfigError, match="2022-13-45"):
        list(iter_inputs([tmp_path], defaults={"published": "2022-13-45"}))


def test_iter_inputs_missing_path_is_rejected(tmp_path):
    _, rej = _split(iter_inputs([tmp_path / "nope.txt"]))
    assert rej[0].code == "missing" and "nope.txt" in rej[0].message


def test_iter_inputs_same_bytes_same_sha(tmp_path):
    _write(tmp_path, "a.txt", REPORT)
    _write(tmp_path, "copy.txt", REPORT)
    arts, _ = _split(iter_inputs([tmp_path]))
    assert len({a.sha256 for a in arts}) == 1


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_read_documents_jsonl_never_raises_on_arbitrary_bytes(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fuzz") / "x.jsonl"
    p.write_bytes(data)
    for item in read_documents_jsonl(p):
        assert isinstance(item, Article | Rejected)
        if isinstance(item, Rejected):
            assert "\n" not in item.message
