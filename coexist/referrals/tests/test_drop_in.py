"""R12: a drop-in visit with minimal identity, turned into a referral later."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coexist.audit.models import Channel
from coexist.organisations.models import Role, ServiceKind
from coexist.people.permissions import AccessRefused
from coexist.referrals.models import Route, Status
from coexist.referrals.selectors import triage_queue
from coexist.referrals.services import drop_in_visit_convert, drop_in_visit_record
from coexist.testing.cast import Cast
from coexist.testing.factories import MembershipFactory, ServiceFactory, TeamFactory


@pytest.fixture
def drop_in(cast: Cast):  # type: ignore[no-untyped-def]
    service = ServiceFactory(organisation=cast.trust, name="Thursday drop-in", kind=ServiceKind.DROP_IN)
    MembershipFactory(user=cast.coordinator, team=TeamFactory(service=service), role=Role.DUAL_DIAGNOSIS_LEAD)
    return service


def test_r12_drop_in_visit_with_minimal_identity_converts_to_referral(cast: Cast, drop_in) -> None:  # type: ignore[no-untyped-def]
    visit = drop_in_visit_record(
        service=drop_in, by=cast.coordinator, name_or_alias="Jay", discussed="Wants to cut down"
    )
    assert visit.year_of_birth is None
    referral = drop_in_visit_convert(
        visit=visit, by=cast.coordinator, to_service=cast.pathways_service, reason="Wants to cut down"
    )
    visit.refresh_from_db()
    assert visit.referral == referral
    assert referral.route == Route.DROP_IN and referral.person is None and referral.given_name == "Jay"
    assert referral.status == Status.RECEIVED
    assert "drop-in visit" in referral.history.get().note
    assert referral in triage_queue(viewer=cast.da_worker, channel=Channel.PAGE)


def test_a_drop_in_visit_converts_only_once(cast: Cast, drop_in) -> None:  # type: ignore[no-untyped-def]
    visit = drop_in_visit_record(service=drop_in, by=cast.coordinator, name_or_alias="Jay", discussed="")
    drop_in_visit_convert(visit=visit, by=cast.coordinator, to_service=cast.cmht, reason="Low mood")
    with pytest.raises(ValidationError):
        drop_in_visit_convert(visit=visit, by=cast.coordinator, to_service=cast.cmht, reason="Low mood")


def test_only_the_drop_in_staff_record_and_convert_visits(cast: Cast, drop_in) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AccessRefused):
        drop_in_visit_record(service=drop_in, by=cast.da_worker, name_or_alias="Jay", discussed="")
    visit = drop_in_visit_record(service=drop_in, by=cast.coordinator, name_or_alias="Jay", discussed="")
    with pytest.raises(AccessRefused):
        drop_in_visit_convert(visit=visit, by=cast.da_worker, to_service=cast.cmht, reason="x")


def test_a_drop_in_visit_refuses_an_absurd_year_and_markup(cast: Cast, drop_in) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        drop_in_visit_record(
            service=drop_in, by=cast.coordinator, name_or_alias="<b>Jay</b>", discussed="", year_of_birth=1850
        )
    assert {"name_or_alias", "year_of_birth"} <= set(refused.value.message_dict)
