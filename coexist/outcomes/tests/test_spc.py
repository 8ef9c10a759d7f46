"""Making Data Count SPC rules (issue 6 point 3), on hand-worked numbers. No database.

Most rule tests share one baseline, worked out once here:

    BASE = 13, 11, 13, 11, ... (12 points, ending on 11)
    mean             = (6 x 13 + 6 x 11) / 12 = 144 / 12 = 12
    moving ranges    = eleven ranges of |11 - 13| = 2, so mean moving range = 2
    process limits   = 12 ± 2.66 x 2 = 12 ± 5.32 → lower 6.68, upper 17.32
    near the limits  = 12 ± (2/3) x 5.32 = 12 ± 3.5466… → below 8.4533…, above 15.5466…

With baseline=12 the limits stay put whatever is appended after it, so each test adds the points that
make (or just fail to make) a rule.
"""

import math

import pytest

from coexist.outcomes.rules.spc import (
    MIN_POINTS_FOR_LIMITS,
    NOT_ENOUGH_POINTS,
    SHIFT_RUN_LENGTH,
    TREND_RUN_LENGTH,
    Assurance,
    Polarity,
    Rule,
    Variation,
    shift_runs,
    trend_runs,
    two_of_three,
    xmr,
)

BASE = [13.0, 11.0] * 6
UP = Polarity.HIGHER_IS_BETTER
DOWN = Polarity.LOWER_IS_BETTER


def chart(extra, *, polarity=UP, target=None):
    return xmr(BASE + list(extra), polarity=polarity, target=target, baseline=len(BASE))


def flagged(result, rule):
    return [p.index for p in result.points if rule in p.rules]


# --- the arithmetic -------------------------------------------------------------------------------------


def test_shared_baseline_mean_moving_range_and_limits_by_hand():
    result = xmr(BASE, polarity=UP)
    assert result.mean == pytest.approx(12)
    assert result.mean_moving_range == pytest.approx(2)
    assert result.upper_limit == pytest.approx(17.32)
    assert result.lower_limit == pytest.approx(6.68)
    assert result.upper_near == pytest.approx(12 + 2 / 3 * 5.32)
    assert result.lower_near == pytest.approx(12 - 2 / 3 * 5.32)
    assert result.points[0].moving_range is None
    assert [p.moving_range for p in result.points[1:]] == [2.0] * 11
    # Alternating about the mean: no rule can fire.
    assert all(not p.special_cause for p in result.points)
    assert result.variation is Variation.COMMON_CAUSE
    assert result.message == ""


def test_uneven_series_worked_by_hand():
    # values 20 24 22 26 23 21 25 22 24 23 21 25: sum 276, mean 276 / 12 = 23
    # moving ranges 4 2 4 3 2 4 3 2 1 2 4: sum 31, mean moving range 31 / 11 = 2.81818…
    # limits 23 ± 2.66 x 31 / 11 = 23 ± 82.46 / 11 = 23 ± 7.49636… → 15.50364…, 30.49636…
    values = [20, 24, 22, 26, 23, 21, 25, 22, 24, 23, 21, 25]
    result = xmr(values, polarity=UP)
    assert result.mean == pytest.approx(23)
    assert result.mean_moving_range == pytest.approx(31 / 11)
    assert result.upper_limit == pytest.approx(23 + 82.46 / 11)
    assert result.lower_limit == pytest.approx(23 - 82.46 / 11)
    # 26 is beyond 2 sigma (23 + 4.99758 = 27.99758)? No: 26 < 27.998, so nothing is near a limit either.
    assert result.variation is Variation.COMMON_CAUSE


