"""The ``vigil`` command line: a thin layer over the Python API.

Every command reads files (or ``-`` for stdin) and writes files (or stdout);
progress is shown on stderr, and only when it is a terminal. A ``VigilError`` becomes one
``Error: ...`` line on stderr and exit code 1 (a traceback only with --debug).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vigil import __version__
from vigil.errors import ConfigError, VigilError
from vigil.schema import EVENT_TYPES, Event, EventCluster, Rejected

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


def _events_table(events: list[Event], title: str, *, evidence: bool = True,
                  records: Mapping[str, EventCluster] | None = None) -> Table:
    t = Table(title=title, show_lines=evidence)
    cols = ("id", "type", "date", "place", "modality", "acled", "actors/crowd")
    for col in cols + (("status", "outlets") if records is not None else ()):
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
        if records is not None:
            rec = records.get(e.cluster or e.id)
            row += [rec.status, str(rec.corroboration)] if rec else ["-", "-"]
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
    """List stored events as a table (or JSON lines), with each event's fused status and independent outlets."""
    from vigil.jobs import cluster_records
    from vigil.store import open_store

    with _errors():
        if type is not None and type not in EVENT_TYPES:
            raise ConfigError(f"unknown event type {type!r}. Valid: {', '.join(EVENT_TYPES)}")
        s, u = _parse_day(since, "--since"), _parse_day(until, "--until")
        store = open_store(db)
        try:
            found = store.query_events(type=type, since=s, until=u, country=country, limit=limit)
            records = {} if as_json else cluster_records(store, found)
        finally:
            store.close()
    if as_json:
        for e in found:
            sys.stdout.write(e.model_dump_json() + "\n")
        return
    out.print(_events_table(found, f"{len(found)} events", evidence=False, records=records))


@app.command()
def show(event_id: str, db: DbOpt = DEFAULT_DB) -> None:
    """Print one event's fused record: merged fields, status, sources with their evidence, and disagreements."""
    from vigil.jobs import cluster_records
    from vigil.store import open_store

    with _errors():
        store = open_store(db)
        try:
            ev = store.get_event(event_id)
            if ev is None:
                raise ConfigError(f"no event with id {event_id!r} in {db}; list them with `vigil events --db {db}`")
            rec = cluster_records(store, [ev])[ev.cluster or ev.id]
            members = store.query_events(cluster=ev.cluster) if ev.cluster else [ev]
        finally:
            store.close()
    out.print(_event_block(1, ev, {}))
    out.print("field evidence (character offsets into the document):", style="bold")
    for name, span in sorted(ev.field_evidence.items()):
        out.print(f"  {name}: [{span.start}:{span.end}] {span.text!r}", markup=False, highlight=False)
    out.print()
    _print_record(rec)
    others = [e for e in members if e.id != ev.id]
    if others:
        out.print()
        out.print(f"{len(others)} other report(s) of the same event:", style="bold")
        for n, other in enumerate(others, 2):
            out.print(_event_block(n, other, {}))


