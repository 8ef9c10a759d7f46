"""Service survey, training and feedback pages (issue 6 points 5 and 6). Thin: read through the selectors,
write through the services.

Who sees which page (selectors module docstring): a service's pages are for its clinical members; recording
is for its team leaders, service managers and dual diagnosis leads; the comparison across services is for
leaders anywhere and researchers. These pages show services' own scores, staff training and counts: they
open no one's record, so they write no per-person access log entry (the access log is per person).

Recovery college attendance is a count per session, not a register (a decision): a register would make
course attendance a new part of people's records, with its own consent and access rules, for a figure the
evaluation only ever uses as a total.
"""

from __future__ import annotations

import csv
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from coexist.accounts.requests import staff_of
from coexist.forms import add_service_errors
from coexist.organisations.models import Service
from coexist.outcomes.rules.suppression import marker_meaning
from coexist.survey.forms import FeedbackForm, SessionForm, SurveyForm, TrainingForm
from coexist.survey.models import ServiceSurvey
from coexist.survey.rules import ANCHORS, DIMENSION_LABELS, EVIDENCE_DIMENSIONS, Dimension
from coexist.survey.selectors import (
    SurveyRow,
    can_record,
    latest_surveys,
    service_evidence,
    service_feedback,
    service_open,
    service_sessions,
    service_staff,
    service_surveys,
    service_training,
    services_for,
    survey_open,
)
from coexist.survey.services import (
    feedback_round_record,
    recovery_session_record,
    service_survey_submit,
    staff_training_record,
)

DIMENSIONS = [(d.value, DIMENSION_LABELS[d]) for d in Dimension]


def _service(request: HttpRequest, public_id: UUID, *, to_record: bool = False) -> Service:
    try:
        return service_open(viewer=staff_of(request), public_id=public_id, to_record=to_record)
    except Service.DoesNotExist as exc:
        raise Http404("No such service") from exc


def _csv_cell(value: object) -> str:
    """Spreadsheet-safe: a cell starting with =, +, - or @ would run as a formula in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv(filename: str, header: list[str], rows: list[list[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return response


def _score_rows(rows: list[SurveyRow], *, with_service: bool) -> list[list[object]]:
    out: list[list[object]] = []
    for row in rows:
        survey = row.survey
        lead: list[object] = [survey.service.organisation.name, survey.service.name] if with_service else []
        out.append([*lead, survey.completed_on.isoformat(), survey.get_provision_display(), *row.scores])
    return out


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """The latest survey of each service, side by side (leaders and researchers)."""
    rows = latest_surveys(viewer=staff_of(request))
    mine = {s.pk for s in services_for(staff_of(request))}
    return render(
        request, "survey/compare.html", {"rows": rows, "dimensions": DIMENSIONS, "mine": mine},
    )  # fmt: skip


@login_required
@require_GET
def compare_csv(request: HttpRequest) -> HttpResponse:
    rows = latest_surveys(viewer=staff_of(request))
    header = ["Organisation", "Service", "Completed on", "Form of provision", *(label for _, label in DIMENSIONS)]
    return _csv("service-survey-comparison.csv", header, _score_rows(rows, with_service=True))


@login_required
@require_GET
def service_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A service's surveys over time, with the evidence from the record beside staffing and training."""
    service = _service(request, public_id)
    rows = service_surveys(service)
    evidence = service_evidence(service)
    return render(
        request,
        "survey/service.html",
        {
            "service": service,
            "rows": rows,
            "dimensions": DIMENSIONS,
            "evidence": evidence,
            "marker_meaning": marker_meaning(evidence.threshold),
            "can_record": can_record(staff_of(request), service),
        },
    )


@login_required
@require_GET
def service_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    service = _service(request, public_id)
    header = ["Completed on", "Form of provision", *(label for _, label in DIMENSIONS)]
    return _csv(
        f"service-survey-{service.public_id}.csv", header, _score_rows(service_surveys(service), with_service=False)
    )


