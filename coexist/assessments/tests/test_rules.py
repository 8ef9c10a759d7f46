"""R2 and R13 as pure rules: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

from coexist.assessments.rules import (
    DOMAIN_PARTS,
    Domain,
    DomainNeed,
    Need,
    completion_errors,
    is_joint,
    review_date_errors,
    substance_errors,
    urgent_needs,
    urgent_task_due,
)
from coexist.people.rules import RecordPart


def test_r2_an_urgent_need_is_a_task_spec() -> None:
    specs = urgent_needs([DomainNeed(domain=Domain.HOUSING, need=Need.URGENT, notes="Evicted on Friday")])
    assert [s.domain for s in specs] == ["housing"]
    assert "housing" in specs[0].title and "Evicted on Friday" in specs[0].detail


def test_r2_routine_and_none_needs_are_not_tasks() -> None:
    assert (
        urgent_needs(
            [DomainNeed(domain=Domain.HOUSING, need=Need.ROUTINE), DomainNeed(domain=Domain.RISKS, need=Need.NONE)]
        )
        == []
    )


def test_r2_an_already_urgent_need_or_one_with_an_open_task_is_not_new() -> None:
    assert urgent_needs([DomainNeed(domain=Domain.HOUSING, need=Need.URGENT, previous_need=Need.URGENT)]) == []
    assert urgent_needs([DomainNeed(domain=Domain.HOUSING, need=Need.URGENT, has_open_task=True)]) == []


def test_r2_urgent_is_due_the_moment_it_is_found() -> None:
    found = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
    assert urgent_task_due(found_at=found) == found


def test_completion_needs_every_domain_considered() -> None:
    needs = dict.fromkeys(Domain.values, Need.NONE)
    assert completion_errors(needs=needs, assessor_count=1) == {}
    needs["housing"] = ""
    assert "housing" in completion_errors(needs=needs, assessor_count=1)["need"]


def test_r13_review_date_is_required_and_not_in_the_past() -> None:
    today = date(2026, 3, 2)
    assert "review_on" in review_date_errors(review_on=None, today=today)
    assert "review_on" in review_date_errors(review_on=date(2026, 3, 1), today=today)
    assert review_date_errors(review_on=today, today=today) == {}


def test_injected_route_means_injecting_and_other_must_be_named() -> None:
    errors = substance_errors(
        substance="other", substance_other="", route="injected", injecting=False, last_used_on=None, today=date.today()
    )
    assert set(errors) == {"substance_other", "injecting"}


def test_domains_belong_to_record_parts() -> None:
    assert DOMAIN_PARTS["substance_use"] == RecordPart.SUBSTANCE_USE
    assert DOMAIN_PARTS["risks"] == RecordPart.RISK
    assert DOMAIN_PARTS["housing"] == RecordPart.MENTAL_HEALTH


def test_joint_means_two_organisations() -> None:
    assert is_joint([1, 2]) and not is_joint([1, 1]) and not is_joint([1])
