"""geoparse_article on our own invented reports (spaCy model) and on hand-built mentions."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.geo import Gazetteer, geoparse_article, load_gazetteer
from vigil.schema import Article, Mention


@lru_cache(maxsize=1)
def _gaz() -> Gazetteer:
    return load_gazetteer()


def _parse(nlp, text: str) -> Article:
    from vigil.nlp import parse_article

    return geoparse_article(parse_article(Article(id="t", text=text), nlp), _gaz())


def _by_text(article: Article) -> dict:
    return {p.text: p for p in article.places}


@pytest.mark.model
def test_geoparse_offsets_match_text(nlp) -> None:
    a = _parse(nlp, "Shells hit Kharkiv overnight.\nIn Melitopol, residents marched to the town hall.")
    assert a.places
    for p in a.places:
        assert a.text[p.start:p.end] == p.text


@pytest.mark.model
@pytest.mark.parametrize("town", ["Melitopol", "Berdyansk", "Enerhodar", "Nova Kakhovka", "Koryukivka"])
def test_geoparse_finds_small_ukrainian_towns(nlp, town: str) -> None:
    a = _parse(nlp, f"Hundreds of people rallied in {town} on Sunday, holding flags in front of the soldiers.")
    place = _by_text(a)[town]
    assert place.resolved and place.country == "UA" and place.precision == "city"


@pytest.mark.model
def test_geoparse_region_phrase_is_admin1_covering_phrase(nlp) -> None:
    a = _parse(nlp, "Russian troops pulled out of the Chernihiv region after five weeks.")
    place = _by_text(a)["Chernihiv region"]
    assert (place.name, place.precision, place.admin1) == ("Chernihiv Oblast", "admin1", "Chernihiv Oblast")


@pytest.mark.model
def test_geoparse_oblast_variant_spelling(nlp) -> None:
    a = _parse(nlp, "Water supplies failed across Zaporozhye oblast on Friday.")
    place = _by_text(a)["Zaporozhye oblast"]
    assert place.name == "Zaporizhzhia Oblast" and place.precision == "admin1"


@pytest.mark.model
def test_geoparse_old_spelling_normalized(nlp) -> None:
    a = _parse(nlp, "Air raid sirens sounded in Kiev and Kharkov before dawn.")
    names = {p.text: p.name for p in a.places}
    assert names.get("Kiev") == "Kyiv" and names.get("Kharkov") == "Kharkiv"


@pytest.mark.model
def test_geoparse_demonyms_are_not_places(nlp) -> None:
    a = _parse(nlp, "Ukrainian villagers argued with Russian soldiers at the checkpoint.")
    assert not any(p.text in ("Ukrainian", "Russian") for p in a.places)


@pytest.mark.model
def test_geoparse_person_surname_not_a_place(nlp) -> None:
    a = _parse(nlp, "Deputy minister Mykhailo Fedorov spoke on Monday. Fedorov said the network held.")
    assert not any("Fedorov" in p.text for p in a.places)


@pytest.mark.model
def test_geoparse_site_in_city_gives_city(nlp) -> None:
    a = _parse(nlp, "A crowd gathered on Freedom Square in Kharkiv to sing the anthem.")
    kharkiv = _by_text(a)["Kharkiv"]
    assert kharkiv.precision == "city" and kharkiv.admin1 == "Kharkiv Oblast"
    for p in a.places:
        if p.precision == "site":
            assert not p.resolved and p.lat is None


@pytest.mark.model
def test_geoparse_country_names_country_precision(nlp) -> None:
    a = _parse(nlp, "Talks between Ukraine and Russia resumed in Belarus.")
    got = {p.text: (p.precision, p.country) for p in a.places}
    assert got["Ukraine"] == ("country", "UA") and got["Russia"] == ("country", "RU")


@pytest.mark.model
def test_geoparse_sentence_index(nlp) -> None:
    a = _parse(nlp, "The morning was quiet. Then shells fell on Mykolaiv.")
    place = _by_text(a)["Mykolaiv"]
    assert place.sentence == 1


@pytest.mark.model
def test_geoparse_context_picks_country_of_document(nlp) -> None:
    a = _parse(nlp, "Ukraine said ships left Odessa harbour. Residents of Odessa queued for water.")
    assert {p.country for p in a.places if p.text == "Odessa"} == {"UA"}


@pytest.mark.model
def test_geoparse_is_pure(nlp) -> None:
    from vigil.nlp import parse_article

    src = parse_article(Article(id="t", text="Tanks entered Bucha on Thursday."), nlp)
    before = src.model_dump()
    out = geoparse_article(src, _gaz())
    assert src.model_dump() == before
    assert out.places and out is not src


# --- without the model: hand-built mentions ---------------------------------------------------


def _article(text: str, *mentions: tuple[str, str]) -> Article:
    ents = []
    for word, label in mentions:
        s = text.index(word)
        ents.append(Mention(start=s, end=s + len(word), text=word, label=label))
    return Article(id="m", text=text, entities=ents)


def test_geoparse_unknown_gpe_is_unresolved() -> None:
    a = geoparse_article(_article("Fighting near Qwzxbrvlt continued.", ("Qwzxbrvlt", "GPE")), _gaz())
    [p] = a.places
    assert not p.resolved and p.lat is None and p.lon is None and p.geonameid is None


def test_geoparse_container_state_disambiguates() -> None:
    text = "The mayor of Paris, Texas, spoke."
    a = geoparse_article(_article(text, ("Paris", "GPE"), ("Texas", "GPE")), _gaz())
    paris = _by_text(a)["Paris"]
    assert (paris.country, paris.admin1) == ("US", "Texas")


def test_geoparse_population_resolver_takes_biggest() -> None:
    text = "The mayor of Paris, Texas, spoke."
    a = geoparse_article(_article(text, ("Paris", "GPE"), ("Texas", "GPE")), _gaz(), resolver="population")
    assert _by_text(a)["Paris"].country == "FR"


def test_geoparse_us_abbreviation_keeps_period() -> None:
    text = "A storm hit Charleston, W.Va., and later the U.S. capital."
    a = geoparse_article(_article(text, ("Charleston", "GPE")), _gaz())
    got = _by_text(a)
    assert got["W.Va."].name == "West Virginia"
    assert got["Charleston"].admin1 == "West Virginia"
    assert got["U.S."].country == "US"


def test_geoparse_dateline() -> None:
    a = geoparse_article(Article(id="d", text="KHERSON, Ukraine (AP) -- Crowds gathered again."), _gaz())
    assert _by_text(a)["KHERSON"].name == "Kherson"


@pytest.mark.parametrize("text", ["", " ", "\u200b\u200b", "🙂 in 🙂", "The Oblast region Oblast", "A" * 5000,
                                  "the  region", "X region"])
def test_geoparse_odd_text_does_not_crash(text: str) -> None:
    out = geoparse_article(Article(id="o", text=text), _gaz())
    for p in out.places:
        assert text[p.start:p.end] == p.text


def test_geoparse_ignores_mentions_outside_text() -> None:
    a = Article(id="b", text="Short.", entities=[Mention(start=3, end=400, text="x", label="GPE")])
    assert geoparse_article(a, _gaz()).places == []


def test_geoparse_listed_regions_each_admin1() -> None:
    text = "Referendums were announced in the Kherson and Zaporizhzhia regions."
    got = {p.text: (p.name, p.precision) for p in geoparse_article(Article(id="r", text=text), _gaz()).places}
    assert got["Kherson"] == ("Kherson Oblast", "admin1")
    assert got["Zaporizhzhia regions"] == ("Zaporizhzhia Oblast", "admin1")


def test_geoparse_district_phrase_is_admin2_at_town() -> None:
    text = "Two villages in the Bakhmut district were shelled."
    [p] = geoparse_article(Article(id="r", text=text), _gaz()).places
    assert (p.text, p.name, p.precision, p.country) == ("Bakhmut district", "Bakhmut", "admin2", "UA")


def test_geoparse_close_misspelling_resolves() -> None:
    a = geoparse_article(_article("Shelling hit Zaporizhzia at night.", ("Zaporizhzia", "GPE")), _gaz())
    [p] = a.places
    assert p.resolved and p.name == "Zaporizhzhia" and p.text == "Zaporizhzia"


def test_geoparse_demonym_led_name_dropped() -> None:
    text = "He was charged under the Belarusian Criminal Code."
    a = geoparse_article(_article(text, ("Belarusian Criminal Code", "LOC")), _gaz())
    assert a.places == []


def test_geoparse_short_caps_never_a_town() -> None:
    a = geoparse_article(_article("The EU and the UN met.", ("EU", "GPE"), ("UN", "GPE")), _gaz())
    assert all(p.precision != "city" for p in a.places)


_ALPHABET = list("KyivMelitopolOblast region Texas,.'-\u2019\u00e9\u200b\n ")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=120),
       st.lists(st.tuples(st.integers(-5, 130), st.integers(-5, 130),
                          st.sampled_from(["GPE", "LOC", "FAC", "PERSON", "ORG", "NORP"])), max_size=4))
def test_geoparse_random_text_and_mentions_keep_offsets(text: str, spans: list) -> None:
    ents = [Mention(start=max(0, s), end=max(0, e), text=text[max(0, s):max(0, e)], label=lab) for s, e, lab in spans]
    out = geoparse_article(Article(id="h", text=text, entities=ents), _gaz())
    for p in out.places:
        assert 0 <= p.start < p.end <= len(text) and text[p.start:p.end] == p.text
        assert p.resolved or (p.lat is None and p.lon is None)


def test_geoparse_lowercase_common_word_not_a_place() -> None:
    text = "Families spent the night in metro stations while sirens sounded over Odesa."
    a = geoparse_article(_article(text, ("metro", "GPE"), ("Odesa", "GPE")), _gaz())
    assert [p.text for p in a.places] == ["Odesa"]


def _unparsed(text: str) -> Article:
    from vigil.schema import Sentence

    return Article(id="u", text=text, sentences=[Sentence(i=0, start=0, end=len(text), parsed=False)])


@pytest.mark.parametrize(("text", "names"), [
    ("Crowds gathered again in Kharkiv on Sunday.", ["Kharkiv"]),  # after a place cue
    ("Officials from Lviv and Odesa met.", ["Lviv", "Odesa"]),
    ("The talks with Vladimir Putin stalled.", []),  # part of a longer capitalised name
    ("Bethany said nothing.", []),  # sentence-initial, no cue: not enough without a tagger
])
def test_geoparse_unparsed_sentence_finds_cued_names(text: str, names: list[str]) -> None:
    got = geoparse_article(_unparsed(text), _gaz())
    assert [p.text for p in got.places if p.resolved] == names
    for p in got.places:
        assert text[p.start:p.end] == p.text


def test_prepare_gazetteer_is_idempotent() -> None:
    from vigil.geo import prepare_gazetteer

    prepare_gazetteer(_gaz())
    prepare_gazetteer(_gaz())
    a = geoparse_article(_article("Shelling hit Zaporizhzia at night.", ("Zaporizhzia", "GPE")), _gaz())
    assert [p.name for p in a.places] == ["Zaporizhzhia"]


def _with_mentions(text: str, names: list[str]) -> Article:
    ents = [Mention(start=text.index(n), end=text.index(n) + len(n), text=n, label="GPE") for n in names]
    return geoparse_article(Article(id="m", text=text, entities=ents), _gaz())


def test_geoparse_homonym_resolved_near_other_places() -> None:
    alone = _with_mentions("Shelling hit Mykolaivka overnight.", ["Mykolaivka"])
    assert alone.places[0].admin1 == "Donetsk Oblast"  # the most populous of a dozen villages
    near = _with_mentions("Shelling hit Melitopol and Mykolaivka overnight.", ["Melitopol", "Mykolaivka"])
    assert {p.text: p.admin1 for p in near.places}["Mykolaivka"] == "Zaporizhzhia Oblast"


def test_geoparse_us_county_pulls_homonym_town() -> None:
    pytest.importorskip("zipcodes")
    alone = _with_mentions("Crowds gathered in Paris on Sunday.", ["Paris"])
    assert alone.places[0].country == "FR"
    a = _with_mentions("Crowds gathered in Paris and in Henry County on Sunday.", ["Paris", "Henry County"])
    got = {p.text: p for p in a.places}
    assert (got["Paris"].country, got["Paris"].admin1) == ("US", "Tennessee")
    assert got["Henry County"].precision == "admin2"


def test_geoparse_date_word_is_not_a_town() -> None:
    text = "The vote was held on Nov. 4 in Kharkiv."
    ents = [Mention(start=21, end=27, text="Nov. 4", label="DATE"),
            Mention(start=31, end=38, text="Kharkiv", label="GPE")]
    a = geoparse_article(Article(id="d", text=text, entities=ents), _gaz())
    assert [p.text for p in a.places] == ["Kharkiv"]


@pytest.mark.model
@pytest.mark.parametrize(("text", "county"), [
    ("Ribbons were handed out at the Fayette County Fair on Saturday.", "Fayette County"),
    ("The Pulaski County Clerk certified the results on Monday.", "Pulaski County"),
])
def test_geoparse_county_heading_a_name_is_the_county(nlp, text: str, county: str) -> None:
    place = _by_text(_parse(nlp, text)).get(county)
    assert place is not None and place.precision == "admin2" and place.resolved


@pytest.mark.model
def test_geoparse_direction_outside_a_name_leaves_the_place(nlp) -> None:
    a = _parse(nlp, "Heavy rain fell across Northeast Georgia and in North Las Vegas on Monday.")
    names = {p.text: p.name for p in a.places}
    assert names.get("Georgia") == "Georgia" and names.get("North Las Vegas") == "North Las Vegas"


@pytest.mark.model
@pytest.mark.parametrize(("text", "name"), [
    ("Lincoln said the plan was fair. Critics wrote to Lincoln on Monday.", "Lincoln"),
    ("The Toyota failed to yield and struck a van at the junction.", "Toyota"),
])
def test_geoparse_lone_person_or_brand_name_not_a_place(nlp, text: str, name: str) -> None:
    assert not any(p.text == name for p in _parse(nlp, text).places)


@pytest.mark.model
def test_geoparse_town_with_cue_still_a_place_when_nobody_speaks(nlp) -> None:
    a = _parse(nlp, "Critics wrote to Lincoln officials on Monday about the Nebraska budget.")
    assert any(p.text == "Lincoln" for p in a.places)
