"""Writes for the service survey, training, recovery college sessions and feedback: refusals, nothing
half-saved, bad input answered with a message by field."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.organisations.models import Role
from coexist.people.permissions import AccessRefused
from coexist.survey.models import FeedbackRound, RecoveryCollegeSession, ServiceSurvey, StaffTraining, SurveyScore
from coexist.survey.rules import Dimension
from coexist.survey.selectors import service_evidence
from coexist.survey.services import (
    feedback_round_record,
    recovery_session_record,
    service_survey_submit,
    staff_training_record,
)
from coexist.testing.cast import Cast
from coexist.testing.factories import MembershipFactory, UserFactory
from coexist.testing.factories_survey import (
    FeedbackRoundFactory,
    RecoveryCollegeSessionFactory,
    ServiceSurveyFactory,
    StaffTrainingFactory,
)

pytestmark = pytest.mark.django_db
SCORES = {d.value: 4 for d in Dimension}


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_team_leader_submits_a_survey_with_every_dimension(cast: Cast) -> None:
    survey = service_survey_submit(
        service=cast.cmht, completed_on=timezone.localdate(), provision="network", scores=SCORES,
        notes={"staffing": "  Two link workers  "}, by=cast.team_leader,
    )  # fmt: skip
    assert survey.scores.count() == 7
    assert survey.scores.get(dimension="staffing").note == "Two link workers"


def test_a_care_coordinator_may_not_submit_and_nothing_is_saved(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        service_survey_submit(
            service=cast.cmht, completed_on=timezone.localdate(), provision="network", scores=SCORES,
            by=cast.coordinator,
        )  # fmt: skip
    assert not ServiceSurvey.objects.exists()


def test_a_team_leader_of_another_service_may_not_submit(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        service_survey_submit(
            service=cast.pathways_service, completed_on=timezone.localdate(), provision="network", scores=SCORES,
            by=cast.team_leader,
        )  # fmt: skip


def test_a_survey_with_a_score_out_of_bounds_saves_nothing(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        service_survey_submit(
            service=cast.cmht, completed_on=timezone.localdate(), provision="network",
            scores={**SCORES, "training": 0}, by=cast.team_leader,
        )  # fmt: skip
    assert _errors(exc) == {"training": ["Choose a score from 1 to 5."]}
    assert not ServiceSurvey.objects.exists() and not SurveyScore.objects.exists()


def test_one_survey_per_service_per_date(cast: Cast) -> None:
    day = timezone.localdate() - timedelta(days=3)
    ServiceSurveyFactory(service=cast.cmht, completed_on=day, submitted_by=cast.team_leader)
    with pytest.raises(ValidationError) as exc:
        service_survey_submit(
            service=cast.cmht, completed_on=day, provision="network", scores=SCORES, by=cast.team_leader
        )
    assert "completed_on" in _errors(exc)
    assert ServiceSurvey.objects.count() == 1


def test_a_submitted_survey_is_never_changed(cast: Cast) -> None:
    survey = ServiceSurveyFactory(service=cast.cmht, submitted_by=cast.team_leader)
    survey.provision = "consultancy"
    with pytest.raises(ValueError, match="never changed"):
        survey.save()
    survey.refresh_from_db()
    assert survey.provision == "lead_and_link_worker"


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (date(9999, 12, 31), "The date the survey was completed cannot be in the future."),
        (date(1900, 1, 1), "The date the survey was completed must be in 2000 or later."),
    ],
)
def test_survey_dates_far_past_or_future_are_refused(cast: Cast, when: date, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        service_survey_submit(
            service=cast.cmht, completed_on=when, provision="network", scores=SCORES, by=cast.team_leader
        )
    assert _errors(exc) == {"completed_on": [message]}


def _training(cast: Cast, **changes: object) -> StaffTraining:
    values: dict[str, object] = {
        "service": cast.cmht, "staff": cast.coordinator, "course": "Dual diagnosis awareness",
        "provider": "Recovery college", "completed_on": timezone.localdate(), "hours": Decimal("6"),
        "certificate": True, "by": cast.team_leader,
    }  # fmt: skip
    values.update(changes)
    return staff_training_record(**values)  # type: ignore[arg-type]


def test_team_leader_records_training_for_a_member_of_staff(cast: Cast) -> None:
    record = _training(cast)
    assert (record.staff, record.hours, record.recorded_by) == (cast.coordinator, Decimal("6"), cast.team_leader)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"course": ""}, "course"),
        ({"course": "x" * 10_000}, "course"),
        ({"provider": "Trust\x00"}, "provider"),
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("9999")}, "hours"),
        ({"completed_on": date(2100, 1, 1)}, "completed_on"),
        ({"completed_on": date(1, 1, 1)}, "completed_on"),
    ],
)
def test_bad_training_input_is_refused_by_field_and_saves_nothing(
    cast: Cast, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        _training(cast, **changes)
    assert field in _errors(exc)
    assert not StaffTraining.objects.exists()


def test_training_is_recorded_only_for_staff_who_work_or_worked_in_the_service(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        _training(cast, staff=cast.da_worker)
    assert _errors(exc)["staff"] == ["Erin Walsh has never worked in Community mental health service."]
    assert _training(cast, staff=cast.former_coordinator).staff == cast.former_coordinator


def test_a_psychiatrist_may_not_record_training(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        _training(cast, by=cast.psychiatrist)
    assert not StaffTraining.objects.exists()


def test_a_dual_diagnosis_lead_records_a_recovery_college_session_as_a_count(cast: Cast) -> None:
    lead = UserFactory(username="dd_lead")
    MembershipFactory(user=lead, team=cast.south, role=Role.DUAL_DIAGNOSIS_LEAD)
    session = recovery_session_record(
        service=cast.cmht, course="Understanding recovery", session_on=timezone.localdate(), attendees=12, by=lead
    )
    assert session.attendees == 12


@pytest.mark.parametrize(("attendees", "ok"), [(0, True), (500, True), (-1, False), (501, False), (True, False)])
def test_session_attendance_bounds(cast: Cast, attendees: int, ok: bool) -> None:
    def record() -> RecoveryCollegeSession:
        return recovery_session_record(
            service=cast.cmht,
            course="Course",
            session_on=timezone.localdate(),
            attendees=attendees,
            by=cast.team_leader,
        )

    if ok:
        assert record().attendees == attendees
    else:
        with pytest.raises(ValidationError) as exc:
            record()
        assert "attendees" in _errors(exc)
        assert not RecoveryCollegeSession.objects.exists()


def test_feedback_round_keeps_counts_and_you_said_we_did(cast: Cast) -> None:
    feedback = feedback_round_record(
        service=cast.cmht, collected_on=timezone.localdate(), counts={"listened": [0, 1, 2, 3, 4]},
        you_said="Evening groups", we_did="Started a Tuesday evening group", by=cast.team_leader,
    )  # fmt: skip
    assert feedback.counts["listened"] == [0, 1, 2, 3, 4]
    assert feedback.counts["respect"] == [0, 0, 0, 0, 0]


def test_feedback_you_said_needs_we_did_and_counts_need_an_answer(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        feedback_round_record(
            service=cast.cmht, collected_on=timezone.localdate(), counts={"listened": [0, 0, 0, 0, 0]},
            you_said="More evening groups", by=cast.team_leader,
        )  # fmt: skip
    assert set(_errors(exc)) == {"counts", "we_did"}
    assert not FeedbackRound.objects.exists()


def test_one_feedback_round_per_service_per_date(cast: Cast) -> None:
    day = timezone.localdate()
    FeedbackRoundFactory(service=cast.cmht, collected_on=day)
    with pytest.raises(ValidationError) as exc:
        feedback_round_record(
            service=cast.cmht, collected_on=day, counts={"listened": [1, 1, 1, 1, 1]}, by=cast.team_leader
        )
    assert "collected_on" in _errors(exc)


def test_evidence_from_the_record_worked_by_hand(cast: Cast) -> None:
    """The community mental health service's current clinical staff: coordinator, coordinator_south,
    psychiatrist, team_leader (4; the former coordinator's membership ended; admin and researcher are not
    clinical). The coordinator did 6 h last month, the psychiatrist 3 h two years ago and 4 h four years ago
    (too old); da_worker (not staff here) 10 h. Trained: 2 of 4 = 50.0%; hours 9; 9 / 4 = 2.25 -> 2.2."""
    today = timezone.localdate()
    StaffTrainingFactory(
        service=cast.cmht, staff=cast.coordinator, hours=Decimal("6"), completed_on=today - timedelta(days=30)
    )
    StaffTrainingFactory(
        service=cast.cmht, staff=cast.psychiatrist, hours=Decimal("3"), completed_on=today - timedelta(days=730)
    )
    StaffTrainingFactory(
        service=cast.cmht, staff=cast.psychiatrist, hours=Decimal("4"), completed_on=today - timedelta(days=1500)
    )
    StaffTrainingFactory(service=cast.pathways_service, staff=cast.da_worker, hours=Decimal("10"))
    RecoveryCollegeSessionFactory(service=cast.cmht, attendees=8, session_on=today - timedelta(days=10))
    RecoveryCollegeSessionFactory(service=cast.cmht, attendees=5, session_on=today - timedelta(days=400))
    FeedbackRoundFactory(
        service=cast.cmht, collected_on=today - timedelta(days=5), counts={"listened": [0, 1, 2, 3, 4]}
    )
    evidence = service_evidence(cast.cmht, today=today)
    assert (evidence.training.staff, evidence.training.trained) == (4, 2)
    assert (evidence.training.share, evidence.training.hours_per_staff) == (Decimal("50.0"), Decimal("2.2"))
    assert (evidence.sessions.sessions, evidence.sessions.attendances) == (1, 8)
    assert evidence.feedback_results[0].mean == Decimal("4.00")
