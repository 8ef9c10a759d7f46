"""The referral-to-care-plan pathway (issue 3) for the demo population, deterministic from the seed.

`generate.py` makes the people, staff and care teams; this module lays out what happened to each
person on the way in and since: the accepted referral and its status history, the episode of care,
substance and mood screens (scored by the one engine, `coexist.instruments.rules.evaluate`, never by
hand), the joint assessment, risk flags (R13, R15), care plans that validate against `PlanContent`
(R4), carers' assessment offers (R5), tasks (R2, R15) and the open work waiting for triage.

Everything is built in memory first and saved with bulk_create in dependency order by `save()`.

Dates hang off the anchor (decision 0009), with exceptions so the demo looks live whenever it is
loaded: open tasks are due relative to the moment of generation (`now`), and so is the event that
raised each one (the PHQ-9 or assessment save), as are the review dates of risk flags still current
and the open work waiting for triage (referrals and drop-in visits of the last few weeks).
Anchored review dates would all have passed a few weeks after the anchor, and every flag would be on
the team leader's list; the flags planted as expired keep anchored review dates in the past.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from coexist.accounts.models import User
from coexist.assessments.models import (
    AssessmentStatus,
    Assessor,
    ChildrenContact,
    Domain,
    DomainFinding,
    Frequency,
    JointAssessment,
    Need,
    RiskFlag,
    RiskFlagReview,
    RiskKind,
    Substance,
    SubstanceUse,
)
from coexist.assessments.models import Route as SubstanceRoute
from coexist.assessments.rules import DomainNeed, urgent_needs, urgent_task_due
from coexist.care.models import CarePlan, CarePlanVersion, EpisodeOfCare, EpisodeStatus
from coexist.care.plans.content import CarerSupport, Goal, PlanContent, ServiceContact
from coexist.care.plans.rules import changed_sections, plan_gaps
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.rules import Instrument, Outcome, evaluate
from coexist.instruments.services import ALERT_REVIEW_DAYS
from coexist.organisations.models import Organisation, Service, Team
from coexist.people.models import Carer, CarerAssessment, CarerAssessmentStatus, Person
from coexist.people.rules import ContactMethod
from coexist.referrals.models import DropInVisit, Referral, ReferralStatusChange, Route, Status, Urgency
from coexist.referrals.rules import REFERENCE_ALPHABET, reference_format
from coexist.tasks.models import Priority, Task, TaskStatus

if TYPE_CHECKING:
    from faker import Faker

    from coexist.demo.generate import SeededRandom

LONDON = ZoneInfo("Europe/London")

# How the people now in a care coordinator's caseload came in (issue 3 brief: the trust's routes).
ACCEPTED_ROUTE_WEIGHTS = {
    Route.STAFF: 40,
    Route.SELF: 15,
    Route.DROP_IN: 10,
    Route.WARD: 15,
    Route.GP: 15,
    Route.CRIMINAL_JUSTICE: 5,
}
URGENCY_WEIGHTS = {Urgency.ROUTINE: 70, Urgency.SOON: 22, Urgency.URGENT: 8}
NO_COORDINATOR_SHARE = 0.03  # open CMHT episodes still waiting for a named coordinator (R3)
AUDIT_SHARE = 0.87  # of people past acceptance; with the newly accepted (none yet) about 85% overall
DUDIT_SHARE = 0.35  # of those with an AUDIT: people who also use drugs
AUDIT_C_SHARE = 0.2  # of those with an AUDIT: a short AUDIT-C at referral as well
PHQ9_SHARE = 0.72
PHQ9_SELF_HARM_SHARE = 0.07  # of PHQ-9s, item 9 above 0; with the planted ones about 8% of everyone
ASSESSED_SHARE = 0.7  # of people screened: a completed joint assessment (about 60% of everyone)
ASSESSING_SHARE = 0.05  # a joint assessment still in progress
CARE_PLAN_SHARE = 0.72
DRAFT_PLAN_SHARE = 0.08  # plans whose latest version is an incomplete draft
CARER_OFFER_SHARE = 0.6  # carers who provide care and have been offered an assessment (R5)

# Alex Morgan's caseload gets these on purpose, so the named coordinator always has live work and
# the team leader's list is never empty: open R15 tasks, expired flags, open R2 tasks, unscreened.
PLANTED_ROLES = ("open_r15",) * 3 + ("expired_flag",) * 2 + ("open_r2",) * 2 + ("unscreened",) * 2
# When the open tasks were raised, before `now`: two overdue by days, the rest found today.
OPEN_TASK_AGES = (
    timedelta(days=3, hours=2),
    timedelta(days=1, hours=4),
    timedelta(hours=5),
    timedelta(hours=2),
    timedelta(minutes=40),
)

TEAM_PHONES = {
    "North community team": "01632 960 101",
    "South community team": "01632 960 102",
    "Community drug and alcohol team": "01632 960 201",
}
CRISIS_LINE = "0800 069 0000"  # the trust's 24-hour mental health crisis line (made up)
GP_PHONE = "01632 960 301"

CMHT_REASONS = (
    "Hearing voices again and not sleeping; drinking most days to cope. Stopped taking medication.",
    "Low mood and thoughts of not wanting to be here; using cannabis daily. Lost tenancy last month.",
    "Released from prison two weeks ago; history of psychosis and crack cocaine use. No GP yet.",
    "Admitted to Willow Ward after an overdose; discharged, needs community follow-up and a care coordinator.",
    "Paranoid beliefs about neighbours, drinking heavily, two police call-outs this month.",
    "Known bipolar disorder, stopped lithium, spending and drinking; family very worried.",
    "Asked at the drop-in for help with voices and drinking; agreed to a referral.",
    "Self-harm by cutting and daily heroin use; sofa-surfing. Wants help with both.",
)
CDAS_REASONS = (
    "Alcohol and cannabis use affecting mental health; wants help to cut down.",
    "Drinking about 20 units a day with morning shakes; asks for a supported detox.",
    "Using crack at weekends and spending benefits on it; wants to stop.",
    "On methadone from prison; needs the prescription continued in the community.",
    "Misusing prescribed pregabalin and drinking; GP worried about overdose.",
)
SELF_REASONS = {
    "drugs_alcohol": (
        "I drink every day now and I can't stop on my own. I want to before I lose my job.",
        "I smoke crack most weekends and it's getting worse. I want some help but I'm scared of being judged.",
        "I've been using heroin again since my mum died. I want to get on a script.",
        "I need help with my drinking, my GP said I could refer myself.",
    ),
    "mental_health": (
        "My head has been really bad, I hear things that aren't there and I drink to make it stop.",
        "I feel low all the time and I've started using again to cope. Please call, don't leave a voicemail.",
    ),
    "not_sure": (
        "I don't know who to talk to. I'm using a lot and my mental health is all over the place.",
        "Friend told me about the drop-in. I'm struggling with drink and my moods.",
    ),
}
DIAGNOSES = {
    "Schizophrenia (F20)": 30,
    "Bipolar affective disorder (F31)": 16,
    "Schizoaffective disorder (F25)": 10,
    "Recurrent depressive disorder, severe, with psychotic symptoms (F33.3)": 8,
    "Emotionally unstable personality disorder (F60.3)": 12,
    "Post-traumatic stress disorder (F43.1)": 8,
    "": 16,  # not known yet: the field is only for a known diagnosis
}
DOMAIN_NOTES: dict[str, tuple[str, str, str]] = {  # (no need, routine need, urgent need)
    Domain.MENTAL_HEALTH: (
        "Settled on current medication.",
        "Hears voices most days; distressed by them at night. Review medication with psychiatrist.",
        "Acutely paranoid and not sleeping; needs same-day medical review.",
    ),
    Domain.SUBSTANCE_USE: (
        "Drinks occasionally; no drug use.",
        "Drinks daily and uses cannabis to manage voices; wants to cut down.",
        "Drinking through the day with withdrawal fits in the past; needs a medically managed plan.",
    ),
    Domain.PHYSICAL_HEALTH: (
        "No concerns; annual health check done with GP.",
        "Overdue physical health check; smokes 20 a day. Book with GP.",
        "Injection-site abscess on the left leg, hot and spreading; needs treatment today.",
    ),
    Domain.HOUSING: (
        "Settled tenancy.",
        "Rent arrears building up; refer to tenancy support.",
        "Eviction hearing this week and rent arrears of about £1,200; needs housing advice now.",
    ),
    Domain.BENEFITS_MONEY: (
        "Benefits in place.",
        "Universal Credit claim needs a change of circumstances; help with the form.",
        "No money and no food since benefits were stopped; needs an emergency payment and a food bank voucher.",
    ),
    Domain.SOCIAL_ISOLATION: (
        "Sees family weekly.",
        "Few friends outside people they use with; interested in the recovery college.",
        "Lives alone and has not left the flat for weeks.",
    ),
    Domain.SAFEGUARDING_PERSON: (
        "No concerns.",
        "Owes money to a dealer; discuss safety.",
        "Being cuckooed: people using the flat to deal; feels unsafe at home.",
    ),
    Domain.SAFEGUARDING_CARERS: (
        "Carer coping; offered a carer's assessment.",
        "Mother exhausted and worried; offer a carer's assessment.",
        "Carer reports being threatened during arguments about money.",
    ),
    Domain.SAFEGUARDING_CHILDREN: (
        "No children live with or are cared for by them.",
        "Sees their children at weekends; agree a plan for not using before contact.",
        "Young child at home and the person is using heavily; refer to children's social care today.",
    ),
    Domain.STRENGTHS: (
        "Warm, funny, good with people; keen to get back to work.",
        "Engages well when seen at home; close to their sister.",
        "Engages well when seen at home.",
    ),
    Domain.RISKS: (
        "No current risk to self or others.",
        "Past overdose two years ago; reduced tolerance after prison.",
        "Thoughts of ending their life with a plan; see the risk flag.",
    ),
}
# Domains where an urgent need is plausible in the demo (R2 tasks come from these).
URGENT_DOMAINS = frozenset({Domain.HOUSING, Domain.PHYSICAL_HEALTH, Domain.BENEFITS_MONEY, Domain.SAFEGUARDING_PERSON})
SUBSTANCE_WEIGHTS = {
    Substance.ALCOHOL: 45,
    Substance.CANNABIS: 25,
    Substance.CRACK: 8,
    Substance.OPIOIDS: 7,
    Substance.COCAINE: 7,
    Substance.BENZODIAZEPINES: 4,
    Substance.AMPHETAMINES: 3,
    Substance.NPS: 1,
}
FREQUENCY_WEIGHTS = {
    Frequency.DAILY: 40,
    Frequency.MOST_DAYS: 25,
    Frequency.WEEKLY: 20,
    Frequency.LESS_THAN_WEEKLY: 10,
    Frequency.NOT_IN_28_DAYS: 5,
}
PERSON_GOALS = (
    "I want to get my own flat and keep it this time.",
    "Cut down to drinking at weekends only.",
    "See my daughter every Sunday without having used first.",
    "Stop hearing the voices so loud at night so I can sleep.",
    "Get back to the gym and feel fit again.",
    "Come off the heroin and get on a script that works for me.",
    "Stay out of hospital this year.",
    "Find some work, even volunteering, a couple of days a week.",
    "Sort out my money so I'm not skint by the Tuesday.",
    "Have friends who don't use.",
    "Do the cooking course at the recovery college.",
    "Not end up back in prison.",
)
SERVICE_GOALS = (
    "Reduce alcohol use towards 14 units a week or fewer, measured by AUDIT at review.",
    "Keep to the antipsychotic medication, with a depot review every three months.",
    "Register with a GP and complete an annual physical health check.",
    "Secure a settled tenancy with tenancy support in place.",
    "Attend joint appointments with the drug and alcohol worker every fortnight.",
    "Start opiate substitution treatment and take naloxone home.",
    "Reduce cannabis use and monitor its effect on psychotic symptoms.",
    "Complete a benefits check and claim all entitlements.",
)
RECONCILIATIONS = (
    "{name} wants to cut down rather than stop drinking; we agreed to start there and review in three months.",
    "{name} does not want a depot; agreed to try tablets with weekly support and talk again if they stop.",
    "We talked about housing first; {name} wants their own flat, the team suggested supported housing "
    "for six months first, and {name} agreed to visit one.",
)
STRENGTHS = (
    "Good sense of humour; close to their sister; has kept a tenancy before; skilled at fixing bikes.",
    "Determined, honest about their use, keeps appointments when texted the day before.",
    "Creative (draws and writes music); supportive partner; has stopped drinking before for a year.",
)
COPING = (
    "Walking the dog, music through headphones, phoning their sister before things get bad.",
    "Going to the drop-in on Wednesdays; leaving the house when voices get loud; not keeping drink in.",
    "Breathing exercises from the recovery college; calling the crisis line early rather than late.",
)
CARER_SUPPORT = (
    "Calls every evening and helps with shopping.",
    "Lives with them; reminds them about medication and appointments.",
    "Visits at weekends and helps with money and letters.",
)
CARER_NOTES = {
    CarerAssessmentStatus.OFFERED: "Offered a carer's assessment; thinking about it.",
    CarerAssessmentStatus.ACCEPTED: "Accepted; the carers' support worker will visit.",
    CarerAssessmentStatus.DECLINED: "Declined for now; knows they can ask again at any time.",
    CarerAssessmentStatus.COMPLETED: "Completed; respite and a carers' group agreed.",
}
DROP_IN_ALIASES = ("Mac", "Jay", "Tee", "Bee", "Dee")
DROP_IN_DISCUSSED = (
    "Drinking heavily since losing work; low mood. Took leaflets and the crisis number.",
    "Wanted a needle exchange and a chat; hearing voices, not ready to give a name.",
    "Came with a friend; anxious, using benzos bought online. Will come back next week.",
    "Sleeping rough, using crack; wants help with both and agreed to a referral.",
    "Low mood and cannabis every day; agreed to a referral to the mental health team.",
)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A time of day in the trust's time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@dataclass
class Case:
    """One person in the population and the episode of care they are on, as `generate.py` laid it out."""

    person: Person
    episode: EpisodeOfCare
    referral: Referral
    team: Team
    coordinator: User | None
    accepted_by: User
    since: date
    substance_worker: User | None = None
    carers: list[Carer] = field(default_factory=list)
    role: str = ""


@dataclass
class Counts:
    accepted_referrals: int = 0
    open_referrals: int = 0
    episodes: int = 0
    without_coordinator: int = 0
    instrument_responses: int = 0
    risk_flags: int = 0
    joint_assessments: int = 0
    care_plans: int = 0
    care_plan_versions: int = 0
    draft_plans: int = 0
    carer_assessments: int = 0
    tasks: int = 0
    open_tasks: int = 0
    drop_in_visits: int = 0


class Pathway:
    """Collects the pathway's rows for the whole population, then saves them in dependency order."""

    def __init__(
        self,
        r: SeededRandom,
        fake: Faker,
        *,
        now: datetime,
        cast: dict[str, User],
        services: dict[str, Service],
        teams: dict[str, Team],
        trust: Organisation,
        pathways: Organisation,
        substance_workers: Sequence[User],
        anchor: date,
    ) -> None:
        self.r = r
        self.fake = fake
        self.now = now
        self.cast = cast
        self.services = services
        self.teams = teams
        self.trust = trust
        self.pathways = pathways
        self.substance_workers = list(substance_workers)
        self.anchor = anchor
        self.references: set[str] = set()
        self.referrals: list[Referral] = []
        self.changes: list[ReferralStatusChange] = []
        self.episodes: list[EpisodeOfCare] = []
        self.responses: list[InstrumentResponse] = []
        self.flags: list[RiskFlag] = []
        self.flag_reviews: list[RiskFlagReview] = []
        self.tasks: list[Task] = []
        self.assessments: list[JointAssessment] = []
        self.assessors: list[Assessor] = []
        self.findings: list[DomainFinding] = []
        self.substances: list[SubstanceUse] = []
        self.plans: list[CarePlan] = []
        self.versions: list[CarePlanVersion] = []
        self.carer_assessments: list[CarerAssessment] = []
        self.drop_ins: list[DropInVisit] = []
        self._open_task_ages = list(OPEN_TASK_AGES)

    # --- Referrals and episodes --------------------------------------------------------------

    def reference(self) -> str:
        """A referral reference from the seed, in the service's format, never repeated."""
        while True:
            reference = reference_format("".join(self.r.pick(REFERENCE_ALPHABET) for _ in range(6)))
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def _history(self, referral: Referral, steps: Sequence[tuple[str, str, User | None, datetime, str]]) -> None:
        for from_status, to_status, by, when, note in steps:
            self.changes.append(
                ReferralStatusChange(
                    referral=referral, from_status=from_status, to_status=to_status, by=by, at=when, note=note
                )
            )

    def _given_identity(self, referral: Referral, person: Person, *, full: bool) -> None:
        """What the referrer gave, kept as given: the whole identity from outside, a first name from a drop-in."""
        referral.given_name = person.given_name
        if not full:
            return
        referral.family_name = person.family_name
        referral.date_of_birth = person.date_of_birth
        referral.nhs_number = person.nhs_number or ""
        referral.contact_method = person.contact_method
        referral.phone = person.phone
        referral.email = person.email
        referral.address = person.address
        referral.postcode = person.postcode

    def _clock(self, day: date) -> datetime:
        return at(day, self.r.rng.randrange(9, 17), self.r.rng.randrange(60))

    def accepted_case(
        self,
        *,
        person: Person,
        team: Team,
        coordinator: User | None,
        accepted_by: User,
        since: date,
    ) -> Case:
        """An accepted referral to the CMHT (received, triaged, accepted) and the episode it opened."""
        r, cast = self.r, self.cast
        service = team.service
        route = r.weighted(ACCEPTED_ROUTE_WEIGHTS)
        received_on = since - timedelta(days=r.rng.randrange(7, 42))
        triaged_on = min(since, received_on + timedelta(days=r.rng.randrange(0, 5)))
        offered_on = min(since, triaged_on + timedelta(days=r.rng.randrange(1, 6)))
        received, triaged = self._clock(received_on), self._clock(triaged_on)
        triaged = max(triaged, received)
        accepted = max(at(since, 16, 30), triaged)
        referral = Referral(
            public_id=r.uuid(),
            reference=self.reference(),
            person=person,
            to_service=service,
            route=route,
            status=Status.ACCEPTED,
            urgency=r.weighted(URGENCY_WEIGHTS),
            reason=r.pick(CMHT_REASONS),
            received_at=received,
            triaged_at=triaged,
            first_offered_at=max(self._clock(offered_on), triaged),
            decided_at=accepted,
        )
        first_note = Route(route).label
        if route == Route.STAFF:
            referral.referrer = r.pick([cast["substance"], cast["consultant"], cast["psychiatrist"]])
        elif route == Route.WARD:
            referral.referrer = cast["wardnurse"]
        elif route in (Route.GP, Route.CRIMINAL_JUSTICE):
            referral.referrer = accepted_by  # the duty worker who entered the letter or call
            if route == Route.GP:
                referral.referrer_name = f"Dr {self.fake.last_name()}"
                referral.referrer_organisation = "Elm Street Medical Practice"
                referral.referrer_phone = GP_PHONE
            else:
                referral.referrer_name = self.fake.name()
                referral.referrer_organisation = r.pick(["Northfield Liaison and Diversion", "Probation Service"])
                referral.referrer_phone = f"01632 960 {r.rng.randrange(400, 999)}"
            self._given_identity(referral, person, full=True)
        elif route == Route.SELF:
            self._given_identity(referral, person, full=True)
            first_note = "Self-referral"
        else:  # drop-in: a first name at the drop-in, then the record at triage
            referral.referrer = cast["substance2"]
            self._given_identity(referral, person, full=False)
            first_note = f"From a drop-in visit on {received_on - timedelta(days=1):%d %b %Y}"
        self._history(
            referral,
            [
                ("", Status.RECEIVED, referral.referrer if route != Route.SELF else None, received, first_note),
                (Status.RECEIVED, Status.TRIAGED, accepted_by, triaged, f"Triaged as {referral.urgency}."),
                (Status.TRIAGED, Status.ACCEPTED, accepted_by, accepted, f"Accepted; episode of care with {team}."),
            ],
        )
        self.referrals.append(referral)
        episode = EpisodeOfCare(
            public_id=r.uuid(),
            person=person,
            service=service,
            team=team,
            referral=referral,
            status=EpisodeStatus.ACTIVE,
            coordinator=coordinator,
            coordinator_since=since if coordinator is not None else None,
            opened_at=accepted,
            opened_by=accepted_by,
        )
        self.episodes.append(episode)
        return Case(
            person=person,
            episode=episode,
            referral=referral,
            team=team,
            coordinator=coordinator,
            accepted_by=accepted_by,
            since=since,
        )

    def open_drug_alcohol_referral(self, *, person: Person, by: User) -> Referral:
        """An open staff referral from the care coordinator to the drug and alcohol service."""
        r = self.r
        received_on = self.now.date() - timedelta(days=r.rng.randrange(1, 60))
        received = self._clock(received_on)
        triaged = r.chance(0.4)
        referral = Referral(
            public_id=r.uuid(),
            reference=self.reference(),
            person=person,
            to_service=self.services["Community drug and alcohol service"],
            route=Route.STAFF,
            status=Status.TRIAGED if triaged else Status.RECEIVED,
            urgency=r.weighted(URGENCY_WEIGHTS) if triaged else Urgency.ROUTINE,
            reason=r.pick(CDAS_REASONS),
            referrer=by,
            received_at=received,
        )
        steps: list[tuple[str, str, User | None, datetime, str]] = [
            ("", Status.RECEIVED, by, received, Route.STAFF.label)
        ]
        if triaged:
            referral.triaged_at = received + timedelta(days=r.rng.randrange(1, 4))
            steps.append((Status.RECEIVED, Status.TRIAGED, self.cast["substance"], referral.triaged_at, "Triaged."))
        self._history(referral, steps)
        self.referrals.append(referral)
        return referral

    # --- Screens, flags, assessments, plans, carers -----------------------------------------

    def _live(self, spread_days: int = 0) -> datetime:
        """A moment before `now` for an open task's trigger: the planted ages first, then some days back."""
        if self._open_task_ages:
            return self.now - self._open_task_ages.pop(0)
        return self.now - timedelta(days=self.r.rng.randrange(1, max(2, spread_days)), hours=self.r.rng.randrange(8))

    def _answers(self, instrument: Instrument, severity: float) -> dict[str, object]:
        """Answers for every question, nearer the top of each scale the higher the severity (0 to 1)."""
        answers: dict[str, object] = {}
        for item in instrument.items:
            if item.kind == "choice":
                values = sorted(option.value for option in item.options)
                position = severity * (len(values) - 1) + self.r.rng.uniform(-0.9, 0.9)
                answers[item.code] = values[min(len(values) - 1, max(0, round(position)))]
            else:
                span = item.maximum - item.minimum
                answers[item.code] = item.minimum + min(span, max(0, round(severity * span * self.r.rng.random())))
        return answers

    def _response(self, case: Case, code: str, answers: dict[str, object], by: User, when: datetime) -> Outcome:
        instrument = DEFINITIONS[code]
        outcome = evaluate(instrument, answers)  # the one scoring engine; never a score worked out here
        self.responses.append(
            InstrumentResponse(
                public_id=self.r.uuid(),
                person=case.person,
                instrument_code=instrument.code,
                instrument_version=instrument.version,
                answers=outcome.answers,
                score=outcome.scores,
                band=outcome.band,
                completed_at=when,
                recorded_by=by,
            )
        )
        return outcome

    def _screen_day(self, case: Case) -> date:
        room = max(2, (self.anchor - case.since).days - 1)
        return case.since + timedelta(days=self.r.rng.randrange(1, min(90, room)))

    def clinical(self, case: Case, *, alex: bool) -> None:
        """Screens, flags, tasks, the joint assessment, the care plan and carers' offers for one person."""
        r = self.r
        if case.coordinator is None:
            # Newly accepted and waiting for a coordinator (R3): nothing done yet but the carers' offers.
            self.carer_offers(case)
            return
        assert case.coordinator is not None
        worker = case.substance_worker or r.pick(self.substance_workers)
        screened = case.role != "unscreened" and (case.role in ("open_r15", "expired_flag") or r.chance(AUDIT_SHARE))
        if screened:
            day = self._screen_day(case)
            by = worker if case.substance_worker is not None and r.chance(0.4) else case.coordinator
            severity = r.rng.random() ** 0.7
            self._response(case, "audit", self._answers(DEFINITIONS["audit"], severity), by, self._clock(day))
            if r.chance(AUDIT_C_SHARE):
                received = case.referral.received_at
                assert received is not None
                self._response(
                    case, "audit_c", self._answers(DEFINITIONS["audit_c"], severity), case.coordinator, received
                )
            if r.chance(DUDIT_SHARE):
                self._response(case, "dudit", self._answers(DEFINITIONS["dudit"], r.rng.random()), by, self._clock(day))
        self._mood(case, alex=alex)
        assessment_roll = r.rng.random()
        if case.role == "open_r2":
            self._assessment(case, worker, completed=False, urgent_now=True)
        elif screened and assessment_roll < ASSESSED_SHARE and case.role != "unscreened":
            self._assessment(case, worker, completed=True, urgent_now=False)
        elif case.role != "unscreened" and r.chance(ASSESSING_SHARE / (1 - ASSESSED_SHARE)):
            self._assessment(case, worker, completed=False, urgent_now=False)
        if r.chance(CARE_PLAN_SHARE):
            self._care_plan(case)
        self.carer_offers(case)

    def _mood(self, case: Case, *, alex: bool) -> None:
        r = self.r
        assert case.coordinator is not None
        planted = case.role in ("open_r15", "expired_flag")
        if not (planted or r.chance(PHQ9_SHARE)):
            return
        self_harm = planted or r.chance(PHQ9_SELF_HARM_SHARE)
        live = case.role == "open_r15" or (self_harm and not planted and not alex and r.chance(0.15))
        when = self._live(spread_days=10) if live else self._clock(self._screen_day(case))
        answers = self._answers(DEFINITIONS["phq9"], r.rng.random() ** (0.6 if self_harm else 1.2))
        answers["phq9_9"] = r.weighted({1: 60, 2: 28, 3: 12}) if self_harm else 0
        outcome = self._response(case, "phq9", answers, case.coordinator, when)
        for alert in outcome.alerts:  # R15: the engine says which answers signal risk
            kind = RiskKind(alert.risk)
            flag = RiskFlag(
                public_id=r.uuid(),
                person=case.person,
                kind=kind,
                note="Raised automatically when PHQ-9 was recorded.",
                source=alert.source,
                raised_at=when,
                raised_by=case.coordinator,
                review_on=when.date() + timedelta(days=ALERT_REVIEW_DAYS),
            )
            self.flags.append(flag)
            if not live and case.role != "expired_flag":
                self._settle_flag(flag, case.coordinator)
            task = Task(
                public_id=r.uuid(),
                person=case.person,
                episode=case.episode,
                rule="R15",
                title=f"Respond to {kind.label.lower()} risk: {alert.source}"[:200],
                detail=(
                    f"PHQ-9 recorded by {case.coordinator.display_name} on {when.astimezone(LONDON):%d %B %Y}. "
                    "Review the risk with the person today and update their care plan."
                ),
                priority=Priority.URGENT,
                due_at=when,
                assigned_to=case.coordinator,
                created_at=when,
                created_by=case.coordinator,
            )
            if not live:
                self._done(task, case.coordinator, "Saw them the same day; safety plan updated with them.")
            self.tasks.append(task)

    def _settle_flag(self, flag: RiskFlag, by: User) -> None:
        """An anchored flag: left past its review date (R13 list), ended, or reviewed with a date ahead."""
        r = self.r
        state = r.weighted({"expired": 35, "ended": 30, "reviewed": 35})
        raised = flag.raised_at
        if state == "expired":
            return
        if state == "ended":
            flag.ended_on = min(self.anchor - timedelta(days=1), raised.date() + timedelta(days=r.rng.randrange(7, 60)))
            flag.ended_by = by
            flag.end_reason = "Reviewed with the person: no current thoughts of self-harm; safety plan in place."
            flag.reviewed_at = at(flag.ended_on, 15)
            return
        reviewed = self.now - timedelta(days=r.rng.randrange(1, 21), hours=r.rng.randrange(6))
        next_review = reviewed.date() + timedelta(days=r.rng.randrange(14, 60))
        self.flag_reviews.append(
            RiskFlagReview(
                flag=flag,
                reviewed_at=reviewed,
                reviewed_by=by,
                previous_review_on=flag.review_on,
                next_review_on=next_review,
                note="Reviewed with the person and the care team: thoughts continue at times; plan updated.",
            )
        )
        flag.review_on = next_review
        flag.reviewed_at = reviewed

    def _done(self, task: Task, by: User, outcome: str) -> None:
        task.status = TaskStatus.DONE
        task.completed_at = task.due_at + timedelta(hours=self.r.rng.randrange(1, 8))
        task.completed_by = by
        task.outcome = outcome

    def _assessment(self, case: Case, worker: User, *, completed: bool, urgent_now: bool) -> None:
        """A joint assessment by the coordinator (mental health) and a substance worker (Pathways), NG58/R2."""
        r = self.r
        assert case.coordinator is not None
        coordinator = case.coordinator
        started = self._live() if urgent_now else self._clock(self._screen_day(case))
        finished = min(started + timedelta(days=r.rng.randrange(0, 10)), at(self.anchor - timedelta(days=1), 17))
        finished = max(finished, started)
        caring = case.person.has_caring_responsibilities
        assessment = JointAssessment(
            public_id=r.uuid(),
            person=case.person,
            episode=case.episode,
            status=AssessmentStatus.COMPLETED if completed else AssessmentStatus.IN_PROGRESS,
            started_at=started,
            started_by=coordinator,
            completed_at=finished if completed else None,
            completed_by=coordinator if completed else None,
            diagnosis=r.weighted(DIAGNOSES),
            children_contact=(
                r.weighted({ChildrenContact.LIVE_WITH: 50, ChildrenContact.CARES_FOR: 30, ChildrenContact.BOTH: 20})
                if caring
                else ChildrenContact.NONE
                if completed or r.chance(0.5)
                else ChildrenContact.NOT_ASKED
            ),
        )
        self.assessments.append(assessment)
        for user, organisation in ((coordinator, self.trust), (worker, self.pathways)):
            self.assessors.append(
                Assessor(
                    assessment=assessment, user=user, organisation=organisation, added_at=started, added_by=coordinator
                )
            )
        # In progress: the first few domains so far (housing, fourth, is among them when an urgent need is planted).
        domains = list(Domain) if completed else list(Domain)[: r.rng.randrange(4 if urgent_now else 2, 8)]
        found_at = urgent_task_due(found_at=started if urgent_now else finished)
        needs: list[DomainFinding] = []
        for domain in domains:
            if urgent_now and domain == Domain.HOUSING:
                need = Need.URGENT
            elif domain in URGENT_DOMAINS and not urgent_now:
                need = r.weighted({Need.NONE: 50, Need.ROUTINE: 46, Need.URGENT: 4})
            else:
                need = r.weighted({Need.NONE: 55, Need.ROUTINE: 45})
            if domain == Domain.SAFEGUARDING_CHILDREN:
                need = Need.ROUTINE if caring else Need.NONE
            notes = DOMAIN_NOTES[domain][{Need.NONE: 0, Need.ROUTINE: 1, Need.URGENT: 2}[Need(need)]]
            needs.append(DomainFinding(assessment=assessment, domain=domain, notes=notes, need=need))
        # R2: each urgent need made a task the moment it was found; the rules say which and what it says.
        specs = urgent_needs([DomainNeed(domain=f.domain, need=f.need, notes=f.notes) for f in needs])
        by_domain = {f.domain: f for f in needs}
        for spec in specs:
            task = Task(
                public_id=r.uuid(),
                person=case.person,
                episode=case.episode,
                rule="R2",
                title=spec.title[:200],
                detail=spec.detail,
                priority=Priority.URGENT,
                due_at=found_at,
                assigned_to=coordinator,
                created_at=found_at,
                created_by=coordinator,
            )
            if not urgent_now:
                self._done(task, coordinator, "Done the same day with the person; see the contact record.")
            self.tasks.append(task)
            by_domain[spec.domain].urgent_task = task
        self.findings += needs
        if Domain.SUBSTANCE_USE in domains:
            for substance in {r.weighted(SUBSTANCE_WEIGHTS) for _ in range(r.weighted({1: 50, 2: 35, 3: 15}))}:
                self.substances.append(self._substance(assessment, substance, worker, started))
        if completed:
            # Time from referral to assessment (001): the first completed joint assessment after acceptance.
            case.referral.assessed_at = finished

    def _substance(self, assessment: JointAssessment, substance: str, worker: User, when: datetime) -> SubstanceUse:
        r = self.r
        route = {
            Substance.ALCOHOL: SubstanceRoute.ORAL,
            Substance.BENZODIAZEPINES: SubstanceRoute.ORAL,
            Substance.CANNABIS: SubstanceRoute.SMOKED,
            Substance.CRACK: SubstanceRoute.SMOKED,
            Substance.NPS: SubstanceRoute.SMOKED,
            Substance.COCAINE: SubstanceRoute.SNORTED,
            Substance.AMPHETAMINES: r.pick([SubstanceRoute.ORAL, SubstanceRoute.SNORTED]),
            Substance.OPIOIDS: r.pick([SubstanceRoute.SMOKED, SubstanceRoute.INJECTED]),
        }.get(Substance(substance), SubstanceRoute.ORAL)
        frequency = r.weighted(FREQUENCY_WEIGHTS)
        days_ago = r.rng.randrange(29, 90) if frequency == Frequency.NOT_IN_28_DAYS else r.rng.randrange(0, 7)
        return SubstanceUse(
            public_id=r.uuid(),
            assessment=assessment,
            substance=substance,
            route=route,
            frequency=frequency,
            injecting=route == SubstanceRoute.INJECTED,
            last_used_on=when.date() - timedelta(days=days_ago),
            recorded_at=when,
            recorded_by=worker,
        )

    def _plan_content(self, case: Case, *, complete: bool, extra_goal: bool) -> PlanContent:
        r = self.r
        assert case.coordinator is not None
        person = case.person
        name = person.preferred_name or person.given_name
        goals = [Goal(owner="person", text=g) for g in r.rng.sample(PERSON_GOALS, r.rng.randrange(1, 4))]
        goals += [Goal(owner="service", text=g) for g in r.rng.sample(SERVICE_GOALS, r.rng.randrange(1, 4))]
        if extra_goal:
            goals.append(Goal(owner="person", text="Keep going to the Wednesday group at the recovery college."))
        services = [
            ServiceContact(
                service=f"Community mental health service, {case.team.name}",
                contact_name=case.coordinator.display_name,
                phone=TEAM_PHONES[case.team.name],
            ),
            ServiceContact(service="Elm Street Medical Practice (GP)", contact_name="Reception", phone=GP_PHONE),
        ]
        if case.substance_worker is not None:
            services.insert(
                1,
                ServiceContact(
                    service="Pathways Drug and Alcohol Service",
                    contact_name=case.substance_worker.display_name,
                    phone=TEAM_PHONES["Community drug and alcohol team"],
                ),
            )
        carers = [
            CarerSupport(carer=c.public_id, name=c.name, support=r.pick(CARER_SUPPORT))
            for c in case.carers
            if c.provides_care
        ]
        content = {
            "goals": goals,
            "reconciliation": r.pick(RECONCILIATIONS).format(name=name),
            "strengths": r.pick(STRENGTHS),
            "coping_strategies": r.pick(COPING),
            "carers": carers,
            "services": services,
            "crisis_plan": (
                f"If {name} is in crisis: call {case.coordinator.display_name} or the duty worker on "
                f"{TEAM_PHONES[case.team.name]} (9am to 5pm, Monday to Friday); at other times the crisis line on "
                f"{CRISIS_LINE}. In an emergency call 999."
            ),
            "contingency_mental_health": (
                f"Early signs: {name} stops sleeping and stays in their room. Increase visits to twice a week "
                "and ask for an urgent medical review."
            ),
            "contingency_physical_health": (
                "Book a same-week GP appointment; the coordinator goes with them if they want."
            ),
            "contingency_suicide": (
                "Ask directly about thoughts of suicide; follow the safety plan; remove means where possible; "
                "call the crisis line if there is a plan."
            ),
            "contingency_overdose": (
                "Keeps a naloxone kit at home and carries one; carers know how to use it. "
                "After any overdose, same-day review with the drug and alcohol worker."
            ),
            "summary_for_person": (
                f"{name}, this plan is yours. It says what you want to work on, what we will do, "
                "and who to call if things get hard."
            ),
        }
        if not complete:  # a draft saved with gaps (R4: gaps are listed, not enforced)
            for section in r.rng.sample(["crisis_plan", "contingency_overdose", "contingency_physical_health"], 2):
                content[section] = ""
            content["summary_for_person"] = ""
        return PlanContent.model_validate(content)

    def _care_plan(self, case: Case) -> None:
        r = self.r
        assert case.coordinator is not None
        count = r.weighted({1: 50, 2: 35, 3: 15})
        draft_last = r.chance(DRAFT_PLAN_SHARE)
        first_day = self._screen_day(case)
        room = max(1, (self.anchor - first_day).days)
        days = sorted({first_day + timedelta(days=r.rng.randrange(0, room)) for _ in range(count - 1)} | {first_day})
        plan = CarePlan(public_id=r.uuid(), person=case.person, created_at=self._clock(first_day))
        self.plans.append(plan)
        previous: PlanContent | None = None
        number = 0
        for index, day in enumerate(days):
            is_last = index == len(days) - 1
            content = self._plan_content(case, complete=not (is_last and draft_last), extra_goal=index > 0)
            changed = changed_sections(previous, content)
            if not changed:  # every saved version changes something (the service refuses an unchanged save)
                continue
            number += 1
            by = case.substance_worker if number > 1 and case.substance_worker and r.chance(0.3) else case.coordinator
            self.versions.append(
                CarePlanVersion(
                    public_id=r.uuid(),
                    plan=plan,
                    number=number,
                    episode=case.episode,
                    content=content.model_dump(mode="json"),
                    changed_sections=changed,
                    created_at=max(self._clock(day), plan.created_at),
                    created_by=by,
                    channel="page",
                )
            )
            previous = content

    def carer_offers(self, case: Case) -> None:
        """R5: about 60% of carers who provide care have been offered an assessment of their own needs."""
        r = self.r
        offered_by = case.coordinator or case.accepted_by
        for carer in case.carers:
            if not carer.provides_care or not r.chance(CARER_OFFER_SHARE):
                continue
            offered = self.anchor - timedelta(days=r.rng.randrange(20, 400))
            status = r.weighted(
                {
                    CarerAssessmentStatus.OFFERED: 15,
                    CarerAssessmentStatus.ACCEPTED: 25,
                    CarerAssessmentStatus.DECLINED: 20,
                    CarerAssessmentStatus.COMPLETED: 40,
                }
            )
            offer = CarerAssessment(
                public_id=r.uuid(),
                carer=carer,
                status=status,
                offered_on=offered,
                offered_by=offered_by,
                note=CARER_NOTES[CarerAssessmentStatus(status)],
            )
            if status in (CarerAssessmentStatus.ACCEPTED, CarerAssessmentStatus.COMPLETED):
                offer.accepted_on = offered + timedelta(days=r.rng.randrange(0, 15))
            if status == CarerAssessmentStatus.COMPLETED:
                assert offer.accepted_on is not None
                offer.completed_on = min(
                    self.anchor - timedelta(days=1), offer.accepted_on + timedelta(days=r.rng.randrange(7, 45))
                )
            if status == CarerAssessmentStatus.DECLINED:
                offer.declined_on = offered + timedelta(days=r.rng.randrange(0, 15))
            self.carer_assessments.append(offer)

    # --- Open work waiting for triage -------------------------------------------------------

    def triage_work(self, persons: Sequence[Person], used_numbers: set[str]) -> None:
        """About 8 open self-referrals, 6 staff referrals (2 likely duplicates) and 5 drop-in visits (2 referred)."""
        r, fake, cast = self.r, self.fake, self.cast
        cdas = self.services["Community drug and alcohol service"]
        cmht = self.services["Community mental health service"]
        drop_in = self.services["Dual diagnosis drop-in"]
        by_help = {"drugs_alcohol": cdas, "mental_health": cmht, "not_sure": drop_in}
        for index, help_kind in enumerate(["drugs_alcohol"] * 4 + ["mental_health"] * 2 + ["not_sure"] * 2):
            received = self._clock(self.now.date() - timedelta(days=r.rng.randrange(1, 12)))
            method = r.pick([ContactMethod.TEXT, ContactMethod.PHONE, ContactMethod.EMAIL])
            given = fake.first_name()
            referral = Referral(
                public_id=r.uuid(),
                reference=self.reference(),
                to_service=by_help[help_kind],
                route=Route.SELF,
                status=Status.RECEIVED,
                urgency=Urgency.ROUTINE,
                reason=SELF_REASONS[help_kind][index % len(SELF_REASONS[help_kind])],
                given_name=given,
                family_name=fake.last_name(),
                date_of_birth=self.anchor - timedelta(days=r.rng.randrange(19 * 365, 60 * 365)),
                contact_method=method,
                phone=f"07700 9{r.rng.randrange(10**5):05d}" if method != ContactMethod.EMAIL else "",
                email=f"{given.lower()}.{r.rng.randrange(1000)}@example.com" if method == ContactMethod.EMAIL else "",
                safe_to_contact_note="Text only, please do not leave a voicemail." if r.chance(0.4) else "",
                received_at=received,
            )
            steps: list[tuple[str, str, User | None, datetime, str]] = [
                ("", Status.RECEIVED, None, received, "Self-referral")
            ]
            if index in (0, 4):  # two already triaged, waiting to be linked and decided
                triager = cast["substance"] if referral.to_service == cdas else cast["teamlead"]
                referral.status = Status.TRIAGED
                referral.urgency = Urgency.SOON
                referral.triaged_at = received + timedelta(hours=r.rng.randrange(2, 30))
                steps.append((Status.RECEIVED, Status.TRIAGED, triager, referral.triaged_at, "Triaged as soon."))
            self._history(referral, steps)
            self.referrals.append(referral)

        duplicates = r.rng.sample(list(persons), 2) if len(persons) >= 2 else list(persons)
        staff_referrals: list[tuple[Service, str, User, Person | None, str]] = [
            (cdas, Route.STAFF, cast["psychiatrist"], duplicates[0] if duplicates else None, Urgency.ROUTINE),
            (cmht, Route.WARD, cast["wardnurse"], duplicates[1] if len(duplicates) > 1 else None, Urgency.SOON),
            (cdas, Route.CRIMINAL_JUSTICE, cast["substance"], None, Urgency.SOON),
            (cdas, Route.GP, cast["consultant"], None, Urgency.ROUTINE),
            (cmht, Route.STAFF, cast["substance2"], None, Urgency.URGENT),
            (cmht, Route.GP, cast["teamlead"], None, Urgency.ROUTINE),
        ]
        for service, route, by, same_as, urgency in staff_referrals:
            received = self._clock(self.now.date() - timedelta(days=r.rng.randrange(1, 14)))
            referral = Referral(
                public_id=r.uuid(),
                reference=self.reference(),
                to_service=service,
                route=route,
                status=Status.RECEIVED,
                urgency=urgency,
                reason=r.pick(CDAS_REASONS if service == cdas else CMHT_REASONS),
                referrer=by,
                received_at=received,
            )
            if same_as is not None:  # a likely duplicate: same name and date of birth as someone on record
                referral.given_name, referral.family_name = same_as.given_name, same_as.family_name
                referral.date_of_birth = same_as.date_of_birth
            else:
                referral.given_name, referral.family_name = fake.first_name(), fake.last_name()
                referral.date_of_birth = self.anchor - timedelta(days=r.rng.randrange(19 * 365, 65 * 365))
                if route == Route.GP:
                    referral.nhs_number = r.synthetic_nhs_number(used_numbers)
            referral.contact_method = ContactMethod.PHONE
            referral.phone = f"07700 9{r.rng.randrange(10**5):05d}"
            if route == Route.GP:
                referral.referrer_name = f"Dr {fake.last_name()}"
                referral.referrer_organisation = "Elm Street Medical Practice"
                referral.referrer_phone = GP_PHONE
            elif route == Route.CRIMINAL_JUSTICE:
                referral.referrer_name = fake.name()
                referral.referrer_organisation = "Northfield Liaison and Diversion"
                referral.referrer_phone = "01632 960 450"
            self._history(referral, [("", Status.RECEIVED, by, received, Route(route).label)])
            self.referrals.append(referral)

        converted_to = {1: cdas, 3: cmht}
        for index, alias in enumerate(DROP_IN_ALIASES):
            visited = at(self.now.date() - timedelta(days=r.rng.randrange(2, 28)), r.rng.randrange(13, 16))
            visit = DropInVisit(
                public_id=r.uuid(),
                service=drop_in,
                visited_at=visited,
                name_or_alias=alias,
                year_of_birth=(self.anchor.year - r.rng.randrange(19, 60)) if r.chance(0.6) else None,
                discussed=DROP_IN_DISCUSSED[index],
                recorded_by=cast["substance2"],
            )
            if index in converted_to:
                received = visited + timedelta(days=1)
                referral = Referral(
                    public_id=r.uuid(),
                    reference=self.reference(),
                    to_service=converted_to[index],
                    route=Route.DROP_IN,
                    status=Status.RECEIVED,
                    urgency=Urgency.ROUTINE,
                    reason=DROP_IN_DISCUSSED[index],
                    referrer=cast["substance2"],
                    given_name=alias,
                    received_at=received,
                )
                self._history(
                    referral,
                    [
                        (
                            "",
                            Status.RECEIVED,
                            cast["substance2"],
                            received,
                            f"From a drop-in visit on {visited:%d %b %Y}",
                        )
                    ],
                )
                self.referrals.append(referral)
                visit.referral = referral
            self.drop_ins.append(visit)

    # --- Saving -------------------------------------------------------------------------------

    def save_referrals_and_episodes(self) -> None:
        """Referrals, their history and the episodes: before the care team, which points at episodes."""
        Referral.objects.bulk_create(self.referrals)
        ReferralStatusChange.objects.bulk_create(self.changes)
        EpisodeOfCare.objects.bulk_create(self.episodes)

    def save(self) -> Counts:
        """Everything else, once the people's carers are saved."""
        CarerAssessment.objects.bulk_create(self.carer_assessments)
        Task.objects.bulk_create(self.tasks)
        JointAssessment.objects.bulk_create(self.assessments)
        Assessor.objects.bulk_create(self.assessors)
        DomainFinding.objects.bulk_create(self.findings)
        SubstanceUse.objects.bulk_create(self.substances)
        InstrumentResponse.objects.bulk_create(self.responses)
        RiskFlag.objects.bulk_create(self.flags)
        RiskFlagReview.objects.bulk_create(self.flag_reviews)
        CarePlan.objects.bulk_create(self.plans)
        CarePlanVersion.objects.bulk_create(self.versions)
        DropInVisit.objects.bulk_create(self.drop_ins)
        return Counts(
            draft_plans=sum(1 for v in self._latest_versions() if plan_gaps(PlanContent.model_validate(v.content))),
            accepted_referrals=sum(1 for x in self.referrals if x.status == Status.ACCEPTED),
            open_referrals=sum(1 for x in self.referrals if x.is_open),
            episodes=len(self.episodes),
            without_coordinator=sum(1 for e in self.episodes if e.coordinator_id is None),
            instrument_responses=len(self.responses),
            risk_flags=len(self.flags),
            joint_assessments=len(self.assessments),
            care_plans=len(self.plans),
            care_plan_versions=len(self.versions),
            carer_assessments=len(self.carer_assessments),
            tasks=len(self.tasks),
            open_tasks=sum(1 for t in self.tasks if t.is_open),
            drop_in_visits=len(self.drop_ins),
        )

    def _latest_versions(self) -> list[CarePlanVersion]:
        latest: dict[int, CarePlanVersion] = {}
        for version in self.versions:
            key = id(version.plan)
            if key not in latest or version.number > latest[key].number:
                latest[key] = version
        return list(latest.values())
