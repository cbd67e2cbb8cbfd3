"""CLI commands of the geo stage: ``vigil gazetteer import FILE...`` and ``vigil gazetteer info``.

``register(app)`` adds the group to the ``vigil`` Typer app (one line in ``vigil/cli.py``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from vigil.errors import VigilError

gazetteer_app = typer.Typer(no_args_is_help=True, help="The offline gazetteer (SQLite): import GeoNames dumps, info.")


def _fail(e: Exception) -> None:
    typer.echo(f"Error: {e}", err=True)
    raise typer.Exit(1)


@gazetteer_app.command("import")
def import_cmd(
    files: Annotated[list[str], typer.Argument(help="allCountries.txt, a country file (UA.txt), cities500.txt "
                                                    "and/or admin1CodesASCII.txt.")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="SQLite file to write (default: the "
                                                                      "imported gazetteer vigil loads).")] = None,
    classes: Annotated[str, typer.Option(help="GeoNames feature classes to keep (P towns, A countries/regions, "
                                              "H water, T terrain, L areas, S sites).")] = "PA",
) -> None:
    """Add GeoNames dumps to the packaged gazetteer; the result replaces the imported gazetteer atomically."""
    from vigil.geo.geonames import import_geonames

    try:
        gaz = import_geonames(files, output, classes=classes)
    except (VigilError, OSError) as e:
        _fail(e)
        return
    st = gaz.stats()
    typer.echo(f"gazetteer {st['path']}: {st['entries']} entries, {st['names']} names, "
               f"{st['bytes'] / 1e6:.1f} MB")


@gazetteer_app.command("info")
def info_cmd(
    path: Annotated[str | None, typer.Option("--path", help="SQLite gazetteer file (default: the one vigil "
                                                            "loads).")] = None,
    lookup: Annotated[list[str] | None, typer.Option("--lookup", help="Names to look up (repeatable).")] = None,
) -> None:
    """Print the gazetteer in use (file, version, counts by precision, size) as JSON, and optional lookups."""
    from vigil.geo import load_gazetteer

    try:
        gaz = load_gazetteer(path)
    except (VigilError, OSError) as e:
        _fail(e)
        return
    out = gaz.stats()
    if lookup:
        out["lookups"] = {n: [e._asdict() for e in gaz.lookup(n)[:5]] for n in lookup}
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add the ``gazetteer`` group to the ``vigil`` CLI."""
    app.add_typer(gazetteer_app, name="gazetteer")
