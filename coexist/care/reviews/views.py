"""Case review pages (R7): book a review on an episode, see one, record its outcome, cancel it.
Thin: open through the selectors, change through the services."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.care.models import CaseReview, EpisodeOfCare
from coexist.care.reviews.forms import CancelForm, OutcomeForm, ScheduleForm
from coexist.care.reviews.rules import needs_case_review, twelve_months_after
from coexist.care.reviews.selectors import care_team_practitioners, case_review_get, due_for_episodes
from coexist.care.reviews.services import case_review_cancel, case_review_record_outcome, case_review_schedule
from coexist.care.selectors import care_team_candidates, episode_get
from coexist.forms import add_service_errors
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import OpenedRecord

_READ_ONLY = AccessDecision(False, "You may read this record but not change this part of it.")


def _review(
    request: HttpRequest, public_id: UUID, detail: str, *, to_change: bool = False
) -> tuple[OpenedRecord, CaseReview]:
    try:
        record, review = case_review_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail
        )
    except CaseReview.DoesNotExist as exc:
        raise Http404("No such case review") from exc
    if to_change and not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    return record, review


@login_required
@require_http_methods(["GET", "POST"])
def review_schedule(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R7: book a multi-agency review on this episode, inviting every agency in the care team."""
    try:
        record, episode = episode_get(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail="schedule case review form"
        )
    except EpisodeOfCare.DoesNotExist as exc:
        raise Http404("No such episode of care") from exc
    if not record.can_write(RecordPart.EPISODES):
        raise AccessRefused(_READ_ONLY)
    person = record.person
    care_team = care_team_practitioners(person)
    due = due_for_episodes([episode], today=timezone.localdate()).get(episode.pk)
    context = {
        "person": person,
        "episode": episode,
        "due": due,
        "needs_review": needs_case_review(service_kind=episode.service.kind) and episode.is_open,
        "organisations": sorted({name for p in care_team for name in p.organisations}),
    }
    form = ScheduleForm(request.POST or None, care_team=care_team, others=care_team_candidates())
    if request.method != "POST":
        return render(request, "care/reviews/schedule.html", {**context, "form": form})
    if form.is_valid():
        try:
            review = case_review_schedule(
                episode=episode, scheduled_for=form.cleaned_data["scheduled_for"],
                reason=form.cleaned_data["reason"], reason_detail=form.cleaned_data["reason_detail"],
                invitees=form.chosen(), person_invited=form.cleaned_data["person_invited"],
                carers_invited=form.cleaned_data["carers_invited"], by=staff_of(request), channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Case review booked for {timezone.localtime(review.scheduled_for):%d %B %Y at %H:%M}."
            )
            return redirect("casereviews:detail", public_id=review.public_id)
    return render(request, "care/reviews/schedule.html", {**context, "form": form}, status=400)


@login_required
def review_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record, review = _review(request, public_id, "case review page")
    context = {
        "person": record.person,
        "review": review,
        "invitees": list(review.invitees.all()),
        "can_change": record.can_write(RecordPart.EPISODES) and review.is_scheduled,
        "follow_on": review.follow_on_reviews.first(),
    }
    return render(request, "care/reviews/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_outcome(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R7: record that the review was held, what it decided and when the next is due (within 12 months)."""
    record, review = _review(request, public_id, "record case review outcome form", to_change=True)
    invitees = [invitee.user for invitee in review.invitees.all()]
    today = timezone.localdate()
    context = {"person": record.person, "review": review, "latest_next": twelve_months_after(today)}
    if not review.is_scheduled:
        messages.info(request, f"This review is already {review.get_status_display().lower()}.")
        return redirect("casereviews:detail", public_id=review.public_id)
    if request.method != "POST":
        initial = {"held_on": min(timezone.localdate(review.scheduled_for), today), "schedule_next": True}
        form = OutcomeForm(initial=initial, invitees=invitees)
        return render(request, "care/reviews/outcome.html", {**context, "form": form})
    form = OutcomeForm(request.POST, invitees=invitees)
    if form.is_valid():
        try:
            held = case_review_record_outcome(
                review=review, held_on=form.cleaned_data["held_on"], outcome=form.cleaned_data["outcome"],
                next_review_on=form.cleaned_data["next_review_on"], attended=form.chosen(),
                person_attended=form.cleaned_data["person_attended"],
                carers_attended=form.cleaned_data["carers_attended"],
                schedule_next=form.cleaned_data["schedule_next"], by=staff_of(request), channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            assert held.next_review_on is not None
            messages.success(request, f"Review recorded. The next is due by {held.next_review_on:%d %B %Y}.")
            return redirect("casereviews:detail", public_id=review.public_id)
    return render(request, "care/reviews/outcome.html", {**context, "form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def review_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R7: cancel a booked review with a reason. The duty stays, so an overdue review still shows."""
    record, review = _review(request, public_id, "cancel case review form", to_change=True)
    context = {"person": record.person, "review": review}
    if not review.is_scheduled:
        messages.info(request, f"This review is already {review.get_status_display().lower()}.")
        return redirect("casereviews:detail", public_id=review.public_id)
    form = CancelForm(request.POST or None)
    if request.method != "POST":
        return render(request, "care/reviews/cancel.html", {**context, "form": form})
    if form.is_valid():
        try:
            case_review_cancel(
                review=review, reason=form.cleaned_data["reason"], by=staff_of(request), channel=Channel.PAGE
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Case review cancelled. The review is still due: book another if needed.")
            return redirect("people:detail", public_id=record.person.public_id)
    return render(request, "care/reviews/cancel.html", {**context, "form": form}, status=400)
