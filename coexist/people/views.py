"""Pages: the caseload (home), a person's record, and the forms that change it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.organisations.models import NON_CLINICAL_ROLES, Role
from coexist.organisations.selectors import current_roles
from coexist.people import services
from coexist.people.forms import (
    CarerAssessmentOfferForm,
    CarerAssessmentOutcomeForm,
    CarerForm,
    ConsentForm,
    ConsentWithdrawForm,
    ContactForm,
    EqualityForm,
    SearchForm,
)
from coexist.people.models import Carer, CarerAssessment, Consent, Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import OpenedRecord, people_find, person_open


def _open(request: HttpRequest, public_id: UUID, detail: str, *, to_change: str | None = None) -> OpenedRecord:
    try:
        record = person_open(viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail)
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    if to_change is not None and not record.can_write(to_change):
        raise AccessRefused(AccessDecision(False, "You may read this record but not change this part of it."))
    return record


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in member of staff's caseload, with search. Non-clinical roles get their own page."""
    user = staff_of(request)
    roles = current_roles(user)
    if not roles - NON_CLINICAL_ROLES:
        if Role.ADMINISTRATOR in roles or user.is_superuser:
            return render(request, "people/home_administrator.html")
        return render(request, "people/home_no_records.html", {"researcher": Role.RESEARCHER in roles})
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = people_find(viewer=user, query=query, channel=Channel.PAGE)
    return render(request, "people/caseload.html", {"form": form, "query": query, "people": people})


@login_required
def person_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record = _open(request, public_id, "person page")
    return render(request, "people/person_detail.html", {"record": record, "person": record.person, "Part": RecordPart})


def _edit(
    request: HttpRequest,
    public_id: UUID,
    *,
    part: str,
    form_class: Any,
    template: str,
    success: str,
) -> HttpResponse:
    record = _open(request, public_id, f"edit {part} form", to_change=part)
    person = record.person
    if request.method != "POST":
        form = form_class.for_person(person)
        return render(request, template, {"form": form, "person": person})
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.person_update(person=person, by=staff_of(request), changes=form.cleaned_data, channel=Channel.PAGE)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("people:detail", public_id=person.public_id)
    return render(request, template, {"form": form, "person": person}, status=400)


@login_required
def person_edit_contact(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _edit(
        request,
        public_id,
        part=RecordPart.CONTACT,
        form_class=ContactForm,
        template="people/edit_contact.html",
        success="Contact preference saved.",
    )


@login_required
def person_edit_equality(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _edit(
        request,
        public_id,
        part=RecordPart.EQUALITY,
        form_class=EqualityForm,
        template="people/edit_equality.html",
        success="Equality and circumstances saved.",
    )


def _render_form(request: HttpRequest, template: str, form: BaseForm, status: int, **context: Any) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=status)


@login_required
def carer_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record = _open(request, public_id, "add carer form", to_change=RecordPart.CARERS)
    person = record.person
    if request.method != "POST":
        return _render_form(request, "people/carer_new.html", CarerForm(), 200, person=person)
    form = CarerForm(request.POST)
    if form.is_valid():
        try:
            carer = services.carer_add(person=person, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{carer.name} added.")
            return redirect("people:detail", public_id=person.public_id)
    return _render_form(request, "people/carer_new.html", form, 400, person=person)


@login_required
def consent_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record = _open(request, public_id, "record consent form", to_change=RecordPart.CONSENT)
    person = record.person
    if request.method != "POST":
        return _render_form(request, "people/consent_new.html", ConsentForm(person=person), 200, person=person)
    form = ConsentForm(request.POST, person=person)
    if form.is_valid():
        organisation, carer = form.recipient_objects()
        try:
            consent = services.consent_record(
                person=person,
                by=staff_of(request),
                organisation=organisation,
                carer=carer,
                parts=form.cleaned_data["parts"],
                given_on=form.cleaned_data["given_on"],
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Consent to share with {consent.recipient_name} recorded.")
            return redirect("people:detail", public_id=person.public_id)
    return _render_form(request, "people/consent_new.html", form, 400, person=person)


@login_required
def consent_withdraw(request: HttpRequest, public_id: UUID, consent_id: UUID) -> HttpResponse:
    record = _open(request, public_id, "withdraw consent form", to_change=RecordPart.CONSENT)
    person = record.person
    try:
        consent = person.consents.select_related("organisation", "carer").get(public_id=consent_id)
    except Consent.DoesNotExist as exc:
        raise Http404("No such consent") from exc
    context = {"person": person, "consent": consent}
    if request.method != "POST":
        return _render_form(request, "people/consent_withdraw.html", ConsentWithdrawForm(), 200, **context)
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.consent_withdraw(
                consent=consent,
                by=staff_of(request),
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"],
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Consent to share with {consent.recipient_name} withdrawn.")
            return redirect("people:detail", public_id=person.public_id)
    return _render_form(request, "people/consent_withdraw.html", form, 400, **context)


def _carer(person: Person, carer_id: UUID) -> Carer:
    try:
        return person.carers.get(public_id=carer_id)
    except Carer.DoesNotExist as exc:
        raise Http404("No such carer") from exc


@login_required
def carer_assessment(request: HttpRequest, public_id: UUID, carer_id: UUID) -> HttpResponse:
    """R5: a carer's assessment offers and outcomes, and the form to record a new offer."""
    record = _open(request, public_id, "carer's assessment page", to_change=RecordPart.CARERS)
    person = record.person
    carer = _carer(person, carer_id)
    form = CarerAssessmentOfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.carer_assessment_offer(
                carer=carer, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Offer of a carer's assessment to {carer.name} recorded.")
            return redirect("people:carer-assessment", public_id=person.public_id, carer_id=carer.public_id)
    context = {"person": person, "carer": carer, "offers": carer.assessments.select_related("offered_by")}
    status = 400 if request.method == "POST" else 200
    return _render_form(request, "people/carer_assessment.html", form, status, **context)


@login_required
def carer_assessment_outcome(request: HttpRequest, public_id: UUID, carer_id: UUID, offer_id: UUID) -> HttpResponse:
    record = _open(request, public_id, "carer's assessment outcome form", to_change=RecordPart.CARERS)
    person = record.person
    carer = _carer(person, carer_id)
    try:
        offer = carer.assessments.get(public_id=offer_id)
    except CarerAssessment.DoesNotExist as exc:
        raise Http404("No such offer") from exc
    context = {"person": person, "carer": carer, "offer": offer}
    form = CarerAssessmentOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.carer_assessment_record_outcome(
                offer=offer, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Carer's assessment for {carer.name} updated.")
            return redirect("people:carer-assessment", public_id=person.public_id, carer_id=carer.public_id)
    status = 400 if request.method == "POST" else 200
    return _render_form(request, "people/carer_assessment_outcome.html", form, status, **context)
