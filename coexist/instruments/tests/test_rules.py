"""The scoring engine, on worked examples that follow each measure's published scoring, and on
properties that must hold for every shipped measure (hypothesis). No database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coexist.assessments.models import RiskKind
from coexist.instruments.definitions import DEFINITIONS, DIRECTORY, SUBSTANCE_SCREEN_CODES, load_directory
from coexist.instruments.rules import (
    RECORD_PARTS,
    RISK_KINDS,
    DefinitionError,
    Instrument,
    InvalidAnswers,
    answer_errors,
    band_for,
    evaluate,
    parse_definition,
)
from coexist.people.rules import RecordPart


def answers_for(code: str, values: list[int]) -> dict[str, int]:
    """Values for the measure's scored items, in order (item codes `<code>_1`, `<code>_2`, ...)."""
    return {f"{code}_{n}": value for n, value in enumerate(values, 1)}


# --- The shipped measures ------------------------------------------------------------------------


def test_the_nine_measures_are_shipped_with_their_codes() -> None:
    assert set(DEFINITIONS) == {"audit", "audit_c", "dudit", "dast10", "sds", "phq9", "gad7", "dialog", "top"}


def test_r15_substance_screen_codes_are_the_substance_use_screens() -> None:
    assert {"audit", "audit_c", "dudit", "dast10", "sds", "top"} == SUBSTANCE_SCREEN_CODES


@pytest.mark.parametrize(
    ("code", "scored_items", "lowest", "highest"),
    [
        ("audit", 10, 0, 40),
        ("audit_c", 3, 0, 12),
        ("dudit", 11, 0, 44),
        ("dast10", 10, 0, 10),
        ("sds", 5, 0, 15),
        ("phq9", 9, 0, 27),
        ("gad7", 7, 0, 21),
    ],
)
def test_each_screen_has_its_published_number_of_items_and_range(
    code: str, scored_items: int, lowest: int, highest: int
) -> None:
    total = DEFINITIONS[code].scale("total")
    assert len(total.items) == scored_items
    assert (total.minimum, total.maximum) == (lowest, highest)


def test_dialog_has_eight_life_areas_and_three_treatment_areas_rated_1_to_7() -> None:
    dialog = DEFINITIONS["dialog"]
    assert len(dialog.scale("quality_of_life").items) == 8
    assert len(dialog.scale("treatment_satisfaction").items) == 3
    assert {(i.minimum, i.maximum) for i in dialog.items} == {(1, 7)}


def test_top_counts_days_of_use_0_to_28_for_each_substance_and_rates_health_0_to_20() -> None:
    top = DEFINITIONS["top"]
    for substance in ["alcohol", "opiates", "crack", "cocaine", "amphetamines", "cannabis", "other"]:
        item = top.item(f"top_{substance}_days")
        assert (item.kind, item.minimum, item.maximum) == ("number", 0, 28)
    assert (top.item("top_injecting_days").minimum, top.item("top_injecting_days").maximum) == (0, 28)
    for rating in ["top_psych_health", "top_physical_health", "top_quality_of_life"]:
        assert (top.item(rating).minimum, top.item(rating).maximum) == (0, 20)


def test_risk_kinds_in_the_engine_match_the_risk_flag_model() -> None:
    assert set(RiskKind.values) == RISK_KINDS


def test_every_measure_belongs_to_a_part_of_the_record() -> None:
    assert set(RecordPart.values) >= RECORD_PARTS
    assert {i.record_part for i in DEFINITIONS.values() if i.screens_substance_use} == {"substance_use"}
    assert DEFINITIONS["dialog"].record_part == "mental_health"


def test_every_measure_states_its_version_licence_and_source() -> None:
    for instrument in DEFINITIONS.values():
        assert instrument.version and instrument.licence and instrument.source


def test_r15_phq9_definition_keeps_the_item_9_self_harm_alert() -> None:
    (alert,) = DEFINITIONS["phq9"].alerts
    assert (alert.item, alert.above, alert.risk) == ("phq9_9", 0, "self_harm_suicide")


