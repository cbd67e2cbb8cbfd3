"""Assembly quality: headline/body merge, non-event places, same-act triggers, districts, actors.

Every article here is an invented wire-style report. Places and timexes are given
as schema records (test doubles for the geo and timex stages); the attribute
finders are neutral doubles except in the actor tests.
"""

from __future__ import annotations

from datetime import date

import pytest
from finder_doubles import null_finders

from vigil.extract.actors import find_actors
from vigil.extract.events import (
    SentenceView,
    assemble_events,
    district_cities,
    load_assembly_policy,
    load_place_filters,
    load_priority_rules,
    place_role,
    resolve_same_act,
    same_act,
)
from vigil.extract.triggers import TriggerHit, TriggerRule, load_trigger_rules, match_triggers
from vigil.nlp import parse_article
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Article, DateInterval, Place, Span, Timex

PUB = date(2022, 3, 11)  # a Friday
# name -> (lat, lon, precision, country, admin1)
GAZ = {
    "Kherson": (46.64, 32.61, "city", "UA", "Kherson Oblast"),
    "Skadovsk": (46.11, 32.91, "city", "UA", "Kherson Oblast"),
    "Kakhovka": (46.81, 33.47, "city", "UA", "Kherson Oblast"),
    "Nova Kakhovka": (46.75, 33.37, "city", "UA", "Kherson Oblast"),
    "Rivne": (50.62, 26.25, "city", "UA", "Rivne Oblast"),
    "Kharkiv": (49.98, 36.25, "city", "UA", "Kharkiv Oblast"),
    "Saltivka district": (50.02, 36.35, "admin2", "UA", "Kharkiv Oblast"),
    "Mykolaiv": (46.97, 31.99, "city", "UA", "Mykolaiv Oblast"),
    "Moscow": (55.75, 37.62, "city", "RU", "Moscow"),
    "Kyiv": (50.45, 30.52, "city", "UA", "Kyiv City"),
}
GIDS = {name: 1000 + n for n, name in enumerate(GAZ)}


def _places(art: Article, names: tuple[str, ...]) -> list[Place]:
    text = art.text
    out = []
    for name in names:
        i = text.find(name)
        while i >= 0:
            # a longer listed name covering this one ("Nova Kakhovka" over "Kakhovka") wins
            if not any(o != name and name in o and text.find(o, max(0, i - len(o)), i + len(o)) >= 0
                       for o in names if o in text):
                lat, lon, prec, cc, adm = GAZ[name]
                sent = next(s.i for s in art.sentences if s.start <= i < s.end)
                out.append(Place(start=i, end=i + len(name), text=name, name=name.replace(" district", ""),
                                 lat=lat, lon=lon, precision=prec, country=cc, admin1=adm,
                                 geonameid=GIDS[name], sentence=sent))
            i = text.find(name, i + 1)
    return sorted(out, key=lambda p: p.start)


def build(nlp, text: str, places: tuple[str, ...] = (), timexes: tuple[tuple[str, date, date], ...] = ()
          ) -> Article:
    art = parse_article(Article(id="doc", text=text, published=PUB), nlp)
    tl = []
    for phrase, start, end in timexes:
        i = text.index(phrase)
        sent = next(s.i for s in art.sentences if s.start <= i < s.end)
        tl.append(Timex(start=i, end=i + len(phrase), text=phrase, type="DATE", value="x",
                        interval=DateInterval(start=start, end=end), sentence=sent))
    return art.model_copy(update={"places": _places(art, places), "timexes": tl})


def summary(evs) -> list[tuple[str, str | None, date | None, date | None]]:
    return [(e.type, e.location.name if e.location else None, e.date.start, e.date.end) for e in evs]


# ------------------------------------------------------------------- 1. headline and body


@pytest.mark.model
def test_assemble_events_headline_abduction_merges_into_dated_body_event(nlp):
    text = ("Head of southern Ukrainian village seized by soldiers, deputy says\n\n"
            "The head of the village council of Kakhovka was seized by Russian soldiers on Monday and driven "
            "away in a van, his deputy said.")
    art = build(nlp, text, ("Kakhovka",), (("on Monday", date(2022, 3, 7), date(2022, 3, 7)),))
    evs = assemble_events(art, finders=null_finders())
    assert summary(evs) == [("abduction", "Kakhovka", date(2022, 3, 7), date(2022, 3, 7))]
    assert len(evs[0].evidence) == 2  # the headline is kept as evidence


@pytest.mark.model
def test_assemble_events_headline_with_own_place_merges_into_body_date(nlp):
    text = ("Residents rally in Skadovsk against occupation\n\n"
            "About two hundred residents rallied in Skadovsk on Tuesday against the Russian occupation.")
    art = build(nlp, text, ("Skadovsk",), (("on Tuesday", date(2022, 3, 8), date(2022, 3, 8)),))
    assert summary(assemble_events(art, finders=null_finders())) == [
        ("protest", "Skadovsk", date(2022, 3, 8), date(2022, 3, 8))]


