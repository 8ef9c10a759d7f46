"""Pages for inpatient stays (R9, R15): admit, the stay, the ward substance misuse worker, leave, return,
an assessment during leave, and the ward list. Thin: open through the selectors, change through the services."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.inpatient import selectors, services
from coexist.inpatient.forms import AdmitForm, AssessmentForm, LeaveForm, ReturnForm, WardWorkerForm
from coexist.inpatient.models import Admission, Leave
from coexist.organisations.models import Service, ServiceKind
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart

_READ_ONLY = AccessDecision(False, "You may read this record but not change this part of it.")
_NOT_WARD_STAFF = AccessDecision(False, "Only staff who work on an inpatient ward can admit someone to it.")


def _view(request: HttpRequest, public_id: UUID, detail: str, *, to_change: bool = False) -> selectors.AdmissionView:
    try:
        view = selectors.admission_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail
        )
    except Admission.DoesNotExist as exc:
        raise Http404("No such admission") from exc
    if to_change and not view.record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    return view


def _leave(request: HttpRequest, public_id: UUID, detail: str) -> Leave:
    try:
        record, leave = selectors.leave_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail
        )
    except Leave.DoesNotExist as exc:
        raise Http404("No such leave") from exc
    if not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    return leave


def _redirect_if_ended(request: HttpRequest, admission: Admission) -> HttpResponse | None:
    if admission.is_current:
        return None
    messages.info(request, "This stay has ended: the person has been discharged from the ward.")
    return redirect("inpatient:admission", public_id=admission.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def admit(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: admit the person to one of the viewer's wards."""
    me = staff_of(request)
    try:
        record = selectors.person_for_admission(
            viewer=me, person_id=person_id, channel=Channel.PAGE, detail="admit form"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    person = record.person
    current = selectors.current_admission(person)
    if current is not None:
        messages.info(request, f"{person.full_name} is already admitted to {current.ward.name}.")
        return redirect("inpatient:admission", public_id=current.public_id)
    wards = selectors.wards_of(me)
    if not wards:
        raise AccessRefused(_NOT_WARD_STAFF)
    choices = [(str(w.public_id), w.name) for w in wards]
    now = timezone.localtime()
    initial = {"admitted_on": now.date(), "admitted_time": f"{now:%H:%M}"}
    form = AdmitForm(request.POST or None, initial=initial, wards=choices)
    context = {"person": person, "form": form}
    if request.method != "POST":
        return render(request, "inpatient/admit.html", context)
    if form.is_valid():
        ward = next(w for w in wards if str(w.public_id) == form.cleaned_data["ward"])
        try:
            admission = services.admission_record(
                person=person, ward=ward, admitted_at=form.cleaned_data["admitted_at"],
                legal_status=form.cleaned_data["legal_status"], reason=form.cleaned_data["reason"], by=me,
                channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, _admitted_at_on_date(exc))
        else:
            messages.success(request, f"{person.full_name} is admitted to {ward.name}.")
            return redirect("inpatient:admission", public_id=admission.public_id)
    return render(request, "inpatient/admit.html", context, status=400)


def _admitted_at_on_date(exc: ValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        names = {"admitted_at": "admitted_on"}
        return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})
    return exc


