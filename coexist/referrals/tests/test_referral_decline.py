"""R1 no exclusion, through the service: the rule applies whatever calls it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coexist.audit.models import Channel
from coexist.people.permissions import AccessRefused
from coexist.referrals.models import Referral, Status
from coexist.referrals.rules import DeclineReason
from coexist.referrals.services import referral_decline
from coexist.testing.cast import Cast
from coexist.testing.factories import ReferralFactory


def _to_cmht(cast: Cast) -> Referral:
    return ReferralFactory(person=cast.ben, to_service=cast.cmht, referrer=cast.da_worker)


def test_r1_mental_health_service_cannot_decline_for_substance_use(cast: Cast) -> None:
    referral = _to_cmht(cast)
    with pytest.raises(ValidationError) as refused:
        referral_decline(
            referral=referral,
            by=cast.coordinator,
            reason=DeclineReason.SUBSTANCE_USE,
            onward_referral="Signposted to Pathways",
            channel=Channel.PAGE,
        )
    assert set(refused.value.message_dict) == {"reason"}
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert not referral.history.exists()


def test_r1_substance_service_cannot_decline_for_mental_illness(cast: Cast) -> None:
    referral = cast.cat.referrals.get()
    with pytest.raises(ValidationError) as refused:
        referral_decline(
            referral=referral,
            by=cast.da_worker,
            reason=DeclineReason.MENTAL_ILLNESS,
            onward_referral="Back to the community mental health team",
            channel=Channel.PAGE,
        )
    assert set(refused.value.message_dict) == {"reason"}
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_r1_decline_needs_onward_referral_or_signposting(cast: Cast) -> None:
    referral = cast.cat.referrals.get()
    with pytest.raises(ValidationError) as refused:
        referral_decline(
            referral=referral,
            by=cast.da_worker,
            reason=DeclineReason.OUTSIDE_AREA,
            onward_referral="",
            channel=Channel.PAGE,
        )
    assert set(refused.value.message_dict) == {"onward_referral"}
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_r1_a_mental_health_service_may_decline_for_another_reason_with_an_onward_service(cast: Cast) -> None:
    referral = _to_cmht(cast)
    declined = referral_decline(
        referral=referral,
        by=cast.coordinator,
        reason=DeclineReason.OUTSIDE_AREA,
        onward_referral="",
        onward_service=cast.pathways_service,
        note="Lives in the next county",
        channel=Channel.PAGE,
    )
    assert declined.status == Status.DECLINED
    assert declined.decline_reason == DeclineReason.OUTSIDE_AREA
    assert declined.onward_service == cast.pathways_service
    assert declined.decided_at is not None
    change = declined.history.get()
    assert (change.from_status, change.to_status, change.by, change.note) == (
        Status.RECEIVED,
        Status.DECLINED,
        cast.coordinator,
        "Lives in the next county",
    )


def test_r1_substance_use_is_a_possible_reason_for_a_drug_and_alcohol_service(cast: Cast) -> None:
    """The rule is about the coexisting condition: Pathways declining for substance use is not excluded by R1."""
    referral = cast.cat.referrals.get()
    declined = referral_decline(
        referral=referral,
        by=cast.da_worker,
        reason=DeclineReason.PERSON_DECLINED,
        onward_referral="Given the number for the peer support group",
        channel=Channel.API,
    )
    assert declined.status == Status.DECLINED


def test_only_the_service_referred_to_may_decline(cast: Cast) -> None:
    referral = cast.cat.referrals.get()
    with pytest.raises(AccessRefused):
        referral_decline(
            referral=referral,
            by=cast.coordinator,
            reason=DeclineReason.OUTSIDE_AREA,
            onward_referral="GP",
            channel=Channel.PAGE,
        )


def test_a_decided_referral_cannot_be_declined_again(cast: Cast) -> None:
    referral = cast.cat.referrals.get()
    referral_decline(
        referral=referral,
        by=cast.da_worker,
        reason=DeclineReason.OUTSIDE_AREA,
        onward_referral="GP",
        channel=Channel.PAGE,
    )
    with pytest.raises(ValidationError) as refused:
        referral_decline(
            referral=referral,
            by=cast.da_worker,
            reason=DeclineReason.OUTSIDE_AREA,
            onward_referral="GP",
            channel=Channel.PAGE,
        )
    assert "status" in refused.value.message_dict


def test_r1_the_database_refuses_a_decline_without_a_reason_or_onward_route(cast: Cast) -> None:
    """Defence in depth under the service: even a direct write cannot decline someone into a gap."""
    from django.db import IntegrityError, transaction

    from coexist.referrals.models import Status
    from coexist.testing.factories import ReferralFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(person=cast.ann, to_service=cast.pathways_service, status=Status.DECLINED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(
            person=cast.ann, to_service=cast.pathways_service, status=Status.DECLINED, decline_reason="outside_area"
        )
