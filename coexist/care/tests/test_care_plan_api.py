"""The care plan API (R4): read the latest plan, its versions and a PDF; save a new version based on the
one loaded, with 409 problem+json naming the latest version when someone saved in between."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coexist.accounts.models import User
from coexist.accounts.services import api_token_issue
from coexist.audit.models import AccessLogEntry
from coexist.care.models import CarePlanVersion
from coexist.organisations.models import Role
from coexist.testing.cast import Cast
from coexist.testing.factories import CareTeamMemberFactory, complete_care_plan_content

PROBLEM = "application/problem+json"
Bearer = Callable[[User], dict[str, str]]


@pytest.fixture
def bearer(db: None) -> Bearer:
    def headers(user: User) -> dict[str, str]:
        _, raw = api_token_issue(user=user, name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return headers


def url(cast: Cast, person: str = "ben", tail: str = "") -> str:
    return f"/api/v1/care-plans/{getattr(cast, person).public_id}{tail}"


def post_version(client: Client, cast: Cast, headers: dict[str, str], based_on: int | None, **changes: Any) -> Any:
    payload = {"based_on_version": based_on, "content": {**complete_care_plan_content(), **changes}}
    return client.post(
        url(cast, tail="/versions"), data=json.dumps(payload), content_type="application/json", **headers
    )


def test_saving_and_reading_the_latest_version(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    response = post_version(client, cast, headers, None)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1 and body["complete"] is True and body["gaps"] == []
    assert body["created_by"] == "Alex Morgan"
    latest = client.get(url(cast), **headers).json()
    assert latest["content"]["goals"][0] == {"owner": "person", "text": "Get my own flat and keep it"}
    assert latest["latest_number"] == 1


def test_r4_an_incomplete_plan_is_saved_and_its_gaps_named(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = post_version(client, cast, bearer(cast.coordinator), None, crisis_plan="", goals=[])
    assert response.status_code == 201
    assert [g["section"] for g in response.json()["gaps"]] == ["person_goals", "crisis_plan"]


def test_r4_two_people_editing_at_once_get_a_conflict_not_an_overwrite(
    client: Client, cast: Cast, bearer: Bearer
) -> None:
    CareTeamMemberFactory(person=cast.ben, user=cast.psychiatrist, role=Role.PSYCHIATRIST)
    post_version(client, cast, bearer(cast.coordinator), None)
    first = post_version(client, cast, bearer(cast.psychiatrist), 1, crisis_plan="Call Tunde first.")
    assert first.status_code == 201
    second = post_version(client, cast, bearer(cast.coordinator), 1, strengths="Cooks for friends.")
    assert second.status_code == 409
    assert second["Content-Type"].startswith(PROBLEM)
    problem = second.json()
    assert problem["status"] == 409 and problem["title"] == "Conflict"
    assert problem["latest_version"] == 2 and problem["changed_sections"] == ["crisis_plan"]
    assert "Someone else saved this care plan" in problem["detail"]
    assert CarePlanVersion.objects.filter(plan__person=cast.ben).count() == 2


def test_versions_list_and_one_version(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    post_version(client, cast, headers, None)
    post_version(client, cast, headers, 1, crisis_plan="Call the crisis line.")
    versions = client.get(url(cast, tail="/versions"), **headers).json()
    assert [(v["number"], v["changed_sections"]) for v in versions][:1] == [(2, ["crisis_plan"])]
    one = client.get(url(cast, tail="/versions/1"), **headers).json()
    assert one["number"] == 1 and one["latest_number"] == 2
    missing = client.get(url(cast, tail="/versions/7"), **headers)
    assert missing.status_code == 404 and missing["Content-Type"].startswith(PROBLEM)


def test_r4_consent_reader_can_read_plan_but_not_edit(client: Client, cast: Cast, bearer: Bearer) -> None:
    """Ben agreed to share his care plan with Pathways: da_worker reads it (API and pages) but cannot change it."""
    post_version(client, cast, bearer(cast.coordinator), None)
    headers = bearer(cast.da_worker)
    assert client.get(url(cast), **headers).status_code == 200
    assert client.get(url(cast, tail="/pdf"), **headers).content.startswith(b"%PDF-")
    refused = post_version(client, cast, headers, 1, strengths="Edited by Pathways")
    assert refused.status_code == 403 and refused["Content-Type"].startswith(PROBLEM)
    assert CarePlanVersion.objects.count() == 1
    client.force_login(cast.da_worker, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/care-plans/{cast.ben.public_id}/").status_code == 200
    assert client.get(f"/care-plans/{cast.ben.public_id}/edit/").status_code == 403
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused", action="write").count() == 2


def test_no_consent_no_plan(client: Client, cast: Cast, bearer: Bearer) -> None:
    post_version(client, cast, bearer(cast.coordinator), None)
    response = client.get(url(cast, person="eve"), **bearer(cast.housing_officer))
    assert response.status_code == 403  # Eve shared her contact details with housing, not her care plan


def test_no_plan_yet_is_404(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get(url(cast, person="ann"), **bearer(cast.coordinator))
    assert response.status_code == 404 and response.json()["detail"] == "This person has no care plan yet."


def test_pdf_download(client: Client, cast: Cast, bearer: Bearer) -> None:
    post_version(client, cast, bearer(cast.coordinator), None)
    response = client.get(url(cast, tail="/pdf"), **bearer(cast.coordinator))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="care-plan-ben-baker-v1.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_bad_input_is_422_naming_the_field(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = post_version(client, cast, bearer(cast.coordinator), None, goals=[{"owner": "team", "text": "x"}])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("content.goals")
    unknown = post_version(
        client, cast, bearer(cast.coordinator), None, carers=[{"carer": "00000000-0000-4000-8000-000000000000"}]
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "carers"
    post_version(client, cast, bearer(cast.coordinator), None)
    same = post_version(client, cast, bearer(cast.coordinator), 1)
    assert same.status_code == 422 and "Nothing has changed" in same.json()["detail"]


def test_the_versions_list_costs_the_same_queries_however_many_versions(
    client: Client, cast: Cast, bearer: Bearer
) -> None:
    headers = bearer(cast.coordinator)
    post_version(client, cast, headers, None)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(cast, tail="/versions"), **headers).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for number in range(1, 5):
        post_version(client, cast, headers, number, strengths=f"Strength {number}")
    assert queries() == few
