"""Every client or server error answers in the same JSON body: ``{"error": {"code", "message", "status", "details"}}``.

A 5xx never carries a traceback or an exception message: the details go to the log.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from vigil.errors import VigilError
from vigil.store.review import ReviewInvalid, ReviewNotFound

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the API reports on purpose: status, stable code, message and details."""

    def __init__(self, status: int, message: str, *, code: str | None = None, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.details = details or {}
        self.headers = headers
        super().__init__(message)


def error_response(status: int, message: str, *, code: str | None = None, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """The JSON error response in the one shape."""
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "status": status,
                      "details": details or {}}}
    return Response(json.dumps(body, ensure_ascii=False, default=str), status_code=status,
                    media_type="application/json", headers=headers)


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, e: ApiError) -> Response:
        return error_response(e.status, e.message, code=e.code, details=e.details, headers=e.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> Response:
        message = e.detail if isinstance(e.detail, str) else CODES.get(e.status_code, "error")
        return error_response(e.status_code, message, headers=getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> Response:
        problems = [{"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", "")),
                     "type": str(err.get("type", ""))} for err in e.errors()]
        if any(p["type"] == "json_invalid" for p in problems):
            return error_response(422, "the request body is not valid JSON", code="malformed_json",
                                  details={"errors": problems})
        first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"][1:] if first["loc"][:1] == ["body"] else first["loc"])
        return error_response(422, f"{where}: {first['msg']}" if where else first["msg"],
                              details={"errors": _jsonable(problems)})

    @app.exception_handler(ReviewNotFound)
    async def _missing(_: Request, e: ReviewNotFound) -> Response:
        return error_response(404, str(e), details={"what": e.what, "id": _jsonable(e.key)})

    @app.exception_handler(ReviewInvalid)
    async def _bad(_: Request, e: ReviewInvalid) -> Response:
        return error_response(422, str(e), details=_jsonable(e.details))

    @app.exception_handler(VigilError)
    async def _vigil(_: Request, e: VigilError) -> Response:
        log.error("request failed: %s", e)
        return error_response(500, "the server could not complete the request", code="store_error",
                              details={"vigil_code": e.code})

    @app.exception_handler(Exception)
    async def _crash(_: Request, e: Exception) -> Response:
        log.exception("unexpected error")
        return error_response(500, "internal error: the server could not complete the request")
