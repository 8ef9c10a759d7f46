"""Who may triage a referral: the clinical staff of the service it was sent to. Default deny.

Reading the person's record while the referral is open is decided by the one permission module
(`coexist.people.permissions`, "open referral to the viewer's service"); this module decides who may
see and act on the referral itself, including a referral not yet linked to any person.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.organisations.models import Membership, Service, Team
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.referrals.models import Referral


def clinical_memberships(user: User | AnonymousUser) -> QuerySet[Membership]:
    if not isinstance(user, User) or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.current().clinical().filter(user=user)


def services_of(user: User | AnonymousUser) -> QuerySet[Service]:
    """The services this member of staff works in today (clinical roles only)."""
    # SECURITY: triage rights come from a current clinical membership of a team in the service.
    return Service.objects.filter(pk__in=clinical_memberships(user).values("team__service_id"))


def teams_in(user: User, service: Service) -> QuerySet[Team]:
    """The user's teams in this service: the teams that could hold an episode they accept."""
    return Team.objects.filter(pk__in=clinical_memberships(user).filter(team__service=service).values("team_id"))


def may_triage(user: User | AnonymousUser, referral: Referral) -> AccessDecision:
    if not isinstance(user, User) or not user.is_active:
        return AccessDecision(False, "Sign in to see referrals.")
    if services_of(user).filter(pk=referral.to_service_id).exists():
        return AccessDecision(True, f"referral to {referral.to_service.name}")
    return AccessDecision(False, "Only the staff of the service a referral was sent to may see and act on it.")


def require_triage(*, user: User, referral: Referral, channel: Channel, detail: str) -> AccessDecision:
    """Refuse (and log, when the referral is linked to a person) unless the user works in the service."""
    decision = may_triage(user, referral)
    if not decision.allowed:
        if referral.person is not None:
            access_log_append(
                actor=user,
                person_ids=[referral.person.public_id],
                action=Action.READ,
                parts=[RecordPart.EPISODES],
                outcome=Outcome.REFUSED,
                basis=decision.basis,
                channel=channel,
                detail=detail,
            )
        raise AccessRefused(decision)
    return decision


def require_clinical(user: User) -> None:
    """Only clinical staff make referrals or record drop-in visits."""
    if not clinical_memberships(user).exists():
        raise AccessRefused(AccessDecision(False, "Administrators and researchers do not make referrals."))
