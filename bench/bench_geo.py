#!/usr/bin/env python3
"""Geoparsing benchmark: LGL (US local news), scored by shared/bench/score_geo.py.

usage: python bench/bench_geo.py [--shared PATH] [--out DIR] [--limit N]

Runs the nlp stage once per article, then the geo stage three times: vigil's context
resolver (by default, and with demonyms=True: national adjectives count as their
country, as LGL annotates them) and a population baseline (same recogniser, every recognised name -> the
most populous gazetteer entry), scores both with shared/bench/score_geo.py in the
same run and prints the tables: "resolved" scores the toponyms the geoparser gives
coordinates (the gold keeps only toponyms with coordinates), "all" also counts the
recognised-but-unresolved names (as false positives), then the throughput (articles/second) of the nlp stage and of
the geo stage alone, and the process's peak memory and the gazetteer's size on disk.

Then, on the target domain (conflict news: shared/bench/news/dev.jsonl and the
seed articles), it reports how many gold event locations are among the places
the geo stage found in the same document: a resolved place within 30 km (the
events scorer's tolerance), or the same admin1 region when the gold location is
admin1-precise. Exits 0 with "skipped: ..." when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_lgl(shared: Path, limit: int | None) -> list[dict]:
    docs = []
    with (shared / "bench" / "geo" / "lgl.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                docs.append(json.loads(line))
            if limit and len(docs) >= limit:
                break
    return docs


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def load_conflict(shared: Path) -> list[tuple[str, str, list[dict]]]:
    """(id, text, gold event locations) for the news dev set and the seed articles."""
    out = []
    news = shared / "bench" / "news" / "dev.jsonl"
    if news.is_file():
        for line in news.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out.append((str(d["id"]), d["text"], [e.get("location") or {} for e in d.get("events") or []]))
    manifest, gold = shared / "seeds" / "manifest.jsonl", shared / "bench" / "seeds" / "gold.jsonl"
    if manifest.is_file() and gold.is_file():
        paths = {json.loads(x)["id"]: json.loads(x)["path"] for x in manifest.read_text("utf-8").splitlines() if x}
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                if d["id"] in paths:
                    text = (shared / "seeds" / paths[d["id"]]).read_text(encoding="utf-8")
                    out.append((str(d["id"]), text, [e.get("location") or {} for e in d.get("events") or []]))
    return out


def location_found(loc: dict, places: list) -> bool:
    """A gold event location is found when a resolved place agrees with it."""
    for p in places:
        if not p.resolved:
            continue
        if loc.get("precision") == "admin1" and loc.get("admin1") and p.admin1 == loc.get("admin1"):
            return True
        if loc.get("lat") is not None and p.lat is not None and km(loc["lat"], loc["lon"], p.lat, p.lon) <= 30:
            return True
    return False


def conflict_report(shared: Path, nlp, gaz) -> None:
    from vigil.geo import geoparse_article
    from vigil.nlp import parse_article
    from vigil.schema import Article

    docs = load_conflict(shared)
    if not docs:
        print("\nconflict news: skipped (no shared/bench/news/dev.jsonl or seeds)")
        return
    print(f"\n== conflict news: gold event locations among the document's places ({len(docs)} documents)")
    print("| resolver | locations | found | share |")
    print("|---|---|---|---|")
    parsed = [(parse_article(Article(id=i, text=t), nlp), locs) for i, t, locs in docs]
    for resolver in ("context", "population"):
        total = found = 0
        for art, locs in parsed:
            places = geoparse_article(art, gaz, resolver=resolver).places
            for loc in locs:
                if loc.get("lat") is None and not loc.get("admin1"):
                    continue
                total += 1
                found += location_found(loc, places)
        print(f"| {resolver} | {total} | {found} | {found / total if total else 0:.3f} |")


def score(shared: Path, gold: Path, system: Path) -> dict:
    scorer = shared / "bench" / "score_geo.py"
    table = subprocess.run([sys.executable, str(scorer), str(gold), str(system)],
                           capture_output=True, text=True, check=True).stdout
    js = subprocess.run([sys.executable, str(scorer), str(gold), str(system), "--json"],
                        capture_output=True, text=True, check=True).stdout
    print(table.rstrip())
    return json.loads(js)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=None, help="folder for gold/system JSONL (default: a temporary one)")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / "bench" / "geo" / "lgl.jsonl").is_file() or not (shared / "bench" / "score_geo.py").is_file():
        print(f"skipped: {shared}/bench/geo/lgl.jsonl or score_geo.py not found")
        return 0

    from vigil.geo import geoparse_article, load_gazetteer, prepare_gazetteer
    from vigil.nlp import load_model, parse_article
    from vigil.schema import Article

    docs = load_lgl(shared, args.limit)
    t0 = time.perf_counter()
    gaz = load_gazetteer()
    t_gaz = time.perf_counter() - t0
    nlp = load_model()

    t0 = time.perf_counter()
    parsed = [parse_article(Article(id=str(d["id"]), text=d["text"]), nlp) for d in docs]
    t_nlp = time.perf_counter() - t0

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="vigil-bench-geo-"))
    out.mkdir(parents=True, exist_ok=True)
    gold = out / "gold.jsonl"
    write_jsonl(gold, [{"id": str(d["id"]), "toponyms": d.get("toponyms") or []} for d in docs])

    t0 = time.perf_counter()
    prepare_gazetteer(gaz)
    t_prep = time.perf_counter() - t0

    results = {}
    timings = {}
    # default: demonyms are not places; "context+demonyms": national adjectives count as their country, as
    # LGL annotates them ("Egyptian officials" -> Egypt), the opt-in ``demonyms=True`` / ``--demonyms``
    for resolver, demonyms in (("context", False), ("context", True), ("population", False)):
        setting = resolver + ("+demonyms" if demonyms else "")
        t0 = time.perf_counter()
        rows = []
        for a in parsed:
            g = geoparse_article(a, gaz, resolver=resolver, demonyms=demonyms)
            rows.append({"id": a.id, "toponyms": [
                {"start": p.start, "end": p.end, "name": p.name, "lat": p.lat, "lon": p.lon,
                 "geonameid": p.geonameid} for p in g.places]})
        timings[setting] = time.perf_counter() - t0
        # the gold keeps only toponyms with coordinates: score the geoparser's resolved output (names with
        # coordinates), and, for transparency, everything recognised (unresolved names count as false positives)
        resolved = [{"id": r["id"], "toponyms": [t for t in r["toponyms"] if t["lat"] is not None]} for r in rows]
        for kind, data in (("resolved", resolved), ("all", rows)):
            system = out / f"system-{setting}-{kind}.jsonl"
            write_jsonl(system, data)
            print(f"\n== vigil geo, resolver={setting}, {kind} toponyms ({len(docs)} LGL articles)")
            results[(setting, kind)] = score(shared, gold, system)

    n = len(docs)
    print("\n(context+demonyms: national adjectives count as references to their country, as LGL does; "
          "off by default)")
    print("\n| resolver | toponyms scored | P | R | F1 | acc@161km | median km | AUC |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, kind), r in results.items():
        print(f"| {name} | {kind} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['acc161']:.3f} "
              f"| {r['median_km']} | {r['auc']:.3f} |")
    print(f"\ngazetteer load {t_gaz:.2f} s, prepare {t_prep:.2f} s; nlp stage {n / t_nlp:.1f} docs/s; "
          f"geo stage (context) {n / timings['context']:.1f} docs/s; "
          f"geo stage (context+demonyms) {n / timings['context+demonyms']:.1f} docs/s; "
          f"geo stage (population) {n / timings['population']:.1f} docs/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole bench process incl. spaCy): {peak:.0f} MB; gazetteer file "
          f"{gaz.path.stat().st_size / 1e6:.1f} MB ({len(gaz)} entries)")
    print(f"files: {out}")
    conflict_report(shared, nlp, gaz)
    return 0


if __name__ == "__main__":
    sys.exit(main())