def _print_record(rec: EventCluster) -> None:
    d = rec.date
    when = "?" if not d.start else (str(d.start) if d.start == d.end else f"{d.start}..{d.end}")
    place = rec.location.name if rec.location else "-"
    lines = [
        f"record {rec.id}: {rec.type}{' / ' + rec.intervention if rec.intervention else ''}, {when}, {place}",
        f"status: {rec.status}  corroboration: {rec.corroboration} independent outlet(s)  "
        f"sources: {len(rec.sources)}",
    ]
    if rec.crowd:
        lines.append(f"crowd: {rec.crowd.text} ({rec.crowd.low}-{rec.crowd.high})")
    lines.append("rules: " + ", ".join(f"{k}: {v}" for k, v in sorted(rec.rules.items())))
    lines.append("sources:")
    for src in rec.sources:
        copy = f" (copy of {src.duplicate_of})" if src.duplicate_of else ""
        lines.append(f"  {src.doc_id}{copy}  outlet: {src.outlet}  published: {src.published}  "
                     f"modality: {src.modality}  sha256: {src.sha256}  ingested: {src.ingested_at}  "
                     f"extractor: {src.extractor}")
        for span in src.evidence[:3]:
            lines.append(f"    sentence {span.sentence} [{span.start}:{span.end}] {span.text!r}")
    if rec.disagreements:
        lines.append("disagreements:")
        for dis in rec.disagreements:
            said = "; ".join(f"{v['value']} ({', '.join(v['sources'])})" for v in dis.values)
            lines.append(f"  {dis.field}: {said}")
    else:
        lines.append("disagreements: none")
    for line in lines:
        out.print(line, markup=False, highlight=False)


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
    """Find and normalize temporal expressions (TIMEX3 type and value) against each document's date.

    A malformed or absurd dct rejects that document with a message on stderr. A missing dct
    is inferred from the text (dateline, anchor count; output keys ``dct`` and ``dct_source``);
    when it cannot be, the line carries ``error`` and relative dates stay unresolved (``X``).
    """
    from vigil.timex import find_timexes, infer_dct

    def one(a: Any) -> dict:
        out: dict[str, Any] = {"id": a.id}
        dct = a.published
        if dct is None:
            guess = infer_dct(a.text)
            dct = guess.dct
            if dct is not None:
                out.update(dct=dct.isoformat(), dct_source=guess.reason)
            else:
                out["error"] = f"no dct: {guess.reason}"
                err.print(f"warning [dct] {a.id}: no dct given and {guess.reason}", markup=False, highlight=False)
        tx = find_timexes(a.text, dct, join_ranges=False)
        out["timexes"] = [{"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
                          for t in tx]
        return out

    with _errors():
        _stage_io(input, output, one)


@app.command()
def geoparse(
    input: Annotated[str, typer.Option("--input", "-i", help="JSONL lines {id, text}.")],
    output: Annotated[str | None, typer.Option("--output", "-o")] = None,
    demonyms: Annotated[bool, typer.Option(
        "--demonyms", help="Count national adjectives as references to the country, as LGL does "
        "(\"Egyptian officials\" -> Egypt; marked \"demonym\": true).")] = False,
    resolved_only: Annotated[bool, typer.Option(
        "--resolved-only", help="Leave out the names the gazetteer could not resolve (by default they are "
        "listed with lat/lon null, so a reader sees what was recognised but not placed).")] = False,
) -> None:
    """Find and resolve place names against the embedded gazetteer."""
    from vigil.geo import geoparse_article, load_gazetteer
    from vigil.nlp import load_model, parse_article

    with _errors():
        nlp, gaz = load_model(), load_gazetteer()

        def one(a: Any) -> dict:
            art = geoparse_article(parse_article(a, nlp), gaz, demonyms=demonyms)
            return {"id": a.id, "toponyms": [
                {"start": p.start, "end": p.end, "name": p.name, "lat": p.lat, "lon": p.lon,
                 "geonameid": p.geonameid, "precision": p.precision}
                | ({"demonym": True} if p.feature == "demonym" else {})
                for p in art.places if p.resolved or not resolved_only]}

        _stage_io(input, output, one)


def _ev(span: Any) -> str:
    """A short evidence pointer: ``[start:end] "text"``."""
    if span is None:
        return ""
    text = span.text if len(span.text) <= 90 else span.text[:87] + "..."
    return f'  [{span.start}:{span.end}] "{text}"'


def _event_block(n: int, e: Event, siblings: dict[str, list[Event]]) -> Table:
    """One event as a two-column table: each field, its value and the text it came from."""
    kind = e.type + (f" / {e.intervention}" if e.intervention else "")
    acled = " / ".join(x for x in (e.acled.event_type, e.acled.sub_event_type) if x) or "no ACLED category"
    t = Table(title=Text(f"[{n}] {kind}  (ACLED: {acled})  {e.id}", style="bold"), title_justify="left",
              show_header=False, box=None, pad_edge=False, expand=False)
    t.add_column("field", style="dim", no_wrap=True)
    t.add_column("value", overflow="fold")
    fe = e.field_evidence
    row = t.add_row

    def add(label: str, value: str) -> None:
        row(label, Text(value))
    d = e.date
    when = "unknown" if not d.start else (str(d.start) if d.start == d.end else f"{d.start} .. {d.end}")
    add("when", when + _ev(d.evidence))
    if e.location is not None:
        loc = e.location
        parts = [loc.name, *(x for x in (loc.admin1, loc.country) if x)]
        coords = f", {loc.lat:.2f} {loc.lon:.2f}" if loc.lat is not None and loc.lon is not None else ""
        add("where", f"{', '.join(parts)} ({loc.precision or '?'}{coords})" + _ev(loc.evidence))
    else:
        add("where", "no place found")
    for a in e.actors:
        side = f", {a.side}" if a.side else ""
        add("who", f"{a.text} [{a.kind}{side}, {a.role}]")
    if e.crowd is not None:
        band = f" ({e.crowd.low}-{e.crowd.high})" if e.crowd.low is not None else ""
        add("how many", f"{e.crowd.text}{band}")
    if e.fatalities is not None or e.injuries is not None:
        add("casualties", f"killed {e.fatalities if e.fatalities is not None else '?'}, "
                                f"injured {e.injuries if e.injuries is not None else '?'}")
    add("how sure", e.modality + _ev(fe.get("modality")))
    if e.evidence:
        add("evidence", f"[{e.evidence[0].start}:{e.evidence[0].end}] {e.evidence[0].text}")
    others = [o for o in siblings.get(e.cluster or "", []) if o.id != e.id]
    if others:
        add("same event", "; ".join(o.id for o in others))
    return t


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db", help="Store for the demo run.")] = "vigil-demo.db",
    serve: Annotated[bool, typer.Option("--serve", help="Then serve the demo store in the browser (makes an editor "
                                                         "token and prints it with the URL).")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.", min=1, max=65535)] = 8000,
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
            articles = {a.id: a for a in store.iter_articles()}
        finally:
            store.close()
    siblings: dict[str, list[Event]] = {}
    for e in found:
        siblings.setdefault(e.cluster or "", []).append(e)
    out.rule(f"vigil demo: {len(found)} events in {len(articles)} example articles", style="bold")
    n = 0
    for a in sorted(articles.values(), key=lambda x: (x.published or date.max, x.id)):
        events = sorted((e for e in found if e.doc_id == a.id), key=lambda e: -e.salience)
        out.print()
        out.print(f"{a.title or a.id}", style="bold underline", markup=False, highlight=False)
        out.print(f"{a.outlet or 'unknown outlet'}, published {a.published or 'unknown'}, id {a.id}",
                  style="dim", markup=False, highlight=False)
        if not events:
            out.print("  no events", style="dim")
        for e in events:
            n += 1
            out.print(_event_block(n, e, siblings))
    out.print()
    err.print(summary.line(), markup=False, highlight=False)
    out.print(f"store: {db}   next: vigil events --db {db}   vigil export --db {db} --format geojson -o events.geojson",
              markup=False, highlight=False)
    if serve:
        from vigil.api.commands import serve as serve_store
        from vigil.store.review import create_token

        with _errors():
            store = open_store(db)
            try:
                _, secret = create_token(store, "editor", "vigil demo --serve")
            finally:
                store.close()
        out.print(f"browser: http://127.0.0.1:{port}/ - sign in with this editor token:", markup=False,
                  highlight=False)
        out.print(secret, markup=False, highlight=False, soft_wrap=True)
        serve_store(db=db, host="127.0.0.1", port=port, web=True, workers=1)


from vigil.api.commands import register as _register_api  # noqa: E402 - API commands: serve, token

_register_api(app)

from vigil.geo.commands import register as _register_geo  # noqa: E402 - gazetteer import/info

_register_geo(app)


if __name__ == "__main__":  # pragma: no cover
    app()
