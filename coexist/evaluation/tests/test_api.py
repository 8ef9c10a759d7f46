"""The programme theory API under /api/v1/evaluation: same access rules as the pages, problem+json errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coexist.accounts.models import User
from coexist.evaluation.models import ProgrammeTheory
from coexist.evaluation.planted import plant_ward_discharges
from coexist.evaluation.services import evidence_add, theory_create
from coexist.testing.cast import Cast

pytestmark = pytest.mark.django_db

Bearer = Callable[[User], dict[str, str]]
BASE = "/api/v1/evaluation"


def _theory(cast: Cast, *, status: str = "published") -> ProgrammeTheory:
    theory = theory_create(
        title="Unsettled housing and follow-up", context="People leaving a ward with nowhere settled to live.",
        mechanism="No address to arrange a meeting.", outcome="Fewer seen within 72 hours.",
        measure_key="discharge_follow_up_72h", context_filter=[["housing_settled", "unsettled"]], expects="lower",
        status=status, by=cast.team_leader,
    )  # fmt: skip
    evidence_add(
        theory=theory, kind="literature", source="Hughes E et al. 2024, RECO, NIHR HTA 28(67)",
        summary="Eleven programme theories.", dated=timezone.localdate() - timedelta(days=400), by=cast.team_leader,
    )  # fmt: skip
    return theory


def test_list_detail_and_result(cast: Cast, client: Client, bearer: Bearer) -> None:
    plant_ward_discharges(
        ward_team=cast.ward_team, community=cast.cmht, drug_alcohol=cast.pathways_service, by=cast.ward_nurse,
        first_day=timezone.localdate() - timedelta(days=90), days=60, in_context=100, others=100,
    )  # fmt: skip
    theory = _theory(cast)
    headers = bearer(cast.coordinator)
    listed = client.get(BASE, **headers)  # type: ignore[arg-type]
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [str(theory.public_id)]
    detail = client.get(f"{BASE}/{theory.public_id}", **headers).json()  # type: ignore[arg-type]
    assert detail["context_filter"] == [{"cut": "housing_settled", "category": "unsettled"}]
    assert detail["evidence"][0]["source"] == "Hughes E et al. 2024, RECO, NIHR HTA 28(67)"
    result = client.get(f"{BASE}/{theory.public_id}/result", **headers).json()  # type: ignore[arg-type]
    assert result["verdict"] == "consistent"
    assert result["groups"][0] == {
        "group": "In this context", "numerator": "40", "denominator": "100", "percentage": "40%",
        "confidence_interval_95": "31% to 50%",
    }  # fmt: skip
    assert result["difference"].startswith("\u221240 points (95% CI \u221251 to \u221227)")
    assert "do not show that the mechanism caused it" in result["statement"]


def test_errors_are_problems(cast: Cast, client: Client, bearer: Bearer) -> None:
    draft = _theory(cast, status="draft")
    assert client.get(BASE).status_code == 401
    admin = client.get(BASE, **bearer(cast.admin))  # type: ignore[arg-type]
    assert admin.status_code == 403
    assert admin["Content-Type"] == "application/problem+json"
    assert client.get(f"{BASE}/{draft.public_id}", **bearer(cast.coordinator)).status_code == 403  # type: ignore[arg-type]
    unknown = client.get(f"{BASE}/00000000-0000-4000-8000-000000000000", **bearer(cast.researcher))  # type: ignore[arg-type]
    assert unknown.status_code == 404
    bad = client.get(f"{BASE}/{draft.public_id}/result?start=2026-99-01&end=2026-01-01", **bearer(cast.researcher))  # type: ignore[arg-type]
    assert bad.status_code == 422
    assert bad.json()["errors"]
    backwards = client.get(
        f"{BASE}/{draft.public_id}/result?start=2026-02-01&end=2026-01-01", **bearer(cast.researcher)
    )  # type: ignore[arg-type]
    assert backwards.status_code == 422
