"""Request and response models of the API (they document the OpenAPI schema and validate input)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vigil.schema import ActorKind, EventType, Intervention, Modality, Precision, Role

MAX_COUNT = 10_000_000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _reason(value: str) -> str:
    if not value or not value.strip():
        raise ValueError("a non-empty reason is required")
    return value.strip()


class DateIn(_In):
    start: dt.date
    end: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> DateIn:
        if self.end is not None and self.end < self.start:
            raise ValueError("date.end is before date.start")
        return self


class LocationIn(_In):
    name: str = Field(min_length=1, max_length=500)
    admin1: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, max_length=8)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    precision: Precision | None = None

    @model_validator(mode="after")
    def _pair(self) -> LocationIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class ActorIn(_In):
    text: str = Field(min_length=1, max_length=500)
    kind: ActorKind
    side: str | None = Field(default=None, max_length=100)
    role: Role


class CrowdIn(_In):
    text: str = Field(min_length=1, max_length=500)
    low: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    high: int | None = Field(default=None, ge=0, le=MAX_COUNT)

    @model_validator(mode="after")
    def _order(self) -> CrowdIn:
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError("crowd.high is below crowd.low")
        return self


class Changes(_In):
    """The fields an analyst may change; only the fields given are changed."""

    type: EventType | None = None
    intervention: Intervention | None = None
    date: DateIn | None = None
    location: LocationIn | None = None
    actors: list[ActorIn] | None = Field(default=None, max_length=50)
    modality: Modality | None = None
    crowd: CrowdIn | None = None
    fatalities: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    injuries: int | None = Field(default=None, ge=0, le=MAX_COUNT)

    @model_validator(mode="after")
    def _not_null(self) -> Changes:
        for name in ("type", "date", "location", "actors", "modality"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def as_overrides(self) -> dict[str, Any]:
        """The given fields in the events.md shape (dates as ISO strings, locations complete)."""
        out = self.model_dump(mode="json", exclude_unset=True)
        if "date" in out:
            out["date"] = {"start": out["date"]["start"], "end": out["date"].get("end") or out["date"]["start"]}
        if out.get("location") is not None:
            out["location"] = LocationIn.model_validate(out["location"]).model_dump(mode="json")
        if out.get("crowd") is not None:
            out["crowd"] = CrowdIn.model_validate(out["crowd"]).model_dump(mode="json")
        if out.get("actors") is not None:
            out["actors"] = [ActorIn.model_validate(a).model_dump(mode="json") for a in out["actors"]]
        return out


class _ReasonedIn(_In):
    """An analyst action that must say why (edit, merge, split)."""

    reason: str = Field(max_length=5000)

    _check_reason = field_validator("reason")(_reason)


class EditIn(_ReasonedIn):
    changes: Changes


class ReviewIn(_In):
    status: Literal["verified", "rejected", "unreviewed"]
    reason: str | None = Field(default=None, max_length=5000)


class MergeIn(_ReasonedIn):
    ids: list[str] = Field(min_length=2, max_length=500)


class SplitIn(_ReasonedIn):
    pass


class TokenIn(_In):
    role: Literal["viewer", "editor", "admin"]
    label: str | None = Field(default=None, max_length=200)


class DocumentIn(_In):
    id: str | None = Field(default=None, min_length=1, max_length=300)
    text: str = Field(min_length=1)
    title: str | None = Field(default=None, max_length=2000)
    published: str | None = Field(default=None, max_length=40)
    outlet: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=4000)


# --- responses (documentation) -----------------------------------------------------------------


class SpanOut(BaseModel):
    start: int
    end: int
    text: str


class EventOut(BaseModel):
    """``vigil.export.document_record``'s event dict plus document, cluster and review fields."""

    id: str
    type: str
    intervention: str | None
    date: dict[str, str | None]
    location: dict[str, Any] | None
    actors: list[dict[str, Any]]
    crowd: dict[str, Any] | None
    fatalities: int | None
    injuries: int | None
    modality: str
    acled: dict[str, str | None]
    evidence: list[str]
    evidence_spans: list[dict[str, Any]]
    field_evidence: dict[str, SpanOut]
    trigger: SpanOut
    cluster: str | None
    salience: float | None = None
    rules: list[str] = []
    doc_id: str
    outlet: str | None
    published: str | None
    status: Literal["single-source", "corroborated", "contested", "unverified"]
    corroboration: int
    review: Literal["unreviewed", "verified", "rejected"]
    edited: bool


class EventList(BaseModel):
    items: list[EventOut]
    total: int
    limit: int
    offset: int


class AuditOut(BaseModel):
    id: int
    at: str
    token_id: int | None
    role: str | None
    action: str
    event_id: str | None
    before: Any
    after: Any
    reason: str | None


class SourceOut(BaseModel):
    doc_id: str
    event_id: str
    outlet: str | None
    published: str | None
    modality: str
    evidence: list[SpanOut]


class ClusterOut(BaseModel):
    id: str
    status: str
    corroboration: int
    sources: list[SourceOut]
    disagreements: list[dict[str, Any]]


class EventDetail(BaseModel):
    event: EventOut
    cluster: ClusterOut
    history: list[AuditOut]


class Day(BaseModel):
    date: str
    counts: dict[str, int]


class Timeline(BaseModel):
    days: list[Day]


class DocEvent(BaseModel):
    id: str
    type: str
    trigger: SpanOut
    evidence_spans: list[dict[str, Any]]
    field_evidence: dict[str, SpanOut]


class DocumentOut(BaseModel):
    id: str
    title: str | None
    text: str
    published: str | None
    outlet: str | None
    url: str | None
    sha256: str
    events: list[DocEvent]


class IngestOut(BaseModel):
    id: str
    stored: bool
    events: list[EventOut]


class ClusterId(BaseModel):
    cluster: str


class AuditList(BaseModel):
    items: list[AuditOut]


class MeOut(BaseModel):
    role: str
    token_id: int | None


class TokenOut(BaseModel):
    id: int
    role: str
    token: str


class TokenInfo(BaseModel):
    id: int
    role: str
    label: str | None
    created_at: str | None
    revoked: bool


class TokenList(BaseModel):
    items: list[TokenInfo]


class ErrorBody(BaseModel):
    code: str
    message: str
    status: int
    details: dict[str, Any]


class ErrorOut(BaseModel):
    error: ErrorBody
