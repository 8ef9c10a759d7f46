"""Test data for discharges and transfers (R8, R9): a transition whose checklist is met, and the inpatient
and medicines rows the checklist reads (made as model objects: other apps own their services)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from coexist.accounts.models import User
from coexist.care.models import CarePlanVersion, EpisodeOfCare
from coexist.care.reviews.selectors import care_team_practitioners
from coexist.inpatient.models import Admission
from coexist.medicines.models import HandoverStatus, OpiateSubstitution, PrescribingHandover
from coexist.organisations.models import Service
from coexist.testing.factories import CarePlanVersionFactory
from coexist.transitions.models import HousingSupport, Transition, TransitionInvitee, TransitionStatus


def ready_discharge(
    episode: EpisodeOfCare, *, by: User, reason: str = "goals_met", with_plan: bool = True
) -> Transition:
    """A planned discharge of `episode` with the R8 items met: meeting set, the care team invited, housing
    support in place and (unless `with_plan` is False) a complete care plan. R9 items depend on the record.
    Reuses the episode's open discharge if there is one (only one may be open)."""
    transition = Transition.objects.filter(episode=episode, status=TransitionStatus.PLANNING).first()
    if transition is None:
        transition = Transition.objects.create(
            person=episode.person, episode=episode, kind="discharge", started_by=by, discharge_reason=reason
        )
    transition.discharge_reason = reason
    transition.meeting_at = timezone.now() - timedelta(hours=1)
    transition.housing_support = HousingSupport.IN_PLACE
    transition.save()
    for p in care_team_practitioners(episode.person):
        TransitionInvitee.objects.get_or_create(transition=transition, user=p.user, organisation=p.organisation)
    if with_plan and not CarePlanVersion.objects.filter(plan__person=episode.person).exists():
        CarePlanVersionFactory(plan__person=episode.person, created_by=by)
    return transition


def admission(episode: EpisodeOfCare, *, by: User, days_ago: int = 10) -> Admission:
    return Admission.objects.create(
        person=episode.person, episode=episode, ward=episode.service,
        admitted_at=timezone.now() - timedelta(days=days_ago), recorded_by=by,
    )  # fmt: skip


def methadone(person: object, *, service: Service, by: User, started_on: date | None = None) -> OpiateSubstitution:
    return OpiateSubstitution.objects.create(
        person=person, drug="methadone", prescribing_service=service, started_on=started_on or date(2025, 1, 6),
        recorded_by=by,
    )  # fmt: skip


def handover(
    course: OpiateSubstitution,
    *,
    to_service: Service,
    by: User,
    status: str = HandoverStatus.REQUESTED,
    answered_by: User | None = None,
    last_dose_given_at: datetime | None = None,
    first_community_dose_on: date | None = None,
    requested_at: datetime | None = None,
) -> PrescribingHandover:
    now = timezone.now()
    return PrescribingHandover.objects.create(
        treatment=course, person=course.person, to_service=to_service, drug=course.drug,
        daily_dose_mg=Decimal("60"), supervised=True, pharmacy="High Street Pharmacy",
        last_dose_given_at=last_dose_given_at or now - timedelta(hours=2),
        first_community_dose_on=first_community_dose_on or timezone.localdate() + timedelta(days=1),
        status=status, requested_at=requested_at or now - timedelta(hours=1), requested_by=by,
        answered_at=now if status != HandoverStatus.REQUESTED else None,
        answered_by=answered_by if status != HandoverStatus.REQUESTED else None,
    )  # fmt: skip
