"""Pages for groups and drop-in sessions (seed 002, R12). Thin: open, call the service, render."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.assessments.selectors import open_parts
from coexist.audit.models import Channel
from coexist.engagement.groups import selectors, services
from coexist.engagement.groups.forms import (
    AddToRegisterForm,
    CancelForm,
    EnrolForm,
    GroupForm,
    LeaveForm,
    RegisterForm,
    ScheduleForm,
    SessionForm,
)
from coexist.engagement.models import Group, GroupEnrolment, GroupSession
from coexist.forms import add_service_errors
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import people_find

PART = RecordPart.GROUPS


def _group(public_id: UUID | str) -> Group:
    try:
        return Group.objects.select_related("service").get(public_id=public_id)
    except Group.DoesNotExist as exc:
        raise Http404("No such group") from exc


def _session(public_id: UUID) -> GroupSession:
    try:
        return GroupSession.objects.select_related("group__service", "cancelled_by").get(public_id=public_id)
    except GroupSession.DoesNotExist as exc:
        raise Http404("No such session") from exc


def _person(public_id: UUID | str) -> Person:
    try:
        return Person.objects.get(public_id=public_id)
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc


def _when(moment: object) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y at %H:%M}"  # type: ignore[arg-type]


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """Groups of the services the viewer works in (and groups they facilitate), with each one's next session."""
    me = staff_of(request)
    context = {"groups": selectors.groups_for(me), "can_set_up": bool(selectors.services_run_by(me))}
    return render(request, "engagement/groups/list.html", context)


