"""Walk the inputs a user names (files and folders) and read each with the right reader.

Folders are walked recursively in sorted order; a ``manifest.jsonl`` in a folder
gives metadata to the plain-text and HTML files below it (the nearest manifest
wins, an explicit ``--manifest`` wins over all). The kind of a file comes from its
extension; a file without a known extension is sniffed: HTML when it starts with
a tag, plain text when it is valid UTF-8, else it is rejected as binary.

Nothing is ever dropped silently: every input yields either Articles or
``Rejected`` records with a reason code and a one-line message naming the file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from vigil.ingest.common import DEFAULT_MAX_BYTES, normalize_defaults
from vigil.ingest.manifest import MANIFEST_NAME, ManifestIndex, read_manifest
from vigil.ingest.readers import (
    CSV_EXTS,
    HTML_EXTS,
    JSONL_EXTS,
    TEXT_EXTS,
    _reject,
    read_documents_csv,
    read_documents_jsonl,
    read_html_file,
    read_text_file,
)
from vigil.schema import Article, Rejected

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

_SKIP_NAMES = {MANIFEST_NAME}
_SNIFF_BYTES = 512


def _walk(folder: Path) -> list[Path]:
    """Files below ``folder``, sorted, skipping hidden files and folders."""
    found = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_file() and p.name not in _SKIP_NAMES:
            found.append(p)
    return found


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TEXT_EXTS:
        return "text"
    if suffix in HTML_EXTS:
        return "html"
    if suffix in JSONL_EXTS:
        return "jsonl"
    if suffix in CSV_EXTS:
        return "csv"
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES).lstrip().lower()
    except OSError:
        return "text"  # the reader reports the error
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return "html"
    return "sniff"


def _doc_id(path: Path, root: Path | None) -> str:
    """A default document id: the path relative to the named folder, without its extension."""
    rel = path.relative_to(root) if root is not None else Path(path.name)
    return rel.with_suffix("").as_posix()


def iter_inputs(
    paths: Iterable[str | Path],
    *,
    manifest: str | Path | None = None,
    defaults: dict | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: datetime | None = None,
) -> Iterator[Article | Rejected]:
    """Read every named file (folders recursively) into Articles or Rejected records.

    Args:
        manifest: an explicit sidecar manifest (JSONL: path, id, published, outlet, url, title).
        defaults: metadata for files that have none (``published``, ``outlet``, ``url``), e.g. from CLI flags.
        max_bytes: a file (or a JSONL line / CSV row) over this size is rejected as ``too_large``.

    Raises:
        InputError: an explicit or sidecar manifest is unreadable or malformed (before any document is read);
            a manifest entry with a bad value only rejects the file it names.
        ConfigError: a bad default (e.g. ``published='2022-13-45'``).
    """
    now = now or datetime.now(tz=UTC)
    defaults = normalize_defaults(defaults)
    index = ManifestIndex()
    if manifest is not None:
        mpath = Path(manifest)
        index.add(mpath.parent, read_manifest(mpath, lenient=True), explicit=True)
    jobs: list[tuple[Path, Path | None]] = []
    missing: list[Rejected] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for m in sorted(p.rglob(MANIFEST_NAME)):
                index.add(m.parent, read_manifest(m, lenient=True))
            jobs.extend((f, p) for f in _walk(p))
        elif p.exists():
            sidecar = p.parent / MANIFEST_NAME
            if sidecar.is_file() and p.name != MANIFEST_NAME:
                index.add(p.parent, read_manifest(sidecar, lenient=True))
            jobs.append((p, None))
        else:
            missing.append(_reject(str(p), "missing", "no such file or folder"))
    yield from missing
    seen: set[Path] = set()
    for path, root in jobs:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        yield from _read_one(path, root, index, defaults, now, max_bytes)
    for unused in index.unused():
        log.warning("manifest entry %s matched no input file", unused)


def _read_one(
    path: Path, root: Path | None, index: ManifestIndex, defaults: dict, now: datetime, max_bytes: int
) -> Iterator[Article | Rejected]:
    source = str(path)
    kind = _kind(path)
    if kind == "jsonl":
        yield from read_documents_jsonl(path, defaults=defaults, max_bytes=max_bytes, source=source, now=now)
        return
    if kind == "csv":
        yield from read_documents_csv(path, defaults=defaults, max_bytes=max_bytes, source=source, now=now)
        return
    meta = index.lookup(path)
    if "_error" in meta:
        yield Rejected(source=source, code="manifest", message=f"{source}: {meta['_error']}")
        return
    doc_id = _doc_id(path, root)
    if kind == "html":
        yield read_html_file(path, doc_id=doc_id, meta=meta, defaults=defaults, now=now, max_bytes=max_bytes,
                             source=source)
    else:
        yield read_text_file(path, doc_id=doc_id, meta=meta, defaults=defaults, now=now, max_bytes=max_bytes,
                             source=source, strict_utf8=kind == "sniff")
