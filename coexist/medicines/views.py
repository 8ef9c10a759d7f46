"""Medicines continuity pages (R9): the person's medicines, the forms that change them, and a receiving
service's list of prescribing handovers waiting. Thin: open through the selectors, change through the
services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.medicines import services
from coexist.medicines.forms import (
    DoseChangeForm,
    DoseGivenForm,
    HandoverAnswerForm,
    HandoverRequestForm,
    NaloxoneForm,
    OtherMedicineForm,
    StartForm,
    StopForm,
    WithdrawForm,
)
from coexist.medicines.models import HandoverStatus, PrescribingHandover
from coexist.medicines.rules import PRESCRIBING_ROLES, describe_dose, first_community_dose_latest, may_answer_handover
from coexist.medicines.selectors import (
    PersonMedicines,
    handover_get,
    handovers_waiting,
    person_medicines_open,
    prescribers,
    prescribing_services,
    receiving_services,
    roles_in_service,
    services_of,
)
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import OpenedRecord

_READ_ONLY = AccessDecision(False, "You may read this record but not change its medicines.")


def _open(request: HttpRequest, person_id: UUID, detail: str, *, to_change: bool = False) -> PersonMedicines:
    try:
        record = person_medicines_open(
            viewer=staff_of(request), public_id=person_id, channel=Channel.PAGE, detail=detail
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    if to_change and not record.can_change:
        raise AccessRefused(_READ_ONLY)
    return record


def _handover(request: HttpRequest, public_id: UUID, detail: str) -> tuple[OpenedRecord, PrescribingHandover]:
    try:
        record, handover = handover_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail
        )
    except PrescribingHandover.DoesNotExist as exc:
        raise Http404("No such prescribing handover") from exc
    if not record.can_write(RecordPart.MEDICINES):
        raise AccessRefused(_READ_ONLY)
    return record, handover


def _back(person: Person) -> HttpResponse:
    return redirect("medicines:person", person_id=person.public_id)


def _form_page(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    form: BaseForm,
    save: Callable[[], str],
    done: Callable[[], HttpResponse],
) -> HttpResponse:
    """GET shows the form; POST validates it, calls the service through `save` (which returns the message
    to show) and goes on, or shows the service's refusals by field with status 400."""
    if request.method != "POST":
        return render(request, template, {**context, "form": form})
    if form.is_valid():
        try:
            message = save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return done()
    return render(request, template, {**context, "form": form}, status=400)


