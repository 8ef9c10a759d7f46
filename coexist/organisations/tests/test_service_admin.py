"""R6: an administrator sets a service's own working days for routine follow-ups in the admin."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from coexist.testing.cast import Cast


def _administrator(cast: Cast, client: Client) -> Client:
    cast.admin.is_staff = True
    cast.admin.save(update_fields=["is_staff"])
    cast.admin.user_permissions.set(Permission.objects.filter(content_type__app_label="organisations"))
    client.force_login(cast.admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _form(cast: Cast, days: str) -> dict[str, str]:
    service = cast.pathways_service
    return {
        "organisation": str(service.organisation_id), "name": service.name, "kind": service.kind,
        "follow_up_working_days": days,
    }  # fmt: skip


def test_r6_administrator_sets_a_services_working_days(cast: Cast, client: Client) -> None:
    admin = _administrator(cast, client)
    url = reverse("admin:organisations_service_change", args=[cast.pathways_service.pk])
    response = admin.post(url, _form(cast, "5"))
    assert response.status_code == 302
    cast.pathways_service.refresh_from_db()
    assert cast.pathways_service.follow_up_working_days == 5


def test_r6_working_days_outside_1_to_20_are_refused_with_a_message(cast: Cast, client: Client) -> None:
    admin = _administrator(cast, client)
    url = reverse("admin:organisations_service_change", args=[cast.pathways_service.pk])
    response = admin.post(url, _form(cast, "0"))
    assert response.status_code == 200
    assert "must be between 1 and 20" in response.content.decode()
    cast.pathways_service.refresh_from_db()
    assert cast.pathways_service.follow_up_working_days is None
