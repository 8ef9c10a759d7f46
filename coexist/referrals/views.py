"""Pages for referrals: the public self-referral (R12), the staff referral form, the triage queue and
triage page (duplicates, link or record the person, accept, decline under R1, redirect, close), and
drop-in visits. Thin: each page parses a form, calls one service and renders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.forms import add_service_errors
from coexist.people.permissions import people_visible_to
from coexist.people.rules import Action, RecordPart
from coexist.referrals import services
from coexist.referrals.forms import (
    AcceptForm,
    CloseForm,
    CreatePersonForm,
    DeclineForm,
    DropInConvertForm,
    DropInVisitForm,
    LinkForm,
    RedirectForm,
    SelfReferralForm,
    StaffReferralForm,
    TriageForm,
)
from coexist.referrals.models import DropInVisit, Referral, Status
from coexist.referrals.permissions import require_clinical, services_of, teams_in
from coexist.referrals.ratelimits import self_referral_attempt_limited, self_referral_sent
from coexist.referrals.selectors import (
    drop_in_visit_for,
    drop_in_visits_for,
    duplicates_for_triage,
    referral_for_triage,
    triage_queue,
)

SESSION_REFERENCE = "self_referral_reference"
PEOPLE_CHOICE_LIMIT = 200


# --- Public: self-referral (R12) -------------------------------------------------------------


def _limited_page(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/public/limited.html", status=429)


@never_cache
def self_refer(request: HttpRequest) -> HttpResponse:
    """No account needed. A handful of questions; the answer is a reference and what happens next."""
    if request.method != "POST":
        return render(request, "referrals/public/self_refer.html", {"form": SelfReferralForm()})
    if self_referral_attempt_limited(request):
        return _limited_page(request)
    form = SelfReferralForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_self_submit(**data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            self_referral_sent(request)
            request.session[SESSION_REFERENCE] = referral.reference
            return redirect("public:self-refer-sent")
    return render(request, "referrals/public/self_refer.html", {"form": form}, status=400)


@never_cache
def self_refer_sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(SESSION_REFERENCE, "")
    return render(request, "referrals/public/sent.html", {"reference": reference})


# --- Staff ----------------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The triage queue: open referrals to the viewer's services, urgent first, then oldest."""
    user = staff_of(request)
    referrals = triage_queue(viewer=user, channel=Channel.PAGE)
    now = timezone.now()
    rows = [(r, (now - r.received_at).days) for r in referrals]
    return render(
        request,
        "referrals/queue.html",
        {"rows": rows, "services": list(services_of(user).select_related("organisation"))},
    )


