"""Turning a measure's figures into what a dashboard may show (issue 6 points 2 and 3). Pure; no ORM.

A dashboard shows three things per measure: the figure for the latest month, a run chart of the months,
and a table by subgroup. Each is passed through `rules.suppression` first:

- a figure: a proportion through `suppress_rate` (numerator, complement and denominator); a count through
  `suppress_counts`; a median or mean is shown only when it rests on at least `threshold` observations;
- a run chart: a month whose figure is hidden is left out of the chart and its table (the chart says how
  many were left out), because a percentage of a tiny denominator gives away the people behind it;
- a table by subgroup: rows are the cut's categories; a proportion has the columns "in the numerator" and
  "not in the numerator" and goes through `suppress_table` (secondary suppression included), a count goes
  through `suppress_counts`, a median or mean shows how many it rests on (through `suppress_counts`) and the
  value only where that number is shown and at least the threshold.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from coexist.outcomes.charts import format_value
from coexist.outcomes.rules.measures import Figure, Kind, Measure
from coexist.outcomes.rules.subgroups import CutDefinition
from coexist.outcomes.rules.suppression import (
    SUPPRESSED,
    Cell,
    CountTable,
    suppress_counts,
    suppress_rate,
    suppress_table,
    text,
)

MIN_MONTHS = 1
MAX_MONTHS = 60
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Month:
    """A calendar month: its label (e.g. "2026-10"), first and last day."""

    label: str
    start: date
    end: date


def last_complete_month_end(today: date) -> date:
    """The last day of the month before `today`'s: dashboards show complete months only."""
    first = today.replace(day=1)
    return date.fromordinal(first.toordinal() - 1)