def test_percentages_use_the_same_xmr_arithmetic():
    # MDC plots a percentage per month on an XmR chart (no p-chart).
    # 60 62 58 64 61 59 63 60 62 61 59 63: sum 732, mean 61
    # moving ranges 2 4 6 3 2 4 3 2 1 2 4: sum 33, mean moving range 3; limits 61 ± 7.98 → 53.02, 68.98
    values = [60, 62, 58, 64, 61, 59, 63, 60, 62, 61, 59, 63]
    result = xmr(values, polarity=UP, target=50)
    assert result.mean == pytest.approx(61)
    assert result.mean_moving_range == pytest.approx(3)
    assert (result.lower_limit, result.upper_limit) == (pytest.approx(53.02), pytest.approx(68.98))
    assert result.assurance is Assurance.CONSISTENTLY_HIT  # 50 % target is below the lower limit


def test_baseline_fixes_the_mean_and_limits_on_the_first_points():
    # Without a baseline the 7 later points at 20 would pull the mean up to (144 + 140) / 19 = 14.947…
    result = chart([20] * 7)
    assert result.mean == pytest.approx(12)
    assert result.baseline_points == 12
    assert result.upper_limit == pytest.approx(17.32)
    unfixed = xmr([*BASE, *[20] * 7], polarity=UP)
    assert unfixed.mean == pytest.approx(284 / 19)


# --- rule 1: a point outside the process limits ---------------------------------------------------------


def test_rule1_point_above_the_upper_limit_is_special_cause():
    result = chart([18])
    assert flagged(result, Rule.OUTSIDE_LIMITS) == [12]
    assert result.latest.reasons[0] == "above the upper process limit"
    assert result.variation is Variation.IMPROVEMENT_HIGH


def test_rule1_point_exactly_on_the_limit_is_not_outside():
    result = chart([12 + 2.66 * 2, 12 - 2.66 * 2])
    assert flagged(result, Rule.OUTSIDE_LIMITS) == []


def test_rule1_point_below_the_lower_limit():
    result = chart([6.5])
    assert flagged(result, Rule.OUTSIDE_LIMITS) == [12]
    assert result.variation is Variation.CONCERN_LOW


# --- rule 2: a shift of 7 or more on one side of the mean ----------------------------------------------


def test_r2_shift_of_7_above_the_mean_flags_all_7():
    assert SHIFT_RUN_LENGTH == 7
    result = chart([14] * 7)  # 14: above 12, below the near band (15.55), all equal (no trend)
    assert flagged(result, Rule.SHIFT) == list(range(12, 19))
    assert result.latest.reasons == ("a run of 7 above the mean",)
    assert result.variation is Variation.IMPROVEMENT_HIGH


def test_r2_six_above_the_mean_is_not_a_shift():
    result = chart([14] * 6)
    assert flagged(result, Rule.SHIFT) == []
    assert result.variation is Variation.COMMON_CAUSE


def test_r2_shift_below_the_mean_when_lower_is_better_is_improvement():
    result = chart([10] * 7, polarity=DOWN)
    assert flagged(result, Rule.SHIFT) == list(range(11, 19))  # the last baseline point (11) is below too
    assert result.latest.reasons == ("a run of 8 below the mean",)
    assert result.variation is Variation.IMPROVEMENT_LOW


def test_r2_a_point_on_the_mean_breaks_a_shift():
    # MDC convention (as NHSRplotthedots): a point on the mean is on neither side, so 3 + 4 is not 7.
    result = chart([14, 14, 14, 12, 14, 14, 14, 14])
    assert result.points[15].side == 0
    assert flagged(result, Rule.SHIFT) == []


def test_r2_shift_runs_counts_maximal_runs():
    assert shift_runs([1, 1, 1, 1, 1, 1, 1, -1]) == [(0, 6, 1)]
    assert shift_runs([1, 1, 1, 0, 1, 1, 1, 1]) == []
    assert shift_runs([-1] * 9) == [(0, 8, -1)]


# --- rule 3: a trend of 7 or more rising or falling ------------------------------------------------------


def test_r3_seven_rising_points_are_a_trend():
    assert TREND_RUN_LENGTH == 7
    # From the last baseline point (11): 11 11.3 11.6 11.9 12.2 12.5 12.8 — 7 points, 6 rises.
    # Crosses the mean (4 below, 3 above), so no shift; all inside the near band, so nothing else.
    result = chart([11.3, 11.6, 11.9, 12.2, 12.5, 12.8])
    assert flagged(result, Rule.TREND) == list(range(11, 18))
    assert flagged(result, Rule.SHIFT) == []
    assert result.latest.reasons == ("a rising trend of 7 points",)
    assert result.variation is Variation.IMPROVEMENT_HIGH


