"""Documents: read one with its text and evidence spans; ingest one (JSON or file upload)."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from vigil.api.deps import editor, get_pipeline, get_store, viewer
from vigil.api.errors import ApiError
from vigil.api.responses import errors, json_response
from vigil.api.schemas import DocumentIn, DocumentOut, IngestOut
from vigil.schema import Article, Rejected
from vigil.store import Store
from vigil.store.review import Principal, doc_id_by_sha256, document_events, document_view, reapply_overrides

router = APIRouter(tags=["documents"])
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_UPLOAD_SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl", ".csv"}

StoreDep = Annotated[Store, Depends(get_store)]

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DocumentIn.model_json_schema()},
            "multipart/form-data": {"schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "published": {"type": "string"}, "outlet": {"type": "string"}, "url": {"type": "string"},
                },
            }},
        },
    }
}


@router.get("/documents/{doc_id:path}", response_model=DocumentOut, responses=errors(401, 403, 404))
def get_document(doc_id: str, store: StoreDep, _: Annotated[Principal, Depends(viewer)]) -> Response:
    """A stored article: metadata, raw text (untrusted: escape it) and the spans behind each event."""
    return json_response(document_view(store, doc_id))


def _invalid_doc(e: ValidationError) -> ApiError:
    problems = [{"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))} for err in e.errors()]
    first = problems[0]
    return ApiError(422, f"{'.'.join(first['loc']) or 'body'}: {first['msg']}", details={"errors": problems})


def _from_json(raw: bytes) -> Article | Rejected:
    from vigil.ingest import record_to_article

    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(422, f"the request body is not valid JSON: {str(e)[:200]}", code="malformed_json") from e
    try:
        doc = DocumentIn.model_validate(data)
    except ValidationError as e:
        raise _invalid_doc(e) from e
    sha = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()
    rec = doc.model_dump(exclude_none=True)
    return record_to_article(rec, source="api", line=1, default_id=f"api-{sha[:16]}", defaults={},
                             now=datetime.now(tz=UTC), max_bytes=MAX_UPLOAD_BYTES)


async def _from_upload(request: Request) -> list[Article | Rejected]:
    from vigil.ingest import iter_inputs

    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(422, "file: a multipart upload needs a 'file' part", details={"field": "file"})
    defaults = {k: v for k in ("published", "outlet", "url") if isinstance(v := form.get(k), str) and v.strip()}
    name = _SAFE_NAME.sub("_", Path(upload.filename or "upload.txt").name).strip("._") or "upload"
    if Path(name).suffix.lower() not in _UPLOAD_SUFFIXES:
        name += ".txt"
    data = await upload.read()
    with tempfile.TemporaryDirectory(prefix="vigil-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            items = list(iter_inputs([path], defaults=defaults, max_bytes=MAX_UPLOAD_BYTES))
        except Exception as e:  # noqa: BLE001 - a ConfigError for a bad default date is the caller's input error
            from vigil.errors import VigilError

            if isinstance(e, VigilError):
                raise ApiError(422, str(e), details={"field": "published"}) from e
            raise
    return [it.model_copy(update={"id": f"{Path(name).stem}-{(it.sha256 or '')[:12]}"})
            if isinstance(it, Article) and it.id == Path(name).stem else it for it in items]


@router.post("/documents", status_code=201, response_model=IngestOut, responses=errors(401, 403, 409, 413, 415, 422),
             openapi_extra=_BODY_DOC)
async def post_document(
    request: Request, store: StoreDep, _: Annotated[Principal, Depends(editor)],
    pipeline: Annotated[Callable[[Any], Any], Depends(get_pipeline)],
) -> Response:
    """Ingest one article (JSON, or a file upload) through the same pipeline as ``vigil run``; one transaction."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        items = await _from_upload(request)
    elif ctype in ("application/json", ""):
        items = [_from_json(await request.body())]
    else:
        raise ApiError(415, f"send application/json or multipart/form-data, not {ctype[:100]!r}")
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_ingest, items, store, pipeline)


def _ingest(items: list[Article | Rejected], store: Store, pipeline: Callable[[Any], Any]) -> Response:
    from vigil.jobs import run_into_store

    rejected = [it for it in items if isinstance(it, Rejected)]
    articles = [it for it in items if isinstance(it, Article)]
    if rejected and not articles:
        r = rejected[0]
        raise ApiError(422, f"document refused: {r.message}", code=f"rejected_{r.code}", details={"reason": r.code})
    if len(articles) != 1:
        raise ApiError(422, f"one document per request; the upload holds {len(articles)}",
                       details={"documents": len(articles)})
    article = articles[0]
    existing = doc_id_by_sha256(store, article.sha256 or "")
    if existing is None and document_exists(store, article.id):
        raise ApiError(409, f"another document already has the id {article.id!r}", details={"id": article.id})
    summary = run_into_store([article], store, pipeline)
    if summary.rejected:
        r = summary.rejected[0]
        status = 500 if r.code == "stage" else 422
        raise ApiError(status, "the pipeline could not process the document" if status == 500 else r.message,
                       code="pipeline_error" if status == 500 else f"rejected_{r.code}")
    stored = summary.stored == 1
    doc_id = article.id if stored else (doc_id_by_sha256(store, article.sha256 or "") or article.id)
    if stored:
        reapply_overrides(store)
    return json_response({"id": doc_id, "stored": stored, "events": document_events(store, doc_id)}, status=201)


def document_exists(store: Store, doc_id: str) -> bool:
    """True when a document with this id is stored."""
    from vigil.store.review import ReviewNotFound

    try:
        document_view(store, doc_id)
    except ReviewNotFound:
        return False
    return True
