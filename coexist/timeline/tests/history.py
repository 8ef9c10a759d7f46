"""A person's history with one event from every timeline source, each at a known time, for the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import RiskFlagReview
from coexist.engagement.models import FollowUpAction, LossOfContact
from coexist.instruments.models import InstrumentResponse
from coexist.notifications.models import Message
from coexist.organisations.models import Role, Service
from coexist.people.models import CarerAssessment, Person
from coexist.referrals.models import ReferralStatusChange
from coexist.testing.factories import (
    AppointmentFactory,
    CarePlanVersionFactory,
    CarerFactory,
    CareTeamMemberFactory,
    CaseReviewFactory,
    EpisodeFactory,
    FollowUpFactory,
    GroupAttendanceFactory,
    GroupSessionFactory,
    JointAssessmentFactory,
    ReferralFactory,
    RiskFlagFactory,
    TaskFactory,
)

START = datetime(2025, 1, 6, 9, 0)
"""Day 0 of the made-up history (a Monday), UK time."""


def at(day: int, hour: int = 9) -> datetime:
    return timezone.make_aware(START + timedelta(days=day, hours=hour - 9))


def on(day: int) -> date:
    return (START + timedelta(days=day)).date()


@dataclass
class History:
    """Titles expected on the timeline, with the day each happened."""

    expected: dict[str, int] = field(default_factory=dict)


def build_history(*, person: Person, service: Service, team: object, by: User) -> History:
    """One event of every kind, about a day apart (day 0 to day 31), so the order is known."""
    h = History()
    referral = ReferralFactory(person=person, to_service=service, referrer=by, received_at=at(0))
    h.expected[f"Referral received by {service.name}"] = 0
    ReferralStatusChange.objects.create(referral=referral, from_status="", to_status="received", by=by, at=at(0))
    ReferralStatusChange.objects.create(
        referral=referral, from_status="received", to_status="accepted", by=by, at=at(1), note="Seen at triage."
    )
    h.expected[f"Referral to {service.name} accepted"] = 1

    episode = EpisodeFactory(
        person=person, team=team, opened_by=by, opened_at=at(2), status="finished", finished_at=at(30),
        finished_by=by, finish_reason="Moved out of the area; care transferred.",
    )  # fmt: skip
    h.expected[f"Episode of care opened with {episode.service.name}"] = 2
    h.expected[f"Episode of care with {episode.service.name} finished"] = 30
    CareTeamMemberFactory(person=person, user=by, episode=episode, role=Role.CARE_COORDINATOR, started_on=on(3))
    h.expected[f"{by.display_name} named care coordinator"] = 3

    JointAssessmentFactory(
        person=person, started_by=by, started_at=at(4), status="completed", completed_at=at(5), completed_by=by
    )
    h.expected["Joint assessment started"] = 4
    h.expected["Joint assessment completed"] = 5

    InstrumentResponse.objects.create(
        person=person, instrument_code="audit", instrument_version="WHO 2001", answers={}, score={"total": 14},
        band="Hazardous drinking", completed_at=at(6), recorded_by=by,
    )  # fmt: skip
    h.expected["AUDIT completed"] = 6
    InstrumentResponse.objects.create(
        person=person, instrument_code="phq9", instrument_version="Kroenke 2001", answers={}, score={"total": 3},
        band="Minimal", completed_at=at(7), recorded_by=by,
    )  # fmt: skip
    h.expected["PHQ-9 completed"] = 7

    flag = RiskFlagFactory(person=person, raised_by=by, raised_at=at(8), review_on=on(40), kind="overdose")
    h.expected["Risk flag raised: overdose"] = 8
    RiskFlagReview.objects.create(
        flag=flag,
        reviewed_at=at(9),
        reviewed_by=by,
        previous_review_on=on(40),
        next_review_on=on(60),
        note="Still using.",
    )
    h.expected["Risk flag reviewed: overdose"] = 9
    flag.ended_on = on(10)
    flag.ended_by = by
    flag.end_reason = "Abstinent for three months."
    flag.save()
    h.expected["Risk flag ended: overdose"] = 10

    version = CarePlanVersionFactory(plan__person=person, created_by=by, created_at=at(11))
    CarePlanVersionFactory(
        plan=version.plan, number=2, created_by=by, created_at=at(12), changed_sections=["crisis_plan"]
    )
    h.expected["Care plan version 1 saved"] = 11
    h.expected["Care plan version 2 saved"] = 12

    carer = CarerFactory(person=person, name="Mo Carer")
    CarerAssessment.objects.create(
        carer=carer, offered_on=on(13), offered_by=by, status="completed", accepted_on=on(14), completed_on=on(15)
    )
    h.expected["Carer's assessment offered to Mo Carer"] = 13
    h.expected["Mo Carer accepted a carer's assessment"] = 14
    h.expected["Carer's assessment completed for Mo Carer"] = 15

    seen = AppointmentFactory(person=person, service=service, staff=by, created_at=at(16), starts_at=at(18))
    h.expected[f"Appointment booked for {timezone.localtime(at(18)):%-d %b %Y at %H:%M}"] = 16
    seen.status = "attended_on_time"
    seen.outcome_recorded_at = at(18, 11)
    seen.outcome_recorded_by = by
    seen.plan_reviewed = "changed"
    seen.plan_change = "Added a crisis line number."
    seen.save()
    h.expected[f"Appointment on {on(18):%-d %b %Y}: attended on time"] = 18

    follow_up = FollowUpFactory(
        person=person, appointment__person=person, appointment__service=service, appointment__staff=by,
        appointment__created_at=at(17), appointment__starts_at=at(19), created_at=at(20), due_at=at(21),
        task__assigned_to=by, task__created_at=at(20),
    )  # fmt: skip
    h.expected[f"Appointment booked for {timezone.localtime(at(19)):%-d %b %Y at %H:%M}"] = 17
    h.expected[f"Missed appointment: follow-up due by {timezone.localtime(at(21)):%-d %b %Y at %H:%M}"] = 20
    FollowUpAction.objects.create(follow_up=follow_up, kind="call", result="reached", at=at(21), by=by)
    h.expected["Follow-up: phone call"] = 21
    follow_up.completed_at = at(22)
    follow_up.completed_by = by
    follow_up.save()
    h.expected["Follow-up of missed appointment completed"] = 22

    LossOfContact.objects.create(
        person=person, since=at(23), reason="Two missed appointments.", marked_by=by, resolved_at=at(24),
        resolved_by=by, resolved_how="Reached by phone.",
    )  # fmt: skip
    h.expected["Contact lost"] = 23
    h.expected["Contact regained"] = 24

    task = TaskFactory(
        person=person, rule="R15", title="PHQ-9 item 9 answered 2", assigned_to=by, created_at=at(25), due_at=at(25),
        escalated_at=at(26),
    )  # fmt: skip
    h.expected["R15 task: PHQ-9 item 9 answered 2"] = 25
    h.expected["Overdue R15 task escalated to the team leader: PHQ-9 item 9 answered 2"] = 26
    task.status = "done"
    task.completed_at = at(27)
    task.completed_by = by
    task.outcome = "Spoke to Ann; safety plan reviewed."
    task.save()
    h.expected["R15 task done: PHQ-9 item 9 answered 2"] = 27

    # R11: a reminder sent (the number shows only to a viewer who may read contact details).
    Message.objects.create(
        person=person, appointment=seen, appointment_starts_at=at(18), purpose="appointment_reminder", method="text",
        recipient="07700900123", body="Reminder", status="sent", created_at=at(28), sent_at=at(28, 10),
    )  # fmt: skip
    h.expected[f"Text reminder sent to 07700 900123 for {on(18).day} {at(18):%b} 09:00"] = 28

    # R7: a case review arranged on day 28 and held on day 29.
    CaseReviewFactory(
        episode=episode, scheduled_for=at(29), scheduled_at=at(28, 8), scheduled_by=by, status="held", held_on=on(29),
        next_review_on=on(300), outcome="Carry on with the plan.", recorded_at=at(29, 15), recorded_by=by,
    )  # fmt: skip
    h.expected[f"Case review arranged for {timezone.localtime(at(29)):%-d %b %Y at %H:%M}"] = 28
    h.expected["Case review held"] = 29

    session = GroupSessionFactory(group__name="Recovery group", group__service=service, starts_at=at(31))
    GroupAttendanceFactory(session=session, person=person, status="apologies", recorded_by=by)
    h.expected["Recovery group: sent apologies"] = 31
    return h
