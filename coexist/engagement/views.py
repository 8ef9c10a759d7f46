"""Pages for appointments (R4) and following up missed ones (R6). Thin: open, call the service, render."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.engagement import services
from coexist.engagement.forms import BookForm, FollowUpActionForm, OutcomeForm
from coexist.engagement.models import Appointment, FollowUp
from coexist.engagement.rules import is_missed
from coexist.engagement.selectors import (
    PART,
    appointments_of,
    follow_up_actions,
    open_appointments_record,
    service_for,
    worker_choices,
    worker_named,
)
from coexist.forms import add_service_errors
from coexist.people.models import Person


def _person(public_id: UUID) -> Person:
    try:
        return Person.objects.get(public_id=public_id)
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc


def _appointment(public_id: UUID) -> Appointment:
    try:
        return Appointment.objects.select_related("person", "staff", "second_staff", "service", "series").get(
            public_id=public_id
        )
    except Appointment.DoesNotExist as exc:
        raise Http404("No such appointment") from exc


def _follow_up(public_id: UUID) -> FollowUp:
    try:
        return FollowUp.objects.select_related("person", "appointment", "task__assigned_to").get(public_id=public_id)
    except FollowUp.DoesNotExist as exc:
        raise Http404("No such follow-up") from exc


def _when(moment: object) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y at %H:%M}"  # type: ignore[arg-type]


@login_required
def person_appointments(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """A person's appointments, upcoming and past, with open follow-ups (overdue marked)."""
    found = appointments_of(
        viewer=staff_of(request), person=_person(person_id), channel=Channel.PAGE, detail="appointments page"
    )
    return render(
        request,
        "engagement/person_appointments.html",
        {"person": found.person, "found": found, "now": timezone.now()},
    )


@login_required
def appointment_book(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = _person(person_id)
    me = staff_of(request)
    open_appointments_record(
        viewer=me, person=person, channel=Channel.PAGE, detail="book appointment form", to_change=True
    )
    workers = worker_choices(person, me)
    context = {"person": person}
    if request.method != "POST":
        form = BookForm(workers=workers, initial={"staff": str(me.public_id), "mode": "in_person"})
        return render(request, "engagement/book.html", {**context, "form": form})
    form = BookForm(request.POST, workers=workers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            staff = worker_named(person, me, data["staff"], "staff")
            second = worker_named(person, me, data["second_staff"], "second_staff") if data["second_staff"] else None
            service, episode = service_for(staff, person)
            appointment = services.appointment_book(
                person=person,
                service=service,
                staff=staff,
                second_staff=second,
                starts_at=data["starts_at"],
                mode=data["mode"],
                duration_minutes=data["duration_minutes"],
                episode=episode,
                every_days=data["every_days"],
                occurrences=data["occurrences"],
                by=me,
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = f"Appointment booked for {_when(appointment.starts_at)}."
            if data["every_days"]:
                text = (
                    f"{data['occurrences']} appointments booked, every {data['every_days']} days"
                    f" from {_when(appointment.starts_at)}."
                )
            messages.success(request, text)
            return redirect("engagement:person", person_id=person.public_id)
    return render(request, "engagement/book.html", {**context, "form": form}, status=400)


@login_required
def appointment_outcome(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Record what happened. On a miss the service creates the R6 follow-up; the message says for whom."""
    appointment = _appointment(public_id)
    person = appointment.person
    open_appointments_record(
        viewer=staff_of(request), person=person, channel=Channel.PAGE, detail="appointment outcome form", to_change=True
    )
    context = {"person": person, "appointment": appointment}
    if request.method != "POST":
        form = None if appointment.has_outcome else OutcomeForm()
        return render(request, "engagement/outcome.html", {**context, "form": form})
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            recorded = services.appointment_record_outcome(
                appointment=appointment,
                outcome=form.cleaned_data["outcome"],
                plan_reviewed=form.cleaned_data["plan_reviewed"],
                plan_change=form.cleaned_data["plan_change"],
                by=staff_of(request),
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = f"Outcome recorded: {recorded.get_status_display().lower()}."
            if is_missed(recorded.status):
                follow_up = FollowUp.objects.select_related("task__assigned_to").get(appointment=recorded)
                owner = follow_up.task.assigned_to
                text += (
                    f" A follow-up task was created for {owner.display_name if owner else 'the care team'},"
                    f" due {_when(follow_up.due_at)}."
                )
            messages.success(request, text)
            return redirect("engagement:person", person_id=person.public_id)
    return render(request, "engagement/outcome.html", {**context, "form": form}, status=400)


@login_required
def follow_up_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R6: a follow-up, what has been done so far, and recording the next attempt."""
    follow_up = _follow_up(public_id)
    person = follow_up.person
    posting = request.method == "POST"
    record = open_appointments_record(
        viewer=staff_of(request),
        person=person,
        channel=Channel.PAGE,
        detail="record follow-up action" if posting else "follow-up page",
        to_change=posting,
    )
    can_record = follow_up.is_open and record.can_write(PART)
    context = {
        "person": person,
        "follow_up": follow_up,
        "actions": follow_up_actions(follow_up),
        "now": timezone.now(),
    }
    if request.method != "POST":
        return render(
            request, "engagement/follow_up.html", {**context, "form": FollowUpActionForm() if can_record else None}
        )
    form = FollowUpActionForm(request.POST)
    if form.is_valid():
        try:
            action = services.follow_up_record_action(
                follow_up=follow_up, by=staff_of(request), channel=Channel.PAGE, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = f"Recorded: {action.get_kind_display().lower()}, {action.get_result_display().lower()}."
            if follow_up.completed_at is not None:
                text += " The follow-up is complete and its task is closed."
            else:
                text += " The follow-up stays open until the person is reached."
            messages.success(request, text)
            return redirect("engagement:follow-up", public_id=follow_up.public_id)
    return render(request, "engagement/follow_up.html", {**context, "form": form}, status=400)


@require_POST
@login_required
def series_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Cancel this appointment and the later ones of its series that are still booked."""
    appointment = _appointment(public_id)
    person = appointment.person
    try:
        cancelled = services.series_cancel_remaining(
            appointment=appointment,
            outcome=request.POST.get("outcome", ""),
            by=staff_of(request),
            channel=Channel.PAGE,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("engagement:outcome", public_id=appointment.public_id)
    messages.success(request, f"{len(cancelled)} appointments cancelled, from {_when(cancelled[0].starts_at)}.")
    return redirect("engagement:person", person_id=person.public_id)
