#!/usr/bin/env python3
"""ACLED sub-event typing benchmark: CASE 2021 Task 2 dev snippets, scored by shared/bench/score_acled.py.

usage: python bench/bench_acled.py [--shared PATH] [--out DIR] [--limit N]

Runs the same code path as ``vigil extract`` (records in through
``vigil.pipeline.build_pipeline`` + ``process_documents``, events.md records out
through ``vigil.export.document_record``) over
shared/bench/events/case2021_task2_dev.jsonl (id, text; no publication date),
writes the system JSONL to --out (or a temporary folder), scores it with
shared/bench/score_acled.py (the label of a snippet is the ACLED sub-event type
of its first event) and prints the scorer's table, a confusion summary and the
throughput in snippets/second. Exits 0 with "skipped: ..." when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = Path("bench") / "events" / "case2021_task2_dev.jsonl"
SCORER = Path("bench") / "score_acled.py"


def load_snippets(path: Path, limit: int | None = None) -> list[dict]:
    """The snippets as pipeline input records (id and text only: the set has no dates)."""
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            docs.append({"id": str(d["id"]), "text": d["text"]})
        if limit is not None and len(docs) >= limit:
            break
    return docs


def first_label(record: dict) -> str:
    """The label score_acled.py gives a system record: first event with an ACLED sub-type, else NONE."""
    for e in record.get("events") or []:
        sub = (e.get("acled") or {}).get("sub_event_type")
        if sub:
            return sub
    return "NONE"


def confusions(gold_path: Path, system: dict[str, dict], top: int = 15) -> list[tuple[tuple[str, str], int]]:
    """The most frequent (gold, system) label pairs that disagree."""
    c: Counter[tuple[str, str]] = Counter()
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        gl = ((g.get("events") or [{}])[0]).get("acled_sub_event_type")
        if not gl or str(g["id"]) not in system:
            continue
        sl = first_label(system[str(g["id"])])
        if sl != gl:
            c[(gl, sl)] += 1
    return c.most_common(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=None, help="keep the system output in this folder")
    ap.add_argument("--limit", type=int, default=None, help="only the first N snippets (quick checks)")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    gold = shared / GOLD
    scorer = shared / SCORER
    if not (gold.exists() and scorer.exists()):
        print(f"skipped: {gold} or {scorer} not found (the shared gold sets are not in this checkout)")
        return 0

    from vigil.export import document_record
    from vigil.pipeline import Resources, build_pipeline, process_documents

    t0 = time.perf_counter()
    resources = Resources.load()
    pipeline = build_pipeline(resources=resources)
    print(f"resources loaded in {time.perf_counter() - t0:.1f}s")

    docs = load_snippets(gold, args.limit)
    t = time.perf_counter()
    articles = process_documents(docs, pipeline)
    dt = time.perf_counter() - t
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="vigil-bench-acled-"))
    out.mkdir(parents=True, exist_ok=True)
    system_path = out / "case2021.system.jsonl"
    records = {}
    with system_path.open("w", encoding="utf-8") as fh:
        for a in articles:
            rec = document_record(a)
            records[str(rec.get("id", a.id))] = rec
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    gold_for_scoring = gold
    if args.limit is not None:
        gold_for_scoring = out / "case2021.gold-subset.jsonl"
        keep = {d["id"] for d in docs}
        lines = [ln for ln in gold.read_text(encoding="utf-8").splitlines()
                 if ln.strip() and str(json.loads(ln)["id"]) in keep]
        gold_for_scoring.write_text("\n".join(lines) + "\n", encoding="utf-8")

    table = subprocess.run([sys.executable, str(scorer), str(gold_for_scoring), str(system_path)],
                           capture_output=True, text=True, check=True).stdout
    print(table, end="")
    print("most frequent confusions (gold -> system):")
    for (g, s), n in confusions(gold_for_scoring, records):
        print(f"  {n:3d}  {g} -> {s}")
    print(f"throughput: {len(docs) / dt:.1f} snippets/s ({len(docs)} snippets, {dt:.1f}s, one process)")
    print(f"system output in {system_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
