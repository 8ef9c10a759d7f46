"""Run charts in the Making Data Count style, drawn as inline SVG with a table alternative (issue 6 point 3).

``run_chart`` turns a measure's time series into a ``ChartContext``; the template
``outcomes/_run_chart.html`` draws it:

    {% include "outcomes/_run_chart.html" with chart=chart %}

No JavaScript and no ``style`` attributes (the content security policy allows neither inline): colours,
dashes and sizes are SVG presentation attributes. The SVG is one image to a screen reader (``role="img"``,
with a title and a description that says the finding in words); the table under it carries every number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.text import slugify

from coexist.outcomes.rules.spc import (
    MIN_POINTS_FOR_LIMITS,
    Assurance,
    Polarity,
    SpcPoint,
    SpcResult,
    Variation,
    xmr,
)

# Making Data Count colours: blue improvement, orange concern, purple neither, grey common cause. Shades
# darkened from the MDC Excel tool's (#00b0f0, #e46c0a, #a6a6a6) so that each has at least 3:1 contrast
# on white, as WCAG 1.4.11 asks of the parts of a graphic needed to understand it.
COLOUR_IMPROVEMENT = "#0072c6"
COLOUR_CONCERN = "#c55a11"
COLOUR_NEITHER = "#490092"
COLOUR_COMMON = "#6f777b"
COLOUR_LINE = "#768692"
COLOUR_MEAN = "#212b32"
COLOUR_LIMIT = "#4c6272"
COLOUR_TARGET = "#d5281b"

WIDTH = 640
HEIGHT = 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 16, 56
_MAX_X_LABELS = 12


@dataclass(frozen=True)
class ChartPoint:
    """One dot on the chart and its row in the table."""

    x: float
    y: float
    label: str
    value_text: str
    colour: str
    radius: float
    flag: str


@dataclass(frozen=True)
class AxisTick:
    position: float
    text: str


@dataclass(frozen=True)
class ChartContext:
    """Everything the run chart template needs; coordinates are in the SVG's own units."""

    chart_id: str
    title: str
    unit: str
    period: str
    spc: SpcResult
    summary: str  # the finding in words: the SVG's <desc> and the paragraph above it
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    y_label_x: float  # where the y axis labels end, just left of the plot
    x_label_y: float  # the baseline of the x axis labels, just below the plot
    line: str  # the polyline's points="x,y x,y …"
    points: tuple[ChartPoint, ...]
    mean_y: float | None
    upper_y: float | None
    lower_y: float | None
    target_y: float | None
    mean_text: str
    upper_text: str
    lower_text: str
    target_text: str
    y_ticks: tuple[AxisTick, ...]
    x_ticks: tuple[AxisTick, ...]
    colour_improvement: str = COLOUR_IMPROVEMENT
    colour_concern: str = COLOUR_CONCERN
    colour_neither: str = COLOUR_NEITHER
    colour_common: str = COLOUR_COMMON
    colour_line: str = COLOUR_LINE
    colour_mean: str = COLOUR_MEAN
    colour_limit: str = COLOUR_LIMIT
    colour_target: str = COLOUR_TARGET

    @property
    def has_data(self) -> bool:
        return bool(self.points)


def format_value(value: float | None, unit: str) -> str:
    """64 → "64%", 12.25 → "12.3 days"; one decimal place at most."""
    if value is None:
        return "not calculated"
    rounded = round(value, 1)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    text = f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _colour(variation: Variation) -> str:
    if variation.is_improvement:
        return COLOUR_IMPROVEMENT
    if variation.is_concern:
        return COLOUR_CONCERN
    if variation.is_special_cause:
        return COLOUR_NEITHER
    return COLOUR_COMMON


