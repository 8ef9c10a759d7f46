"""Does the service's data bear a programme theory out? (issue 6 point 4). Pure: no ORM.

A context-mechanism-outcome (CMO) configuration says that in a context (a subgroup), a mechanism
leads to an outcome (a measure). The data can only show whether the outcome differs between the
people in that context and everyone else in the same measure's denominator. It cannot show that the
mechanism caused the difference: the groups differ in many ways the record does not hold. So the
verdict states the size of the difference and its uncertainty, and never claims a cause.

Statistics:
- A proportion's 95% confidence interval: the Wilson score interval (Wilson 1927; Newcombe 1998a,
  method 3). It stays inside 0 to 1 and behaves at 0 and at n, unlike the simple "Wald" interval.
- The difference of two independent proportions: Newcombe's hybrid score interval (Newcombe 1998b,
  "Interval estimation for the difference between independent proportions", Statistics in Medicine
  17:873-890, method 10), built from the two Wilson intervals. Worked example from that paper:
  56/70 against 48/80, a difference of 0.1750 with 95% CI 0.0524 to 0.2843.
- Too few to say: when either group has fewer than ``MINIMUM_GROUP`` (20) people, or small-number
  suppression (``coexist.outcomes.rules.suppression.suppress_rate``) hides any figure of either
  group. A hidden figure is never shown, nor anything it could be worked out from (the difference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coexist.organisations.models import Role
from coexist.outcomes.rules.subgroups import DATA_CUT_LABELS, Cut, PersonFacts, category, cut_definition
from coexist.outcomes.rules.suppression import (
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    PublishedRate,
    Suppressed,
    suppress_rate,
    text,
)

Z_95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95% interval."""

MINIMUM_GROUP = 20
"""Fewer people than this in either group and the page says "too few to say"."""


@dataclass(frozen=True)
class Interval:
    """A confidence interval for a proportion or a difference, as fractions (0.52, not 52%)."""

    lower: float
    upper: float

    def contains(self, value: float) -> bool:
        return self.lower <= value <= self.upper


@dataclass(frozen=True)
class Difference:
    """First proportion minus second, with its confidence interval."""

    estimate: float
    interval: Interval


def _check(successes: int, n: int) -> None:
    for value in (successes, n):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"A count must be a whole number of 0 or more, not {value!r}.")
    if n == 0:
        raise ValueError("A proportion needs at least one person in its denominator.")
    if successes > n:
        raise ValueError("A numerator cannot be larger than its denominator.")


def wilson(successes: int, n: int, *, z: float = Z_95) -> Interval:
    """The Wilson score interval for ``successes`` out of ``n``."""
    _check(successes, n)
    p = successes / n
    z2 = z * z
    centre = 2 * n * p + z2
    spread = z * math.sqrt(z2 + 4 * n * p * (1 - p))
    denominator = 2 * (n + z2)
    lower = 0.0 if successes == 0 else (centre - spread) / denominator
    upper = 1.0 if successes == n else (centre + spread) / denominator
    return Interval(lower, upper)


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, *, z: float = Z_95) -> Difference:
    """x1/n1 minus x2/n2 with Newcombe's hybrid score interval (1998, method 10)."""
    _check(x1, n1)
    _check(x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    w1, w2 = wilson(x1, n1, z=z), wilson(x2, n2, z=z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2)
    upper = d + math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2)
    return Difference(d, Interval(lower, upper))


class Expects(StrEnum):
    """Which way the theory says the outcome goes in its context, against everyone else."""

    HIGHER = "higher"
    LOWER = "lower"


class VerdictKind(StrEnum):
    CONSISTENT = "consistent"
    """The difference is clear and goes the way the theory expects."""
    OPPOSITE = "opposite"
    """The difference is clear and goes the other way."""
    NO_CLEAR_DIFFERENCE = "no_clear_difference"
    """The interval for the difference includes zero."""
    TOO_FEW = "too_few"
    """Too few people, or a figure hidden by suppression."""


NOT_CAUSAL = "they do not show that the mechanism caused it."


@dataclass(frozen=True)
class GroupFigure:
    """One group's outcome as published: suppressed where small; the interval only when the rate is shown."""

    published: PublishedRate
    interval: Interval | None

    @property
    def shown(self) -> bool:
        return self.published.rate is not SUPPRESSED and self.published.numerator is not SUPPRESSED


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    text: str
    context: GroupFigure
    comparison: GroupFigure
    difference: Difference | None
    """None whenever either group is too few or hidden: it could give a hidden figure away."""


