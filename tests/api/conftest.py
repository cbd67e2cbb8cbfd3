"""Fixtures of the API tests: a small store of invented reports, tokens per role, a TestClient.

(Kept beside the API tests: they need a store with reviews, which no other test folder uses.)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from vigil.schema import Actor, Article, Crowd, Event, EventDate, Location, Span
from vigil.store import Store

with warnings.catch_warnings():  # starlette suggests httpx2; the httpx TestClient works the same
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


# Invented reports (fictional towns and outlets are fine; the numbers are made up).
TEXTS = {
    "doc-north": ("On Monday several hundred residents of Ivanivka protested outside the council building "
                  "against the occupation, the Northern Herald reported. Soldiers detained two organisers."),
    "doc-wire": ("Residents of Ivanivka held a protest on Monday near the council building, a wire service said. "
                 "About 300 people took part."),
    "doc-south": ("Artillery shelled the outskirts of Prymorske overnight on 3 March, the mayor said. "
                  "Three people were killed."),
    "doc-script": ("<script>alert('x')</script> Villagers in Lisove blocked a column of trucks on the "
                   "main road on Friday. <img src=x onerror=alert(1)>"),
}
META = {
    "doc-north": (date(2022, 3, 1), "Northern Herald"),
    "doc-wire": (date(2022, 3, 1), "Continental Wire"),
    "doc-south": (date(2022, 3, 4), "Southern Gazette"),
    "doc-script": (date(2022, 3, 5), "Forest Courier"),
}


def span(doc_id: str, piece: str) -> Span:
    t = TEXTS[doc_id]
    start = t.index(piece)
    return Span(doc_id=doc_id, start=start, end=start + len(piece), text=piece, sentence=0, provenance="test@1:m")


def _event(doc_id: str, n: int, etype: str, trigger: str, day: date, place: tuple, cluster: str | None,
           **extra: object) -> Event:
    name, admin1, lat, lon = place
    first = TEXTS[doc_id].split(". ")[0]
    return Event(
        id=f"{doc_id}-e{n}", doc_id=doc_id, type=etype,
        date=EventDate(start=day, end=day, evidence=span(doc_id, trigger)),
        location=Location(name=name, admin1=admin1, country="UA", lat=lat, lon=lon, precision="city",
                          evidence=span(doc_id, name)),
        trigger=span(doc_id, trigger), evidence=[span(doc_id, first)],
        field_evidence={"location": span(doc_id, name)}, cluster=cluster, salience=0.5, **extra,
    )


IVANIVKA = ("Ivanivka", "Kherson Oblast", 46.95, 33.42)
PRYMORSKE = ("Prymorske", "Zaporizhzhia Oblast", 46.73, 36.35)
LISOVE = ("Lisove", "Kyiv Oblast", 50.6, 30.9)


def make_articles() -> list[Article]:
    """Four invented articles: one protest told by two outlets, a shelling, a script-laden blockade."""
    evs = {
        "doc-north": [_event("doc-north", 1, "protest", "protested", date(2022, 2, 28), IVANIVKA, "c-ivanivka",
                             actors=[Actor(text="residents", kind="civilians", role="initiator")],
                             crowd=Crowd(text="several hundred", low=200, high=900), modality="reported")],
        "doc-wire": [_event("doc-wire", 1, "protest", "protest", date(2022, 2, 28), IVANIVKA, "c-ivanivka",
                            crowd=Crowd(text="About 300", low=300, high=300))],
        "doc-south": [_event("doc-south", 1, "shelling", "shelled", date(2022, 3, 3), PRYMORSKE, "c-prymorske",
                             fatalities=3)],
        "doc-script": [_event("doc-script", 1, "obstruction", "blocked", date(2022, 3, 4), LISOVE, None,
                              modality="claimed")],
    }
    out = []
    for doc_id, body in TEXTS.items():
        published, outlet = META[doc_id]
        out.append(Article(id=doc_id, text=body, title=f"Report {doc_id}", published=published, outlet=outlet,
                           sha256=None, events=evs[doc_id]))
    return out


_TRIGGERS = {"protest": "protest", "shelled": "shelling", "blocked": "obstruction"}


def fake_pipeline(article: Article) -> Article:
    """A light stand-in for nlp -> extract: one event per trigger word, dated on the publication day."""
    events = []
    for m in re.finditer(r"\b(protest|shelled|blocked)\w*", article.text):
        sp = Span(doc_id=article.id, start=m.start(), end=m.end(), text=m.group(0), provenance="fake@1:word")
        events.append(Event(id=f"{article.id}-e{len(events) + 1}", doc_id=article.id, type=_TRIGGERS[m.group(1)],
                            date=EventDate(start=article.published, end=article.published), trigger=sp,
                            evidence=[sp]))
    return article.model_copy(update={"events": events})


@dataclass
class Api:
    """A TestClient with a token per role and the store behind it."""

    client: object
    store: Store
    tokens: dict[str, str]
    url: str

    def h(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_schema: Callable) -> Iterator[str]:
    """The same API behaviour on a SQLite file and on PostgreSQL (a throwaway schema)."""
    if request.param == "sqlite":
        yield str(tmp_path / "api.db")
    else:
        with pg_schema("vigil_api") as url:
            yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "api.db")


def _make_api(url: str, pipeline: Callable[[Article], Article] = fake_pipeline) -> Iterator[Api]:
    from vigil.api import create_app
    from vigil.api.deps import get_pipeline
    from vigil.store.review import create_token

    app = create_app(url, web=True)
    app.dependency_overrides[get_pipeline] = lambda: pipeline
    store: Store = app.state.store
    for a in make_articles():
        assert store.add_article(a)
    tokens = {role: create_token(store, role, f"test {role}")[1] for role in ("viewer", "editor", "admin")}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client=client, store=store, tokens=tokens, url=url)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ro_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           pg_schema: Callable) -> Iterator[Api]:
    """One API per module for tests that only read (on SQLite and PostgreSQL): much faster."""
    if request.param == "sqlite":
        yield from _make_api(str(tmp_path_factory.mktemp("ro") / "api.db"))
    else:
        with pg_schema("vigil_api") as url:
            yield from _make_api(url)


@pytest.fixture(scope="module")
def ro_lite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One SQLite API per module for read-only tests."""
    yield from _make_api(str(tmp_path_factory.mktemp("ro") / "api.db"))


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    """The API over the invented store, on SQLite and PostgreSQL."""
    yield from _make_api(db_url)


@pytest.fixture
def lite(sqlite_url: str) -> Iterator[Api]:
    """The API over the invented store on SQLite only (for the many authz and input cases)."""
    yield from _make_api(sqlite_url)


def assert_error(resp: object, status: int, code: str | None = None) -> dict:
    """The response is the one error shape with this status (and code)."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message", "status", "details"}
    assert err["status"] == status and isinstance(err["message"], str) and err["message"]
    assert isinstance(err["details"], dict)
    assert "Traceback" not in resp.text
    if code is not None:
        assert err["code"] == code
    return err
