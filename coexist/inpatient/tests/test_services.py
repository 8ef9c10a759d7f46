"""R9/R15 inpatient stays through the services: admission, the screen task, the ward worker, leave and the
community assessment during leave. Each test names what it proves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.engagement.models import Appointment
from coexist.inpatient.models import Admission, Leave
from coexist.inpatient.selectors import current_admission, ward_list
from coexist.inpatient.services import (
    admission_assign_ward_worker,
    admission_record,
    leave_book_assessment,
    leave_record,
    leave_return,
)
from coexist.instruments.services import instrument_response_record
from coexist.organisations.models import Role
from coexist.people.permissions import AccessRefused
from coexist.referrals.models import Status
from coexist.tasks.models import Task, TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories_inpatient import admit, refer_to_ward


def audit_answers() -> dict[str, object]:
    return {f"audit_{n}": 1 if n <= 8 else 2 for n in range(1, 11)}


def test_r9_admission_creates_screen_task_for_the_ward_team_due_in_24_hours(cast: Cast) -> None:
    admitted_at = timezone.now() - timedelta(hours=1)
    admission = admit(cast, cast.ann, admitted_at=admitted_at, legal_status="section_2")

    assert admission.detained and admission.is_current
    episode = admission.episode
    assert episode.service == cast.ward and episode.team == cast.ward_team and episode.is_open
    task = admission.screen_task
    assert task is not None
    assert (task.rule, task.assigned_team, task.episode) == ("R9", cast.ward_team, episode)
    assert task.due_at == admitted_at + timedelta(hours=24)
    assert "alcohol and drugs" in task.title
    # The open referral to the ward is accepted by the admission: its episode is the ward episode.
    assert episode.referral is not None and episode.referral.status == Status.ACCEPTED
    assert AccessLogEntry.objects.filter(
        actor_public_id=cast.ward_nurse.public_id, action="write", detail__startswith="admitted to Willow ward"
    ).exists()


def test_r9_admission_creates_no_screen_task_when_screened_since_admission(cast: Cast) -> None:
    admitted_at = timezone.now() - timedelta(hours=3)
    refer_to_ward(cast, cast.ann)
    instrument_response_record(
        person=cast.ann, instrument_code="audit", answers=audit_answers(), by=cast.coordinator, channel=Channel.PAGE,
        completed_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    admission = admission_record(
        person=cast.ann, ward=cast.ward, admitted_at=admitted_at, legal_status="informal", by=cast.ward_nurse,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert admission.screen_task is None


def test_r9_a_screen_before_admission_does_not_count(cast: Cast) -> None:
    refer_to_ward(cast, cast.ann)
    instrument_response_record(
        person=cast.ann, instrument_code="audit", answers=audit_answers(), by=cast.coordinator, channel=Channel.PAGE,
        completed_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    admission = admission_record(
        person=cast.ann, ward=cast.ward, admitted_at=timezone.now(), legal_status="informal", by=cast.ward_nurse,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert admission.screen_task is not None


def test_r9_recording_a_screen_closes_the_admission_screen_task(cast: Cast) -> None:
    admission = admit(cast, cast.ann)
    instrument_response_record(
        person=cast.ann, instrument_code="audit", answers=audit_answers(), by=cast.ward_nurse, channel=Channel.PAGE
    )
    task = Task.objects.get(pk=admission.screen_task_id)
    assert task.status == TaskStatus.DONE and task.completed_by == cast.ward_nurse
    assert "AUDIT" in task.outcome


def test_r9_a_mental_health_measure_does_not_close_the_screen_task(cast: Cast) -> None:
    admission = admit(cast, cast.ann)
    instrument_response_record(
        person=cast.ann, instrument_code="phq9", answers={f"phq9_{n}": 0 for n in range(1, 10)}, by=cast.ward_nurse,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert Task.objects.get(pk=admission.screen_task_id).is_open


def test_r9_a_second_current_admission_is_refused_and_nothing_is_saved(cast: Cast) -> None:
    admit(cast, cast.ann)
    episodes = EpisodeOfCare.objects.count()
    with pytest.raises(ValidationError) as caught:
        admission_record(
            person=cast.ann, ward=cast.ward, admitted_at=timezone.now(), legal_status="informal", by=cast.ward_nurse,
            channel=Channel.PAGE,
        )  # fmt: skip
    assert "already admitted" in str(caught.value.message_dict["person"])
    assert EpisodeOfCare.objects.count() == episodes and Admission.objects.count() == 1


def test_r9_admitting_needs_ward_staff(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        admission_record(
            person=cast.ann, ward=cast.ward, admitted_at=timezone.now(), legal_status="informal", by=cast.coordinator,
            channel=Channel.PAGE,
        )  # fmt: skip
    assert "work on Willow ward" in caught.value.message_dict["ward"][0]
    assert not Admission.objects.exists() and not EpisodeOfCare.objects.filter(service=cast.ward).exists()


def test_r9_admitting_someone_the_ward_has_no_relationship_with_is_refused_and_logged(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        admission_record(
            person=cast.dan, ward=cast.ward, admitted_at=timezone.now(), legal_status="informal", by=cast.ward_nurse,
            channel=Channel.API,
        )  # fmt: skip
    assert AccessLogEntry.objects.filter(
        actor_public_id=cast.ward_nurse.public_id, outcome=Outcome.REFUSED, detail="admit to ward"
    ).exists()
    assert not Admission.objects.exists()


def test_r9_bad_admission_input_is_refused_by_field(cast: Cast) -> None:
    refer_to_ward(cast, cast.ann)
    with pytest.raises(ValidationError) as caught:
        admission_record(
            person=cast.ann, ward=cast.ward, admitted_at=timezone.now() + timedelta(days=3000), legal_status="x",
            reason="\x00", by=cast.ward_nurse, channel=Channel.PAGE,
        )  # fmt: skip
    assert set(caught.value.message_dict) == {"admitted_at", "legal_status", "reason"}
    assert not EpisodeOfCare.objects.filter(service=cast.ward).exists()


def test_r9_ward_worker_must_come_from_the_drug_and_alcohol_service(cast: Cast) -> None:
    admission = admit(cast, cast.ann)
    for someone in (cast.coordinator, cast.peer_worker, cast.ward_nurse):
        with pytest.raises(ValidationError) as caught:
            admission_assign_ward_worker(admission=admission, worker=someone, by=cast.ward_nurse, channel=Channel.PAGE)
        assert "drug and alcohol service" in caught.value.message_dict["worker"][0]
    assert Admission.objects.get(pk=admission.pk).ward_substance_worker is None


def test_r9_ward_worker_joins_the_care_team_for_the_ward_episode(cast: Cast) -> None:
    admission = admit(cast, cast.ann)
    admission = admission_assign_ward_worker(
        admission=admission, worker=cast.da_worker, by=cast.ward_nurse, channel=Channel.PAGE
    )
    assert admission.ward_substance_worker == cast.da_worker and admission.ward_substance_worker_since is not None
    member = CareTeamMember.objects.current().get(person=cast.ann, user=cast.da_worker)
    assert (member.role, member.episode) == (Role.SUBSTANCE_MISUSE_WORKER, admission.episode)
    # A new ward worker: the previous one's place on this stay ends today.
    admission_assign_ward_worker(
        admission=admission, worker=cast.addictions_consultant, by=cast.ward_nurse, channel=Channel.PAGE
    )
    ended = CareTeamMember.objects.get(pk=member.pk)
    assert ended.ended_on == timezone.localdate()
    assert (
        CareTeamMember.objects.current()
        .filter(person=cast.ann, user=cast.addictions_consultant, role=Role.SUBSTANCE_MISUSE_WORKER)
        .exists()
    )


def _leave(cast: Cast, admission: Admission, start_hours: float, end_hours: float) -> Leave:
    now = timezone.now()
    return leave_record(
        admission=admission, kind="unescorted", starts_at=now + timedelta(hours=start_hours),
        ends_at=now + timedelta(hours=end_hours), purpose="Assessment by Pathways", by=cast.ward_nurse,
        channel=Channel.PAGE,
    )  # fmt: skip


def test_r9_leave_is_recorded_and_overlapping_leave_refused(cast: Cast) -> None:
    admission = admit(cast, cast.ann, admitted_at=timezone.now() - timedelta(days=3))
    leave = _leave(cast, admission, 1, 6)
    assert leave.admission == admission and leave.returned_at is None
    with pytest.raises(ValidationError) as caught:
        _leave(cast, admission, 5, 9)
    assert "overlap" in caught.value.message_dict["starts_at"][0]
    assert Leave.objects.count() == 1


def test_r9_leave_only_during_a_current_admission(cast: Cast) -> None:
    admission = admit(cast, cast.ann, admitted_at=timezone.now() - timedelta(days=3))
    # The transitions helper sets discharged_at in the discharge transaction; simulated here.
    Admission.objects.filter(pk=admission.pk).update(discharged_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        _leave(cast, admission, 1, 6)
    assert "discharged" in caught.value.message_dict["admission"][0]


def test_r9_return_from_leave_is_recorded_once(cast: Cast) -> None:
    admission = admit(cast, cast.ann, admitted_at=timezone.now() - timedelta(days=3))
    leave = _leave(cast, admission, -5, 2)
    back = leave_return(leave=leave, returned_at=timezone.now(), by=cast.ward_nurse, channel=Channel.PAGE)
    assert back.returned_at is not None
    with pytest.raises(ValidationError):
        leave_return(leave=leave, returned_at=timezone.now(), by=cast.ward_nurse, channel=Channel.PAGE)


def test_r9_community_assessment_is_booked_inside_the_leave(cast: Cast) -> None:
    admission = admit(cast, cast.ann, admitted_at=timezone.now() - timedelta(days=3))
    leave = _leave(cast, admission, 2, 8)
    appointment = leave_book_assessment(
        leave=leave, service=cast.pathways_service, staff=cast.da_worker,
        starts_at=timezone.now() + timedelta(hours=3), by=cast.ward_nurse, channel=Channel.PAGE,
    )  # fmt: skip
    assert (appointment.service, appointment.staff, appointment.person) == (
        cast.pathways_service,
        cast.da_worker,
        cast.ann,
    )


def test_r9_community_assessment_outside_the_leave_is_refused(cast: Cast) -> None:
    admission = admit(cast, cast.ann, admitted_at=timezone.now() - timedelta(days=3))
    leave = _leave(cast, admission, 2, 8)
    with pytest.raises(ValidationError) as caught:
        leave_book_assessment(
            leave=leave, service=cast.pathways_service, staff=cast.da_worker,
            starts_at=timezone.now() + timedelta(hours=20), by=cast.ward_nurse, channel=Channel.PAGE,
        )  # fmt: skip
    assert "inside the leave" in caught.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as caught:
        leave_book_assessment(
            leave=leave, service=cast.cmht, staff=cast.coordinator,
            starts_at=timezone.now() + timedelta(hours=3), by=cast.ward_nurse, channel=Channel.PAGE,
        )  # fmt: skip
    assert "service" in caught.value.message_dict
    assert not Appointment.objects.exists()


def test_current_admission_and_ward_list_with_each_person_logged(cast: Cast) -> None:
    admission = admit(cast, cast.ann, admitted_at=timezone.now() - timedelta(days=2))
    admit(cast, cast.ben)
    assert current_admission(cast.ann) == admission and current_admission(cast.cat) is None
    lines = ward_list(viewer=cast.ward_nurse, ward=cast.ward, channel=Channel.PAGE)
    assert [line.admission.person for line in lines] == [cast.ann, cast.ben]
    assert lines[0].days == 2 and not lines[0].screen_done and not lines[0].on_leave
    logged = AccessLogEntry.objects.filter(actor_public_id=cast.ward_nurse.public_id, detail="ward list")
    assert set(logged.values_list("person_public_id", flat=True)) == {cast.ann.public_id, cast.ben.public_id}


def test_ward_list_is_for_ward_staff_only(cast: Cast) -> None:
    admit(cast, cast.ann)
    with pytest.raises(AccessRefused):
        ward_list(viewer=cast.coordinator, ward=cast.ward, channel=Channel.PAGE)
