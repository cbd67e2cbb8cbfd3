"""Event assembly: cues, type priority, places, dates, merge, salience, evidence offsets.

The articles are invented wire-style reports. Timexes and places are given as
schema records so these tests do not depend on the timex and geo stages; the
attribute finders are neutral test doubles (the partners test their own).
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from article_doubles import article_with_records
from finder_doubles import null_finders

from vigil.extract.events import (
    SentenceView,
    assemble_events,
    cue_matches,
    load_anchors,
    load_assembly_policy,
    load_cue_rules,
    load_priority_rules,
    select_hits,
)
from vigil.extract.triggers import load_trigger_rules, match_triggers
from vigil.nlp import parse_article
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import Acled, Article, DateInterval, Place, Sentence, Timex

PUB = date(2022, 3, 4)  # a Friday
COORDS = {"Kherson": (46.64, 32.61), "Mykolaiv": (46.97, 31.99), "Skadovsk": (46.11, 32.91),
          "Hola Prystan": (46.52, 32.52), "Kakhovka": (46.81, 33.47), "Chernihiv": (51.50, 31.29),
          "Odesa": (46.48, 30.72), "Kharkiv": (49.98, 36.25), "Ukraine": (49.0, 32.0),
          "Kherson Oblast": (46.7, 33.0)}
PRECISION = {"Ukraine": "country", "Kherson Oblast": "admin1"}


def build(nlp, text: str, *, places: tuple[str, ...] = (), timexes: tuple[tuple[str, date, date, str], ...] = (),
          published: date | None = PUB) -> Article:
    """Parse ``text`` and add every occurrence of ``places`` and the given timexes (all DATE) as records."""
    return article_with_records(nlp, text, published=published, coords=COORDS, places=places, precision=PRECISION,
                                timexes=tuple((ph, s, e, rel, "DATE") for ph, s, e, rel in timexes))


def events_of(nlp, text: str, **kw):
    finders = kw.pop("finders", null_finders())
    art = build(nlp, text, **kw)
    return art, assemble_events(art, finders=finders)


def check_evidence(art: Article, events) -> None:
    for ev in events:
        spans = [ev.trigger, *ev.evidence, *ev.field_evidence.values()]
        if ev.location and ev.location.evidence:
            spans.append(ev.location.evidence)
        if ev.date.evidence:
            spans.append(ev.date.evidence)
        for s in spans:
            assert art.text[s.start:s.end] == s.text
            assert s.doc_id == art.id
            assert s.provenance and s.provenance.startswith("extract@0.1:")
        main = ev.evidence[0]
        assert main.start <= ev.trigger.start and ev.trigger.end <= main.end


# ------------------------------------------------------------------- one event, its fields


@pytest.mark.model
def test_assemble_events_protest_type_place_date(nlp):
    text = ("Hundreds of residents rallied in the central square of Hola Prystan on Wednesday, "
            "waving flags and chanting at the soldiers.")
    art, evs = events_of(nlp, text, places=("Hola Prystan",),
                         timexes=(("on Wednesday", date(2022, 3, 2), date(2022, 3, 2), "on"),))
    assert [e.type for e in evs] == ["protest"]
    ev = evs[0]
    assert ev.location is not None and ev.location.name == "Hola Prystan"
    assert (ev.date.start, ev.date.end) == (date(2022, 3, 2), date(2022, 3, 2))
    assert ev.date.evidence is not None and ev.date.evidence.text == "on Wednesday"
    assert ev.id == "doc-e1" and ev.doc_id == "doc"
    assert {"type", "date", "location"} <= set(ev.field_evidence)
    check_evidence(art, evs)


@pytest.mark.model
def test_assemble_events_abduction_of_mayor(nlp):
    text = "The mayor of Skadovsk was abducted by armed men on Thursday, his deputy said."
    art, evs = events_of(nlp, text, places=("Skadovsk",),
                         timexes=(("on Thursday", date(2022, 3, 3), date(2022, 3, 3), "on"),))
    assert [(e.type, e.location.name, e.date.start) for e in evs] == [("abduction", "Skadovsk", date(2022, 3, 3))]
    check_evidence(art, evs)


@pytest.mark.model
def test_assemble_events_convoy_blocked_is_one_obstruction(nlp):
    text = "Villagers blocked a convoy of Russian military trucks on the road outside Kakhovka on Tuesday."
    art, evs = events_of(nlp, text, places=("Kakhovka",),
                         timexes=(("on Tuesday", date(2022, 3, 1), date(2022, 3, 1), "on"),))
    assert [e.type for e in evs] == ["obstruction"]
    assert evs[0].location.name == "Kakhovka"


@pytest.mark.model
def test_assemble_events_intervention_only_for_protest_and_obstruction(nlp):
    text = ("Hundreds of people rallied in Kherson on Wednesday. "
            "Artillery shelled Mykolaiv on Wednesday.")
    calls = []

    def intervention(a, window, trig, etype):
        calls.append(etype)
        assert window[0].start <= trig.start < window[0].end
        return "warning_shots", trig

    art, evs = events_of(nlp, text, places=("Kherson", "Mykolaiv"),
                         timexes=(("on Wednesday", date(2022, 3, 2), date(2022, 3, 2), "on"),),
                         finders=null_finders(intervention=intervention))
    by_type = {e.type: e for e in evs}
    assert by_type["protest"].intervention == "warning_shots"
    assert by_type["shelling"].intervention is None
    assert calls == ["protest"]


@pytest.mark.model
def test_assemble_events_calls_acled_with_trigger_sub_event(nlp):
    seen = {}

    def acled(etype, **kw):
        seen.update(kw, etype=etype)
        return Acled(event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack")

    art, evs = events_of(nlp, "Russian artillery shelled Mykolaiv overnight.", places=("Mykolaiv",),
                         finders=null_finders(acled=acled))
    assert evs[0].acled.sub_event_type == "Shelling/artillery/missile attack"
    assert seen["etype"] == "shelling" and "shelled" in seen["text"]


# ------------------------------------------------------------------- cues


@pytest.mark.model
@pytest.mark.parametrize("text", [
    "Russian forces have not been able to take Kherson.",
    "The brigade failed to capture Kherson after a week.",
    "Residents will rally in Kherson tomorrow.",
    "Commanders are preparing to storm Kherson.",
    "If they shell Kherson, the mayor said, people will leave.",
    "No protests were held in Kherson on Sunday.",
])
def test_assemble_events_drops_negated_future_and_hypothetical(nlp, text: str):
    _, evs = events_of(nlp, text, places=("Kherson",))
    assert [e.type for e in evs if e.type != "threat"] == []


@pytest.mark.model
def test_assemble_events_denial_keeps_event_with_modality_denied(nlp):
    art, evs = events_of(nlp, "Moscow denied shelling the hospital in Mykolaiv.", places=("Mykolaiv",))
    assert [(e.type, e.modality) for e in evs] == [("shelling", "denied")]
    assert evs[0].field_evidence["modality"].text.lower().startswith("deni")


@pytest.mark.model
def test_assemble_events_threat_is_its_own_event_not_the_threatened_act(nlp):
    _, evs = events_of(nlp, "The commander threatened to shell Kherson if the rally went ahead.",
                       places=("Kherson",))
    assert [e.type for e in evs] == ["threat"]


# ------------------------------------------------------------------- priority, places, merge


@pytest.mark.model
def test_assemble_events_protest_with_shots_is_not_an_attack(nlp):
    text = "Soldiers shot at the protesters who were rallying outside the town hall in Kherson."
    _, evs = events_of(nlp, text, places=("Kherson",))
    assert [e.type for e in evs] == ["protest"]


@pytest.mark.model
def test_assemble_events_two_cities_two_events(nlp):
    text = "Russian artillery shelled Kherson and Mykolaiv on Wednesday night."
    _, evs = events_of(nlp, text, places=("Kherson", "Mykolaiv"),
                       timexes=(("on Wednesday night", date(2022, 3, 2), date(2022, 3, 2), "on"),))
    assert sorted(e.location.name for e in evs if e.type == "shelling") == ["Kherson", "Mykolaiv"]
    assert len({e.id for e in evs}) == len(evs)


@pytest.mark.model
def test_assemble_events_country_subject_is_not_the_location(nlp):
    _, evs = events_of(nlp, "Ukraine says troops shelled Kharkiv overnight.", places=("Ukraine", "Kharkiv"))
    assert [e.location.name for e in evs] == ["Kharkiv"]


@pytest.mark.model
def test_assemble_events_location_from_previous_sentence_in_paragraph(nlp):
    text = "Residents rallied in Kherson on Wednesday. They chanted slogans and sang the anthem."
    _, evs = events_of(nlp, text, places=("Kherson",))
    assert len(evs) == 1 and evs[0].location.name == "Kherson"
    assert len(evs[0].evidence) == 2  # the protest told in two sentences is one event


@pytest.mark.model
def test_assemble_events_merge_accumulates_evidence_and_salience(nlp):
    text = ("Protesters rallied in Kherson on Wednesday.\n"
            "Soldiers later detained several journalists in Odesa.\n"
            "The Kherson rally lasted for two hours, witnesses said.")
    art, evs = events_of(nlp, text, places=("Kherson", "Odesa"),
                         timexes=(("on Wednesday", date(2022, 3, 2), date(2022, 3, 2), "on"),))
    protests = [e for e in evs if e.type == "protest"]
    assert len(protests) == 1
    assert len(protests[0].evidence) == 2
    single = [e for e in evs if e.type == "abduction"][0]
    assert protests[0].salience > single.salience
    check_evidence(art, evs)


@pytest.mark.model
def test_assemble_events_headline_event_ranks_first(nlp):
    text = ("Occupiers install new mayor in Kherson\n"
            "Artillery shelled Mykolaiv on Wednesday. Artillery shelled Mykolaiv again on Thursday.\n"
            "In Kherson, the occupiers appointed a former councillor as mayor, residents said.")
    _, evs = events_of(nlp, text, places=("Kherson", "Mykolaiv"))
    assert evs[0].type == "occupation_measure" and evs[0].id == "doc-e1"
    assert [e.id for e in evs] == [f"doc-e{n}" for n in range(1, len(evs) + 1)]


# ------------------------------------------------------------------- dates


@pytest.mark.model
def test_assemble_events_undated_past_uses_anchor_interval(nlp):
    _, evs = events_of(nlp, "Russian troops captured Kherson after heavy fighting.", places=("Kherson",))
    ev = next(e for e in evs if e.type == "territory_control")
    assert (ev.date.start, ev.date.end) == (date(2022, 2, 24), PUB)
    assert ev.date.rule and ev.date.rule.startswith("date-default")


@pytest.mark.model
def test_assemble_events_present_tense_gets_publication_date(nlp):
    _, evs = events_of(nlp, "The occupiers impose a curfew in Kherson every night.", places=("Kherson",))
    assert [(e.type, e.date.start, e.date.end) for e in evs] == [("occupation_measure", PUB, PUB)]


@pytest.mark.model
def test_assemble_events_upper_bound_timex(nlp):
    text = "A video shared on Tuesday shows residents blocking tanks near Chernihiv."
    _, evs = events_of(nlp, text, places=("Chernihiv",),
                       timexes=(("on Tuesday", date(2022, 3, 1), date(2022, 3, 1), "before"),))
    ev = evs[0]
    assert ev.type == "obstruction"
    assert (ev.date.start, ev.date.end) == (date(2022, 2, 24), date(2022, 3, 1))


@pytest.mark.model
def test_assemble_events_since_occupation_interval(nlp):
    _, evs = events_of(nlp, "Residents of Kherson have protested every day since the occupation began.",
                       places=("Kherson",))
    assert [(e.type, e.date.start, e.date.end) for e in evs] == [("protest", date(2022, 2, 24), PUB)]


@pytest.mark.model
def test_assemble_events_date_from_scene_setting_sentence(nlp):
    text = "On Wednesday soldiers entered Kherson. Hundreds of residents rallied in the main square."
    _, evs = events_of(nlp, text, places=("Kherson",),
                       timexes=(("On Wednesday", date(2022, 3, 2), date(2022, 3, 2), "on"),))
    ev = next(e for e in evs if e.type == "protest")
    assert (ev.date.start, ev.date.end) == (date(2022, 3, 2), date(2022, 3, 2))
    assert ev.date.rule == "date-previous-sentence"


@pytest.mark.model
def test_assemble_events_timex_after_publication_is_ignored(nlp):
    _, evs = events_of(nlp, "Residents rallied in Kherson on Wednesday.", places=("Kherson",),
                       timexes=(("on Wednesday", date(2022, 3, 9), date(2022, 3, 9), "on"),))
    assert evs[0].date.end is not None and evs[0].date.end <= PUB


# ------------------------------------------------------------------- robustness


@pytest.mark.parametrize("text", ["", " ", "\u202e\u200b", "🙂 rally 🙂", "x" * 3000])
def test_assemble_events_unparsed_weird_text_does_not_crash(text: str):
    sents = [Sentence(i=0, start=0, end=len(text), parsed=False)] if text else []
    art = Article(id="w", text=text, sentences=sents, published=PUB)
    assert isinstance(assemble_events(art, finders=null_finders()), list)


def test_assemble_events_unparsed_sentence_fallback_finds_event():
    text = "Residents rallied in Kherson on Wednesday."
    art = Article(id="u", text=text, published=PUB, sentences=[Sentence(i=0, start=0, end=len(text))],
                  places=[Place(start=21, end=28, text="Kherson", name="Kherson", precision="city", country="UA",
                                lat=46.6, lon=32.6, sentence=0)])
    evs = assemble_events(art, finders=null_finders())
    assert [(e.type, e.location.name) for e in evs] == [("protest", "Kherson")]
    check_evidence(art, evs)


def test_assemble_events_unparsed_negation_drops():
    text = "Residents will not rally in Kherson."
    art = Article(id="u", text=text, published=PUB, sentences=[Sentence(i=0, start=0, end=len(text))])
    assert assemble_events(art, finders=null_finders()) == []


def test_assemble_events_bad_offsets_and_absurd_dates_do_not_crash():
    text = "Residents rallied in Kherson."
    art = Article(id="b", text=text, published=None, sentences=[Sentence(i=0, start=0, end=len(text))],
                  places=[Place(start=500, end=510, text="Nowhere", name="Nowhere", sentence=0)],
                  timexes=[Timex(start=0, end=3, text="Res", type="DATE", value="x", sentence=0,
                                 interval=DateInterval(start=date(9999, 12, 31), end=date(1, 1, 1)))])
    evs = assemble_events(art, finders=null_finders())
    assert [e.type for e in evs] == ["protest"]


@pytest.mark.model
def test_assemble_events_fast_on_twenty_paragraphs(nlp):
    para = ("Hundreds of residents rallied in Kherson on Wednesday while soldiers fired into the air. "
            "Russian artillery shelled Mykolaiv overnight, and the mayor of Skadovsk was abducted.")
    art = build(nlp, "\n".join([para] * 20), places=("Kherson", "Mykolaiv", "Skadovsk"))
    assemble_events(art, finders=null_finders())  # warm the caches
    best = float("inf")
    for _ in range(5):  # best of five: the machine is shared
        t = time.perf_counter()
        evs = assemble_events(art, finders=null_finders())
        best = min(best, time.perf_counter() - t)
    assert best < 0.05
    assert evs


# ------------------------------------------------------------------- rule files: every example runs


def _rule_examples(name: str, kind: str) -> list[tuple[str, str]]:
    data = load_rule_file(str(rules_dir("extract") / name))
    return [(r["id"], s) for r in data["rules"] for s in (r.get("examples") or {}).get(kind, [])]


def _cue_ids(nlp, sentence: str) -> set[str]:
    art = parse_article(Article(id="c", text=sentence), nlp)
    out = set()
    for s in art.sentences:
        view = SentenceView(s)
        for h in match_triggers(s, art.text, load_trigger_rules()):
            out |= {c.id for c in load_cue_rules() if cue_matches(c, h, s, art.text, view) is not None}
    return out


def test_load_cue_rules_effects_are_known():
    assert {c.effect for c in load_cue_rules()} <= {"drop", "denied"}
    assert any(c.effect == "denied" for c in load_cue_rules())


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "sentence"), _rule_examples("negation.yaml", "match"))
def test_negation_rule_examples_match(nlp, rule_id: str, sentence: str):
    assert rule_id in _cue_ids(nlp, sentence)


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "sentence"), _rule_examples("negation.yaml", "no_match"))
def test_negation_rule_examples_no_match(nlp, rule_id: str, sentence: str):
    assert rule_id not in _cue_ids(nlp, sentence)


def _types(nlp, sentence: str) -> set[str]:
    art = parse_article(Article(id="p", text=sentence, published=PUB), nlp)
    out: set[str] = set()
    for s in art.sentences:
        hits, _ = select_hits(s, art.text, load_trigger_rules(), load_priority_rules(),
                              load_assembly_policy().act_prefer_files)
        out |= {h.rule.type for h in hits}
    return out


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "sentence"), _rule_examples("assembly.yaml", "match"))
def test_assembly_rule_examples_match(nlp, rule_id: str, sentence: str):
    rule = next(r for r in load_priority_rules() if r.id == rule_id)
    types = _types(nlp, sentence)
    assert types & rule.keep and not types & rule.drop


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "sentence"), _rule_examples("assembly.yaml", "no_match"))
def test_assembly_rule_examples_no_match(nlp, rule_id: str, sentence: str):
    rule = next(r for r in load_priority_rules() if r.id == rule_id)
    assert _types(nlp, sentence) & rule.drop


def test_load_assembly_policy_types_are_known():
    pol = load_assembly_policy()
    assert "diplomacy" in pol.no_fallback_place_types
    assert pol.local_place_types and pol.merge_same_rule_types
    assert ("noncooperation", frozenset({"abduction"})) in pol.ends_by
    assert "protest" in pol.nationwide_types and "across the country" in pol.nationwide_words


@pytest.mark.parametrize("body", ["ends_by: {noncooperation: [picnic]}", "ends_by: {picnic: [abduction]}",
                                  "ends_by: [noncooperation]", "nationwide: [nationwide]",
                                  "nationwide: {words: [nationwide], types: [picnic]}",
                                  "nationwide: {words: nationwide, types: [protest]}"])
def test_load_assembly_policy_rejects_a_bad_key(tmp_path, monkeypatch, body: str):
    import vigil.extract.events as events_mod
    from vigil.errors import RuleError

    header = "schema: vigil.rules.assembly.v1\nlang: en\ndescription: t\n"
    (tmp_path / "assembly.yaml").write_text(f"{header}{body}\n", encoding="utf-8")
    monkeypatch.setattr(events_mod, "rules_dir", lambda stage, lang="en": tmp_path)
    with pytest.raises(RuleError, match=body.split(":")[0]):
        load_assembly_policy.__wrapped__("en")


@pytest.mark.parametrize(("rule_id", "sentence"), _rule_examples("anchors.yaml", "match"))
def test_anchor_rule_examples_match(rule_id: str, sentence: str):
    anchor = next(a for a in load_anchors()[0] if a.id == rule_id)
    assert any(p in sentence.lower() for p in anchor.since_phrases)


@pytest.mark.parametrize(("rule_id", "sentence"), _rule_examples("anchors.yaml", "no_match"))
def test_anchor_rule_examples_no_match(rule_id: str, sentence: str):
    anchor = next(a for a in load_anchors()[0] if a.id == rule_id)
    assert not any(p in sentence.lower() for p in anchor.since_phrases)


def test_load_anchors_defaults_from_yaml():
    anchors, defaults = load_anchors()
    assert anchors and anchors[0].day == date(2022, 2, 24)
    assert defaults.past_days >= 1


# ------------------------------------------------------------------- policies


@pytest.mark.model
def test_assemble_events_since_timex_is_lower_bound(nlp):
    text = "Residents of Kherson have protested every evening since March 1."
    _, evs = events_of(nlp, text, places=("Kherson",),
                       timexes=(("March 1", date(2022, 3, 1), date(2022, 3, 1), "on"),))
    assert [(e.date.start, e.date.end) for e in evs] == [(date(2022, 3, 1), PUB)]


@pytest.mark.model
def test_assemble_events_before_the_conflict_is_not_coded(nlp):
    text = "Residents rallied in Kherson in 2014 against the old government."
    _, evs = events_of(nlp, text, places=("Kherson",),
                       timexes=(("in 2014", date(2014, 1, 1), date(2014, 12, 31), "on"),))
    assert evs == []


@pytest.mark.model
def test_assemble_events_clash_without_place_kept_only_when_alone(nlp):
    lone = "Heavy fighting continued through the night."
    _, evs = events_of(nlp, lone)
    assert [e.type for e in evs] == ["armed_clash"]
    text = "Residents rallied in Kherson on Wednesday.\nHeavy fighting continued through the night."
    _, evs = events_of(nlp, text, places=("Kherson",))
    assert [e.type for e in evs] == ["protest"]


@pytest.mark.model
def test_assemble_events_two_measures_in_one_town_stay_apart(nlp):
    text = ("The occupiers imposed a curfew in Kherson on Monday.\n"
            "Later the occupiers appointed a new mayor in Kherson, residents said.")
    _, evs = events_of(nlp, text, places=("Kherson",),
                       timexes=(("on Monday", date(2022, 2, 28), date(2022, 2, 28), "on"),))
    assert [e.type for e in evs].count("occupation_measure") == 2


@pytest.mark.model
def test_assemble_events_headline_without_date_is_recent(nlp):
    text = "Troops shell Kharkiv\nThe city council asked residents to stay in shelters."
    _, evs = events_of(nlp, text, places=("Kharkiv",))
    assert [(e.type, e.date.start, e.date.end) for e in evs] == [("shelling", date(2022, 3, 3), PUB)]


@pytest.mark.model
def test_assemble_events_capture_of_a_person_is_not_territory(nlp):
    _, evs = events_of(nlp, "Russian soldiers captured Oleh Bondar near Kherson.", places=("Kherson",))
    assert "territory_control" not in {e.type for e in evs}


@pytest.mark.model
def test_assemble_events_diplomacy_has_no_borrowed_place(nlp):
    text = "Residents rallied in Kherson on Wednesday. The foreign minister called on allies to demand his release."
    _, evs = events_of(nlp, text, places=("Kherson",))
    dip = [e for e in evs if e.type == "diplomacy"]
    assert dip and dip[0].location is None


@pytest.mark.model
def test_assemble_events_as_of_timex_is_upper_bound(nlp):
    text = "As of March 3, a missile strike had destroyed the hospital in Kharkiv."
    _, evs = events_of(nlp, text, places=("Kharkiv",),
                       timexes=(("March 3", date(2022, 3, 3), date(2022, 3, 3), "on"),))
    assert [(e.type, e.date.start, e.date.end) for e in evs] == [("shelling", date(2022, 2, 24), date(2022, 3, 3))]


@pytest.mark.model
def test_assemble_events_speaker_place_is_not_the_location(nlp):
    text = ("Residents rallied in Kherson on Wednesday.\n"
            "A Mykolaiv council spokesman later said that soldiers had kidnapped the mayor.")
    _, evs = events_of(nlp, text, places=("Kherson", "Mykolaiv"))
    abd = [e for e in evs if e.type == "abduction"]
    assert abd and abd[0].location.name != "Mykolaiv"


@pytest.mark.model
def test_assemble_events_report_date_is_upper_bound(nlp):
    text = "Officials said on Thursday that an airstrike had destroyed the school in Kharkiv."
    _, evs = events_of(nlp, text, places=("Kharkiv",),
                       timexes=(("on Thursday", date(2022, 3, 3), date(2022, 3, 3), "on"),))
    assert [(e.type, e.date.start, e.date.end) for e in evs] == [("airstrike", date(2022, 2, 24), date(2022, 3, 3))]
