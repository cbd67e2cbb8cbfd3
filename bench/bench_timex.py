#!/usr/bin/env python3
"""Temporal-expression benchmark: TimeBank and AQUAINT (TempEval-3 TBAQ), scored by shared/bench/score_time.py.

usage: python bench/bench_timex.py [--shared PATH] [--out DIR] [--only timebank|aquaint] [--errors N] [--no-baseline]

Runs ``vigil.timex.find_timexes`` over each document's text with its DCT, writes the
system JSONL ({id, timexes: [{start, end, text, type, value}]}) to a temporary folder (or
--out), scores it with the shared scorer and prints its table, then documents/second.
--errors N also prints up to N missed, spurious and wrong-value examples for inspection.
Then both files together, and on the same data the dateparser baseline (search_dates relative
to the DCT; bench-only dependency: prints "baseline skipped: pip install dateparser" without it).
Exits 0 with "skipped: ..." when the shared folder is absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = ("timebank", "aquaint")


def load(path: Path) -> list[dict]:
    """The gold documents of one file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(docs: list[dict], repeat: int = 3) -> tuple[list[dict], float]:
    """System records for ``docs`` and the seconds one pass took (best of ``repeat``, rules compiled first)."""
    from vigil.timex import find_timexes

    find_timexes("warm-up on Monday", date(2000, 1, 1))
    best = float("inf")
    out: list[dict] = []
    for _ in range(max(1, repeat)):
        out = []
        t0 = time.perf_counter()
        for d in docs:
            dct = date.fromisoformat(d["dct"][:10]) if d.get("dct") else None
            found = find_timexes(d["text"], dct, join_ranges=False)
            out.append({"id": d["id"], "timexes": [
                {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value} for t in found]})
        best = min(best, time.perf_counter() - t0)
    return out, best


def run_dateparser(docs: list[dict]) -> tuple[list[dict], float] | None:
    """Baseline: dateparser's search_dates relative to the DCT (type DATE; value at dateparser's granularity)."""
    try:
        from dateparser.date import DateDataParser
        from dateparser.search import search_dates
    except ImportError:
        return None
    from datetime import datetime

    def value(phrase: str, dt: datetime, settings: dict) -> str:
        """The TIMEX3 value at dateparser's own granularity (year, month, week, day, time)."""
        try:
            period = DateDataParser(languages=["en"], settings=settings).get_date_data(phrase).period
        except Exception:  # noqa: BLE001 - unknown granularity: a day
            period = "day"
        if period == "year":
            return f"{dt.year:04d}"
        if period == "month":
            return f"{dt.year:04d}-{dt.month:02d}"
        if period == "week":
            iso = dt.isocalendar()
            return f"{iso[0]:04d}-W{iso[1]:02d}"
        if period == "time":
            return dt.strftime("%Y-%m-%dT%H:%M")
        return dt.date().isoformat()

    out = []
    t0 = time.perf_counter()
    for d in docs:
        base = datetime.fromisoformat(d["dct"][:10]) if d.get("dct") else None
        settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"} if base else {}
        try:
            hits = search_dates(d["text"], languages=["en"], settings=settings) or []
        except Exception:  # noqa: BLE001 - a baseline failing on one document scores as nothing found
            hits = []
        pos = 0
        tx = []
        for phrase, dt in hits:
            i = d["text"].find(phrase, pos)
            if i < 0:
                continue
            pos = i + len(phrase)
            tx.append({"start": i, "end": pos, "text": phrase, "type": "DATE", "value": value(phrase, dt, settings)})
        out.append({"id": d["id"], "timexes": tx})
    return out, time.perf_counter() - t0


def score(scorer: Path, gold_path: Path, system: list[dict], sys_path: Path) -> str:
    """The shared scorer's table for ``system`` against ``gold_path``."""
    sys_path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in system), encoding="utf-8")
    return subprocess.run([sys.executable, str(scorer), str(gold_path), str(sys_path)],
                          capture_output=True, text=True, check=True).stdout


def show_errors(gold: list[dict], system: list[dict], limit: int) -> None:
    """Print missed, spurious and wrong-value timexes (for looking at errors, never for copying)."""
    sysmap = {s["id"]: s["timexes"] for s in system}
    missed, spurious, wrong = [], [], []
    for g in gold:
        st = sysmap.get(g["id"], [])
        used: set[int] = set()
        for a in g["timexes"]:
            hit = None
            for j, b in enumerate(st):
                if j not in used and not (b["end"] <= a["start"] or a["end"] <= b["start"]):
                    hit = j
                    break
            if hit is None:
                missed.append((g["dct"], a["text"], a["value"]))
                continue
            used.add(hit)
            b = st[hit]
            if str(b["value"]) != str(a["value"]):
                wrong.append((g["dct"], a["text"], a["value"], b["text"], b["value"]))
        spurious += [(g["dct"], b["text"], b["value"]) for j, b in enumerate(st) if j not in used]
    for name, rows in (("missed", missed), ("spurious", spurious), ("wrong value", wrong)):
        print(f"--- {name}: {len(rows)}")
        for r in rows[:limit]:
            print("   ", " | ".join(map(str, r)))


def main(argv: list[str] | None = None) -> int:
    """Run, score and print; 0 also when skipped."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", choices=FILES, default=None)
    ap.add_argument("--errors", type=int, default=0)
    ap.add_argument("--no-baseline", action="store_true", help="skip the dateparser baseline (slow)")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    folder = shared / "bench" / "time"
    scorer = shared / "bench" / "score_time.py"
    if not folder.is_dir() or not scorer.is_file():
        print(f"skipped: {folder} or {scorer} not found")
        return 0
    out_dir = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="vigil-timex-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    all_gold: list[dict] = []
    all_system: list[dict] = []
    for name in (args.only,) if args.only else FILES:
        gold_path = folder / f"{name}.jsonl"
        if not gold_path.is_file():
            print(f"skipped {name}: {gold_path} not found")
            continue
        gold = load(gold_path)
        system, secs = run(gold)
        sys_path = out_dir / f"{name}.system.jsonl"
        table = score(scorer, gold_path, system, sys_path)
        print(f"== {name} ({len(gold)} docs) -> {sys_path}")
        print(table.rstrip())
        print(f"  speed {len(gold) / secs if secs else float('inf'):.1f} docs/s ({secs:.2f} s, best of 3, one core)")
        if args.errors:
            show_errors(gold, system, args.errors)
        all_gold += gold
        all_system += system
    if not all_gold:
        return 0
    both = out_dir / "all.gold.jsonl"
    both.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in all_gold), encoding="utf-8")
    system, secs = run(all_gold, repeat=5)
    print(f"== vigil, all ({len(all_gold)} docs)")
    print(score(scorer, both, system, out_dir / "all.system.jsonl").rstrip())
    print(f"  speed {len(all_gold) / secs if secs else float('inf'):.1f} docs/s ({secs:.2f} s, best of 5, one core)")
    if args.no_baseline:
        return 0
    base = run_dateparser(all_gold)
    if base is None:
        print("baseline skipped: pip install dateparser")
        return 0
    print(f"== baseline dateparser.search_dates, all ({len(all_gold)} docs)")
    print(score(scorer, both, base[0], out_dir / "all.dateparser.jsonl").rstrip())
    print(f"  speed {len(all_gold) / base[1] if base[1] else float('inf'):.1f} docs/s ({base[1]:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
