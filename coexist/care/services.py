"""Changes to episodes of care and care teams. Each runs in one transaction, records who and when,
and appends to the access log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare, EpisodeStatus
from coexist.organisations.models import Membership, Role, Team
from coexist.people.models import Person
from coexist.people.rules import RecordPart
from coexist.people.services import log_write
from coexist.referrals.models import Referral


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


def care_team_add(*, episode: EpisodeOfCare | None, person: Person, user: User, role: Role, by: User) -> CareTeamMember:
    """Add a practitioner to the person's care team from today. Callers check permission and log."""
    return CareTeamMember.objects.create(
        person=person, episode=episode, user=user, role=role, started_on=timezone.localdate(), added_by=by
    )