def months_to(end: date, count: int) -> list[Month]:
    """`count` calendar months in time order, the last being `end`'s month."""
    found: list[Month] = []
    year, month = end.year, end.month
    for _ in range(count):
        last = calendar.monthrange(year, month)[1]
        found.append(Month(f"{year:04d}-{month:02d}", date(year, month, 1), date(year, month, last)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def months_refusal(raw: str | None) -> tuple[int, str]:
    """The number of months from ?months=, or the default; with a message when it is not usable."""
    if raw is None or raw.strip() == "":
        return DEFAULT_MONTHS, ""
    value = raw.strip()
    if len(value) > 3 or not value.isdigit():
        return DEFAULT_MONTHS, f"Enter the number of months as a whole number from {MIN_MONTHS} to {MAX_MONTHS}."
    months = int(value)
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        return DEFAULT_MONTHS, f"Enter the number of months as a whole number from {MIN_MONTHS} to {MAX_MONTHS}."
    return months, ""


@dataclass(frozen=True)
class PublishedFigure:
    """A figure ready to show: each part a number or the marker."""

    value: float | None
    """The figure when shown; None when hidden or when there is nothing to compute it from."""
    suppressed: bool
    value_text: str
    numerator: Cell
    denominator: Cell

    @property
    def numerator_text(self) -> str:
        return text(self.numerator)

    @property
    def denominator_text(self) -> str:
        return text(self.denominator)


def publish_figure(measure: Measure, fig: Figure, *, threshold: int) -> PublishedFigure:
    """A measure's figure with small numbers hidden (see the module docstring)."""
    if measure.kind == Kind.PROPORTION:
        rate = suppress_rate(fig.numerator, fig.denominator, threshold=threshold)
        hidden = rate.rate is SUPPRESSED or fig.value is None
        return PublishedFigure(
            value=None if hidden else fig.value,
            suppressed=rate.rate is SUPPRESSED and fig.denominator > 0,
            value_text=_value_text(measure, fig.value, rate.rate is SUPPRESSED and fig.denominator > 0),
            # Nobody to count discloses nobody: "0 of 0", not a hidden numerator.
            numerator=0 if fig.denominator == 0 else rate.numerator,
            denominator=rate.denominator,
        )
    if measure.kind == Kind.COUNT:
        counts = suppress_counts(["all"], [fig.denominator], threshold=threshold)
        hidden = counts.total is SUPPRESSED
        return PublishedFigure(
            value=None if hidden else fig.value,
            suppressed=hidden,
            value_text=_value_text(measure, fig.value, hidden),
            numerator=counts.total,
            denominator=counts.total,
        )
    counts = suppress_counts(["all"], [fig.denominator], threshold=threshold)
    hidden = 0 < fig.denominator < threshold
    return PublishedFigure(
        value=None if hidden else fig.value,
        suppressed=hidden,
        value_text=_value_text(measure, fig.value, hidden),
        numerator=SUPPRESSED if hidden else fig.numerator,
        denominator=counts.total,
    )


def _value_text(measure: Measure, value: float | None, hidden: bool) -> str:
    if hidden:
        return text(SUPPRESSED)
    if value is None:
        return "None to count"
    return format_value(value, measure.unit)


@dataclass(frozen=True)
class SeriesPoint:
    month: Month
    figure: Figure
    published: PublishedFigure


def chart_points(series: Sequence[SeriesPoint]) -> tuple[list[tuple[str, float]], int]:
    """The (label, value) points a run chart may show, and how many months were left out as hidden."""
    shown = [(p.month.label, p.published.value) for p in series if p.published.value is not None]
    hidden = sum(1 for p in series if p.published.suppressed)
    return [(label, value) for label, value in shown if value is not None], hidden


@dataclass(frozen=True)
class CutRow:
    key: str
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CutTable:
    """A measure by the categories of a cut, every cell as text (a number or the marker)."""

    caption: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[CutRow, ...]
    total: CutRow
    has_suppression: bool


def cut_table(
    measure: Measure,
    figures: Mapping[str, Figure],
    definition: CutDefinition,
    *,
    threshold: int,
    overall: Figure | None = None,
) -> CutTable:
    """The table by subgroup for `figures_by`'s answer, with small numbers hidden (module docstring).

    `overall` is the figure over every observation, for the total row of a median or mean (which cannot be
    rebuilt from the groups' figures); without it that total's value is "not calculated"."""
    keys = list(figures)
    labels = [_label(definition, key) for key in keys]
    caption = f"{measure.title} by {definition.label.lower()}"
    if measure.kind == Kind.PROPORTION:
        table = suppress_table(
            CountTable(
                row_labels=tuple(labels),
                column_labels=("In the numerator", "Not in the numerator"),
                counts=tuple((figures[k].numerator, figures[k].denominator - figures[k].numerator) for k in keys),
            ),
            threshold=threshold,
        )

        def rate(numerator: Cell, total: Cell) -> str:
            if numerator is SUPPRESSED or total is SUPPRESSED:
                return text(SUPPRESSED)
            if total == 0:
                return "None to count"
            return format_value(100.0 * numerator / total, "%")

        rows = tuple(
            CutRow(key, label, (text(cells[0]), text(cells[1]), text(total), rate(cells[0], total)))
            for key, label, cells, total in zip(keys, labels, table.cells, table.row_totals, strict=True)
        )
        total_row = CutRow(
            "total",
            "Total",
            (
                text(table.column_totals[0]),
                text(table.column_totals[1]),
                text(table.grand_total),
                rate(table.column_totals[0], table.grand_total),
            ),
        )
        return CutTable(
            caption,
            definition.label,
            ("In the numerator", "Not in the numerator", "Total (denominator)", measure.title),
            rows,
            total_row,
            table.has_suppression,
        )
    counts = suppress_counts(labels, [figures[k].denominator for k in keys], threshold=threshold)
    suppressed = SUPPRESSED in (*counts.cells, counts.total)
    if measure.kind == Kind.COUNT:
        rows = tuple(CutRow(k, lab, (text(c),)) for k, lab, c in zip(keys, labels, counts.cells, strict=True))
        return CutTable(
            caption, definition.label, ("Count",), rows, CutRow("total", "Total", (text(counts.total),)), suppressed
        )

    def value(count: Cell, fig: Figure) -> str:
        if count is SUPPRESSED or count < threshold:
            return text(SUPPRESSED) if count is SUPPRESSED or count > 0 else "None to count"
        return _value_text(measure, fig.value, False)

    if overall is None:
        overall = Figure(sum(f.numerator for f in figures.values()), sum(f.denominator for f in figures.values()), None)
    rows = tuple(
        CutRow(k, lab, (text(c), value(c, figures[k]))) for k, lab, c in zip(keys, labels, counts.cells, strict=True)
    )
    hidden_values = any(r.cells[1] == text(SUPPRESSED) for r in rows)
    total_row = CutRow("total", "Total", (text(counts.total), value(counts.total, overall)))
    return CutTable(
        caption,
        definition.label,
        ("Counted", measure.title),
        rows,
        total_row,
        suppressed or hidden_values,
    )


def _label(definition: CutDefinition, key: str) -> str:
    try:
        return definition.label_of(key)
    except StopIteration:
        return key
