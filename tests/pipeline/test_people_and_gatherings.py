"""End to end on invented reports: a person captured is an abduction, a gathering with a demand a protest."""

from datetime import date

import pytest

from vigil.jobs import extract_records
from vigil.pipeline import article_from_record
from vigil.schema import Article

pytestmark = pytest.mark.model

TEXT = ("Town council secretary held by soldiers\n\n"
        "The secretary of the town council, Oksana Hrytsenko, would not hand over the keys to the archive, "
        "her colleagues said.\n\n"
        "Soldiers captured Hrytsenko outside the council offices on Friday, officials said. "
        "Residents gathered in front of the offices on the morning of March 12 to demand her release.\n")


@pytest.fixture(scope="module")
def article() -> Article:
    from vigil.pipeline import build_pipeline

    rec = {"id": "cap1", "text": TEXT, "published": "2022-03-12", "outlet": "Example Herald"}
    return next(iter(extract_records([article_from_record(rec)], build_pipeline())))


def test_captured_person_is_an_abduction_not_territory(article: Article) -> None:
    types = {e.type for e in article.events}
    assert "territory_control" not in types
    ab = [e for e in article.events if e.type == "abduction"]
    assert ab and (ab[0].date.start, ab[0].date.end) == (date(2022, 3, 11), date(2022, 3, 11))


def test_gathering_to_demand_a_release_is_a_dated_protest(article: Article) -> None:
    pr = [e for e in article.events if e.type == "protest"]
    assert len(pr) == 1
    assert (pr[0].date.start, pr[0].date.end) == (date(2022, 3, 12), date(2022, 3, 12))


def test_capture_near_a_building_stays_an_abduction() -> None:
    from vigil.pipeline import build_pipeline

    text = ("Village headman taken\n\n"
            "Russian soldiers captured the headman of Lozove outside the village council building on Tuesday, "
            "his neighbours said.\n")
    rec = {"id": "cap2", "text": text, "published": "2022-03-10", "outlet": "Example Herald"}
    art = next(iter(extract_records([article_from_record(rec)], build_pipeline())))
    types = [e.type for e in art.events]
    assert "abduction" in types and "territory_control" not in types, types


def test_soldiers_capturing_a_named_person_is_an_abduction() -> None:
    from vigil.pipeline import build_pipeline

    text = ("Oleh Marchenko, the head of the village council, refused to hand over the lists of residents. "
            "On Friday Russian soldiers captured Marchenko outside the school in Vesele.\n")
    rec = {"id": "cap3", "text": text, "published": "2022-03-12", "outlet": "Example Herald"}
    art = next(iter(extract_records([article_from_record(rec)], build_pipeline())))
    ab = [e for e in art.events if e.type == "abduction"]
    assert ab and ab[0].date.start == ab[0].date.end == date(2022, 3, 11), art.events
    assert "territory_control" not in [e.type for e in art.events]


def test_a_town_the_recogniser_calls_a_person_is_still_seized() -> None:
    from vigil.pipeline import build_pipeline

    text = "Russian forces seized Enerhodar on Friday, the regional governor said.\n"
    rec = {"id": "cap4", "text": text, "published": "2022-03-12", "outlet": "Example Herald"}
    art = next(iter(extract_records([article_from_record(rec)], build_pipeline())))
    assert [(e.type, e.location.name if e.location else None) for e in art.events] == [
        ("territory_control", "Enerhodar")], art.events


def test_rallies_across_the_country_are_the_countrys_not_the_citys() -> None:
    from vigil.pipeline import build_pipeline

    text = ("Police detained 300 people at an anti-war rally in Moscow on Sunday, a rights group in Russia said. "
            "Smaller rallies were held across the country on the same day.\n")
    rec = {"id": "wide1", "text": text, "published": "2022-03-07", "outlet": "Example Herald"}
    art = next(iter(extract_records([article_from_record(rec)], build_pipeline())))
    got = sorted((e.type, e.location.name, e.location.precision, e.location.evidence.text)
                 for e in art.events if e.location and e.location.evidence)
    assert got == [("protest", "Moscow", "city", "Moscow"), ("protest", "Russia", "country", "across the country")]