def percent(fraction: float) -> str:
    """A fraction as a whole percentage, e.g. 0.6406 → "64%"."""
    return f"{round(fraction * 100)}%"


def points(fraction: float) -> str:
    """A difference of fractions as whole percentage points, with a true minus sign when negative."""
    value = round(fraction * 100)
    return f"\u2212{-value}" if value < 0 else str(value)


def group_figure(successes: int, n: int, *, threshold: int = DEFAULT_THRESHOLD) -> GroupFigure:
    published = suppress_rate(successes, n, threshold=threshold)
    shown = published.rate is not SUPPRESSED and published.numerator is not SUPPRESSED and n > 0
    return GroupFigure(published, wilson(successes, n) if shown else None)


def describe_group(figure: GroupFigure) -> str:
    """ "64% (95% CI 52% to 75%, 41 of 64)"; only called for a shown figure."""
    published, interval = figure.published, figure.interval
    assert interval is not None
    assert not isinstance(published.rate, Suppressed)
    return (
        f"{percent(published.rate)} (95% CI {percent(interval.lower)} to {percent(interval.upper)}, "
        f"{published.numerator} of {published.denominator})"
    )


def _too_few_text(context_n: int, comparison_n: int, context: GroupFigure, comparison: GroupFigure) -> str:
    reasons = []
    for label, n, figure in (
        ("in this context", context_n, context),
        ("in the comparison group", comparison_n, comparison),
    ):
        if n < MINIMUM_GROUP:
            reasons.append(f"fewer than {MINIMUM_GROUP} people {label}")
        elif not figure.shown:
            reasons.append(f"a figure {label} is hidden to protect the people it counts")
    return (
        "Too few to say: "
        + " and ".join(reasons)
        + ". With so few, any difference could be chance, so no figures are compared."
    )


def verdict(
    context: tuple[int, int],
    comparison: tuple[int, int],
    *,
    expects: Expects = Expects.HIGHER,
    threshold: int = DEFAULT_THRESHOLD,
) -> Verdict:
    """The plain-English verdict on (numerator, denominator) in the context against the comparison group.

    Never a causal claim: at most, the data are consistent with the theory.
    """
    (x1, n1), (x2, n2) = context, comparison
    for x, n in (context, comparison):
        if isinstance(x, bool) or isinstance(n, bool) or x < 0 or n < 0 or x > n:
            raise ValueError("Each group needs a numerator from 0 to its denominator.")
    in_context, others = group_figure(x1, n1, threshold=threshold), group_figure(x2, n2, threshold=threshold)
    if n1 < MINIMUM_GROUP or n2 < MINIMUM_GROUP or not in_context.shown or not others.shown:
        return Verdict(VerdictKind.TOO_FEW, _too_few_text(n1, n2, in_context, others), in_context, others, None)
    difference = newcombe_difference(x1, n1, x2, n2)
    ci = difference.interval
    figures = (
        f"In this context {describe_group(in_context)} against {describe_group(others)} for everyone else: "
        f"a difference of {points(difference.estimate)} points "
        f"(95% CI {points(ci.lower)} to {points(ci.upper)})."
    )
    if ci.lower <= 0 <= ci.upper:
        return Verdict(
            VerdictKind.NO_CLEAR_DIFFERENCE,
            f"{figures} No clear difference: the interval includes zero (no difference), so the data neither "
            "bear the theory out nor rule it out.",
            in_context,
            others,
            difference,
        )
    went_higher = ci.lower > 0
    if went_higher == (expects == Expects.HIGHER):
        return Verdict(
            VerdictKind.CONSISTENT,
            f"{figures} The data are consistent with the theory; {NOT_CAUSAL}",
            in_context,
            others,
            difference,
        )
    return Verdict(
        VerdictKind.OPPOSITE,
        f"{figures} The outcome is {'higher' if went_higher else 'lower'} in this context, the opposite of what "
        f"the theory expects: the data do not bear it out as written. The data describe a difference; {NOT_CAUSAL}",
        in_context,
        others,
        difference,
    )


# --- Who may see and record programme theories --------------------------------------------------------

EVALUATOR_ROLES: frozenset[str] = frozenset(
    {Role.TEAM_LEADER, Role.DUAL_DIAGNOSIS_LEAD, Role.SERVICE_MANAGER, Role.RESEARCHER}
)
"""May record theories and evidence, and read every theory, draft or published, of every service."""


@dataclass(frozen=True)
class Standing:
    """What a viewer's current team memberships say about them, copied from the record."""

    roles: frozenset[str]
    clinical_services: frozenset[int]
    """Services (pk) where the viewer holds a current clinical role."""

    @property
    def evaluator(self) -> bool:
        return bool(self.roles & EVALUATOR_ROLES)


