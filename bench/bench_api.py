#!/usr/bin/env python3
"""API load benchmark: GET /events on a store of 10,000 events, SQLite and PostgreSQL.

usage: python bench/bench_api.py [--events 10000] [--requests 3000] [--threads 8] [--workers 2] [--time-cap 60]
                                 [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--skip-pg]

Builds a store from our own invented report templates (via ``Store.add_article``),
starts ``uvicorn`` with ``vigil.api.create_app`` on 127.0.0.1 (a free port) in a
subprocess, and runs a bounded loopback load generator (threads with
keep-alive ``http.client`` connections in 2 processes, a fixed number of requests and a time cap) against
GET /events with a few filter mixes. Prints p50/p99 latency and requests/second
per mix and overall, for SQLite and then PostgreSQL (a throwaway schema; skipped
with a message when the server is unreachable). Target on SQLite: >= 300 req/s,
p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vigil.schema import Actor, Article, Crowd, Event, EventDate, Location, Span  # noqa: E402

PLACES = [("Ivanivka", "Kherson Oblast", 46.95, 33.42), ("Prymorske", "Zaporizhzhia Oblast", 46.73, 36.35),
          ("Lisove", "Kyiv Oblast", 50.60, 30.90), ("Stepove", "Mykolaiv Oblast", 47.10, 31.90),
          ("Hirske", "Luhansk Oblast", 48.75, 38.50), ("Zelenyi Hai", "Kharkiv Oblast", 49.90, 36.40)]
OUTLETS = ["Northern Herald", "Continental Wire", "Southern Gazette", "Forest Courier", "Steppe Daily"]
TEMPLATES = [
    ("protest", "protested", "Residents of {p} protested outside the council building on {d}, witnesses said."),
    ("obstruction", "blocked", "Villagers near {p} blocked a column of trucks on the main road on {d}."),
    ("shelling", "shelled", "Artillery shelled the outskirts of {p} overnight on {d}, the mayor said."),
    ("abduction", "detained", "Soldiers detained the head of the {p} council on {d}, relatives said."),
]
MIXES = {
    "plain": "/events?limit=50",
    "type+dates": "/events?type=protest&since=2022-03-01&until=2022-03-31&limit=50",
    "bbox+offset": "/events?bbox=30,46,37,51&limit=50&offset=200",
    "admin1+modality": "/events?admin1=Kherson%20Oblast&modality=reported&limit=20",
}


def make_article(n: int, per_doc: int, rng: random.Random) -> Article:
    """One invented article with ``per_doc`` events (each sentence is one event)."""
    doc_id = f"bench-{n:05d}"
    sentences, events = [], []
    offset = 0
    start = date(2022, 2, 24)
    for k in range(per_doc):
        etype, trig, tpl = TEMPLATES[rng.randrange(len(TEMPLATES))]
        name, admin1, lat, lon = PLACES[rng.randrange(len(PLACES))]
        day = start + timedelta(days=rng.randrange(120))
        sent = tpl.format(p=name, d=day.strftime("%d %B"))
        text_start = offset
        sentences.append(sent)
        offset += len(sent) + 1

        def sp(piece: str, base: int = text_start, s: str = sent, k: int = k) -> Span:
            i = s.index(piece)
            return Span(doc_id=doc_id, start=base + i, end=base + i + len(piece), text=piece, sentence=k,
                        provenance="bench@1:template")

        events.append(Event(
            id=f"{doc_id}-e{k + 1}", doc_id=doc_id, type=etype,
            date=EventDate(start=day, end=day, evidence=sp(day.strftime("%d %B")), rule="bench"),
            location=Location(name=name, admin1=admin1, country="UA", lat=lat + rng.uniform(-0.05, 0.05),
                              lon=lon + rng.uniform(-0.05, 0.05), precision="city", evidence=sp(name)),
            actors=[Actor(text="Residents", kind="civilians", role="initiator")] if etype == "protest" else [],
            crowd=Crowd(text="hundreds", low=200, high=900) if etype == "protest" else None,
            modality=rng.choice(["asserted", "reported", "reported", "claimed"]),
            trigger=sp(trig), evidence=[Span(doc_id=doc_id, start=text_start, end=text_start + len(sent), text=sent,
                                             sentence=k)],
            field_evidence={"location": sp(name)}, salience=0.5,
            cluster=f"c-{name}-{day.isoformat()}-{etype}",
        ))
    return Article(id=doc_id, text=" ".join(sentences), title=f"Bench report {n}",
                   published=start + timedelta(days=130), outlet=OUTLETS[n % len(OUTLETS)], events=events)


def build_store(url: str, n_events: int, per_doc: int = 20) -> str:
    """Fill the store at ``url`` with ``n_events`` events; returns a viewer token."""
    from vigil.store import open_store
    from vigil.store.review import create_token

    rng = random.Random(7)
    t0 = time.perf_counter()
    with open_store(url) as store:
        for n in range(n_events // per_doc):
            store.add_article(make_article(n, per_doc, rng))
        total = store.count_events()
        _, token = create_token(store, "viewer", "bench")
    if url.startswith("postgresql"):  # what autovacuum does on a live server: statistics, visibility map
        from sqlalchemy import create_engine

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()
    print(f"  store: {total} events in {time.perf_counter() - t0:.1f} s", flush=True)
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    """``uvicorn`` over ``vigil.api`` in a subprocess (the store is migrated once before workers start)."""
    from vigil.store import open_store

    open_store(url).close()
    env = dict(os.environ, VIGIL_SERVE_DB=url, VIGIL_SERVE_WEB="0")
    cmd = [sys.executable, "-m", "uvicorn", "vigil.api:app_from_env", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
           "--http", "vigil.api.server:HttpProtocol"]  # TCP_NODELAY: no 40 ms delayed-ACK stalls
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server did not start within 60 s")


def _load_proc(port: int, token: str, indices: list[int], threads: int, stop_at: float) -> dict[str, list[float]]:
    """One load-generator process: ``threads`` keep-alive ``http.client`` connections."""
    import http.client

    lat: dict[str, list[float]] = {name: [] for name in MIXES}
    bad: list[str] = []
    names = list(MIXES)
    lock = threading.Lock()
    todo = iter(indices)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"}
        while time.time() < stop_at:
            with lock:
                i = next(todo, None)
            if i is None:
                break
            name = names[i % len(names)]
            t0 = time.perf_counter()
            conn.request("GET", MIXES[name], headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            dt = time.perf_counter() - t0
            with lock:
                lat[name].append(dt)
                if resp.status != 200 or b'"items":[{' not in body:
                    bad.append(f"{name}: {resp.status}")
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    lat["_bad"] = [float(len(bad))]
    return lat


def load(port: int, token: str, n_requests: int, threads: int, time_cap: float,
         procs: int = 2) -> dict[str, list[float]]:
    """Send ``n_requests`` GET /events (round-robin over the mixes) from ``procs`` processes x ``threads`` threads."""
    from concurrent.futures import ProcessPoolExecutor

    stop_at = time.time() + time_cap
    per = [list(range(k, n_requests, procs)) for k in range(procs)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(procs) as ex:
        parts = list(ex.map(_load_proc, [port] * procs, [token] * procs, per, [max(1, threads // procs)] * procs,
                            [stop_at] * procs))
    wall = time.perf_counter() - t0
    lat: dict[str, list[float]] = {name: [] for name in MIXES}
    bad = 0
    for part in parts:
        bad += int(part.pop("_bad")[0])
        for name, values in part.items():
            lat[name].extend(values)
    if bad:
        print(f"  {bad} bad responses")
    lat["_wall"] = [wall]
    return lat


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process and its worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def report(backend: str, lat: dict[str, list[float]], cpu: float) -> None:
    wall = lat.pop("_wall")[0]
    everything = [x for v in lat.values() for x in v]
    print(f"  {'mix':<18}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for name, values in lat.items():
        if values:
            print(f"  {name:<18}{len(values):>9}{pct(values, .5) * 1000:>9.1f}{pct(values, .99) * 1000:>9.1f}")
    rps = len(everything) / wall if wall else 0.0
    print(f"  {backend} overall: {len(everything)} requests in {wall:.1f} s = {rps:.0f} req/s, "
          f"p50 {statistics.median(everything) * 1000:.1f} ms, p99 {pct(everything, .99) * 1000:.1f} ms", flush=True)
    if everything and cpu > 0:
        per = cpu / len(everything)
        print(f"  server CPU: {per * 1000:.2f} ms per request = at most {1 / per:.0f} req/s per free core "
              f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)


def run_backend(backend: str, url: str, args: argparse.Namespace) -> None:
    print(f"{backend}: {url.split('?')[0]}", flush=True)
    token = build_store(url, args.events)
    port = free_port()
    proc = start_server(url, port, args.workers)
    try:
        load(port, token, min(200, args.requests), args.threads, args.time_cap)  # warm-up
        cpu0 = server_cpu(proc.pid)
        lat = load(port, token, args.requests, args.threads, args.time_cap)
        report(backend, lat, server_cpu(proc.pid) - cpu0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def pg_schema(pg_url: str) -> tuple[str, object] | None:
    from sqlalchemy import create_engine, text

    admin_url = pg_url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(admin_url, connect_args={"connect_timeout": 5})
    schema = f"vigil_bench_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - any connection failure means: no server here
        print(f"postgresql: skipped (not reachable at {pg_url}: {str(e).splitlines()[0]})")
        engine.dispose()
        return None
    return schema, engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (2 = one per core here)")
    ap.add_argument("--time-cap", type=float, default=60.0)
    ap.add_argument("--pg-url", default=os.environ.get("VIGIL_TEST_POSTGRES_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--skip-pg", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigil-bench-api-") as tmp:
        run_backend("sqlite", str(Path(tmp) / "bench.db"), args)
    if args.skip_pg:
        return
    made = pg_schema(args.pg_url)
    if made is None:
        return
    schema, engine = made
    try:
        run_backend("postgresql", f"{args.pg_url}?options=-csearch_path%3D{schema}", args)
    finally:
        from sqlalchemy import text

        with engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
