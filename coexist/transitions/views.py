"""Pages for discharges and transfers (R8, R9). Thin: open through the selectors, change through the services."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.care.reviews.selectors import care_team_practitioners
from coexist.care.selectors import episode_get
from coexist.forms import add_service_errors
from coexist.organisations.models import Membership, Team
from coexist.people.permissions import AccessRefused, may
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord
from coexist.transitions.forms import AnswerForm, CompleteForm, HousingForm, InviteForm, StartForm
from coexist.transitions.models import Transition, TransitionKind, TransitionStatus
from coexist.transitions.rules import ChecklistItem, open_items, period_refusal
from coexist.transitions.selectors import (
    checklist_for,
    discharge_figures_for,
    incoming_for,
    open_transition_for,
    transition_get,
)
from coexist.transitions.services import (
    transition_answer,
    transition_complete,
    transition_housing,
    transition_invite,
    transition_send,
    transition_start,
)

_READ_ONLY = AccessDecision(False, "You may read this record but not change this part of it.")


def _open(
    request: HttpRequest, public_id: UUID, detail: str, *, to_change: bool = False
) -> tuple[OpenedRecord, Transition]:
    try:
        record, transition = transition_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail
        )
    except Transition.DoesNotExist as exc:
        raise Http404("No such discharge or transfer") from exc
    if to_change and not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    return record, transition


def _reverse(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _links(transition: Transition) -> dict[str, str | None]:
    """Where each kind of item is cleared."""
    person = transition.person.public_id
    referral = _reverse("referrals:new")
    return {
        "invite": reverse("transitions:invite", args=[transition.public_id]),
        "housing": reverse("transitions:housing", args=[transition.public_id]),
        "care_plan": _reverse("careplans:edit", person),
        "referral": f"{referral}?person={person}" if referral else None,
        "medicines": _reverse("medicines:person", person),
        "booking": _reverse("engagement:book", person),
    }


def _rows(transition: Transition, items: list[ChecklistItem]) -> list[dict[str, object]]:
    links = _links(transition) if transition.is_open else {}
    return [{"item": item, "link": links.get(item.clears_with) if item.is_open else None} for item in items]


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, episode_id: UUID) -> HttpResponse:
    """Start planning a discharge or a transfer of this episode."""
    try:
        record, episode = episode_get(
            viewer=staff_of(request), public_id=episode_id, channel=Channel.PAGE, detail="start discharge or transfer"
        )
    except EpisodeOfCare.DoesNotExist as exc:
        raise Http404("No such episode of care") from exc
    if not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    current = open_transition_for(episode)
    if current is not None:
        messages.info(request, "A discharge or transfer of this episode is already being planned.")
        return redirect("transitions:detail", public_id=current.public_id)
    teams = list(
        Team.objects.exclude(pk=episode.team_id)
        .select_related("service__organisation")
        .order_by("service__organisation__name", "service__name", "name")
    )
    form = StartForm(request.POST or None, teams=teams)
    context = {"person": record.person, "episode": episode}
    if request.method == "POST" and form.is_valid():
        try:
            created = transition_start(
                episode=episode, kind=form.cleaned_data["kind"], to_team=form.chosen_team(),
                discharge_reason=form.cleaned_data["discharge_reason"], planned_for=form.cleaned_data["planned_for"],
                destination=form.cleaned_data["destination"], by=staff_of(request), channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{created.get_kind_display()} started. Work through the checklist.")
            return redirect("transitions:detail", public_id=created.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "transitions/start.html", {**context, "form": form}, status=status)


@login_required
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The checklist: every item with why it is met or not, and where to clear it."""
    record, transition = _open(request, public_id, "discharge or transfer checklist")
    if transition.is_open:
        items = checklist_for(transition)
        rows = _rows(transition, items)
    else:
        rows = [{"item": ChecklistItem(str(i.get("key", "")), str(i.get("title", "")), bool(i.get("met")),
                                       bool(i.get("applies")), str(i.get("explanation", ""))), "link": None}
                for i in transition.checklist_at_completion]  # fmt: skip
        items = [row["item"] for row in rows]  # type: ignore[misc]
    context = {
        "person": record.person,
        "transition": transition,
        "rows": rows,
        "open_count": len(open_items(items)),
        "can_change": record.can_write(RecordPart.EPISODES) and transition.status == TransitionStatus.PLANNING,
        "invitees": list(transition.invitees.select_related("user", "organisation")),
        "overridden": set(transition.overridden_items),
    }
    return render(request, "transitions/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R8: set the meeting and invite everyone involved."""
    record, transition = _open(request, public_id, "invite to discharge or transfer meeting", to_change=True)
    choices: dict[int, tuple[User, str]] = {
        p.user.pk: (p.user, f"{p.user.display_name} ({p.organisation_name}, in the care team)")
        for p in care_team_practitioners(record.person)
    }
    if transition.to_team_id is not None:
        for m in Membership.objects.current().clinical().filter(team_id=transition.to_team_id).select_related("user"):
            choices.setdefault(m.user_id, (m.user, f"{m.user.display_name} ({transition.to_team}, receiving team)"))
    invited = [str(i.user.public_id) for i in transition.invitees.select_related("user")]
    initial: dict[str, object] = {"invitees": invited or [str(u.public_id) for u, _ in choices.values()]}
    if transition.meeting_at:
        local = timezone.localtime(transition.meeting_at)
        initial |= {"meeting_on": local.date(), "meeting_time": f"{local:%H:%M}"}
    form = InviteForm(request.POST or None, initial=initial, choices=list(choices.values()))
    context = {"person": record.person, "transition": transition}
    if request.method == "POST" and form.is_valid():
        try:
            transition_invite(
                transition=transition, users=form.chosen(), meeting_at=form.meeting_at(), by=staff_of(request),
                channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Meeting and invitations saved.")
            return redirect("transitions:detail", public_id=transition.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "transitions/invite.html", {**context, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def housing(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R8: housing support in place, or not needed (refused for someone homeless)."""
    record, transition = _open(request, public_id, "record housing support", to_change=True)
    initial = {"housing_support": transition.housing_support, "housing_note": transition.housing_note}
    form = HousingForm(request.POST or None, initial=initial)
    context = {"person": record.person, "transition": transition}
    if request.method == "POST" and form.is_valid():
        try:
            transition_housing(
                transition=transition, support=form.cleaned_data["housing_support"],
                note=form.cleaned_data["housing_note"], by=staff_of(request), channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Housing support recorded.")
            return redirect("transitions:detail", public_id=transition.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "transitions/housing.html", {**context, "form": form}, status=status)


def _finish_page(request: HttpRequest, public_id: UUID, *, kind: str) -> HttpResponse:
    verb = "complete discharge" if kind == TransitionKind.DISCHARGE else "send transfer"
    record, transition = _open(request, public_id, verb, to_change=True)
    if transition.kind != kind or transition.status != TransitionStatus.PLANNING:
        messages.info(request, f"This {transition.get_kind_display().lower()} is "
                               f"{transition.get_status_display().lower()}.")  # fmt: skip
        return redirect("transitions:detail", public_id=transition.public_id)
    items = checklist_for(transition)
    form = CompleteForm(request.POST or None)
    context = {"person": record.person, "transition": transition, "open": open_items(items)}
    template = "transitions/complete.html" if kind == TransitionKind.DISCHARGE else "transitions/send.html"
    if request.method == "POST" and form.is_valid():
        service = transition_complete if kind == TransitionKind.DISCHARGE else transition_send
        try:
            service(
                transition=transition, by=staff_of(request), channel=Channel.PAGE,
                override_reason=form.cleaned_data["override_reason"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if kind == TransitionKind.DISCHARGE:
                messages.success(request, "Discharge completed. Group places are kept: the person can keep attending.")
                if not may(staff_of(request), record.person, Action.READ, RecordPart.EPISODES).allowed:
                    # The discharge finished the episode that let this member of staff (a ward nurse, say)
                    # see the record: the checklist page would now refuse them.
                    return redirect("home")
            else:
                messages.success(request, f"Transfer sent to {transition.to_team} for acceptance.")
            return redirect("transitions:detail", public_id=transition.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R8/R9: complete the discharge, or a senior clinician overrides the open items with a reason."""
    return _finish_page(request, public_id, kind=TransitionKind.DISCHARGE)


@login_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R8: send the transfer to the receiving team for acceptance."""
    return _finish_page(request, public_id, kind=TransitionKind.TRANSFER)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R8: the receiving team accepts (naming the new coordinator) or declines."""
    record, transition = _open(request, public_id, "answer transfer", to_change=True)
    if transition.status != TransitionStatus.AWAITING_ACCEPTANCE or transition.to_team_id is None:
        messages.info(request, "This transfer is not waiting for an answer.")
        return redirect("transitions:detail", public_id=transition.public_id)
    from coexist.care.rules import COORDINATOR_ROLES

    coordinators = list(
        User.objects.filter(
            pk__in=Membership.objects.current()
            .filter(team_id=transition.to_team_id, role__in=COORDINATOR_ROLES)
            .values("user_id"),
            is_active=True,
        ).order_by("last_name", "first_name")
    )
    assert transition.to_team is not None
    form = AnswerForm(request.POST or None, coordinators=coordinators, service_kind=transition.to_team.service.kind)
    items = checklist_for(transition)
    context = {"person": record.person, "transition": transition, "rows": _rows(transition, items)}
    if request.method == "POST" and form.is_valid():
        try:
            transition_answer(
                transition=transition, by=staff_of(request), channel=Channel.PAGE,
                accept=form.cleaned_data["answer"] == "accept", new_coordinator=form.coordinator(),
                decline_code=form.cleaned_data["decline_code"], decline_reason=form.cleaned_data["decline_reason"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            accepted = form.cleaned_data["answer"] == "accept"
            messages.success(request, "Transfer accepted: the episode is now your team's." if accepted
                             else "Transfer declined: the episode stays with the sending team.")  # fmt: skip
            return redirect("transitions:detail", public_id=transition.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "transitions/answer.html", {**context, "form": form}, status=status)


@login_required
def incoming(request: HttpRequest) -> HttpResponse:
    """Transfers waiting for an answer from the viewer's teams."""
    found = incoming_for(viewer=staff_of(request), channel=Channel.PAGE)
    return render(request, "transitions/incoming.html", {"transfers": found})


def parse_period(
    raw_from: str | None, raw_to: str | None, *, today: date
) -> tuple[date | None, date | None, dict[str, str]]:
    """The figures' period from ?from=&to= (ISO dates); the last 12 months when both are absent."""
    if not raw_from and not raw_to:
        return today - timedelta(days=365), today, {}
    parsed: dict[str, date | None] = {}
    errors: dict[str, str] = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        try:
            parsed[name] = date.fromisoformat((raw or "").strip()[:10]) if raw else None
        except ValueError:
            parsed[name] = None
            errors[name] = "Enter a date as year-month-day, for example 2026-01-31."
    start, end = parsed["from"], parsed["to"]
    errors = period_refusal(start=start, end=end, today=today) | errors
    return start, end, errors


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """The team leader's ward discharge figures for a period (R9, issue 5)."""
    start_on, end_on, errors = parse_period(request.GET.get("from"), request.GET.get("to"), today=timezone.localdate())
    context: dict[str, object] = {"errors": errors, "raw_from": request.GET.get("from", ""),
                                  "raw_to": request.GET.get("to", "")}  # fmt: skip
    if errors or start_on is None or end_on is None:
        return render(request, "transitions/figures.html", context, status=400)
    page = discharge_figures_for(viewer=staff_of(request), start=start_on, end=end_on, channel=Channel.PAGE)
    context |= {"page": page, "raw_from": start_on.isoformat(), "raw_to": end_on.isoformat()}
    return render(request, "transitions/figures.html", context)
