"""Shared helpers of the ingest readers: decoding, dates, metadata, record checks.

Decisions documented here (and tested in ``tests/ingest``):

* **Encoding.** Text is UTF-8; a UTF-8 BOM is dropped and a UTF-16 BOM is honoured.
  A plain-text or HTML file that is not valid UTF-8 but decodes as cp1252 (a superset
  of printable latin-1) and looks like text (almost no control characters) is accepted
  with a note in ``Article.notes``; anything else is rejected (``encoding``, or
  ``binary`` when it contains NUL bytes or is mostly control characters). JSONL and CSV
  must be UTF-8 (per record: a bad record is rejected, the file goes on).
* **Newlines.** ``\\r\\n`` and ``\\r`` become ``\\n`` so that offsets and paragraph breaks
  are the same on every platform; every later offset is into this normalised text.
* **Dates.** ``published`` accepts ``YYYY-MM-DD`` and full ISO datetimes (``T`` or space,
  ``Z`` or an offset); a datetime keeps the calendar date *as written* (the outlet's
  local day, which is what "on Wednesday" in its text refers to). Years outside
  1900-2100 and impossible dates are rejected with code ``date``: the document is not
  ingested, the run goes on.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from vigil.errors import ConfigError

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MIN_YEAR, MAX_YEAR = 1900, 2100
METADATA_KEYS = ("published", "outlet", "url")
_CONTROL_OK = {0x09, 0x0A, 0x0C, 0x0D}
# share of control bytes above which undecodable bytes are called binary, not mis-encoded text
_BINARY_CONTROL_SHARE = 0.02


class DecodeFailure(Exception):
    """Raised by :func:`decode_text` with a reject ``code`` (``binary`` or ``encoding``)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _control_share(raw: bytes) -> float:
    if not raw:
        return 0.0
    bad = sum(1 for b in raw if (b < 0x20 and b not in _CONTROL_OK) or b == 0x7F)
    return bad / len(raw)


def normalize_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` into ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(raw: bytes, *, allow_fallback: bool = True) -> tuple[str, str | None]:
    """Decode file bytes to text; return ``(text, note)`` where note says a fallback was used.

    Raises:
        DecodeFailure: code ``binary`` (NUL bytes, mostly control bytes) or ``encoding``.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "ingest: decoded as UTF-16 (byte-order mark)"
        except UnicodeDecodeError as err:
            msg = f"has a UTF-16 byte-order mark but is not valid UTF-16 ({err.reason})"
            raise DecodeFailure("encoding", msg) from None
    if b"\x00" in raw:
        raise DecodeFailure("binary", "contains NUL bytes: binary data, not text")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        utf8_error = f"invalid UTF-8 at byte {err.start} ({err.reason})"
    if _control_share(raw) > _BINARY_CONTROL_SHARE:
        raise DecodeFailure("binary", f"is not text: {utf8_error} and many control bytes")
    if allow_fallback:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            return text, f"ingest: not valid UTF-8 ({utf8_error}); decoded as cp1252"
    raise DecodeFailure("encoding", f"{utf8_error}; save the file as UTF-8")


def parse_published(value: Any) -> date:
    """Parse a publication date: ISO ``YYYY-MM-DD`` or an ISO datetime (its date as written).

    Raises:
        ValueError: with a one-line reason naming the value.
    """
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        s = value.strip()
        try:
            day = date.fromisoformat(s) if len(s) <= 10 else datetime.fromisoformat(s).date()
        except ValueError:
            raise ValueError(f"published date {value!r} is not an ISO date (YYYY-MM-DD or an ISO datetime)") from None
    else:
        raise ValueError(f"published date {value!r} is a {type(value).__name__}, expected an ISO date string")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"published date {value!r} has year {day.year}, outside {MIN_YEAR}-{MAX_YEAR}")
    return day


def clean_str(value: Any, field: str) -> str | None:
    """A metadata string: stripped, ``''`` -> ``None``; numbers are turned into strings.

    Raises:
        ValueError: for lists, objects and booleans.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"field {field!r} must be a string, got {type(value).__name__}")
    s = str(value).strip()
    return s or None


def is_utf8_clean(text: str) -> bool:
    """True when ``text`` has no lone surrogates (it can be encoded as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalize_defaults(defaults: dict | None) -> dict[str, Any]:
    """Check the CLI defaults (``published``, ``outlet``, ``url``) and parse the date.

    Raises:
        ConfigError: an unknown key or a bad default date.
    """
    out: dict[str, Any] = {}
    for key, value in (defaults or {}).items():
        if key not in METADATA_KEYS:
            raise ConfigError(f"unknown ingest default {key!r}; valid: {', '.join(METADATA_KEYS)}")
        if value is None or value == "":
            continue
        if key == "published":
            try:
                out[key] = parse_published(value)
            except ValueError as err:
                raise ConfigError(f"default {err}") from None
        else:
            out[key] = str(value).strip() or None
    return out