@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    """Set up a group or drop-in for one of the services the viewer works in (clinical staff only)."""
    me = staff_of(request)
    services_run = selectors.services_run_by(me)
    if not services_run:
        raise AccessRefused(AccessDecision(False, "Only clinical staff of a service set up its groups."))
    choices = [(str(s.public_id), f"{s.name} ({s.organisation.name})") for s in services_run]
    form = GroupForm(request.POST or None, services=choices, initial={"kind": "programme"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = next(s for s in services_run if str(s.public_id) == data["service"])
        try:
            group = services.group_create(
                service=service, name=data["name"], kind=data["kind"], description=data["description"], by=me,
                channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{group.name} is set up. Schedule its sessions next.")
            return redirect("groups:schedule", public_id=group.public_id)
    return render(
        request,
        "engagement/groups/new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def group_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A group: upcoming and past sessions, and the people enrolled whom the viewer may see."""
    group = _group(public_id)
    me = staff_of(request)
    selectors.require_group(me, group)
    now = timezone.now()
    sessions = list(group.sessions.prefetch_related("facilitators").order_by("starts_at"))
    register = selectors.group_register(viewer=me, group=group, channel=Channel.PAGE, detail="group page")
    return render(
        request,
        "engagement/groups/detail.html",
        {
            "group": group,
            "upcoming": [s for s in sessions if s.starts_at >= now],
            "past": [s for s in reversed(sessions) if s.starts_at < now][:20],
            "register": register,
            "runs": services.works_in(me, group.service),
        },
    )


@login_required
def group_schedule(request: HttpRequest, public_id: UUID) -> HttpResponse:
    group = _group(public_id)
    me = staff_of(request)
    if not services.works_in(me, group.service):
        raise AccessRefused(AccessDecision(False, f"Only staff of {group.service.name} schedule its sessions."))
    staff = selectors.facilitator_choices(group, me)
    context = {"group": group}
    if request.method != "POST":
        form = ScheduleForm(staff=staff, initial={"facilitators": [str(me.public_id)], "place": _last_place(group)})
        return render(request, "engagement/groups/schedule.html", {**context, "form": form})
    form = ScheduleForm(request.POST, staff=staff)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sessions = services.group_sessions_schedule(
                group=group,
                first=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                facilitators=selectors.users_named(data["facilitators"], staff),
                every_days=data["every_days"],
                occurrences=data["occurrences"],
                by=me,
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, _first_as_on(exc))
        else:
            n = len(sessions)
            messages.success(
                request, f"{n} session{'s' if n != 1 else ''} scheduled from {_when(sessions[0].starts_at)}."
            )
            return redirect("groups:detail", public_id=group.public_id)
    return render(request, "engagement/groups/schedule.html", {**context, "form": form}, status=400)


def _last_place(group: Group) -> str:
    last = group.sessions.order_by("-starts_at").values_list("place", flat=True).first()
    return last or ""


def _first_as_on(exc: ValidationError) -> ValidationError:
    """The service names the start `first` or `starts_at`; the form calls it `on`."""
    if hasattr(exc, "error_dict"):
        return ValidationError({("on" if k in ("first", "starts_at") else k): v for k, v in exc.error_dict.items()})
    return exc


@login_required
def group_enrol(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Enrol someone from the viewer's caseload in this group."""
    group = _group(public_id)
    me = staff_of(request)
    selectors.require_group(me, group)
    enrolled = set(GroupEnrolment.objects.current().filter(group=group).values_list("person_id", flat=True))
    people = [p for p in people_find(viewer=me, query="", channel=Channel.PAGE) if p.pk not in enrolled]
    choices = [(str(p.public_id), p.full_name) for p in people]
    context = {"group": group, "title": f"Enrol someone in {group.name}", "back": group}
    form = EnrolForm(request.POST or None, label="Who?", choices=choices)
    if request.method == "POST" and form.is_valid():
        person = _person(form.cleaned_data["choice"])
        if _enrolled(request, form, group=group, person=person, by=me):
            return redirect("groups:detail", public_id=group.public_id)
    return _enrol_page(request, {**context, "form": form})


def _enrolled(request: HttpRequest, form: EnrolForm, *, group: Group, person: Person, by: User) -> bool:
    """Enrol through the service; say so, or put its refusal on the form's one choice field."""
    try:
        services.group_enrol(group=group, person=person, by=by, channel=Channel.PAGE)
    except ValidationError as exc:
        add_service_errors(form, _as_choice(exc))
        return False
    messages.success(request, f"{person.full_name} is enrolled in {group.name}.")
    return True


def _enrol_page(request: HttpRequest, context: dict[str, object]) -> HttpResponse:
    return render(request, "engagement/groups/enrol.html", context, status=400 if request.method == "POST" else 200)


def _as_choice(exc: ValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({("choice" if k in ("person", "group") else k): v for k, v in exc.error_dict.items()})
    return exc


@login_required
def person_enrol(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """Enrol this person in one of the viewer's groups (from the person page)."""
    person = _person(person_id)
    me = staff_of(request)
    record = open_parts(viewer=me, person=person, parts=[PART], channel=Channel.PAGE, detail="enrol in a group form")
    if not record.can_write(PART):
        raise AccessRefused(AccessDecision(False, "You may read this person's group attendance but not change it."))
    enrolled = set(GroupEnrolment.objects.current().filter(person=person).values_list("group_id", flat=True))
    groups = [g for g in selectors.groups_for(me) if g.pk not in enrolled]
    choices = [(str(g.public_id), f"{g.name} ({g.service.name})") for g in groups]
    context = {"person": person, "title": f"Enrol {person.full_name} in a group"}
    form = EnrolForm(request.POST or None, label="Which group?", choices=choices)
    if request.method == "POST" and form.is_valid():
        group = _group(form.cleaned_data["choice"])
        if _enrolled(request, form, group=group, person=person, by=me):
            return redirect("people:detail", public_id=person.public_id)
    return _enrol_page(request, {**context, "form": form})


@login_required
def enrolment_end(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The person leaves a group, with a reason."""
    try:
        enrolment = GroupEnrolment.objects.select_related("group", "person").get(public_id=public_id)
    except GroupEnrolment.DoesNotExist as exc:
        raise Http404("No such enrolment") from exc
    me = staff_of(request)
    person = enrolment.person
    record = open_parts(viewer=me, person=person, parts=[PART], channel=Channel.PAGE, detail="leave group form")
    if not record.can_write(PART):
        raise AccessRefused(AccessDecision(False, "You may read this person's group attendance but not change it."))
    context = {"person": person, "enrolment": enrolment}
    if not enrolment.is_current:
        return render(request, "engagement/groups/leave.html", {**context, "form": None})
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_enrolment_end(
                enrolment=enrolment, reason=form.cleaned_data["reason"], by=me, channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} has left {enrolment.group.name}.")
            return redirect("people:detail", public_id=person.public_id)
    return render(
        request,
        "engagement/groups/leave.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _register_form(session: GroupSession, register: selectors.Register, data: object = None) -> RegisterForm:
    people = [
        (str(line.person.public_id), line.person.full_name, line.attendance.status if line.attendance else "")
        for line in register.lines
        if line.can_write
    ]
    return RegisterForm(data, people=people, initial={"anonymous_count": session.anonymous_count})


@login_required
def session_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A session: when, where, who runs it, its register and anonymous count (R12), and cancelling it."""
    session = _session(public_id)
    me = staff_of(request)
    selectors.require_group(me, session.group)
    facilitators = list(session.facilitators.all())
    facilitating = any(u.pk == me.pk for u in facilitators)
    posting = request.method == "POST"
    if posting and not facilitating:
        raise AccessRefused(AccessDecision(False, "Only the session's facilitators record its register."))
    register = selectors.session_register(
        viewer=me,
        session=session,
        channel=Channel.PAGE,
        detail="record group register" if posting else "group session page",
    )
    can_record = facilitating and not session.is_cancelled
    form = _register_form(session, register, request.POST if posting else None) if can_record else None
    if posting and form is not None and form.is_valid():
        marks = {_person(pid): mark for pid, mark in form.marks().items()}
        try:
            services.group_register_record(
                session=session,
                marks=marks,
                anonymous_count=form.cleaned_data["anonymous_count"],
                by=me,
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Register saved. Missing a group session never creates a follow-up task.")
            return redirect("groups:session", public_id=session.public_id)
    context = {
        "session": session,
        "group": session.group,
        "facilitators": facilitators,
        "facilitating": facilitating,
        "register": register,
        "totals": selectors.session_totals(session, register),
        "form": form,
        "runs": facilitating or services.works_in(me, session.group.service),
        "started": session.starts_at <= timezone.now(),
    }
    return render(request, "engagement/groups/session.html", context, status=400 if posting else 200)


@login_required
def session_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Someone not enrolled came: enrol them and put them on the register."""
    session = _session(public_id)
    me = staff_of(request)
    if not session.facilitators.filter(pk=me.pk).exists():
        raise AccessRefused(AccessDecision(False, "Only the session's facilitators record its register."))
    enrolled = set(
        GroupEnrolment.objects.current().filter(group_id=session.group_id).values_list("person_id", flat=True)
    )
    people = [
        (str(p.public_id), p.full_name)
        for p in people_find(viewer=me, query="", channel=Channel.PAGE)
        if p.pk not in enrolled
    ]
    context = {"session": session, "group": session.group}
    form = AddToRegisterForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = _person(form.cleaned_data["person"])
        try:
            services.group_register_add(
                session=session, person=person, status=form.cleaned_data["status"], by=me, channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} is enrolled and on the register.")
            return redirect("groups:session", public_id=session.public_id)
    return render(
        request,
        "engagement/groups/add.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def session_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change this one session; the rest of its set stays as it was."""
    session = _session(public_id)
    me = staff_of(request)
    facilitators = list(session.facilitators.all())
    if not (services.works_in(me, session.group.service) or any(u.pk == me.pk for u in facilitators)):
        raise AccessRefused(AccessDecision(False, f"Only staff of {session.group.service.name} change its sessions."))
    staff = selectors.facilitator_choices(session.group, me, facilitators)
    local = timezone.localtime(session.starts_at)
    initial = {
        "on": local.date(),
        "at": f"{local:%H:%M}",
        "duration_minutes": session.duration_minutes,
        "place": session.place,
        "facilitators": [str(u.public_id) for u in facilitators],
    }
    context = {"session": session, "group": session.group}
    form = SessionForm(request.POST or None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.group_session_update(
                session=session,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                facilitators=selectors.users_named(data["facilitators"], staff),
                by=me,
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, _first_as_on(exc))
        else:
            messages.success(request, "Session changed. Other sessions of the group are unchanged.")
            return redirect("groups:session", public_id=session.public_id)
    return render(
        request,
        "engagement/groups/edit.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def session_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Cancel this one session with a reason; the record stays."""
    session = _session(public_id)
    me = staff_of(request)
    if not (services.works_in(me, session.group.service) or session.facilitators.filter(pk=me.pk).exists()):
        raise AccessRefused(AccessDecision(False, f"Only staff of {session.group.service.name} cancel its sessions."))
    context = {"session": session, "group": session.group}
    if session.is_cancelled:
        return render(request, "engagement/groups/cancel.html", {**context, "form": None})
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_session_cancel(
                session=session, reason=form.cleaned_data["reason"], by=me, channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The session on {_when(session.starts_at)} is cancelled.")
            return redirect("groups:detail", public_id=session.group.public_id)
    return render(
        request,
        "engagement/groups/cancel.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )
