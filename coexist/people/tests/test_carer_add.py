"""R5: carers and family are recorded by the care team, with history and an access log entry."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused
from coexist.people.services import carer_add
from coexist.testing.cast import Cast


def test_r5_care_team_records_a_carer(cast: Cast) -> None:
    carer = carer_add(
        person=cast.ann, by=cast.coordinator, name="Maya Abbott", relationship="parent", provides_care=True,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert list(cast.ann.carers.all()) == [carer]
    assert carer.history.get().history_user == cast.coordinator
    entry = AccessLogEntry.objects.get(action="write")
    assert entry.parts == ["carers"]
    assert entry.detail == "added parent Maya Abbott"


def test_r5_a_carer_needs_a_name_and_a_known_relationship(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        carer_add(person=cast.ann, by=cast.coordinator, name="  ", relationship="cousin", provides_care=True,
                  channel=Channel.API)  # fmt: skip
    assert set(caught.value.message_dict) == {"name", "relationship"}
    assert not cast.ann.carers.exists()


def test_r5_consent_to_read_does_not_allow_adding_a_carer(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        carer_add(person=cast.ben, by=cast.da_worker, name="Sam Baker", relationship="sibling", provides_care=False,
                  channel=Channel.API)  # fmt: skip


def test_r5_carer_form_adds_and_returns_to_the_person(cast: Cast, client_for) -> None:
    response = client_for(cast.coordinator).post(
        reverse("people:carer-new", args=[cast.ann.public_id]),
        {"name": "Maya Abbott", "relationship": "parent", "provides_care": "true", "lives_with_person": "on"},
    )
    assert response.status_code == 302
    carer = cast.ann.carers.get()
    assert (carer.provides_care, carer.lives_with_person) == (True, True)


def test_r5_carer_form_explains_what_is_missing(cast: Cast, client_for) -> None:
    response = client_for(cast.coordinator).post(reverse("people:carer-new", args=[cast.ann.public_id]), {})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not cast.ann.carers.exists()


def test_r5_api_records_a_carer(cast: Cast, client) -> None:
    from coexist.accounts.services import api_token_issue

    _, raw = api_token_issue(user=cast.coordinator, name="test")
    url = f"/api/v1/people/{cast.ann.public_id}/carers"
    response = client.post(
        url, {"name": "Maya Abbott", "relationship": "parent", "provides_care": True},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["name"] == "Maya Abbott"
    bad = client.post(
        url, {"name": "", "relationship": "cousin", "provides_care": True},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "relationship"}
