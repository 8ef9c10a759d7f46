"""Event measures: each unit placed on the day something happened (a referral received or decided, an episode
opened or finished, a missed appointment, a joint assessment completed). Each is one query with a row per
unit; where the outcome needs time to happen (28 days, 12 weeks), a unit whose time has not passed by `now` is
left out (see `coexist.outcomes.definitions`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate

from coexist.assessments.models import AssessmentStatus, JointAssessment
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.engagement.models import FollowUp
from coexist.engagement.rules import DischargeReason, RiskLevel, escalation_due_at
from coexist.outcomes.definitions import ENGAGEMENT_WINDOW, RETENTION_FROM, UPTAKE_WINDOW
from coexist.outcomes.readers.base import (
    EPISODE_PATHS,
    FOLLOW_UP_PATHS,
    REFERRAL_PATHS,
    Decision,
    Query,
    Window,
    flag,
    in_services,
    on_day,
    seen,
)
from coexist.referrals.models import Referral, Status
from coexist.referrals.rules import decline_reasons_for


def referrals_by_route(w: Window) -> Query:
    qs = in_services(Referral.objects.filter(received_at__gte=w.lo, received_at__lt=w.hi), "to_service", w)
    return Query(qs.annotate(m_day=TruncDate("received_at")), ("m_day",), on_day, **REFERRAL_PATHS)


def uptake(w: Window) -> Query:
    qs = in_services(
        Referral.objects.filter(
            status=Status.ACCEPTED,
            decided_at__gte=w.lo,
            decided_at__lt=w.hi,
            decided_at__lte=w.now - UPTAKE_WINDOW,
        ),
        "to_service",
        w,
    )
    attended = seen(
        service=OuterRef("to_service"),
        starts_at__gte=OuterRef("decided_at"),
        starts_at__lte=OuterRef("decided_at") + UPTAKE_WINDOW,
    )
    qs = qs.annotate(m_day=TruncDate("decided_at"), m_seen=Exists(attended))
    return Query(qs, ("m_day", "m_seen"), on_day, **REFERRAL_PATHS)


def days_to_assessment(w: Window) -> Query:
    # The first joint assessment completed on or after the referral falls in the period when one was completed in
    # it, on or after the referral, and none between the referral and the period's start. Only people assessed in
    # the period (a semi-join the database does once) and referrals received by its end are looked at.
    completed = JointAssessment.objects.filter(status=AssessmentStatus.COMPLETED)
    in_period = completed.filter(completed_at__gte=w.lo, completed_at__lt=w.hi)
    mine = {"person": OuterRef("person"), "completed_at__gte": OuterRef("received_at")}
    first_completed = completed.filter(**mine).order_by("completed_at").values("completed_at")[:1]
    qs = in_services(
        Referral.objects.filter(
            status=Status.ACCEPTED, person__in=in_period.values("person_id"), received_at__lt=w.hi
        ).filter(Exists(in_period.filter(**mine)), ~Exists(completed.filter(**mine, completed_at__lt=w.lo))),
        "to_service",
        w,
    )
    qs = qs.annotate(m_day=TruncDate(Subquery(first_completed)), m_received=TruncDate("received_at"))

    def decide(row: tuple[Any, ...]) -> Decision:
        done, received = row
        return done, False, float((done - received).days)

    return Query(qs, ("m_day", "m_received"), decide, **REFERRAL_PATHS)


def _opened(w: Window) -> QuerySet[Any]:
    qs = EpisodeOfCare.objects.filter(opened_at__gte=w.lo, opened_at__lt=w.hi, opened_at__lte=w.now - ENGAGEMENT_WINDOW)
    return in_services(qs.annotate(m_day=TruncDate("opened_at")), "service", w)


def engagement_12_weeks(w: Window) -> Query:
    attended = seen(
        service=OuterRef("service"),
        starts_at__gte=OuterRef("opened_at"),
        starts_at__lt=OuterRef("opened_at") + ENGAGEMENT_WINDOW,
    )
    return Query(_opened(w).annotate(m_seen=Exists(attended)), ("m_day", "m_seen"), on_day, **EPISODE_PATHS)


def retention_12_weeks(w: Window) -> Query:
    attended = seen(
        service=OuterRef("service"),
        starts_at__gte=OuterRef("opened_at") + RETENTION_FROM,
        starts_at__lt=OuterRef("opened_at") + ENGAGEMENT_WINDOW,
    )
    still_there = Q(finished_at__isnull=True) | Q(finished_at__gte=F("opened_at") + ENGAGEMENT_WINDOW)
    qs = _opened(w).annotate(m_seen=Exists(attended), m_stayed=flag(still_there))

    def decide(row: tuple[Any, ...]) -> Decision:
        day, seen_late, stayed = row
        return day, bool(seen_late and stayed), None

    return Query(qs, ("m_day", "m_seen", "m_stayed"), decide, **EPISODE_PATHS)


def unplanned_endings(w: Window) -> Query:
    qs = in_services(
        EpisodeOfCare.objects.filter(status=EpisodeStatus.FINISHED, finished_at__gte=w.lo, finished_at__lt=w.hi),
        "service",
        w,
    ).annotate(m_day=TruncDate("finished_at"), m_left=flag(Q(finish_reason=DischargeReason.PERSON_CHOSE_TO_LEAVE)))
    return Query(qs, ("m_day", "m_left"), on_day, **EPISODE_PATHS)


def declined_for_coexisting_condition(*, service_kind: str, status: str, decline_reason: str) -> bool:
    """QS188 statement 2 / R1: declined for a reason this kind of service may never give (substance use
    by a mental health service, mental illness by a drug and alcohol, housing or primary care service)."""
    if status != Status.DECLINED or not decline_reason:
        return False
    return decline_reason not in {r.value for r in decline_reasons_for(service_kind)}


def qs188_2(w: Window) -> Query:
    qs = in_services(
        Referral.objects.filter(
            decided_at__gte=w.lo,
            decided_at__lt=w.hi,
            status__in=[Status.ACCEPTED, Status.DECLINED, Status.REDIRECTED],
        ),
        "to_service",
        w,
    ).annotate(m_day=TruncDate("decided_at"))

    def decide(row: tuple[Any, ...]) -> Decision:
        day, status, reason, kind = row
        return day, declined_for_coexisting_condition(service_kind=kind, status=status, decline_reason=reason), None

    return Query(qs, ("m_day", "status", "decline_reason", "to_service__kind"), decide, **REFERRAL_PATHS)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def qs188_4(w: Window) -> Query:
    """QS188 statement 4 (R6): a follow-up is on time when completed by its escalation time
    (`escalation_due_at`: the due time plus the grace for its risk level); one still open before that time is
    left out, neither on time nor late yet. The grace of each risk level is read from the rule itself."""
    on_time, pending = Q(), Q()
    for risk in RiskLevel:
        grace = escalation_due_at(due_at=_EPOCH, risk=risk) - _EPOCH
        on_time |= Q(risk_level=risk.value, completed_at__lte=F("due_at") + grace)
        pending |= Q(risk_level=risk.value, completed_at__isnull=True, due_at__gte=w.now - grace)
    qs = in_services(FollowUp.objects.filter(created_at__gte=w.lo, created_at__lt=w.hi), "appointment__service", w)
    qs = qs.exclude(pending).annotate(m_day=TruncDate("created_at"), m_on_time=flag(on_time))
    return Query(qs, ("m_day", "m_on_time"), on_day, **FOLLOW_UP_PATHS)
