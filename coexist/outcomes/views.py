"""Outcome dashboard pages (issue 6 point 3): a service's dashboard and the commissioner's view, each with a CSV
export. Thin: the selectors decide who may see and hide small numbers.

These pages show aggregates only: no person's name, no record opened, so no per-person access log entry is
written (see `coexist.outcomes.selectors`).
"""

from __future__ import annotations

import csv
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coexist.accounts.requests import staff_of
from coexist.organisations.models import Service
from coexist.outcomes.rules.publish import months_refusal
from coexist.outcomes.rules.subgroups import Cut
from coexist.outcomes.rules.suppression import text
from coexist.outcomes.selectors import (
    SERVICE_CUTS,
    CommissionerView,
    ServiceDashboard,
    commissioner_view,
    service_access,
    service_dashboard,
)
from coexist.people.permissions import AccessRefused

CUT_LABELS: dict[Cut, str] = {
    Cut.SEX: "Sex",
    Cut.AGE_BAND: "Age band",
    Cut.ETHNIC_GROUP: "Ethnic group",
    Cut.HOUSING_STATUS: "Housing status",
    Cut.HOUSING_SETTLED: "Settled or unsettled housing",
    Cut.PRISON_RELEASE: "Released from prison in the last 12 months",
    Cut.CARING: "Caring responsibilities",
    Cut.REFERRAL_ROUTE: "Referral route",
    Cut.TEAM: "Team",
}


def parse_query(raw_months: str | None, raw_cut: str | None) -> tuple[int, Cut | None, dict[str, str]]:
    """?months= and ?cut= for a service's dashboard (page, CSV and API alike), with a message per bad field."""
    months, months_error = months_refusal(raw_months)
    errors: dict[str, str] = {"months": months_error} if months_error else {}
    cut: Cut | None = None
    value = (raw_cut or "").strip()
    if value:
        if value in {c.value for c in SERVICE_CUTS}:
            cut = Cut(value)
        else:
            errors["cut"] = "Choose a way to divide the figures from the list."
    return months, cut, errors


def _service(service_id: UUID) -> Service:
    found = Service.objects.select_related("organisation").filter(public_id=service_id).first()
    if found is None:
        raise Http404("No such service")
    return found


def _dashboard(request: HttpRequest, service_id: UUID) -> tuple[Service, ServiceDashboard | None, dict[str, object]]:
    service = _service(service_id)
    viewer, today = staff_of(request), timezone.localdate()
    # Refuse before reading the query, so a refused viewer learns nothing from its validation.
    decision = service_access(viewer=viewer, service=service, today=today)
    if not decision.allowed:
        raise AccessRefused(decision)
    months, cut, errors = parse_query(request.GET.get("months"), request.GET.get("cut"))
    context: dict[str, object] = {
        "service": service,
        "errors": errors,
        "cuts": [(c.value, CUT_LABELS[c]) for c in SERVICE_CUTS],
        "chosen_cut": cut.value if cut else "",
        "raw_months": request.GET.get("months", "") or str(months),
    }
    if errors:
        return service, None, context
    dashboard = service_dashboard(viewer=viewer, service=service, months=months, cut=cut, today=today)
    return service, dashboard, context


@login_required
def service(request: HttpRequest, service_id: UUID) -> HttpResponse:
    """A service's outcome dashboard: every measure's latest figure, its definition, a run chart and, with
    ?cut=, a table by subgroup; small numbers hidden. Aggregates only: no per-person access log entry."""
    _, dashboard, context = _dashboard(request, service_id)
    context["dashboard"] = dashboard
    context["query"] = request.GET.urlencode()
    return render(request, "outcomes/service.html", context, status=400 if dashboard is None else 200)


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def service_csv(request: HttpRequest, service_id: UUID) -> HttpResponse:
    """Every table of a service's dashboard as CSV: per measure a comment line with its definition, then the
    monthly figures and, with ?cut=, the table by subgroup. Hidden cells are the marker."""
    service_obj, dashboard, context = _dashboard(request, service_id)
    if dashboard is None:
        errors = context["errors"]
        assert isinstance(errors, dict)
        return HttpResponse(" ".join(errors.values()), status=400, content_type="text/plain; charset=utf-8")
    response = _csv_response(f"outcomes-{service_obj.public_id}.csv")
    write_service_csv(response, dashboard)
    return response


def write_service_csv(out: HttpResponse, dashboard: ServiceDashboard) -> None:
    writer = csv.writer(out)
    writer.writerow([f"# Outcomes for {dashboard.service.name}, {dashboard.start} to {dashboard.end}"])
    writer.writerow([f"# {dashboard.marker_meaning}"])
    for section in dashboard.sections:
        m = section.measure
        definition = f"# {m.title}. Numerator: {m.numerator} Denominator: {m.denominator} Period: {m.period}" + (
            f" Source: {m.source}" if m.source else ""
        )
        writer.writerow([])
        writer.writerow([_safe(definition)])
        writer.writerow(["measure", "month", "value", "numerator", "denominator"])
        for point in section.series:
            p = point.published
            writer.writerow([m.key, point.month.label, p.value_text, p.numerator_text, p.denominator_text])
        if section.table is not None:
            table = section.table
            writer.writerow([])
            writer.writerow([_safe(f"# {table.caption}, {dashboard.start} to {dashboard.end}")])
            writer.writerow(["measure", table.row_header, *table.columns])
            for row in (*table.rows, table.total):
                writer.writerow([m.key, _safe(row.label), *row.cells])


@login_required
def commissioner(request: HttpRequest) -> HttpResponse:
    """Every service's latest complete month side by side, linking to each service's dashboard. Leaders and
    researchers only. Aggregates only: no per-person access log entry."""
    view = commissioner_view(viewer=staff_of(request), today=timezone.localdate())
    return render(request, "outcomes/commissioner.html", {"view": view})


@login_required
def commissioner_csv(request: HttpRequest) -> HttpResponse:
    """The commissioner's table as CSV: a comment line per measure's definition, a header row, one row per
    measure with a value per service."""
    view = commissioner_view(viewer=staff_of(request), today=timezone.localdate())
    response = _csv_response("outcomes-services.csv")
    write_commissioner_csv(response, view)
    return response


def write_commissioner_csv(out: HttpResponse, view: CommissionerView) -> None:
    writer = csv.writer(out)
    writer.writerow([f"# Outcomes by service, {view.start} to {view.end}"])
    writer.writerow([f"# {view.marker_meaning}"])
    for row in view.rows:
        m = row.measure
        writer.writerow(
            [_safe(f"# {m.key}: {m.title}. Numerator: {m.numerator} Denominator: {m.denominator} Period: {m.period}")]
        )
    writer.writerow(["measure", *(_safe(s.name) for s in view.services)])
    for row in view.rows:
        writer.writerow([row.measure.key, *(f.value_text for f in row.figures)])
    writer.writerow([])
    writer.writerow(["measure (denominator)", *(_safe(s.name) for s in view.services)])
    for row in view.rows:
        writer.writerow([row.measure.key, *(text(f.denominator) for f in row.figures)])
