"""Staff referrals: for a person the referrer may change, or someone new by the details given; GP and
criminal justice referrals record the outside referrer."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused
from coexist.referrals.models import Route, Status
from coexist.referrals.services import referral_create
from coexist.testing.cast import Cast


def test_staff_refer_a_person_on_their_caseload(cast: Cast) -> None:
    referral = referral_create(
        by=cast.coordinator,
        to_service=cast.pathways_service,
        route=Route.STAFF,
        reason="Daily drinking",
        person=cast.ann,
        channel=Channel.PAGE,
    )
    assert referral.person == cast.ann and referral.referrer == cast.coordinator
    assert referral.history.get().to_status == Status.RECEIVED
    assert AccessLogEntry.objects.filter(person_public_id=cast.ann.public_id, detail__startswith="referred to").exists()


def test_staff_cannot_refer_someone_whose_record_they_may_not_change(cast: Cast) -> None:
    """da_worker reads Ben by consent only: reading is not changing."""
    with pytest.raises(AccessRefused):
        referral_create(
            by=cast.da_worker,
            to_service=cast.cmht,
            route=Route.STAFF,
            reason="x",
            person=cast.ben,
            channel=Channel.PAGE,
        )


def test_gp_referral_for_someone_new_records_the_referrer_and_the_details_given(cast: Cast) -> None:
    referral = referral_create(
        by=cast.coordinator,
        to_service=cast.cmht,
        route=Route.GP,
        reason="Hearing voices, using cannabis",
        referrer_name="Dr Jones",
        referrer_organisation="Elm Street Surgery",
        referrer_phone="0113 496 0000",
        given_name="Lee",
        family_name="Nash",
        date_of_birth=date(1988, 2, 2),
        nhs_number="943 476 5870",
        contact_method="phone",
        phone="07700 900222",
        channel=Channel.PAGE,
    )
    assert referral.person is None
    assert referral.nhs_number == "9434765870"
    assert referral.referrer_label == "Dr Jones, Elm Street Surgery"


def test_gp_and_criminal_justice_referrals_need_the_referrer(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        referral_create(
            by=cast.coordinator,
            to_service=cast.cmht,
            route=Route.CRIMINAL_JUSTICE,
            reason="Released last week",
            given_name="Lee",
            family_name="Nash",
            channel=Channel.PAGE,
        )
    assert {"referrer_name", "referrer_organisation"} <= set(refused.value.message_dict)


def test_someone_new_needs_a_name_and_a_real_nhs_number(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        referral_create(
            by=cast.coordinator,
            to_service=cast.cmht,
            route=Route.STAFF,
            reason="x",
            nhs_number="1234567890",
            date_of_birth=date(2999, 1, 1),
            channel=Channel.PAGE,
        )
    assert {"given_name", "family_name", "nhs_number", "date_of_birth"} <= set(refused.value.message_dict)


def test_administrators_do_not_make_referrals(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        referral_create(
            by=cast.admin,
            to_service=cast.cmht,
            route=Route.STAFF,
            reason="x",
            given_name="A",
            family_name="B",
            channel=Channel.PAGE,
        )


def test_self_and_drop_in_are_not_staff_routes(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        referral_create(
            by=cast.coordinator,
            to_service=cast.cmht,
            route=Route.SELF,
            reason="x",
            person=cast.ann,
            channel=Channel.PAGE,
        )
    assert "route" in refused.value.message_dict
