"""The outcomes API (issue 6 point 3): /api/v1/outcomes/measures and /api/v1/outcomes/services/{id}."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from coexist.accounts.models import User
from coexist.outcomes.definitions import MEASURES
from coexist.testing.cast import Cast

Bearer = Callable[[User], dict[str, str]]


@pytest.mark.django_db
def test_measures_lists_every_definition(cast: Cast, client: Client, bearer: Bearer) -> None:
    response = client.get("/api/v1/outcomes/measures", **bearer(cast.researcher))
    assert response.status_code == 200
    body = response.json()
    assert [m["key"] for m in body] == list(MEASURES)
    first = body[0]
    assert {"title", "numerator", "denominator", "period", "source", "kind", "unit", "polarity"} <= set(first)
    assert client.get("/api/v1/outcomes/measures").status_code == 401


@pytest.mark.django_db
def test_service_outcomes_with_a_cut(cast: Cast, client: Client, bearer: Bearer) -> None:
    response = client.get(
        f"/api/v1/outcomes/services/{cast.cmht.public_id}", {"months": "6", "cut": "sex"}, **bearer(cast.coordinator)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["months"] == 6 and body["cut"] == "sex" and body["threshold"] == 5
    assert len(body["measures"]) == len(MEASURES)
    section = body["measures"][0]
    assert len(section["series"]) == 6
    assert section["table"]["total"]["label"] == "Total"
    assert [r["category"] for r in section["table"]["rows"]] == ["female", "male", "not_known", "not_stated"]
    # A hidden number is null with the marker as text, never the number.
    for point in section["series"]:
        assert (point["value"] is None) or not point["suppressed"]


@pytest.mark.django_db
def test_service_outcomes_errors_are_problems(cast: Cast, client: Client, bearer: Bearer) -> None:
    url = f"/api/v1/outcomes/services/{cast.cmht.public_id}"
    refused = client.get(url, **bearer(cast.da_worker))
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "Only staff of" in refused.json()["detail"]
    bad = client.get(url, {"months": "99", "cut": "shoe_size"}, **bearer(cast.coordinator))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"months", "cut"}
    unknown = client.get("/api/v1/outcomes/services/00000000-0000-4000-8000-000000000000", **bearer(cast.coordinator))
    assert unknown.status_code == 404
    assert client.get(url).status_code == 401
    nul = client.get(url, {"months": "1\x00"}, **bearer(cast.coordinator))
    assert nul.status_code == 422
