"""Sidecar manifests: metadata for plain-text and HTML files.

A manifest is JSONL, one object per line: ``path`` (relative to the manifest's
folder, or a bare file name), and any of ``id``, ``published`` (``dct`` accepted
as an alias), ``outlet``, ``url``, ``title``. A bad manifest is a setup error, not
a bad article: it raises :class:`~vigil.errors.InputError` before any document
is read, so no file is ingested with the wrong date.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path, PurePosixPath

from vigil.errors import InputError
from vigil.ingest.common import clean_str, parse_published

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

MANIFEST_NAME = "manifest.jsonl"
_FIELDS = ("id", "published", "outlet", "url", "title")


def _key(path: str) -> str:
    return PurePosixPath(path.replace("\\", "/")).as_posix().removeprefix("./")


def read_manifest(path: str | Path, *, lenient: bool = False) -> dict[str, dict]:
    """Read a manifest into ``{file key: metadata}``.

    With ``lenient``, a line that names its file but has a bad value (a date like
    ``2022-13-45``) does not stop the run: its entry is ``{"_error": message}`` and
    only the file it names is rejected, naming the manifest line.

    The key is the entry's ``path`` as a normalised POSIX path relative to the
    manifest folder (a bare file name stays a bare name). Metadata values are
    cleaned: ``published`` is a ``datetime.date``, empty strings are dropped.

    Raises:
        InputError: the manifest is missing or unreadable, a line is not a JSON
            object, has no ``path``, has a bad date, or repeats a path.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "manifest.jsonl"
    >>> _ = p.write_text('{"path": "a.txt", "id": "a1", "published": "2022-03-04"}\\n')
    >>> read_manifest(p)["a.txt"]["published"]
    datetime.date(2022, 3, 4)
    """
    path = Path(path)
    src = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read manifest ({err.strerror or err})", source=src, code="V101") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"manifest is not UTF-8 (byte {err.start})", source=src, code="V101") from None
    entries: dict[str, dict] = {}
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"manifest line is not valid JSON ({err.msg})", source=src, line=n, code="V101") from None
        if not isinstance(obj, dict):
            raise InputError("manifest line is not a JSON object", source=src, line=n, code="V101")
        fpath = obj.get("path")
        if not isinstance(fpath, str) or not fpath.strip():
            raise InputError("manifest line has no 'path' string", source=src, line=n, code="V101")
        meta: dict = {}
        published = obj.get("published", obj.get("dct"))
        try:
            for field in _FIELDS:
                if field == "published":
                    if published not in (None, ""):
                        meta["published"] = parse_published(published)
                    continue
                value = clean_str(obj.get(field), field)
                if value is not None:
                    meta[field] = value
        except ValueError as err:
            if not lenient:
                raise InputError(str(err), source=src, line=n, code="V101") from None
            meta = {"_error": f"{src}:{n}: manifest entry: {err}"}
        key = _key(fpath.strip())
        if key in entries:
            raise InputError(f"manifest repeats path {key!r}", source=src, line=n, code="V101")
        entries[key] = meta
    log.debug("manifest %s: %d entries", src, len(entries))
    return entries


class ManifestIndex:
    """Looks up a file's metadata in the manifests that apply to it (explicit first, then nearest)."""

    def __init__(self) -> None:
        self._manifests: list[tuple[Path, dict[str, dict], bool]] = []
        self._used: set[tuple[int, str]] = set()

    def add(self, folder: Path, entries: dict[str, dict], *, explicit: bool = False) -> None:
        """Register the entries of a manifest that lives in ``folder``."""
        self._manifests.append((folder.resolve(), entries, explicit))

    def lookup(self, file: Path) -> dict:
        """The metadata for ``file`` (``{}`` when no manifest names it)."""
        target = file.resolve()
        ordered = sorted(
            enumerate(self._manifests),
            key=lambda item: (not item[1][2], -len(item[1][0].parts)),
        )
        for idx, (folder, entries, _explicit) in ordered:
            candidates = []
            if target.is_relative_to(folder):
                candidates.append(target.relative_to(folder).as_posix())
            candidates += [target.name, target.as_posix()]
            for key in candidates:
                if key in entries:
                    self._used.add((idx, key))
                    return entries[key]
        return {}

    def unused(self) -> list[str]:
        """Manifest paths that matched no ingested file (logged as warnings by the caller)."""
        return [
            f"{folder / key}"
            for idx, (folder, entries, _e) in enumerate(self._manifests)
            for key in entries
            if (idx, key) not in self._used
        ]
