"""Readers: one input file -> Articles (or Rejected records, never silence).

``sha256`` is the hex SHA-256 of the raw file bytes for a plain-text or HTML
file, and of the canonical UTF-8 bytes of the ``text`` field for a JSONL line or
CSV row. The size limit ``max_bytes`` applies to a whole plain-text/HTML file
(checked with ``stat`` before reading) and to each JSONL line or CSV row, so a
large corpus file streams.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any, BinaryIO

from vigil.ingest.common import (
    DEFAULT_MAX_BYTES,
    DecodeFailure,
    clean_str,
    decode_text,
    is_utf8_clean,
    normalize_defaults,
    normalize_newlines,
    parse_published,
)
from vigil.schema import Article, Rejected

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

TEXT_EXTS = {".txt", ".text", ".md"}
HTML_EXTS = {".html", ".htm"}
JSONL_EXTS = {".jsonl", ".ndjson"}
CSV_EXTS = {".csv"}
_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_CHUNK = 1 << 16


def _reject(source: str, code: str, message: str, line: int | None = None) -> Rejected:
    where = f"{source}:{line}" if line is not None else source
    log.info("rejected %s (%s): %s", where, code, message)
    return Rejected(source=source, line=line, code=code, message=f"{where}: {message}")


def _merge(*layers: dict) -> dict:
    """Later layers fill only what earlier layers left missing (first non-None wins)."""
    out: dict = {}
    for layer in layers:
        for key, value in layer.items():
            if out.get(key) is None and value is not None:
                out[key] = value
    return out


def _read_file(path: Path, source: str, max_bytes: int) -> bytes | Rejected:
    try:
        size = path.stat().st_size
    except OSError as err:
        return _reject(source, "unreadable", f"cannot read file ({err.strerror or err})")
    if size > max_bytes:
        return _reject(source, "too_large", f"file is {size} bytes, over the limit of {max_bytes} bytes")
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as err:
        return _reject(source, "unreadable", f"cannot read file ({err.strerror or err})")
    if len(raw) > max_bytes:  # grew since stat
        return _reject(source, "too_large", f"file is over the limit of {max_bytes} bytes")
    if not raw.strip():
        return _reject(source, "empty", "file is empty")
    return raw


def _article(
    *, doc_id: str, text: str, meta: dict, sha: str, source: str, now: datetime, notes: list[str]
) -> Article:
    return Article(
        id=doc_id,
        text=text,
        title=meta.get("title"),
        published=meta.get("published"),
        outlet=meta.get("outlet"),
        url=meta.get("url"),
        sha256=sha,
        source=source,
        ingested_at=now,
        notes=notes,
    )


def read_text_file(
    path: Path, *, doc_id: str, meta: dict, defaults: dict, now: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES, source: str | None = None, strict_utf8: bool = False,
    allow_cp1252: bool = False,
) -> Article | Rejected:
    """Read a plain-text file: first non-empty line is the title, ``text`` is the whole file.

    ``meta`` (from a manifest) wins over ``defaults``. Text that is not UTF-8 is rejected
    (``encoding``) unless ``allow_cp1252`` accepts a Windows-1252 file with a note. With ``strict_utf8`` (used when
    sniffing a file of unknown type) anything but UTF-8 text is rejected as ``binary``.
    """
    source = source or str(path)
    raw = _read_file(path, source, max_bytes)
    if isinstance(raw, Rejected):
        return raw
    try:
        text, note = decode_text(raw, allow_fallback=allow_cp1252 and not strict_utf8)
    except DecodeFailure as err:
        code = "binary" if strict_utf8 else err.code
        return _reject(source, code, f"unknown file type and {err}" if strict_utf8 else str(err))
    text = normalize_newlines(text)
    if not text.strip():
        return _reject(source, "empty", "file has only whitespace")
    first = next(line for line in text.split("\n") if line.strip()).strip()
    if path.suffix.lower() == ".md":
        first = first.lstrip("#").strip() or first
    merged = _merge(meta, {"title": first}, defaults)
    return _article(
        doc_id=meta.get("id") or doc_id, text=text, meta=merged, sha=hashlib.sha256(raw).hexdigest(),
        source=source, now=now, notes=[note] if note else [],
    )


def _html_title(raw: bytes) -> str | None:
    m = _TITLE_RE.search(raw)
    if not m:
        return None
    title = unescape(m.group(1).decode("utf-8", errors="replace"))
    return " ".join(title.split()) or None


def read_html_file(
    path: Path, *, doc_id: str, meta: dict, defaults: dict, now: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES, source: str | None = None,
) -> Article | Rejected:
    """Read an HTML page: main text with trafilatura (recall-oriented, then its baseline).

    Title, outlet, url and date come from the manifest first, then the page's own
    metadata (``<title>`` as the title fallback), then ``defaults``. A page that
    yields no text is rejected with ``no_text``.
    """
    import trafilatura

    source = source or str(path)
    raw = _read_file(path, source, max_bytes)
    if isinstance(raw, Rejected):
        return raw
    notes: list[str] = []
    try:
        html: str | bytes = decode_text(raw, allow_fallback=False)[0]
    except DecodeFailure as err:
        if err.code == "binary":
            return _reject(source, "binary", str(err))
        html = raw  # let trafilatura detect a declared charset
        notes.append("ingest: HTML is not UTF-8; charset detected by trafilatura")
    doc = trafilatura.bare_extraction(html, with_metadata=True, favor_recall=True, include_comments=False)
    text = (doc.text if doc is not None else None) or ""
    if not text.strip():
        text = trafilatura.baseline(html)[1] or ""
        if text.strip():
            notes.append("ingest: main-text extraction empty; used trafilatura baseline")
    if not text.strip():
        return _reject(source, "no_text", "HTML page has no extractable body text")
    page: dict[str, Any] = {}
    if doc is not None:
        page = {"title": doc.title or None, "outlet": doc.sitename or None, "url": doc.url or None}
        if doc.date:
            try:
                page["published"] = parse_published(doc.date)
            except ValueError:
                log.debug("%s: ignoring page date %r", source, doc.date)
    page["title"] = page.get("title") or _html_title(raw)
    merged = _merge(meta, page, defaults)
    return _article(
        doc_id=meta.get("id") or doc_id, text=normalize_newlines(text), meta=merged,
        sha=hashlib.sha256(raw).hexdigest(), source=source, now=now, notes=notes,
    )


def record_to_article(
    rec: dict, *, source: str, line: int, default_id: str, defaults: dict, now: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Article | Rejected:
    """Turn one JSONL/CSV record (id, text, title, published|dct, outlet, url) into an Article."""
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        what = "missing" if text is None else ("empty" if isinstance(text, str) else f"a {type(text).__name__}")
        return _reject(source, "no_text", f"'text' field is {what}", line)
    try:
        raw_text = text.encode("utf-8")
    except UnicodeEncodeError:
        return _reject(source, "encoding", "'text' has invalid characters (lone surrogates)", line)
    if len(raw_text) > max_bytes:
        return _reject(source, "too_large", f"'text' is {len(raw_text)} bytes, over the limit of {max_bytes}", line)
    if "\x00" in text:
        return _reject(source, "binary", "'text' contains NUL characters", line)
    meta: dict[str, Any] = {}
    try:
        for field in ("id", "title", "outlet", "url"):
            value = clean_str(rec.get(field), field)
            if value is not None and not is_utf8_clean(value):
                return _reject(source, "encoding", f"field {field!r} has invalid characters", line)
            meta[field] = value
    except ValueError as err:
        return _reject(source, "field", str(err), line)
    published = rec.get("published")
    if published in (None, ""):
        published = rec.get("dct")
    if published not in (None, ""):
        try:
            meta["published"] = parse_published(published)
        except ValueError as err:
            return _reject(source, "date", str(err), line)
    merged = _merge(meta, defaults)
    return _article(
        doc_id=meta["id"] or default_id, text=normalize_newlines(text), meta=merged,
        sha=hashlib.sha256(raw_text).hexdigest(), source=f"{source}:{line}", now=now, notes=[],
    )


def _iter_lines(fh: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, bytes)``; ``None`` for a line over ``max_bytes`` (skipped unread)."""
    n = 0
    while True:
        chunk = fh.readline(max_bytes + 1)
        if not chunk:
            return
        n += 1
        if len(chunk) > max_bytes and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = fh.readline(_CHUNK)
            yield n, None
            continue
        yield n, chunk


