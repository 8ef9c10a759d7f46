"""instrument_response_record: permission, scoring by the version in use, the access log, and R15:
PHQ-9 item 9 above 0 raises a self-harm risk flag and an urgent task at once, in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.assessments.models import JointAssessment, RiskFlag, RiskKind
from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.services import instrument_response_record, instrument_response_record_with_alerts
from coexist.people.permissions import AccessRefused
from coexist.tasks.models import Priority, Task
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory


def phq9(item9: int, others: int = 1) -> dict[str, object]:
    return {**{f"phq9_{n}": others for n in range(1, 9)}, "phq9_9": item9}


def audit(value: int = 1) -> dict[str, object]:
    return {f"audit_{n}": value if n <= 8 else 2 for n in range(1, 11)}


def test_records_the_score_band_and_version(cast: Cast) -> None:
    response = instrument_response_record(
        person=cast.ann, instrument_code="phq9", answers=phq9(0, 2), by=cast.coordinator, channel=Channel.PAGE
    )
    response.refresh_from_db()
    assert response.score == {"total": 16}
    assert response.band == "Moderately severe depression"
    assert response.instrument_version == DEFINITIONS["phq9"].version == "Kroenke 2001"
    assert response.answers == phq9(0, 2)
    assert response.recorded_by == cast.coordinator


def test_each_response_keeps_the_version_it_was_scored_by(cast: Cast) -> None:
    for code, answers in [("phq9", phq9(0)), ("audit", audit())]:
        instrument_response_record(
            person=cast.ann, instrument_code=code, answers=answers, by=cast.coordinator, channel=Channel.PAGE
        )
    versions = dict(InstrumentResponse.objects.values_list("instrument_code", "instrument_version"))
    assert versions == {"phq9": DEFINITIONS["phq9"].version, "audit": DEFINITIONS["audit"].version}


def test_r15_phq9_item9_above_zero_raises_self_harm_flag_and_urgent_task(cast: Cast) -> None:
    before = timezone.now()
    recorded = instrument_response_record_with_alerts(
        person=cast.ann, instrument_code="phq9", answers=phq9(2), by=cast.coordinator, channel=Channel.PAGE
    )
    flag = RiskFlag.objects.get(person=cast.ann)
    assert flag.kind == RiskKind.SELF_HARM_SUICIDE
    assert flag.source == "PHQ-9 item 9 answered 2"
    assert flag.review_on == timezone.localdate() + timedelta(days=7)
    assert flag.raised_by == cast.coordinator
    task = Task.objects.get(person=cast.ann)
    assert task.rule == "R15"
    assert task.priority == Priority.URGENT
    assert before <= task.due_at <= timezone.now()
    # No episode with a named coordinator yet: the worker who recorded it keeps the duty (R3).
    assert task.assigned_to == cast.coordinator
    assert task.episode is None
    assert recorded.flags == (flag,) and recorded.tasks == (task,)


def test_r15_urgent_task_goes_to_the_care_coordinator_of_the_open_episode(cast: Cast) -> None:
    episode = EpisodeFactory(
        person=cast.ann, team=cast.north, coordinator=cast.psychiatrist, opened_by=cast.coordinator
    )
    instrument_response_record(
        person=cast.ann, instrument_code="phq9", answers=phq9(1), by=cast.da_worker_in_team, channel=Channel.API
    )
    task = Task.objects.get(person=cast.ann)
    assert task.assigned_to == cast.psychiatrist
    assert task.episode == episode
    assert task.created_by == cast.da_worker_in_team


def test_r15_phq9_item9_zero_raises_nothing(cast: Cast) -> None:
    instrument_response_record(
        person=cast.ann, instrument_code="phq9", answers=phq9(0, 3), by=cast.coordinator, channel=Channel.PAGE
    )
    assert not RiskFlag.objects.exists()
    assert not Task.objects.exists()


def test_r15_other_measures_raise_no_flag(cast: Cast) -> None:
    instrument_response_record(
        person=cast.ann, instrument_code="audit", answers=audit(4), by=cast.coordinator, channel=Channel.PAGE
    )
    assert not RiskFlag.objects.exists()
    assert not Task.objects.exists()


def test_r15_flag_task_and_response_are_one_transaction(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the task cannot be made, neither the response nor the flag is kept: no half-handled risk."""
    from coexist.instruments import services

    def fail(**kwargs: object) -> Task:
        raise RuntimeError("task store unavailable")

    monkeypatch.setattr(services, "task_create", fail)
    with pytest.raises(RuntimeError):
        instrument_response_record(
            person=cast.ann, instrument_code="phq9", answers=phq9(3), by=cast.coordinator, channel=Channel.PAGE
        )
    assert not InstrumentResponse.objects.exists()
    assert not RiskFlag.objects.exists()


