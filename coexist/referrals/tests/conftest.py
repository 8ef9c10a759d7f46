"""Fixtures for the referral tests. The rate limit counts in the shared cache, so it is emptied
around every test: one test's submissions never count against another's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from coexist.people.rules import ContactMethod
from coexist.referrals.models import Referral
from coexist.testing.cast import Cast
from coexist.testing.factories import UnlinkedReferralFactory


@pytest.fixture(autouse=True)
def empty_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_db = "db" in request.fixturenames  # the cache is a database table; pure rule tests have none
    if uses_db:
        request.getfixturevalue("db")
        cache.clear()
    yield
    if uses_db:
        cache.clear()


def self_referral_answers(**changes: Any) -> dict[str, Any]:
    """A complete, valid self-referral, as the service takes it."""
    answers: dict[str, Any] = {
        "given_name": "Sam",
        "family_name": "Taylor",
        "date_of_birth": date(1990, 4, 12),
        "contact_method": ContactMethod.TEXT,
        "phone": "07700 900789",
        "email": "",
        "help_kind": "drugs_alcohol",
        "reason": "I drink every day and my mood is very low.",
        "safe_to_contact_note": "Text only please",
    }
    answers.update(changes)
    return answers


def self_referral_post(**changes: str) -> dict[str, str]:
    """The same answers as the public page's form posts them."""
    data = {
        "given_name": "Sam",
        "family_name": "Taylor",
        "date_of_birth_day": "12",
        "date_of_birth_month": "4",
        "date_of_birth_year": "1990",
        "contact_method": "text",
        "phone": "07700 900789",
        "email": "",
        "help_kind": "drugs_alcohol",
        "reason": "I drink every day and my mood is very low.",
        "safe_to_contact_note": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def unlinked_to_pathways(cast: Cast) -> Referral:
    """A self-referral to Pathways (where da_worker triages) that nobody has matched to a record."""
    return UnlinkedReferralFactory(
        to_service=cast.pathways_service, given_name="Cat", family_name="CARTER", date_of_birth=date(1990, 7, 2)
    )
