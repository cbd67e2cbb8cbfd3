"""The store: round trips, duplicates, all-or-nothing writes, queries and migrations (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from vigil.errors import StoreError
from vigil.schema import (
    Acled,
    Actor,
    Article,
    Claim,
    Crowd,
    Event,
    EventDate,
    Location,
    Mention,
    Place,
    Sentence,
    Span,
    Timex,
    Token,
)
from vigil.store import Store, open_store
from vigil.store import repository as repo_module

TEXT_A = (
    "On Tuesday about two hundred residents of Vyshneve gathered outside the town hall and blocked a convoy "
    "of armoured vehicles, witnesses said. Soldiers fired into the air to disperse the crowd. "
    "The regional council said, without giving evidence, that more than 40 civilians had died in the district."
)
TEXT_B = (
    "Artillery hit the outskirts of Stepnohirsk overnight on 9 March, the mayor told a local radio station. "
    "Two people were killed."
)


def _span(doc_id: str, text: str, piece: str, sentence: int = 0) -> Span:
    start = text.index(piece)
    return Span(doc_id=doc_id, start=start, end=start + len(piece), text=piece, sentence=sentence,
                provenance="test@1:manual")


def make_article_a(doc_id: str = "doc-a", sha: str = "a" * 64) -> Article:
    """A fictional report: a protest that blocked a convoy, and a casualty claim."""
    first = TEXT_A[: TEXT_A.index(" Soldiers")]
    place_span = _span(doc_id, TEXT_A, "Vyshneve")
    protest = Event(
        id=f"{doc_id}-e1",
        doc_id=doc_id,
        type="obstruction",
        intervention="warning_shots",
        date=EventDate(start=date(2022, 3, 8), end=date(2022, 3, 8), evidence=_span(doc_id, TEXT_A, "On Tuesday"),
                       rule="timex:weekday"),
        location=Location(name="Vyshneve", admin1="Kyiv Oblast", country="UA", lat=50.39, lon=30.37,
                          precision="city", geonameid=689558, evidence=place_span),
        actors=[
            Actor(text="about two hundred residents", kind="civilians", side="UA", role="initiator",
                  evidence=_span(doc_id, TEXT_A, "about two hundred residents")),
            Actor(text="Soldiers", kind="military", side="RU", role="target",
                  evidence=_span(doc_id, TEXT_A, "Soldiers", 1)),
        ],
        crowd=Crowd(text="about two hundred", low=180, high=220, evidence=_span(doc_id, TEXT_A, "about two hundred")),
        modality="reported",
        acled=Acled(event_type="Protests", sub_event_type="Protest with intervention"),
        trigger=_span(doc_id, TEXT_A, "blocked"),
        evidence=[Span(doc_id=doc_id, start=0, end=len(first), text=first, sentence=0)],
        field_evidence={"location": place_span, "intervention": _span(doc_id, TEXT_A, "fired into the air", 1)},
        salience=0.9,
        cluster="vyshneve-2022-03-08-obstruction",
        rules=["trigger:blocked", "intervention:air"],
    )
    claim = Claim(kind="civilian_deaths", value=40, qualifier="more than", source="The regional council",
                  verified=False, evidence=_span(doc_id, TEXT_A, "more than 40 civilians had died", 2))
    return Article(
        id=doc_id,
        text=TEXT_A,
        title="Residents block a convoy",
        published=date(2022, 3, 10),
        outlet="Fictional Herald",
        url="https://example.org/a",
        sha256=sha,
        source="a.txt",
        ingested_at=datetime(2022, 3, 11, 8, 30, tzinfo=UTC),
        lang="en",
        sentences=[Sentence(i=0, start=0, end=len(first), parsed=True,
                            tokens=[Token(i=0, text="On", start=0, ws=" ")])],
        entities=[Mention(start=place_span.start, end=place_span.end, text="Vyshneve", label="GPE", sentence=0)],
        timexes=[Timex(start=3, end=10, text="Tuesday", type="DATE", value="2022-03-08")],
        places=[Place(start=place_span.start, end=place_span.end, text="Vyshneve", name="Vyshneve", lat=50.39,
                      lon=30.37, country="UA", precision="city")],
        events=[protest],
        claims=[claim],
        notes=["test note"],
    )


def make_article_b(doc_id: str = "doc-b", sha: str = "b" * 64) -> Article:
    """A fictional report of shelling with two deaths, plus an undated military movement."""
    shelling = Event(
        id=f"{doc_id}-e1",
        doc_id=doc_id,
        type="shelling",
        date=EventDate(start=date(2022, 3, 9), end=date(2022, 3, 9)),
        location=Location(name="Stepnohirsk", country="UA", lat=47.6, lon=35.5, precision="city"),
        fatalities=2,
        acled=Acled(event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack"),
        trigger=_span(doc_id, TEXT_B, "Artillery"),
        salience=0.8,
        cluster="stepnohirsk-2022-03-09-shelling",
    )
    movement = Event(
        id=f"{doc_id}-e2",
        doc_id=doc_id,
        type="military_movement",
        location=Location(name="Zaporizhzhia Oblast", country="ua", precision="admin1"),
        trigger=_span(doc_id, TEXT_B, "hit"),
        salience=0.1,
    )
    return Article(id=doc_id, text=TEXT_B, published=date(2022, 3, 10), outlet="Imaginary Post", sha256=sha,
                   events=[shelling, movement])


def make_article_c(doc_id: str = "doc-c", sha: str = "c" * 64) -> Article:
    """A fictional multi-day protest in Russia (an interval date)."""
    text_c = "Students in Tomsk protested from 1 to 3 March against the war."
    ev = Event(id=f"{doc_id}-e1", doc_id=doc_id, type="protest",
               date=EventDate(start=date(2022, 3, 1), end=date(2022, 3, 3)),
               location=Location(name="Tomsk", country="RU", lat=56.5, lon=84.97, precision="city"),
               trigger=_span(doc_id, text_c, "protested"))
    return Article(id=doc_id, text=text_c, published=date(2022, 3, 4), sha256=sha, events=[ev])


# --- backends ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same behaviour is checked on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "vigil.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    yield s
    s.close()


# --- writing and reading back -------------------------------------------------------------


def test_add_article_round_trip_keeps_events_and_claims(store: Store) -> None:
    article = make_article_a()
    assert store.add_article(article) is True
    back = store.get_article("doc-a")
    assert back is not None
    assert back.events == article.events
    assert back.claims == article.claims
    expected_meta = article.model_dump(exclude={"sentences", "events", "claims"})
    assert back.model_dump(exclude={"sentences", "events", "claims"}) == expected_meta
    assert [(s.start, s.end) for s in back.sentences] == [(s.start, s.end) for s in article.sentences]


def test_add_article_keeps_event_order(store: Store) -> None:
    store.add_article(make_article_b())
    back = store.get_article("doc-b")
    assert back is not None
    assert [e.id for e in back.events] == ["doc-b-e1", "doc-b-e2"]


def test_get_article_unknown_id_returns_none(store: Store) -> None:
    assert store.get_article("no-such-doc") is None


def test_add_article_duplicate_sha_returns_false(store: Store) -> None:
    assert store.add_article(make_article_a()) is True
    again = make_article_a(doc_id="doc-other")  # new id, same raw content
    assert store.add_article(again) is False
    assert store.count_articles() == 1
    assert store.get_article("doc-other") is None
    assert [e.id for e in store.query_events()] == ["doc-a-e1"]


def test_add_article_duplicate_id_returns_false(store: Store) -> None:
    assert store.add_article(make_article_a()) is True
    assert store.add_article(make_article_a(sha="f" * 64)) is False
    assert store.count_articles() == 1


def test_has_sha256_after_add(store: Store) -> None:
    assert store.has_sha256("a" * 64) is False
    store.add_article(make_article_a())
    assert store.has_sha256("a" * 64) is True
    assert store.has_sha256("b" * 64) is False


def test_add_article_without_sha_uses_text_hash(store: Store) -> None:
    import hashlib

    article = make_article_c().model_copy(update={"sha256": None})
    assert store.add_article(article) is True
    assert store.has_sha256(hashlib.sha256(article.text.encode()).hexdigest())


def test_add_article_failure_mid_transaction_rolls_back(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add_article(make_article_b())

    def broken_claim_row(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repo_module, "_claim_row", broken_claim_row)
    with pytest.raises(StoreError, match="doc-a.*nothing was written"):
        store.add_article(make_article_a())
    assert store.count_articles() == 1
    assert store.count_events() == 2
    assert store.get_article("doc-a") is None
    assert store.has_sha256("a" * 64) is False


def test_add_article_event_id_collision_raises_and_writes_nothing(store: Store) -> None:
    store.add_article(make_article_a())
    clash = make_article_b(doc_id="doc-b")
    clash.events[1] = clash.events[1].model_copy(update={"id": "doc-a-e1"})  # already stored
    with pytest.raises(StoreError, match="doc-b"):
        store.add_article(clash)
    assert store.count_articles() == 1
    assert store.get_article("doc-b") is None
    assert store.count_events() == 1


def test_add_article_odd_input_is_stored(store: Store) -> None:
    odd = "Nul\x00 and lone \ud800 surrogate, emoji \U0001f600 and Ukrainian \u0457."
    ev = Event(id="odd-e1", doc_id="odd", type="other", trigger=Span(doc_id="odd", start=0, end=3, text=odd[:3]),
               fatalities=10**30, location=Location(name=odd, lat=float("nan"), lon=30.0), salience=float("inf"))
    article = Article(id="odd", text=odd, title=odd, sha256="d" * 64, events=[ev],
                      claims=[Claim(kind="other", value=-(10**40), evidence=ev.trigger)])
    assert store.add_article(article) is True
    back = store.get_article("odd")
    assert back is not None
    assert len(back.text) == len(odd)
    assert "\x00" not in back.text and "\ufffd" in back.text
    assert "\U0001f600" in back.text
    assert back.events[0].fatalities == 10**30
    assert back.events[0].location is not None and back.events[0].location.lat is None
    assert back.claims[0].value == -(10**40)


def test_iter_articles_yields_all_in_id_order(store: Store) -> None:
    for a in (make_article_b(), make_article_a(), make_article_c()):
        store.add_article(a)
    assert store.count_articles() == 3
    assert [a.id for a in store.iter_articles()] == ["doc-a", "doc-b", "doc-c"]


# --- queries ------------------------------------------------------------------------------


@pytest.fixture
def filled(store: Store) -> Store:
    for a in (make_article_a(), make_article_b(), make_article_c()):
        assert store.add_article(a)
    return store


def test_query_events_orders_by_date_then_doc_then_position(filled: Store) -> None:
    ids = [e.id for e in filled.query_events()]
    assert ids == ["doc-c-e1", "doc-a-e1", "doc-b-e1", "doc-b-e2"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"type": "shelling"}, ["doc-b-e1"]),
        ({"type": "airstrike"}, []),
        ({"since": date(2022, 3, 3)}, ["doc-c-e1", "doc-a-e1", "doc-b-e1"]),
        ({"since": date(2022, 3, 4)}, ["doc-a-e1", "doc-b-e1"]),
        ({"until": date(2022, 3, 1)}, ["doc-c-e1"]),
        ({"until": date(2022, 2, 28)}, []),
        ({"since": date(2022, 3, 8), "until": date(2022, 3, 8)}, ["doc-a-e1"]),
        ({"country": "UA"}, ["doc-a-e1", "doc-b-e1", "doc-b-e2"]),
        ({"country": "ru"}, ["doc-c-e1"]),
        ({"cluster": "stepnohirsk-2022-03-09-shelling"}, ["doc-b-e1"]),
        ({"doc_id": "doc-b"}, ["doc-b-e1", "doc-b-e2"]),
        ({"limit": 2}, ["doc-c-e1", "doc-a-e1"]),
        ({"limit": 0}, []),
        ({"type": "obstruction", "country": "UA", "since": date(2022, 3, 1)}, ["doc-a-e1"]),
    ],
)
def test_query_events_filters(filled: Store, filters: dict, expected: list[str]) -> None:
    assert [e.id for e in filled.query_events(**filters)] == expected


def test_query_events_returns_full_events(filled: Store) -> None:
    (ev,) = filled.query_events(type="obstruction")
    assert ev == make_article_a().events[0]


def test_get_event_by_id(filled: Store) -> None:
    assert filled.get_event("doc-b-e2") == make_article_b().events[1]
    assert filled.get_event("no-such-event") is None


def test_set_cluster_updates_queries_and_articles(filled: Store) -> None:
    assert filled.set_cluster("doc-c-e1", "tomsk-student-protests") is True
    assert [e.id for e in filled.query_events(cluster="tomsk-student-protests")] == ["doc-c-e1"]
    article = filled.get_article("doc-c")
    assert article is not None and article.events[0].cluster == "tomsk-student-protests"
    assert filled.get_event("doc-c-e1").cluster == "tomsk-student-protests"  # type: ignore[union-attr]
    assert filled.set_cluster("no-such-event", "x") is False


# --- opening and migrating --------------------------------------------------------------


def test_open_store_twice_is_idempotent(store_url: str) -> None:
    with open_store(store_url) as first:
        first.add_article(make_article_a())
    with open_store(store_url) as second:
        assert second.count_articles() == 1
        assert second.get_article("doc-a") is not None


def test_open_store_concurrent_opens_of_a_fresh_sqlite_file(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh.db")
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_store(path).close()
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(path) as s:
        assert s.count_articles() == 0


def test_open_store_bare_path_is_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("vigil.db") as s:
        s.add_article(make_article_c())
    assert (tmp_path / "vigil.db").is_file()
    with open_store(f"sqlite:///{tmp_path / 'vigil.db'}") as s:
        assert s.count_articles() == 1


def test_open_store_not_a_database_raises_store_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("these are shopping notes, not a database\n" * 50)
    with pytest.raises(StoreError, match="notes.txt"):
        open_store(str(bogus))
    assert bogus.read_text().startswith("these are shopping notes")


def test_open_store_folder_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder"):
        open_store(str(tmp_path))


def test_open_store_missing_parent_folder_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no-such-folder"):
        open_store(str(tmp_path / "no-such-folder" / "v.db"))


def test_open_store_empty_string_raises_store_error() -> None:
    with pytest.raises(StoreError):
        open_store("  ")


def test_open_store_unreachable_server_hides_password() -> None:
    url = "postgresql://vigil:s3cret-pw@127.0.0.1:1/vigil"
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert "s3cret-pw" not in message
    assert "127.0.0.1:1/vigil" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "name",
    ["with\x00nul.db", "lone\ud800surrogate.db", "x" * 5000 + ".db", "postgresql://u:pw@db:notaport/v",
     "postgresql://u:pw@[::1:5432/v", "nosuchdriver://somewhere/db"],
)
def test_open_store_odd_names_raise_one_line_store_error(tmp_path: Path, name: str) -> None:
    target = name if "://" in name else str(tmp_path / name)
    with pytest.raises(StoreError) as info:
        open_store(target)
    message = str(info.value)
    assert "\n" not in message and "\x00" not in message and len(message) < 600
    assert ":pw@" not in message


def test_parse_url_maps_postgresql_to_psycopg() -> None:
    url, shown = repo_module._parse_url("postgresql://u:pw@db.example:5432/v")
    assert url.drivername == "postgresql+psycopg"
    assert "pw" not in shown and shown.startswith("postgresql+psycopg://u:***@")


# SQLite cannot reflect the expression index ix_events_admin1 (lower(admin1)), so alembic skips comparing it.
@pytest.mark.filterwarnings("ignore:.*ix_events_admin1")
def test_models_match_migrations(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from vigil.store.models import Base

    path = tmp_path / "m.db"
    open_store(str(path)).close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_add_article_any_text_round_trips() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    with open_store(":memory:") as store:
        counter = iter(range(10**6))

        @settings(max_examples=40, deadline=None)
        @given(body=st.text(max_size=80), title=st.none() | st.text(max_size=20))
        def check(body: str, title: str | None) -> None:
            doc_id = f"h{next(counter)}"
            assert store.add_article(Article(id=doc_id, text=body, title=title, sha256=doc_id))
            back = store.get_article(doc_id)
            assert back is not None
            assert back.text == repo_module._clean(body) and len(back.text) == len(body)
            assert back.title == (None if title is None else repo_module._clean(title))

        check()


def test_add_article_concurrent_writers_store_it_once(store_url: str) -> None:
    results: list[bool] = []
    errors: list[BaseException] = []
    stores = [open_store(store_url) for _ in range(4)]

    def writer(s: Store) -> None:
        try:
            results.append(s.add_article(make_article_a()))
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    with open_store(store_url) as s:
        assert s.count_articles() == 1 and s.count_events() == 1


def test_migrations_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "d.db"
    open_store(str(path)).close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        cfg = repo_module._alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        with engine.connect() as conn:
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
        assert "events" not in names and "articles" not in names
    finally:
        engine.dispose()
    with open_store(str(path)) as s:
        assert s.add_article(make_article_c()) is True


def test_migration_0004_fills_status_signatures_and_copies(tmp_path: Path) -> None:
    """A store at 0003 upgrades cleanly: cluster stats, signatures, band keys and copies are filled."""
    from alembic import command

    from vigil.store.models import ArticleBandRow, ArticleRow, EventRow
    from vigil.store.repository import _alembic_config

    text = "Several hundred people protested in the square of the old town on Saturday, officials said."

    def art(doc_id: str, outlet: str, body: str) -> Article:
        ev = Event(id=f"{doc_id}:e0", doc_id=doc_id, type="protest", cluster="c-1",
                   trigger=Span(doc_id=doc_id, start=0, end=7, text=body[:7]))
        return Article(id=doc_id, text=body, outlet=outlet, published=date(2022, 3, 6), events=[ev])

    path = tmp_path / "m4.db"
    with open_store(str(path)) as store:
        store.add_article(art("a", "Wire One", text))
        store.add_article(art("b", "Paper Two", text + " (wire)"))
        with store._engine.begin() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
    with open_store(str(path)) as store, store._session() as s:
        stats = dict(s.execute(select(EventRow.id, EventRow.status)).all())
        corr = dict(s.execute(select(EventRow.id, EventRow.corroboration)).all())
        copies = dict(s.execute(select(ArticleRow.id, ArticleRow.duplicate_of)).all())
        n_bands = len(s.scalars(select(ArticleBandRow.key)).all())
        sigs = s.scalars(select(ArticleRow.minhash)).all()
    assert copies == {"a": None, "b": "a"}
    assert stats == {"a:e0": "single-source", "b:e0": "single-source"} and corr == {"a:e0": 1, "b:e0": 1}
    assert n_bands > 0 and all(sig and len(sig) == 8 * 64 for sig in sigs)
