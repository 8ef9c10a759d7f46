"""The statistics and the verdict of a programme theory's test (issue 6 point 4), worked by hand or from the
published examples (Newcombe 1998, Statistics in Medicine 17:857-872 and 17:873-890)."""

from __future__ import annotations

import pytest

from coexist.evaluation.rules import (
    NOT_CAUSAL,
    Expects,
    Standing,
    VerdictKind,
    context_label,
    context_refusal,
    in_context,
    newcombe_difference,
    points,
    refusal_to_read,
    refusal_to_record,
    table_row,
    text_refusal,
    verdict,
    wilson,
)
from coexist.outcomes.rules.subgroups import PersonFacts


# Newcombe 1998a (single proportion), Table I, method 3 (Wilson score, no continuity correction).
@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_interval_matches_newcombe_1998_table_i(x: int, n: int, lower: float, upper: float) -> None:
    interval = wilson(x, n)
    assert interval.lower == pytest.approx(lower, abs=5e-5)
    assert interval.upper == pytest.approx(upper, abs=5e-5)


def test_wilson_by_hand_for_one_half_of_four() -> None:
    # p = 0.5, n = 4, z² = 3.8415: centre (2·4·0.5 + 3.8415) / (2·(4 + 3.8415)) = 7.8415 / 15.683 = 0.5;
    # spread z·sqrt(z² + 4·4·0.25) / 15.683 = 1.96·sqrt(7.8415) / 15.683 = 5.4885 / 15.683 = 0.34996.
    interval = wilson(2, 4)
    assert interval.lower == pytest.approx(0.5 - 0.34996, abs=1e-4)
    assert interval.upper == pytest.approx(0.5 + 0.34996, abs=1e-4)


# Newcombe 1998b (difference of independent proportions), Table II, method 10 (hybrid score).
# Note: 56/70 - 48/80 is 0.8 - 0.6 = 0.2000 with 95% CI 0.0524 to 0.3339 as published; the brief's
# "0.1750, 0.0524 to 0.2843" does not match the paper or the arithmetic.
@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "estimate", "lower", "upper"),
    [
        (56, 70, 48, 80, 0.2000, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.6000, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.5714, 0.0582, 0.8062),
        (5, 56, 0, 29, 0.0893, -0.0381, 0.1926),
        (0, 10, 0, 20, 0.0, -0.1611, 0.2775),
        (0, 10, 0, 10, 0.0, -0.2775, 0.2775),
        (10, 10, 0, 20, 1.0, 0.6791, 1.0),
    ],
)
def test_newcombe_hybrid_score_matches_newcombe_1998_table_ii(
    x1: int, n1: int, x2: int, n2: int, estimate: float, lower: float, upper: float
) -> None:
    difference = newcombe_difference(x1, n1, x2, n2)
    assert difference.estimate == pytest.approx(estimate, abs=5e-5)
    assert difference.interval.lower == pytest.approx(lower, abs=5e-5)
    assert difference.interval.upper == pytest.approx(upper, abs=5e-5)


@pytest.mark.parametrize(("x", "n"), [(1, 0), (3, 2), (-1, 5), (True, 5)])
def test_bad_counts_are_refused(x: int, n: int) -> None:
    with pytest.raises(ValueError, match=r"count|numerator|denominator"):
        wilson(x, n)


def test_verdict_consistent_states_figures_and_never_a_cause() -> None:
    result = verdict((41, 64), (290, 604))
    assert result.kind == VerdictKind.CONSISTENT
    assert result.text == (
        "In this context 64% (95% CI 52% to 75%, 41 of 64) against 48% (95% CI 44% to 52%, 290 of 604) for "
        "everyone else: a difference of 16 points (95% CI 3 to 27). The data are consistent with the theory; "
        f"{NOT_CAUSAL}"
    )
    assert "caused" not in result.text.replace(NOT_CAUSAL, "")


def test_verdict_lower_expected_and_found_is_consistent_with_a_minus_sign() -> None:
    result = verdict((20, 50), (40, 50), expects=Expects.LOWER)
    assert result.kind == VerdictKind.CONSISTENT
    assert "a difference of \u221240 points (95% CI \u221255 to \u221221)" in result.text


def test_verdict_clear_difference_the_other_way_does_not_bear_the_theory_out() -> None:
    result = verdict((20, 50), (40, 50), expects=Expects.HIGHER)
    assert result.kind == VerdictKind.OPPOSITE
    assert "opposite of what the theory expects" in result.text
    assert result.text.endswith(NOT_CAUSAL)


