"""Publication-date inference for undated texts, annotate_timexes notes and the `vigil timex` command
(our own invented sentences)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vigil.cli import app
from vigil.schema import Article
from vigil.timex import annotate_timexes, find_timexes, infer_dct


@pytest.mark.parametrize(("text", "day", "reason"), [
    ("ODESA, March 5, 2022 - Volunteers filled sandbags on Thursday.", date(2022, 3, 5), "dateline"),
    ("Published 7 March 2022\nThe ferry stopped running yesterday.", date(2022, 3, 7), "dateline"),
    ("Farmers towed a tank away (VIDEO) 03/14/2022 09:12:44\nThe video spread fast.", date(2022, 3, 14), "dateline"),
    ("On the tenth day of the invasion, the market reopened.", date(2022, 3, 5), "anchor count"),
    ("The villagers have resisted the invasion for over eight days now.", date(2022, 3, 4), "anchor count"),
])
def test_infer_dct_finds_evidence(text: str, day: date, reason: str) -> None:
    guess = infer_dct(text)
    assert guess.dct == day
    assert guess.reason.startswith(reason)
    assert guess.start is not None and guess.end is not None and guess.start < guess.end


@pytest.mark.parametrize("text", [
    "Crowds gathered on Wednesday outside the town hall.",
    "The villagers have resisted for over eight days now.",  # a count, but from no named anchor
    "Farmers towed a tank away (VIDEO) 03/12/2022 09:12:44",  # March 12 or 3 December: undecidable
    "The mayor said in a long interview with the local radio that the bridge closed on March 5, 2022.",
    "",
    "\x00\ud7ff\ufffd",
])
def test_infer_dct_leaves_unknown_without_evidence(text: str) -> None:
    guess = infer_dct(text)
    assert guess.dct is None
    assert guess.reason


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_infer_dct_never_raises(text: str) -> None:
    guess = infer_dct(text)
    assert guess.dct is None or isinstance(guess.dct, date)


def test_annotate_timexes_infers_dct_and_notes_why() -> None:
    art = Article(id="u1", text="LVIV, March 9, 2022 - Sirens sounded on Tuesday night.", published=None)
    out = annotate_timexes(art)
    assert {t.text: t.value for t in out.timexes}["Tuesday night"] == "2022-03-08TNI"
    assert out.published is None
    assert any("2022-03-09" in n and "dateline" in n for n in out.notes)


def test_annotate_timexes_undated_leaves_relative_dates_unresolved() -> None:
    out = annotate_timexes(Article(id="u2", text="Sirens sounded on Tuesday.", published=None))
    assert [t.value for t in out.timexes] == ["XXXX-WXX-2"]
    assert out.timexes[0].interval is None
    assert any("unresolved" in n for n in out.notes)


def test_annotate_timexes_dated_adds_no_note() -> None:
    out = annotate_timexes(Article(id="u3", text="Sirens sounded on Tuesday.", published=date(2022, 3, 9)))
    assert out.notes == []


def test_find_timexes_post_stamp_is_an_upper_bound() -> None:
    t = find_timexes("Crowds block the bridge road — Olena K. (@olena_k_news) March 2, 2022", date(2022, 3, 3))[0]
    assert (t.value, t.relation) == ("2022-03-02", "before")


def test_find_timexes_rejects_absurd_dates() -> None:
    found = find_timexes("The order of 2022-13-45 and of February 30, the year 99999, 31.02.2022.", date(2022, 3, 4))
    assert "2022-13-45" not in [t.text for t in found]
    assert "February 30" not in [t.text for t in found]
    assert not any("99999" in t.text for t in found)


def _run(tmp_path: Path, lines: list[dict]) -> tuple[list[dict], str]:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    dst = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["timex", "--input", str(src), "--output", str(dst)], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out, res.output + (res.stderr if res.stderr_bytes is not None else "")


def test_cli_timex_dated_inferred_missing_and_bad_dct(tmp_path: Path) -> None:
    out, log = _run(tmp_path, [
        {"id": "ok", "text": "Crowds gathered on Wednesday.", "dct": "2022-03-04"},
        {"id": "dateline", "text": "KHERSON, March 3, 2022 - Crowds gathered on Wednesday."},
        {"id": "none", "text": "Crowds gathered on Wednesday."},
        {"id": "bad", "text": "Crowds gathered on Wednesday.", "dct": "2022-02-30"},
        {"id": "absurd", "text": "Crowds gathered on Wednesday.", "dct": "99999-01-01"},
    ])
    by_id = {d["id"]: d for d in out}
    assert set(by_id) == {"ok", "dateline", "none"}
    assert by_id["ok"]["timexes"] == [{"start": 19, "end": 28, "text": "Wednesday", "type": "DATE",
                                       "value": "2022-03-02"}]
    assert by_id["dateline"]["dct"] == "2022-03-03" and "dateline" in by_id["dateline"]["dct_source"]
    assert by_id["none"]["error"].startswith("no dct")
    assert by_id["none"]["timexes"][0]["value"] == "XXXX-WXX-3"
    assert "2022-02-30" in log and "99999-01-01" in log


def test_cli_timex_keeps_range_ends_apart(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, [{"id": "r", "text": "The bridge was shut between 2019 and 2021.", "dct": "2022-03-04"}])
    assert [t["value"] for t in out[0]["timexes"]] == ["2019", "2021"]
