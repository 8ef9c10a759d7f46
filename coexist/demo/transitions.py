"""Demo transitions (issue 5): ward stays, opiate substitution and naloxone, prescribing handovers,
discharges through the R8/R9 checklist with their 72-hour follow-ups, advice requests to the addictions
consultant, and the drug and alcohol contract that ends soon with its successor (R10).

About one person in ten has been on Willow Ward in the last nine months and has left it; three are on
the ward now: one on methadone whose community prescriber has not yet accepted the handover (so the
checklist holds the discharge), one on leave today, one admitted yesterday and not yet asked about
alcohol and drugs. Like appointments, everything is dated from the moment of generation, so the team
leader's discharge figures and the consultant's worklist look live whenever `make run` is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from coexist.accounts.models import User
from coexist.advice.models import AdviceRequest, AdviceStatus
from coexist.care.models import CarePlanVersion, CareTeamMember, EpisodeOfCare, EpisodeStatus
from coexist.care.plans.rules import plan_gaps
from coexist.care.reviews.selectors import care_team_practitioners
from coexist.engagement.models import Appointment, Mode
from coexist.engagement.rules import Attendance, DischargeReason, PlanReview
from coexist.handover.models import Contract
from coexist.inpatient.models import Admission, Leave, LeaveKind, LegalStatus
from coexist.inpatient.rules import SCREEN_TASK_TITLE, screen_due_at
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.rules import evaluate
from coexist.medicines.models import (
    DoseChange,
    DoseGiven,
    HandoverStatus,
    NaloxoneKit,
    NaloxoneOffer,
    NaloxoneOutcome,
    OpiateSubstitution,
    OpioidSubstitute,
    PrescribingHandover,
)
from coexist.organisations.models import Organisation, OrganisationKind, Role, Service, ServiceKind, Team
from coexist.referrals.models import Referral, ReferralStatusChange, Route, Status
from coexist.tasks.models import Priority, Task
from coexist.transitions import rules as checklist
from coexist.transitions.models import HousingSupport, Transition, TransitionInvitee, TransitionKind, TransitionStatus

if TYPE_CHECKING:
    from coexist.demo.generate import SeededRandom
    from coexist.demo.pathway import Case

WARD_STAY_SHARE = 0.1  # people discharged from Willow Ward in the last nine months
CURRENT_ADMISSIONS = 3
NALOXONE_OUTCOMES = {NaloxoneOutcome.SUPPLIED: 70, NaloxoneOutcome.DECLINED: 20, NaloxoneOutcome.ALREADY_HAS: 10}
OST_SHARE = 0.45  # of people with a ward stay, on opiate substitution (high: opioid users are admitted more)
PHARMACIES = ("Boots, High Street", "Lloyds, Market Square", "Well Pharmacy, Station Road", "Rowlands, Park Lane")
CHECKLIST_KEYS = (
    checklist.INVITE, checklist.HOUSING, checklist.RISK_SAFETY, checklist.CRISIS_CONTINGENCY, checklist.RECONTACT,
    checklist.DA_REFERRAL, checklist.PRESCRIBING, checklist.NALOXONE, checklist.FOLLOW_UP,
)  # fmt: skip
OVERRIDE_REASON = (
    "Left at the weekend at their own request, before the community prescriber could answer; the ward phoned the "
    "pharmacy with the last dose given."
)
SUCCESSOR_NAME = "Northfield Recovery Partnership"
QUESTIONS = (
    "Admitted on 60 mg methadone, says the pharmacy dose was missed for two days. Safe to restart at 60 mg?",
    "Drinking about 20 units a day before admission. Would you advise a chlordiazepoxide regime, and what dose?",
    "Uses crack and cannabis, psychosis worse with both. Could someone from your team see him before discharge?",
    "On clozapine and smoking cannabis again; any advice on interactions and harm reduction we can give?",
    "Wants to switch from methadone to buprenorphine while on the ward. How should we plan the induction?",
    "Benzodiazepines bought online, unknown dose. Should we start a reducing regime on the ward?",
    "Injecting heroin into the groin. Who should review wound care and blood-borne virus testing?",
)
ANSWERS = (
    "Two missed days: restart at 30 mg, review daily and go back up by 10 mg every 2 days to 60 mg if not sedated.",
    "Yes, a symptom-triggered chlordiazepoxide regime with CIWA-Ar; thiamine 100 mg three times a day as well.",
    "Erin Walsh will see him on Thursday's ward round; please book unescorted leave for the assessment too.",
)


@dataclass
class TransitionCounts:
    admissions: int = 0
    current_admissions: int = 0
    discharges: int = 0
    overrides: int = 0
    opiate_substitution: int = 0
    advice_requests: int = 0
    contracts: int = 0
    open_tasks: int = 0  # the admission screen, the handover waiting for the prescriber, the open advice
    screens: int = 0  # substance screens recorded on the ward
    appointments: int = 0  # each discharge's 72-hour follow-up, and the one booked for the discharge under way


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def add_transitions(
    r: SeededRandom,
    cases: Sequence[Case],
    *,
    now: datetime,
    cast: dict[str, User],
    services: dict[str, Service],
    teams: dict[str, Team],
    reference: Callable[[], str],
) -> TransitionCounts:
    counts = TransitionCounts()
    ward, ward_team = services["Willow Ward"], teams["Willow Ward team"]
    community_da = services["Community drug and alcohol service"]
    nurse, worker, consultant = cast["wardnurse"], cast["substance"], cast["consultant"]
    # Only people with a community coordinator: the 72-hour follow-up is theirs to give.
    candidates = [c for c in cases if c.coordinator is not None and c.coordinator != cast["coordinator2"]]
    chosen = r.rng.sample(candidates, min(len(candidates), max(1, round(len(cases) * WARD_STAY_SHARE))))
    # The discharge held for the methadone handover is someone whose care plan is complete, so the handover is
    # the one open item on the checklist.
    ready = next((i for i, c in enumerate(chosen) if _plan_is_complete(c)), 0)
    chosen.insert(0, chosen.pop(ready))
    current = chosen[:CURRENT_ADMISSIONS]
    past = chosen[CURRENT_ADMISSIONS:]
    today = timezone.localdate(now)
    overridden_once = late_once = False
    for index, case in enumerate(past):
        discharged_on = today - timedelta(days=r.rng.randrange(5, 270))
        admitted_on = discharged_on - timedelta(days=r.rng.randrange(9, 40))
        on_ost = r.chance(OST_SHARE)
        # One person on methadone left before the prescriber answered (a senior override); one did not get to
        # the pharmacy until the second day.
        override = on_ost and not overridden_once and index >= 2
        late_first_dose = on_ost and not override and not late_once
        overridden_once = overridden_once or override
        late_once = late_once or late_first_dose
        _past_stay(
            r, case, ward=ward, ward_team=ward_team, community_da=community_da, nurse=nurse, worker=worker,
            consultant=consultant, admitted_on=admitted_on, discharged_on=discharged_on, on_ost=on_ost,
            override=override, late_first_dose=late_first_dose, late_follow_up=index == 3,
        )  # fmt: skip
        counts.discharges += 1
        counts.overrides += int(override)
        counts.opiate_substitution += int(on_ost)
    counts.advice_requests = _advice(r, chosen or list(cases[:7]), now=now, consultant=consultant, askers=cast)
    for index, case in enumerate(current):
        admitted_on = today - timedelta(days=(12, 6, 1)[index % 3])
        _current_stay(
            r, case, ward=ward, ward_team=ward_team, community_da=community_da, nurse=nurse, worker=worker,
            admitted_on=admitted_on, on_ost=index == 0, on_leave=index == 1, now=now, screened=index != 2,
            reference=reference,
        )  # fmt: skip
        counts.opiate_substitution += int(index == 0)
        counts.screens += int(index != 2)
    counts.appointments = counts.discharges + int(bool(current))
    counts.admissions = len(chosen)
    counts.current_admissions = len(current)
    counts.open_tasks = Task.objects.filter(rule__in=["R9", "NG58"]).count()
    counts.contracts = _contracts(r, community_da=community_da, today=today)
    return counts


def _ward_episode(
    r: SeededRandom, case: Case, *, ward: Service, ward_team: Team, nurse: User, worker: User, admitted: datetime
) -> EpisodeOfCare:
    episode = EpisodeOfCare.objects.create(
        public_id=r.uuid(), person=case.person, service=ward, team=ward_team, status=EpisodeStatus.ACTIVE,
        coordinator=nurse, coordinator_since=admitted.date(), opened_at=admitted, opened_by=nurse,
    )  # fmt: skip
    CareTeamMember.objects.bulk_create(
        [
            CareTeamMember(
                public_id=r.uuid(), person=case.person, episode=episode, user=nurse, role=Role.CARE_COORDINATOR,
                started_on=admitted.date(), added_by=nurse,
            ),
            CareTeamMember(
                public_id=r.uuid(), person=case.person, episode=episode, user=worker,
                role=Role.SUBSTANCE_MISUSE_WORKER, started_on=admitted.date(), added_by=nurse,
            ),
        ]
    )  # fmt: skip
    return episode


def _course(
    r: SeededRandom, case: Case, *, service: Service, started: date, by: User, dose: Decimal, pharmacy: str
) -> OpiateSubstitution:
    course = OpiateSubstitution.objects.create(
        public_id=r.uuid(), person=case.person, drug=OpioidSubstitute.METHADONE, prescribing_service=service,
        started_on=started, recorded_by=by, recorded_at=_at(started, 10),
    )  # fmt: skip
    DoseChange.objects.create(
        public_id=r.uuid(), treatment=course, daily_dose_mg=dose - 10, supervised=True, pharmacy=pharmacy,
        effective_from=started, recorded_by=by, recorded_at=_at(started, 10), reason="Starting dose.",
    )  # fmt: skip
    DoseChange.objects.create(
        public_id=r.uuid(), treatment=course, daily_dose_mg=dose, supervised=True, pharmacy=pharmacy,
        effective_from=started + timedelta(days=14), recorded_by=by, recorded_at=_at(started + timedelta(days=14), 10),
        reason="Still using on top; titrated up by 10 mg.",
    )  # fmt: skip
    return course


def _past_stay(
    r: SeededRandom,
    case: Case,
    *,
    ward: Service,
    ward_team: Team,
    community_da: Service,
    nurse: User,
    worker: User,
    consultant: User,
    admitted_on: date,
    discharged_on: date,
    on_ost: bool,
    override: bool,
    late_first_dose: bool,
    late_follow_up: bool,
) -> None:
    admitted = _at(admitted_on, r.rng.randrange(10, 22))
    discharged = _at(discharged_on, r.rng.randrange(10, 16))
    episode = _ward_episode(r, case, ward=ward, ward_team=ward_team, nurse=nurse, worker=worker, admitted=admitted)
    admission = Admission.objects.create(
        public_id=r.uuid(), person=case.person, episode=episode, ward=ward, admitted_at=admitted,
        legal_status=r.weighted({LegalStatus.INFORMAL: 55, LegalStatus.SECTION_2: 30, LegalStatus.SECTION_3: 15}),
        reason="Relapse of psychosis with increased drug use.", ward_substance_worker=worker,
        ward_substance_worker_since=admitted + timedelta(days=1), recorded_at=admitted, recorded_by=nurse,
        discharged_at=discharged,
    )  # fmt: skip
    leave_day = discharged_on - timedelta(days=3)
    Leave.objects.create(
        public_id=r.uuid(), admission=admission, kind=LeaveKind.UNESCORTED, starts_at=_at(leave_day, 10),
        ends_at=_at(leave_day, 16), returned_at=_at(leave_day, 15, 30), recorded_by=nurse,
        purpose="Assessment at the community drug and alcohol service.",
    )  # fmt: skip
    naloxone = on_ost or r.chance(0.5)  # offered to everyone who uses opioids: all on methadone, some others
    handed_over = on_ost and not override
    if on_ost:
        pharmacy = r.pick(PHARMACIES)
        course = _course(
            r, case, service=community_da, started=admitted_on - timedelta(days=200), by=consultant,
            dose=Decimal(r.pick([50, 60, 70, 80])), pharmacy=pharmacy,
        )  # fmt: skip
        last_dose = _at(discharged_on, 9)
        DoseGiven.objects.create(
            public_id=r.uuid(), treatment=course, given_at=last_dose, dose_mg=course.doses.first().daily_dose_mg,  # type: ignore[union-attr]
            where="Willow Ward", recorded_by=nurse,
        )  # fmt: skip
        first_community = discharged_on + timedelta(days=1)
    if handed_over:
        PrescribingHandover.objects.create(
            public_id=r.uuid(), treatment=course, person=case.person, from_episode=episode, to_service=community_da,
            drug=course.drug, daily_dose_mg=course.doses.first().daily_dose_mg, supervised=True,  # type: ignore[union-attr]
            pharmacy=pharmacy, last_dose_given_at=last_dose, first_community_dose_on=first_community,
            status=HandoverStatus.ACCEPTED, requested_at=discharged - timedelta(days=3), requested_by=nurse,
            answered_at=discharged - timedelta(days=2), answered_by=consultant,
            answer_note="Accepted. Pharmacy told; first supervised dose as stated.",
        )  # fmt: skip
    if on_ost:
        # The first supervised dose at the pharmacy: the next day, once two days on (they did not go on day one).
        went_on = first_community + timedelta(days=int(late_first_dose))
        DoseGiven.objects.create(
            public_id=r.uuid(), treatment=course, given_at=_at(went_on, 10),
            dose_mg=course.doses.first().daily_dose_mg, where=pharmacy, recorded_by=consultant,  # type: ignore[union-attr]
        )  # fmt: skip
    if naloxone:
        NaloxoneOffer.objects.create(
            public_id=r.uuid(), person=case.person, offered_at=discharged - timedelta(days=1),
            outcome=r.weighted(NALOXONE_OUTCOMES),
            kit=NaloxoneKit.NASAL, training_given=True, recorded_by=worker,
        )  # fmt: skip
    # The 72-hour follow-up by the community coordinator: usually the next day or two, once late.
    coordinator = case.coordinator
    assert coordinator is not None
    follow_up_at = discharged + timedelta(days=5 if late_follow_up else r.pick([1, 2]), hours=1)
    appointment = Appointment.objects.create(
        public_id=r.uuid(), person=case.person, episode=case.episode, service=case.team.service, staff=coordinator,
        mode=Mode.HOME_VISIT, starts_at=follow_up_at, status=Attendance.ATTENDED_ON_TIME,
        outcome_recorded_at=follow_up_at + timedelta(hours=2), outcome_recorded_by=coordinator,
        plan_reviewed=PlanReview.UNCHANGED, created_at=discharged - timedelta(days=2), created_by=nurse,
    )  # fmt: skip
    transition = Transition.objects.create(
        public_id=r.uuid(), person=case.person, episode=episode, kind=TransitionKind.DISCHARGE,
        status=TransitionStatus.COMPLETED, discharge_reason=DischargeReason.GOALS_MET,
        destination="Home, with the community team and the drug and alcohol service.", planned_for=discharged_on,
        meeting_at=discharged - timedelta(days=2), housing_support=HousingSupport.IN_PLACE,
        housing_note="Tenancy support worker visiting weekly.", follow_up_appointment=appointment,
        started_at=discharged - timedelta(days=6), started_by=nurse, completed_at=discharged, completed_by=nurse,
        checklist_at_completion=_checklist(on_ost=on_ost, handed_over=handed_over, naloxone=naloxone,
                                           override=override),
        override_by=consultant if override else None,
        override_reason=OVERRIDE_REASON if override else "",
        overridden_items=["prescribing_handover"] if override else [],
    )  # fmt: skip
    TransitionInvitee.objects.bulk_create(
        [
            TransitionInvitee(public_id=r.uuid(), transition=transition, user=user, attended=True)
            for user in {nurse, worker, coordinator}
        ]
    )
    episode.status = EpisodeStatus.FINISHED
    episode.finished_at = discharged
    episode.finished_by = nurse
    episode.finish_reason = DischargeReason.GOALS_MET
    episode.save(update_fields=["status", "finished_at", "finished_by", "finish_reason"])
    CareTeamMember.objects.filter(episode=episode).update(ended_on=discharged_on)


def _checklist(*, on_ost: bool, handed_over: bool, naloxone: bool, override: bool) -> list[dict[str, object]]:
    """The checklist as it stood at completion (coexist.transitions.rules keys), as the figures read it."""
    items: list[dict[str, object]] = []
    for key in CHECKLIST_KEYS:
        applies, met = True, True
        if key == checklist.PRESCRIBING:
            applies, met = on_ost, handed_over
        elif key == checklist.NALOXONE:
            applies, met = naloxone, naloxone
        items.append({"key": key, "title": key.replace("_", " ").capitalize(), "met": met and applies,
                      "applies": applies, "explanation": "Generated demo discharge."})  # fmt: skip
    return items


def _current_stay(
    r: SeededRandom,
    case: Case,
    *,
    ward: Service,
    ward_team: Team,
    community_da: Service,
    nurse: User,
    worker: User,
    admitted_on: date,
    on_ost: bool,
    on_leave: bool,
    now: datetime,
    screened: bool,
    reference: Callable[[], str],
) -> None:
    admitted = _at(admitted_on, 14)
    episode = _ward_episode(r, case, ward=ward, ward_team=ward_team, nurse=nurse, worker=worker, admitted=admitted)
    admission = Admission.objects.create(
        public_id=r.uuid(), person=case.person, episode=episode, ward=ward, admitted_at=admitted,
        legal_status=LegalStatus.SECTION_2 if on_ost else LegalStatus.INFORMAL,
        reason="Paranoid and not sleeping; using more heroin and crack.", recorded_at=admitted, recorded_by=nurse,
        ward_substance_worker=worker if screened else None,
        ward_substance_worker_since=admitted + timedelta(days=1) if screened else None,
    )  # fmt: skip
    if screened:
        # R9, R15: asked about alcohol and drugs on the ward the evening of admission (the one scoring engine).
        audit = DEFINITIONS["audit"]
        outcome = evaluate(audit, {item.code: max(o.value for o in item.options) // 2 for item in audit.items})
        InstrumentResponse.objects.create(
            public_id=r.uuid(), person=case.person, instrument_code=audit.code, instrument_version=audit.version,
            answers=outcome.answers, score=outcome.scores, band=outcome.band, recorded_by=nurse,
            completed_at=admitted + timedelta(hours=4),
        )  # fmt: skip
    else:
        admission.screen_task = Task.objects.create(
            public_id=r.uuid(), person=case.person, episode=episode, rule="R9", title=SCREEN_TASK_TITLE,
            priority=Priority.SOON, due_at=screen_due_at(admitted), assigned_team=ward_team, created_at=admitted,
            created_by=nurse,
        )  # fmt: skip
        admission.save(update_fields=["screen_task"])
    if on_leave:
        Leave.objects.create(
            public_id=r.uuid(), admission=admission, kind=LeaveKind.UNESCORTED, starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=5), recorded_by=nurse,
            purpose="Assessment at the community drug and alcohol service.",
        )  # fmt: skip
    if on_ost:
        course = _course(
            r, case, service=community_da, started=admitted_on - timedelta(days=300), by=worker,
            dose=Decimal(60), pharmacy=PHARMACIES[0],
        )  # fmt: skip
        for days_ago in range(2, -1, -1):
            DoseGiven.objects.create(
                public_id=r.uuid(), treatment=course, given_at=now - timedelta(days=days_ago, hours=2),
                dose_mg=Decimal(60),
                where="Willow Ward", recorded_by=nurse,
            )  # fmt: skip
        # Asked of the community prescriber an hour ago, not answered yet: the checklist holds the discharge.
        task = Task.objects.create(
            public_id=r.uuid(), person=case.person, rule="R9",
            title=f"Prescribing handover for {case.person.full_name}: accept or decline", priority=Priority.SOON,
            due_at=_at(timezone.localdate(now), 17), assigned_team=community_da.teams.first(),
            created_at=now - timedelta(hours=1), created_by=nurse,
        )  # fmt: skip
        PrescribingHandover.objects.create(
            public_id=r.uuid(), treatment=course, person=case.person, from_episode=episode, to_service=community_da,
            task=task, drug=course.drug, daily_dose_mg=Decimal(60), supervised=True, pharmacy=PHARMACIES[0],
            last_dose_given_at=now - timedelta(hours=2), first_community_dose_on=timezone.localdate(now) + timedelta(1),
            requested_at=now - timedelta(hours=1), requested_by=nurse,
        )  # fmt: skip
        _discharge_held_for_the_handover(
            r, case, episode=episode, community_da=community_da, nurse=nurse, worker=worker, now=now,
            reference=reference,
        )  # fmt: skip


def _plan_is_complete(case: Case) -> bool:
    latest = CarePlanVersion.objects.filter(plan__person=case.person).order_by("-number").first()
    if latest is None:
        return False
    content = latest.plan_content
    return not plan_gaps(content) and bool(content.coping_strategies)


def _discharge_held_for_the_handover(
    r: SeededRandom,
    case: Case,
    *,
    episode: EpisodeOfCare,
    community_da: Service,
    nurse: User,
    worker: User,
    now: datetime,
    reference: Callable[[], str],
) -> None:
    """Everything on the R8/R9 checklist done but the community prescriber's acceptance of the methadone
    handover: the drug and alcohol referral made on the ward, naloxone supplied, housing support in place, the
    meeting with everyone invited, and the community coordinator's visit booked for the day after discharge."""
    received = now - timedelta(days=2)
    referral = Referral.objects.create(
        public_id=r.uuid(), reference=reference(), person=case.person, to_service=community_da, route=Route.WARD,
        reason="On methadone 60 mg and using crack; referred from the ward before discharge (R9).", referrer=nurse,
        received_at=received,
    )  # fmt: skip
    ReferralStatusChange.objects.create(
        referral=referral, from_status="", to_status=Status.RECEIVED, by=nurse, at=received, note=Route.WARD.label
    )
    NaloxoneOffer.objects.create(
        public_id=r.uuid(), person=case.person, offered_at=now - timedelta(days=1), outcome=NaloxoneOutcome.SUPPLIED,
        kit=NaloxoneKit.NASAL, training_given=True, recorded_by=worker,
    )  # fmt: skip
    coordinator = case.coordinator
    assert coordinator is not None
    visit = _at(timezone.localdate(now) + timedelta(days=1), 11)
    appointment = Appointment.objects.create(
        public_id=r.uuid(), person=case.person, episode=case.episode, service=case.team.service, staff=coordinator,
        mode=Mode.HOME_VISIT, starts_at=visit, created_at=now - timedelta(hours=3), created_by=nurse,
    )  # fmt: skip
    transition = Transition.objects.create(
        public_id=r.uuid(), person=case.person, episode=episode, kind=TransitionKind.DISCHARGE,
        discharge_reason=DischargeReason.GOALS_MET, planned_for=timezone.localdate(now),
        destination="Home, with the community team and the drug and alcohol service.",
        meeting_at=now - timedelta(hours=5), housing_support=HousingSupport.IN_PLACE,
        housing_note="Hostel key worker confirmed the room is kept; tenancy support visits weekly.",
        follow_up_appointment=appointment, started_at=now - timedelta(days=1), started_by=nurse,
    )  # fmt: skip
    TransitionInvitee.objects.bulk_create(
        [
            TransitionInvitee(
                public_id=r.uuid(),
                transition=transition,
                user=p.user,
                attended=True,
                organisation=Organisation.objects.filter(name=min(p.organisations)).first(),
            )
            for p in care_team_practitioners(case.person, on=timezone.localdate(now))
        ]
    )


