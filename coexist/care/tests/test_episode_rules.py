"""R3 and R15 as pure rules: no database."""

from __future__ import annotations

from coexist.care.rules import (
    CARE_TEAM_ROLES,
    coordinator_refusal,
    is_substance_screen,
    needs_named_coordinator,
    needs_substance_screen,
    percentage,
)
from coexist.organisations.models import Role, ServiceKind


def test_r3_care_coordinator_ward_nurse_and_dual_diagnosis_lead_may_coordinate() -> None:
    for role in (Role.CARE_COORDINATOR, Role.WARD_NURSE, Role.DUAL_DIAGNOSIS_LEAD):
        assert coordinator_refusal(roles_in_service={role}) is None


def test_r3_other_roles_may_not_coordinate() -> None:
    for role in (Role.PEER_SUPPORT_WORKER, Role.ADMINISTRATOR, Role.RESEARCHER, Role.PSYCHIATRIST, Role.TEAM_LEADER):
        refusal = coordinator_refusal(roles_in_service={role})
        assert refusal is not None and "care coordinator, ward nurse or dual diagnosis lead" in refusal


def test_r3_someone_outside_the_service_may_not_coordinate() -> None:
    refusal = coordinator_refusal(roles_in_service=set())
    assert refusal is not None and "do not work in this service" in refusal


def test_r3_one_coordinator_role_among_others_is_enough() -> None:
    assert coordinator_refusal(roles_in_service={Role.TEAM_LEADER, Role.CARE_COORDINATOR}) is None


def test_r3_only_secondary_mental_health_care_needs_a_named_coordinator() -> None:
    assert needs_named_coordinator(service_kind=ServiceKind.COMMUNITY_MENTAL_HEALTH)
    assert needs_named_coordinator(service_kind=ServiceKind.INPATIENT_WARD)
    assert not needs_named_coordinator(service_kind=ServiceKind.DRUG_ALCOHOL)


def test_r15_secondary_care_without_a_screen_needs_one() -> None:
    assert needs_substance_screen(service_kind=ServiceKind.COMMUNITY_MENTAL_HEALTH, screened=False)
    assert not needs_substance_screen(service_kind=ServiceKind.COMMUNITY_MENTAL_HEALTH, screened=True)
    assert not needs_substance_screen(service_kind=ServiceKind.DRUG_ALCOHOL, screened=False)


def test_r15_substance_screens_are_the_validated_alcohol_and_drug_measures() -> None:
    for code in ("audit", "audit_c", "dudit", "dast10", "sds", "top"):
        assert is_substance_screen(instrument_code=code)
    assert not is_substance_screen(instrument_code="phq9")


def test_the_coordinator_place_is_never_given_as_a_plain_care_team_role() -> None:
    assert Role.CARE_COORDINATOR not in CARE_TEAM_ROLES
    assert Role.ADMINISTRATOR not in CARE_TEAM_ROLES and Role.RESEARCHER not in CARE_TEAM_ROLES


def test_percentage_is_none_when_there_is_nothing_to_count() -> None:
    assert percentage(0, 0) is None
    assert percentage(1, 3) == 33