def test_r3_six_rising_points_are_not_a_trend():
    result = chart([11.3, 11.6, 11.9, 12.2, 12.5])
    assert flagged(result, Rule.TREND) == []


def test_r3_trend_direction_decides_improvement_even_below_the_mean():
    # Index 11 (11) is below the mean but part of a rising trend: higher is better, so improvement.
    result = chart([11.3, 11.6, 11.9, 12.2, 12.5, 12.8])
    assert result.points[11].side == -1
    assert result.points[11].variation is Variation.IMPROVEMENT_HIGH


def test_r3_falling_trend_when_higher_is_better_is_concern():
    result = chart([12.8, 12.5, 12.2, 11.9, 11.6, 11.3, 11.0])
    assert flagged(result, Rule.TREND) == list(range(12, 19))
    assert result.variation is Variation.CONCERN_LOW


def test_r3_an_equal_value_breaks_a_trend():
    assert trend_runs([1, 2, 3, 3, 4, 5, 6, 7]) == []
    assert trend_runs([1, 2, 3, 4, 5, 6, 7]) == [(0, 6, 1)]
    assert trend_runs([7, 6, 5, 4, 3, 2, 1, 2]) == [(0, 6, -1)]


# --- rule 4: two out of three beyond two sigma, same side ----------------------------------------------


def test_r4_two_of_three_near_the_upper_limit_flags_those_two():
    # 16 is beyond 15.5466… (2 sigma) but inside 17.32; the 12.5 between them is not flagged.
    result = chart([16, 12.5, 16])
    assert flagged(result, Rule.TWO_OF_THREE) == [12, 14]
    assert flagged(result, Rule.OUTSIDE_LIMITS) == []
    assert result.latest.reasons == ("2 of 3 points close to the upper process limit",)
    assert result.variation is Variation.IMPROVEMENT_HIGH


def test_r4_two_near_points_four_apart_do_not_fire():
    result = chart([16, 12.5, 12.5, 16])
    assert flagged(result, Rule.TWO_OF_THREE) == []
    assert result.variation is Variation.COMMON_CAUSE


def test_r4_near_points_on_opposite_sides_do_not_fire():
    result = chart([16, 8])  # 8 is beyond the lower 2-sigma line (8.4533…), the other side
    assert flagged(result, Rule.TWO_OF_THREE) == []


def test_r4_points_exactly_on_the_two_sigma_line_are_not_near():
    line = 12 + 2 / 3 * 2.66 * 2
    result = chart([line, line])
    assert flagged(result, Rule.TWO_OF_THREE) == []


def test_r4_a_point_beyond_the_limit_counts_as_beyond_two_sigma():
    # Deviation from NHSRplotthedots, documented in spc.py: 18 (outside) and 16 (near) make two of three.
    result = chart([18, 16])
    assert flagged(result, Rule.OUTSIDE_LIMITS) == [12]
    assert flagged(result, Rule.TWO_OF_THREE) == [12, 13]


def test_r4_two_of_three_below_when_lower_is_better():
    result = chart([8, 8], polarity=DOWN)
    assert flagged(result, Rule.TWO_OF_THREE) == [12, 13]
    assert result.variation is Variation.IMPROVEMENT_LOW


def test_r4_helper_on_plain_sides():
    assert two_of_three([1, 0, 1]) == {0: 1, 2: 1}
    assert two_of_three([1, 0, 0, 1]) == {}
    assert two_of_three([-1, -1]) == {}  # fewer than three points: no window