# --- Worked examples -----------------------------------------------------------------------------


def test_audit_worked_example_scores_14_hazardous_zone_ii() -> None:
    """Scored as the WHO 2001 manual says (items 1-8 score 0-4, items 9-10 score 0, 2 or 4; zone II is 8-15):
    drinks 2-3 times a week (3), 5 or 6 drinks (2), six or more monthly (2), cannot stop less than monthly
    (1), fails expectations less than monthly (1), no morning drink (0), guilt monthly (2), blackout less
    than monthly (1), no injury (0), someone concerned but not in the last year (2): 14."""
    outcome = evaluate(DEFINITIONS["audit"], answers_for("audit", [3, 2, 2, 1, 1, 0, 2, 1, 0, 2]))
    assert outcome.scores == {"total": 14}
    assert outcome.band == "Hazardous drinking (zone II)"
    assert outcome.alerts == ()


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Low risk (zone I)"),
        (7, "Low risk (zone I)"),
        (8, "Hazardous drinking (zone II)"),
        (15, "Hazardous drinking (zone II)"),
        (16, "Harmful drinking (zone III)"),
        (19, "Harmful drinking (zone III)"),
        (20, "Possible dependence (zone IV)"),
        (40, "Possible dependence (zone IV)"),
    ],
)
def test_audit_zones_follow_the_who_2001_manual(total: int, band: str) -> None:
    found = band_for(DEFINITIONS["audit"].bands, total)
    assert found is not None and found.label == band


def test_audit_items_9_and_10_allow_only_0_2_or_4() -> None:
    errors = answer_errors(DEFINITIONS["audit"], answers_for("audit", [0] * 8 + [1, 3]))
    assert set(errors) == {"audit_9", "audit_10"}


def test_audit_c_score_of_5_is_positive_increasing_risk() -> None:
    outcome = evaluate(DEFINITIONS["audit_c"], answers_for("audit_c", [2, 2, 1]))
    assert outcome.scores == {"total": 5}
    assert outcome.band == "Increasing risk"


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ([0] * 9, 0, "None or minimal depression"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "None or minimal depression"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild depression"),
        ([2, 2, 1, 2, 1, 1, 1, 0, 0], 10, "Moderate depression"),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, "Moderately severe depression"),
        ([3, 3, 2, 3, 2, 2, 2, 2, 1], 20, "Severe depression"),
        ([3] * 9, 27, "Severe depression"),
    ],
)
def test_phq9_severity_follows_kroenke_2001_cut_points_5_10_15_20(values: list[int], total: int, band: str) -> None:
    outcome = evaluate(DEFINITIONS["phq9"], answers_for("phq9", values))
    assert outcome.scores == {"total": total}
    assert outcome.band == band


def test_r15_phq9_item_9_above_0_fires_a_self_harm_alert() -> None:
    outcome = evaluate(DEFINITIONS["phq9"], answers_for("phq9", [0] * 8 + [2]))
    (alert,) = outcome.alerts
    assert (alert.item, alert.value, alert.risk) == ("phq9_9", 2, "self_harm_suicide")
    assert alert.source == "PHQ-9 item 9 answered 2"


def test_r15_phq9_item_9_at_0_fires_nothing_whatever_the_total() -> None:
    assert evaluate(DEFINITIONS["phq9"], answers_for("phq9", [3] * 8 + [0])).alerts == ()


def test_phq9_difficulty_question_is_optional_and_not_scored() -> None:
    answers = answers_for("phq9", [1] * 9)
    without = evaluate(DEFINITIONS["phq9"], answers)
    with_difficulty = evaluate(DEFINITIONS["phq9"], {**answers, "phq9_difficulty": 3})
    assert without.scores == with_difficulty.scores == {"total": 9}
    assert with_difficulty.answers["phq9_difficulty"] == 3


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "Minimal anxiety"),
        (5, "Mild anxiety"),
        (10, "Moderate anxiety"),
        (15, "Severe anxiety"),
        (21, "Severe anxiety"),
    ],
)
def test_gad7_severity_follows_spitzer_2006_cut_points_5_10_15(total: int, band: str) -> None:
    values = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    values += [0] * (7 - len(values))
    outcome = evaluate(DEFINITIONS["gad7"], answers_for("gad7", values))
    assert outcome.scores == {"total": total}
    assert outcome.band == band