@pytest.mark.model
def test_assemble_events_dated_events_in_different_towns_stay_apart(nlp):
    text = ("Residents rally in Kherson\n\n"
            "Residents rallied in Kherson on Tuesday. Residents of Mykolaiv rallied on Wednesday too.")
    art = build(nlp, text, ("Kherson", "Mykolaiv"), (("on Tuesday", date(2022, 3, 8), date(2022, 3, 8)),
                                                     ("on Wednesday", date(2022, 3, 9), date(2022, 3, 9))))
    got = sorted(summary(assemble_events(art, finders=null_finders())))
    assert got == [("protest", "Kherson", date(2022, 3, 8), date(2022, 3, 8)),
                   ("protest", "Mykolaiv", date(2022, 3, 9), date(2022, 3, 9))]


# ------------------------------------------------------------------- 2. facility and destination places


@pytest.mark.model
def test_assemble_events_facility_and_destination_are_not_event_places(nlp):
    text = ("Kakhovka residents stop convoy\n\n"
            "Residents formed a human chain on the main road on Tuesday, blocking trucks heading towards the "
            "Rivne nuclear power plant.")
    art = build(nlp, text, ("Kakhovka", "Rivne"), (("on Tuesday", date(2022, 3, 8), date(2022, 3, 8)),))
    assert summary(assemble_events(art, finders=null_finders())) == [
        ("obstruction", "Kakhovka", date(2022, 3, 8), date(2022, 3, 8))]


@pytest.mark.model
def test_assemble_events_facility_place_used_when_nothing_better(nlp):
    text = "Russian troops shelled the Rivne nuclear power plant on Tuesday."
    art = build(nlp, text, ("Rivne",), (("on Tuesday", date(2022, 3, 8), date(2022, 3, 8)),))
    assert summary(assemble_events(art, finders=null_finders())) == [
        ("shelling", "Rivne", date(2022, 3, 8), date(2022, 3, 8))]


@pytest.mark.model
def test_place_role_destination_needs_a_motion_verb(nlp):
    filters = load_place_filters()
    moving = build(nlp, "Villagers stopped a column of trucks heading towards Mykolaiv.", ("Mykolaiv",))
    still = build(nlp, "Villagers stopped a column of trucks in Mykolaiv.", ("Mykolaiv",))
    assert place_role(moving.places[0], SentenceView(moving.sentences[0]), filters) == "destination"
    assert place_role(still.places[0], SentenceView(still.sentences[0]), filters) is None


# ------------------------------------------------------------------- 3. one act, one event


@pytest.mark.model
def test_assemble_events_human_chain_blocking_troops_is_one_obstruction(nlp):
    text = "Hundreds of residents formed a human chain across the bridge in Kherson on Tuesday, blocking a tank."
    art = build(nlp, text, ("Kherson",), (("on Tuesday", date(2022, 3, 8), date(2022, 3, 8)),))
    evs = assemble_events(art, finders=null_finders())
    assert [e.type for e in evs] == ["obstruction"]
    assert "obstruction-absorbs-protest-same-act" in evs[0].rules


@pytest.mark.model
def test_assemble_events_rally_and_blockade_in_separate_sentences_stay_two(nlp):
    text = ("Hundreds of residents rallied in Kherson on Tuesday. "
            "On Wednesday villagers blocked a column of tanks outside Kakhovka.")
    art = build(nlp, text, ("Kherson", "Kakhovka"), (("on Tuesday", date(2022, 3, 8), date(2022, 3, 8)),
                                                     ("On Wednesday", date(2022, 3, 9), date(2022, 3, 9))))
    assert sorted(e.type for e in assemble_events(art, finders=null_finders())) == ["obstruction", "protest"]


def _hit(rule_id: str, etype: str, source: str, start: int, end: int) -> TriggerHit:
    return TriggerHit(TriggerRule(id=rule_id, type=etype, lemmas=frozenset({"x"}), source=source),
                      start, end, "x" * (end - start), 0, None)


def test_resolve_same_act_prefers_conflict_trigger_file_on_overlap():
    conflict = _hit("c", "territory_control", "triggers.yaml", 10, 20)
    acled = _hit("a", "other", "triggers_acled.yaml", 12, 25)
    apart = _hit("b", "other", "triggers_acled.yaml", 40, 45)
    kept, used = resolve_same_act([conflict, acled, apart], (), None, ("triggers.yaml",))
    assert kept == [conflict, apart] and used == ["act-prefer-conflict-trigger"]


