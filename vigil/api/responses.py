"""Fast JSON responses and the shared error documentation of the routes."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response

from vigil.api.schemas import ErrorOut


def json_response(body: Any, status: int = 200) -> Response:
    """Serialize once with the standard library (no per-field validation on the hot path).

    Text stays raw (``<script>`` is not escaped): JSON is data, escaping is the UI's job; the
    ``application/json`` type and ``nosniff`` header keep browsers from rendering it.
    """
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    return Response(data.encode("utf-8", "surrogatepass"), status_code=status, media_type="application/json")


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can return (all in the one error shape)."""
    return {code: {"model": ErrorOut} for code in codes}
