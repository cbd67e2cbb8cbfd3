#!/usr/bin/env python3
"""Temporal-expression benchmark: TimeBank and AQUAINT (TempEval-3 TBAQ), scored by shared/bench/score_time.py.

usage: python bench/bench_timex.py [--shared PATH] [--out DIR] [--only timebank|aquaint] [--errors N]

Runs ``vigil.timex.find_timexes`` over each document's text with its DCT, writes the
system JSONL ({id, timexes: [{start, end, text, type, value}]}) to a temporary folder (or
--out), scores it with the shared scorer and prints its table, then documents/second.
--errors N also prints up to N missed, spurious and wrong-value examples for inspection.
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


def run(docs: list[dict]) -> tuple[list[dict], float]:
    """System records for ``docs`` and the seconds it took."""
    from vigil.timex import find_timexes

    out = []
    t0 = time.perf_counter()
    for d in docs:
        dct = date.fromisoformat(d["dct"][:10]) if d.get("dct") else None
        found = find_timexes(d["text"], dct)
        out.append({"id": d["id"], "timexes": [
            {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value} for t in found]})
    return out, time.perf_counter() - t0


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
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    folder = shared / "bench" / "time"
    scorer = shared / "bench" / "score_time.py"
    if not folder.is_dir() or not scorer.is_file():
        print(f"skipped: {folder} or {scorer} not found")
        return 0
    out_dir = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="vigil-timex-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in (args.only,) if args.only else FILES:
        gold_path = folder / f"{name}.jsonl"
        if not gold_path.is_file():
            print(f"skipped {name}: {gold_path} not found")
            continue
        gold = load(gold_path)
        system, secs = run(gold)
        sys_path = out_dir / f"{name}.system.jsonl"
        sys_path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in system), encoding="utf-8")
        table = subprocess.run([sys.executable, str(scorer), str(gold_path), str(sys_path)],
                               capture_output=True, text=True, check=True).stdout
        print(f"== {name} ({len(gold)} docs) -> {sys_path}")
        print(table.rstrip())
        print(f"  speed {len(gold) / secs if secs else float('inf'):.1f} docs/s ({secs:.2f} s)")
        if args.errors:
            show_errors(gold, system, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