@login_required
@require_GET
def survey_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        survey = survey_open(viewer=staff_of(request), public_id=public_id)
    except ServiceSurvey.DoesNotExist as exc:
        raise Http404("No such survey") from exc
    scores = {s.dimension: s for s in survey.scores.all()}
    items = [(label, scores.get(key)) for key, label in DIMENSIONS]
    return render(
        request, "survey/detail.html", {"survey": survey, "service": survey.service, "items": items, "anchors": ANCHORS}
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """RECO stage 2: the service's self-assessment. Once submitted it is never changed."""
    service = _service(request, public_id, to_record=True)
    evidence = service_evidence(service)
    context = {
        "service": service,
        "evidence": evidence,
        "evidence_dimensions": {d.value for d in EVIDENCE_DIMENSIONS},
        "marker_meaning": marker_meaning(evidence.threshold),
    }
    if request.method != "POST":
        form = SurveyForm(initial={"completed_on": timezone.localdate()})
        return render(request, "survey/new.html", {**context, "form": form})
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            survey = service_survey_submit(
                service=service, completed_on=form.cleaned_data["completed_on"],
                provision=form.cleaned_data["provision"], scores=form.scores(), notes=form.notes(),
                by=staff_of(request),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Survey for {survey.completed_on:%d %B %Y} saved.")
            return redirect("survey:service", public_id=service.public_id)
    return render(request, "survey/new.html", {**context, "form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def training(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Staff dual diagnosis training recorded by this service; leaders add to it here."""
    service = _service(request, public_id)
    recorder = can_record(staff_of(request), service)
    form = TrainingForm(request.POST or None, staff=service_staff(service)) if recorder else None
    status = 200
    if request.method == "POST":
        if form is None:
            service_open(viewer=staff_of(request), public_id=public_id, to_record=True)  # raises: refused
        assert form is not None
        if form.is_valid():
            try:
                staff_training_record(
                    service=service, staff=form.chosen(), course=form.cleaned_data["course"],
                    provider=form.cleaned_data["provider"], completed_on=form.cleaned_data["completed_on"],
                    hours=form.cleaned_data["hours"], certificate=form.cleaned_data["certificate"],
                    by=staff_of(request),
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Training recorded.")
                return redirect("survey:training", public_id=service.public_id)
        status = 400
    context = {"service": service, "records": service_training(service), "form": form}
    return render(request, "survey/training.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Recovery college sessions for service users: a count of who came, never names."""
    service = _service(request, public_id)
    form = SessionForm(request.POST or None) if can_record(staff_of(request), service) else None
    status = 200
    if request.method == "POST":
        if form is None:
            service_open(viewer=staff_of(request), public_id=public_id, to_record=True)
        assert form is not None
        if form.is_valid():
            try:
                recovery_session_record(
                    service=service, course=form.cleaned_data["course"], session_on=form.cleaned_data["session_on"],
                    attendees=form.cleaned_data["attendees"], by=staff_of(request),
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Session recorded.")
                return redirect("survey:sessions", public_id=service.public_id)
        status = 400
    context = {"service": service, "records": service_sessions(service), "form": form}
    return render(request, "survey/sessions.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Service-user feedback rounds (co-production): counts per answer and 'you said, we did'."""
    service = _service(request, public_id)
    form = FeedbackForm(request.POST or None) if can_record(staff_of(request), service) else None
    status = 200
    if request.method == "POST":
        if form is None:
            service_open(viewer=staff_of(request), public_id=public_id, to_record=True)
        assert form is not None
        if form.is_valid():
            try:
                feedback_round_record(
                    service=service, collected_on=form.cleaned_data["collected_on"], counts=form.counts(),
                    you_said=form.cleaned_data["you_said"], we_did=form.cleaned_data["we_did"], by=staff_of(request),
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Feedback recorded.")
                return redirect("survey:feedback", public_id=service.public_id)
        status = 400
    evidence = service_evidence(service)
    context = {
        "service": service,
        "rounds": service_feedback(service),
        "form": form,
        "evidence": evidence,
        "marker_meaning": marker_meaning(evidence.threshold),
    }
    return render(request, "survey/feedback.html", context, status=status)