def read_documents_jsonl(
    path: str | Path, *, defaults: dict | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
    id_prefix: str | None = None, source: str | None = None, now: datetime | None = None,
) -> Iterator[Article | Rejected]:
    """Read a JSONL file of documents, one object per line: id, text, title, published (or dct), outlet, url.

    A bad line becomes a ``Rejected`` with its line number (``json``, ``encoding``,
    ``no_text``, ``date``, ``field``, ``too_large``) and the file goes on. Blank lines
    are not documents and are skipped. A line without ``id`` gets ``<stem>-<line>``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "docs.jsonl"
    >>> _ = p.write_text('{"id": "d1", "text": "Crowds gathered.", "dct": "2022-03-02"}\\nnot json\\n')
    >>> [(type(x).__name__, getattr(x, "code", None)) for x in read_documents_jsonl(p)]
    [('Article', None), ('Rejected', 'json')]
    """
    path = Path(path)
    source = source or str(path)
    now = now or datetime.now(tz=UTC)
    defaults = normalize_defaults(defaults)
    prefix = id_prefix or path.stem
    try:
        fh = path.open("rb")
    except OSError as err:
        yield _reject(source, "unreadable", f"cannot read file ({err.strerror or err})")
        return
    seen = 0
    with fh:
        for n, chunk in _iter_lines(fh, max_bytes):
            if chunk is None:
                seen += 1
                yield _reject(source, "too_large", f"line is over the limit of {max_bytes} bytes", n)
                continue
            if n == 1:
                chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            if not chunk.strip():
                continue
            seen += 1
            try:
                line = chunk.decode("utf-8")
            except UnicodeDecodeError as err:
                yield _reject(source, "encoding", f"line is not valid UTF-8 (byte {err.start}: {err.reason})", n)
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as err:
                msg = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
                yield _reject(source, "json", f"line is not valid JSON ({msg})", n)
                continue
            if not isinstance(obj, dict):
                yield _reject(source, "json", f"line is a JSON {type(obj).__name__}, expected an object", n)
                continue
            yield record_to_article(
                obj, source=source, line=n, default_id=f"{prefix}-{n}", defaults=defaults, now=now,
                max_bytes=max_bytes,
            )
    if not seen:
        yield _reject(source, "empty", "file has no documents")


