"""The header's navigation, by what the signed-in member of staff does."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from coexist.care.rules import LEADER_ROLES
from coexist.inpatient.selectors import wards_of
from coexist.organisations.models import NON_CLINICAL_ROLES, Role
from coexist.organisations.selectors import current_roles
from coexist.tasks.selectors import open_task_count


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = current_roles(user)
    items: list[dict[str, Any]] = []
    if roles - NON_CLINICAL_ROLES:
        items.append({"href": reverse("home"), "text": "Caseload"})
        items.append({"href": reverse("referrals:queue"), "text": "Referrals", "section": "/referrals/"})
        items.append({"href": reverse("tasks:mine"), "text": f"Tasks ({open_task_count(user)})"})
        items.append({"href": reverse("groups:list"), "text": "Groups", "section": "/groups/"})
        for ward in wards_of(user):
            items.append({"href": reverse("inpatient:ward", args=[ward.public_id]), "text": ward.name})
        if Role.ADDICTIONS_CONSULTANT in roles:
            items.append({"href": reverse("advice:worklist"), "text": "Advice requests", "section": "/advice/"})
        if roles & LEADER_ROLES:
            items.append({"href": reverse("care:team-leader"), "text": "Team leader's list"})
    if roles & (LEADER_ROLES | {Role.RESEARCHER}):
        items.append({"href": reverse("outcomes:commissioner"), "text": "Outcomes", "section": "/outcomes/"})
    if Role.ADMINISTRATOR in roles or user.is_superuser:
        items.append({"href": reverse("admin:index"), "text": "Manage accounts and services"})
        items.append(
            {"href": reverse("handover:contracts"), "text": "Provider handover", "section": "/provider-handover/"}
        )
    for item in items:
        item["current"] = request.path == item["href"] or request.path.startswith(item.get("section", "\0"))
    return {"nav_items": items}
