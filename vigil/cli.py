"""The ``vigil`` command line: a thin layer over the Python API.

Every command reads files (or ``-`` for stdin) and writes files (or stdout);
progress goes to stderr, and only on a terminal. A ``VigilError`` becomes one
``Error: ...`` line on stderr and exit code 1 (a traceback only with --debug).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from vigil import __version__
from vigil.errors import ConfigError, VigilError
from vigil.schema import EVENT_TYPES, Event, Rejected

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])
out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)
STATE: dict[str, Any] = {"debug": False}

DEFAULT_DB = "vigil.db"
DbOpt = Annotated[str, typer.Option("--db", envvar="VIGIL_DB", help="SQLite file path or SQLAlchemy URL.")]


def _fail(e: Exception) -> None:
    if STATE["debug"]:
        raise e
    err.print(f"Error: {e}", markup=False, highlight=False)
    raise typer.Exit(1)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except VigilError as e:
        _fail(e)


def _report(r: Rejected) -> None:
    where = f"{r.source}:{r.line}" if r.line is not None else r.source
    msg = r.message if r.message.startswith(where) else f"{where}: {r.message}"
    err.print(f"skipped [{r.code}] {msg}", markup=False, highlight=False)


def _parse_day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise ConfigError(f"{flag} {value!r} is not a date; use YYYY-MM-DD") from e


@contextmanager
def _open_out(path: str | None) -> Iterator[IO[str]]:
    if path in (None, "-"):
        yield sys.stdout
        return
    target = Path(path)  # type: ignore[arg-type]
    if target.parent and not target.parent.exists():
        raise ConfigError(f"output folder {str(target.parent)!r} does not exist")
    tmp = target.with_name(target.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        yield fh
    os.replace(tmp, target)


def _progress(total: int | None = None):  # type: ignore[no-untyped-def]
    """A rich progress bar on stderr when it is a terminal, else a no-op callback."""
    from rich.progress import Progress

    if not err.is_terminal:
        return None, None
    prog = Progress(console=err, transient=True)
    task = prog.add_task("processing", total=total)
    return prog, (lambda n: prog.update(task, completed=n))


def _pipeline() -> Any:
    from vigil.pipeline import build_pipeline

    return build_pipeline()


def _events_table(events: list[Event], title: str, *, evidence: bool = True) -> Table:
    t = Table(title=title, show_lines=evidence)
    for col in ("id", "type", "date", "place", "modality", "acled", "actors/crowd"):
        t.add_column(col, overflow="fold")
    if evidence:
        t.add_column("evidence", overflow="fold", ratio=3)
    for e in events:
        d = e.date
        when = "?" if not d.start else (str(d.start) if d.start == d.end else f"{d.start}..{d.end}")
        place = "-" if e.location is None else f"{e.location.name} ({e.location.precision or '?'})"
        kind = e.type + (f" / {e.intervention}" if e.intervention else "")
        acled = e.acled.sub_event_type or "-"
        who = "; ".join(f"{a.text} [{a.kind}/{a.role}]" for a in e.actors[:3])
        if e.crowd:
            who += f"; crowd {e.crowd.text}"
        row = [e.id, kind, when, place, e.modality, acled, who or "-"]
        if evidence:
            row.append(" | ".join(s.text for s in e.evidence[:2]))
        t.add_row(*row)
    return t


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """vigil: news reports in, verified, mapped, dated, evidence-linked events out."""
    STATE["debug"] = debug
    if version:
        out.print(f"vigil {__version__}")
        raise typer.Exit(0)


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .txt, .html, .jsonl, .csv.")],
    db: DbOpt = DEFAULT_DB,
    manifest: Annotated[Path | None, typer.Option(help="JSONL sidecar: path, id, published, outlet, url.")] = None,
    published: Annotated[str | None, typer.Option(help="Publication date for files without one.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet for files without one.")] = None,
    url: Annotated[str | None, typer.Option(help="URL for files without one.")] = None,
) -> None:
    """Ingest, extract and fuse articles into the store (one transaction per document)."""
    from vigil.ingest import iter_inputs
    from vigil.jobs import run_into_store
    from vigil.store import open_store

    with _errors():
        _parse_day(published, "--published")
        defaults = {k: v for k, v in {"published": published, "outlet": outlet, "url": url}.items() if v}
        store = open_store(db)
        try:
            pipeline = _pipeline()
            prog, cb = _progress()
            items = iter_inputs(paths, manifest=manifest, defaults=defaults)
            if prog:
                with prog:
                    summary = run_into_store(items, store, pipeline, on_reject=_report, progress=cb)
            else:
                summary = run_into_store(items, store, pipeline, on_reject=_report)
        finally:
            store.close()
    err.print(summary.line(), markup=False, highlight=False)


@app.command()
def events(
    db: DbOpt = DEFAULT_DB,
    type: Annotated[str | None, typer.Option("--type", help=f"One of: {', '.join(EVENT_TYPES)}.")] = None,
    since: Annotated[str | None, typer.Option(help="Events ending on or after this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Events starting on or before this date.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO country code, e.g. UA.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line instead of a table.")] = False,
) -> None:
    """List stored events as a table (or JSON lines)."""
    from vigil.store import open_store

    with _errors():
        if type is not None and type not in EVENT_TYPES:
            raise ConfigError(f"unknown event type {type!r}. Valid: {', '.join(EVENT_TYPES)}")
        s, u = _parse_day(since, "--since"), _parse_day(until, "--until")
        store = open_store(db)
        try:
            found = store.query_events(type=type, since=s, until=u, country=country, limit=limit)
        finally:
            store.close()
    if as_json:
        for e in found:
            sys.stdout.write(e.model_dump_json() + "\n")
        return
    out.print(_events_table(found, f"{len(found)} events", evidence=False))


@app.command()
def show(event_id: str, db: DbOpt = DEFAULT_DB) -> None:
    """Print one event with its evidence, sources and the other events of its cluster."""
    from vigil.store import open_store

    with _errors():
        store = open_store(db)
        try:
            ev = store.get_event(event_id)
            if ev is None:
                raise ConfigError(f"no event with id {event_id!r} in {db}; list them with `vigil events --db {db}`")
            siblings = store.query_events(cluster=ev.cluster) if ev.cluster else [ev]
            article = store.get_article(ev.doc_id)
        finally:
            store.close()
    out.print(_events_table([ev], f"event {ev.id} (cluster {ev.cluster})"))
    if article is not None:
        out.print(f"source: {article.id}  outlet: {article.outlet}  published: {article.published}  "
                  f"sha256: {article.sha256}", markup=False)
    for name, span in sorted(ev.field_evidence.items()):
        out.print(f"  {name}: [{span.start}:{span.end}] {span.text!r}", markup=False, highlight=False)
    others = [e for e in siblings if e.id != ev.id]
    if others:
        out.print(_events_table(others, f"{len(others)} other reports of the same event", evidence=True))


@app.command()
def export(
    db: DbOpt = DEFAULT_DB,
    format: Annotated[str, typer.Option("--format", "-f", help="acled-csv, geojson or jsonl.")] = "jsonl",
    output: Annotated[str | None, typer.Option("--output", "-o", help="File to write; - or none: stdout.")] = None,
    type: Annotated[str | None, typer.Option("--type")] = None,
    since: Annotated[str | None, typer.Option()] = None,
    until: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Export stored events: ACLED-style CSV, GeoJSON or JSONL (events.md documents)."""
    from vigil.export import EXPORTERS, write_acled_csv, write_geojson, write_jsonl
    from vigil.store import open_store

    with _errors():
        if format not in EXPORTERS:
            raise ConfigError(f"unknown export format {format!r}. Valid: {', '.join(EXPORTERS)}")
        s, u = _parse_day(since, "--since"), _parse_day(until, "--until")
        store = open_store(db)
        try:
            found = store.query_events(type=type, since=s, until=u)
            doc_ids = sorted({e.doc_id for e in found})
            articles = {d: a for d in doc_ids if (a := store.get_article(d)) is not None}
        finally:
            store.close()
        with _open_out(output) as fh:
            if format == "jsonl":
                keep = {e.id for e in found}
                docs = [a.model_copy(update={"events": [e for e in a.events if e.id in keep]})
                        for a in articles.values()]
                n = write_jsonl(docs, fh)
                what = "documents"
            elif format == "geojson":
                n = write_geojson(found, fh, articles)
                what = f"located events of {len(found)}"
            else:
                n = write_acled_csv(found, fh, articles)
                what = "events"
    err.print(f"wrote {n} {what} ({format}) to {output or 'stdout'}", markup=False, highlight=False)


