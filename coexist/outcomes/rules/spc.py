"""Statistical process control in the NHS England "Making Data Count" (MDC) style. Pure: plain numbers in,
decisions out; no ORM, no Django.

Issue 6 point 3: every outcome measure over time is read the way NHS boards read it, as an XmR chart with
a mean, process limits and the MDC special-cause rules, and summarised by the MDC "variation" and
"assurance" icons.

Sources, and the choices made where they differ:

- NHS England, *Making Data Count* and *Making Data Count: strengthening your decisions*
  (https://www.england.nhs.uk/publication/making-data-count/): XmR charts for almost every measure,
  percentages included; four rules, no more ("four rules are enough - anything more risks false positives",
  the MDC team in conversation with the QI team of North London NHS Foundation Trust); blue for improvement,
  orange for concern, grey for common cause, purple where neither direction is better.
- The NHS-R community's NHSRplotthedots package, written to reproduce the MDC Excel tools
  (github.com/nhs-r-community/NHSRplotthedots, ``R/ptd_spc_standard.R``, ``R/ptd_calculate_point_type.R``,
  ``R/ptd_calculate_assurance_type.R``, vignette "Number of points required"). We follow its arithmetic:
  limits = mean ± 2.66 x mean moving range; "near a limit" = beyond two thirds of the way from the mean to
  the limit (2 sigma); a shift and a trend are both 7 points; a point exactly on the mean has no side, so
  it breaks a shift (and does not count towards one); two equal consecutive values break a trend. Like the
  MDC Excel tools (and unlike NHSRplotthedots' default) we do not screen outlying moving ranges.

Where we chose differently, and why:

- Two-out-of-three: a point *beyond* a process limit also counts as "beyond 2 sigma" (the Western
  Electric convention the MDC rule comes from), and the third point of the window may be anywhere.
  NHSRplotthedots counts only points between 2 sigma and the limit and needs all three on one side of the
  mean. Ours flags a near-limit point next to an outlier; theirs does not. Both flag the outlier itself.
- Improvement or concern of a trend follows the trend's direction (a rising trend is an improvement when
  higher is better, even while it is still below the mean); the other three rules follow the point's side
  of the mean. NHSRplotthedots uses the side of the mean for all four. When a point is flagged by a level
  rule and by a trend pointing the other way, the level rule decides, because the icon describes where
  the process is.
- Minimum points: NHSRplotthedots warns below 12 points ("trial limits"); MDC training suggests 15 to 20
  for a stable baseline. We calculate limits from 12 points (a year of months) and, below that, return a
  result saying "not enough points for process limits" with the mean but no limits and no flags: a board
  must not read a signal from limits that every new month would move. ``MIN_POINTS_FOR_LIMITS`` is the one
  place to change it.
- Proportions: plotted as XmR of the percentage per period, as MDC does, rather than a p-chart. This
  assumes denominators of similar size from period to period; limits are not clipped to 0-100 % here (a
  chart may clip its axis), so the arithmetic matches the MDC Excel tools.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# MDC / NHSRplotthedots constants. 2.66 = 3 / d2 where d2 = 1.128 for moving ranges of two points, so the
# limits sit at three sigma; "near" a limit is two sigma, two thirds of the way out.
LIMIT_MULTIPLIER = 2.66
NEAR_LIMIT_FRACTION = 2 / 3
SHIFT_RUN_LENGTH = 7  # MDC: 7 or more consecutive points all above, or all below, the mean
TREND_RUN_LENGTH = 7  # MDC (as in NHSRplotthedots' ptd_seven_point_trend): 7 or more points rising, or falling
TWO_OF_THREE_WINDOW = 3
TWO_OF_THREE_COUNT = 2
MIN_POINTS_FOR_LIMITS = 12

NOT_ENOUGH_POINTS = "not enough points for process limits"

# Floating point sums of decimals are rarely exact: a value within this relative distance of the mean (or
# of the previous value, for a trend) counts as equal to it.
_RELATIVE_TOLERANCE = 1e-9


class Polarity(StrEnum):
    """Which direction is better for a measure."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEITHER = "neither"


