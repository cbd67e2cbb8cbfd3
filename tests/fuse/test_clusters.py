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
    text = f"A protest was reported by outlet {doc}."
    return Article(id=doc, text=text, published=date.fromisoformat(published), events=list(events))


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


def _ids(arts):
    return {e.id: e.cluster for a in arts for e in a.events}


def test_clusters_shelling_and_airstrike_are_one_family():
    a = _article("a", "2022-03-02", _event("a", 0, type_="shelling", place="Kharkiv", lat=49.98, lon=36.25))
    b = _article("b", "2022-03-02", _event("b", 0, type_="airstrike", place="Kharkiv", lat=49.98, lon=36.25))
    ids = _ids(assign_clusters([a, b]))
    assert ids["a:e0"] == ids["b:e0"]


def test_clusters_no_chain_through_a_vague_report():
    a = _article("a", "2022-02-25", _event("a", 0, start="2022-02-24"))
    vague = _article("v", "2022-03-06", _event("v", 0, start="2022-02-24", end="2022-03-06"))
    c = _article("c", "2022-03-07", _event("c", 0, start="2022-03-06"))
    ids = _ids(assign_clusters([a, vague, c]))
    assert ids["a:e0"] != ids["c:e0"]
    assert ids["v:e0"] == ids["c:e0"]  # a vague interval is mostly an upper bound: the recent report wins


def test_clusters_campaign_does_not_absorb_a_one_day_event():
    a = _article("a", "2022-05-19", _event("a", 0, start="2022-05-18"))
    campaign = _article("m", "2022-08-21", _event("m", 0, start="2022-02-24", end="2022-08-21"))
    ids = _ids(assign_clusters([a, campaign]))
    assert ids["a:e0"] != ids["m:e0"]


def _told(doc: str, place: str, lat: float, lon: float, text: str) -> Article:
    ev = _event(doc, 0, type_="abduction", place=place, lat=lat, lon=lon, start="2022-03-11")
    ev = ev.model_copy(update={"evidence": [Span(doc_id=doc, start=0, end=len(text), text=text)]})
    return _article(doc, "2022-03-12", ev)


def test_clusters_misplaced_story_joins_when_evidence_is_the_same_story():
    story = "Soldiers detained Mayor Oksana Hrytsenko of Tokmak outside the council building and drove her away."
    a = _told("a", "Tokmak", 47.25, 35.71, story)
    b = _told("b", "Kherson", 46.64, 32.61, story.replace("drove her away", "took her away"))
    c = _told("c", "Nova Kakhovka", 46.75, 33.37, "Troops arrested a school director in the city centre on Friday.")
    ids = _ids(assign_clusters([a, b, c]))
    assert ids["a:e0"] == ids["b:e0"]
    assert ids["c:e0"] != ids["a:e0"]


def test_clusters_ids_do_not_depend_on_input_order():
    arts = [_article(d, "2022-03-03", _event(d, 0)) for d in ("a", "b", "c")]
    arts.append(_article("z", "2022-03-20", _event("z", 0, start="2022-03-19")))
    first = _ids(assign_clusters(arts))
    assert first == _ids(assign_clusters(arts[::-1])) == _ids(assign_clusters(arts[1:] + arts[:1]))


def test_clusters_two_stored_clusters_are_never_merged():
    old1 = _event("o1", 0).model_copy(update={"cluster": "one"})
    old2 = _event("o2", 0, start="2022-03-03").model_copy(update={"cluster": "two"})
    new = _article("n", "2022-03-04", _event("n", 0, start="2022-03-02", end="2022-03-03"))
    out = assign_clusters([new], existing=[old1, old2])
    assert out[0].events[0].cluster in {"one", "two"}


def test_clusters_absurd_dates_do_not_crash():
    a = _article("a", "2022-03-03", _event("a", 0, start="9999-12-31"))
    b = _article("b", "2022-03-03", _event("b", 0, start="0001-01-01"))
    c = _article("c", "2022-03-03", _event("c", 0, start="9999-12-30", end="9999-12-31"))
    out = assign_clusters([a, b, c])
    assert all(e.cluster for x in out for e in x.events)


def test_pair_score_refuses_other_families_and_rewards_agreement():
    from vigil.fuse import pair_score

    a, b = _event("a", 0), _event("b", 0)
    assert pair_score(a, _event("b", 0, type_="abduction"), 1.0) is None
    assert pair_score(a, b, 0.5) > pair_score(a, b, 0.0) > 0


def test_clusters_empty_and_odd_input_do_not_crash():
    assert assign_clusters([]) == []
    undated = _event("u", 0).model_copy(update={"date": EventDate()})
    odd = _event("w", 0).model_copy(update={
        "location": None, "evidence": [Span(doc_id="w", start=0, end=3, text="\u202e\u0000Ж\U0001f600 " * 50)]})
    out = assign_clusters([Article(id="u", text="", events=[undated]), Article(id="w", text="\u2028", events=[odd])])
    assert out[0].events[0].cluster != out[1].events[0].cluster
    assert all(e.cluster for a in out for e in a.events)


