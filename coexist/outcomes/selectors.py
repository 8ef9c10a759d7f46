"""Reads for the outcome dashboards (issue 6 point 3): a service's dashboard and the commissioner's view.

Who may see them (decided here, once, for pages and API alike):
- A service's dashboard: staff with a current membership of a team in that service, in any role (researchers
  and administrators included: the figures are suppressed aggregates), or staff with a current leader role
  (team leader, dual diagnosis lead, service manager) in any team. Everyone else is refused with a reason.
- The commissioner's view across services: staff with a current leader role or a current researcher
  membership. Clinical staff see their own services' dashboards instead; administrators manage accounts and
  services and are refused.

The figures are aggregates: no page here shows a person's name or opens anyone's record, so no per-person
access log entry is written (the access log is per person; an aggregate touches no single record). Small
numbers are hidden by `rules.publish` before anything leaves this module.

The measures and the reading of the record come from `definitions.MEASURES` and `observations.monthly`; both
are parameters (with those as defaults) so tests can pass hand-built measures and observations. A dashboard
reads each measure once for all its months (once a month for a snapshot measure), grouped (`observations.tally`):
the work grows with the number of days and categories shown, not with the number of people behind them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from coexist.accounts.models import User
from coexist.organisations.models import Membership, Role, Service, ServiceKind, Team
from coexist.outcomes.charts import ChartContext, run_chart
from coexist.outcomes.rules.measures import Measure, Observation, figure, figures_by
from coexist.outcomes.rules.publish import (
    CutTable,
    PublishedFigure,
    SeriesPoint,
    chart_points,
    cut_table,
    last_complete_month_end,
    months_to,
    publish_figure,
)
from coexist.outcomes.rules.subgroups import Cut, CutDefinition, cut_definition, data_cut
from coexist.outcomes.rules.suppression import DEFAULT_THRESHOLD, marker_meaning
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision

Read = Callable[..., tuple[list[list[Observation]], list[Observation]]]
"""read(measure_key, *, months, services=None, cut=None, whole=True) -> (observations per month, observations of
all the months with the facts `cut` reads, or none without `whole`), like `observations.monthly`."""

LEADER_ROLES = frozenset({Role.TEAM_LEADER, Role.DUAL_DIAGNOSIS_LEAD, Role.SERVICE_MANAGER})
COMMISSIONER_ROLES = LEADER_ROLES | {Role.RESEARCHER}

# The services the commissioner's view compares: those that hold episodes of care, which every measure counts
# (a GP practice, social care or a corporate team would be a column of zeros).
CARE_KINDS = frozenset({ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.INPATIENT_WARD, ServiceKind.DRUG_ALCOHOL})

# Cuts offered on a service's dashboard: every R14 cut, referral route and the service's teams (a single
# service's dashboard has nothing to cut by service).
SERVICE_CUTS: tuple[Cut, ...] = tuple(c for c in Cut if c is not Cut.SERVICE)


def threshold() -> int:
    """The suppression threshold: the OUTCOMES_SUPPRESSION_THRESHOLD setting, 5 when not set."""
    value = getattr(settings, "OUTCOMES_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD)
    return value if isinstance(value, int) and value >= 2 else DEFAULT_THRESHOLD


def default_measures() -> Mapping[str, Measure]:
    from coexist.outcomes.definitions import MEASURES  # the measures' own module, written alongside

    return MEASURES


def default_read() -> Read:
    from coexist.outcomes.observations import monthly

    return monthly


# --- Who may see ----------------------------------------------------------------------------------------


def service_access(*, viewer: User, service: Service, today: date) -> AccessDecision:
    """May this member of staff see this service's dashboard? With the reason, either way."""
    memberships = Membership.objects.current(today).filter(user=viewer)
    if memberships.filter(team__service=service).exists():
        return AccessDecision(True, f"a current member of {service.name}")
    if memberships.filter(role__in=LEADER_ROLES).exists():
        return AccessDecision(True, "a current team leader, dual diagnosis lead or service manager")
    return AccessDecision(
        False,
        f"Only staff of {service.name}, or a team leader, dual diagnosis lead or service manager, may see "
        "its outcome dashboard.",
    )


def commissioner_access(*, viewer: User, today: date) -> AccessDecision:
    """May this member of staff see the figures of every service side by side?"""
    if Membership.objects.current(today).filter(user=viewer, role__in=COMMISSIONER_ROLES).exists():
        return AccessDecision(True, "a current leader or researcher")
    return AccessDecision(
        False,
        "Only a team leader, dual diagnosis lead, service manager or researcher may compare services. "
        "Your own service's dashboard is open to you from its page.",
    )


# --- The service dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureSection:
    """One measure on a service's dashboard."""

    measure: Measure
    latest: SeriesPoint | None
    series: list[SeriesPoint]
    chart: ChartContext
    months_hidden: int
    table: CutTable | None


