"""Changes to episodes of care and care teams. Each checks the permission function, runs in one
transaction, records who and when (simple_history for episodes) and appends to the access log."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare, EpisodeStatus
from coexist.care.rules import CARE_TEAM_ROLES, coordinator_refusal
from coexist.organisations.models import Membership, Role, Team
from coexist.people.models import Person
from coexist.people.permissions import confirm_still_visible, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.referrals.models import Referral

if TYPE_CHECKING:
    from coexist.transitions.models import Transition


def episode_open(
    *,
    person: Person,
    team: Team,
    by: User,
    channel: Channel,
    referral: Referral | None = None,
    basis: str,
) -> EpisodeOfCare:
    """Open an episode of care held by a team. Called by referral acceptance inside its transaction.

    The opener must work in the team's service: a service takes responsibility only for itself."""
    works_there = Membership.objects.current().clinical().filter(user=by, team__service=team.service_id).exists()
    if not works_there:
        raise ValidationError({"team": "Only a member of that service can open an episode of care in it."})
    if referral is not None and referral.person_id != person.pk:
        raise ValidationError({"referral": "That referral is for someone else."})
    with transaction.atomic():
        episode = EpisodeOfCare(
            person=person,
            service=team.service,
            team=team,
            referral=referral,
            status=EpisodeStatus.ACTIVE,
            opened_by=by,
        )
        episode._history_user = by  # type: ignore[attr-defined]
        episode.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=basis,
            channel=channel,
            detail=f"opened episode of care with {team}",
        )
    return episode


def episode_assign_coordinator(
    *, episode: EpisodeOfCare, coordinator: User, by: User, channel: Channel
) -> EpisodeOfCare:
    """R3: name the episode's care coordinator. They join the care team from today; the previous
    coordinator's place as coordinator of this episode ends today (their last day, so both can see the
    record on the day of handover). Raises ValidationError or AccessRefused."""
    person = episode.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.EPISODES],
        channel=channel,
        detail="assign care coordinator",
    )
    if not episode.is_open:
        raise ValidationError({"coordinator": "This episode of care has finished; it cannot have a new coordinator."})
    if episode.coordinator_id == coordinator.pk:
        raise ValidationError({"coordinator": f"{coordinator.display_name} is already the care coordinator."})
    roles = set(
        Membership.objects.current()
        .filter(user=coordinator, user__is_active=True, team__service=episode.service_id)
        .values_list("role", flat=True)
    )
    refusal = coordinator_refusal(roles_in_service=roles)
    if refusal is not None:
        raise ValidationError({"coordinator": refusal})

    today = timezone.localdate()
    with transaction.atomic():
        locked = EpisodeOfCare.objects.select_for_update().get(pk=episode.pk)
        previous = locked.coordinator
        locked.coordinator = coordinator
        locked.coordinator_since = today
        locked._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
        locked.save(update_fields=["coordinator", "coordinator_since"])
        CareTeamMember.objects.current(today).filter(episode=locked, role=Role.CARE_COORDINATOR).exclude(
            user=coordinator
        ).update(ended_on=today)
        already = (
            CareTeamMember.objects.current(today)
            .filter(episode=locked, role=Role.CARE_COORDINATOR, user=coordinator)
            .exists()
        )
        if not already:
            CareTeamMember.objects.create(
                person=person,
                episode=locked,
                user=coordinator,
                role=Role.CARE_COORDINATOR,
                started_on=today,
                added_by=by,
            )
        confirm_still_visible(user=by, person=person)
        was = f" (was {previous.display_name})" if previous is not None else ""
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=decision.basis,
            channel=channel,
            detail=f"named {coordinator.display_name} care coordinator of {locked.service}{was}",
        )
    return locked


def care_team_add(
    *,
    episode: EpisodeOfCare | None,
    person: Person,
    user: User,
    role: str,
    by: User,
    channel: Channel = Channel.PAGE,
    started_on: date | None = None,
) -> CareTeamMember:
    """Add a practitioner from any organisation (a drug and alcohol worker, a peer support worker from a
    voluntary organisation) to the person's care team, in a role, from a date (today unless given).

    The care coordinator's place is made by `episode_assign_coordinator` (R3), not here."""
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.EPISODES],
        channel=channel,
        detail="add to care team",
    )
    start = started_on or timezone.localdate()
    if role == Role.CARE_COORDINATOR:
        raise ValidationError({"role": "Name the care coordinator from the episode of care instead (R3)."})
    if role not in CARE_TEAM_ROLES:
        raise ValidationError({"role": "Choose a role in the care team."})
    if episode is not None and episode.person_id != person.pk:
        raise ValidationError({"episode": "That episode of care is for someone else."})
    if episode is not None and not episode.is_open:
        raise ValidationError({"episode": "That episode of care has finished."})
    if not user.is_active or not Membership.objects.current(start).clinical().filter(user=user).exists():
        raise ValidationError({"user": "They have no current clinical role in any team, so cannot join a care team."})
    duplicate = CareTeamMember.objects.current(start).filter(person=person, user=user, role=role, episode=episode)
    if duplicate.exists():
        raise ValidationError({"user": f"{user.display_name} is already in the care team in that role."})
    with transaction.atomic():
        member = CareTeamMember.objects.create(
            person=person, episode=episode, user=user, role=role, started_on=start, added_by=by
        )
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=decision.basis,
            channel=channel,
            detail=f"added {user.display_name} to the care team as {Role(role).label.lower()}",
        )
    return member