@login_required
def person_medicines(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: the current course with its dose history, the last dose given, doses given, naloxone offers,
    other medicines and prescribing handovers."""
    record = _open(request, person_id, "medicines page")
    course = record.current
    context = {
        "person": record.person,
        "record": record,
        "course": course,
        "summary": course.summary if course else "",
        "can_change": record.can_change,
        "handovers": [(h, _figure(h)) for h in record.handovers],
    }
    return render(request, "medicines/person.html", context)


def _figure(handover: PrescribingHandover) -> str:
    return describe_dose(
        drug=handover.drug, dose_mg=handover.daily_dose_mg, supervised=handover.supervised, pharmacy=handover.pharmacy
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: start a course of opiate substitution treatment, with its first dose."""
    record = _open(request, person_id, "start opiate substitution form", to_change=True)
    person, by = record.person, staff_of(request)
    mine = services_of(by)
    initial = {"started_on": timezone.localdate(), "prescribing_service": str(mine[0].public_id) if mine else ""}
    form = StartForm(
        request.POST or None, initial=initial, services=list(prescribing_services()), prescribers=prescribers()
    )

    def save() -> str:
        treatment = services.opiate_substitution_start(
            person=person, drug=form.cleaned_data["drug"], prescribing_service=form.chosen_service(),
            prescriber=form.chosen_prescriber(), prescriber_name=form.cleaned_data["prescriber_name"],
            started_on=form.cleaned_data["started_on"], daily_dose_mg=form.cleaned_data["daily_dose_mg"],
            supervised=form.cleaned_data["supervised"], pharmacy=form.cleaned_data["pharmacy"], by=by,
            channel=Channel.PAGE,
        )  # fmt: skip
        return f"{treatment.get_drug_display()} started."

    if record.current is not None:
        messages.info(request, "There is a current course already: stop it before starting another.")
        return _back(person)
    return _form_page(
        request, template="medicines/start.html", context={"person": person}, form=form, save=save,
        done=lambda: _back(person),
    )  # fmt: skip


def _current_or_back(request: HttpRequest, record: PersonMedicines) -> HttpResponse | None:
    if record.current is None:
        messages.info(request, "There is no current course of opiate substitution: start one first.")
        return _back(record.person)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def dose_change(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: a new dose from a date on, with the reason; the history is kept."""
    record = _open(request, person_id, "dose change form", to_change=True)
    if (back := _current_or_back(request, record)) is not None:
        return back
    assert record.current is not None
    course, by = record.current, staff_of(request)
    dose = course.current
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    if dose is not None:
        initial |= {"supervised": "yes" if dose.supervised else "no", "pharmacy": dose.pharmacy}
    form = DoseChangeForm(request.POST or None, initial=initial)

    def save() -> str:
        services.dose_change_record(
            treatment=course.treatment, daily_dose_mg=form.cleaned_data["daily_dose_mg"],
            supervised=form.cleaned_data["supervised"], pharmacy=form.cleaned_data["pharmacy"],
            effective_from=form.cleaned_data["effective_from"], reason=form.cleaned_data["reason"], by=by,
            channel=Channel.PAGE,
        )  # fmt: skip
        return "Dose change recorded."

    context = {"person": record.person, "course": course, "summary": course.summary}
    return _form_page(
        request, template="medicines/dose_change.html", context=context, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def dose_given(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: record a dose given or supervised (the ward records each daily dose)."""
    record = _open(request, person_id, "dose given form", to_change=True)
    if (back := _current_or_back(request, record)) is not None:
        return back
    assert record.current is not None
    course, by = record.current, staff_of(request)
    now = timezone.localtime()
    initial: dict[str, Any] = {"given_at": now.date(), "time": f"{now:%H:%M}"}
    if course.current is not None and course.treatment.drug != "buprenorphine_depot":
        initial["dose_mg"] = f"{course.current.daily_dose_mg.normalize():f}"  # 60, not 6E+1
    form = DoseGivenForm(request.POST or None, initial=initial)

    def save() -> str:
        given = services.dose_given_record(
            person=record.person, given_at=form.when(), dose_mg=form.cleaned_data["dose_mg"],
            where=form.cleaned_data["where"], by=by, channel=Channel.PAGE,
        )  # fmt: skip
        return f"Dose given at {timezone.localtime(given.given_at):%d %B %Y %H:%M} recorded."

    context = {"person": record.person, "course": course, "summary": course.summary}
    return _form_page(
        request, template="medicines/dose_given.html", context=context, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: stop the current course, with the date and the reason."""
    record = _open(request, person_id, "stop opiate substitution form", to_change=True)
    if (back := _current_or_back(request, record)) is not None:
        return back
    assert record.current is not None
    course, by = record.current, staff_of(request)
    form = StopForm(request.POST or None, initial={"stopped_on": timezone.localdate()})

    def save() -> str:
        services.opiate_substitution_stop(
            treatment=course.treatment, stopped_on=form.cleaned_data["stopped_on"],
            reason=form.cleaned_data["reason"], by=by, channel=Channel.PAGE,
        )  # fmt: skip
        return "Course stopped."

    context = {"person": record.person, "course": course, "summary": course.summary}
    return _form_page(
        request, template="medicines/stop.html", context=context, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def naloxone(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: naloxone offered to someone who uses opioids, and what came of it."""
    record = _open(request, person_id, "naloxone offer form", to_change=True)
    by = staff_of(request)
    now = timezone.localtime()
    form = NaloxoneForm(request.POST or None, initial={"offered_at": now.date(), "time": f"{now:%H:%M}"})

    def save() -> str:
        offer = services.naloxone_offer_record(
            person=record.person, offered_at=form.when(), outcome=form.cleaned_data["outcome"],
            kit=form.cleaned_data["kit"], training_given=form.cleaned_data["training_given"],
            carer_trained=form.cleaned_data["carer_trained"], note=form.cleaned_data["note"], by=by,
            channel=Channel.PAGE,
        )  # fmt: skip
        return f"Naloxone offer recorded: {offer.get_outcome_display().lower()}."

    return _form_page(
        request, template="medicines/naloxone.html", context={"person": record.person}, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def other_new(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: another medicine the next service must know about."""
    record = _open(request, person_id, "other medicine form", to_change=True)
    by = staff_of(request)
    form = OtherMedicineForm(request.POST or None)

    def save() -> str:
        medicine = services.other_medicine_add(
            person=record.person, name=form.cleaned_data["name"], dose=form.cleaned_data["dose"],
            why_it_matters=form.cleaned_data["why_it_matters"], started_on=form.cleaned_data["started_on"],
            stopped_on=form.cleaned_data["stopped_on"], by=by, channel=Channel.PAGE,
        )  # fmt: skip
        return f"{medicine.name} added."

    return _form_page(
        request, template="medicines/other_new.html", context={"person": record.person}, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def handover_request(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """R9: ask the community drug and alcohol service to take over prescribing, so no day is missed."""
    record = _open(request, person_id, "prescribing handover request form", to_change=True)
    if (back := _current_or_back(request, record)) is not None:
        return back
    assert record.current is not None
    course, by = record.current, staff_of(request)
    last = course.last_given
    initial: dict[str, Any] = {}
    suggested = None
    if last is not None:
        suggested = first_community_dose_latest(
            drug=course.treatment.drug, last_dose_on=timezone.localdate(last.given_at)
        )
        initial["first_community_dose_on"] = suggested
    form = HandoverRequestForm(request.POST or None, initial=initial, services=list(receiving_services()))

    def save() -> str:
        handover = services.prescribing_handover_request(
            treatment=course.treatment, to_service=form.chosen_service(),
            first_community_dose_on=form.cleaned_data["first_community_dose_on"], by=by, channel=Channel.PAGE,
        )  # fmt: skip
        return f"Handover requested: {handover.to_service} has a task to accept or decline."

    context = {
        "person": record.person, "course": course, "summary": course.summary, "last": last, "suggested": suggested,
        "open_handover": record.open_handover,
    }  # fmt: skip
    return _form_page(
        request, template="medicines/handover_request.html", context=context, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def handover_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R9: the receiving prescriber accepts (confirming drug, dose, last dose given and first community
    dose date) or declines with a reason."""
    record, handover = _handover(request, public_id, "prescribing handover answer form")
    by = staff_of(request)
    if handover.status != HandoverStatus.REQUESTED:
        messages.info(request, f"This handover is already {handover.get_status_display().lower()}.")
        return _back(record.person)
    form = HandoverAnswerForm(request.POST or None)

    def save() -> str:
        if form.cleaned_data["answer"] == "accept":
            services.prescribing_handover_accept(
                handover=handover, confirmed=form.cleaned_data["confirmed"], note=form.cleaned_data["reason"],
                by=by, channel=Channel.PAGE,
            )  # fmt: skip
            return f"Handover accepted: {handover.to_service} now prescribes."
        services.prescribing_handover_decline(
            handover=handover, reason=form.cleaned_data["reason"], by=by, channel=Channel.PAGE
        )
        return "Handover declined. The sender has been told why."

    context = {
        "person": record.person,
        "handover": handover,
        "figure": _figure(handover),
        "may_answer": may_answer_handover(roles_in_receiving_service=roles_in_service(by, handover.to_service)),
        "prescribing_roles": sorted(str(r).replace("_", " ") for r in PRESCRIBING_ROLES),
    }
    return _form_page(
        request, template="medicines/handover_answer.html", context=context, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def handover_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R9: the sender withdraws a request still waiting for an answer."""
    record, handover = _handover(request, public_id, "prescribing handover withdraw form")
    by = staff_of(request)
    if handover.status != HandoverStatus.REQUESTED:
        messages.info(request, f"This handover is already {handover.get_status_display().lower()}.")
        return _back(record.person)
    form = WithdrawForm(request.POST or None)

    def save() -> str:
        services.prescribing_handover_withdraw(
            handover=handover, reason=form.cleaned_data["reason"], by=by, channel=Channel.PAGE
        )
        return "Handover request withdrawn."

    context = {"person": record.person, "handover": handover, "figure": _figure(handover)}
    return _form_page(
        request, template="medicines/handover_withdraw.html", context=context, form=form, save=save,
        done=lambda: _back(record.person),
    )  # fmt: skip


@login_required
def handovers_waiting_list(request: HttpRequest) -> HttpResponse:
    """R9: prescribing handovers waiting for an answer from the signed-in user's services."""
    by = staff_of(request)
    waiting = handovers_waiting(viewer=by, channel=Channel.PAGE)
    rows = [(h, _figure(h)) for h in waiting]
    return render(
        request,
        "medicines/handovers_waiting.html",
        {"rows": rows, "services": services_of(by), "today": timezone.localdate()},
    )