class Rule(StrEnum):
    """The four MDC special-cause rules."""

    OUTSIDE_LIMITS = "outside_limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


class Variation(StrEnum):
    """The MDC variation icon, for one point or for the latest point of a chart."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"
    NOT_ENOUGH_DATA = "not_enough_data"

    @property
    def is_special_cause(self) -> bool:
        return self not in (Variation.COMMON_CAUSE, Variation.NOT_ENOUGH_DATA)

    @property
    def is_improvement(self) -> bool:
        return self in (Variation.IMPROVEMENT_HIGH, Variation.IMPROVEMENT_LOW)

    @property
    def is_concern(self) -> bool:
        return self in (Variation.CONCERN_HIGH, Variation.CONCERN_LOW)

    @property
    def label(self) -> str:
        """Plain English, as the MDC icon key says it."""
        return _VARIATION_LABELS[self]


_VARIATION_LABELS = {
    Variation.COMMON_CAUSE: "common cause variation",
    Variation.IMPROVEMENT_HIGH: "special cause improvement (higher)",
    Variation.IMPROVEMENT_LOW: "special cause improvement (lower)",
    Variation.CONCERN_HIGH: "special cause concern (higher)",
    Variation.CONCERN_LOW: "special cause concern (lower)",
    Variation.NEITHER_HIGH: "special cause variation (higher), neither better nor worse",
    Variation.NEITHER_LOW: "special cause variation (lower), neither better nor worse",
    Variation.NOT_ENOUGH_DATA: NOT_ENOUGH_POINTS,
}


class Assurance(StrEnum):
    """The MDC assurance icon: can the process be relied on to meet its target?"""

    CONSISTENTLY_HIT = "consistently_hit"
    CONSISTENTLY_MISS = "consistently_miss"
    HIT_AND_MISS = "hit_and_miss"
    NONE = "none"  # no target, no better direction, or no process limits yet: MDC shows no assurance icon

    @property
    def label(self) -> str:
        return _ASSURANCE_LABELS[self]


_ASSURANCE_LABELS = {
    Assurance.CONSISTENTLY_HIT: "the process will consistently hit the target",
    Assurance.CONSISTENTLY_MISS: "the process will consistently miss the target unless something changes",
    Assurance.HIT_AND_MISS: "the process will hit and miss the target at random",
    Assurance.NONE: "no assurance reading",
}


@dataclass(frozen=True)
class SpcPoint:
    """One plotted value, the rules it breaks and what that means given the measure's polarity."""

    index: int
    value: float
    side: int  # +1 above the mean, -1 below, 0 on it
    moving_range: float | None  # |value - previous value|; None for the first point
    rules: frozenset[Rule]
    variation: Variation
    reasons: tuple[str, ...]  # plain English, one per rule broken

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class SpcResult:
    """An XmR chart: centre line, limits, each point's flags, and the MDC icons for the latest point."""

    polarity: Polarity
    target: float | None
    baseline_points: int  # how many of the first points the mean and limits were calculated from
    mean: float | None
    mean_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_near: float | None  # two sigma: the inner edge of the outer third, above the mean
    lower_near: float | None
    points: tuple[SpcPoint, ...]
    variation: Variation
    assurance: Assurance
    message: str  # "" when limits were calculated; otherwise why not

    @property
    def has_limits(self) -> bool:
        return self.upper_limit is not None

    @property
    def latest(self) -> SpcPoint | None:
        return self.points[-1] if self.points else None


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_RELATIVE_TOLERANCE, abs_tol=_RELATIVE_TOLERANCE)


def _sign(value: float, centre: float) -> int:
    if _close(value, centre):
        return 0
    return 1 if value > centre else -1


