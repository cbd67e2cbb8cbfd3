"""The one schema: every record that flows between vigil's stages.

Stages are functions over these records (``Article -> Article`` for the
document stages). Nothing else is shared between stages: a stage never imports
another stage's modules, only this one, ``vigil.errors`` and ``vigil.ruleset``.

Offsets are Python character offsets into ``Article.text``, end exclusive.
``None`` always means "unknown", never "empty".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# --- closed lists (shared/design/events.md) -------------------------------------------------

EventType = Literal[
    "protest",
    "obstruction",
    "noncooperation",
    "abduction",
    "attack_on_civilians",
    "shelling",
    "airstrike",
    "armed_clash",
    "territory_control",
    "occupation_measure",
    "threat",
    "military_movement",
    "diplomacy",
    "other",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]

Intervention = Literal[
    "physical_force", "crowd_control", "warning_shots", "detentions", "fired_on_crowd"
]
INTERVENTIONS: tuple[str, ...] = Intervention.__args__  # type: ignore[attr-defined]

Precision = Literal["site", "city", "admin2", "admin1", "country"]
PRECISIONS: tuple[str, ...] = Precision.__args__  # type: ignore[attr-defined]

ActorKind = Literal[
    "civilians",
    "protesters",
    "officials",
    "military",
    "police",
    "armed_group",
    "government",
    "journalists",
    "other",
]
ACTOR_KINDS: tuple[str, ...] = ActorKind.__args__  # type: ignore[attr-defined]

Role = Literal["initiator", "target"]
Modality = Literal["asserted", "reported", "claimed", "unverified", "denied"]
MODALITIES: tuple[str, ...] = Modality.__args__  # type: ignore[attr-defined]

ClaimKind = Literal[
    "civilian_deaths",
    "military_deaths",
    "injuries",
    "refugees",
    "displaced",
    "detentions",
    "views",
    "other",
]
CLAIM_KINDS: tuple[str, ...] = ClaimKind.__args__  # type: ignore[attr-defined]

TimexType = Literal["DATE", "TIME", "DURATION", "SET"]

# ACLED codebook: event type -> its sub-event types (6 types, 25 sub-types).
ACLED_CODEBOOK: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
ACLED_SUB_TO_TYPE: dict[str, str] = {
    sub: etype for etype, subs in ACLED_CODEBOOK.items() for sub in subs
}


class Record(BaseModel):
    """Base for all schema records: strict about unknown keys, cheap to copy."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# --- evidence ---------------------------------------------------------------------------


class Span(Record):
    """A piece of evidence: where in which document a value comes from.

    ``provenance`` names what produced the value: ``stage@version:rule_id``.
    """

    doc_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    sentence: int | None = None
    provenance: str | None = None


# --- nlp --------------------------------------------------------------------------------


class Token(Record):
    """One token as the nlp stage saw it. ``head`` is the absolute token index in the article."""

    i: int
    text: str
    start: int
    ws: str = ""
    lemma: str = ""
    pos: str = ""
    tag: str = ""
    dep: str = ""
    head: int = 0
    ent_iob: str = "O"
    ent_type: str = ""
    morph: str = ""


class Sentence(Record):
    """A sentence of the article text. ``tokens`` is empty when the sentence was not parsed."""

    i: int
    start: int
    end: int
    paragraph: int = 0
    parsed: bool = False
    tokens: list[Token] = Field(default_factory=list)


class Mention(Record):
    """A named-entity mention (spaCy label: GPE, LOC, FAC, ORG, NORP, PERSON, DATE, CARDINAL...)."""

    start: int
    end: int
    text: str
    label: str
    sentence: int | None = None


_NAME_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


def full_name_words(mentions: Iterable[Mention]) -> list[str]:
    """The words, as written, of the PERSON mentions of two words or more ("Mykhailo Fedorov" ->
    Mykhailo, Fedorov). A lone capitalised word the recogniser calls a person is often a town; it is
    a person when it is one of these words (the geo and extract stages both ask)."""
    out: list[str] = []
    for m in mentions:
        if m.label == "PERSON":
            words = _NAME_WORD.findall(m.text)
            if len(words) > 1:
                out.extend(words)
    return out


# --- timex ------------------------------------------------------------------------------


class DateInterval(Record):
    """An interval of calendar days, both ends inclusive; ``None`` ends are unknown."""

    start: date | None = None
    end: date | None = None


