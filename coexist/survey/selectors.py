"""Reads for service surveys, training, recovery college sessions and feedback, scoped to the viewer.

Who may see what (rules.may_view_service, may_record, may_compare): members of a service in a clinical
role see its surveys, training records and feedback; its team leaders, service managers and dual diagnosis
leads record them; leaders anywhere and researchers see the comparison of latest scores across services.
Nothing here opens a person's record, so nothing here writes to the (per-person) access log: the figures are
about services and staff, and the feedback is counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coexist.accounts.models import User
from coexist.organisations.models import Membership, Service
from coexist.outcomes.rules.suppression import DEFAULT_THRESHOLD
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision
from coexist.survey.models import FeedbackRound, RecoveryCollegeSession, ServiceSurvey, StaffTraining, SurveyScore
from coexist.survey.rules import (
    Dimension,
    QuestionResult,
    SessionEvidence,
    TrainingEvidence,
    TrainingFact,
    feedback_results,
    may_compare,
    may_record,
    may_view_service,
    session_evidence,
    training_evidence,
    years_before,
)

NOT_A_MEMBER = "You can see a service's survey, training and feedback only while you work in one of its teams."
NOT_A_RECORDER = "Only the service's team leaders, service managers and dual diagnosis leads record these."
NOT_A_COMPARER = (
    "The comparison across services is for team leaders, service managers, dual diagnosis leads and researchers."
)


def roles_in_service(user: User, service: Service, *, on: date | None = None) -> set[str]:
    # SECURITY: current memberships of the user in any team of this service decide what they see of it.
    if not user.is_active:
        return set()
    return set(Membership.objects.current(on).filter(user=user, team__service=service).values_list("role", flat=True))


def current_roles(user: User) -> set[str]:
    if not user.is_active:
        return set()
    return set(Membership.objects.current().filter(user=user).values_list("role", flat=True))


def can_record(user: User, service: Service) -> bool:
    return may_record(roles_in_service=roles_in_service(user, service))


def require_record(user: User, service: Service) -> None:
    if not can_record(user, service):
        raise AccessRefused(AccessDecision(False, NOT_A_RECORDER))


def require_compare(user: User) -> None:
    if not may_compare(roles=current_roles(user)):
        raise AccessRefused(AccessDecision(False, NOT_A_COMPARER))


def service_open(*, viewer: User, public_id: UUID, to_record: bool = False) -> Service:
    """The service, if the viewer may see (or, with `to_record`, record for) it. Raises Service.DoesNotExist
    or AccessRefused."""
    service = Service.objects.select_related("organisation").get(public_id=public_id)
    roles = roles_in_service(viewer, service)
    if to_record:
        if not may_record(roles_in_service=roles):
            raise AccessRefused(AccessDecision(False, NOT_A_RECORDER))
    elif not may_view_service(roles_in_service=roles):
        raise AccessRefused(AccessDecision(False, NOT_A_MEMBER))
    return service


def _with_scores(queryset: QuerySet[ServiceSurvey]) -> QuerySet[ServiceSurvey]:
    return queryset.select_related("service__organisation", "submitted_by").prefetch_related(
        Prefetch("scores", queryset=SurveyScore.objects.order_by("pk"))
    )


@dataclass(frozen=True)
class SurveyRow:
    """One survey as a table row: its scores in the order of rules.Dimension (None if missing)."""

    survey: ServiceSurvey
    scores: list[int | None]


def survey_row(survey: ServiceSurvey) -> SurveyRow:
    by_dimension = {s.dimension: s.score for s in survey.scores.all()}
    return SurveyRow(survey, [by_dimension.get(d.value) for d in Dimension])


def service_surveys(service: Service) -> list[SurveyRow]:
    """The service's surveys, oldest first, so the table reads as change over time."""
    surveys = _with_scores(ServiceSurvey.objects.filter(service=service)).order_by("completed_on")
    return [survey_row(s) for s in surveys]


def survey_open(*, viewer: User, public_id: UUID) -> ServiceSurvey:
    survey = _with_scores(ServiceSurvey.objects.all()).get(public_id=public_id)
    service_open(viewer=viewer, public_id=survey.service.public_id)
    return survey


def latest_surveys(*, viewer: User) -> list[SurveyRow]:
    """The latest survey of every service that has one, by organisation and service name."""
    require_compare(viewer)
    latest: dict[int, ServiceSurvey] = {}
    for survey in _with_scores(ServiceSurvey.objects.order_by("service_id", "-completed_on")):
        latest.setdefault(survey.service_id, survey)
    rows = sorted(latest.values(), key=lambda s: (s.service.organisation.name, s.service.name))
    return [survey_row(s) for s in rows]


def clinical_staff_ids(service: Service, *, on: date) -> set[int]:
    return set(
        Membership.objects.current(on).clinical().filter(team__service=service).values_list("user_id", flat=True)
    )


@dataclass(frozen=True)
class Evidence:
    """What the record says beside the staffing and training dimensions (issue 6 point 6)."""

    training: TrainingEvidence
    sessions: SessionEvidence
    feedback: FeedbackRound | None
    feedback_results: list[QuestionResult]
    threshold: int


def service_evidence(service: Service, *, today: date | None = None, threshold: int = DEFAULT_THRESHOLD) -> Evidence:
    day = today or timezone.localdate()
    staff = clinical_staff_ids(service, on=day)
    since = years_before(day, 3)
    training = [
        TrainingFact(staff_id=t.staff_id, completed_on=t.completed_on, hours=t.hours)
        for t in StaffTraining.objects.filter(staff_id__in=staff, completed_on__gte=since).only(
            "staff_id", "completed_on", "hours"
        )
    ]
    sessions = RecoveryCollegeSession.objects.filter(service=service, session_on__gte=years_before(day, 1))
    latest = FeedbackRound.objects.filter(service=service, collected_on__lte=day).order_by("-collected_on").first()
    return Evidence(
        training=training_evidence(staff_ids=staff, training=training, today=day),
        sessions=session_evidence(sessions=sessions.values_list("session_on", "attendees"), today=day),
        feedback=latest,
        feedback_results=feedback_results(counts=latest.counts, threshold=threshold) if latest else [],
        threshold=threshold,
    )


def service_training(service: Service) -> QuerySet[StaffTraining]:
    return StaffTraining.objects.filter(service=service).select_related("staff")


def service_sessions(service: Service) -> QuerySet[RecoveryCollegeSession]:
    return RecoveryCollegeSession.objects.filter(service=service)


def service_feedback(service: Service) -> QuerySet[FeedbackRound]:
    return FeedbackRound.objects.filter(service=service)


def service_staff(service: Service, *, on: date | None = None) -> list[User]:
    """Everyone who works, or has worked, in the service (training may be recorded after someone moves on)."""
    ids = Membership.objects.filter(team__service=service).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name"))


def services_for(viewer: User) -> list[Service]:
    """The services the viewer works in now (for links from the comparison and the home page)."""
    ids = Membership.objects.current().clinical().filter(user=viewer).values("team__service_id")
    return list(Service.objects.filter(pk__in=ids).select_related("organisation"))
