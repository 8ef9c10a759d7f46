"""The header's "Tasks (n)" link, for clinical staff."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from coexist.accounts.models import User
from coexist.organisations.models import NON_CLINICAL_ROLES
from coexist.organisations.selectors import current_roles
from coexist.tasks.selectors import open_task_count

register = template.Library()


@register.inclusion_tag("tasks/nav_item.html", takes_context=True)
def tasks_nav_item(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(user, User) or not (current_roles(user) - NON_CLINICAL_ROLES):
        return {"show": False}
    href = reverse("tasks:mine")
    return {"show": True, "href": href, "count": open_task_count(user), "current": request.path == href}