@login_required
def admission(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R9: one ward stay: legal status, the substance screen, the ward worker, leave, groups and discharge."""
    view = _view(request, public_id, "admission page")
    now = timezone.now()
    context = {
        "view": view,
        "person": view.record.person,
        "admission": view.admission,
        "days": (now - view.admission.admitted_at).days,
        "screen_labels": selectors.screen_labels(view.screens),
    }
    return render(request, "inpatient/admission.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assign_worker(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R9: name the ward substance misuse worker from the drug and alcohol provider."""
    view = _view(request, public_id, "ward substance worker form", to_change=True)
    ended = _redirect_if_ended(request, view.admission)
    if ended is not None:
        return ended
    candidates = selectors.ward_worker_candidates()
    choices = [(str(u.public_id), u.display_name) for u in candidates]
    form = WardWorkerForm(request.POST or None, workers=choices)
    context = {"person": view.record.person, "admission": view.admission, "form": form}
    if request.method != "POST":
        return render(request, "inpatient/assign_worker.html", context)
    if form.is_valid():
        worker = User.objects.get(public_id=form.cleaned_data["worker"])
        try:
            services.admission_assign_ward_worker(
                admission=view.admission, worker=worker, by=staff_of(request), channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{worker.display_name} is the ward substance misuse worker.")
            return redirect("inpatient:admission", public_id=view.admission.public_id)
    return render(request, "inpatient/assign_worker.html", context, status=400)


def _leave_errors(exc: ValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        names = {"starts_at": "starts_on", "ends_at": "ends_on", "returned_at": "returned_on"}
        return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})
    return exc


@login_required
@require_http_methods(["GET", "POST"])
def leave_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R9: record a period of leave from the ward."""
    view = _view(request, public_id, "record leave form", to_change=True)
    ended = _redirect_if_ended(request, view.admission)
    if ended is not None:
        return ended
    form = LeaveForm(request.POST or None)
    context = {"person": view.record.person, "admission": view.admission, "form": form}
    if request.method != "POST":
        return render(request, "inpatient/leave_new.html", context)
    if form.is_valid():
        try:
            leave = services.leave_record(
                admission=view.admission, kind=form.cleaned_data["kind"], starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"], purpose=form.cleaned_data["purpose"], by=staff_of(request),
                channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, _leave_errors(exc))
        else:
            messages.success(request, "Leave recorded. You can book an assessment by the community service during it.")
            return redirect("inpatient:leave_assessment", public_id=leave.public_id)
    return render(request, "inpatient/leave_new.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def leave_return(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The person came back to the ward from leave."""
    leave = _leave(request, public_id, "record return from leave form")
    admission = leave.admission
    if leave.returned_at is not None:
        messages.info(request, "Their return from this leave is already recorded.")
        return redirect("inpatient:admission", public_id=admission.public_id)
    now = timezone.localtime()
    form = ReturnForm(request.POST or None, initial={"returned_on": now.date(), "returned_time": f"{now:%H:%M}"})
    context = {"person": admission.person, "admission": admission, "leave": leave, "form": form}
    if request.method != "POST":
        return render(request, "inpatient/leave_return.html", context)
    if form.is_valid():
        try:
            services.leave_return(
                leave=leave, returned_at=form.cleaned_data["returned_at"], by=staff_of(request), channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, _leave_errors(exc))
        else:
            messages.success(request, "Return to the ward recorded.")
            return redirect("inpatient:admission", public_id=admission.public_id)
    return render(request, "inpatient/leave_return.html", context, status=400)


def _assessors() -> tuple[list[tuple[str, list[tuple[str, str]]]], dict[str, tuple[Service, User]]]:
    grouped: list[tuple[str, list[tuple[str, str]]]] = []
    lookup: dict[str, tuple[Service, User]] = {}
    for service in selectors.drug_alcohol_services():
        choices = []
        for user in selectors.drug_alcohol_staff(service):
            key = f"{service.public_id}:{user.public_id}"
            lookup[key] = (service, user)
            choices.append((key, user.display_name))
        if choices:
            grouped.append((f"{service.name} ({service.organisation.name})", choices))
    return grouped, lookup


@login_required
@require_http_methods(["GET", "POST"])
def leave_assessment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R9 (seed 002): book an assessment by the community drug and alcohol service during the leave."""
    leave = _leave(request, public_id, "book assessment during leave form")
    admission = leave.admission
    ended = _redirect_if_ended(request, admission)
    if ended is not None:
        return ended
    grouped, lookup = _assessors()
    start = timezone.localtime(leave.starts_at)
    form = AssessmentForm(request.POST or None, initial={"on": start.date()}, workers=grouped)
    context = {
        "person": admission.person,
        "admission": admission,
        "leave": leave,
        "form": form,
        "referred": admission.person.referrals.filter(to_service__kind=ServiceKind.DRUG_ALCOHOL).exists(),
    }
    if request.method != "POST":
        return render(request, "inpatient/leave_assessment.html", context)
    if form.is_valid():
        service, staff = lookup[form.cleaned_data["worker"]]
        try:
            appointment = services.leave_book_assessment(
                leave=leave, service=service, staff=staff, starts_at=form.cleaned_data["starts_at"],
                by=staff_of(request), channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, _assessment_errors(exc))
        else:
            when = timezone.localtime(appointment.starts_at)
            messages.success(request, f"Assessment booked with {staff.display_name} on {when:%d %B %Y at %H:%M}.")
            return redirect("inpatient:admission", public_id=admission.public_id)
    return render(request, "inpatient/leave_assessment.html", context, status=400)


def _assessment_errors(exc: ValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        names = {"starts_at": "on", "service": "worker", "staff": "worker"}
        return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})
    return exc


@login_required
def ward(request: HttpRequest, service_id: UUID) -> HttpResponse:
    """R9: the ward's current admissions for its staff: days in, screen done, ward worker, on leave now."""
    service = Service.objects.filter(public_id=service_id, kind=ServiceKind.INPATIENT_WARD).first()
    if service is None:
        raise Http404("No such ward")
    lines = selectors.ward_list(viewer=staff_of(request), ward=service, channel=Channel.PAGE)
    return render(request, "inpatient/ward.html", {"ward": service, "lines": lines})
