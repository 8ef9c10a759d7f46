"""Pages: the signed-in member of staff's tasks, and closing one with what was done."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.tasks import services
from coexist.tasks.forms import TaskCompleteForm
from coexist.tasks.models import Task
from coexist.tasks.selectors import task_get, tasks_mine


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    tasks = tasks_mine(viewer=staff_of(request), channel=Channel.PAGE)
    return render(request, "tasks/mine.html", {"tasks": tasks, "now": timezone.now()})


@login_required
def complete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        record, task = task_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail="complete task form"
        )
    except Task.DoesNotExist as exc:
        raise Http404("No such task") from exc
    if not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(AccessDecision(False, "You may read this record but not change this part of it."))
    context = {"task": task, "person": record.person, "now": timezone.now()}
    if not task.is_open:
        messages.info(request, "This task is already closed.")
        return redirect("tasks:mine")
    own_follow_up = getattr(task, "follow_up", None)  # engagement.FollowUp's reverse one-to-one, if any
    if own_follow_up is not None and own_follow_up.is_open:
        # R6: recording what was done on the follow-up is what closes this task.
        return redirect("engagement:follow-up", public_id=own_follow_up.public_id)
    if request.method != "POST":
        return render(request, "tasks/complete.html", {"form": TaskCompleteForm(), **context})
    form = TaskCompleteForm(request.POST)
    if form.is_valid():
        try:
            services.task_complete(
                task=task, by=staff_of(request), outcome=form.cleaned_data["outcome"], channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Task done: {task.title}.")
            return redirect("tasks:mine")
    return render(request, "tasks/complete.html", {"form": form, **context}, status=400)
