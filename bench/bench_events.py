#!/usr/bin/env python3
"""Event extraction benchmark: seeds and news dev, scored by shared/bench/score_events.py.

usage: python bench/bench_events.py [--shared PATH] [--out DIR] [--only seeds|news]

Runs the same code path as ``vigil extract`` (records in, events.md records out,
cluster ids across the whole input) over
  - the three seed articles (texts in shared/seeds, metadata in manifest.jsonl),
  - shared/bench/news/dev.jsonl,
scores each with shared/bench/score_events.py and prints the tables, then the
throughput of vigil (articles/second on one process, model loaded beforehand)
beside the bare spaCy model (``nlp.pipe`` over the same texts, full pipeline)
in the same run. Exits 0 with "skipped: ..." when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_seeds(shared: Path) -> list[dict]:
    docs = []
    manifest = shared / "seeds" / "manifest.jsonl"
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        m = json.loads(line)
        text = (shared / "seeds" / m["path"]).read_text(encoding="utf-8")
        docs.append({"id": m["id"], "text": text, "published": m.get("published"),
                     "outlet": m.get("outlet"), "url": m.get("url")})
    return docs


def load_news(shared: Path) -> list[dict]:
    docs = []
    for line in (shared / "bench" / "news" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            docs.append({k: d.get(k) for k in ("id", "text", "published", "outlet", "url")})
    return docs


def score(shared: Path, gold: Path, system: Path) -> dict:
    scorer = shared / "bench" / "score_events.py"
    table = subprocess.run([sys.executable, str(scorer), str(gold), str(system)],
                           capture_output=True, text=True, check=True).stdout
    js = subprocess.run([sys.executable, str(scorer), str(gold), str(system), "--json"],
                        capture_output=True, text=True, check=True).stdout
    print(table)
    return json.loads(js)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=None, help="keep system outputs in this folder")
    ap.add_argument("--only", choices=("seeds", "news"), default=None)
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / "bench" / "score_events.py").exists():
        print(f"skipped: {shared} not found (the shared gold sets are not in this checkout)")
        return 0

    from vigil.export import document_record
    from vigil.pipeline import Resources, build_pipeline, process_documents

    t0 = time.perf_counter()
    resources = Resources.load()
    pipeline = build_pipeline(resources=resources)
    print(f"resources loaded in {time.perf_counter() - t0:.1f}s")
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    out.mkdir(parents=True, exist_ok=True)

    sets = {
        "seeds": (load_seeds(shared), shared / "bench" / "seeds" / "gold.jsonl"),
        "news": (load_news(shared), shared / "bench" / "news" / "dev.jsonl"),
    }
    summary: dict[str, dict] = {}
    all_texts: list[str] = []
    vigil_seconds = 0.0
    for name, (docs, gold) in sets.items():
        if args.only and name != args.only:
            continue
        t = time.perf_counter()
        articles = process_documents(docs, pipeline)
        dt = time.perf_counter() - t
        vigil_seconds += dt
        all_texts.extend(d["text"] for d in docs)
        system = out / f"{name}.system.jsonl"
        with system.open("w", encoding="utf-8") as fh:
            for a in articles:
                fh.write(json.dumps(document_record(a), ensure_ascii=False) + "\n")
        print(f"== {name}: {len(docs)} articles, {dt:.2f}s ({len(docs) / dt:.1f} articles/s)")
        summary[name] = score(shared, gold, system)

    # bare spaCy over the same texts in the same run
    nlp = resources.nlp
    t = time.perf_counter()
    for _ in nlp.pipe(all_texts, batch_size=32):
        pass
    bare = time.perf_counter() - t
    n = len(all_texts)
    print("== summary")
    for name, r in summary.items():
        c = r["cross_document"]
        print(f"{name:6s} event P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}  "
              f"date_exact {r['fields']['date_exact']}  location_30km {r['fields']['location_30km']}  "
              f"cross-doc F1 {c['f1']:.3f}")
    print(f"throughput: vigil {n / vigil_seconds:.1f} articles/s on one process; "
          f"bare spaCy nlp.pipe {n / bare:.1f} articles/s ({n} articles)")
    print(f"system outputs in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
