"""The synthetic population: deterministic from its seed, loaded once, plausible, and truthful about the cast."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from nhs_number.validate import is_valid

from coexist.accounts.models import User
from coexist.care.models import EpisodeOfCare
from coexist.demo.generate import ANCHOR, CASELOAD_SIZE, generate
from coexist.organisations.models import Service
from coexist.people.models import HOMELESS_STATUSES, Consent, Person
from coexist.people.permissions import caseload_of, people_visible_to
from coexist.referrals.models import Referral
from coexist.tasks.models import Task


class _Rollback(Exception):
    pass


def _snapshot() -> list[tuple]:
    return list(
        Person.objects.order_by("public_id").values_list(
            "public_id", "given_name", "family_name", "nhs_number", "date_of_birth", "ethnic_category"
        )
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people_down_to_their_ids() -> None:
    with pytest.raises(_Rollback), transaction.atomic():
        generate(people=40, seed=7)
        first = _snapshot()
        raise _Rollback
    generate(people=40, seed=7)
    assert _snapshot() == first
    assert len(first) == 40


@pytest.mark.django_db
def test_a_different_seed_gives_different_people() -> None:
    with pytest.raises(_Rollback), transaction.atomic():
        generate(people=20, seed=1)
        first = _snapshot()
        raise _Rollback
    generate(people=20, seed=2)
    assert _snapshot() != first


@pytest.mark.django_db
def test_running_the_command_twice_changes_nothing() -> None:
    out = StringIO()
    call_command("generate_demo", people=30, seed=3, stdout=out)

    def counts() -> tuple[int, ...]:
        return (
            Person.objects.count(),
            User.objects.count(),
            Consent.objects.count(),
            Referral.objects.count(),
            EpisodeOfCare.objects.count(),
            Task.objects.count(),
        )

    first = counts()
    assert "Episodes of care: 30 open" in out.getvalue()
    call_command("generate_demo", people=30, seed=3, stdout=out)
    assert counts() == first
    assert "already loaded; nothing changed" in out.getvalue()


@pytest.mark.django_db
def test_history_people_make_eastbrook_whose_dashboards_have_months_to_chart_and_no_one_in_the_cast_sees_them() -> None:
    out = StringIO()
    call_command("generate_demo", people=20, seed=3, history_people=300, stdout=out)
    assert "Eastbrook: 300 generated people with three years of history" in out.getvalue()
    cmht = Service.objects.get(name="Eastbrook community mental health service")
    assert Referral.objects.filter(to_service=cmht).count() > 100
    # The history is its own area: the demo's clinical sign-ins see none of its people.
    history = Person.objects.filter(family_name__startswith="Person ")
    assert history.count() == 300
    for username in ("coordinator", "teamlead", "substance", "wardnurse"):
        visible = people_visible_to(User.objects.get(username=username))
        assert not visible.filter(pk__in=history).exists(), username
    call_command("generate_demo", people=20, seed=3, history_people=300, stdout=out)
    assert Person.objects.count() == 320


@pytest.mark.django_db
def test_population_is_plausible() -> None:
    generate(people=2000, seed=11)
    people = list(Person.objects.all())
    share = lambda test: sum(1 for p in people if test(p)) / len(people)  # noqa: E731
    assert 0.46 <= share(lambda p: p.sex == "female") <= 0.56  # England: 51%
    assert 0.68 <= share(lambda p: p.ethnic_category == "A") <= 0.79  # England: 73.5% White British
    assert 0.10 <= share(lambda p: p.housing_status in HOMELESS_STATUSES) <= 0.24
    assert 0.04 <= share(lambda p: p.released_from_prison_on is not None) <= 0.12
    assert 0.10 <= share(lambda p: p.has_caring_responsibilities) <= 0.20
    ages = Counter(p.age_on(ANCHOR) // 10 for p in people)
    assert min(ages) >= 1 and max(ages) <= 7  # adults, 18 to 79
    assert len({p.ethnic_category for p in people}) >= 15  # every group represented at this size


@pytest.mark.django_db
def test_nhs_numbers_are_valid_unique_and_from_the_synthetic_range() -> None:
    generate(people=300, seed=5)
    numbers = [n for n in Person.objects.values_list("nhs_number", flat=True) if n]
    assert len(numbers) == len(set(numbers)) > 250
    assert all(n.startswith("999") and is_valid(n) for n in numbers)


@pytest.mark.django_db
def test_the_cast_sees_what_the_sign_in_list_says() -> None:
    generate(people=120, seed=2026)
    staff = {u.username: u for u in User.objects.all()}
    assert caseload_of(staff["coordinator"]).count() == CASELOAD_SIZE
    assert not set(caseload_of(staff["coordinator"])) & set(caseload_of(staff["coordinator2"]))
    assert caseload_of(staff["substance2"]).count() == 0
    assert people_visible_to(staff["substance2"]).count() > 0  # referrals and consent
    assert people_visible_to(staff["substance2"]).count() < Person.objects.count()  # and refused the rest
    # The team leader sees the episodes North community team holds, and leads its list (see test_pathway).
    assert people_visible_to(staff["teamlead"]).count() > 0
    assert not set(caseload_of(staff["coordinator"])) & set(people_visible_to(staff["coordinator2"]))
    assert people_visible_to(staff["admin"]).count() == 0
    assert people_visible_to(staff["researcher"]).count() == 0
    assert staff["admin"].is_staff and not staff["admin"].is_superuser