def test_dast10_item_3_is_reverse_scored_all_no_scores_1() -> None:
    """Skinner 1982: 'No' to item 3 ('always able to stop?') scores 1; every other 'Yes' scores 1."""
    outcome = evaluate(DEFINITIONS["dast10"], answers_for("dast10", [0] * 10))
    assert outcome.scores == {"total": 1}
    assert outcome.band == "Low level"


def test_dast10_all_yes_scores_9_because_yes_to_item_3_scores_0() -> None:
    outcome = evaluate(DEFINITIONS["dast10"], answers_for("dast10", [1] * 10))
    assert outcome.scores == {"total": 9}
    assert outcome.band == "Severe level"


def test_dast10_yes_to_item_3_only_scores_0_no_problems() -> None:
    outcome = evaluate(DEFINITIONS["dast10"], answers_for("dast10", [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]))
    assert outcome.scores == {"total": 0}
    assert outcome.band == "No problems reported"
    # The answer is kept as given; only the score is reversed.
    assert outcome.answers["dast10_3"] == 1


def test_dudit_worked_example_at_the_mens_cut_off_of_6() -> None:
    outcome = evaluate(DEFINITIONS["dudit"], answers_for("dudit", [2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]))
    assert outcome.scores == {"total": 6}
    assert outcome.band == "Probable drug-related problems"


def test_sds_names_the_drug_without_scoring_it() -> None:
    outcome = evaluate(DEFINITIONS["sds"], {"sds_drug": 1, **answers_for("sds", [1, 1, 1, 1, 1])})
    assert outcome.scores == {"total": 5}
    assert outcome.band == "Likely dependence"


def test_dialog_reports_mean_quality_of_life_and_mean_treatment_satisfaction() -> None:
    life = [4, 5, 3, 6, 2, 7, 4, 5]
    answers = dict(zip([i.code for i in DEFINITIONS["dialog"].items], [*life, 6, 5, 4], strict=True))
    outcome = evaluate(DEFINITIONS["dialog"], answers)
    assert outcome.scores == {"quality_of_life": 4.5, "treatment_satisfaction": 5.0}
    assert outcome.band == ""


def test_dialog_medication_may_be_left_out_and_the_mean_uses_the_rest() -> None:
    answers = {i.code: 4 for i in DEFINITIONS["dialog"].items}
    del answers["dialog_medication"]
    answers["dialog_meetings"] = 7
    outcome = evaluate(DEFINITIONS["dialog"], answers)
    assert outcome.scores["treatment_satisfaction"] == 5.5


def top_answers(**overrides: int) -> dict[str, int]:
    answers = {i.code: i.minimum for i in DEFINITIONS["top"].items if i.required}
    return {**answers, **overrides}


def test_top_scores_days_of_use_and_the_three_ratings() -> None:
    outcome = evaluate(
        DEFINITIONS["top"],
        top_answers(top_alcohol_days=12, top_crack_days=28, top_psych_health=7, top_quality_of_life=11),
    )
    assert outcome.scores["alcohol_days"] == 12
    assert outcome.scores["crack_days"] == 28
    assert outcome.scores["opiates_days"] == 0
    assert outcome.scores["psychological_health"] == 7
    assert outcome.scores["quality_of_life"] == 11


def test_top_refuses_more_days_than_the_28_day_grid_holds() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        evaluate(DEFINITIONS["top"], top_answers(top_cannabis_days=29, top_paid_work_days=21))
    assert caught.value.errors == {
        "top_cannabis_days": "Enter a whole number from 0 to 28.",
        "top_paid_work_days": "Enter a whole number from 0 to 20.",
    }


