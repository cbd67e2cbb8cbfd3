"""ACLED coding: base table, cue refinements, codebook consistency, rule examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.errors import RuleError
from vigil.extract.acled import (
    acled_coding,
    acled_rule_id,
    compile_cues,
    load_acled_rules,
    parse_acled_rule,
    rule_matches,
)
from vigil.ruleset import load_rule_file, rules_dir
from vigil.schema import ACLED_CODEBOOK, ACLED_SUB_TO_TYPE, EVENT_TYPES, INTERVENTIONS, Actor, Article

ACLED_FILE = rules_dir("extract") / "acled.yaml"
TRIGGER_FILE = rules_dir("extract") / "triggers_acled.yaml"


def _examples(path: Path) -> list[tuple[str, str, bool]]:
    data = load_rule_file(str(path))
    out = []
    for rule in data["rules"]:
        ex = rule.get("examples") or {}
        out += [(rule["id"], s, True) for s in ex.get("match") or []]
        out += [(rule["id"], s, False) for s in ex.get("no_match") or []]
    return out


# --- base mapping: one case per vigil event type ------------------------------------------

NEUTRAL = "Something happened in the district on Tuesday."
BASE = {
    "protest": ("Protests", "Peaceful protest"),
    "obstruction": ("Protests", "Peaceful protest"),
    "noncooperation": ("Protests", "Peaceful protest"),
    "abduction": ("Violence against civilians", "Abduction/forced disappearance"),
    "attack_on_civilians": ("Violence against civilians", "Attack"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "armed_clash": ("Battles", "Armed clash"),
    "territory_control": ("Strategic developments", "Non-violent transfer of territory"),
    "occupation_measure": ("Strategic developments", "Other"),
    "threat": ("Strategic developments", "Other"),
    "military_movement": ("Strategic developments", "Other"),
    "diplomacy": (None, None),
    "other": ("Strategic developments", "Other"),
}


def test_base_table_covers_every_event_type() -> None:
    assert set(BASE) == set(EVENT_TYPES)


@pytest.mark.parametrize("etype", sorted(BASE))
def test_acled_coding_base_mapping(etype: str) -> None:
    a = acled_coding(etype, text=NEUTRAL)
    assert (a.event_type, a.sub_event_type) == BASE[etype]


@pytest.mark.parametrize(
    ("intervention", "expected"),
    [
        (None, "Peaceful protest"),
        ("physical_force", "Protest with intervention"),
        ("crowd_control", "Protest with intervention"),
        ("warning_shots", "Protest with intervention"),
        ("detentions", "Protest with intervention"),
        ("fired_on_crowd", "Excessive force against protesters"),
    ],
)
def test_acled_coding_protest_by_intervention(intervention: str | None, expected: str) -> None:
    a = acled_coding("protest", text="Residents gathered in front of the town hall.", intervention=intervention)
    assert a.sub_event_type == expected
    assert a.event_type == "Protests"


def test_acled_coding_protest_intervention_with_injuries_is_excessive_force() -> None:
    a = acled_coding("obstruction", text="Villagers stood in the road in front of the trucks.",
                     intervention="physical_force", injuries=3)
    assert a.sub_event_type == "Excessive force against protesters"


def test_acled_coding_trigger_sub_event_wins_over_base() -> None:
    a = acled_coding("other", text=NEUTRAL, rule_sub_event="Headquarters or base established")
    assert (a.event_type, a.sub_event_type) == ("Strategic developments", "Headquarters or base established")


def test_acled_coding_stronger_cue_beats_trigger_sub_event() -> None:
    text = "A suicide bomber blew himself up at the gate, killing six guards."
    a = acled_coding("other", text=text, rule_sub_event="Remote explosive/landmine/IED")
    assert a.sub_event_type == "Suicide bomb"
    assert acled_rule_id("other", text=text, rule_sub_event="Remote explosive/landmine/IED") == "acled-suicide-bomb"


def test_acled_coding_weak_cue_loses_to_trigger_sub_event() -> None:
    text = "Police later arrested two men over the grenade blast at the bar."
    a = acled_coding("other", text=text, rule_sub_event="Grenade")
    assert a.sub_event_type == "Grenade"


def test_acled_coding_unknown_trigger_sub_event_is_ignored() -> None:
    a = acled_coding("armed_clash", text=NEUTRAL, rule_sub_event="Invented sub-type")
    assert a.sub_event_type == "Armed clash"


def test_acled_coding_diplomacy_with_signed_truce_is_agreement() -> None:
    a = acled_coding("diplomacy", text="The two clans signed a truce after mediation by elders.")
    assert (a.event_type, a.sub_event_type) == ("Strategic developments", "Agreement")


# --- every sub-event type reachable -------------------------------------------------------

REACHABLE = [
    ("armed_clash", "Soldiers and rebels fought for hours near the dam.", {}, "Armed clash"),
    ("territory_control", "Army units recaptured the river port from the insurgents.", {},
     "Government regains territory"),
    ("territory_control", "Insurgents seized the district centre after overrunning two checkpoints.", {},
     "Non-state actor overtakes territory"),
    ("other", "Rescue workers said the poisonous gas left dozens of residents choking.", {}, "Chemical weapon"),
    ("other", "Warplanes struck a fuel depot on the edge of the city.", {}, "Air/drone strike"),
    ("other", "A suicide bomber detonated his vest at the entrance of the ministry.", {}, "Suicide bomb"),
    ("other", "Mortar rounds landed in the market, wounding nine people.", {}, "Shelling/artillery/missile attack"),
    ("other", "A roadside bomb hit a police pick-up on the highway.", {}, "Remote explosive/landmine/IED"),
    ("other", "Someone lobbed a grenade into a crowded tea stall.", {}, "Grenade"),
    ("other", "Residents accused border guards of raping a teenage girl.", {}, "Sexual violence"),
    ("other", "Gunmen opened fire on a minibus and killed five passengers.", {}, "Attack"),
    ("other", "Masked men kidnapped a doctor on his way to the clinic.", {}, "Abduction/forced disappearance"),
    ("protest", "Nurses marched to the ministry demanding higher pay.", {}, "Peaceful protest"),
    ("protest", "Police fired tear gas at students marching to the parliament.", {}, "Protest with intervention"),
    ("protest", "Troops opened fire on the protesters, killing three of them.", {},
     "Excessive force against protesters"),
    ("protest", "Protesters torched a police car and threw stones at the governor's office.", {},
     "Violent demonstration"),
    ("other", "An angry mob beat a suspected cattle thief to death.", {}, "Mob violence"),
    ("other", "The two militias signed a peace accord in the capital.", {}, "Agreement"),
    ("other", "Police arrested three men on suspicion of smuggling migrants.", {}, "Arrests"),
    ("other", "The movement said its two wings had merged under a new leader.", {}, "Change to group/activity"),
    ("other", "Soldiers seized a truck loaded with rifles and ammunition at a checkpoint.", {},
     "Disrupted weapons use"),
    ("other", "The foreign contingent set up a new base near the oil field.", {}, "Headquarters or base established"),
    ("other", "Looters emptied dozens of shops in the commercial district.", {}, "Looting/property destruction"),
    ("territory_control", "The militia pulled out of the town and handed it to the local council.", {},
     "Non-violent transfer of territory"),
    ("occupation_measure", "The occupation authorities imposed a curfew on the town.", {}, "Other"),
]


def test_reachable_cases_cover_all_25_sub_types() -> None:
    assert {case[3] for case in REACHABLE} == set(ACLED_SUB_TO_TYPE)
    assert len(ACLED_SUB_TO_TYPE) == 25


@pytest.mark.parametrize(("etype", "text", "kw", "expected"), REACHABLE, ids=[c[3] for c in REACHABLE])
def test_acled_coding_reaches_sub_type(etype: str, text: str, kw: dict, expected: str) -> None:
    a = acled_coding(etype, text=text, **kw)
    assert a.sub_event_type == expected
    assert a.event_type == ACLED_SUB_TO_TYPE[expected]


# --- refinements with actors ------------------------------------------------------------

def test_acled_coding_armed_group_actor_makes_seizure_non_state() -> None:
    actor = Actor(text="the fighters", kind="armed_group", role="initiator")
    a = acled_coding("territory_control", text="The fighters seized the hill town.", actors=[actor])
    assert a.sub_event_type == "Non-state actor overtakes territory"


def test_acled_coding_military_actor_makes_seizure_government_regain() -> None:
    actor = Actor(text="the brigade", kind="military", role="initiator")
    a = acled_coding("territory_control", text="The brigade took control of the hill town.", actors=[actor])
    assert a.sub_event_type == "Government regains territory"


def test_acled_coding_territory_with_fighting_is_armed_clash() -> None:
    a = acled_coding("territory_control", text="After heavy fighting the attackers occupied the station.")
    assert a.sub_event_type == "Armed clash"


def test_acled_coding_passive_agent_after_by() -> None:
    a = acled_coding("territory_control", text="The village was captured by rebels on Sunday.")
    assert a.sub_event_type == "Non-state actor overtakes territory"


# --- consistency and robustness ------------------------------------------------------------

@pytest.mark.parametrize("etype", EVENT_TYPES)
@pytest.mark.parametrize("sub", sorted(ACLED_SUB_TO_TYPE))
def test_acled_coding_parent_always_consistent(etype: str, sub: str) -> None:
    a = acled_coding(etype, text="Rebels torched the market after a grenade blast; police arrested two.",
                     rule_sub_event=sub)
    assert a.sub_event_type in ACLED_SUB_TO_TYPE
    assert a.event_type == ACLED_SUB_TO_TYPE[a.sub_event_type]


@settings(max_examples=60, deadline=None)
@given(
    etype=st.one_of(st.sampled_from(EVENT_TYPES), st.text(max_size=12)),
    text=st.text(max_size=300),
    intervention=st.one_of(st.none(), st.sampled_from(INTERVENTIONS), st.text(max_size=8)),
    fatalities=st.one_of(st.none(), st.integers(min_value=-10**12, max_value=10**12)),
    sub=st.one_of(st.none(), st.sampled_from(sorted(ACLED_SUB_TO_TYPE)), st.text(max_size=10)),
)
def test_acled_coding_never_crashes_and_stays_in_codebook(etype, text, intervention, fatalities, sub) -> None:
    a = acled_coding(etype, text=text, intervention=intervention, fatalities=fatalities, injuries=fatalities,
                     rule_sub_event=sub)
    if a.sub_event_type is None:
        assert a.event_type is None
    else:
        assert a.sub_event_type in ACLED_CODEBOOK[a.event_type]


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u202e\ufeff", "💥" * 50, "x" * 100_000])
def test_acled_coding_weird_text_falls_back_to_base(text: str) -> None:
    assert acled_coding("shelling", text=text).sub_event_type == "Shelling/artillery/missile attack"


def test_compile_cues_star_and_gap() -> None:
    pat = compile_cues(["loot*", "set ... ablaze"])
    assert pat.search("crowds were looting shops") is not None
    assert pat.search("they set the old mill ablaze") is not None
    assert pat.search("the bloot was fine") is None
    assert pat.search("set ablaze") is not None


def test_parse_acled_rule_rejects_unknown_sub_type() -> None:
    with pytest.raises(RuleError, match="unknown sub_event_type"):
        parse_acled_rule({"id": "x", "sub_event_type": "Picnic", "cues": ["a"]}, source="t.yaml")


def test_parse_acled_rule_rejects_unknown_event_type() -> None:
    with pytest.raises(RuleError, match="unknown type"):
        parse_acled_rule({"id": "x", "sub_event_type": "Grenade", "cues": ["a"], "types": ["picnic"]},
                         source="t.yaml")


def test_parse_acled_rule_rejects_empty_cues() -> None:
    with pytest.raises(RuleError, match="cues"):
        parse_acled_rule({"id": "x", "sub_event_type": "Grenade", "cues": []}, source="t.yaml")


def test_load_acled_rules_ids_unique_and_sub_types_valid() -> None:
    rules = load_acled_rules()
    ids = [r.id for r in rules.rules]
    assert len(ids) == len(set(ids))
    assert all(r.sub_event_type in ACLED_SUB_TO_TYPE for r in rules.rules)


# --- rule examples ---------------------------------------------------------------------------

@pytest.mark.parametrize(("rule_id", "sentence", "should_match"), _examples(ACLED_FILE))
def test_acled_rule_examples(rule_id: str, sentence: str, should_match: bool) -> None:
    rule = next(r for r in load_acled_rules().rules if r.id == rule_id)
    assert rule_matches(rule, sentence) is should_match


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "sentence", "should_match"), _examples(TRIGGER_FILE))
def test_acled_trigger_rule_examples(nlp, rule_id: str, sentence: str, should_match: bool) -> None:
    from vigil.extract.triggers import load_trigger_rules, match_triggers
    from vigil.nlp import parse_article

    rule = next(r for r in load_trigger_rules() if r.id == rule_id)
    article = parse_article(Article(id="t", text=sentence), nlp)
    hits = [h for s in article.sentences for h in match_triggers(s, article.text, [rule])]
    assert bool(hits) is should_match


def test_acled_trigger_rules_load_with_valid_sub_types() -> None:
    from vigil.extract.triggers import load_trigger_rules

    mine = [r for r in load_trigger_rules() if r.source == TRIGGER_FILE.name]
    assert mine
    assert all(r.sub_event_type is None or r.sub_event_type in ACLED_SUB_TO_TYPE for r in mine)
    # an "other" event has no base sub-type of its own: its trigger must say which ACLED event it is
    assert all(r.sub_event_type in ACLED_SUB_TO_TYPE for r in mine if r.type == "other")


# --- bench ---------------------------------------------------------------------------------

def test_bench_acled_skips_cleanly_without_shared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "bench" / "bench_acled.py"
    spec = importlib.util.spec_from_file_location("bench_acled", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--shared", str(tmp_path / "absent")]) == 0
    assert capsys.readouterr().out.startswith("skipped:")


def test_bench_acled_first_label_matches_scorer_rule() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "bench" / "bench_acled.py"
    spec = importlib.util.spec_from_file_location("bench_acled", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rec = {"events": [{"acled": {"event_type": None, "sub_event_type": None}},
                      {"acled": {"event_type": "Riots", "sub_event_type": "Mob violence"}}]}
    assert mod.first_label(rec) == "Mob violence"
    assert mod.first_label({"events": []}) == "NONE"
