"""The shape of a measure (issue 6 point 1): each is defined once, with its numerator, denominator and period
in words (shown on the page that shows it), and reduces a list of observations to a figure.

An observation is one unit the measure counts (a referral, an episode, a discharge, a person with two
measurements): the date that places it in a period, whether it is in the numerator, an optional value
(days, a score change), and the facts that place it in a subgroup. Everything here is pure: the selectors in
`coexist/outcomes/observations.py` read the record into observations; `figure` and `figures_by` reduce them.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from coexist.outcomes.rules.spc import Polarity
from coexist.outcomes.rules.subgroups import Cut, CutDefinition, PersonFacts, category


class Kind(StrEnum):
    """How observations reduce to a figure."""

    PROPORTION = "proportion"  # numerator / denominator, as a percentage
    COUNT = "count"  # how many observations
    MEDIAN = "median"  # median of the values (e.g. days)
    MEAN = "mean"  # mean of the values (e.g. change in a score)


@dataclass(frozen=True)
class Observation:
    """One unit a measure counts."""

    at: date
    """The day that places it in a period (the referral's day, the discharge day...)."""
    in_numerator: bool = False
    value: float | None = None
    """Days, or a change in score, for MEDIAN and MEAN measures."""
    facts: PersonFacts = field(default_factory=PersonFacts)
    person_key: str = ""
    """The person's public id as text: to count people, and never shown."""
    count: int = 1
    """How many units this stands for: a tally groups units alike in everything above into one observation."""


@dataclass(frozen=True)
class Measure:
    """A measure, defined once. `numerator`, `denominator` and `period` are the words on the page."""

    key: str
    title: str
    kind: Kind
    numerator: str
    denominator: str
    period: str
    polarity: Polarity
    unit: str
    """"%", "days", "people", "points"."""
    source: str = ""
    """Where the definition comes from (QS188 statement 2, NG58 1.x, issue 6...)."""


@dataclass(frozen=True)
class Figure:
    """A measure's figure over some observations: the number shown, and what it rests on."""

    numerator: int
    denominator: int
    value: float | None
    """Percentage, count, median or mean; None when there is nothing to compute it from."""


def _median(values: list[tuple[float, int]]) -> float:
    """The median of values each repeated `count` times (the mean of the middle two when there are an even
    number), without writing the repeats out."""
    ordered = sorted(values)
    n = sum(count for _, count in ordered)
    middle = {(n - 1) // 2, n // 2}  # 0-based positions of the middle one or two
    found: list[float] = []
    seen = 0
    for value, count in ordered:
        found += [value] * len({p for p in middle if seen <= p < seen + count})
        seen += count
    return statistics.fmean(found)


def figure(measure: Measure, observations: Sequence[Observation]) -> Figure:
    """Reduce observations to the measure's figure (no suppression here: see `rules.suppression`). Each
    observation counts `count` times."""
    denominator = sum(o.count for o in observations)
    numerator = sum(o.count for o in observations if o.in_numerator)
    if measure.kind == Kind.PROPORTION:
        return Figure(numerator, denominator, 100.0 * numerator / denominator if denominator else None)
    if measure.kind == Kind.COUNT:
        return Figure(denominator, denominator, float(denominator))
    values = [(o.value, o.count) for o in observations if o.value is not None and o.count > 0]
    if not values:
        return Figure(numerator, denominator, None)
    if measure.kind == Kind.MEDIAN:
        return Figure(numerator, denominator, _median(values))
    return Figure(numerator, denominator, sum(v * c for v, c in values) / sum(c for _, c in values))


def in_period(observations: Iterable[Observation], start: date, end: date) -> list[Observation]:
    """Observations from `start` to `end`, both days included."""
    return [o for o in observations if start <= o.at <= end]


def figures_by(
    measure: Measure,
    observations: Sequence[Observation],
    cut: Cut,
    *,
    on: Callable[[Observation], date] = lambda o: o.at,
    definition: CutDefinition,
) -> dict[str, Figure]:
    """The figure for each category of a cut, in the cut's order (empty categories included)."""
    groups: dict[str, list[Observation]] = {c.key: [] for c in definition.categories}
    for o in observations:
        key = category(cut, o.facts, on(o), definition=definition)
        groups.setdefault(key, []).append(o)
    return {key: figure(measure, group) for key, group in groups.items()}