def moving_ranges(values: Sequence[float]) -> list[float]:
    """|x(i) - x(i-1)| for each point after the first."""
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def _runs(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero signs, as (start, end inclusive, sign)."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0:
                runs.append((start, i - 1, signs[start]))
            start = i
    return runs


def shift_runs(sides: Sequence[int], *, length: int = SHIFT_RUN_LENGTH) -> list[tuple[int, int, int]]:
    """Rule 2 (shift): runs of ``length`` or more consecutive points all above (+1) or all below (-1) the
    mean, as (first index, last index, side). A point on the mean (side 0) ends a run and starts none."""
    return [run for run in _runs(sides) if run[1] - run[0] + 1 >= length]


def trend_runs(values: Sequence[float], *, length: int = TREND_RUN_LENGTH) -> list[tuple[int, int, int]]:
    """Rule 3 (trend): runs of ``length`` or more consecutive points each higher (+1) or each lower (-1) than
    the one before, as (first index, last index, direction). Two equal values in a row end the trend."""
    steps = [_sign(b, a) for a, b in itertools.pairwise(values)]
    found = []
    for start, end, direction in _runs(steps):
        # A run of steps from start..end joins points start..end+1.
        if end - start + 2 >= length:
            found.append((start, end + 1, direction))
    return found


def _near_sides(values: Sequence[float], *, upper_near: float, lower_near: float) -> list[int]:
    """+1 for a point beyond two sigma above the mean (in the outer third or beyond the limit), -1 below."""
    sides = []
    for value in values:
        if value > upper_near and not _close(value, upper_near):
            sides.append(1)
        elif value < lower_near and not _close(value, lower_near):
            sides.append(-1)
        else:
            sides.append(0)
    return sides


def two_of_three(near: Sequence[int]) -> dict[int, int]:
    """Rule 4: in any 3 consecutive points, 2 or more beyond two sigma on the same side. Returns the flagged
    points (only those beyond two sigma, not the third point of the window) and their side."""
    flagged: dict[int, int] = {}
    for start in range(len(near) - TWO_OF_THREE_WINDOW + 1):
        window = range(start, start + TWO_OF_THREE_WINDOW)
        for side in (1, -1):
            hits = [i for i in window if near[i] == side]
            if len(hits) >= TWO_OF_THREE_COUNT:
                for i in hits:
                    flagged[i] = side
    return flagged


def classify(*, direction: int, polarity: Polarity) -> Variation:
    """The MDC variation icon for a special-cause signal pointing up (+1) or down (-1)."""
    if polarity is Polarity.NEITHER:
        return Variation.NEITHER_HIGH if direction > 0 else Variation.NEITHER_LOW
    better = 1 if polarity is Polarity.HIGHER_IS_BETTER else -1
    if direction == better:
        return Variation.IMPROVEMENT_HIGH if direction > 0 else Variation.IMPROVEMENT_LOW
    return Variation.CONCERN_HIGH if direction > 0 else Variation.CONCERN_LOW


def assurance(
    *, polarity: Polarity, target: float | None, lower_limit: float | None, upper_limit: float | None
) -> Assurance:
    """MDC assurance: a target outside the process limits is always hit (or always missed); one inside them
    is hit and missed at random. No icon without a target, a better direction or limits."""
    if target is None or polarity is Polarity.NEITHER or lower_limit is None or upper_limit is None:
        return Assurance.NONE
    if target > upper_limit:
        # Every value the process produces is below the target.
        return Assurance.CONSISTENTLY_MISS if polarity is Polarity.HIGHER_IS_BETTER else Assurance.CONSISTENTLY_HIT
    if target < lower_limit:
        return Assurance.CONSISTENTLY_HIT if polarity is Polarity.HIGHER_IS_BETTER else Assurance.CONSISTENTLY_MISS
    return Assurance.HIT_AND_MISS


def _check(values: Sequence[float], baseline: int | None, target: float | None) -> None:
    for value in values:
        if not math.isfinite(value):
            raise ValueError("Every value on an SPC chart must be a finite number.")
    if target is not None and not math.isfinite(target):
        raise ValueError("The target must be a finite number.")
    if baseline is not None and not 1 <= baseline <= len(values):
        raise ValueError("The baseline must be between 1 and the number of points.")


def xmr(
    values: Sequence[float],
    *,
    polarity: Polarity,
    target: float | None = None,
    baseline: int | None = None,
    min_points: int = MIN_POINTS_FOR_LIMITS,
) -> SpcResult:
    """An XmR (individuals) chart with the four MDC special-cause rules.

    The mean and the mean moving range come from the first ``baseline`` points (all of them when None);
    the limits, mean ± 2.66 x mean moving range, then apply to every point. Fewer than ``min_points`` in
    the baseline: the mean only, no limits, no flags, and ``message`` says so.
    """
    _check(values, baseline, target)
    n = len(values)
    base = list(values[: baseline if baseline is not None else n])
    mrs = moving_ranges(values)
    point_mrs: list[float | None] = [None, *mrs]
    mean = math.fsum(base) / len(base) if base else None

    if mean is None or len(base) < max(min_points, 2):
        sides = [_sign(v, mean) for v in values] if mean is not None else []
        points = tuple(
            SpcPoint(i, v, s, point_mrs[i], frozenset(), Variation.NOT_ENOUGH_DATA, ())
            for i, (v, s) in enumerate(zip(values, sides, strict=True))
        )
        message = f"{NOT_ENOUGH_POINTS}: {max(min_points, 2)} needed, {len(base)} given"
        return SpcResult(
            polarity=polarity,
            target=target,
            baseline_points=len(base),
            mean=mean,
            mean_moving_range=None,
            upper_limit=None,
            lower_limit=None,
            upper_near=None,
            lower_near=None,
            points=points,
            variation=Variation.NOT_ENOUGH_DATA,
            assurance=Assurance.NONE,
            message=message,
        )

    mr_bar = math.fsum(moving_ranges(base)) / (len(base) - 1)
    upper = mean + LIMIT_MULTIPLIER * mr_bar
    lower = mean - LIMIT_MULTIPLIER * mr_bar
    upper_near = mean + NEAR_LIMIT_FRACTION * LIMIT_MULTIPLIER * mr_bar
    lower_near = mean - NEAR_LIMIT_FRACTION * LIMIT_MULTIPLIER * mr_bar
    sides = [_sign(v, mean) for v in values]

    rules: list[set[Rule]] = [set() for _ in values]
    level: list[int] = [0] * n  # direction from the rules about where the point is
    trend_direction: list[int] = [0] * n
    reasons: list[list[str]] = [[] for _ in values]

    for i, value in enumerate(values):
        if value > upper and not _close(value, upper):
            rules[i].add(Rule.OUTSIDE_LIMITS)
            level[i] = 1
            reasons[i].append("above the upper process limit")
        elif value < lower and not _close(value, lower):
            rules[i].add(Rule.OUTSIDE_LIMITS)
            level[i] = -1
            reasons[i].append("below the lower process limit")

    for start, end, side in shift_runs(sides):
        where = "above" if side > 0 else "below"
        for i in range(start, end + 1):
            rules[i].add(Rule.SHIFT)
            level[i] = side
            reasons[i].append(f"a run of {end - start + 1} {where} the mean")

    for start, end, direction in trend_runs(values):
        how = "rising" if direction > 0 else "falling"
        for i in range(start, end + 1):
            rules[i].add(Rule.TREND)
            trend_direction[i] = direction
            reasons[i].append(f"a {how} trend of {end - start + 1} points")

    near = _near_sides(values, upper_near=upper_near, lower_near=lower_near)
    for i, side in sorted(two_of_three(near).items()):
        rules[i].add(Rule.TWO_OF_THREE)
        level[i] = level[i] or side
        limit = "upper" if side > 0 else "lower"
        reasons[i].append(f"2 of 3 points close to the {limit} process limit")

    flagged: list[SpcPoint] = []
    for i, value in enumerate(values):
        direction = level[i] or trend_direction[i]
        variation = classify(direction=direction, polarity=polarity) if rules[i] else Variation.COMMON_CAUSE
        flagged.append(SpcPoint(i, value, sides[i], point_mrs[i], frozenset(rules[i]), variation, tuple(reasons[i])))

    return SpcResult(
        polarity=polarity,
        target=target,
        baseline_points=len(base),
        mean=mean,
        mean_moving_range=mr_bar,
        upper_limit=upper,
        lower_limit=lower,
        upper_near=upper_near,
        lower_near=lower_near,
        points=tuple(flagged),
        variation=flagged[-1].variation,
        assurance=assurance(polarity=polarity, target=target, lower_limit=lower, upper_limit=upper),
        message="",
    )
