"""The one permission module: may this member of staff see or change this part of this person's record?

Pages, the JSON API, background jobs and (later) FHIR and exports all ask here. Five relationships
open a record (DOMAIN.md, "Who may see what"; decisions 0010 and 0012); each is defined once below and used both for a
single decision (`may`) and for lists (`people_visible_to`), so the two cannot disagree.
Everything else is refused: default deny. The decision itself is the pure rule
`coexist.people.rules.decide_access`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import DIRECT_CARE, access_log_append
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.engagement.groups.rules import FACILITATOR_WINDOW
from coexist.engagement.models import GroupEnrolment, GroupSession
from coexist.organisations.models import Membership
from coexist.people.models import Consent, Person
from coexist.people.rules import AccessDecision, AccessFacts, Action, RecordPart, decide_access
from coexist.referrals.models import Referral


class AccessRefused(Exception):
    """The viewer may not do this to this person's record. Carries the decision, to show and log."""

    def __init__(self, decision: AccessDecision) -> None:
        super().__init__(decision.basis)
        self.decision = decision


@dataclass(frozen=True)
class _Relationships:
    clinical_memberships: QuerySet[Membership]
    care_team: QuerySet[CareTeamMember]
    open_referrals: QuerySet[Referral]
    open_episodes: QuerySet[EpisodeOfCare]
    consents: QuerySet[Consent]
    facilitated_enrolments: QuerySet[GroupEnrolment]


def _relationships(user: User, day: date) -> _Relationships:
    # SECURITY: these five querysets are the whole of who may see whom. Change them with a test.
    memberships = Membership.objects.current(day).clinical().filter(user=user)
    services = memberships.values("team__service_id")
    return _Relationships(
        clinical_memberships=memberships,
        care_team=CareTeamMember.objects.current(day).filter(user=user),
        open_referrals=Referral.objects.open().filter(to_service__in=services),
        open_episodes=EpisodeOfCare.objects.open().filter(team__in=memberships.values("team_id")),
        consents=Consent.objects.current(day).filter(
            organisation__in=memberships.values("team__service__organisation_id")
        ),
        # Decision 0012: current enrolments in groups where the user facilitates a session that is not
        # cancelled and starts within four weeks either side of the day. Opens identity and GROUPS only.
        facilitated_enrolments=GroupEnrolment.objects.current().filter(
            group__in=GroupSession.objects.filter(
                facilitators=user,
                cancelled_at__isnull=True,
                starts_at__gte=timezone.make_aware(datetime.combine(day, time.min)) - FACILITATOR_WINDOW,
                starts_at__lte=timezone.make_aware(datetime.combine(day, time.max)) + FACILITATOR_WINDOW,
            ).values("group_id")
        ),
    )


def _is_signed_in_staff(user: User | AnonymousUser) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_active


def access_facts(user: User, person: Person, *, on: date | None = None) -> AccessFacts:
    """Gather what is true between this user and this person today, for the rule to decide on."""
    day = on or timezone.localdate()
    rel = _relationships(user, day)
    consent_parts = list(rel.consents.filter(person=person).values_list("parts", flat=True))
    return AccessFacts(
        has_clinical_role=user.is_active and rel.clinical_memberships.exists(),
        in_care_team=rel.care_team.filter(person=person).exists(),
        referred_to=tuple(
            sorted(set(rel.open_referrals.filter(person=person).values_list("to_service__name", flat=True)))
        ),
        consented_parts=frozenset(chain.from_iterable(consent_parts)) if consent_parts else None,
        responsible_services=tuple(
            sorted(set(rel.open_episodes.filter(person=person).values_list("team__name", flat=True)))
        ),
        facilitated_groups=tuple(
            sorted(set(rel.facilitated_enrolments.filter(person=person).values_list("group__name", flat=True)))
        ),
    )


def may(user: User | AnonymousUser, person: Person, action: Action, part: str = RecordPart.IDENTITY) -> AccessDecision:
    """The permission function. Default deny."""
    if not _is_signed_in_staff(user):
        return AccessDecision(False, "Sign in to see people's records.")
    return decide_access(facts=access_facts(user, person), action=action, part=part)


def decide_parts(user: User, person: Person, action: Action, parts: Iterable[str]) -> dict[str, AccessDecision]:
    """One decision per part, from one gathering of facts."""
    facts = access_facts(user, person)
    return {part: decide_access(facts=facts, action=action, part=part) for part in parts}


def require(
    *,
    user: User,
    person: Person,
    action: Action,
    parts: Iterable[str],
    channel: Channel,
    detail: str,
    purpose: str = DIRECT_CARE,
) -> AccessDecision:
    """Check every part; log and raise AccessRefused if any is refused. Logs nothing when allowed:
    the caller logs the read or write once it has happened (inside its transaction, for writes)."""
    wanted = list(parts)
    decisions = decide_parts(user, person, action, wanted)
    for part, decision in decisions.items():
        if not decision.allowed:
            access_log_append(
                actor=user,
                person_ids=[person.public_id],
                action=action,
                parts=[part],
                outcome=Outcome.REFUSED,
                basis=decision.basis,
                channel=channel,
                detail=detail,
                purpose=purpose,
            )
            raise AccessRefused(decision)
    return decisions[wanted[0]]


def people_visible_to(user: User | AnonymousUser, *, on: date | None = None) -> QuerySet[Person]:
    """Everyone whose record this user may open (at least their identity), for lists and search."""
    if not _is_signed_in_staff(user):
        return Person.objects.none()
    rel = _relationships(user, on or timezone.localdate())
    if not rel.clinical_memberships.exists():
        return Person.objects.none()
    # SECURITY: the same five relationships as `access_facts`, as subqueries (no join fan-out).
    return Person.objects.filter(
        Q(pk__in=rel.care_team.values("person_id"))
        | Q(pk__in=rel.open_referrals.values("person_id"))
        | Q(pk__in=rel.open_episodes.values("person_id"))
        | Q(pk__in=rel.consents.values("person_id"))
        | Q(pk__in=rel.facilitated_enrolments.values("person_id"))
    )


def caseload_of(user: User | AnonymousUser, *, on: date | None = None) -> QuerySet[Person]:
    """The people whose care team this user is in today: their caseload."""
    if not _is_signed_in_staff(user):
        return Person.objects.none()
    rel = _relationships(user, on or timezone.localdate())
    if not rel.clinical_memberships.exists():
        return Person.objects.none()
    return Person.objects.filter(pk__in=rel.care_team.values("person_id"))


def confirm_still_visible(*, user: User, person: Person) -> None:
    """STYLE 4: after a write, inside the transaction, the writer may still see what they wrote."""
    decision = may(user, person, Action.READ)
    if not decision.allowed:
        raise AccessRefused(decision)