def refusal_to_record(standing: Standing) -> str | None:
    """Why this viewer may not record or change a theory or its evidence (None when they may)."""
    if standing.evaluator:
        return None
    return (
        "Only team leaders, dual diagnosis leads, service managers and researchers record programme theories "
        "and their evidence."
    )


def refusal_to_read(standing: Standing, *, published: bool, service_id: int | None) -> str | None:
    """Why this viewer may not read a theory and its result (None when they may).

    Evaluators read every theory. Clinical staff read published theories that cover every service, or the
    service they work in. Administrators (with no clinical role) read none: the result is an aggregate of
    clinical records, which their role does not use.
    """
    if standing.evaluator:
        return None
    if not standing.clinical_services:
        return "Programme theories are for evaluators and clinical staff with a current team membership."
    if not published:
        return "This programme theory is a draft: only evaluators read drafts."
    if service_id is not None and service_id not in standing.clinical_services:
        return "This programme theory is about a service you do not work in."
    return None


# --- The context: a subgroup filter -------------------------------------------------------------------

CONTEXT_CUTS: tuple[Cut, ...] = tuple(cut for cut in Cut if cut not in DATA_CUT_LABELS)
"""Cuts a context may use. Service is the theory's own field; team is not offered (its categories come from data)."""

MAX_CONTEXT_PAIRS = 3

ContextPair = tuple[str, str]


def context_choices() -> list[tuple[str, str]]:
    """Every (cut, category) a context may name, as ("cut=key", "Cut label: category label")."""
    return [
        (f"{cut.value}={c.key}", f"{cut_definition(cut).label}: {c.label}")
        for cut in CONTEXT_CUTS
        for c in cut_definition(cut).categories
    ]


def context_refusal(pairs: object) -> str | None:
    """Why a context filter is not usable (None when it is): 1 to 3 known (cut, category) pairs, one per cut."""
    if not isinstance(pairs, (list, tuple)) or not pairs:
        return "Choose at least one subgroup for the context."
    if len(pairs) > MAX_CONTEXT_PAIRS:
        return f"Choose at most {MAX_CONTEXT_PAIRS} subgroups for the context."
    seen: set[str] = set()
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(isinstance(v, str) for v in pair):
            return "Each subgroup is a cut and a category."
        cut, key = pair
        if cut not in {c.value for c in CONTEXT_CUTS}:
            return f"{cut[:40]!r} is not a subgroup cut the evaluation knows."
        if key not in cut_definition(Cut(cut)).keys:
            return f"{key[:40]!r} is not a category of {cut_definition(Cut(cut)).label.lower()}."
        if cut in seen:
            return "Choose each kind of subgroup once: a person cannot be in two categories of one cut."
        seen.add(cut)
    return None


def context_label(pairs: list[ContextPair] | list[list[str]]) -> str:
    """The context filter in words, e.g. "Settled or unsettled housing: Unsettled (...)"; "and" between pairs."""
    parts = []
    for cut, key in pairs:
        try:
            definition = cut_definition(Cut(cut))
            parts.append(f"{definition.label}: {definition.label_of(key)}")
        except (ValueError, StopIteration):
            parts.append(f"{cut}: {key}")
    return " and ".join(parts)


def in_context(pairs: list[ContextPair] | list[list[str]], facts: PersonFacts, on: date) -> bool:
    """Whether a person (their facts on the day the measure is about) falls in every pair of the context."""
    return all(category(Cut(cut), facts, on) == key for cut, key in pairs)


def text_refusal(value: str, *, label: str, max_length: int, required: bool = True) -> str | None:
    """Blank, too long, or with characters the record cannot hold (NUL and other control characters)."""
    if required and not value.strip():
        return f"Enter {label}."
    if len(value) > max_length:
        return f"{label[0].upper()}{label[1:]} must be {max_length:,} characters or fewer."
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        return f"{label[0].upper()}{label[1:]} contains characters that cannot be stored; remove them."
    return None


def table_row(label: str, figure: GroupFigure) -> tuple[str, str, str, str, str]:
    """A group's row for the page and the API: label, numerator, denominator, percentage, 95% CI; the
    marker wherever suppression hides a figure (and no interval for a hidden rate)."""
    published = figure.published
    rate = "[c]" if isinstance(published.rate, Suppressed) else percent(published.rate)
    interval = (
        f"{percent(figure.interval.lower)} to {percent(figure.interval.upper)}"
        if figure.interval is not None
        else "[c]"
    )
    return (label, text(published.numerator), text(published.denominator), rate, interval)