def care_team_end(
    *, member: CareTeamMember, by: User, channel: Channel, ended_on: date | None = None
) -> CareTeamMember:
    """End a practitioner's place in the care team on a date (today unless given; the last day they are in it).

    R3: the named coordinator's place is not ended here; naming a new coordinator ends it, so an
    episode never says one coordinator while the care team says none."""
    person = member.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.EPISODES],
        channel=channel,
        detail="end care team place",
    )
    end = ended_on or timezone.localdate()
    with transaction.atomic():
        locked = (
            CareTeamMember.objects.select_for_update(of=("self",)).select_related("episode", "user").get(pk=member.pk)
        )
        if locked.ended_on is not None and locked.ended_on < timezone.localdate():
            raise ValidationError({"ended_on": "Their place in the care team has already ended."})
        if end < locked.started_on:
            joined = f"{locked.started_on.day} {locked.started_on:%B %Y}"
            raise ValidationError({"ended_on": f"Enter a date on or after they joined, {joined}."})
        episode = locked.episode
        if (
            locked.role == Role.CARE_COORDINATOR
            and episode is not None
            and episode.is_open
            and episode.coordinator_id == locked.user_id
        ):
            raise ValidationError(
                {"ended_on": "They are the named care coordinator. Name a new care coordinator instead (R3)."}
            )
        locked.ended_on = end
        locked.save(update_fields=["ended_on"])
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=decision.basis,
            channel=channel,
            detail=f"ended {locked.user.display_name}'s place in the care team on {end:%Y-%m-%d}",
        )
    return locked


def episode_discharge(*, transition: Transition, by: User, channel: Channel) -> EpisodeOfCare:
    """Finish an episode of care: the only way one finishes (DOMAIN.md life cycle), and only with a discharge
    checklist (R8, R9) that is met or overridden. Called by `coexist.transitions.services.transition_complete`
    inside its transaction; call that, not this. Raises ValidationError or AccessRefused.

    R8/R9: the transition's checklist is evaluated again here, inside the transaction, before the status
    changes; any open item not overridden by a senior clinician (with a reason) refuses the discharge, each
    named. R6: refused while any follow-up of a missed appointment for the person is still open (each is
    named, with its appointment and due time), and refused unless the transition's reason is one of
    `DischargeReason`, a coded list with no "did not attend": not attending is never a reason for discharge.
    The discharger must work in the episode's service: a service discharges only from itself."""
    # Imported here so this transition stays an append to the module (engagement and transitions import care).
    from coexist.engagement.models import FollowUp
    from coexist.engagement.rules import DischargeReason, OpenFollowUp, discharge_refused
    from coexist.transitions.models import TransitionKind
    from coexist.transitions.rules import uncleared
    from coexist.transitions.selectors import checklist_for

    episode = transition.episode
    reason = transition.discharge_reason
    if transition.kind != TransitionKind.DISCHARGE or not transition.is_open:
        raise ValidationError({"transition": "An episode finishes only through a discharge being planned for it."})
    person = episode.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.EPISODES],
        channel=channel,
        detail="discharge from episode of care",
    )
    works_there = Membership.objects.current().clinical().filter(user=by, team__service=episode.service_id).exists()
    if not works_there:
        raise ValidationError({"episode": "Only a member of that service can discharge someone from it."})
    with transaction.atomic():
        # The person row first, as recording an attendance outcome does, so no follow-up appears unseen.
        list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))
        locked = EpisodeOfCare.objects.select_for_update().get(pk=episode.pk)
        if not locked.is_open:
            raise ValidationError({"episode": "This episode of care has already finished."})
        open_follow_ups = [
            OpenFollowUp(
                appointment_at=timezone.localtime(f.appointment.starts_at), due_at=timezone.localtime(f.due_at)
            )
            for f in FollowUp.objects.filter(person=person, completed_at__isnull=True)
            .select_related("appointment")
            .order_by("due_at", "pk")
        ]
        refusal = discharge_refused(reason=reason, open_follow_ups=open_follow_ups)
        if refusal:
            raise ValidationError(refusal)
        # R8/R9: the checklist, as it stands now; open items stop it unless a senior clinician overrode them.
        overridden = transition.overridden_items if transition.override_by_id and transition.override_reason else []
        blocking = uncleared(checklist_for(transition), overridden=overridden)
        if blocking:
            raise ValidationError(
                {
                    "checklist": ["The discharge cannot go ahead while an item on the checklist is open (R8)."]
                    + [f"{item.title}: {item.explanation}" for item in blocking]
                }
            )
        locked.status = EpisodeStatus.FINISHED
        locked.finished_at = timezone.now()
        locked.finished_by = by
        locked.finish_reason = reason
        locked._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
        locked.save(update_fields=["status", "finished_at", "finished_by", "finish_reason"])
        # No STYLE 4 visibility check: a worker who could see the person only through this open episode
        # (the duty worker, the team leader) rightly loses sight of them once it has finished.
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=decision.basis,
            channel=channel,
            detail=f"discharged from {locked.service}: {DischargeReason(reason).label}",
        )
    return locked