def read_documents_csv(
    path: str | Path, *, defaults: dict | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
    id_prefix: str | None = None, source: str | None = None, now: datetime | None = None,
) -> Iterator[Article | Rejected]:
    """Read a CSV file with a header row; columns id, text, title, published (or dct), outlet, url.

    Header names are matched case-insensitively. A file without a ``text`` column is
    one ``no_text`` rejection; a bad row is rejected with the line it starts on.
    """
    path = Path(path)
    source = source or str(path)
    now = now or datetime.now(tz=UTC)
    defaults = normalize_defaults(defaults)
    prefix = id_prefix or path.stem
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes + 1))
    try:
        fh = path.open("rb")
    except OSError as err:
        yield _reject(source, "unreadable", f"cannot read file ({err.strerror or err})")
        return
    with fh, io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="") as tf:
        reader = csv.reader(tf)
        try:
            header = next(reader, None)
        except csv.Error as err:
            yield _reject(source, "csv", f"header row is not valid CSV ({err})", 1)
            return
        if header is None or not any(h.strip() for h in header):
            yield _reject(source, "empty", "file is empty (no header row)")
            return
        names = [h.strip().lower() for h in header]
        if "text" not in names:
            shown = ", ".join(repr(h) for h in names[:8])
            yield _reject(source, "no_text", f"CSV header has no 'text' column (columns: {shown})", 1)
            return
        rows = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                rows += 1
                yield _reject(source, "csv", f"row is not valid CSV ({err})", start)
                if reader.line_num < start:
                    break
                continue
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if any(not is_utf8_clean(cell) for cell in row):
                yield _reject(source, "encoding", "row is not valid UTF-8", start)
                continue
            rec = {name: (cell if cell != "" else None) for name, cell in zip(names, row, strict=False)}
            yield record_to_article(
                rec, source=source, line=start, default_id=f"{prefix}-{start}", defaults=defaults, now=now,
                max_bytes=max_bytes,
            )
        if not rows:
            yield _reject(source, "empty", "CSV file has a header but no rows")
