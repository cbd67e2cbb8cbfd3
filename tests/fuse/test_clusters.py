from datetime import date

from vigil.fuse import assign_clusters, events_match
from vigil.schema import Article, Event, EventDate, Location, Span


def _event(doc: str, n: int, type_: str = "protest", place: str = "Melitopol", lat: float = 46.85,
           lon: float = 35.37, start: str = "2022-03-02", end: str | None = None) -> Event:
    return Event(
        id=f"{doc}:e{n}", doc_id=doc, type=type_,
        date=EventDate(start=date.fromisoformat(start), end=date.fromisoformat(end or start)),
        location=Location(name=place, lat=lat, lon=lon, precision="city"),
        trigger=Span(doc_id=doc, start=0, end=7, text="protest"),
    )


def _article(doc: str, published: str, *events: Event) -> Article:
    return Article(id=doc, text="protest", published=date.fromisoformat(published), events=list(events))


def test_clusters_same_event_across_documents_share_id():
    a = _article("a", "2022-03-03", _event("a", 0))
    b = _article("b", "2022-03-04", _event("b", 0, start="2022-03-01", end="2022-03-03"))
    out = assign_clusters([a, b])
    assert out[0].events[0].cluster == out[1].events[0].cluster
    assert out[0].events[0].cluster.startswith("melitopol-2022-03-02-protest-")


def test_clusters_different_days_stay_apart():
    a = _article("a", "2022-03-03", _event("a", 0, start="2022-03-02"))
    b = _article("b", "2022-03-10", _event("b", 0, start="2022-03-09"))
    out = assign_clusters([a, b])
    assert out[0].events[0].cluster != out[1].events[0].cluster


def test_clusters_different_type_or_distant_place_stay_apart():
    a = _article("a", "2022-03-03", _event("a", 0))
    b = _article("b", "2022-03-03", _event("b", 0, type_="abduction"))
    c = _article("c", "2022-03-03", _event("c", 0, place="Kharkiv", lat=49.98, lon=36.25))
    out = assign_clusters([a, b, c])
    ids = {x.events[0].cluster for x in out}
    assert len(ids) == 3


def test_clusters_never_join_two_events_of_one_document():
    a = _article("a", "2022-03-03", _event("a", 0), _event("a", 1))
    out = assign_clusters([a])
    assert out[0].events[0].cluster != out[0].events[1].cluster


def test_clusters_existing_ids_are_kept_and_joined():
    old = _event("old", 0).model_copy(update={"cluster": "kept-id"})
    new = _article("n", "2022-03-05", _event("n", 0))
    out = assign_clusters([new], existing=[old])
    assert out[0].events[0].cluster == "kept-id"


def test_clusters_are_stable_across_runs():
    arts = [_article("a", "2022-03-03", _event("a", 0)), _article("b", "2022-03-04", _event("b", 0))]
    first = [e.cluster for x in assign_clusters(arts) for e in x.events]
    second = [e.cluster for x in assign_clusters(list(reversed(arts))) for e in x.events]
    assert sorted(first) == sorted(second)


def test_events_match_uses_admin1_for_region_precision():
    a = _event("a", 0, place="Chernihiv Oblast", lat=51.5, lon=31.3)
    b = _event("b", 0, place="Koryukivka", lat=51.77, lon=32.25)
    a.location.precision = "admin1"
    a.location.admin1 = "Chernihiv Oblast"
    b.location.admin1 = "Chernihiv Oblast"
    assert events_match(a, b)
    b.location.admin1 = "Sumy Oblast"
    assert not events_match(a, b)