@app.command()
def extract(
    input: Annotated[str, typer.Option("--input", "-i", help="JSONL {id, text, published, outlet, url}; - = stdin.")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="JSONL out; - or none: stdout.")] = None,
) -> None:
    """Stateless extraction: documents in, events.md records out, cluster ids across the input."""
    from vigil.ingest import read_documents_jsonl
    from vigil.jobs import extract_records, write_records

    with _errors():
        pipeline = _pipeline()
        if input == "-":
            import tempfile

            with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as tmp:
                tmp.write(sys.stdin.buffer.read())
            src = Path(tmp.name)
        else:
            src = Path(input)
            if not src.exists():
                raise ConfigError(f"input file {input!r} does not exist")
        articles = extract_records(read_documents_jsonl(src), pipeline, on_reject=_report)
        with _open_out(output) as fh:
            n = write_records(articles, fh)
    err.print(f"wrote {n} documents, {sum(len(a.events) for a in articles)} events", markup=False)


def _stage_io(input: str, output: str | None, fn: Any) -> None:
    from vigil.ingest import read_documents_jsonl

    src = Path(input)
    if not src.exists():
        raise ConfigError(f"input file {input!r} does not exist")
    with _open_out(output) as fh:
        for item in read_documents_jsonl(src):
            if isinstance(item, Rejected):
                _report(item)
                continue
            fh.write(json.dumps(fn(item), ensure_ascii=False) + "\n")