class Timex(Record):
    """A temporal expression (TIMEX3-style) and the calendar interval it denotes.

    ``interval`` is the day interval the expression covers, resolved against the
    document creation date; ``None`` when it cannot be resolved (no DCT, a duration).
    ``relation`` says how it bounds an event: ``on`` (the event happened inside),
    ``before`` (upper bound: "a video shared on Tuesday"), ``after`` ("since ...").
    """

    start: int
    end: int
    text: str
    type: TimexType
    value: str
    interval: DateInterval | None = None
    relation: Literal["on", "before", "after"] = "on"
    rule: str | None = None
    sentence: int | None = None


# --- geo --------------------------------------------------------------------------------


class Place(Record):
    """A resolved (or unresolved) toponym mention.

    ``resolved`` is False when the name was recognised but no gazetteer entry was
    chosen; coordinates are then ``None`` (never a silent country centroid).
    """

    start: int
    end: int
    text: str
    name: str
    resolved: bool = True
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None
    country: str | None = None
    precision: Precision | None = None
    feature: str | None = None
    population: int | None = None
    sentence: int | None = None
    score: float | None = None


# --- extract ----------------------------------------------------------------------------


class EventDate(DateInterval):
    """An event's date interval with the evidence and the rule that chose it."""

    evidence: Span | None = None
    rule: str | None = None


class Location(Record):
    """Where an event happened (events.md ``location``)."""

    name: str
    admin1: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: Precision | None = None
    geonameid: int | None = None
    evidence: Span | None = None


class Actor(Record):
    text: str
    kind: ActorKind
    side: str | None = None
    role: Role
    evidence: Span | None = None


class Crowd(Record):
    text: str
    low: int | None = None
    high: int | None = None
    evidence: Span | None = None


class Acled(Record):
    event_type: str | None = None
    sub_event_type: str | None = None


class Event(Record):
    """One thing that happened at one place over one stretch of time (events.md)."""

    id: str
    doc_id: str
    type: EventType
    intervention: Intervention | None = None
    date: EventDate = Field(default_factory=EventDate)
    location: Location | None = None
    actors: list[Actor] = Field(default_factory=list)
    crowd: Crowd | None = None
    fatalities: int | None = None
    injuries: int | None = None
    modality: Modality = "asserted"
    acled: Acled = Field(default_factory=Acled)
    trigger: Span
    evidence: list[Span] = Field(default_factory=list)
    field_evidence: dict[str, Span] = Field(default_factory=dict)
    salience: float = 0.0
    cluster: str | None = None
    rules: list[str] = Field(default_factory=list)


class Claim(Record):
    """A number or statement attributed to a source that is not itself an event."""

    kind: ClaimKind
    value: int | None = None
    qualifier: str | None = None
    source: str | None = None
    verified: bool | None = None
    evidence: Span


# --- the document -----------------------------------------------------------------------


class Article(Record):
    """One news document and everything the stages have found in it."""

    id: str
    text: str
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    url: str | None = None
    sha256: str | None = None
    source: str | None = None
    ingested_at: datetime | None = None
    lang: str | None = None
    sentences: list[Sentence] = Field(default_factory=list)
    entities: list[Mention] = Field(default_factory=list)
    timexes: list[Timex] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Rejected(Record):
    """An input that could not become an Article, with a reason code and a one-line message."""

    source: str
    line: int | None = None
    code: str
    message: str


# --- fuse -------------------------------------------------------------------------------


class Source(Record):
    """One document's report of a fused event."""

    doc_id: str
    event_id: str
    outlet: str | None = None
    published: date | None = None
    modality: Modality = "asserted"
    sha256: str | None = None
    duplicate_of: str | None = None
    ingested_at: datetime | None = None
    extractor: str | None = None
    evidence: list[Span] = Field(default_factory=list)


class Disagreement(Record):
    """Sources disagree on one field: each distinct value with the documents that said it."""

    field: str
    values: list[dict] = Field(default_factory=list)


class EventCluster(Record):
    """One record per real-world event: merged fields, sources, corroboration, disagreements.

    ``rules`` says how each merged field was chosen (e.g. ``date: intersection``).
    ``status``: single-source, corroborated (two or more independent outlets),
    contested (sources disagree on type-level facts), unverified (only claims or
    unverified reports).
    """

    id: str
    type: EventType
    intervention: Intervention | None = None
    date: DateInterval = Field(default_factory=DateInterval)
    location: Location | None = None
    actors: list[Actor] = Field(default_factory=list)
    crowd: Crowd | None = None
    fatalities: int | None = None
    injuries: int | None = None
    acled: Acled = Field(default_factory=Acled)
    sources: list[Source] = Field(default_factory=list)
    corroboration: int = 0
    status: Literal["single-source", "corroborated", "contested", "unverified"] = "single-source"
    disagreements: list[Disagreement] = Field(default_factory=list)
    rules: dict[str, str] = Field(default_factory=dict)