def test_clusters_since_campaign_stays_apart_from_one_day_protest():
    day = _article("d", "2022-03-03", _event("d", 0, start="2022-03-02"))
    ongoing = _event("s", 0, start="2022-02-26", end="2022-03-14")
    unknown = _event("u", 0, start="2022-02-26", end="2022-03-14")
    ongoing.date.rule = "date-since-anchor"
    ids = _ids(assign_clusters([day, _article("s", "2022-03-14", ongoing)]))
    assert ids["d:e0"] != ids["s:e0"]
    ids = _ids(assign_clusters([day, _article("u", "2022-03-14", unknown)]))
    assert ids["d:e0"] == ids["u:e0"]  # a date the text leaves unknown is no campaign


def test_clusters_campaign_does_not_absorb_a_vague_shorter_event():
    """A siege-long shelling (months) and an undated strike reported within two weeks are two events."""
    siege = _article("s", "2022-06-11", _event("s", 0, type_="shelling", start="2022-02-24", end="2022-06-11"))
    strike = _article("t", "2022-03-09", _event("t", 0, type_="airstrike", start="2022-02-24", end="2022-03-09"))
    again = _article("r", "2022-03-09", _event("r", 0, type_="airstrike", start="2022-02-24", end="2022-03-09"))
    ids = _ids(assign_clusters([siege, strike, again]))
    assert ids["s:e0"] != ids["t:e0"]
    assert ids["t:e0"] == ids["r:e0"]  # two vague reports of the same size still can be one event


def test_clusters_unplaced_events_need_the_same_story():
    def unplaced(doc: str, text: str, start: str, end: str | None = None) -> Article:
        ev = _event(doc, 0, type_="diplomacy", start=start, end=end).model_copy(update={
            "location": None, "evidence": [Span(doc_id=doc, start=0, end=len(text), text=text)]})
        return _article(doc, "2022-03-13", ev)

    talks = unplaced("a", "On Sunday minister Ilona Vastrik met her counterpart Tomas Brell to discuss grain "
                          "corridors.", "2022-03-13")
    call = unplaced("b", "A president phoned an ally about air defence deliveries.", "2022-03-10", "2022-03-13")
    same = unplaced("c", "On Sunday minister Ilona Vastrik met her counterpart Tomas Brell to discuss grain corridors "
                         "and ports.", "2022-03-13")
    ids = _ids(assign_clusters([talks, call, same]))
    assert ids["a:e0"] != ids["b:e0"]  # nothing but an overlapping date in common
    assert ids["a:e0"] == ids["c:e0"]


def _abduction(doc: str, victim: str, place: str, lat: float, lon: float, day: str) -> Event:
    from vigil.schema import Actor

    ev = _event(doc, 0, type_="abduction", place=place, lat=lat, lon=lon, start=day)
    return ev.model_copy(update={"actors": [Actor(text="Russian soldiers", kind="military", role="initiator"),
                                            Actor(text=victim, kind="officials", role="target")]})


def test_one_named_victim_joins_reports_that_disagree_on_the_town():
    # one outlet puts the kidnapped mayor in the wrong town and a day early: still one kidnapping
    a = _article("a", "2022-03-12", _abduction("a", "Oleh Marchenko, the mayor of Vesele", "Vesele", 46.98, 34.93,
                                               "2022-03-11"))
    b = _article("b", "2022-03-13", _abduction("b", "mayor Oleh Marchenko", "Kherson", 46.64, 32.61, "2022-03-10"))
    c = _article("c", "2022-03-13", _abduction("c", "Oleg Marchenko", "Vesele", 46.98, 34.93, "2022-03-11"))
    out = assign_clusters([a, b, c])
    assert len({x.events[0].cluster for x in out}) == 1


def test_different_victims_or_feminine_forms_stay_apart():
    a = _article("a", "2022-03-12", _abduction("a", "Oleh Ivanov", "Vesele", 46.98, 34.93, "2022-03-11"))
    b = _article("b", "2022-03-12", _abduction("b", "Iryna Ivanova", "Kherson", 46.64, 32.61, "2022-03-11"))
    c = _article("c", "2022-03-12", _abduction("c", "Petro Kovalchuk", "Kherson", 46.64, 32.61, "2022-03-11"))
    out = assign_clusters([a, b, c])
    assert out[0].events[0].cluster not in {x.events[0].cluster for x in out[1:]}


def test_victim_surnames_read_the_name_that_opens_the_target():
    from vigil.fuse.clusters import victim_surnames

    ev = _abduction("a", "Oleh Marchenko, the head of the Vesele council", "Vesele", 46.98, 34.93, "2022-03-11")
    assert victim_surnames(ev) == {"marchenko"}
    for vague in ("their mayor", "the Mayor of Vesele", "the previous incumbent"):
        ev2 = _abduction("a", vague, "Vesele", 46.98, 34.93, "2022-03-11")
        assert victim_surnames(ev2) == set(), vague