def _advice(r: SeededRandom, cases: Sequence[Case], *, now: datetime, consultant: User, askers: dict[str, User]) -> int:
    """Questions to the addictions consultant: three open (hours to days old), the rest answered."""
    made = 0
    for index, case in enumerate(cases[: len(QUESTIONS)]):
        asked = now - timedelta(hours=(5, 30, 80, 200, 400, 700, 900)[index])
        asker = askers["psychiatrist"] if index % 2 else askers["wardnurse"]
        answered = index >= 3
        task = None
        if not answered:
            task = Task.objects.create(
                public_id=r.uuid(), person=case.person, rule="NG58",
                title=f"{'Urgent: a' if index == 0 else 'A'}dvice asked by {asker.display_name}",
                priority=Priority.URGENT if index == 0 else Priority.SOON, assigned_to=consultant,
                due_at=asked + timedelta(hours=4 if index == 0 else 48), created_at=asked, created_by=asker,
            )  # fmt: skip
        AdviceRequest.objects.create(
            public_id=r.uuid(), person=case.person, consultant=consultant, question=QUESTIONS[index], urgent=index == 0,
            task=task,
            asked_at=asked, asked_by=asker, status=AdviceStatus.ANSWERED if answered else AdviceStatus.OPEN,
            answer=ANSWERS[index % len(ANSWERS)] if answered else "",
            answered_at=asked + timedelta(hours=20) if answered else None,
            answered_by=consultant if answered else None,
        )  # fmt: skip
        if not CareTeamMember.objects.filter(person=case.person, user=consultant).exists():
            CareTeamMember.objects.create(
                public_id=r.uuid(), person=case.person, episode=case.episode, user=consultant,
                role=Role.ADDICTIONS_CONSULTANT,
                started_on=timezone.localdate(asked), added_by=asker,
            )  # fmt: skip
        made += 1
    return made


