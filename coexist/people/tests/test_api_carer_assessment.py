"""R5 through the API: offers of a carer's assessment and their outcomes, same rules as the pages."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory


def test_r5_api_records_offer_then_outcome_and_lists_it_on_the_carer(client: Client, cast: Cast, bearer) -> None:
    carer = CarerFactory(person=cast.ann)
    headers = bearer(cast.coordinator)
    today = timezone.localdate().isoformat()
    base = f"/api/v1/people/{cast.ann.public_id}/carers/{carer.public_id}/assessments"
    offered = client.post(base, {"offered_on": today}, content_type="application/json", **headers)
    assert offered.status_code == 201, offered.content
    offer_id = json.loads(offered.content)["id"]
    outcome = client.post(
        f"{base}/{offer_id}/outcome", {"outcome": "declined", "on": today}, content_type="application/json", **headers
    )
    assert outcome.status_code == 200
    assert json.loads(outcome.content)["declined_on"] == today
    person = json.loads(client.get(f"/api/v1/people/{cast.ann.public_id}", **headers).content)
    assert person["carers"][0]["assessments"][0]["status"] == "declined"


def test_r5_api_refuses_an_impossible_outcome_with_a_problem_naming_the_field(
    client: Client, cast: Cast, bearer
) -> None:
    carer = CarerFactory(person=cast.ann)
    headers = bearer(cast.coordinator)
    base = f"/api/v1/people/{cast.ann.public_id}/carers/{carer.public_id}/assessments"
    today = timezone.localdate()
    offer_id = json.loads(
        client.post(base, {"offered_on": today.isoformat()}, content_type="application/json", **headers).content
    )["id"]
    response = client.post(
        f"{base}/{offer_id}/outcome",
        {"outcome": "completed", "on": (today + timedelta(days=2)).isoformat()},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert {e["field"] for e in json.loads(response.content)["errors"]} == {"outcome", "on"}


def test_r5_api_refuses_someone_without_a_relationship(client: Client, cast: Cast, bearer) -> None:
    carer = CarerFactory(person=cast.ann)
    response = client.post(
        f"/api/v1/people/{cast.ann.public_id}/carers/{carer.public_id}/assessments",
        {"offered_on": timezone.localdate().isoformat()},
        content_type="application/json",
        **bearer(cast.da_worker),
    )
    assert response.status_code == 403
    assert not carer.assessments.exists()