def test_answers_are_refused_when_missing_unknown_or_not_whole_numbers() -> None:
    phq9 = DEFINITIONS["phq9"]
    answers: dict[str, Any] = answers_for("phq9", [0] * 9)
    answers.update(phq9_1=None, phq9_2="2", phq9_3=True, phq9_4=1.0, phq9_10=1)
    del answers["phq9_5"]
    assert answer_errors(phq9, answers) == {
        "phq9_1": "Answer this question.",
        "phq9_2": "Choose one of the answers given.",
        "phq9_3": "Choose one of the answers given.",
        "phq9_4": "Choose one of the answers given.",
        "phq9_5": "Answer this question.",
        "phq9_10": "This question is not part of PHQ-9.",
    }


# --- Properties that hold for every shipped measure ----------------------------------------------


@st.composite
def valid_answers(draw: st.DrawFn, instrument: Instrument) -> dict[str, int]:
    answers: dict[str, int] = {}
    for item in instrument.items:
        if not item.required and draw(st.booleans()):
            continue
        if item.kind == "choice":
            answers[item.code] = draw(st.sampled_from([o.value for o in item.options]))
        else:
            answers[item.code] = draw(st.integers(item.minimum, item.maximum))
    return answers


instruments = st.sampled_from(sorted(DEFINITIONS.values(), key=lambda i: i.code))


@given(data=st.data(), instrument=instruments)
def test_any_valid_answers_score_within_each_scales_range_and_land_in_a_band(
    data: st.DataObject, instrument: Instrument
) -> None:
    answers = data.draw(valid_answers(instrument))
    outcome = evaluate(instrument, answers)
    for scale in instrument.scales:
        assert scale.minimum <= outcome.scores[scale.code] <= scale.maximum
    if instrument.bands:
        assert outcome.band in {band.label for band in instrument.bands}
    for alert in outcome.alerts:
        assert answers[alert.item] > next(a.above for a in instrument.alerts if a.item == alert.item)


@pytest.mark.parametrize("code", sorted(code for code, i in DEFINITIONS.items() if i.bands))
def test_bands_cover_the_whole_range_with_no_gap_and_no_overlap(code: str) -> None:
    instrument = DEFINITIONS[code]
    scale = instrument.scale(instrument.band_scale)
    for score in range(scale.minimum, scale.maximum + 1):
        assert sum(band.contains(score) for band in instrument.bands) == 1, score
    assert not any(band.contains(scale.minimum - 1) or band.contains(scale.maximum + 1) for band in instrument.bands)


@given(data=st.data(), instrument=instruments)
def test_an_answer_outside_what_the_item_allows_is_refused(data: st.DataObject, instrument: Instrument) -> None:
    answers: dict[str, object] = dict(data.draw(valid_answers(instrument)))
    item = data.draw(st.sampled_from(instrument.items))
    allowed = {o.value for o in item.options} if item.kind == "choice" else set(range(item.minimum, item.maximum + 1))
    bad = data.draw(
        st.one_of(
            st.integers(-1000, 1000).filter(lambda v: v not in allowed),
            st.text(max_size=3),
            st.booleans(),
            st.floats(allow_nan=False),
        )
    )
    answers[item.code] = bad
    with pytest.raises(InvalidAnswers) as caught:
        evaluate(instrument, answers)
    assert set(caught.value.errors) == {item.code}


@given(data=st.data(), instrument=instruments)
def test_leaving_out_a_required_answer_is_refused(data: st.DataObject, instrument: Instrument) -> None:
    answers = data.draw(valid_answers(instrument))
    item = data.draw(st.sampled_from([i for i in instrument.items if i.required]))
    answers.pop(item.code, None)
    with pytest.raises(InvalidAnswers) as caught:
        evaluate(instrument, answers)
    assert caught.value.errors == {item.code: "Answer this question."}


# --- A malformed definition fails loudly at load -------------------------------------------------