def _contracts(r: SeededRandom, *, community_da: Service, today: date) -> int:
    """R10: Pathways' contract for the community drug and alcohol service ends in 60 days; the successor
    provider's service and team exist, with nobody on its caseload yet."""
    successor_org = Organisation.objects.create(
        public_id=r.uuid(), name=SUCCESSOR_NAME, kind=OrganisationKind.DRUG_ALCOHOL_PROVIDER, ods_code="NX2"
    )
    successor_service = Service.objects.create(
        public_id=r.uuid(), organisation=successor_org, name="Recovery partnership drug and alcohol service",
        kind=ServiceKind.DRUG_ALCOHOL,
    )  # fmt: skip
    # A team must exist to receive the caseload; nobody works there until the handover.
    Team.objects.create(public_id=r.uuid(), service=successor_service, name="Recovery partnership community team")
    ends = today + timedelta(days=60)
    new = Contract.objects.create(
        public_id=r.uuid(), name="Northfield adult drug and alcohol treatment 2027-2030",
        provider=successor_org, service=successor_service, starts_on=ends + timedelta(days=1),
        ends_on=ends + timedelta(days=3 * 365),
    )  # fmt: skip
    Contract.objects.create(
        public_id=r.uuid(), name="Northfield adult drug and alcohol treatment 2024-2027",
        provider=community_da.organisation, service=community_da, starts_on=ends - timedelta(days=3 * 365),
        ends_on=ends, successor=new,
    )  # fmt: skip
    return 2
