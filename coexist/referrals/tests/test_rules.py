"""R1 and R12 as pure rules: no database."""

from __future__ import annotations

from datetime import date

import pytest

from coexist.organisations.models import ServiceKind
from coexist.referrals.rules import (
    REFERENCE_ALPHABET,
    DeclineReason,
    HelpKind,
    decline_reasons_for,
    decline_refused,
    reference_format,
    reference_normalise,
    self_referral_problems,
    self_referral_service_kinds,
)

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize("kind", [ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.INPATIENT_WARD])
def test_r1_mental_health_services_are_never_offered_substance_use_as_a_reason(kind: str) -> None:
    reasons = decline_reasons_for(kind)
    assert DeclineReason.SUBSTANCE_USE not in reasons
    assert DeclineReason.OUTSIDE_AREA in reasons


@pytest.mark.parametrize("kind", [ServiceKind.DRUG_ALCOHOL, ServiceKind.HOUSING_SUPPORT, ServiceKind.PRIMARY_CARE])
def test_r1_substance_housing_and_physical_health_services_are_never_offered_mental_illness(kind: str) -> None:
    reasons = decline_reasons_for(kind)
    assert DeclineReason.MENTAL_ILLNESS not in reasons
    assert DeclineReason.OUTSIDE_AREA in reasons


def test_r1_rule_refuses_substance_use_for_a_community_mental_health_team() -> None:
    refused = decline_refused(
        service_kind=ServiceKind.COMMUNITY_MENTAL_HEALTH,
        reason=DeclineReason.SUBSTANCE_USE,
        onward_referral="Referred to Pathways",
        has_onward_service=False,
    )
    assert set(refused) == {"reason"}
    assert "substance use" in refused["reason"]


def test_r1_rule_refuses_mental_illness_for_a_drug_and_alcohol_service() -> None:
    refused = decline_refused(
        service_kind=ServiceKind.DRUG_ALCOHOL,
        reason=DeclineReason.MENTAL_ILLNESS,
        onward_referral="Referred to the CMHT",
        has_onward_service=False,
    )
    assert set(refused) == {"reason"}
    assert "mental illness" in refused["reason"]


def test_r1_rule_needs_onward_referral_or_signposting() -> None:
    refused = decline_refused(
        service_kind=ServiceKind.DRUG_ALCOHOL,
        reason=DeclineReason.OUTSIDE_AREA,
        onward_referral="  ",
        has_onward_service=False,
    )
    assert set(refused) == {"onward_referral"}
    assert not decline_refused(
        service_kind=ServiceKind.DRUG_ALCOHOL,
        reason=DeclineReason.OUTSIDE_AREA,
        onward_referral="",
        has_onward_service=True,
    )


def test_r1_rule_refuses_an_unknown_reason() -> None:
    refused = decline_refused(
        service_kind=ServiceKind.DRUG_ALCOHOL, reason="too_complex", onward_referral="GP", has_onward_service=False
    )
    assert set(refused) == {"reason"}


def test_r12_self_referral_needs_only_the_minimal_fields() -> None:
    assert not self_referral_problems(
        given_name="Sam",
        family_name="Taylor",
        date_of_birth=date(1990, 1, 1),
        contact_method="phone",
        phone="07700 900123",
        email="",
        help_kind=HelpKind.NOT_SURE,
        reason="Need help",
        safe_to_contact_note="",
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"reason": "x" * 10_000}, "reason"),
        ({"reason": "<script>alert(1)</script>"}, "reason"),
        ({"family_name": "Tay\x00lor"}, "family_name"),
        ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"contact_method": "email", "email": ""}, "email"),
        ({"contact_method": "email", "email": "not-an-address"}, "email"),
        ({"contact_method": "phone", "phone": "call me"}, "phone"),
        ({"contact_method": "letter"}, "contact_method"),
        ({"help_kind": "everything"}, "help_kind"),
    ],
)
def test_r12_self_referral_problems_name_the_field(changes: dict[str, object], field: str) -> None:
    answers: dict[str, object] = {
        "given_name": "Sam",
        "family_name": "Taylor",
        "date_of_birth": date(1990, 1, 1),
        "contact_method": "text",
        "phone": "07700 900123",
        "email": "",
        "help_kind": HelpKind.MENTAL_HEALTH,
        "reason": "Need help",
        "safe_to_contact_note": "",
    }
    answers.update(changes)
    problems = self_referral_problems(today=TODAY, **answers)  # type: ignore[arg-type]
    assert field in problems


def test_a_heart_is_not_markup() -> None:
    assert not self_referral_problems(
        given_name="Sam",
        family_name="Taylor",
        date_of_birth=date(1990, 1, 1),
        contact_method="text",
        phone="07700 900123",
        email="",
        help_kind=HelpKind.MENTAL_HEALTH,
        reason="My kids <3 and 2 < 3",
        safe_to_contact_note="",
        today=TODAY,
    )


def test_r12_not_sure_goes_to_the_drop_in_first() -> None:
    assert self_referral_service_kinds(HelpKind.NOT_SURE)[0] == ServiceKind.DROP_IN
    assert self_referral_service_kinds(HelpKind.MENTAL_HEALTH)[0] == ServiceKind.COMMUNITY_MENTAL_HEALTH
    assert self_referral_service_kinds(HelpKind.DRUGS_ALCOHOL)[0] == ServiceKind.DRUG_ALCOHOL


def test_reference_is_short_and_has_no_ambiguous_characters() -> None:
    assert reference_format("7K3M9Q") == "CX-7K3M-9Q"
    assert not set("015820OILSZBUV") & set(REFERENCE_ALPHABET)
    assert reference_normalise("cx 7k3m 9q") == "CX-7K3M-9Q"
