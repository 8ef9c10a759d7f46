"""Changes to advice requests (seeds 001, 002; NICE NG58 1.2): a clinician asks a named addictions
consultant about a person, the consultant answers, or the asker withdraws the question. The question and
the answer stay on the person's record.

Asking adds the consultant to the person's care team (role addictions consultant) unless they are in it
already: the permission function opens a record only to a relationship, and the consultant cannot advise on
a record they cannot read. The form says so. Each change checks the permission function first, validates
before saving, runs in one transaction and appends to the access log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.advice import rules
from coexist.advice.models import AdviceRequest, AdviceStatus
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.services import care_team_add
from coexist.inpatient.rules import text_error
from coexist.organisations.models import Membership, Role
from coexist.people.models import Person
from coexist.people.permissions import confirm_still_visible, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority, TaskStatus
from coexist.tasks.services import task_create

_PARTS = [RecordPart.EPISODES]


def _require_change(*, by: User, person: Person, channel: Channel, detail: str) -> str:
    return require(user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail=detail).basis


def consultant_roles(user: User) -> set[str]:
    return set(Membership.objects.current().filter(user=user).values_list("role", flat=True))


def advice_ask(
    *,
    person: Person,
    consultant: User,
    question: str,
    by: User,
    channel: Channel,
    urgent: bool = False,
    episode: EpisodeOfCare | None = None,
) -> AdviceRequest:
    """Seed 001: ask a named addictions consultant a question about the person. Creates the request and an
    NG58 task for the consultant, due in two working days (urgent: the same day), and adds the consultant to
    the care team (tied to `episode` when given) unless they are in it already. Raises AccessRefused or
    ValidationError (consultant, question, episode)."""
    basis = _require_change(by=by, person=person, channel=channel, detail="ask the addictions consultant")
    errors = rules.ask_errors(question=question, asker_is_consultant=consultant.pk == by.pk)
    refusal = rules.consultant_refusal(roles=consultant_roles(consultant), is_active=consultant.is_active)
    if refusal is not None:
        errors["consultant"] = refusal
    if episode is not None and (episode.person_id != person.pk or not episode.is_open):
        errors["episode"] = "Choose an open episode of care of this person."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        in_team = CareTeamMember.objects.current().filter(person=person, user=consultant).exists()
        if not in_team:
            care_team_add(
                episode=episode, person=person, user=consultant, role=Role.ADDICTIONS_CONSULTANT, by=by, channel=channel
            )
        task = task_create(
            person=person,
            rule=rules.ADVICE_RULE,
            title=f"{'Urgent: a' if urgent else 'A'}dvice asked by {by.display_name}",
            detail=question.strip()[:1000],
            due_at=rules.advice_due_at(asked_at=timezone.localtime(now), urgent=urgent),
            priority=Priority.URGENT if urgent else Priority.SOON,
            assigned_to=consultant,
            episode=episode,
            by=by,
        )
        advice = AdviceRequest.objects.create(
            person=person,
            episode=episode,
            consultant=consultant,
            question=question.strip(),
            urgent=urgent,
            asked_at=now,
            asked_by=by,
            task=task,
        )
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=basis,
            channel=channel,
            detail=f"asked {consultant.display_name} (addictions consultant) for {'urgent ' if urgent else ''}advice",
        )
    return advice


def _lock_open(advice: AdviceRequest) -> AdviceRequest:
    locked = AdviceRequest.objects.select_for_update(of=("self",)).select_related("task").get(pk=advice.pk)
    if locked.status != AdviceStatus.OPEN:
        raise ValidationError({"status": f"This request is already {locked.get_status_display().lower()}."})
    return locked


def advice_answer(*, advice: AdviceRequest, answer: str, by: User, channel: Channel) -> AdviceRequest:
    """The named consultant answers. The answer is kept with the question; the consultant's task is completed.
    Raises AccessRefused or ValidationError (answer, status)."""
    person = advice.person
    basis = _require_change(by=by, person=person, channel=channel, detail="answer advice request")
    if by.pk != advice.consultant_id:
        raise ValidationError({"answer": f"Only {advice.consultant.display_name}, who was asked, can answer."})
    problem = text_error(answer, label="Your answer", required=True)
    if problem:
        raise ValidationError({"answer": problem})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_open(advice)
        locked.status = AdviceStatus.ANSWERED
        locked.answer = answer.strip()
        locked.answered_at = now
        locked.answered_by = by
        locked.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        task = locked.task
        if task is not None and task.is_open:
            task.status = TaskStatus.DONE
            task.completed_at = now
            task.completed_by = by
            task.outcome = "Advice given: see the advice request."
            task.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
        log_write(by=by, person=person, parts=_PARTS, basis=basis, channel=channel, detail="answered advice request")
    return locked


def advice_withdraw(*, advice: AdviceRequest, reason: str, by: User, channel: Channel) -> AdviceRequest:
    """The asker withdraws an open question, with a reason; the consultant's task is cancelled. The consultant's
    place in the care team is left as it is (they may have read the record; ending it is a separate decision).
    Raises AccessRefused or ValidationError (reason, status)."""
    person = advice.person
    basis = _require_change(by=by, person=person, channel=channel, detail="withdraw advice request")
    if by.pk != advice.asked_by_id:
        raise ValidationError({"reason": "Only the person who asked can withdraw the question."})
    problem = text_error(reason, label="The reason", required=True)
    if problem:
        raise ValidationError({"reason": problem})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_open(advice)
        locked.status = AdviceStatus.WITHDRAWN
        locked.withdrawn_at = now
        locked.withdrawn_by = by
        locked.withdraw_reason = reason.strip()
        locked.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
        task = locked.task
        if task is not None and task.is_open:
            task.status = TaskStatus.CANCELLED
            task.completed_at = now
            task.completed_by = by
            task.outcome = f"Question withdrawn: {reason.strip()[:500]}"
            task.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
        log_write(by=by, person=person, parts=_PARTS, basis=basis, channel=channel, detail="withdrew advice request")
    return locked
