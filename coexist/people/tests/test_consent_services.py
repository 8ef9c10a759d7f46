"""Consent to share: recording and withdrawing change who may see the record, from the right date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused, may
from coexist.people.rules import Action, RecordPart
from coexist.people.services import consent_record, consent_withdraw
from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory


def test_recording_consent_opens_the_agreed_parts_to_that_organisation(cast: Cast) -> None:
    assert not may(cast.da_worker, cast.ann, Action.READ).allowed
    consent_record(
        person=cast.ann, by=cast.coordinator, organisation=cast.pathways, parts=["substance_use"],
        given_on=timezone.localdate(), channel=Channel.PAGE,
    )  # fmt: skip
    assert may(cast.da_worker, cast.ann, Action.READ, RecordPart.SUBSTANCE_USE).allowed
    assert not may(cast.da_worker, cast.ann, Action.READ, RecordPart.CONTACT).allowed
    entry = AccessLogEntry.objects.get(action="write", person_public_id=cast.ann.public_id)
    assert "Pathways" in entry.detail


def test_withdrawing_consent_closes_the_record_from_that_day(cast: Cast) -> None:
    consent = cast.ben.consents.get()
    assert may(cast.da_worker, cast.ben, Action.READ).allowed
    consent_withdraw(
        consent=consent, by=cast.coordinator, withdrawn_on=timezone.localdate(), note="", channel=Channel.PAGE
    )
    assert not may(cast.da_worker, cast.ben, Action.READ).allowed


def test_consent_can_be_shared_with_a_carer(cast: Cast) -> None:
    carer = CarerFactory(person=cast.ann)
    consent = consent_record(
        person=cast.ann, by=cast.coordinator, carer=carer, parts=["care_plan"], given_on=timezone.localdate(),
        channel=Channel.PAGE,
    )  # fmt: skip
    assert consent.recipient_name == carer.name


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"parts": []}, "parts"),
        ({"parts": ["identity"]}, "parts"),
        ({"organisation": None}, "recipient"),
        ({"given_on": "tomorrow"}, "given_on"),
    ],
)
def test_bad_consent_is_refused_by_field(cast: Cast, kwargs: dict, field: str) -> None:
    # "Tomorrow" is worked out when the test runs, not when it is collected: a run across midnight would
    # otherwise test today.
    if kwargs.get("given_on") == "tomorrow":
        kwargs = {**kwargs, "given_on": timezone.localdate() + timedelta(days=1)}
    arguments = {"organisation": cast.pathways, "parts": ["care_plan"], "given_on": timezone.localdate(), **kwargs}
    with pytest.raises(ValidationError) as caught:
        consent_record(person=cast.ann, by=cast.coordinator, channel=Channel.PAGE, **arguments)
    assert field in caught.value.message_dict
    assert not cast.ann.consents.exists()


def test_a_carer_of_someone_else_cannot_be_the_recipient(cast: Cast) -> None:
    stranger = CarerFactory(person=cast.ben)
    with pytest.raises(ValidationError):
        consent_record(
            person=cast.ann, by=cast.coordinator, carer=stranger, parts=["care_plan"], given_on=timezone.localdate(),
            channel=Channel.PAGE,
        )  # fmt: skip


def test_consent_is_withdrawn_once(cast: Cast) -> None:
    consent = cast.ben.consents.get()
    consent_withdraw(
        consent=consent, by=cast.coordinator, withdrawn_on=timezone.localdate(), note="", channel=Channel.PAGE
    )
    with pytest.raises(ValidationError, match="already been withdrawn"):
        consent_withdraw(
            consent=consent, by=cast.coordinator, withdrawn_on=timezone.localdate(), note="", channel=Channel.PAGE
        )


def test_only_someone_who_may_change_the_record_records_consent(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        consent_record(
            person=cast.ben, by=cast.da_worker, organisation=cast.pathways, parts=["contact"],
            given_on=timezone.localdate(), channel=Channel.API,
        )  # fmt: skip
