"""Pages: a person's episodes of care, one episode with its care team, naming the care coordinator (R3),
adding and ending care team places, and the team leader's list (R3, R13, R15)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.care import services
from coexist.care.forms import CareTeamAddForm, CareTeamEndForm, CoordinatorForm
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.selectors import (
    care_team_candidates,
    care_team_member_get,
    care_team_of,
    coordinator_candidates,
    episode_get,
    episodes_of,
    team_leader_list,
)
from coexist.forms import add_service_errors
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import OpenedRecord, person_open

_READ_ONLY = AccessDecision(False, "You may read this record but not change this part of it.")


def _episode(
    request: HttpRequest, public_id: UUID, detail: str, *, to_change: bool = False
) -> tuple[OpenedRecord, EpisodeOfCare]:
    try:
        record, episode = episode_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail
        )
    except EpisodeOfCare.DoesNotExist as exc:
        raise Http404("No such episode of care") from exc
    if to_change and not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    return record, episode


@login_required
def person_episodes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        record = person_open(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail="episodes page"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    if not record.can_read(RecordPart.EPISODES):
        raise AccessRefused(
            AccessDecision(False, "The person has not agreed to share their episodes of care with your organisation.")
        )
    context = {
        "record": record,
        "person": record.person,
        "episodes": episodes_of(record),
        "care_team": care_team_of(record),
        "can_change": record.can_write(RecordPart.EPISODES),
    }
    return render(request, "care/person_episodes.html", context)


@login_required
def episode_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record, episode = _episode(request, public_id, "episode page")
    referral_url = None
    if episode.referral is not None:
        referral_url = reverse("referrals:detail", args=[episode.referral.public_id])
    context = {
        "record": record,
        "person": record.person,
        "episode": episode,
        "care_team": care_team_of(record, episode=episode, include_ended=True),
        "can_change": record.can_write(RecordPart.EPISODES) and episode.is_open,
        "referral_url": referral_url,
    }
    return render(request, "care/episode_detail.html", context)


@login_required
def episode_coordinator(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R3: name (or change) the care coordinator."""
    record, episode = _episode(request, public_id, "assign care coordinator form", to_change=True)
    candidates = [user for user in coordinator_candidates(episode) if user.pk != episode.coordinator_id]
    context = {"person": record.person, "episode": episode, "candidates": candidates}
    if request.method != "POST":
        return render(
            request, "care/episode_coordinator.html", {"form": CoordinatorForm(candidates=candidates), **context}
        )
    form = CoordinatorForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            services.episode_assign_coordinator(
                episode=episode, coordinator=form.chosen(), by=staff_of(request), channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{form.chosen().display_name} is now the care coordinator.")
            return redirect("care:episode", public_id=episode.public_id)
    return render(request, "care/episode_coordinator.html", {"form": form, **context}, status=400)


@login_required
def care_team_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record, episode = _episode(request, public_id, "add to care team form", to_change=True)
    candidates = care_team_candidates()
    context = {"person": record.person, "episode": episode}
    if request.method != "POST":
        return render(request, "care/care_team_new.html", {"form": CareTeamAddForm(candidates=candidates), **context})
    form = CareTeamAddForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            member = services.care_team_add(
                episode=episode,
                person=record.person,
                user=form.chosen(),
                role=form.cleaned_data["role"],
                started_on=form.cleaned_data["started_on"],
                by=staff_of(request),
                channel=Channel.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{member.user.display_name} added to the care team.")
            return redirect("care:episode", public_id=episode.public_id)
    return render(request, "care/care_team_new.html", {"form": form, **context}, status=400)


@login_required
def care_team_end(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        record, member = care_team_member_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail="end care team place form"
        )
    except CareTeamMember.DoesNotExist as exc:
        raise Http404("No such care team place") from exc
    if not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    back = (
        reverse("care:episode", args=[member.episode.public_id])
        if member.episode is not None
        else reverse("care:person-episodes", args=[record.person.public_id])
    )
    context = {"person": record.person, "member": member, "back": back}
    if request.method != "POST":
        return render(request, "care/care_team_end.html", {"form": CareTeamEndForm(), **context})
    form = CareTeamEndForm(request.POST)
    if form.is_valid():
        try:
            services.care_team_end(member=member, ended_on=form.end_date(), by=staff_of(request), channel=Channel.PAGE)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{member.user.display_name}'s place in the care team has ended.")
            return redirect(back)
    return render(request, "care/care_team_end.html", {"form": form, **context}, status=400)


@login_required
def team_leader(request: HttpRequest) -> HttpResponse:
    """R3, R6, R13, R15: what the teams you lead must put right, each row linking to the action that clears it."""
    worklists = team_leader_list(viewer=staff_of(request), channel=Channel.PAGE)
    return render(request, "care/team_leader.html", {"worklists": worklists})
