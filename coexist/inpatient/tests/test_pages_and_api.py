"""Inpatient pages and API (R9): the happy path as the ward nurse, refusals, and 4xx problem+json."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.inpatient.models import Admission, Leave
from coexist.testing.cast import Cast
from coexist.testing.factories_inpatient import admit, refer_to_ward

Sign = Callable[[User], Client]
Bearer = Callable[[User], dict[str, str]]


def test_r9_admit_page_admits_and_the_stay_page_shows_the_screen_not_done(cast: Cast, client_for: Sign) -> None:
    refer_to_ward(cast, cast.ann)
    client = client_for(cast.ward_nurse)
    url = reverse("inpatient:admit", args=[cast.ann.public_id])
    assert client.get(url).status_code == 200
    now = timezone.localtime()
    response = client.post(url, {
        "ward": str(cast.ward.public_id), "admitted_on_day": now.day, "admitted_on_month": now.month,
        "admitted_on_year": now.year, "admitted_time": "00:00", "legal_status": "section_3", "reason": "Relapse",
    })  # fmt: skip
    admission = Admission.objects.get()
    assert response.status_code == 302 and response.url == reverse("inpatient:admission", args=[admission.public_id])
    page = client.get(response.url).content.decode()
    assert "Not done yet" in page and "Complete an AUDIT" in page and "Detained: section 3" in page


def test_r9_admit_page_shows_errors_by_field(cast: Cast, client_for: Sign) -> None:
    refer_to_ward(cast, cast.ann)
    client = client_for(cast.ward_nurse)
    response = client.post(reverse("inpatient:admit", args=[cast.ann.public_id]), {
        "ward": str(cast.ward.public_id), "admitted_on_day": "1", "admitted_on_month": "1", "admitted_on_year": "2001",
        "admitted_time": "25:99", "legal_status": "informal",
    })  # fmt: skip
    assert response.status_code == 400 and "Enter a time such as" in response.content.decode()
    assert not Admission.objects.exists()


def test_r9_admit_page_is_refused_to_staff_who_work_on_no_ward(cast: Cast, client_for: Sign) -> None:
    assert client_for(cast.coordinator).get(reverse("inpatient:admit", args=[cast.ann.public_id])).status_code == 403


def test_r9_ward_worker_page_refuses_someone_outside_the_drug_and_alcohol_service(cast: Cast, client_for: Sign) -> None:
    admission = admit(cast, cast.ann)
    client = client_for(cast.ward_nurse)
    url = reverse("inpatient:assign_worker", args=[admission.public_id])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"worker": str(cast.coordinator.public_id)})
    assert refused.status_code == 400
    assert client.post(url, {"worker": str(cast.da_worker.public_id)}).status_code == 302
    assert Admission.objects.get().ward_substance_worker == cast.da_worker


def test_r9_leave_pages_record_leave_book_an_assessment_and_the_return(cast: Cast, client_for: Sign) -> None:
    admission = admit(cast, cast.ann, admitted_at=timezone.now() - timedelta(days=2))
    client = client_for(cast.ward_nurse)
    start = timezone.localtime() + timedelta(hours=1)
    end = start + timedelta(hours=6)
    response = client.post(reverse("inpatient:leave_new", args=[admission.public_id]), {
        "kind": "unescorted", "starts_on_day": start.day, "starts_on_month": start.month, "starts_on_year": start.year,
        "starts_time": f"{start:%H:%M}", "ends_on_day": end.day, "ends_on_month": end.month, "ends_on_year": end.year,
        "ends_time": f"{end:%H:%M}", "purpose": "Pathways assessment",
    })  # fmt: skip
    leave = Leave.objects.get()
    assert response.status_code == 302 and response.url == reverse("inpatient:leave_assessment", args=[leave.public_id])
    page = client.get(response.url)
    assert page.status_code == 200
    at = start + timedelta(hours=1)
    booked = client.post(response.url, {
        "worker": f"{cast.pathways_service.public_id}:{cast.da_worker.public_id}", "on_day": at.day,
        "on_month": at.month, "on_year": at.year, "at": f"{at:%H:%M}",
    })  # fmt: skip
    assert booked.status_code == 302
    late = start + timedelta(days=2)
    outside = client.post(response.url, {
        "worker": f"{cast.pathways_service.public_id}:{cast.da_worker.public_id}", "on_day": late.day,
        "on_month": late.month, "on_year": late.year, "at": f"{late:%H:%M}",
    })  # fmt: skip
    assert outside.status_code == 400 and "inside the leave" in outside.content.decode()
    assert client.get(reverse("inpatient:leave_return", args=[leave.public_id])).status_code == 200


def test_ward_page_lists_current_admissions_for_ward_staff_only(cast: Cast, client_for: Sign) -> None:
    admit(cast, cast.ann)
    url = reverse("inpatient:ward", args=[cast.ward.public_id])
    page = client_for(cast.ward_nurse).get(url)
    assert page.status_code == 200 and "ABBOTT, Ann" in page.content.decode()
    assert client_for(cast.coordinator).get(url).status_code == 403


def test_api_admit_get_leave_return_worker_and_ward(cast: Cast, client: Client, bearer: Bearer) -> None:
    refer_to_ward(cast, cast.ann)
    headers = bearer(cast.ward_nurse)
    created = client.post(
        "/api/v1/inpatient/admissions",
        {"person": str(cast.ann.public_id), "ward": str(cast.ward.public_id),
         "admitted_at": (timezone.now() - timedelta(hours=2)).isoformat(), "legal_status": "section_2"},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["detained"] and not body["screen_done"] and body["screen_task"]
    admission_id = body["id"]
    assert client.get(f"/api/v1/inpatient/admissions/{admission_id}", **headers).status_code == 200
    worker = client.post(
        f"/api/v1/inpatient/admissions/{admission_id}/ward-worker", {"worker": str(cast.da_worker.public_id)},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert worker.status_code == 200 and worker.json()["ward_substance_worker"] == str(cast.da_worker.public_id)
    now = timezone.now()
    leave = client.post(
        f"/api/v1/inpatient/admissions/{admission_id}/leaves",
        {"kind": "escorted", "starts_at": (now - timedelta(minutes=30)).isoformat(),
         "ends_at": (now + timedelta(hours=2)).isoformat()},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert leave.status_code == 201
    ward = client.get(f"/api/v1/inpatient/wards/{cast.ward.public_id}", **headers).json()
    assert ward[0]["on_leave_now"] is True
    back = client.post(
        f"/api/v1/inpatient/leaves/{leave.json()['id']}/return", {"returned_at": now.isoformat()},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert back.status_code == 200 and back.json()["returned_at"]


def test_api_4xx_are_problems(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.ward_nurse)
    payload = {
        "person": str(cast.dan.public_id),
        "ward": str(cast.ward.public_id),
        "admitted_at": timezone.now().isoformat(),
    }
    assert client.post("/api/v1/inpatient/admissions", payload, content_type="application/json").status_code == 401
    refused = client.post("/api/v1/inpatient/admissions", payload, content_type="application/json", **headers)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    unknown = client.get("/api/v1/inpatient/admissions/00000000-0000-4000-8000-000000000000", **headers)
    assert unknown.status_code == 404
    refer_to_ward(cast, cast.dan)
    bad = client.post(
        "/api/v1/inpatient/admissions", {**payload, "legal_status": "section_99", "reason": "x" * 10_000},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert bad.status_code == 422
    future = client.post(
        "/api/v1/inpatient/admissions", {**payload, "admitted_at": "2999-01-01T00:00:00Z", "reason": "a\u0000b"},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert future.status_code == 422
    fields = {e["field"] for e in future.json()["errors"]}
    assert {"admitted_at", "reason"} <= fields
    assert not Admission.objects.exists()
    assert client.get(f"/api/v1/inpatient/wards/{cast.ward.public_id}", **bearer(cast.coordinator)).status_code == 403