def test_verdict_no_clear_difference_when_the_interval_includes_zero() -> None:
    result = verdict((25, 50), (26, 50))
    assert result.kind == VerdictKind.NO_CLEAR_DIFFERENCE
    assert "No clear difference" in result.text
    assert result.difference is not None
    assert result.difference.interval.contains(0.0)


@pytest.mark.parametrize(("context", "comparison"), [((10, 19), (40, 80)), ((40, 80), (10, 19)), ((0, 0), (5, 50))])
def test_verdict_too_few_under_20_in_either_group_shows_no_difference(
    context: tuple[int, int], comparison: tuple[int, int]
) -> None:
    result = verdict(context, comparison)
    assert result.kind == VerdictKind.TOO_FEW
    assert result.difference is None
    assert "Too few to say: fewer than 20 people" in result.text
    assert "%" not in result.text


@pytest.mark.parametrize(("context", "comparison"), [((3, 30), (40, 80)), ((28, 30), (40, 80)), ((30, 60), (77, 80))])
def test_verdict_too_few_when_suppression_hides_a_figure_and_it_is_never_shown(
    context: tuple[int, int], comparison: tuple[int, int]
) -> None:
    # 3 of 30 (numerator under 5), 28 of 30 (2 not counted), 77 of 80 (3 not counted): each rate is hidden.
    result = verdict(context, comparison)
    assert result.kind == VerdictKind.TOO_FEW
    assert "hidden to protect" in result.text
    assert result.difference is None
    hidden = result.context if not result.context.shown else result.comparison
    row = table_row("group", hidden)
    assert row[1] == "[c]" and row[3] == "[c]" and row[4] == "[c]"
    for figure in (str(context[0]), str(comparison[0])):
        assert f" {figure} of" not in result.text


def test_points_rounds_to_whole_points_with_a_true_minus() -> None:
    assert points(0.164) == "16"
    assert points(-0.164) == "\u221216"
    assert points(-0.004) == "0"


def test_context_filter_checks() -> None:
    assert context_refusal([["housing_settled", "unsettled"]]) is None
    assert context_refusal([("housing_settled", "unsettled"), ("sex", "female")]) is None
    assert context_refusal([]) == "Choose at least one subgroup for the context."
    assert "not a subgroup cut" in (context_refusal([["shoe_size", "9"]]) or "")
    assert "not a category" in (context_refusal([["housing_settled", "mansion"]]) or "")
    assert "once" in (context_refusal([["sex", "female"], ["sex", "male"]]) or "")
    assert "not a subgroup cut" in (context_refusal([["team", "x"]]) or "")
    assert context_refusal("housing") is not None
    assert context_refusal([["a", "b", "c"]]) is not None


def test_in_context_needs_every_pair() -> None:
    from datetime import date

    facts = PersonFacts(housing_status="rough_sleeping", sex="female")
    on = date(2026, 1, 1)
    assert in_context([["housing_settled", "unsettled"]], facts, on)
    assert in_context([["housing_settled", "unsettled"], ["sex", "female"]], facts, on)
    assert not in_context([["housing_settled", "unsettled"], ["sex", "male"]], facts, on)
    assert context_label([["housing_settled", "unsettled"]]).startswith("Settled or unsettled housing: Unsettled")


def test_who_may_record_and_read_theories() -> None:
    evaluator = Standing(frozenset({"researcher"}), frozenset())
    clinician = Standing(frozenset({"care_coordinator"}), frozenset({7}))
    administrator = Standing(frozenset({"administrator"}), frozenset())
    assert refusal_to_record(evaluator) is None
    assert refusal_to_record(clinician) is not None
    assert refusal_to_read(evaluator, published=False, service_id=3) is None
    assert refusal_to_read(clinician, published=True, service_id=None) is None
    assert refusal_to_read(clinician, published=True, service_id=7) is None
    assert refusal_to_read(clinician, published=True, service_id=3) is not None
    assert refusal_to_read(clinician, published=False, service_id=None) is not None
    assert refusal_to_read(administrator, published=True, service_id=None) is not None


def test_text_refusals() -> None:
    assert text_refusal("  ", label="a title", max_length=10) == "Enter a title."
    assert text_refusal("x" * 11, label="a title", max_length=10) == "A title must be 10 characters or fewer."
    assert "cannot be stored" in (text_refusal("a\x00b", label="a title", max_length=10) or "")
    assert text_refusal("line\nline", label="a title", max_length=10) is None
