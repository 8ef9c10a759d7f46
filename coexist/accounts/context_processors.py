"""The header's navigation, by what the signed-in member of staff does."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from coexist.organisations.models import NON_CLINICAL_ROLES, Role
from coexist.organisations.selectors import current_roles


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = current_roles(user)
    items: list[dict[str, Any]] = []
    if roles - NON_CLINICAL_ROLES:
        items.append({"href": reverse("home"), "text": "Caseload"})
    if Role.ADMINISTRATOR in roles or user.is_superuser:
        items.append({"href": reverse("admin:index"), "text": "Manage accounts and services"})
    for item in items:
        item["current"] = request.path == item["href"]
    return {"nav_items": items}
