"""person_update: permission, R11 validation, no half-saves, change history and the access log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused
from coexist.people.services import person_update
from coexist.testing.cast import Cast


def test_care_team_member_changes_contact_and_it_is_logged_and_kept_in_history(cast: Cast) -> None:
    person_update(
        person=cast.ann, by=cast.coordinator, changes={"contact_method": "email", "email": "ann@example.com"},
        channel=Channel.PAGE,
    )  # fmt: skip
    cast.ann.refresh_from_db()
    assert cast.ann.contact_method == "email"
    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id, action="write")
    assert entry.actor_username == "coordinator"
    assert entry.outcome == "allowed"
    assert entry.parts == ["contact"]
    assert entry.detail == "changed contact_method, email"
    assert entry.basis == "care team"
    latest = cast.ann.history.first()
    assert latest.history_user == cast.coordinator
    assert latest.prev_record.contact_method == "text"  # before and after are both kept


def test_r11_email_contact_without_an_email_is_refused_and_nothing_is_saved(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        person_update(
            person=cast.ann, by=cast.coordinator, changes={"contact_method": "email", "email": ""},
            channel=Channel.PAGE,
        )  # fmt: skip
    assert "email" in caught.value.message_dict
    cast.ann.refresh_from_db()
    assert cast.ann.contact_method == "text"
    assert not AccessLogEntry.objects.filter(action="write").exists()


def test_r11_letter_needs_address_and_postcode(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        person_update(person=cast.ann, by=cast.coordinator, changes={"contact_method": "letter"}, channel=Channel.API)
    assert set(caught.value.message_dict) == {"address", "postcode"}


def test_an_invalid_nhs_number_is_refused_by_field(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        person_update(
            person=cast.ben, by=cast.coordinator, changes={"nhs_number": "123 456 7890"}, channel=Channel.PAGE
        )
    assert "nhs_number" in caught.value.message_dict


def test_a_duplicate_nhs_number_is_refused_not_an_integrity_error(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        person_update(
            person=cast.ben, by=cast.coordinator, changes={"nhs_number": "943 476 5919"}, channel=Channel.PAGE
        )
    assert "nhs_number" in caught.value.message_dict


def test_an_unknown_field_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        person_update(person=cast.ann, by=cast.coordinator, changes={"public_id": "x"}, channel=Channel.PAGE)
    assert "public_id" in caught.value.message_dict


def test_consent_to_read_does_not_allow_a_change_and_the_attempt_is_logged(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        person_update(person=cast.ben, by=cast.da_worker, changes={"phone": "07700 900999"}, channel=Channel.API)
    cast.ben.refresh_from_db()
    assert cast.ben.phone == "07700 900123"
    refused = AccessLogEntry.objects.get(person_public_id=cast.ben.public_id)
    assert (refused.action, refused.outcome, refused.actor_username) == ("write", "refused", "da_worker")


def test_no_change_writes_nothing(cast: Cast) -> None:
    person_update(person=cast.ann, by=cast.coordinator, changes={"phone": cast.ann.phone}, channel=Channel.PAGE)
    assert not AccessLogEntry.objects.exists()
    assert cast.ann.history.count() == 1  # only the creation