def minimal() -> dict[str, Any]:
    return {
        "code": "mini",
        "name": "Minimal measure",
        "short_name": "MINI",
        "version": "1",
        "purpose": "Testing.",
        "record_part": "mental_health",
        "items": [
            {"code": "mini_1", "text": "One?", "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]},
            {"code": "mini_2", "text": "Two?", "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]},
        ],
        "scales": [
            {"code": "total", "label": "Total", "method": "sum", "items": ["mini_1", "mini_2"], "range": [0, 2]}
        ],
        "bands": {
            "scale": "total",
            "ranges": [{"min": 0, "max": 0, "label": "None"}, {"min": 1, "max": 2, "label": "Some"}],
        },
        "alerts": [{"item": "mini_2", "above": 0, "risk": "overdose", "source": "MINI item 2 answered {value}"}],
        "licence": "Test only.",
        "source": "Test only.",
    }


def test_a_well_formed_definition_loads() -> None:
    instrument = parse_definition(minimal())
    assert evaluate(instrument, {"mini_1": 1, "mini_2": 1}).scores == {"total": 2}


def broken(change: str) -> dict[str, Any]:
    data = minimal()
    bands = data["bands"]["ranges"]
    if change == "gap":
        bands[1]["min"] = 2
    elif change == "overlap":
        bands[1]["min"] = 0
    elif change == "short":
        bands[1]["max"] = 1
    elif change == "range":
        data["scales"][0]["range"] = [0, 3]
    elif change == "unknown key":
        data["items"][0]["reverse_score"] = True
    elif change == "missing name":
        del data["name"]
    elif change == "unknown item in scale":
        data["scales"][0]["items"].append("mini_9")
    elif change == "optional item in sum":
        data["items"][1]["required"] = False
    elif change == "duplicate item":
        data["items"][1]["code"] = "mini_1"
    elif change == "duplicate option":
        data["items"][0]["options"][1]["value"] = 0
    elif change == "options and range":
        data["items"][0]["range"] = {"min": 0, "max": 1}
    elif change == "alert on unknown item":
        data["alerts"][0]["item"] = "mini_9"
    elif change == "alert that cannot fire":
        data["alerts"][0]["above"] = 1
    elif change == "unknown risk":
        data["alerts"][0]["risk"] = "sadness"
    elif change == "unknown part":
        data["record_part"] = "housing"
    elif change == "bands on a mean":
        data["scales"][0]["method"] = "mean"
        data["scales"][0]["range"] = [0, 1]
    elif change == "text value":
        data["items"][0]["options"][0]["value"] = "0"
    elif change == "long code":
        data["code"] = "a" * 21
    return data


@pytest.mark.parametrize(
    "change",
    [
        "gap",
        "overlap",
        "short",
        "range",
        "unknown key",
        "missing name",
        "unknown item in scale",
        "optional item in sum",
        "duplicate item",
        "duplicate option",
        "options and range",
        "alert on unknown item",
        "alert that cannot fire",
        "unknown risk",
        "unknown part",
        "bands on a mean",
        "text value",
        "long code",
    ],
)
def test_a_malformed_definition_is_refused_at_load(change: str) -> None:
    with pytest.raises(DefinitionError):
        parse_definition(broken(change))


def test_band_gap_message_says_where() -> None:
    with pytest.raises(DefinitionError, match="gap before band 'Some'"):
        parse_definition(broken("gap"))


def test_loading_a_directory_names_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "mini.json").write_text(json.dumps(broken("overlap")))
    with pytest.raises(DefinitionError, match=r"^mini\.json: .*overlap"):
        load_directory(tmp_path)


def test_loading_a_directory_refuses_a_file_not_named_after_its_code(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text(json.dumps(minimal()))
    with pytest.raises(DefinitionError, match="named after its code"):
        load_directory(tmp_path)


def test_loading_a_directory_refuses_invalid_json(tmp_path: Path) -> None:
    (tmp_path / "mini.json").write_text("{not json")
    with pytest.raises(DefinitionError, match=r"^mini\.json"):
        load_directory(tmp_path)


def test_the_shipped_directory_loads_cleanly() -> None:
    assert set(load_directory(DIRECTORY)) == set(DEFINITIONS)