def test_resolve_same_act_priority_rule_decides_before_file():
    prot = _hit("p", "protest", "triggers.yaml", 10, 20)
    obst = _hit("o", "obstruction", "triggers_acled.yaml", 10, 20)
    kept, used = resolve_same_act([prot, obst], load_priority_rules(), None, ("triggers.yaml",))
    assert kept == [obst] and used == ["obstruction-absorbs-protest-same-act"]


@pytest.mark.model
def test_same_act_links_participle_clause_not_separate_clauses(nlp):
    art = build(nlp, "Crowds formed a human chain, blocking the tanks. Later, soldiers shelled the bridge.")
    rules = load_trigger_rules()
    hits = [h for s in art.sentences for h in match_triggers(s, art.text, rules)]
    chain = next(h for h in hits if h.text == "human chain")
    block = next(h for h in hits if h.text == "blocking")
    shell = next(h for h in hits if h.text == "shelled")
    assert same_act(chain, block, SentenceView(art.sentences[0]))
    assert not same_act(chain, shell, SentenceView(art.sentences[0]))


@pytest.mark.model
@pytest.mark.parametrize("sentence", [
    "Police found an improvised explosive device under a bridge in the Russian city of Belgorod.",
    "Russian soldiers looted shops and homes in the occupied village.",
])
def test_acled_only_triggers_fire_in_russia_ukraine_reports(nlp, sentence: str):
    art = parse_article(Article(id="r", text=sentence, published=PUB), nlp)
    hits = match_triggers(art.sentences[0], art.text, load_trigger_rules())
    assert any(h.rule.source == "triggers_acled.yaml" for h in hits)


def test_assembly_policy_names_the_conflict_trigger_file():
    assert "triggers.yaml" in load_assembly_policy().act_prefer_files


# ------------------------------------------------------------------- 4. districts and common words


def test_district_cities_maps_district_near_named_city():
    kh = Place(start=0, end=7, text="Kharkiv", name="Kharkiv", lat=49.98, lon=36.25, precision="city",
               country="UA", geonameid=1)
    dist = Place(start=20, end=37, text="Saltivka district", name="Saltivka", lat=50.02, lon=36.35,
                 precision="admin2", country="UA", geonameid=2)
    far = Place(start=50, end=67, text="Bakhmut district", name="Bakhmut", lat=48.6, lon=38.0,
                precision="admin2", country="UA", geonameid=3)
    got = district_cities([kh, dist, far], load_place_filters())
    assert got == {(20, 37): kh}


def test_district_cities_odd_places_do_not_crash():
    odd = [Place(start=0, end=1, text="X", name="X", resolved=False),
           Place(start=2, end=3, text="Y", name="Y", lat=None, lon=None, precision="admin2")]
    assert district_cities(odd, load_place_filters()) == {}


@pytest.mark.model
def test_assemble_events_district_shelling_is_the_city_event(nlp):
    text = ("Russian forces shelled Kharkiv overnight, officials said on Monday.\n\n"
            "Rockets hit apartment blocks in the Saltivka district.")
    art = build(nlp, text, ("Kharkiv", "Saltivka district"), (("overnight", date(2022, 3, 6), date(2022, 3, 7)),))
    evs = assemble_events(art, finders=null_finders())
    assert summary(evs) == [("shelling", "Kharkiv", date(2022, 3, 6), date(2022, 3, 7))]


# ------------------------------------------------------------------- 5. metonyms


@pytest.mark.model
def test_assemble_events_government_metonym_is_not_borrowed(nlp):
    text = ("Mayor of Skadovsk replaced\n\n"
            "Ukraine's foreign ministry urged its allies to press Moscow over the town. "
            "Russian officials have installed a new head of the town administration, local media reported.")
    art = build(nlp, text, ("Skadovsk", "Moscow"))
    evs = [e for e in assemble_events(art, finders=null_finders()) if e.type == "occupation_measure"]
    assert [e.location.name if e.location else None for e in evs] == ["Skadovsk"]


@pytest.mark.model
@pytest.mark.parametrize(("sentence", "name"), [
    ("Moscow said its forces had completed the exercise.", "Moscow"),
    ("Kyiv denied that its troops had crossed the river.", "Kyiv"),
])
def test_place_role_speaking_capital_is_a_metonym(nlp, sentence: str, name: str):
    art = build(nlp, sentence, (name,))
    assert place_role(art.places[0], SentenceView(art.sentences[0]), load_place_filters()) == "metonym"


# ------------------------------------------------------------------- 6. actors


def _trigger(art: Article, word: str) -> Span:
    i = art.text.index(word)
    sent = next(s for s in art.sentences if s.start <= i < s.end)
    return Span(doc_id=art.id, start=i, end=i + len(word), text=word, sentence=sent.i)


