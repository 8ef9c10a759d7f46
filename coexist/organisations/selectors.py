"""Reads about organisations and staff roles (not clinical: any signed-in member of staff may read them)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from coexist.accounts.models import User
from coexist.organisations.models import Membership, Organisation, Role


def current_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.current().filter(user=user).select_related("team__service__organisation")


def current_roles(user: User | AnonymousUser) -> set[str]:
    if not isinstance(user, User) or not user.is_active:
        return set()
    return set(Membership.objects.current().filter(user=user).values_list("role", flat=True))


def is_administrator(user: User | AnonymousUser) -> bool:
    return (
        isinstance(user, User) and user.is_active and (user.is_superuser or Role.ADMINISTRATOR in current_roles(user))
    )


def organisations_list() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("services__teams")
