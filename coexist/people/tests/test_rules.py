"""Pure rules, tested without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coexist.people.rules import (
    SHAREABLE_PARTS,
    AccessFacts,
    Action,
    ContactMethod,
    RecordPart,
    contact_details_missing,
    decide_access,
)

facts = st.builds(
    AccessFacts,
    has_clinical_role=st.booleans(),
    in_care_team=st.booleans(),
    referred_to=st.lists(st.sampled_from(["Drug and alcohol service", "Willow Ward"]), max_size=2).map(tuple),
    consented_parts=st.none() | st.frozensets(st.sampled_from([p.value for p in SHAREABLE_PARTS])),
)


@given(facts=facts, action=st.sampled_from(list(Action)), part=st.sampled_from(RecordPart.values))
def test_non_clinical_roles_never_see_a_record(facts: AccessFacts, action: Action, part: str) -> None:
    if not facts.has_clinical_role:
        assert not decide_access(facts=facts, action=action, part=part).allowed


@given(facts=facts, part=st.sampled_from(RecordPart.values))
def test_consent_alone_never_allows_a_change(facts: AccessFacts, part: str) -> None:
    if not facts.in_care_team and not facts.referred_to:
        assert not decide_access(facts=facts, action=Action.WRITE, part=part).allowed


@given(facts=facts, action=st.sampled_from(list(Action)), part=st.sampled_from(RecordPart.values))
def test_default_deny_without_any_relationship(facts: AccessFacts, action: Action, part: str) -> None:
    if not facts.in_care_team and not facts.referred_to and facts.consented_parts is None:
        decision = decide_access(facts=facts, action=action, part=part)
        assert not decision.allowed
        assert decision.basis  # a refusal always says why


@given(facts=facts, action=st.sampled_from(list(Action)), part=st.sampled_from(RecordPart.values))
def test_every_decision_explains_itself(facts: AccessFacts, action: Action, part: str) -> None:
    assert decide_access(facts=facts, action=action, part=part).basis


def test_consent_opens_identity_with_any_shared_part() -> None:
    consent_only = AccessFacts(
        has_clinical_role=True, in_care_team=False, referred_to=(), consented_parts=frozenset({"care_plan"})
    )
    assert decide_access(facts=consent_only, action=Action.READ, part=RecordPart.IDENTITY).allowed
    assert decide_access(facts=consent_only, action=Action.READ, part=RecordPart.CARE_PLAN).allowed
    assert not decide_access(facts=consent_only, action=Action.READ, part=RecordPart.SUBSTANCE_USE).allowed


def test_referral_basis_names_the_service() -> None:
    referred = AccessFacts(has_clinical_role=True, in_care_team=False, referred_to=("Pathways",), consented_parts=None)
    decision = decide_access(facts=referred, action=Action.WRITE, part=RecordPart.CONTACT)
    assert decision.allowed
    assert decision.basis == "open referral to Pathways"


BLANK = {"phone": "", "email": "", "address": "", "postcode": ""}


@pytest.mark.parametrize(
    ("method", "missing"),
    [
        (ContactMethod.PHONE, {"phone"}),
        (ContactMethod.TEXT, {"phone"}),
        (ContactMethod.EMAIL, {"email"}),
        (ContactMethod.LETTER, {"address", "postcode"}),
        (ContactMethod.VIDEO, {"email"}),
        (ContactMethod.IN_PERSON, set()),
    ],
)
def test_r11_each_contact_method_needs_its_details(method: str, missing: set[str]) -> None:
    assert set(contact_details_missing(method=method, **BLANK)) == missing


def test_r11_video_link_can_go_to_a_phone() -> None:
    assert (
        contact_details_missing(method=ContactMethod.VIDEO, phone="07700 900123", email="", address="", postcode="")
        == {}
    )


def test_r11_whitespace_is_not_a_phone_number() -> None:
    assert "phone" in contact_details_missing(method=ContactMethod.TEXT, phone="   ", email="", address="", postcode="")