@pytest.mark.model
def test_find_actors_strips_dateline(nlp):
    text = "KHERSON, Ukraine - Several hundred residents of Kherson blocked a column of tanks on Tuesday."
    art = parse_article(Article(id="d", text=text, published=PUB), nlp)
    trig = _trigger(art, "blocked")
    actors = find_actors(art, art.sentences[trig.sentence], trig, "obstruction")
    texts = [a.text for a in actors]
    assert texts and not any("KHERSON" in t or " - " in t for t in texts)
    assert any(t.startswith("Several hundred residents") for t in texts)


@pytest.mark.model
def test_find_actors_headline_actor_excludes_trigger(nlp):
    art = parse_article(Article(id="h", text="Thousands rally in Mykolaiv on the tenth day of the war",
                                published=PUB), nlp)
    trig = _trigger(art, "rally")
    for a in find_actors(art, art.sentences[0], trig, "protest"):
        assert "rally" not in a.text and "Mykolaiv" not in a.text


# ------------------------------------------------------------------- places.yaml examples


_FILE = load_rule_file(str(rules_dir("extract") / "places.yaml"))


def _examples(kind: str) -> list[tuple[str, str, str]]:
    return [(r["id"], r["kind"], s) for r in _FILE["rules"] for s in r["examples"][kind]]


def _roles(nlp, sentence: str) -> set[str]:
    names = tuple(n for n in GAZ if n in sentence)
    art = build(nlp, sentence, names)
    filters = load_place_filters()
    out = {r for p in art.places if (r := place_role(p, SentenceView(art.sentences[p.sentence]), filters))}
    if district_cities(art.places, filters):
        out.add("district")
    return out


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "kind", "sentence"), _examples("match"))
def test_place_filter_rule_examples_match(nlp, rule_id: str, kind: str, sentence: str):
    assert kind in _roles(nlp, sentence), rule_id


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "kind", "sentence"), _examples("no_match"))
def test_place_filter_rule_examples_no_match(nlp, rule_id: str, kind: str, sentence: str):
    assert kind not in _roles(nlp, sentence), rule_id


def test_load_place_filters_reads_every_kind():
    f = load_place_filters()
    assert "plant" in f.facility_heads and "towards" in f.destination_preps
    assert "press" in f.metonym_object_of and "say" in f.metonym_subject_of and f.district_km > 0


# ------------------------------------------------------------------- 8. the sentence pre-filter


@pytest.mark.model
@pytest.mark.parametrize(("sentence", "kept"), [
    ("Soldiers shot two men near the bridge.", True),  # an irregular form, from the model's lemmatizer
    ("Residents rallied in the square.", True),
    ("Villagers stood in front of the tanks.", True),  # every word of a phrase
    ("Crowds stopped the convoy.", True),
    ("The weather was mild and the shops were open.", False),
    ("", False),
    ("\u200b\u200b 🙂", False),
])
def test_trigger_prefilter_keeps_sentences_with_trigger_words(nlp, sentence: str, kept: bool):
    from vigil.extract import trigger_prefilter

    assert trigger_prefilter(nlp=nlp)(sentence) is kept


@pytest.mark.model
def test_trigger_prefilter_keeps_every_sentence_with_a_parsed_hit(nlp):
    from vigil.extract import trigger_prefilter

    text = ("Hundreds of residents rallied in Kherson on Tuesday. Troops fired warning shots into the air. "
            "Russian forces shelled the outskirts overnight. The mayor was abducted from his office. "
            "Farmers blocked the road with tractors. Officials refused to cooperate with the occupiers. "
            "A curfew was imposed. The shops were open and the weather was mild.")
    art = parse_article(Article(id="p", text=text, published=PUB), nlp)
    keep = trigger_prefilter(nlp=nlp)
    rules = load_trigger_rules()
    for s in art.sentences:
        if match_triggers(s, art.text, rules):
            assert keep(art.text[s.start:s.end]), art.text[s.start:s.end]
    assert not keep("The shops were open and the weather was mild.")


@pytest.mark.model
def test_assemble_events_skips_unparsed_sentences_beside_parsed_ones(nlp):
    from vigil.extract import trigger_prefilter

    text = "Hundreds of residents rallied in Kherson on Tuesday. The weather was mild."
    art = parse_article(Article(id="s", text=text, published=PUB), nlp, select=trigger_prefilter(nlp=nlp))
    assert [s.parsed for s in art.sentences] == [True, False]
    full = parse_article(Article(id="s", text=text, published=PUB), nlp)
    places = ("Kherson",)
    a1 = art.model_copy(update={"places": _places(art, places)})
    a2 = full.model_copy(update={"places": _places(full, places)})
    assert summary(assemble_events(a1, finders=null_finders())) == summary(assemble_events(a2, finders=null_finders()))
