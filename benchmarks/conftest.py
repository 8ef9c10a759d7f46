"""Benchmarks run against a generated population, loaded once per session into the test database."""

from __future__ import annotations

import pytest

from coexist.demo.generate import generate

PEOPLE = 5000


@pytest.fixture(scope="session")
def population(django_db_setup, django_db_blocker) -> int:
    with django_db_blocker.unblock():
        generate(people=PEOPLE, seed=99)
    return PEOPLE
