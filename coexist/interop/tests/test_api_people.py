"""The JSON API at /api/v1/: bearer tokens, the same permission function as the pages, the access
log, problem+json errors naming the field, and no N+1 queries on lists."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coexist.accounts.models import User
from coexist.accounts.services import api_token_issue, api_token_revoke
from coexist.audit.models import AccessLogEntry
from coexist.organisations.models import Role
from coexist.people.models import Consent, Person
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    CarerFactory,
    CareTeamMemberFactory,
    OrganisationFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)

PROBLEM = "application/problem+json"
Bearer = Callable[[User], dict[str, str]]


def body(response: Any) -> Any:
    return json.loads(response.content)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with the given status and the stable shape."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    data = body(response)
    assert set(data) == {"type", "title", "status", "detail", "instance", "errors"}
    assert data["status"] == status
    assert data["detail"]
    return data


def error_fields(data: dict[str, Any]) -> set[str]:
    """The fields named by the errors; an item of a list counts as the list ('parts.0' names 'parts')."""
    return {e["field"].split(".")[0] for e in data["errors"]}


def person_url(person: Person) -> str:
    return f"/api/v1/people/{person.public_id}"


def patch(client: Client, url: str, payload: Any, headers: dict[str, str]) -> Any:
    return client.patch(url, data=json.dumps(payload), content_type="application/json", **headers)


def post(client: Client, url: str, payload: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


# --- Authentication -------------------------------------------------------------------------------


def test_unauthenticated_request_is_401_problem_with_bearer_challenge(client: Client, cast: Cast) -> None:
    response = client.get("/api/v1/people")
    data = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert data["instance"] == "/api/v1/people"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer cx_not-a-real-token", "Bearer not-even-prefixed", "Basic Y29vcmRpbmF0b3I6cGFzc3dvcmQ=", "Bearer "],
)
def test_wrong_token_is_401(client: Client, cast: Cast, authorization: str) -> None:
    assert_problem(client.get("/api/v1/people", HTTP_AUTHORIZATION=authorization), 401)


def test_revoked_token_is_401(client: Client, cast: Cast) -> None:
    token, raw = api_token_issue(user=cast.coordinator, name="script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/people", **headers).status_code == 200
    api_token_revoke(token=token, by=cast.coordinator)
    assert_problem(client.get("/api/v1/people", **headers), 401)


def test_signed_in_session_is_not_enough_for_the_api(client_for: Callable[[User], Client], cast: Cast) -> None:
    """The API takes bearer tokens only: a browser session cookie does not authenticate it."""
    assert_problem(client_for(cast.coordinator).get("/api/v1/people"), 401)


# --- Lists and search ------------------------------------------------------------------------------


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {p["id"] for p in body(response)}


def test_caseload_is_exactly_the_coordinators_people(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get("/api/v1/people", **bearer(cast.coordinator))
    assert ids(response) == {str(p.public_id) for p in (cast.ann, cast.ben, cast.cat, cast.dan)}
    assert [p["family_name"] for p in body(response)] == ["Abbott", "Baker", "Carter", "Dunn"]


def test_caseload_list_is_logged_per_person(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    client.get("/api/v1/people", **headers)
    entries = AccessLogEntry.objects.filter(actor_username="coordinator")
    assert {e.person_public_id for e in entries} == {p.public_id for p in (cast.ann, cast.ben, cast.cat, cast.dan)}
    assert {(e.action, e.outcome, e.channel) for e in entries} == {("read", "allowed", "api")}


def test_search_by_name(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get("/api/v1/people", {"q": "Carter"}, **bearer(cast.coordinator))
    assert ids(response) == {str(cast.cat.public_id)}


def test_search_by_spaced_nhs_number(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get("/api/v1/people", {"q": "943 476 5919"}, **bearer(cast.coordinator))
    assert ids(response) == {str(cast.ann.public_id)}
    assert body(response)[0]["nhs_number"] == "9434765919"


def test_search_does_not_find_people_without_a_relationship(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get("/api/v1/people", {"q": "Abbott"}, **bearer(cast.da_worker))
    assert response.status_code == 200
    assert body(response) == []


@pytest.mark.parametrize("limit", ["0", "201", "lots"])
def test_list_limit_out_of_range_is_422_naming_limit(client: Client, cast: Cast, bearer: Bearer, limit: str) -> None:
    data = assert_problem(client.get("/api/v1/people", {"limit": limit}, **bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"limit"}


def test_search_with_nul_is_422_naming_q(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = assert_problem(client.get("/api/v1/people", {"q": "Ab\x00bott"}, **bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"q"}


# --- Opening a record --------------------------------------------------------------------------------


def test_coordinator_opens_ann_with_contact_and_equality(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get(person_url(cast.ann), **bearer(cast.coordinator))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = body(response)
    assert data["id"] == str(cast.ann.public_id)
    assert data["contact"] == {
        "method": "text",
        "phone": "07700 900123",
        "email": "",
        "address": "",
        "postcode": "",
    }
    assert data["equality"]["ethnic_category"] == "Z"
    assert data["access"]["basis"] == "care team"
    assert {"identity", "contact", "equality", "consent"} <= set(data["access"]["readable"])
    assert "contact" in data["access"]["writable"]


def test_refused_open_is_403_problem_explaining_why_and_logged(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get(person_url(cast.ann), **bearer(cast.da_worker))
    data = assert_problem(response, 403)
    assert "not in this person's care team" in data["detail"]
    assert "Ann" not in response.content.decode() and "Abbott" not in response.content.decode()
    entry = AccessLogEntry.objects.get(actor_username="da_worker", person_public_id=cast.ann.public_id)
    assert (entry.action, entry.outcome, entry.channel) == ("read", "refused", "api")


@pytest.mark.parametrize("name", ["admin", "researcher"])
def test_admin_and_researcher_are_refused_even_in_the_care_team(
    client: Client, cast: Cast, bearer: Bearer, name: str
) -> None:
    data = assert_problem(client.get(person_url(cast.ann), **bearer(getattr(cast, name))), 403)
    assert "Administrators and researchers" in data["detail"]
    assert ids(client.get("/api/v1/people", **bearer(getattr(cast, name)))) == set()


def test_consent_shows_only_the_agreed_parts(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get(person_url(cast.ben), **bearer(cast.da_worker))
    assert response.status_code == 200
    data = body(response)
    assert data["contact"] is None
    assert data["equality"] is None
    assert data["consents"] is None
    readable = data["access"]["readable"]
    assert "substance_use" in readable and "identity" in readable and "care_plan" in readable
    assert "contact" not in readable
    assert data["access"]["writable"] == []


def test_opening_a_person_writes_exactly_one_access_log_entry(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    before = AccessLogEntry.objects.count()
    assert client.get(person_url(cast.cat), **headers).status_code == 200
    assert AccessLogEntry.objects.count() == before + 1
    entry = AccessLogEntry.objects.get(person_public_id=cast.cat.public_id)
    assert (entry.action, entry.outcome, entry.channel) == ("read", "allowed", "api")
    assert entry.actor_username == "coordinator"


def test_unknown_person_is_404_problem(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get(f"/api/v1/people/{uuid.uuid4()}", **bearer(cast.coordinator))
    assert_problem(response, 404)


def test_malformed_person_id_is_422_naming_the_field(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = assert_problem(client.get("/api/v1/people/not-a-uuid", **bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"person_id"}


# --- Changing a record -------------------------------------------------------------------------------


def test_r11_patch_refuses_email_contact_without_an_address(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = patch(client, person_url(cast.ann), {"contact_method": "email", "email": ""}, bearer(cast.coordinator))
    data = assert_problem(response, 422)
    assert "email" in error_fields(data)
    assert "chosen contact method is email" in data["detail"]
    cast.ann.refresh_from_db()
    assert cast.ann.contact_method == "text"
    assert cast.ann.history.count() == 1  # no half-save: only the creation
    assert not AccessLogEntry.objects.filter(action="write").exists()


def test_r11_patch_refuses_letter_contact_without_address_and_postcode(
    client: Client, cast: Cast, bearer: Bearer
) -> None:
    data = assert_problem(
        patch(client, person_url(cast.ann), {"contact_method": "letter"}, bearer(cast.coordinator)), 422
    )
    assert {"address", "postcode"} <= error_fields(data)
    cast.ann.refresh_from_db()
    assert cast.ann.contact_method == "text"


def test_r11_patch_accepts_email_contact_with_an_address(client: Client, cast: Cast, bearer: Bearer) -> None:
    payload = {"contact_method": "email", "email": "ann@example.org", "housing_status": "supported"}
    response = patch(client, person_url(cast.ann), payload, bearer(cast.coordinator))
    assert response.status_code == 200, response.content
    data = body(response)
    assert data["contact"]["method"] == "email"
    assert data["contact"]["email"] == "ann@example.org"
    assert data["equality"]["housing_status"] == "supported"
    cast.ann.refresh_from_db()
    assert (cast.ann.contact_method, cast.ann.email, cast.ann.housing_status) == (
        "email",
        "ann@example.org",
        "supported",
    )
    write = AccessLogEntry.objects.get(action="write", person_public_id=cast.ann.public_id)
    assert (write.outcome, write.channel, write.actor_username) == ("allowed", "api", "coordinator")
    assert "contact_method" in write.detail and "email" in write.detail


def test_patch_can_clear_a_nullable_field(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    assert patch(client, person_url(cast.ben), {"transport_barrier": True}, headers).status_code == 200
    response = patch(client, person_url(cast.ben), {"transport_barrier": None}, headers)
    assert response.status_code == 200
    assert body(response)["equality"]["transport_barrier"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"shoe_size": 9}, "shoe_size"),
        ({"given_name": "Anne"}, "given_name"),
        ({"contact_method": None}, "contact_method"),
        ({"contact_method": "pigeon"}, "contact_method"),
        ({"phone": None}, "phone"),
        ({"phone": "x" * 33}, "phone"),
        ({"phone": "0770\u0000900123"}, "phone"),
        ({"email": "not an email"}, "email"),
        ({"postcode": "x" * 11}, "postcode"),
        ({"ethnic_category": "Q"}, "ethnic_category"),
        ({"released_from_prison_on": "yesterday"}, "released_from_prison_on"),
        ({"childcare_barrier": "perhaps"}, "childcare_barrier"),
    ],
)
def test_patch_bad_input_is_422_naming_the_field(
    client: Client, cast: Cast, bearer: Bearer, payload: dict[str, Any], field: str
) -> None:
    data = assert_problem(patch(client, person_url(cast.ann), payload, bearer(cast.coordinator)), 422)
    assert field in error_fields(data), data
    assert field in data["detail"] or any(e["message"] for e in data["errors"])
    fresh = Person.objects.get(pk=cast.ann.pk)
    assert (fresh.contact_method, fresh.phone, fresh.email) == ("text", "07700 900123", "")


@pytest.mark.parametrize("raw", ['{"phone":', "[1, 2", "not json", '"a string"', "[]", "null"])
def test_patch_malformed_body_is_4xx_problem(client: Client, cast: Cast, bearer: Bearer, raw: str) -> None:
    response = client.patch(person_url(cast.ann), data=raw, content_type="application/json", **bearer(cast.coordinator))
    assert 400 <= response.status_code < 500, response.content
    assert_problem(response, response.status_code)


def test_patch_unknown_person_is_404(client: Client, cast: Cast, bearer: Bearer) -> None:
    assert_problem(patch(client, f"/api/v1/people/{uuid.uuid4()}", {"phone": "1"}, bearer(cast.coordinator)), 404)


def test_consent_lets_another_organisation_read_not_change(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = patch(client, person_url(cast.ben), {"phone": "01632 960000"}, bearer(cast.da_worker))
    data = assert_problem(response, 403)
    assert "read this record, not change it" in data["detail"]
    cast.ben.refresh_from_db()
    assert cast.ben.phone == "07700 900123"
    refused = AccessLogEntry.objects.get(actor_username="da_worker", action="write")
    assert (refused.outcome, refused.channel) == ("refused", "api")


def test_patch_without_relationship_is_403(client: Client, cast: Cast, bearer: Bearer) -> None:
    assert_problem(patch(client, person_url(cast.ann), {"phone": "01632 960000"}, bearer(cast.da_worker)), 403)


# --- Consent -----------------------------------------------------------------------------------------


def consents_url(person: Person) -> str:
    return f"{person_url(person)}/consents"


def test_consent_given_then_withdrawn_opens_then_closes_the_record(client: Client, cast: Cast, bearer: Bearer) -> None:
    today = timezone.localdate().isoformat()
    coordinator, da_worker = bearer(cast.coordinator), bearer(cast.da_worker)
    assert_problem(client.get(person_url(cast.ann), **da_worker), 403)

    payload = {"organisation": str(cast.pathways.public_id), "parts": ["substance_use"], "given_on": today}
    response = post(client, consents_url(cast.ann), payload, coordinator)
    assert response.status_code == 201, response.content
    consent = body(response)
    assert consent["organisation"] == str(cast.pathways.public_id)
    assert consent["carer"] is None
    assert consent["parts"] == ["substance_use"]
    assert consent["recipient_name"] == cast.pathways.name
    assert consent["withdrawn_on"] is None

    opened = client.get(person_url(cast.ann), **da_worker)
    assert opened.status_code == 200
    assert "substance_use" in body(opened)["access"]["readable"]
    assert body(opened)["contact"] is None

    withdraw_url = f"{consents_url(cast.ann)}/{consent['id']}/withdraw"
    response = post(client, withdraw_url, {"withdrawn_on": today, "note": "Asked us to stop sharing."}, coordinator)
    assert response.status_code == 200, response.content
    assert body(response)["withdrawn_on"] == today
    assert Consent.objects.get(public_id=consent["id"]).withdrawn_by == cast.coordinator

    assert_problem(client.get(person_url(cast.ann), **da_worker), 403)

    data = assert_problem(post(client, withdraw_url, {"withdrawn_on": today}, coordinator), 422)
    assert error_fields(data) == {"withdrawn_on"}

    writes = AccessLogEntry.objects.filter(action="write", person_public_id=cast.ann.public_id, outcome="allowed")
    assert writes.count() == 2


def test_consents_are_listed_on_the_record_for_the_care_team(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = body(client.get(person_url(cast.ben), **bearer(cast.coordinator)))
    assert [(c["recipient_name"], sorted(c["parts"])) for c in data["consents"]] == [
        (cast.pathways.name, ["care_plan", "substance_use"])
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parts": []}, "parts"),
        ({"parts": ["identity"]}, "parts"),
        ({"parts": ["consent"]}, "parts"),
        ({"parts": "substance_use"}, "parts"),
        ({"organisation": None}, "recipient"),
        ({"carer": str(uuid.uuid4())}, "carer"),
        ({"organisation": str(uuid.uuid4())}, "organisation"),
        ({"organisation": "pathways"}, "organisation"),
        ({"given_on": "future"}, "given_on"),
        ({"given_on": "2025-02-30"}, "given_on"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_consent_bad_input_is_422_naming_the_field(
    client: Client, cast: Cast, bearer: Bearer, change: dict[str, Any], field: str
) -> None:
    payload: dict[str, Any] = {
        "organisation": str(cast.pathways.public_id),
        "parts": ["substance_use"],
        "given_on": timezone.localdate().isoformat(),
    }
    if change.get("given_on") == "future":
        change = {"given_on": (timezone.localdate() + timedelta(days=1)).isoformat()}
    payload.update(change)
    payload = {k: v for k, v in payload.items() if v is not None}
    before = Consent.objects.count()
    data = assert_problem(post(client, consents_url(cast.ann), payload, bearer(cast.coordinator)), 422)
    assert field in error_fields(data), data
    assert Consent.objects.count() == before


def test_consent_with_neither_recipient_is_422_naming_recipient(client: Client, cast: Cast, bearer: Bearer) -> None:
    payload = {"parts": ["substance_use"], "given_on": timezone.localdate().isoformat()}
    data = assert_problem(post(client, consents_url(cast.ann), payload, bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"recipient"}


def test_consent_with_both_recipients_is_422_naming_recipient(client: Client, cast: Cast, bearer: Bearer) -> None:
    carer = CarerFactory(person=cast.ann)
    payload = {
        "organisation": str(cast.pathways.public_id),
        "carer": str(carer.public_id),
        "parts": ["contact"],
        "given_on": timezone.localdate().isoformat(),
    }
    data = assert_problem(post(client, consents_url(cast.ann), payload, bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"recipient"}


def test_consent_with_a_carer(client: Client, cast: Cast, bearer: Bearer) -> None:
    carer = CarerFactory(person=cast.ann, name="Sam Abbott")
    payload = {"carer": str(carer.public_id), "parts": ["contact", "care_plan"], "given_on": "2025-01-01"}
    response = post(client, consents_url(cast.ann), payload, bearer(cast.coordinator))
    assert response.status_code == 201, response.content
    data = body(response)
    assert (data["carer"], data["organisation"], data["recipient_name"]) == (str(carer.public_id), None, "Sam Abbott")
    assert data["parts"] == ["care_plan", "contact"]
    other_persons_carer = CarerFactory(person=cast.ben)
    payload["carer"] = str(other_persons_carer.public_id)
    data = assert_problem(post(client, consents_url(cast.ann), payload, bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"carer"}


def test_consent_withdrawn_before_it_was_given_is_422(client: Client, cast: Cast, bearer: Bearer) -> None:
    consent = cast.ben.consents.get()
    url = f"{consents_url(cast.ben)}/{consent.public_id}/withdraw"
    data = assert_problem(post(client, url, {"withdrawn_on": "2020-01-01"}, bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"withdrawn_on"}
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = assert_problem(post(client, url, {"withdrawn_on": future}, bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"withdrawn_on"}


def test_consent_for_another_persons_consent_id_is_404(client: Client, cast: Cast, bearer: Bearer) -> None:
    bens = cast.ben.consents.get()
    url = f"{consents_url(cast.ann)}/{bens.public_id}/withdraw"
    today = timezone.localdate().isoformat()
    assert_problem(post(client, url, {"withdrawn_on": today}, bearer(cast.coordinator)), 404)


def test_consent_recorded_by_someone_without_write_access_is_403(client: Client, cast: Cast, bearer: Bearer) -> None:
    payload = {
        "organisation": str(cast.pathways.public_id),
        "parts": ["contact"],
        "given_on": timezone.localdate().isoformat(),
    }
    assert_problem(post(client, consents_url(cast.ben), payload, bearer(cast.da_worker)), 403)
    assert cast.ben.consents.count() == 1


def test_consent_for_unknown_person_is_404(client: Client, cast: Cast, bearer: Bearer) -> None:
    payload = {"organisation": str(cast.pathways.public_id), "parts": ["contact"], "given_on": "2025-01-01"}
    assert_problem(post(client, f"/api/v1/people/{uuid.uuid4()}/consents", payload, bearer(cast.coordinator)), 404)


# --- Organisations and me ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["coordinator", "admin", "researcher", "housing_officer"])
def test_organisations_are_listed_for_any_staff(client: Client, cast: Cast, bearer: Bearer, name: str) -> None:
    response = client.get("/api/v1/organisations", **bearer(getattr(cast, name)))
    assert response.status_code == 200
    organisations = {o["name"]: o for o in body(response)}
    assert set(organisations) == {cast.trust.name, cast.pathways.name, cast.housing.name, "Hope Peer Support"}
    trust = organisations[cast.trust.name]
    assert trust["id"] == str(cast.trust.public_id)
    assert trust["kind"] == "nhs_trust"
    services = {s["name"]: s for s in trust["services"]}
    assert set(services) == {cast.cmht.name, cast.ward.name}
    cmht = services[cast.cmht.name]
    assert cmht["id"] == str(cast.cmht.public_id)
    assert {t["name"] for t in cmht["teams"]} == {cast.north.name, cast.south.name}


def test_one_organisation(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get(f"/api/v1/organisations/{cast.pathways.public_id}", **bearer(cast.coordinator))
    assert response.status_code == 200
    data = body(response)
    assert data["name"] == cast.pathways.name
    assert [s["name"] for s in data["services"]] == [cast.pathways_service.name]
    assert [t["name"] for t in data["services"][0]["teams"]] == [cast.pathways_team.name]


def test_unknown_organisation_is_404_problem(client: Client, cast: Cast, bearer: Bearer) -> None:
    assert_problem(client.get(f"/api/v1/organisations/{uuid.uuid4()}", **bearer(cast.coordinator)), 404)
    data = assert_problem(client.get("/api/v1/organisations/42", **bearer(cast.coordinator)), 422)
    assert error_fields(data) == {"organisation_id"}


def test_organisations_need_a_token(client: Client, cast: Cast) -> None:
    assert_problem(client.get("/api/v1/organisations"), 401)


def test_me_gives_username_and_roles(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get("/api/v1/me", **bearer(cast.coordinator))
    assert response.status_code == 200
    data = body(response)
    assert data["id"] == str(cast.coordinator.public_id)
    assert data["username"] == "coordinator"
    assert data["name"] == "Alex Morgan"
    assert data["roles"] == [
        {
            "role": "care_coordinator",
            "team": cast.north.name,
            "service": cast.cmht.name,
            "organisation": cast.trust.name,
        }
    ]


def test_me_leaves_out_ended_roles(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = body(client.get("/api/v1/me", **bearer(cast.former_coordinator)))
    assert data["username"] == "former_coordinator"
    assert data["roles"] == []


def test_unknown_route_is_404_problem(client: Client, cast: Cast, bearer: Bearer) -> None:
    assert_problem(client.get("/api/v1/nothing-here", **bearer(cast.coordinator)), 404)


def test_unsupported_method_is_405_problem_with_allow(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.delete(person_url(cast.ann), **bearer(cast.coordinator))
    data = assert_problem(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
    assert "GET" in data["detail"]
    assert Person.objects.filter(pk=cast.ann.pk).exists()


def test_api_writes_need_no_csrf_token(cast: Cast, bearer: Bearer) -> None:
    """Bearer tokens are not sent by browsers on their own, so the API is CSRF-exempt (cookies do not authenticate)."""
    strict = Client(enforce_csrf_checks=True)
    response = patch(strict, person_url(cast.ann), {"gender_identity": "woman"}, bearer(cast.coordinator))
    assert response.status_code == 200, response.content


# --- The OpenAPI document ----------------------------------------------------------------------------


def test_openapi_document_is_public_and_31(client: Client, db: None) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = body(response)
    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/organisations", "/api/v1/me"} <= set(
        schema["paths"]
    )
    assert "PersonalToken" in schema["components"]["securitySchemes"]


def test_openapi_documents_errors_as_problem_json(client: Client, db: None) -> None:
    schema = body(client.get("/api/v1/openapi.json"))
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations
    for operation in operations:
        errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
        assert {"401", "403", "404", "422"} <= set(errors), operation["operationId"]
        for response in errors.values():
            assert set(response["content"]) == {PROBLEM}, operation["operationId"]
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        # JSON everywhere, except the downloads, which say so (the care plan's PDF, a research extract's CSV),
        # and 204 No Content.
        operation_id = operation["operationId"]
        expected = (
            {"application/pdf"} if operation_id.endswith("_pdf")
            else {"text/csv"} if operation_id.endswith("_extract")
            else {"application/json"}
        )  # fmt: skip
        for code, response in success.items():
            assert set(response.get("content", {})) == (set() if code == "204" else expected), operation["operationId"]


def test_no_interactive_docs_page(client: Client, db: None) -> None:
    assert client.get("/api/v1/docs").status_code == 404


# --- Query counts ------------------------------------------------------------------------------------


def count_queries(client: Client, url: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)


def test_caseload_list_queries_do_not_grow_with_the_caseload(
    client: Client, cast: Cast, bearer: Bearer, django_assert_max_num_queries: Any
) -> None:
    headers = bearer(cast.coordinator)
    client.get("/api/v1/me", **headers)  # first use records last_used_at; later requests do not write it
    with django_assert_max_num_queries(6):
        assert len(body(client.get("/api/v1/people", **headers))) == 4
    small = count_queries(client, "/api/v1/people", headers)
    for _ in range(12):
        CareTeamMemberFactory(person=PersonFactory(), user=cast.coordinator, role=Role.CARE_COORDINATOR)
    with django_assert_max_num_queries(6):
        assert len(body(client.get("/api/v1/people", **headers))) == 16
    assert count_queries(client, "/api/v1/people", headers) == small


def test_search_queries_do_not_grow_with_the_matches(
    client: Client, cast: Cast, bearer: Bearer, django_assert_max_num_queries: Any
) -> None:
    headers = bearer(cast.coordinator)
    client.get("/api/v1/me", **headers)
    for _ in range(12):
        CareTeamMemberFactory(person=PersonFactory(family_name="Abbott"), user=cast.coordinator)
    with django_assert_max_num_queries(6):
        assert len(body(client.get("/api/v1/people", {"q": "Abbott"}, **headers))) == 13


def test_organisation_list_queries_do_not_grow_with_organisations(
    client: Client, cast: Cast, bearer: Bearer, django_assert_max_num_queries: Any
) -> None:
    headers = bearer(cast.admin)
    client.get("/api/v1/me", **headers)
    small = count_queries(client, "/api/v1/organisations", headers)
    with django_assert_max_num_queries(4):
        client.get("/api/v1/organisations", **headers)
    for _ in range(5):
        organisation = OrganisationFactory()
        for _ in range(2):
            TeamFactory.create_batch(3, service=ServiceFactory(organisation=organisation))
    with django_assert_max_num_queries(4):
        assert len(body(client.get("/api/v1/organisations", **headers))) == 9
    assert count_queries(client, "/api/v1/organisations", headers) == small


def test_opening_a_record_costs_a_bounded_number_of_queries(
    client: Client, cast: Cast, bearer: Bearer, django_assert_max_num_queries: Any
) -> None:
    headers = bearer(cast.coordinator)
    client.get("/api/v1/me", **headers)
    small = count_queries(client, person_url(cast.ben), headers)
    for _ in range(5):
        OrganisationFactory()
    assert count_queries(client, person_url(cast.ben), headers) == small
    with django_assert_max_num_queries(14):
        client.get(person_url(cast.ben), **headers)


def test_every_api_schema_has_its_own_name(db: None) -> None:
    """django-ninja files schemas under their class name in the OpenAPI document: two apps' `GroupOut`s would
    leave one described by the other's fields (the fuzz tests then fail on correct responses)."""
    import importlib
    from collections import Counter

    from ninja import Schema

    from coexist.interop.api import api

    api.get_openapi_schema()  # imports every router
    modules = {cls.__module__ for cls in _all_subclasses(Schema) if cls.__module__.startswith("coexist.")}
    for module in modules:
        importlib.import_module(module)
    names = Counter(
        cls.__name__
        for cls in _all_subclasses(Schema)
        if cls.__module__.startswith("coexist.") and "api" in cls.__module__
    )
    assert [name for name, count in names.items() if count > 1] == []


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found
