"""R4 rules, without a database: what a complete plan holds, what changed, when a save conflicts, when
a copy may be shared."""

from __future__ import annotations

from uuid import uuid4

from coexist.care.plans.content import PlanContent
from coexist.care.plans.rules import CONTINGENCIES, changed_sections, plan_gaps, share_refusal, version_conflict
from coexist.testing.factories import complete_care_plan_content


def content(**changes: object) -> PlanContent:
    return PlanContent.model_validate({**complete_care_plan_content(), **changes})


def test_r4_a_complete_plan_has_no_gaps() -> None:
    assert plan_gaps(content()) == []


def test_r4_an_empty_plan_lists_every_required_section() -> None:
    sections = [gap.section for gap in plan_gaps(PlanContent())]
    assert sections == ["person_goals", "crisis_plan", *CONTINGENCIES, "services"]


def test_r4_service_goals_alone_do_not_count_as_the_persons_goals() -> None:
    gaps = plan_gaps(content(goals=[{"owner": "service", "text": "Engage with the team"}]))
    assert [g.section for g in gaps] == ["person_goals"]


def test_r4_each_missing_contingency_is_a_gap() -> None:
    for section in CONTINGENCIES:
        assert [g.section for g in plan_gaps(content(**{section: ""}))] == [section]


def test_r4_a_service_without_a_named_contact_and_phone_is_a_gap() -> None:
    gaps = plan_gaps(content(services=[{"service": "GP surgery", "contact_name": "Dr Shah"}]))
    assert [(g.section, g.message) for g in gaps] == [
        ("services", "Add a named contact and phone number for GP surgery.")
    ]


def test_changed_sections_names_only_what_differs_in_page_order() -> None:
    old = content()
    new = content(crisis_plan="Call the crisis line first.", goals=[{"owner": "person", "text": "A dog"}])
    assert changed_sections(old, new) == ["person_goals", "service_goals", "crisis_plan"]
    assert changed_sections(old, content()) == []


def test_changed_sections_of_a_first_version_are_those_with_content() -> None:
    assert changed_sections(None, PlanContent(crisis_plan="Call Alex")) == ["crisis_plan"]


def test_changed_sections_sees_a_different_carer() -> None:
    a, b = uuid4(), uuid4()
    old = content(carers=[{"carer": str(a), "name": "Sam", "support": "Lifts"}])
    new = content(carers=[{"carer": str(b), "name": "Sam", "support": "Lifts"}])
    assert changed_sections(old, new) == ["carers"]


def test_r4_version_conflict_when_the_loaded_version_is_not_the_latest() -> None:
    assert not version_conflict(3, 3)
    assert not version_conflict(None, None)
    assert version_conflict(2, 3)
    assert version_conflict(None, 1)  # someone started the plan while this editor wrote a new one


def test_r4_share_refused_without_a_current_consent_that_includes_the_care_plan() -> None:
    assert share_refusal(person_name="Ben Baker", recipient_name="Sam", consented_parts=[]) == (
        "Ben Baker has not agreed to share their care plan with Sam. "
        "Record their consent to share the care plan first, if they agree."
    )
    assert share_refusal(person_name="B", recipient_name="S", consented_parts=[["contact"]]) is not None
    assert share_refusal(person_name="B", recipient_name="S", consented_parts=[["contact"], ["care_plan"]]) is None


def test_content_keeps_the_persons_goals_apart_from_the_services() -> None:
    plan = content()
    assert plan.person_goals == ["Get my own flat and keep it"]
    assert plan.service_goals == ["Cut down drinking to below 14 units a week"]
