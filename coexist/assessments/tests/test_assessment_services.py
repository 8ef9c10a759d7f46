"""Starting, saving (R2) and completing a joint assessment; two assessors from two organisations."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.assessments.models import AssessmentStatus, Assessor, DomainFinding
from coexist.assessments.rules import Domain, Need
from coexist.assessments.services import (
    DomainChange,
    assessment_assessor_add,
    assessment_complete,
    assessment_save,
)
from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused
from coexist.referrals.models import Status as ReferralStatus
from coexist.tasks.models import Priority, Task
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, ReferralFactory

from .helpers import every_domain, start


def test_starting_records_the_first_assessor_with_their_organisation_and_every_domain(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    assessor = Assessor.objects.get(assessment=assessment)
    assert (assessor.user, assessor.organisation) == (cast.coordinator, cast.trust)
    assert set(assessment.findings.values_list("domain", flat=True)) == set(Domain.values)
    assert AccessLogEntry.objects.filter(detail="started joint assessment", actor_username="coordinator").exists()


def test_a_worker_without_access_cannot_start_one(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        start(cast.ann, cast.da_worker)


def test_r2_urgent_housing_need_creates_task_at_once(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    before = timezone.now()
    tasks = assessment_save(
        assessment=assessment,
        by=cast.coordinator,
        channel=Channel.PAGE,
        domains={"housing": DomainChange(notes="Eviction notice expires tomorrow", need=Need.URGENT)},
    )
    task = Task.objects.get(person=cast.ann, rule="R2")
    assert tasks == [task]
    assert task.priority == Priority.URGENT
    assert before <= task.due_at <= timezone.now()  # at once, not within 24 hours
    assert task.assigned_to == cast.coordinator  # no coordinated episode: the worker who found it
    assert "housing" in task.title.lower()
    assert DomainFinding.objects.get(assessment=assessment, domain="housing").urgent_task == task


def test_r2_urgent_task_goes_to_the_named_care_coordinator(cast: Cast) -> None:
    EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)
    assessment = start(cast.ann, cast.da_worker_in_team)
    assessment_save(
        assessment=assessment,
        by=cast.da_worker_in_team,
        channel=Channel.PAGE,
        domains={"physical_health": DomainChange(notes="Abscess at injection site", need=Need.URGENT)},
    )
    assert Task.objects.get(rule="R2").assigned_to == cast.coordinator


def test_r2_safeguarding_children_need_creates_task(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    assessment_save(
        assessment=assessment,
        by=cast.coordinator,
        channel=Channel.PAGE,
        domains={"safeguarding_children": DomainChange(notes="Two children at home, no other adult", need=Need.URGENT)},
        children_contact="live_with",
    )
    task = Task.objects.get(person=cast.ann, rule="R2")
    assert "safeguarding of children" in task.title.lower()
    assert task.priority == Priority.URGENT
    assessment.refresh_from_db()
    assert assessment.children_contact == "live_with"


def test_r2_saving_twice_does_not_duplicate_tasks(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    domains = {"housing": DomainChange(notes="Sleeping rough", need=Need.URGENT)}
    assessment_save(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE, domains=domains)
    again = assessment_save(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE, domains=domains)
    assert again == []
    assert Task.objects.filter(person=cast.ann, rule="R2").count() == 1


def test_r2_routine_need_creates_no_task(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    assessment_save(
        assessment=assessment,
        by=cast.coordinator,
        channel=Channel.PAGE,
        domains={"benefits_money": DomainChange(notes="PIP review due", need=Need.ROUTINE)},
    )
    assert not Task.objects.filter(rule="R2").exists()


def test_an_urgent_need_must_say_what_it_is(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    with pytest.raises(ValidationError) as raised:
        assessment_save(
            assessment=assessment,
            by=cast.coordinator,
            channel=Channel.PAGE,
            domains={"housing": DomainChange(notes="  ", need=Need.URGENT)},
        )
    assert "housing_notes" in raised.value.message_dict
    assert not Task.objects.exists()


def test_two_assessors_from_different_organisations_can_both_edit_and_complete(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    assessment_assessor_add(
        assessment=assessment, assessor=cast.da_worker_in_team, by=cast.coordinator, channel=Channel.PAGE
    )
    assert {a.organisation for a in assessment.assessors.all()} == {cast.trust, cast.pathways}
    assessment_save(
        assessment=assessment,
        by=cast.coordinator,
        channel=Channel.PAGE,
        domains={"mental_health": DomainChange(notes="Hearing voices", need=Need.ROUTINE)},
    )
    assessment_save(
        assessment=assessment,
        by=cast.da_worker_in_team,
        channel=Channel.PAGE,
        domains=every_domain(mental_health=DomainChange(need=Need.ROUTINE)),
    )
    done = assessment_complete(assessment=assessment, by=cast.da_worker_in_team, channel=Channel.PAGE)
    assert done.status == AssessmentStatus.COMPLETED and done.completed_at is not None
    assert done.completed_by == cast.da_worker_in_team
    assert DomainFinding.objects.get(assessment=assessment, domain="mental_health").notes == "Hearing voices"


def test_an_assessor_must_be_able_to_change_the_record(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    with pytest.raises(ValidationError) as raised:
        assessment_assessor_add(
            assessment=assessment, assessor=cast.da_worker, by=cast.coordinator, channel=Channel.PAGE
        )
    assert "assessor" in raised.value.message_dict


def test_completing_needs_every_domain_considered(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    with pytest.raises(ValidationError) as raised:
        assessment_complete(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE)
    assert "need" in raised.value.message_dict


def test_edits_after_completion_are_refused_with_a_clear_message(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    assessment_save(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE, domains=every_domain())
    assessment_complete(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE)
    assessment.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        assessment_save(
            assessment=assessment,
            by=cast.coordinator,
            channel=Channel.PAGE,
            domains={"housing": DomainChange(notes="Moved", need=Need.ROUTINE)},
        )
    assert "completed" in raised.value.messages[0] and "can no longer be changed" in raised.value.messages[0]
    with pytest.raises(ValidationError):
        assessment_complete(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE)


def test_a_consent_reader_cannot_change_an_assessment(cast: Cast) -> None:
    assessment = start(cast.ben, cast.coordinator)
    with pytest.raises(AccessRefused):
        assessment_save(
            assessment=assessment,
            by=cast.da_worker,
            channel=Channel.API,
            domains={"substance_use": DomainChange(notes="Daily heroin", need=Need.ROUTINE)},
        )


def test_completing_records_when_the_accepted_referral_was_assessed(cast: Cast) -> None:
    """Time from referral to assessment is reported (001): completion stamps accepted referrals once."""
    accepted = ReferralFactory(person=cast.ann, to_service=cast.cmht, status=ReferralStatus.ACCEPTED)
    still_open = ReferralFactory(person=cast.ann, to_service=cast.pathways_service)
    assessment = start(cast.ann, cast.coordinator)
    assessment_save(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE, domains=every_domain())
    done = assessment_complete(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE)
    accepted.refresh_from_db()
    still_open.refresh_from_db()
    assert accepted.assessed_at == done.completed_at
    assert still_open.assessed_at is None