def _people_to_choose(user: User) -> list[Any]:
    people = list(people_visible_to(user).order_by("family_name", "given_name", "pk")[:PEOPLE_CHOICE_LIMIT])
    if people:
        access_log_append(
            actor=user,
            person_ids=[p.public_id for p in people],
            action=Action.READ,
            parts=[RecordPart.IDENTITY],
            outcome=Outcome.ALLOWED,
            basis="listed: people the viewer may see, to choose whom to refer",
            channel=Channel.PAGE,
            detail="staff referral form",
        )
    return people


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    require_clinical(user)
    people = _people_to_choose(user)
    if request.method != "POST":
        initial = {"person": request.GET.get("person", "")}
        return render(request, "referrals/new.html", {"form": StaffReferralForm(initial=initial, people=people)})
    form = StaffReferralForm(request.POST, people=people)
    if form.is_valid():
        data = dict(form.cleaned_data)
        person = form.chosen_person()
        to_service = form.chosen_service()
        for name in ("person", "to_service"):
            data.pop(name)
        try:
            referral = services.referral_create(
                by=user, to_service=to_service, person=person, channel=Channel.PAGE, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral {referral.reference} sent to {to_service.name}.")
            return redirect("referrals:queue")
    return render(request, "referrals/new.html", {"form": form}, status=400)


def _referral(request: HttpRequest, public_id: UUID, detail: str) -> Referral:
    try:
        return referral_for_triage(viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail)
    except Referral.DoesNotExist as exc:
        raise Http404("No such referral") from exc


@login_required
def referral_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The triage page: what was sent, likely duplicates to link, the actions, the history."""
    user = staff_of(request)
    referral = _referral(request, public_id, "triage page")
    candidates = duplicates_for_triage(viewer=user, referral=referral, channel=Channel.PAGE)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "candidates": candidates,
            "link_form": LinkForm(candidates=candidates) if candidates else None,
            "triage_form": TriageForm(initial={"urgency": referral.urgency}),
            "history": referral.history.select_related("by"),
            "Status": Status,
            "age_days": (timezone.now() - referral.received_at).days,
        },
    )


@require_POST
@login_required
def referral_triage(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = _referral(request, public_id, "triage referral")
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.referral_triage(referral=referral, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Marked as triaged.")
    else:
        messages.error(request, "Choose an urgency.")
    return redirect("referrals:detail", public_id=public_id)


@require_POST
@login_required
def referral_link(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = staff_of(request)
    referral = _referral(request, public_id, "link referral to person")
    candidates = duplicates_for_triage(viewer=user, referral=referral, channel=Channel.PAGE)
    form = LinkForm(request.POST, candidates=candidates)
    if not form.is_valid():
        messages.error(request, "Choose the record this person matches.")
        return redirect("referrals:detail", public_id=public_id)
    try:
        services.referral_link_person(referral=referral, person=form.chosen(), by=user, channel=Channel.PAGE)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Linked to {form.chosen().full_name}'s record.")
    return redirect("referrals:detail", public_id=public_id)


def _action_page(
    request: HttpRequest, referral: Referral | None, form: BaseForm, status: int, **context: Any
) -> HttpResponse:
    return render(request, "referrals/action.html", {"referral": referral, "form": form, **context}, status=status)


@login_required
def referral_create_person(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = _referral(request, public_id, "record person from referral form")
    page = {
        "title": "Record a new person",
        "intro": "Check the details the referrer gave. Record a new person only if none of the likely matches is them.",
        "button": "Record person and link referral",
    }
    if request.method != "POST":
        return _action_page(request, referral, CreatePersonForm.for_referral(referral), 200, **page)
    form = CreatePersonForm(request.POST)
    if form.is_valid():
        try:
            person = services.referral_create_person(
                referral=referral, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} recorded and linked to this referral.")
            return redirect("referrals:detail", public_id=public_id)
    return _action_page(request, referral, form, 400, **page)


@login_required
def referral_accept(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = staff_of(request)
    referral = _referral(request, public_id, "accept referral form")
    page = {
        "title": "Accept referral",
        "intro": (
            "Accepting opens an episode of care held by the team you choose. The team leader names a care coordinator."
        ),
        "button": "Accept referral",
    }
    teams = list(teams_in(user, referral.to_service))
    if request.method != "POST":
        return _action_page(request, referral, AcceptForm(teams=teams), 200, **page)
    form = AcceptForm(request.POST, teams=teams)
    if form.is_valid():
        try:
            services.referral_accept(
                referral=referral, by=user, team=form.chosen(), note=form.cleaned_data["note"], channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral accepted. An episode of care is open with {form.chosen().name}.")
            return redirect("referrals:detail", public_id=public_id)
    return _action_page(request, referral, form, 400, **page)


@login_required
def referral_decline(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = _referral(request, public_id, "decline referral form")
    page = {
        "title": "Decline referral",
        "intro": (
            "A mental health service may not decline because of substance use, and a drug and alcohol, housing or "
            "physical health service may not decline because of mental illness (R1). Say where the person goes next."
        ),
        "button": "Decline referral",
        "warning": True,
    }
    if request.method != "POST":
        return _action_page(request, referral, DeclineForm(service=referral.to_service), 200, **page)
    form = DeclineForm(request.POST, service=referral.to_service)
    if form.is_valid():
        try:
            services.referral_decline(
                referral=referral,
                by=staff_of(request),
                reason=form.cleaned_data["reason"],
                onward_referral=form.cleaned_data["onward_referral"],
                onward_service=form.chosen_service(),
                note=form.cleaned_data["note"],
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Referral declined and the onward referral recorded.")
            return redirect("referrals:queue")
    return _action_page(request, referral, form, 400, **page)


@login_required
def referral_redirect(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = _referral(request, public_id, "redirect referral form")
    page = {
        "title": "Send to another service",
        "intro": "The referral goes to the other service's triage queue with everything it holds; its history stays.",
        "button": "Send referral",
    }
    if request.method != "POST":
        return _action_page(request, referral, RedirectForm(service=referral.to_service), 200, **page)
    form = RedirectForm(request.POST, service=referral.to_service)
    if form.is_valid():
        try:
            onward = services.referral_redirect(
                referral=referral,
                by=staff_of(request),
                to_service=form.chosen_service(),
                note=form.cleaned_data["note"],
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral sent to {onward.to_service.name} as {onward.reference}.")
            return redirect("referrals:queue")
    return _action_page(request, referral, form, 400, **page)


@login_required
def referral_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = _referral(request, public_id, "close referral form")
    page = {"title": "Close referral", "intro": "For a referral nobody will act on.", "button": "Close referral"}
    if request.method != "POST":
        return _action_page(request, referral, CloseForm(), 200, **page)
    form = CloseForm(request.POST)
    if form.is_valid():
        close = services.referral_withdraw if form.cleaned_data["outcome"] == "withdrawn" else services.referral_cancel
        try:
            close(referral=referral, by=staff_of(request), note=form.cleaned_data["note"], channel=Channel.PAGE)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Referral closed.")
            return redirect("referrals:queue")
    return _action_page(request, referral, form, 400, **page)


# --- Drop-in visits (R12) ---------------------------------------------------------------------


@login_required
def drop_in_list(request: HttpRequest) -> HttpResponse:
    visits = list(drop_in_visits_for(viewer=staff_of(request))[:200])
    return render(request, "referrals/drop_in_list.html", {"visits": visits})


@login_required
def drop_in_new(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    require_clinical(user)
    choices = list(services_of(user).select_related("organisation").order_by("name"))
    page = {
        "title": "Record a drop-in visit",
        "intro": "Record only what the person is happy to give. You can turn the visit into a referral later.",
        "button": "Save visit",
        "cancel_url": "referrals:drop-in-list",
    }
    if request.method != "POST":
        return _action_page(request, None, DropInVisitForm(services=choices), 200, **page)
    form = DropInVisitForm(request.POST, services=choices)
    if form.is_valid():
        try:
            services.drop_in_visit_record(
                service=form.chosen_service(),
                by=user,
                name_or_alias=form.cleaned_data["name_or_alias"],
                year_of_birth=form.cleaned_data["year_of_birth"],
                discussed=form.cleaned_data["discussed"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Drop-in visit saved.")
            return redirect("referrals:drop-in-list")
    return _action_page(request, None, form, 400, **page)


@login_required
def drop_in_convert(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = staff_of(request)
    try:
        visit = drop_in_visit_for(viewer=user, public_id=public_id)
    except DropInVisit.DoesNotExist as exc:
        raise Http404("No such drop-in visit") from exc
    page = {
        "title": f"Make a referral from {visit.name_or_alias}'s visit",
        "intro": "The referral keeps the minimal identity from the visit; triage matches it to a record.",
        "button": "Make referral",
        "cancel_url": "referrals:drop-in-list",
        "visit": visit,
    }
    if request.method != "POST":
        initial = {"reason": visit.discussed[:2000]}
        return _action_page(request, None, DropInConvertForm(initial=initial), 200, **page)
    form = DropInConvertForm(request.POST)
    if form.is_valid():
        try:
            referral = services.drop_in_visit_convert(
                visit=visit,
                by=user,
                to_service=form.chosen_service(),
                reason=form.cleaned_data["reason"],
                urgency=form.cleaned_data["urgency"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral {referral.reference} made to {referral.to_service.name}.")
            return redirect("referrals:drop-in-list")
    return _action_page(request, None, form, 400, **page)
