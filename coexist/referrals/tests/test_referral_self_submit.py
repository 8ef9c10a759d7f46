"""R12: the self-referral service: minimal fields, no account, no person record until triage."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from coexist.organisations.models import ServiceKind
from coexist.referrals.models import Referral, Route, Status
from coexist.referrals.services import referral_self_submit
from coexist.testing.cast import Cast
from coexist.testing.factories import ServiceFactory

from .conftest import self_referral_answers


def test_r12_self_referral_needs_no_account(cast: Cast) -> None:
    referral = referral_self_submit(**self_referral_answers())
    assert referral.route == Route.SELF
    assert referral.person is None
    assert referral.referrer is None
    assert referral.status == Status.RECEIVED
    assert (referral.given_name, referral.family_name, referral.date_of_birth) == ("Sam", "Taylor", date(1990, 4, 12))
    assert re.fullmatch(r"CX-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{2}", referral.reference)
    change = referral.history.get()
    assert (change.from_status, change.to_status, change.by) == ("", Status.RECEIVED, None)


def test_r12_self_referral_goes_to_the_service_for_the_help_asked_for(cast: Cast) -> None:
    assert referral_self_submit(**self_referral_answers(help_kind="drugs_alcohol")).to_service == cast.pathways_service
    assert referral_self_submit(**self_referral_answers(help_kind="mental_health")).to_service == cast.cmht


def test_r12_not_sure_goes_to_a_drop_in_when_there_is_one(cast: Cast) -> None:
    assert referral_self_submit(**self_referral_answers(help_kind="not_sure")).to_service == cast.pathways_service
    drop_in = ServiceFactory(organisation=cast.trust, name="Dual diagnosis drop-in", kind=ServiceKind.DROP_IN)
    assert referral_self_submit(**self_referral_answers(help_kind="not_sure")).to_service == drop_in


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": "", "family_name": ""}, "given_name"),
        ({"reason": "a" * 10_000}, "reason"),
        ({"date_of_birth": date(2100, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth"),
        ({"reason": "<script>alert('x')</script>"}, "reason"),
        ({"given_name": "Sam\x00"}, "given_name"),
    ],
)
def test_bad_self_referral_is_refused_and_stores_nothing(cast: Cast, changes: dict[str, object], field: str) -> None:
    before = Referral.objects.count()
    with pytest.raises(ValidationError) as refused:
        referral_self_submit(**self_referral_answers(**changes))
    assert field in refused.value.message_dict
    assert Referral.objects.count() == before


def test_references_are_unique(cast: Cast) -> None:
    references = {referral_self_submit(**self_referral_answers()).reference for _ in range(20)}
    assert len(references) == 20
