"""R8 and R9 at discharge: the checklist gates the discharge, a senior clinician may override with a
reason (reported), opiate substitution waits for the prescriber, and leaving a ward makes a 72-hour task."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.engagement.models import GroupEnrolment
from coexist.inpatient.models import Admission
from coexist.medicines.models import HandoverStatus, PrescribingHandover
from coexist.people.models import HousingStatus
from coexist.people.permissions import AccessRefused
from coexist.tasks.models import Priority
from coexist.testing.cast import Cast
from coexist.testing.factories import GroupEnrolmentFactory, GroupFactory
from coexist.testing.factories_transitions import handover, methadone, ready_discharge
from coexist.transitions.models import HousingSupport, Transition, TransitionStatus
from coexist.transitions.selectors import checklist_for, discharge_figures_for
from coexist.transitions.services import transition_complete, transition_housing, transition_start

from .conftest import book_follow_up, offer_naloxone, refer_to_pathways


def _start(cast: Cast, episode: EpisodeOfCare) -> Transition:
    return transition_start(
        episode=episode, kind="discharge", discharge_reason="goals_met", by=cast.ward_nurse, channel=Channel.PAGE
    )


def _still_on_ward(episode: EpisodeOfCare) -> None:
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    assert Admission.objects.get(episode=episode).discharged_at is None


def test_r8_discharge_refused_while_an_item_is_open_naming_each(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    transition = _start(cast, ward_episode)
    with pytest.raises(ValidationError) as refused:
        transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE)
    lines = refused.value.message_dict["checklist"]
    assert "R8" in lines[0]
    text = "\n".join(lines)
    assert "Invite Alex Morgan" in text and "Invite Chidi Okafor" in text
    assert "Housing support is not yet arranged" in text
    assert "has no care plan" in text
    assert "72 hours" in text
    _still_on_ward(ward_episode)
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.PLANNING and transition.checklist_at_completion == []


def test_r9_discharge_from_ward_creates_72_hour_follow_up_task(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    appointment = book_follow_up(cast, hours=30)
    group = GroupFactory(service=cast.pathways_service, created_by=cast.da_worker)
    enrolment = GroupEnrolmentFactory(group=group, person=cast.ann, enrolled_by=cast.coordinator)
    done = transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE)
    assert done.status == TransitionStatus.COMPLETED and done.override_by is None
    assert done.follow_up_appointment == appointment
    task = done.follow_up_task
    assert task is not None and task.rule == "R9" and task.priority == Priority.URGENT
    assert task.assigned_to == cast.coordinator  # the community coordinator of her other open episode
    assert task.due_at == done.completed_at + timedelta(hours=72)  # type: ignore[operator]
    assert "72 hours" in task.title and "72-hour" in task.detail
    ward_episode.refresh_from_db()
    assert ward_episode.status == EpisodeStatus.FINISHED and ward_episode.finish_reason == "goals_met"
    assert Admission.objects.get(episode=ward_episode).discharged_at == done.completed_at
    assert {i["key"] for i in done.checklist_at_completion} >= {"invite", "housing", "follow_up_72h"}
    # Seed 002: groups stay open after discharge.
    assert GroupEnrolment.objects.current().filter(pk=enrolment.pk).exists()


def test_r9_seeing_the_person_after_discharge_closes_the_72_hour_task(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    from coexist.engagement.services import appointment_record_outcome
    from coexist.tasks.models import TaskStatus

    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    visit = book_follow_up(cast, hours=30)
    done = transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE)
    task = done.follow_up_task
    assert task is not None and task.status == TaskStatus.OPEN
    with time_machine.travel(timezone.now() + timedelta(hours=31), tick=False):
        appointment_record_outcome(appointment=visit, outcome="attended_on_time", by=cast.coordinator,  # type: ignore[arg-type]
                                   channel=Channel.PAGE, plan_reviewed="unchanged")  # fmt: skip
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == cast.coordinator
    assert "Seen at the appointment" in task.outcome


def test_r9_a_missed_visit_after_discharge_leaves_the_72_hour_task_open(
    cast: Cast, ward_episode: EpisodeOfCare
) -> None:
    from coexist.engagement.services import appointment_record_outcome
    from coexist.tasks.models import TaskStatus

    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    visit = book_follow_up(cast, hours=30)
    done = transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE)
    with time_machine.travel(timezone.now() + timedelta(hours=31), tick=False):
        appointment_record_outcome(appointment=visit, outcome="did_not_attend", by=cast.coordinator,  # type: ignore[arg-type]
                                   channel=Channel.PAGE, plan_reviewed="")  # fmt: skip
    assert done.follow_up_task is not None
    done.follow_up_task.refresh_from_db()
    assert done.follow_up_task.status == TaskStatus.OPEN


def test_r9_follow_up_task_goes_to_the_ward_team_when_nobody_else(cast: Cast) -> None:
    from coexist.testing.factories import EpisodeFactory, MembershipFactory
    from coexist.testing.factories_transitions import admission

    ward = EpisodeFactory(person=cast.ben, team=cast.ward_team, opened_by=cast.ward_nurse)
    admission(ward, by=cast.ward_nurse)
    MembershipFactory(user=cast.psychiatrist, team=cast.ward_team, role="psychiatrist")
    transition = ready_discharge(ward, by=cast.ward_nurse)
    done = transition_complete(
        transition=transition, by=cast.psychiatrist, channel=Channel.PAGE,
        override_reason="Ben is going to his sister's in Wales; the Welsh team will see him on Monday.",
    )  # fmt: skip
    assert done.overridden_items == ["follow_up_72h"]
    assert done.follow_up_task is not None and done.follow_up_task.assigned_team == cast.ward_team


def test_r9_opiate_substitution_blocks_discharge_until_the_prescriber_accepts(
    cast: Cast, ward_episode: EpisodeOfCare
) -> None:
    course = methadone(cast.ann, service=cast.ward, by=cast.ward_nurse)
    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    book_follow_up(cast)
    refer_to_pathways(cast)
    offer_naloxone(cast)
    with pytest.raises(ValidationError) as refused:
        transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE)
    assert any("Send the handover" in line for line in refused.value.message_dict["checklist"])
    sent = handover(course, to_service=cast.pathways_service, by=cast.ward_nurse)
    with pytest.raises(ValidationError) as refused:
        transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE)
    assert any("not yet accepted" in line for line in refused.value.message_dict["checklist"])
    _still_on_ward(ward_episode)
    PrescribingHandover.objects.filter(pk=sent.pk).update(
        status=HandoverStatus.ACCEPTED, answered_at=timezone.now(), answered_by=cast.addictions_consultant
    )
    item = next(i for i in checklist_for(transition) if i.key == "prescribing_handover")
    assert item.met and "60 mg a day" in item.explanation and "Rosa Ibarra" in item.explanation
    assert "last dose given" in item.explanation and "first community dose" in item.explanation
    done = transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE)
    assert done.status == TransitionStatus.COMPLETED


def test_r9_a_ward_dose_given_after_the_accepted_handover_reopens_the_item(
    cast: Cast, ward_episode: EpisodeOfCare
) -> None:
    """The discharge slipped a day and the ward gave another dose: the agreed first community dose date no longer
    follows the last dose, so a new handover is needed (or the community dose doubles the ward's)."""
    from decimal import Decimal

    from coexist.medicines.models import DoseGiven

    course = methadone(cast.ann, service=cast.ward, by=cast.ward_nurse)
    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    handover(course, to_service=cast.pathways_service, by=cast.ward_nurse, status=HandoverStatus.ACCEPTED,
             answered_by=cast.addictions_consultant, last_dose_given_at=timezone.now() - timedelta(hours=3))  # fmt: skip
    assert next(i for i in checklist_for(transition) if i.key == "prescribing_handover").met
    DoseGiven.objects.create(
        treatment=course, given_at=timezone.now() - timedelta(minutes=30), dose_mg=Decimal("60"), where="Willow ward",
        recorded_by=cast.ward_nurse,
    )  # fmt: skip
    item = next(i for i in checklist_for(transition) if i.key == "prescribing_handover")
    assert item.applies and not item.met
    assert "Ask the community prescriber for a new handover" in item.explanation


def test_r9_a_handover_from_before_the_admission_does_not_count(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    course = methadone(cast.ann, service=cast.ward, by=cast.ward_nurse)
    handover(course, to_service=cast.pathways_service, by=cast.ward_nurse, status=HandoverStatus.ACCEPTED,
             answered_by=cast.addictions_consultant, requested_at=timezone.now() - timedelta(days=40))  # fmt: skip
    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    item = next(i for i in checklist_for(transition) if i.key == "prescribing_handover")
    assert item.applies and not item.met


def test_r8_senior_override_needs_a_written_reason_and_is_reported(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    _ward_team_leader(cast)
    transition = ready_discharge(ward_episode, by=cast.ward_nurse, with_plan=False)
    book_follow_up(cast)
    for reason in ("", "   ", "short reason", "x\x00" * 15):
        with pytest.raises(ValidationError):
            transition_complete(transition=transition, by=cast.psychiatrist, channel=Channel.PAGE,
                                override_reason=reason)  # fmt: skip
    _still_on_ward(ward_episode)
    reason = "Plan agreed verbally at the meeting; the coordinator writes it up tomorrow."
    done = transition_complete(transition=transition, by=cast.psychiatrist, channel=Channel.PAGE,
                               override_reason=reason)  # fmt: skip
    assert done.override_by == cast.psychiatrist and done.override_reason == reason
    assert set(done.overridden_items) == {"risk_safety", "crisis_contingency", "recontact"}
    assert AccessLogEntry.objects.filter(detail__contains="overridden by Tunde Adeyemi").exists()
    # Reported: the ward's team leader sees it on the figures page.
    today = timezone.localdate()
    page = discharge_figures_for(viewer=cast.team_leader, start=today - timedelta(days=1), end=today,
                                 channel=Channel.PAGE)  # fmt: skip
    assert page.figures.discharges == 1
    [row] = page.overrides
    assert (row.person_name, row.by, row.reason) == ("Ann Abbott", "Tunde Adeyemi", reason)
    assert AccessLogEntry.objects.filter(actor_username="team_leader", detail="discharge figures: overrides").exists()


def _ward_team_leader(cast: Cast) -> None:
    from coexist.testing.factories import MembershipFactory

    MembershipFactory(user=cast.team_leader, team=cast.ward_team, role="team_leader")


def test_r8_non_senior_cannot_override(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    transition = ready_discharge(ward_episode, by=cast.ward_nurse, with_plan=False)
    book_follow_up(cast)
    with pytest.raises(ValidationError) as refused:
        transition_complete(transition=transition, by=cast.ward_nurse, channel=Channel.PAGE,
                            override_reason="I am sure it is fine to go home today without a plan.")  # fmt: skip
    assert "senior clinician" in refused.value.message_dict["override_reason"][0]
    _still_on_ward(ward_episode)


def test_r8_housing_not_needed_refused_for_someone_homeless(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    cast.ann.housing_status = HousingStatus.NO_FIXED_ABODE
    cast.ann.save()
    transition = _start(cast, ward_episode)
    with pytest.raises(ValidationError) as refused:
        transition_housing(transition=transition, support=HousingSupport.NOT_NEEDED, note="", by=cast.ward_nurse,
                           channel=Channel.PAGE)  # fmt: skip
    assert "no fixed abode" in refused.value.message_dict["housing_support"][0]
    transition.refresh_from_db()
    assert transition.housing_support == HousingSupport.NOT_ARRANGED


def test_r8_permission_refusals_are_logged(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    with pytest.raises(AccessRefused):
        transition_start(episode=ward_episode, kind="discharge", discharge_reason="goals_met", by=cast.da_worker,
                         channel=Channel.PAGE)  # fmt: skip
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").exists()
    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    with pytest.raises(AccessRefused):
        transition_complete(transition=transition, by=cast.admin, channel=Channel.PAGE)
    assert AccessLogEntry.objects.filter(actor_username="admin", outcome="refused").exists()


def test_start_bad_input(cast: Cast, ward_episode: EpisodeOfCare) -> None:
    for kwargs, field in (
        ({"kind": "discharge", "discharge_reason": "did_not_attend"}, "discharge_reason"),
        ({"kind": "discharge", "discharge_reason": "transferred"}, "discharge_reason"),
        ({"kind": "transfer"}, "to_team"),
        ({"kind": "transfer", "to_team": cast.ward_team}, "to_team"),
        ({"kind": "nonsense"}, "kind"),
        ({"kind": "discharge", "discharge_reason": "goals_met", "destination": "x" * 10_000}, "destination"),
        ({"kind": "discharge", "discharge_reason": "goals_met", "destination": "home\x00"}, "destination"),
        ({"kind": "discharge", "discharge_reason": "goals_met",
          "planned_for": timezone.localdate() + timedelta(days=4000)}, "planned_for"),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            transition_start(episode=ward_episode, by=cast.ward_nurse, channel=Channel.PAGE, **kwargs)  # type: ignore[arg-type]
        assert field in refused.value.message_dict
    assert not Transition.objects.exists()
    _start(cast, ward_episode)
    with pytest.raises(ValidationError, match="already being planned"):
        _start(cast, ward_episode)
