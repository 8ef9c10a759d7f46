"""Pages for advice requests to the addictions consultant (seeds 001, 002): the consultant's worklist, a
person's advice history, ask, answer, withdraw. Thin: open through the selectors, change through the services."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.advice import selectors, services
from coexist.advice.forms import AnswerForm, AskForm, WithdrawForm
from coexist.advice.models import AdviceRequest, AdviceStatus
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart

_READ_ONLY = AccessDecision(False, "You may read this record but not change this part of it.")


def _advice(request: HttpRequest, public_id: UUID, detail: str) -> AdviceRequest:
    try:
        record, advice = selectors.advice_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail
        )
    except AdviceRequest.DoesNotExist as exc:
        raise Http404("No such advice request") from exc
    if not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    return advice


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """The consultant's open requests with their age, urgent first then oldest first; answered recently below."""
    lines = selectors.advice_worklist(viewer=staff_of(request), channel=Channel.PAGE)
    return render(request, "advice/worklist.html", {"worklist": lines})


@login_required
def person(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """A person's advice requests: every question and answer, newest first."""
    try:
        record, requests = selectors.person_advice(
            viewer=staff_of(request), person_id=person_id, channel=Channel.PAGE, detail="advice requests page"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    context = {
        "person": record.person,
        "requests": requests,
        "can_ask": record.can_write(RecordPart.EPISODES),
        "me": staff_of(request),
    }
    return render(request, "advice/person.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """Ask a named addictions consultant a question about the person."""
    me = staff_of(request)
    try:
        record = selectors.open_for_episodes(
            viewer=me, person_id=person_id, channel=Channel.PAGE, detail="ask advice form"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    if not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    people = {str(u.public_id): u for u in selectors.consultants() if u.pk != me.pk}
    episodes = {str(e.public_id): e for e in selectors.open_episodes_of(record)}
    form = AskForm(
        request.POST or None,
        consultants=[(key, u.display_name) for key, u in people.items()],
        episodes=[(key, f"{e.service.name}, opened {e.opened_at:%d %B %Y}") for key, e in episodes.items()],
    )
    context = {"person": record.person, "form": form}
    if request.method != "POST":
        return render(request, "advice/ask.html", context)
    if form.is_valid():
        consultant: User = people[form.cleaned_data["consultant"]]
        try:
            advice = services.advice_ask(
                person=record.person, consultant=consultant, question=form.cleaned_data["question"],
                urgent=form.cleaned_data["urgent"], episode=episodes.get(form.cleaned_data["episode"] or ""),
                by=me, channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Question sent to {advice.consultant.display_name}.")
            return redirect("advice:person", person_id=record.person.public_id)
    return render(request, "advice/ask.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The consultant who was asked answers the question."""
    advice = _advice(request, public_id, "answer advice form")
    me = staff_of(request)
    if advice.consultant_id != me.pk:
        raise AccessRefused(AccessDecision(False, f"Only {advice.consultant.display_name}, who was asked, can answer."))
    if advice.status != AdviceStatus.OPEN:
        messages.info(request, f"This request is already {advice.get_status_display().lower()}.")
        return redirect("advice:person", person_id=advice.person.public_id)
    form = AnswerForm(request.POST or None)
    context = {"person": advice.person, "advice": advice, "form": form}
    if request.method != "POST":
        return render(request, "advice/answer.html", context)
    if form.is_valid():
        try:
            services.advice_answer(advice=advice, answer=form.cleaned_data["answer"], by=me, channel=Channel.PAGE)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Answer saved. It stays on the record with the question.")
            return redirect("advice:worklist")
    return render(request, "advice/answer.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The asker withdraws an open question, with a reason."""
    advice = _advice(request, public_id, "withdraw advice form")
    me = staff_of(request)
    if advice.asked_by_id != me.pk:
        raise AccessRefused(AccessDecision(False, "Only the person who asked can withdraw the question."))
    if advice.status != AdviceStatus.OPEN:
        messages.info(request, f"This request is already {advice.get_status_display().lower()}.")
        return redirect("advice:person", person_id=advice.person.public_id)
    form = WithdrawForm(request.POST or None)
    context = {"person": advice.person, "advice": advice, "form": form}
    if request.method != "POST":
        return render(request, "advice/withdraw.html", context)
    if form.is_valid():
        try:
            services.advice_withdraw(advice=advice, reason=form.cleaned_data["reason"], by=me, channel=Channel.PAGE)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Question withdrawn.")
            return redirect("advice:person", person_id=advice.person.public_id)
    return render(request, "advice/withdraw.html", context, status=400)