@dataclass(frozen=True)
class ServiceDashboard:
    service: Service
    months: int
    start: date
    end: date
    cut: Cut | None
    cut_definition: CutDefinition | None
    sections: list[MeasureSection]
    threshold: int
    marker_meaning: str
    access_basis: str

    @property
    def latest_label(self) -> str:
        return self.sections[0].latest.month.label if self.sections and self.sections[0].latest else ""


def service_cut_definition(service: Service, cut: Cut) -> CutDefinition:
    """The categories of a cut on this service's dashboard (its teams for the team cut)."""
    if cut is Cut.TEAM:
        teams = Team.objects.filter(service=service).order_by("name")
        return data_cut(Cut.TEAM, [(str(t.public_id), t.name) for t in teams])
    return cut_definition(cut)


def service_dashboard(
    *,
    viewer: User,
    service: Service,
    months: int,
    cut: Cut | None,
    today: date,
    measures: Mapping[str, Measure] | None = None,
    read: Read | None = None,
    threshold_value: int | None = None,
) -> ServiceDashboard:
    """Every measure for one service: the latest complete month, a run chart of `months` months and, with a
    cut, a table by subgroup over the whole window (for a snapshot measure, the record at the window's end);
    every number suppressed. Raises AccessRefused."""
    decision = service_access(viewer=viewer, service=service, today=today)
    if not decision.allowed:
        raise AccessRefused(decision)
    if cut is Cut.SERVICE:
        raise ValueError("A service's dashboard is not cut by service.")
    measures = default_measures() if measures is None else measures
    read = default_read() if read is None else read
    limit = threshold() if threshold_value is None else threshold_value
    calendar_months = months_to(last_complete_month_end(today), months)
    start, end = calendar_months[0].start, calendar_months[-1].end
    definition = service_cut_definition(service, cut) if cut is not None else None
    sections = []
    for key, measure in measures.items():
        # Each month is its own period: snapshot measures look at the record on the month's last day and score
        # changes take each person's latest measurement in the month (see observations.monthly).
        by_month, found = read(
            key, months=[(m.start, m.end) for m in calendar_months], services=[service], cut=cut, whole=cut is not None
        )
        series = [
            SeriesPoint(m, fig, publish_figure(measure, fig, threshold=limit))
            for m, month in zip(calendar_months, by_month, strict=True)
            for fig in [figure(measure, month)]
        ]
        points, hidden = chart_points(series)
        chart = run_chart(
            points, title=measure.title, unit=measure.unit, polarity=measure.polarity, chart_id=f"run-chart-{key}"
        )
        table = None
        if cut is not None and definition is not None:
            by = figures_by(measure, found, cut, definition=definition)
            table = cut_table(measure, by, definition, threshold=limit, overall=figure(measure, found))
        sections.append(MeasureSection(measure, series[-1] if series else None, series, chart, hidden, table))
    return ServiceDashboard(
        service=service,
        months=months,
        start=start,
        end=end,
        cut=cut,
        cut_definition=definition,
        sections=sections,
        threshold=limit,
        marker_meaning=marker_meaning(limit),
        access_basis=decision.basis,
    )


# --- The commissioner's view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionerRow:
    measure: Measure
    figures: list[PublishedFigure]
    """One per service, in the view's service order."""


@dataclass(frozen=True)
class CommissionerView:
    services: list[Service]
    start: date
    end: date
    rows: list[CommissionerRow]
    threshold: int
    marker_meaning: str

    @property
    def month_label(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"


def commissioner_view(
    *,
    viewer: User,
    today: date,
    services: Sequence[Service] | None = None,
    measures: Mapping[str, Measure] | None = None,
    read: Read | None = None,
    threshold_value: int | None = None,
) -> CommissionerView:
    """The latest complete month's figure of every measure for every service, side by side, suppressed.
    One reading per measure across all services, cut by service (observations carry the service's public id
    in `facts.service`). Raises AccessRefused."""
    decision = commissioner_access(viewer=viewer, today=today)
    if not decision.allowed:
        raise AccessRefused(decision)
    measures = default_measures() if measures is None else measures
    read = default_read() if read is None else read
    limit = threshold() if threshold_value is None else threshold_value
    shown = (
        list(services)
        if services is not None
        else list(
            Service.objects.filter(kind__in=CARE_KINDS)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
    )
    month = months_to(last_complete_month_end(today), 1)[0]
    definition = data_cut(Cut.SERVICE, [(str(s.public_id), s.name) for s in shown])
    rows = []
    for key, measure in measures.items():
        _, found = read(key, months=[(month.start, month.end)], services=shown, cut=Cut.SERVICE)
        by = figures_by(measure, found, Cut.SERVICE, definition=definition)
        rows.append(
            CommissionerRow(measure, [publish_figure(measure, by[str(s.public_id)], threshold=limit) for s in shown])
        )
    return CommissionerView(
        services=shown,
        start=month.start,
        end=month.end,
        rows=rows,
        threshold=limit,
        marker_meaning=marker_meaning(limit),
    )
