"""The referrals JSON API: the public self-referral (no token, rate-limited), triage actions, R1 as a
422 naming the field, drop-in visits."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from coexist.accounts.models import User
from coexist.referrals.models import Referral, Status
from coexist.testing.cast import Cast
from coexist.testing.factories import ReferralFactory

Bearer = Callable[[User], dict[str, str]]
PROBLEM = "application/problem+json"


def post(client: Client, url: str, payload: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json", **(headers or {}))


def body(response: Any) -> Any:
    return json.loads(response.content)


SELF = {
    "given_name": "Sam",
    "family_name": "Taylor",
    "date_of_birth": "1990-04-12",
    "contact_method": "text",
    "phone": "07700 900789",
    "help_kind": "mental_health",
    "reason": "Low mood and drinking",
}


def test_r12_self_referral_api_needs_no_token_and_returns_a_reference(client: Client, cast: Cast) -> None:
    response = post(client, "/api/v1/referrals/self", SELF)
    assert response.status_code == 201, response.content
    reference = body(response)["reference"]
    referral = Referral.objects.get(reference=reference)
    assert referral.to_service == cast.cmht and referral.person is None
    assert "111" in body(response)["next_steps"]


def test_self_referral_api_refuses_bad_input_naming_the_field(client: Client, cast: Cast) -> None:
    response = post(
        client, "/api/v1/referrals/self", {**SELF, "reason": "<script>x</script>", "date_of_birth": "2999-01-01"}
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    assert {e["field"] for e in body(response)["errors"]} == {"reason", "date_of_birth"}
    nul = post(client, "/api/v1/referrals/self", {**SELF, "given_name": "Sa\u0000m"})
    assert nul.status_code == 422
    assert not Referral.objects.filter(route="self").exists()


def test_self_referral_api_is_rate_limited_with_a_429_problem(client: Client, cast: Cast) -> None:
    for _ in range(5):
        assert post(client, "/api/v1/referrals/self", SELF).status_code == 201
    refused = post(client, "/api/v1/referrals/self", SELF)
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith(PROBLEM)
    assert body(refused)["status"] == 429


def test_triage_queue_and_one_referral(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.da_worker)
    queue = body(client.get("/api/v1/referrals", **headers))
    referral = cast.cat.referrals.get()
    assert [r["reference"] for r in queue] == [referral.reference]
    one = body(client.get(f"/api/v1/referrals/{referral.public_id}", **headers))
    assert one["person"] == str(cast.cat.public_id) and one["history"] == []
    refused = client.get(f"/api/v1/referrals/{referral.public_id}", **bearer(cast.coordinator))
    assert refused.status_code == 403


def test_r1_api_refuses_a_decline_for_mental_illness_with_422_naming_the_field(
    client: Client, cast: Cast, bearer: Bearer
) -> None:
    referral = cast.cat.referrals.get()
    response = post(
        client,
        f"/api/v1/referrals/{referral.public_id}/decline",
        {"reason": "mental_illness", "onward_referral": "CMHT"},
        bearer(cast.da_worker),
    )
    assert response.status_code == 422
    assert [e["field"] for e in body(response)["errors"]] == ["reason"]
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_r1_api_refuses_substance_use_from_a_mental_health_service(client: Client, cast: Cast, bearer: Bearer) -> None:
    referral = ReferralFactory(person=cast.ben, to_service=cast.cmht)
    response = post(
        client,
        f"/api/v1/referrals/{referral.public_id}/decline",
        {"reason": "substance_use", "onward_referral": "Pathways"},
        bearer(cast.coordinator),
    )
    assert response.status_code == 422
    assert [e["field"] for e in body(response)["errors"]] == ["reason"]


def test_r1_api_decline_needs_onward_referral(client: Client, cast: Cast, bearer: Bearer) -> None:
    referral = cast.cat.referrals.get()
    response = post(
        client, f"/api/v1/referrals/{referral.public_id}/decline", {"reason": "outside_area"}, bearer(cast.da_worker)
    )
    assert response.status_code == 422
    assert [e["field"] for e in body(response)["errors"]] == ["onward_referral"]


def test_accept_through_the_api_opens_an_episode(client: Client, cast: Cast, bearer: Bearer) -> None:
    referral = cast.cat.referrals.get()
    response = post(client, f"/api/v1/referrals/{referral.public_id}/accept", {}, bearer(cast.da_worker))
    assert response.status_code == 200, response.content
    assert body(response)["referral"]["status"] == "accepted"
    assert body(response)["episode"] == str(referral.episode.public_id)


def test_staff_referral_link_and_redirect_through_the_api(client: Client, cast: Cast, bearer: Bearer) -> None:
    created = post(
        client,
        "/api/v1/referrals",
        {
            "to_service": str(cast.pathways_service.public_id),
            "route": "staff",
            "reason": "Drinking",
            "given_name": "cat",
            "family_name": "carter",
            "date_of_birth": "1990-07-02",
        },
        bearer(cast.coordinator),
    )
    assert created.status_code == 201, created.content
    referral_id = body(created)["id"]
    da = bearer(cast.da_worker)
    duplicates = body(client.get(f"/api/v1/referrals/{referral_id}/duplicates", **da))
    assert [d["id"] for d in duplicates] == [str(cast.cat.public_id)]
    linked = post(client, f"/api/v1/referrals/{referral_id}/link", {"person": str(cast.cat.public_id)}, da)
    assert body(linked)["person"] == str(cast.cat.public_id)
    moved = post(client, f"/api/v1/referrals/{referral_id}/redirect", {"to_service": str(cast.cmht.public_id)}, da)
    assert moved.status_code == 201
    assert body(moved)["redirected_from"] == referral_id


def test_drop_in_visit_and_convert_through_the_api(client: Client, cast: Cast, bearer: Bearer) -> None:
    da = bearer(cast.da_worker)
    visit = post(
        client,
        "/api/v1/referrals/drop-in-visits",
        {"service": str(cast.pathways_service.public_id), "name_or_alias": "Jay"},
        da,
    )
    assert visit.status_code == 201, visit.content
    converted = post(
        client,
        f"/api/v1/referrals/drop-in-visits/{body(visit)['id']}/referral",
        {"to_service": str(cast.cmht.public_id), "reason": "Low mood"},
        da,
    )
    assert converted.status_code == 201
    assert body(converted)["route"] == "drop_in"


def test_staff_endpoints_need_a_token(client: Client, cast: Cast) -> None:
    assert client.get("/api/v1/referrals").status_code == 401