@app.command()
def timex(
    input: Annotated[str, typer.Option("--input", "-i", help="JSONL lines {id, text, dct}.")],
    output: Annotated[str | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Find and normalize temporal expressions (TIMEX3 type and value) against each document's date."""
    from vigil.timex import find_timexes

    def one(a: Any) -> dict:
        tx = find_timexes(a.text, a.published)
        return {"id": a.id, "timexes": [
            {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value} for t in tx]}

    with _errors():
        _stage_io(input, output, one)


@app.command()
def geoparse(
    input: Annotated[str, typer.Option("--input", "-i", help="JSONL lines {id, text}.")],
    output: Annotated[str | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Find and resolve place names against the embedded gazetteer."""
    from vigil.geo import geoparse_article, load_gazetteer
    from vigil.nlp import load_model, parse_article

    with _errors():
        nlp, gaz = load_model(), load_gazetteer()

        def one(a: Any) -> dict:
            art = geoparse_article(parse_article(a, nlp), gaz)
            return {"id": a.id, "toponyms": [
                {"start": p.start, "end": p.end, "name": p.name, "lat": p.lat, "lon": p.lon,
                 "geonameid": p.geonameid, "precision": p.precision} for p in art.places]}

        _stage_io(input, output, one)


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db", help="Store for the demo run.")] = "vigil-demo.db",
) -> None:
    """Run the whole path on the bundled example articles and print the events with their evidence."""
    from vigil.ingest import iter_inputs
    from vigil.jobs import example_paths, run_into_store
    from vigil.store import open_store

    with _errors():
        store = open_store(db)
        try:
            summary = run_into_store(iter_inputs(example_paths()), store, _pipeline(), on_reject=_report)
            found = store.query_events()
        finally:
            store.close()
    out.print(_events_table(found, f"vigil demo: {len(found)} events from the example articles"))
    err.print(summary.line(), markup=False, highlight=False)
    out.print(f"store: {db}   try: vigil events --db {db}   vigil export --db {db} --format geojson -o events.geojson",
              markup=False, highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
