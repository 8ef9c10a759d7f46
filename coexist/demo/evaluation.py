"""Demo evaluation data (issue 6): the community mental health service's dual diagnosis survey a year apart,
staff training, recovery college sessions, a round of service-user feedback, and one published programme
theory with its evidence. Everything is aggregate or about staff: nothing here is a person's record."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from coexist.accounts.models import User
from coexist.evaluation.models import Evidence, EvidenceKind, ExpectsChoice, ProgrammeTheory, TheoryStatus
from coexist.organisations.models import Service
from coexist.survey.models import FeedbackRound, RecoveryCollegeSession, ServiceSurvey, StaffTraining, SurveyScore
from coexist.survey.rules import Dimension, Provision, Question

if TYPE_CHECKING:
    from coexist.demo.generate import SeededRandom

# A year ago the service was mostly "capable" (3); since then staffing and training improved (the link worker
# model and the training programme), continuity of care most of all.
SCORES_LAST_YEAR = dict.fromkeys(Dimension, 2) | {Dimension.ASSESSMENT: 3, Dimension.TREATMENT: 3}
SCORES_NOW = dict.fromkeys(Dimension, 3) | {Dimension.STAFFING: 4, Dimension.TRAINING: 4, Dimension.CONTINUITY: 4}


def add_evaluation(r: SeededRandom, *, today: date, cmht: Service, cast: dict[str, User], staff: list[User]) -> None:
    lead = cast["teamlead"]
    for completed_on, scores in ((today - timedelta(days=365), SCORES_LAST_YEAR), (today - timedelta(20), SCORES_NOW)):
        survey = ServiceSurvey.objects.create(
            public_id=r.uuid(), service=cmht, completed_on=completed_on, provision=Provision.LEAD_AND_LINK,
            submitted_by=lead,
        )  # fmt: skip
        SurveyScore.objects.bulk_create(
            SurveyScore(survey=survey, dimension=dimension, score=score) for dimension, score in scores.items()
        )
    StaffTraining.objects.bulk_create(
        StaffTraining(
            public_id=r.uuid(),
            service=cmht,
            staff=person,
            course="Dual diagnosis: assessment and working together",
            provider="Northfield recovery college",
            completed_on=today - timedelta(days=r.rng.randrange(30, 900)),
            hours=Decimal("6.0"),
            certificate=True,
            recorded_by=lead,
        )
        for person in staff
    )
    RecoveryCollegeSession.objects.bulk_create(
        RecoveryCollegeSession(
            public_id=r.uuid(),
            service=cmht,
            course="Understanding recovery from drugs and alcohol",
            session_on=today - timedelta(days=7 * week),
            attendees=r.rng.randrange(5, 14),
            recorded_by=lead,
        )
        for week in range(1, 9)
    )
    FeedbackRound.objects.create(
        public_id=r.uuid(), service=cmht, collected_on=today - timedelta(days=40), recorded_by=lead,
        counts={q.value: [1, 2, 6, 14, 9] for q in Question},
        you_said="Appointments with both workers clashed with the pharmacy pick-up.",
        we_did="Joint appointments now start after 11:00 on supervised consumption days.",
    )  # fmt: skip
    theory = ProgrammeTheory.objects.create(
        public_id=r.uuid(), title="Without a settled home, people are harder to reach after a ward",
        context="People leaving a ward without settled housing (temporary, no fixed abode, rough sleeping).",
        mechanism="Nobody knows where they are staying and phones are lost, so the first contact after discharge "
        "depends on a worker they already know finding them.",
        outcome="Fewer of them are seen by a community service within 72 hours of leaving than other people.",
        measure_key="discharge_follow_up_72h", expects=ExpectsChoice.LOWER,
        context_filter=[["housing_settled", "unsettled"]], status=TheoryStatus.PUBLISHED, created_by=lead,
    )  # fmt: skip
    Evidence.objects.create(
        public_id=r.uuid(), theory=theory, kind=EvidenceKind.STAKEHOLDER_EVENT,
        source="Service user and carer workshop, Northfield (synthetic)", dated=today - timedelta(days=120),
        summary="People without a settled home said they lose contact in the first days because nobody knows where "
        "they are staying; a worker they had met on the ward was the one they would ring.",
        added_by=lead,
    )  # fmt: skip
