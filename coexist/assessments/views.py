"""Pages for the joint comprehensive assessment (R2) and risk flags (R13). Thin: open, call, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.assessments import services
from coexist.assessments.forms import (
    AssessmentForm,
    AssessorForm,
    RiskFlagEndForm,
    RiskFlagForm,
    RiskFlagReviewForm,
    SubstanceForm,
)
from coexist.assessments.models import JointAssessment, RiskFlag, RiskKind, SubstanceUse
from coexist.assessments.selectors import (
    OpenedAssessment,
    OpenedFlag,
    assessment_measures,
    assessment_open,
    open_parts,
    risk_flag_open,
    risk_flags_open,
)
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.forms import add_service_errors
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import OpenedRecord

# Validated measures offered from the assessment page (coexist/instruments): code -> button text.
MEASURES = [("audit", "Add AUDIT"), ("dudit", "Add DUDIT"), ("phq9", "Add PHQ-9"), ("gad7", "Add GAD-7")]

_READ_ONLY = AccessDecision(False, "You may read this assessment but not change it.")


def _person(public_id: UUID) -> Person:
    try:
        return Person.objects.get(public_id=public_id)
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc


def _open_assessment(
    request: HttpRequest, public_id: UUID, detail: str, *, to_change: bool = False
) -> OpenedAssessment:
    try:
        opened = assessment_open(viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail)
    except JointAssessment.DoesNotExist as exc:
        raise Http404("No such assessment") from exc
    if to_change and not (
        opened.record.can_write(RecordPart.MENTAL_HEALTH) and opened.record.can_write(RecordPart.SUBSTANCE_USE)
    ):
        raise AccessRefused(_READ_ONLY)
    return opened


def _open_flag(request: HttpRequest, public_id: UUID, detail: str) -> OpenedFlag:
    try:
        opened = risk_flag_open(viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail)
    except RiskFlag.DoesNotExist as exc:
        raise Http404("No such risk flag") from exc
    if not opened.record.can_write(RecordPart.RISK):
        raise AccessRefused(AccessDecision(False, "You may read this person's risk flags but not change them."))
    return opened


def _render(request: HttpRequest, template: str, form: BaseForm | None, status: int, **context: Any) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=status)


def _measure_links(opened: OpenedAssessment) -> list[tuple[str, str]]:
    """Links to the validated measures, tied to this assessment (the instruments app reads `assessment`)."""
    person, assessment = opened.person.public_id, opened.assessment.public_id
    return [
        (f"{reverse('instruments:complete', args=[person, code])}?assessment={assessment}", text)
        for code, text in MEASURES
    ]


def _recorded_measures(opened: OpenedAssessment) -> list[tuple[str, str, InstrumentResponse]]:
    """(measure name, score, response) for the measures recorded with this assessment that the viewer may read."""
    rows = []
    for response in assessment_measures(opened):
        instrument = DEFINITIONS[response.instrument_code]
        scores = [(scale.label, response.score.get(scale.code)) for scale in instrument.scales]
        # One scale (AUDIT, PHQ-9): just the number; several (TOP, DIALOG): each named.
        score = str(scores[0][1]) if len(scores) == 1 else "; ".join(f"{label}: {value}" for label, value in scores)
        rows.append((instrument.short_name, score, response))
    return rows


def _care_team_link(opened: OpenedAssessment) -> tuple[str, str]:
    """(href, page name) for adding someone to the care team: the person's one open episode, else the
    list of their episodes of care. One query."""
    open_episodes = list(
        EpisodeOfCare.objects.open().filter(person=opened.person).values_list("public_id", flat=True)[:2]
    )
    if len(open_episodes) == 1:
        return reverse("care:episode", args=[open_episodes[0]]), "episode page"
    return reverse("care:person-episodes", args=[opened.person.public_id]), "episodes of care page"


def _detail_context(opened: OpenedAssessment, form: AssessmentForm | None) -> dict[str, Any]:
    may_add_assessor = opened.can_edit and len(opened.assessors) < 2
    return {
        "opened": opened,
        "assessment": opened.assessment,
        "person": opened.person,
        "form": form,
        "sections": form.sections() if form is not None else [],
        "measures": _measure_links(opened),
        "recorded_measures": _recorded_measures(opened),
        "may_add_assessor": may_add_assessor,
        "care_team_link": _care_team_link(opened) if may_add_assessor else None,
        "Part": RecordPart,
    }


@login_required
def assessment_start(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = _person(person_id)
    record = open_parts(
        viewer=staff_of(request),
        person=person,
        parts=[RecordPart.MENTAL_HEALTH, RecordPart.SUBSTANCE_USE],
        channel=Channel.PAGE,
        detail="start assessment page",
    )
    if not (record.can_write(RecordPart.MENTAL_HEALTH) and record.can_write(RecordPart.SUBSTANCE_USE)):
        raise AccessRefused(AccessDecision(False, "You may read this record but not start an assessment."))
    in_progress = list(person.assessments.filter(status="in_progress"))
    context = {"person": person, "in_progress": in_progress}
    if request.method != "POST":
        return render(request, "assessments/start.html", context)
    try:
        assessment = services.assessment_start(person=person, by=staff_of(request), channel=Channel.PAGE)
    except ValidationError as exc:
        return render(request, "assessments/start.html", {**context, "errors": exc.messages}, status=400)
    messages.success(request, "Assessment started. Save each section as you go.")
    return redirect("assessments:detail", public_id=assessment.public_id)


@login_required
def assessment_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The assessment: one section per domain, substances, risk flags, the needs found and their tasks."""
    if request.method != "POST":
        opened = _open_assessment(request, public_id, "assessment page")
        form = AssessmentForm.for_assessment(opened.assessment, opened.findings) if opened.can_edit else None
        return render(request, "assessments/detail.html", _detail_context(opened, form))
    opened = _open_assessment(request, public_id, "save assessment form", to_change=True)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            tasks = services.assessment_save(
                assessment=opened.assessment,
                by=staff_of(request),
                channel=Channel.PAGE,
                domains=form.domain_changes(),
                diagnosis=form.cleaned_data["diagnosis"],
                children_contact=form.cleaned_data["children_contact"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = "Assessment saved."
            if tasks:
                text += f" {len(tasks)} urgent task{'s' if len(tasks) > 1 else ''} created for the care coordinator."
            messages.success(request, text)
            return redirect("assessments:detail", public_id=public_id)
    return render(request, "assessments/detail.html", _detail_context(opened, form), status=400)


@require_POST
@login_required
def assessment_complete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    opened = _open_assessment(request, public_id, "complete assessment", to_change=True)
    try:
        services.assessment_complete(assessment=opened.assessment, by=staff_of(request), channel=Channel.PAGE)
    except ValidationError as exc:
        form = AssessmentForm.for_assessment(opened.assessment, opened.findings) if opened.can_edit else None
        context = _detail_context(opened, form)
        context["complete_errors"] = exc.messages
        return render(request, "assessments/detail.html", context, status=400)
    messages.success(request, "Assessment completed.")
    return redirect("assessments:detail", public_id=public_id)


@login_required
def substance_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    opened = _open_assessment(request, public_id, "add substance form", to_change=True)
    context = {"person": opened.person, "assessment": opened.assessment}
    if request.method != "POST":
        return _render(request, "assessments/substance_new.html", SubstanceForm(), 200, **context)
    form = SubstanceForm(request.POST)
    if form.is_valid():
        try:
            row = services.substance_add(
                assessment=opened.assessment, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{row.name} added.")
            return redirect(reverse("assessments:detail", args=[public_id]) + "#substances")
    return _render(request, "assessments/substance_new.html", form, 400, **context)


@login_required
def substance_remove(request: HttpRequest, public_id: UUID, substance_id: UUID) -> HttpResponse:
    opened = _open_assessment(request, public_id, "remove substance form", to_change=True)
    try:
        row = opened.assessment.substances.get(public_id=substance_id)
    except SubstanceUse.DoesNotExist as exc:
        raise Http404("No such substance in this assessment") from exc
    context = {"person": opened.person, "assessment": opened.assessment, "row": row}
    if request.method != "POST":
        return render(request, "assessments/substance_remove.html", context)
    try:
        services.substance_remove(substance_use=row, by=staff_of(request), channel=Channel.PAGE)
    except ValidationError as exc:
        return render(request, "assessments/substance_remove.html", {**context, "errors": exc.messages}, status=400)
    messages.success(request, f"{row.name} removed.")
    return redirect(reverse("assessments:detail", args=[public_id]) + "#substances")


def _assessor_candidates(opened: OpenedAssessment) -> list[tuple[str, str]]:
    """The person's current care team, less those already assessing."""
    taken = {a.user_id for a in opened.assessors}
    members = CareTeamMember.objects.current().filter(person=opened.person).select_related("user")
    seen: dict[str, str] = {}
    for member in members:
        if member.user_id not in taken and member.user.is_active:
            seen[str(member.user.public_id)] = f"{member.user.display_name} ({member.get_role_display()})"
    return sorted(seen.items(), key=lambda item: item[1])


@login_required
def assessor_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    opened = _open_assessment(request, public_id, "add assessor form", to_change=True)
    candidates = _assessor_candidates(opened)
    context = {"person": opened.person, "assessment": opened.assessment}
    if request.method != "POST":
        return _render(request, "assessments/assessor_new.html", AssessorForm(candidates=candidates), 200, **context)
    form = AssessorForm(request.POST, candidates=candidates)
    if form.is_valid():
        assessor = User.objects.get(public_id=form.cleaned_data["assessor"])
        try:
            services.assessment_assessor_add(
                assessment=opened.assessment, assessor=assessor, by=staff_of(request), channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{assessor.display_name} added as an assessor.")
            return redirect("assessments:detail", public_id=public_id)
    return _render(request, "assessments/assessor_new.html", form, 400, **context)


@login_required
def risk_flags(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R13: a person's risk flags, current (overdue reviews marked) and ended."""
    try:
        found = risk_flags_open(
            viewer=staff_of(request), person_id=person_id, channel=Channel.PAGE, detail="risk flags"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    return render(
        request,
        "assessments/risk_flags.html",
        {
            "person": found.record.person,
            "record": found.record,
            "current": found.current,
            "ended": found.ended,
            "can_change": found.record.can_write(RecordPart.RISK),
        },
    )


def _assessment_for_flag(request: HttpRequest, record: OpenedRecord) -> JointAssessment | None:
    raw = request.GET.get("assessment", "")
    try:
        return record.person.assessments.get(public_id=UUID(raw)) if raw else None
    except (ValueError, JointAssessment.DoesNotExist):
        return None


@login_required
def risk_flag_new(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = _person(person_id)
    record = open_parts(
        viewer=staff_of(request), person=person, parts=[RecordPart.RISK], channel=Channel.PAGE, detail="raise flag form"
    )
    if not record.can_write(RecordPart.RISK):
        raise AccessRefused(AccessDecision(False, "You may read this person's risk flags but not change them."))
    assessment = _assessment_for_flag(request, record)
    back = (
        reverse("assessments:detail", args=[assessment.public_id])
        if assessment
        else reverse("assessments:flags", args=[person.public_id])
    )
    context = {"person": person, "assessment": assessment, "back": back}
    if request.method != "POST":
        return _render(request, "assessments/risk_flag_new.html", RiskFlagForm(), 200, **context)
    form = RiskFlagForm(request.POST)
    if form.is_valid():
        source = f"Joint assessment started {assessment.started_at:%d %b %Y}" if assessment else "Risk flags page"
        try:
            flag = services.risk_flag_raise(
                person=person,
                kind=RiskKind(form.cleaned_data["kind"]),
                source=source,
                review_on=form.cleaned_data["review_on"],
                note=form.cleaned_data["note"],
                assessment=assessment,
                by=staff_of(request),
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{flag.get_kind_display()} risk flag raised.")
            return redirect(back)
    return _render(request, "assessments/risk_flag_new.html", form, 400, **context)


@login_required
def risk_flag_review(request: HttpRequest, flag_id: UUID) -> HttpResponse:
    opened = _open_flag(request, flag_id, "review flag form")
    context = {"person": opened.flag.person, "flag": opened.flag, "reviews": opened.reviews}
    if request.method != "POST":
        return _render(request, "assessments/risk_flag_review.html", RiskFlagReviewForm(), 200, **context)
    form = RiskFlagReviewForm(request.POST)
    if form.is_valid():
        try:
            services.risk_flag_review(flag=opened.flag, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Risk flag reviewed.")
            return redirect("assessments:flags", person_id=opened.flag.person.public_id)
    return _render(request, "assessments/risk_flag_review.html", form, 400, **context)


@login_required
def risk_flag_end(request: HttpRequest, flag_id: UUID) -> HttpResponse:
    opened = _open_flag(request, flag_id, "end flag form")
    context = {"person": opened.flag.person, "flag": opened.flag}
    if request.method != "POST":
        return _render(request, "assessments/risk_flag_end.html", RiskFlagEndForm(), 200, **context)
    form = RiskFlagEndForm(request.POST)
    if form.is_valid():
        try:
            services.risk_flag_end(flag=opened.flag, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Risk flag ended.")
            return redirect("assessments:flags", person_id=opened.flag.person.public_id)
    return _render(request, "assessments/risk_flag_end.html", form, 400, **context)
