"""R10 provider handover API: administrators only; problem+json errors; dry run, run, report."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from coexist.accounts.models import User
from coexist.handover.models import ProviderHandover
from coexist.testing.cast import Cast

from .helpers import Setting, handover_setting

pytestmark = pytest.mark.django_db
BASE = "/api/v1/provider-handover"


@pytest.fixture
def setting(cast: Cast) -> Setting:
    return handover_setting(cast)


def test_r10_api_dry_run_run_and_report(
    cast: Cast, setting: Setting, client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    auth = bearer(cast.admin)
    contracts = client.get(f"{BASE}/contracts", **auth).json()
    assert {c["name"] for c in contracts} >= {"Pathways 2023-2026", "Horizons 2026-2029"}

    dry = client.post(
        f"{BASE}/contracts/{setting.old_contract.public_id}/dry-run",
        {
            "team_map": {str(cast.pathways_team.public_id): str(setting.new_team.public_id)},
            "transferring_staff": [str(cast.da_worker_in_team.public_id)],
        },
        content_type="application/json",
        **auth,
    )
    assert dry.status_code == 201, dry.content
    body = dry.json()
    assert body["status"] == "dry_run"
    assert body["plan"]["moves"]["episode"] == 2

    ran = client.post(f"{BASE}/runs/{body['id']}/run", **auth)
    assert ran.status_code == 201, ran.content
    report = ran.json()
    assert report["reconciled"] is True
    assert all(c["equal"] for c in report["counts"])
    assert report["rebooking"] == 1
    assert client.get(f"{BASE}/runs/{report['id']}/report", **auth).json() == report

    again = client.post(f"{BASE}/runs/{body['id']}/run", **auth)
    assert again.status_code == 422
    assert again["Content-Type"] == "application/problem+json"


def test_r10_api_refuses_anyone_but_an_administrator(
    cast: Cast, setting: Setting, client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    assert client.get(f"{BASE}/contracts").status_code == 401
    refused = client.get(f"{BASE}/contracts", **bearer(cast.coordinator))
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    dry = client.post(
        f"{BASE}/contracts/{setting.old_contract.public_id}/dry-run",
        {},
        content_type="application/json",
        **bearer(cast.da_worker),
    )
    assert dry.status_code == 403
    assert not ProviderHandover.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"team_map": {"00000000-0000-4000-8000-000000000000": "00000000-0000-4000-8000-000000000001"}},
        {"transferring_staff": ["00000000-0000-4000-8000-000000000000"]},
        {"transferring_staff": ["not a uuid\x00" * 1000]},
        {"surprise": True},
    ],
)
def test_r10_api_bad_input_is_422(
    cast: Cast, setting: Setting, client: Client, bearer: Callable[[User], dict[str, str]], payload: dict[str, object]
) -> None:
    response = client.post(
        f"{BASE}/contracts/{setting.old_contract.public_id}/dry-run",
        payload,
        content_type="application/json",
        **bearer(cast.admin),
    )
    assert response.status_code == 422, response.content
    assert not ProviderHandover.objects.exists()


def test_r10_api_unknown_ids_are_404(cast: Cast, client: Client, bearer: Callable[[User], dict[str, str]]) -> None:
    auth = bearer(cast.admin)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert (
        client.post(f"{BASE}/contracts/{unknown}/dry-run", {}, content_type="application/json", **auth).status_code
        == 404
    )
    assert client.get(f"{BASE}/runs/{unknown}/report", **auth).status_code == 404
    assert client.post(f"{BASE}/runs/{unknown}/run", **auth).status_code == 404