def _flag(point: SpcPoint) -> str:
    if not point.special_cause:
        return "Common cause" if point.variation is Variation.COMMON_CAUSE else "Not enough points for limits"
    kind = point.variation.label.split(" (")[0]
    return f"{kind[0].upper()}{kind[1:]}: {'; '.join(point.reasons)}"


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 x a power of ten) giving about four intervals across ``span``."""
    raw = span / 4
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power  # pragma: no cover - the loop always returns


def summarise(spc: SpcResult, *, unit: str, period: str) -> str:
    """The finding in one sentence, e.g. "12 months; latest 64%; special cause improvement: a run of 8 above
    the mean. Mean 58%, process limits 49% to 67%.\""""
    count = len(spc.points)
    if not count:
        return "No data yet."
    periods = period if count == 1 else f"{period}s"
    latest = spc.points[-1]
    parts = [f"{count} {periods}", f"latest {format_value(latest.value, unit)}"]
    if not spc.has_limits:
        parts.append(f"not enough points for process limits ({MIN_POINTS_FOR_LIMITS} needed)")
        text = "; ".join(parts) + "."
        if spc.mean is not None:
            text += f" Mean {format_value(spc.mean, unit)}."
        return text
    if latest.special_cause:
        kind = spc.variation.label.split(" (")[0]
        parts.append(f"{kind}: {' and '.join(latest.reasons)}")
    else:
        parts.append("common cause variation only")
    text = "; ".join(parts) + "."
    text += (
        f" Mean {format_value(spc.mean, unit)}, process limits {format_value(spc.lower_limit, unit)}"
        f" to {format_value(spc.upper_limit, unit)}."
    )
    if spc.target is not None and spc.assurance is not Assurance.NONE:
        text += f" Target {format_value(spc.target, unit)}: {spc.assurance.label}."
    return text


def run_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str,
    polarity: Polarity,
    target: float | None = None,
    baseline: int | None = None,
    period: str = "month",
    chart_id: str | None = None,
) -> ChartContext:
    """An XmR run chart of ``points`` (label, value) in time order, ready for ``outcomes/_run_chart.html``."""
    labels = [label for label, _ in points]
    values = [float(value) for _, value in points]
    spc = xmr(values, polarity=polarity, target=target, baseline=baseline)

    plot_left, plot_right = float(_LEFT), float(WIDTH - _RIGHT)
    plot_top, plot_bottom = float(_TOP), float(HEIGHT - _BOTTOM)

    lines = [v for v in (spc.mean, spc.upper_limit, spc.lower_limit, target) if v is not None]
    everything = values + lines
    low, high = (min(everything), max(everything)) if everything else (0.0, 1.0)
    if math.isclose(low, high):
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step

    def y_of(value: float) -> float:
        return round(plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top), 2)

    def x_of(index: int) -> float:
        if len(values) == 1:
            return (plot_left + plot_right) / 2
        return round(plot_left + index * (plot_right - plot_left) / (len(values) - 1), 2)

    chart_points = tuple(
        ChartPoint(
            x=x_of(p.index),
            y=y_of(p.value),
            label=labels[p.index],
            value_text=format_value(p.value, unit),
            colour=_colour(p.variation),
            radius=5.0 if p.special_cause else 3.5,
            flag=_flag(p),
        )
        for p in spc.points
    )
    # Every nth label, counted back from the latest so that it is always labelled and no two labels crowd.
    every = max(1, math.ceil(len(values) / _MAX_X_LABELS))
    x_ticks = tuple(AxisTick(x_of(i), label) for i, label in enumerate(labels) if (len(labels) - 1 - i) % every == 0)
    ticks = []
    tick = low
    while tick <= high + step / 2:
        ticks.append(AxisTick(y_of(tick), format_value(tick, unit)))
        tick += step

    def maybe_y(value: float | None) -> float | None:
        return None if value is None else y_of(value)

    return ChartContext(
        chart_id=chart_id or f"run-chart-{slugify(title)}",
        title=title,
        unit=unit,
        period=period,
        spc=spc,
        summary=summarise(spc, unit=unit, period=period),
        width=WIDTH,
        height=HEIGHT,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        y_label_x=plot_left - 6,
        x_label_y=plot_bottom + 18,
        line=" ".join(f"{p.x},{p.y}" for p in chart_points),
        points=chart_points,
        mean_y=maybe_y(spc.mean),
        upper_y=maybe_y(spc.upper_limit),
        lower_y=maybe_y(spc.lower_limit),
        target_y=maybe_y(target),
        mean_text=format_value(spc.mean, unit),
        upper_text=format_value(spc.upper_limit, unit),
        lower_text=format_value(spc.lower_limit, unit),
        target_text=format_value(target, unit) if target is not None else "",
        y_ticks=tuple(ticks),
        x_ticks=x_ticks,
    )