def test_da_worker_with_no_relationship_to_ann_is_refused_and_the_refusal_logged(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        instrument_response_record(
            person=cast.ann, instrument_code="phq9", answers=phq9(2), by=cast.da_worker, channel=Channel.PAGE
        )
    assert not InstrumentResponse.objects.exists()
    assert not RiskFlag.objects.exists()
    refusal = AccessLogEntry.objects.get(actor_username="da_worker")
    assert refusal.outcome == Outcome.REFUSED
    assert refusal.parts == ["mental_health"]


@pytest.mark.parametrize("who", ["admin", "researcher"])
def test_admin_and_researcher_may_not_record_measures_even_in_the_care_team(cast: Cast, who: str) -> None:
    with pytest.raises(AccessRefused):
        instrument_response_record(
            person=cast.ann, instrument_code="audit", answers=audit(), by=getattr(cast, who), channel=Channel.PAGE
        )


def test_consent_to_share_substance_use_does_not_allow_recording_it(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        instrument_response_record(
            person=cast.ben, instrument_code="audit", answers=audit(), by=cast.da_worker, channel=Channel.API
        )


def test_substance_use_measures_are_written_to_the_substance_use_part(cast: Cast) -> None:
    instrument_response_record(
        person=cast.ann, instrument_code="audit", answers=audit(), by=cast.da_worker_in_team, channel=Channel.API
    )
    entry = AccessLogEntry.objects.get(actor_username="da_worker_in_team", action="write")
    assert entry.parts == ["substance_use"]


def test_the_write_is_in_the_access_log_with_the_score(cast: Cast) -> None:
    instrument_response_record(
        person=cast.ann, instrument_code="phq9", answers=phq9(0, 2), by=cast.coordinator, channel=Channel.API
    )
    entry = AccessLogEntry.objects.get(actor_username="coordinator", action="write", parts=["mental_health"])
    assert entry.outcome == Outcome.ALLOWED
    assert entry.person_public_id == cast.ann.public_id
    assert entry.channel == Channel.API
    assert entry.basis == "care team"
    assert "PHQ-9" in entry.detail and "total 16" in entry.detail


def test_invalid_answers_are_refused_by_item_and_nothing_is_kept(cast: Cast) -> None:
    answers = phq9(5)
    del answers["phq9_1"]
    with pytest.raises(ValidationError) as caught:
        instrument_response_record(
            person=cast.ann, instrument_code="phq9", answers=answers, by=cast.coordinator, channel=Channel.PAGE
        )
    assert set(caught.value.message_dict) == {"phq9_1", "phq9_9"}
    assert not InstrumentResponse.objects.exists()
    assert not RiskFlag.objects.exists()


def test_an_unknown_measure_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        instrument_response_record(
            person=cast.ann, instrument_code="k10", answers={}, by=cast.coordinator, channel=Channel.PAGE
        )
    assert set(caught.value.message_dict) == {"instrument"}


def test_attaches_to_the_persons_joint_assessment_but_not_someone_elses(cast: Cast) -> None:
    own = JointAssessment.objects.create(person=cast.ann, started_by=cast.coordinator)
    other = JointAssessment.objects.create(person=cast.ben, started_by=cast.coordinator)
    response = instrument_response_record(
        person=cast.ann,
        instrument_code="audit",
        answers=audit(),
        by=cast.coordinator,
        channel=Channel.PAGE,
        assessment=own,
    )
    assert response.assessment == own
    with pytest.raises(ValidationError) as caught:
        instrument_response_record(
            person=cast.ann,
            instrument_code="audit",
            answers=audit(),
            by=cast.coordinator,
            channel=Channel.PAGE,
            assessment=other,
        )
    assert set(caught.value.message_dict) == {"assessment"}


def test_completed_at_may_be_in_the_past_but_not_the_future(cast: Cast) -> None:
    last_week = timezone.now() - timedelta(days=7)
    response = instrument_response_record(
        person=cast.ann,
        instrument_code="gad7",
        answers={f"gad7_{n}": 0 for n in range(1, 8)},
        by=cast.coordinator,
        channel=Channel.PAGE,
        completed_at=last_week,
    )
    assert response.completed_at == last_week
    with pytest.raises(ValidationError):
        instrument_response_record(
            person=cast.ann,
            instrument_code="gad7",
            answers={f"gad7_{n}": 0 for n in range(1, 8)},
            by=cast.coordinator,
            channel=Channel.PAGE,
            completed_at=timezone.now() + timedelta(days=1),
        )


def test_care_team_role_is_enough_for_a_substance_worker_to_record_phq9(cast: Cast) -> None:
    # Joint working (NG58): the drug and alcohol worker in Ann's care team may record mental health measures too.
    instrument_response_record(
        person=cast.ann, instrument_code="phq9", answers=phq9(0), by=cast.da_worker_in_team, channel=Channel.PAGE
    )
    assert InstrumentResponse.objects.filter(person=cast.ann, instrument_code="phq9").exists()
