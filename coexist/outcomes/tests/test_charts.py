"""The Making Data Count run chart: inline SVG without script or style, its words and its table. No database.

The outcomes app is not installed yet, so the template is read from its file rather than through the loaders.
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template import Context, Template

from coexist.outcomes.charts import (
    COLOUR_COMMON,
    COLOUR_CONCERN,
    COLOUR_IMPROVEMENT,
    format_value,
    run_chart,
)
from coexist.outcomes.rules.spc import Polarity, Variation

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "outcomes" / "_run_chart.html"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Percentage seen within 7 days of discharge, by month of 2024.
# values 48 50 47 49 | 60 62 61 63 60 62 61 64: sum 194 + 493 = 687, mean 687 / 12 = 57.25
# moving ranges 2 3 2 11 2 1 2 3 2 1 3: sum 32, mean moving range 32 / 11 = 2.909…
# limits 57.25 ± 2.66 x 32 / 11 = 57.25 ± 7.738… → 49.51…, 64.99…
# May to December (8 points) are all above the mean: a shift. 48, 47 and 49 are below the lower limit.
VALUES = [48, 50, 47, 49, 60, 62, 61, 63, 60, 62, 61, 64]
SERIES = list(zip(MONTHS, VALUES, strict=True))


def render(chart):
    return Template(TEMPLATE.read_text()).render(Context({"chart": chart}))


def svg_of(html):
    match = re.search(r"<svg.*?</svg>", html, re.DOTALL)
    assert match, "no SVG in the output"
    return ET.fromstring(match.group(0))  # noqa: S314 - our own rendered template, not untrusted input


SVG = "{http://www.w3.org/2000/svg}"


def test_summary_says_the_finding_in_words():
    chart = run_chart(SERIES, title="Seen within 7 days of discharge", unit="%", polarity=Polarity.HIGHER_IS_BETTER)
    assert chart.spc.variation is Variation.IMPROVEMENT_HIGH
    assert chart.summary.startswith("12 months; latest 64%; special cause improvement: a run of 8 above the mean.")
    assert "process limits 49.5% to 65%" in chart.summary


def test_svg_is_one_accessible_image_with_title_and_description():
    chart = run_chart(SERIES, title="Seen within 7 days of discharge", unit="%", polarity=Polarity.HIGHER_IS_BETTER)
    svg = svg_of(render(chart))
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Seen within 7 days of discharge: run chart"
    assert desc.text == chart.summary


def test_no_script_and_no_inline_style_for_the_csp():
    html = render(run_chart(SERIES, title="Seen", unit="%", polarity=Polarity.HIGHER_IS_BETTER, target=55))
    assert "<script" not in html.lower()
    assert "style=" not in html.lower()
    assert "<style" not in html.lower()
    assert re.search(r"\son\w+=", html) is None  # no event handler attributes


def test_points_are_coloured_by_mdc_variation():
    chart = run_chart(SERIES, title="Seen", unit="%", polarity=Polarity.HIGHER_IS_BETTER)
    colours = [p.colour for p in chart.points]
    # Jan, Mar, Apr below the lower limit: concern when higher is better. Feb (50) is inside the limits but
    # beyond 2 sigma low with Jan and Mar: two of three, so concern too. May-Dec: the shift, improvement.
    assert colours[:4] == [COLOUR_CONCERN] * 4
    assert colours[4:] == [COLOUR_IMPROVEMENT] * 8
    circles = svg_of(render(chart)).findall(f"{SVG}circle")
    assert [c.get("fill") for c in circles] == colours


def test_lower_is_better_turns_the_same_shift_into_concern():
    chart = run_chart(SERIES, title="Seen", unit="%", polarity=Polarity.LOWER_IS_BETTER)
    assert [p.colour for p in chart.points[4:]] == [COLOUR_CONCERN] * 8
    assert "special cause concern: a run of 8 above the mean" in chart.summary


def test_common_cause_points_are_grey_and_smaller():
    values = [13, 11] * 6
    chart = run_chart(list(zip(MONTHS, values, strict=True)), title="Stable", unit="", polarity=Polarity.NEITHER)
    assert {p.colour for p in chart.points} == {COLOUR_COMMON}
    assert {p.radius for p in chart.points} == {3.5}
    assert "common cause variation only" in chart.summary


def test_table_alternative_has_caption_and_every_figure():
    chart = run_chart(SERIES, title="Seen within 7 days", unit="%", polarity=Polarity.HIGHER_IS_BETTER)
    html = render(chart)
    table = re.search(r"<table.*?</table>", html, re.DOTALL).group(0)
    assert "<caption" in table and "Seen within 7 days: figures by month" in table
    for header in ("Period", "Value", "Mean", "Lower process limit", "Upper process limit", "Flag"):
        assert f">{header}</th>" in table
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">.*?</tr>", table, re.DOTALL)
    assert len(rows) == 1 + 12
    assert "Dec" in rows[-1] and "64%" in rows[-1] and "49.5%" in rows[-1] and "65%" in rows[-1]
    assert "Special cause improvement: a run of 8 above the mean" in rows[-1]
    assert "Special cause concern: below the lower process limit" in rows[1]


def test_mean_limit_and_target_lines_are_drawn_inside_the_plot():
    chart = run_chart(SERIES, title="Seen", unit="%", polarity=Polarity.HIGHER_IS_BETTER, target=55)
    svg = svg_of(render(chart))
    classes = [line.get("class") for line in svg.findall(f"{SVG}line")]
    assert classes.count("coexist-run-chart__limit") == 2
    assert classes.count("coexist-run-chart__mean") == 1
    assert classes.count("coexist-run-chart__target") == 1
    for y in [chart.mean_y, chart.upper_y, chart.lower_y, chart.target_y, *(p.y for p in chart.points)]:
        assert chart.plot_top <= y <= chart.plot_bottom
    assert chart.upper_y < chart.mean_y < chart.lower_y  # SVG y grows downwards
    assert "Target 55%: the process will hit and miss the target at random." in chart.summary


def test_fewer_than_12_points_draws_the_mean_but_no_limits():
    chart = run_chart(SERIES[:8], title="Seen", unit="%", polarity=Polarity.HIGHER_IS_BETTER)
    assert chart.summary.startswith("8 months; latest 63%; not enough points for process limits (12 needed).")
    html = render(chart)
    svg = svg_of(html)
    classes = [line.get("class") for line in svg.findall(f"{SVG}line")]
    assert "coexist-run-chart__limit" not in classes
    assert "coexist-run-chart__mean" in classes
    assert "not calculated" in html
    assert "Not enough points for limits" in html


def test_no_data_shows_words_and_no_chart():
    chart = run_chart([], title="Seen", unit="%", polarity=Polarity.HIGHER_IS_BETTER)
    html = render(chart)
    assert "No data yet." in html
    assert "<svg" not in html and "<table" not in html


def test_titles_and_labels_are_escaped():
    series = [(f"<b>{m}</b>", v) for m, v in SERIES]
    html = render(run_chart(series, title="<script>alert(1)</script>", unit="%", polarity=Polarity.NEITHER))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    svg_of(html)  # still well-formed


def test_long_series_thins_the_axis_labels():
    series = [(f"W{i}", 10 + (i % 3)) for i in range(52)]
    chart = run_chart(series, title="Weekly", unit="", polarity=Polarity.NEITHER, period="week")
    assert len(chart.x_ticks) <= 13
    assert chart.x_ticks[-1].text == "W51"
    assert chart.summary.startswith("52 weeks;")
    # 24 months: every other month, ending on the latest, evenly spaced (no two labels side by side).
    months = run_chart(
        [(f"M{i}", 50.0 + i % 4) for i in range(24)], title="Monthly", unit="%", polarity=Polarity.NEITHER
    )
    assert [t.text for t in months.x_ticks] == [f"M{i}" for i in range(1, 24, 2)]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (64, "%", "64%"),
        (12.25, "days", "12.2 days"),
        (12.26, "days", "12.3 days"),
        (-0.01, "", "0"),
        (None, "%", "not calculated"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text