# --- polarity -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [(UP, Variation.IMPROVEMENT_HIGH), (DOWN, Variation.CONCERN_HIGH), (Polarity.NEITHER, Variation.NEITHER_HIGH)],
)
def test_polarity_decides_improvement_or_concern_of_a_high_shift(polarity, expected):
    result = chart([14] * 7, polarity=polarity)
    assert result.variation is expected
    assert result.variation.is_special_cause


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [(UP, Variation.CONCERN_LOW), (DOWN, Variation.IMPROVEMENT_LOW), (Polarity.NEITHER, Variation.NEITHER_LOW)],
)
def test_polarity_of_a_low_outlier(polarity, expected):
    assert chart([5], polarity=polarity).variation is expected


def test_variation_reads_the_latest_point_only():
    # A shift that has ended: the latest point (11, back below the mean) is common cause.
    result = chart([14] * 7 + [11])
    assert result.points[-2].variation is Variation.IMPROVEMENT_HIGH
    assert result.variation is Variation.COMMON_CAUSE


# --- assurance ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        (UP, 5, Assurance.CONSISTENTLY_HIT),  # target below the lower limit 6.68
        (UP, 18, Assurance.CONSISTENTLY_MISS),  # above the upper limit 17.32
        (UP, 12, Assurance.HIT_AND_MISS),
        (UP, 17.32, Assurance.HIT_AND_MISS),  # on the limit: still inside
        (DOWN, 18, Assurance.CONSISTENTLY_HIT),
        (DOWN, 5, Assurance.CONSISTENTLY_MISS),
        (DOWN, 10, Assurance.HIT_AND_MISS),
        (Polarity.NEITHER, 18, Assurance.NONE),
        (UP, None, Assurance.NONE),
    ],
)
def test_assurance_against_the_target(polarity, target, expected):
    assert xmr(BASE, polarity=polarity, target=target).assurance is expected


# --- short series and bad input -------------------------------------------------------------------------


def test_fewer_than_12_points_says_not_enough_for_limits():
    assert MIN_POINTS_FOR_LIMITS == 12
    result = xmr(BASE[:11], polarity=UP, target=5)
    assert not result.has_limits
    assert result.upper_limit is None and result.lower_limit is None
    assert result.message == f"{NOT_ENOUGH_POINTS}: 12 needed, 11 given"
    assert result.mean == pytest.approx((6 * 13 + 5 * 11) / 11)  # the mean is still shown
    assert result.variation is Variation.NOT_ENOUGH_DATA
    assert result.assurance is Assurance.NONE
    assert all(not p.special_cause for p in result.points)


def test_twelve_points_are_enough():
    assert xmr(BASE, polarity=UP).has_limits


def test_a_short_baseline_is_not_enough_even_with_many_points():
    result = xmr(BASE * 2, polarity=UP, baseline=6)
    assert not result.has_limits
    assert result.message.endswith("12 needed, 6 given")


def test_empty_and_single_point_series():
    empty = xmr([], polarity=UP)
    assert empty.mean is None and empty.points == () and empty.variation is Variation.NOT_ENOUGH_DATA
    one = xmr([5], polarity=UP, min_points=1)  # a moving range needs two points, whatever the minimum
    assert one.mean == 5 and not one.has_limits


def test_all_equal_values_have_zero_width_limits_and_no_signal():
    result = xmr([7.0] * 12, polarity=UP)
    assert result.mean_moving_range == 0
    assert result.upper_limit == result.lower_limit == 7
    assert result.variation is Variation.COMMON_CAUSE  # every point on the mean: no side, no trend


def test_float_noise_on_the_mean_counts_as_on_the_mean():
    # 0.1 + 0.2 is 0.30000000000000004 in floating point; it must still sit on a mean of 0.3.
    values = [0.2, 0.4] * 6 + [0.1 + 0.2]
    assert xmr(values, polarity=UP, baseline=12).points[-1].side == 0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_refused(bad):
    with pytest.raises(ValueError, match="finite"):
        xmr([*BASE, bad], polarity=UP)


@pytest.mark.parametrize("baseline", [0, 13])
def test_baseline_outside_the_series_is_refused(baseline):
    with pytest.raises(ValueError, match="baseline"):
        xmr(BASE, polarity=UP, baseline=baseline)
