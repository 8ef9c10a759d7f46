"""The outcome dashboards (issue 6 point 3): who may see them, what they show, and that small numbers stay hidden.

The figures are checked on hand-built observations passed to the selectors (their `measures` and `read`
parameters), with the right answers worked out by hand in the comments. The pages themselves are opened with
the real measures and the cast.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.organisations.models import Service
from coexist.outcomes.rules.measures import Figure, Kind, Measure, Observation, in_period
from coexist.outcomes.rules.publish import last_complete_month_end, months_refusal, months_to, publish_figure
from coexist.outcomes.rules.spc import Polarity
from coexist.outcomes.rules.subgroups import Cut, PersonFacts
from coexist.outcomes.selectors import commissioner_view, service_dashboard
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast

TODAY = date(2026, 11, 15)  # the window of 3 months is August to October 2026

SEEN = Measure(
    key="seen",
    title="Seen within 28 days",
    kind=Kind.PROPORTION,
    numerator="Referrals seen within 28 days.",
    denominator="Referrals accepted.",
    period="The day the referral was accepted.",
    polarity=Polarity.HIGHER_IS_BETTER,
    unit="%",
    source="Hand-built for the tests",
)
DAYS = Measure(
    key="days",
    title="Days to assessment",
    kind=Kind.MEDIAN,
    numerator="Days from referral to assessment.",
    denominator="Referrals assessed.",
    period="The day of the assessment.",
    polarity=Polarity.LOWER_IS_BETTER,
    unit="days",
)
MEASURES = {"seen": SEEN, "days": DAYS}


def _obs(day: date, seen: bool, sex: str, count: int, service: str = "") -> list[Observation]:
    return [
        Observation(at=day, in_numerator=seen, value=10.0, facts=PersonFacts(sex=sex, service=service))
        for _ in range(count)
    ]


def _population(service: str = "") -> list[Observation]:
    """October: 12 referrals, 6 seen (4 women, 2 men), 6 not (3 women, 3 men) -> 50%, shown.
    September: 3 referrals, 1 seen (a woman), 2 not (men) -> everything hidden (denominator under 5).
    August: 10 referrals, 7 seen (women), 3 not (men) -> the rate hidden (3 not seen), the denominator 10 shown."""
    oct_, sep, aug = date(2026, 10, 20), date(2026, 9, 10), date(2026, 8, 5)
    return [
        *_obs(oct_, True, "female", 4, service), *_obs(oct_, True, "male", 2, service),
        *_obs(oct_, False, "female", 3, service), *_obs(oct_, False, "male", 3, service),
        *_obs(sep, True, "female", 1, service), *_obs(sep, False, "male", 2, service),
        *_obs(aug, True, "female", 7, service), *_obs(aug, False, "male", 3, service),
    ]  # fmt: skip


def _read(population: Sequence[Observation]) -> Callable[..., tuple[list[list[Observation]], list[Observation]]]:
    """Like `observations.monthly`, over hand-built observations: each month's, and all the months'."""

    def read(
        measure_key: str,
        *,
        months: Sequence[tuple[date, date]],
        services: Sequence[Service] | None = None,
        cut: Cut | None = None,
        whole: bool = True,
    ) -> tuple[list[list[Observation]], list[Observation]]:
        keys = None if services is None else {str(s.public_id) for s in services}
        mine = [o for o in population if keys is None or not o.facts.service or o.facts.service in keys]
        everything = in_period(mine, months[0][0], months[-1][1]) if whole else []
        return [in_period(mine, first, last) for first, last in months], everything

    return read


def _dashboard(cast: Cast, *, cut: Cut | None = None, viewer: User | None = None):  # type: ignore[no-untyped-def]
    return service_dashboard(
        viewer=viewer or cast.coordinator, service=cast.cmht, months=3, cut=cut, today=TODAY, measures=MEASURES,
        read=_read(_population()),
    )  # fmt: skip


def test_months_are_the_complete_months_before_today() -> None:
    assert last_complete_month_end(TODAY) == date(2026, 10, 31)
    assert [m.label for m in months_to(date(2026, 1, 31), 3)] == ["2025-11", "2025-12", "2026-01"]
    assert months_refusal(None) == (12, "")
    assert months_refusal("24") == (24, "")
    for bad in ("0", "61", "-1", "twelve", "1" * 10_000, "3\x00"):
        months, message = months_refusal(bad)
        assert months == 12 and "whole number from 1 to 60" in message


def test_r14_a_proportion_with_nobody_to_count_says_so_and_hides_nothing() -> None:
    published = publish_figure(SEEN, Figure(0, 0, None), threshold=5)
    assert (published.value_text, published.numerator_text, published.denominator_text) == ("None to count", "0", "0")
    assert not published.suppressed
    # One person: everything about them hidden.
    one = publish_figure(SEEN, Figure(1, 1, 100.0), threshold=5)
    assert (one.value_text, one.numerator_text, one.denominator_text) == ("[c]", "[c]", "[c]")


@pytest.mark.django_db
def test_r14_latest_month_and_hidden_months_on_the_service_dashboard(cast: Cast) -> None:
    dashboard = _dashboard(cast)
    seen = dashboard.sections[0]
    assert [p.month.label for p in seen.series] == ["2026-08", "2026-09", "2026-10"]
    latest = seen.latest
    assert latest is not None and latest.month.label == "2026-10"
    assert (latest.published.value_text, latest.published.numerator_text, latest.published.denominator_text) == (
        "50%",
        "6",
        "12",
    )
    august, september = seen.series[0].published, seen.series[1].published
    assert (august.value_text, august.numerator_text, august.denominator_text) == ("[c]", "[c]", "10")
    assert (september.value_text, september.numerator_text, september.denominator_text) == ("[c]", "[c]", "[c]")
    # The chart shows October only; August and September are left out, and the page says so.
    assert [p.label for p in seen.chart.points] == ["2026-10"]
    assert seen.months_hidden == 2
    assert dashboard.marker_meaning.startswith("[c] confidential")


@pytest.mark.django_db
def test_r14_cut_by_sex_hides_small_cells_and_what_would_give_them_away(cast: Cast) -> None:
    """Over the 3 months: women 12 seen, 3 not (15); men 2 seen, 8 not (10); 14 seen, 11 not, 25 in all.
    The 3 and the 2 are hidden; each row then has one hidden cell, so the 12 and the 8 are hidden too, and the
    four hidden cells make a cycle: no cell can be worked out from the totals shown."""
    table = _dashboard(cast, cut=Cut.SEX).sections[0].table
    assert table is not None
    rows = {row.key: row.cells for row in table.rows}
    assert rows["female"] == ("[c]", "[c]", "15", "[c]")
    assert rows["male"] == ("[c]", "[c]", "10", "[c]")
    assert rows["not_known"] == ("0", "0", "0", "None to count")
    assert table.total.cells == ("14", "11", "25", "56%")
    assert table.has_suppression
    every_cell = [cell for row in (*table.rows, table.total) for cell in row.cells]
    assert "2" not in every_cell and "3" not in every_cell


@pytest.mark.django_db
def test_r14_median_by_sex_shows_a_value_only_for_groups_of_five_or_more(cast: Cast) -> None:
    """Days to assessment: every observation is 10 days; 15 women, 10 men: both shown; the not-known rows 0."""
    table = _dashboard(cast, cut=Cut.SEX).sections[1].table
    assert table is not None
    rows = {row.key: row.cells for row in table.rows}
    assert rows["female"] == ("15", "10 days")
    assert rows["male"] == ("10", "10 days")
    assert rows["not_known"] == ("0", "None to count")
    assert table.total.cells == ("25", "10 days")


@pytest.mark.django_db
def test_service_dashboard_refuses_staff_of_other_services_with_a_reason(cast: Cast) -> None:
    with pytest.raises(AccessRefused) as refused:
        _dashboard(cast, viewer=cast.da_worker)
    assert "Only staff of Community mental health service" in refused.value.decision.basis
    # A leader role anywhere, or any current membership of the service (researchers included), may see it.
    assert _dashboard(cast, viewer=cast.team_leader).sections
    assert _dashboard(cast, viewer=cast.researcher).sections
    with pytest.raises(AccessRefused):
        _dashboard(cast, viewer=cast.former_coordinator)


@pytest.mark.django_db
def test_r14_commissioner_view_puts_services_side_by_side_suppressed(cast: Cast) -> None:
    """October: the community mental health service 6 of 12 seen (50%); Pathways 1 of 3 (hidden)."""
    cmht, pathways = str(cast.cmht.public_id), str(cast.pathways_service.public_id)
    population = [
        *_obs(date(2026, 10, 1), True, "female", 6, cmht), *_obs(date(2026, 10, 1), False, "male", 6, cmht),
        *_obs(date(2026, 10, 2), True, "female", 1, pathways), *_obs(date(2026, 10, 2), False, "male", 2, pathways),
        *_obs(date(2026, 9, 2), True, "female", 50, pathways),  # September: not the latest month
    ]  # fmt: skip
    view = commissioner_view(
        viewer=cast.team_leader, today=TODAY, services=[cast.cmht, cast.pathways_service], measures={"seen": SEEN},
        read=_read(population),
    )  # fmt: skip
    assert view.month_label == "2026-10"
    (row,) = view.rows
    assert [f.value_text for f in row.figures] == ["50%", "[c]"]
    assert [f.denominator_text for f in row.figures] == ["12", "[c]"]
    with pytest.raises(AccessRefused):
        commissioner_view(viewer=cast.coordinator, today=TODAY, measures={"seen": SEEN}, read=_read([]))
    with pytest.raises(AccessRefused):
        commissioner_view(viewer=cast.admin, today=TODAY, measures={"seen": SEEN}, read=_read([]))


# --- The pages, with the real measures ----------------------------------------------------------------------


@pytest.mark.django_db
def test_service_page_shows_every_measure_with_its_definition_and_no_one_by_name(
    cast: Cast, client_for: Callable[[User], Client]
) -> None:
    from coexist.outcomes.definitions import MEASURES as REAL

    before = AccessLogEntry.objects.count()
    response = client_for(cast.coordinator).get(
        reverse("outcomes:service", args=[cast.cmht.public_id]), {"cut": "sex", "months": "12"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Outcomes: Community mental health service</h1>" in html
    for measure in REAL.values():
        assert measure.title in html or measure.title.replace("'", "&#x27;") in html
    assert "Numerator" in html and "Denominator" in html and "Period" in html
    assert 'scope="row"' in html and "<caption" in html
    assert cast.ann.full_name not in html
    # Aggregates touch no one's record: no per-person access log entry.
    assert AccessLogEntry.objects.count() == before


@pytest.mark.django_db
def test_service_page_refuses_with_a_reason_and_answers_bad_input_with_a_message(
    cast: Cast, client_for: Callable[[User], Client]
) -> None:
    url = reverse("outcomes:service", args=[cast.cmht.public_id])
    refused = client_for(cast.da_worker).get(url)
    assert refused.status_code == 403
    assert "Only staff of Community mental health service" in refused.content.decode()
    client = client_for(cast.coordinator)
    bad = client.get(url, {"months": "1" * 10_000, "cut": "shoe size\x00"})
    assert bad.status_code == 400
    assert "whole number from 1 to 60" in bad.content.decode()
    assert "Choose a way to divide the figures" in bad.content.decode()
    unknown = client.get(reverse("outcomes:service", args=["00000000-0000-4000-8000-000000000000"]))
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_service_csv_has_a_definition_comment_a_header_and_every_table(
    cast: Cast, client_for: Callable[[User], Client]
) -> None:
    from coexist.outcomes.definitions import MEASURES as REAL

    response = client_for(cast.coordinator).get(
        reverse("outcomes:service_csv", args=[cast.cmht.public_id]), {"cut": "age_band", "months": "3"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0].startswith("# Outcomes for Community mental health service")
    first = next(iter(REAL.values()))
    assert any(r and r[0].startswith(f"# {first.title}. Numerator: ") for r in rows)
    assert ["measure", "month", "value", "numerator", "denominator"] in rows
    assert ["measure", "Age band"] in [r[:2] for r in rows]
    # Each measure's months (3) and, for the cut, each age band plus a total (8 + 1).
    assert sum(1 for r in rows if r and r[0] == first.key) == 3 + 9


@pytest.mark.django_db
def test_commissioner_page_and_csv_for_leaders_and_researchers_only(
    cast: Cast, client_for: Callable[[User], Client]
) -> None:
    for user, status in ((cast.team_leader, 200), (cast.researcher, 200), (cast.coordinator, 403), (cast.admin, 403)):
        assert client_for(user).get(reverse("outcomes:commissioner")).status_code == status
        assert client_for(user).get(reverse("outcomes:commissioner_csv")).status_code == status
    html = client_for(cast.team_leader).get(reverse("outcomes:commissioner")).content.decode()
    assert reverse("outcomes:service", args=[cast.pathways_service.public_id]) in html
    assert "Outcome measures by service" in html
