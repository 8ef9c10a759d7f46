"""A person's history with one event from every timeline source, each at a known time, for the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from django.utils import timezone

from coexist.accounts.models import User
from coexist.advice.models import AdviceRequest
from coexist.assessments.models import RiskFlagReview
from coexist.engagement.models import FollowUpAction, LossOfContact
from coexist.handover.models import HandoverMove, ProviderHandover
from coexist.inpatient.models import Admission, Leave
from coexist.instruments.models import InstrumentResponse
from coexist.medicines.models import DoseChange, NaloxoneOffer, OpiateSubstitution, PrescribingHandover
from coexist.notifications.models import Message
from coexist.organisations.models import Role, Service, ServiceKind
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
    ServiceFactory,
    TaskFactory,
    TeamFactory,
)
from coexist.testing.factories_handover import ContractFactory
from coexist.transitions.models import Transition

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
    _build_transitions(h, person=person, service=service, by=by)
    return h


def _build_transitions(h: History, *, person: Person, service: Service, by: User) -> None:
    """Issue 5: a ward stay with leave, opiate substitution handed over, naloxone, advice, and the discharge."""
    ward = ServiceFactory(organisation=service.organisation, name="Birch ward", kind=ServiceKind.INPATIENT_WARD)
    ward_episode = EpisodeFactory(
        person=person, team=TeamFactory(service=ward, name="Birch ward team"), opened_by=by, opened_at=at(32),
        status="finished", finished_at=at(45), finished_by=by, finish_reason="goals_met",
    )  # fmt: skip
    h.expected["Episode of care opened with Birch ward"] = 32
    h.expected["Episode of care with Birch ward finished"] = 45
    admission = Admission.objects.create(
        person=person, episode=ward_episode, ward=ward, admitted_at=at(33), legal_status="section_2",
        recorded_by=by, ward_substance_worker=by, ward_substance_worker_since=at(34), discharged_at=at(43),
    )  # fmt: skip
    h.expected["Admitted to Birch ward"] = 33
    h.expected[f"Ward substance misuse worker: {by.display_name}"] = 34
    h.expected["Discharged from Birch ward"] = 43
    Leave.objects.create(
        admission=admission, kind="unescorted", starts_at=at(38), ends_at=at(38, 17), recorded_by=by,
        purpose="Assessment at the community drug and alcohol service.",
    )  # fmt: skip
    h.expected[f"Unescorted leave until {timezone.localtime(at(38, 17)):%-d %b %Y at %H:%M}"] = 38
    course = OpiateSubstitution.objects.create(
        person=person, drug="methadone", prescribing_service=ward, started_on=on(32), recorded_by=by
    )
    DoseChange.objects.create(
        treatment=course, daily_dose_mg=Decimal("60"), supervised=True, effective_from=on(32), recorded_at=at(35),
        recorded_by=by,
    )  # fmt: skip
    h.expected[f"Methadone oral solution: 60 mg a day, supervised from {on(32):%-d %b %Y}"] = 35
    NaloxoneOffer.objects.create(
        person=person, offered_at=at(39), outcome="supplied", kit="nasal", training_given=True, recorded_by=by
    )
    h.expected["Naloxone: offered and supplied"] = 39
    PrescribingHandover.objects.create(
        treatment=course, person=person, from_episode=ward_episode, to_service=service, drug="methadone",
        daily_dose_mg=Decimal("60"), supervised=True, last_dose_given_at=at(41), first_community_dose_on=on(44),
        requested_at=at(41, 10), requested_by=by, status="accepted", answered_at=at(42), answered_by=by,
    )  # fmt: skip
    h.expected[f"Prescribing handover asked of {service.name}"] = 41
    h.expected[f"Prescribing handover accepted by {service.name}"] = 42
    AdviceRequest.objects.create(
        person=person, consultant=by, question="Safe to start buprenorphine on the ward?", asked_at=at(36),
        asked_by=by, status="answered", answer="Yes, after 12 hours without heroin.", answered_at=at(37),
        answered_by=by,
    )  # fmt: skip
    h.expected[f"Advice asked of {by.display_name}"] = 36
    h.expected["Advice given"] = 37
    Transition.objects.create(
        person=person, episode=ward_episode, kind="discharge", status="completed", started_at=at(40),
        started_by=by, completed_at=at(44), completed_by=by, discharge_reason="goals_met",
    )  # fmt: skip
    h.expected["Discharge planned from Birch ward"] = 40
    h.expected["Discharge completed from Birch ward"] = 44

    # R10: the drug and alcohol contract ended and the person's care moved to the successor provider.
    old = ContractFactory(service=ServiceFactory(kind=ServiceKind.DRUG_ALCOHOL, organisation__name="Old Recovery Ltd"))
    new = ContractFactory(service=ServiceFactory(kind=ServiceKind.DRUG_ALCOHOL, organisation__name="New Recovery CIC"))
    handover = ProviderHandover.objects.create(
        from_contract=old, to_contract=new, status="completed", run_at=at(46), run_by=by
    )
    HandoverMove.objects.bulk_create(
        [
            HandoverMove(
                handover=handover, kind=kind, record_id=uuid4(), person=person, moved_from="old", moved_to="new"
            )
            for kind in ("episode", "task", "task")
        ]
    )
    h.expected["Care moved from Old Recovery Ltd to New Recovery CIC (provider handover)"] = 46
