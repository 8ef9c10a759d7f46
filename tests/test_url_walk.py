"""Every page URL, as every kind of user, against a declared table of expected answers (STYLE 10).

Ann: in the coordinator's care team. The drug and alcohol worker (da_worker) has no relationship
with Ann and reads Ben by consent only. Admin and researcher are in Ann's care team and still refused.
A new URL without a row here fails `test_every_url_is_in_the_table`.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coexist.people.models import CarerAssessment
from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory

ROLES = ["anonymous", "coordinator", "da_worker", "admin", "researcher"]

# url name -> expected status for each role, in ROLES order.
TABLE: dict[str, tuple[int, int, int, int, int]] = {
    "home": (302, 200, 200, 200, 200),
    "accounts:sign-in": (200, 302, 302, 302, 302),
    "accounts:sign-out": (405, 405, 405, 405, 405),
    "accounts:profile": (302, 200, 200, 200, 200),
    "accounts:token-revoke": (405, 405, 405, 405, 405),
    "people:detail": (302, 200, 403, 403, 403),
    "people:detail/consent-only": (302, 200, 200, 403, 403),
    "people:edit-contact": (302, 200, 403, 403, 403),
    "people:edit-contact/consent-only": (302, 200, 403, 403, 403),
    "people:edit-equality": (302, 200, 403, 403, 403),
    "people:carer-new": (302, 200, 403, 403, 403),
    "people:carer-assessment": (302, 200, 403, 403, 403),
    "people:carer-assessment-outcome": (302, 200, 403, 403, 403),
    "people:consent-new": (302, 200, 403, 403, 403),
    "people:consent-withdraw": (302, 200, 403, 403, 403),
    "admin:index": (302, 302, 302, 200, 302),
    "api-openapi": (200, 200, 200, 200, 200),
}


def _carer_offer(cast: Cast) -> CarerAssessment:
    offer = CarerAssessment.objects.filter(carer__person=cast.ann).first()
    if offer is None:
        offer = CarerAssessment.objects.create(
            carer=CarerFactory(person=cast.ann), offered_on=date(2026, 1, 5), offered_by=cast.coordinator
        )
    return offer


def _url(name: str, cast: Cast) -> str:
    ann, ben = cast.ann.public_id, cast.ben.public_id
    consent = cast.ben.consents.get().public_id
    urls = {
        "accounts:token-revoke": reverse("accounts:token-revoke", args=["00000000-0000-4000-8000-000000000000"]),
        "people:detail": reverse("people:detail", args=[ann]),
        "people:detail/consent-only": reverse("people:detail", args=[ben]),
        "people:edit-contact": reverse("people:edit-contact", args=[ann]),
        "people:edit-contact/consent-only": reverse("people:edit-contact", args=[ben]),
        "people:edit-equality": reverse("people:edit-equality", args=[ann]),
        "people:carer-new": reverse("people:carer-new", args=[ann]),
        "people:carer-assessment": reverse("people:carer-assessment", args=[ann, _carer_offer(cast).carer.public_id]),
        "people:carer-assessment-outcome": reverse(
            "people:carer-assessment-outcome",
            args=[ann, _carer_offer(cast).carer.public_id, _carer_offer(cast).public_id],
        ),
        "people:consent-new": reverse("people:consent-new", args=[ann]),
        "people:consent-withdraw": reverse("people:consent-withdraw", args=[ben, consent]),
        "api-openapi": "/api/v1/openapi.json",
    }
    return urls.get(name) or reverse(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(TABLE))
def test_url_answers_as_declared(cast: Cast, client: Client, name: str, role: str) -> None:
    if role != "anonymous":
        user = getattr(cast, role)
        if role == "admin":
            user.is_staff = True
            user.save()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(_url(name, cast))
    assert response.status_code == TABLE[name][ROLES.index(role)]


def _page_url_names(patterns: list, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "api-v1"):
                continue  # Django's admin and the API have their own tests
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _page_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_is_in_the_table() -> None:
    declared = {name.split("/")[0] for name in TABLE}
    assert _page_url_names(get_resolver().url_patterns) <= declared
