"""How much the permission module and the access log cost, as ratios against hand-written SQL
answering the same question on the same data in the same run. `make bench` runs these.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.people.models import Person
from coexist.people.permissions import may, people_visible_to
from coexist.people.rules import Action
from coexist.people.selectors import people_find, person_open

RUNS = 30


def _median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    fn()  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _report(name: str, ours: float, baseline: float) -> None:
    print(
        f"\n{name}: ours {ours * 1000:.2f} ms, hand-written SQL {baseline * 1000:.2f} ms, ratio {ours / baseline:.1f}x"
    )


def _raw_visible_ids(user_id: int) -> list[int]:
    today = timezone.localdate().isoformat()
    sql = """
        WITH m AS (
            SELECT mm.team_id, t.service_id, s.organisation_id FROM organisations_membership mm
            JOIN organisations_team t ON t.id = mm.team_id JOIN organisations_service s ON s.id = t.service_id
            WHERE mm.user_id = %(u)s AND mm.started_on <= %(d)s AND (mm.ended_on IS NULL OR mm.ended_on >= %(d)s)
              AND mm.role NOT IN ('administrator', 'researcher'))
        SELECT person_id FROM care_careteammember
         WHERE user_id = %(u)s AND started_on <= %(d)s AND (ended_on IS NULL OR ended_on >= %(d)s)
        UNION SELECT person_id FROM referrals_referral
         WHERE status IN ('received', 'triaged') AND person_id IS NOT NULL
           AND to_service_id IN (SELECT service_id FROM m)
        UNION SELECT person_id FROM care_episodeofcare
         WHERE status IN ('planned', 'active', 'on_hold', 'transferring') AND team_id IN (SELECT team_id FROM m)
        UNION SELECT person_id FROM people_consent
         WHERE given_on <= %(d)s AND (withdrawn_on IS NULL OR withdrawn_on > %(d)s)
           AND organisation_id IN (SELECT organisation_id FROM m)
        UNION SELECT e.person_id FROM engagement_groupenrolment e
         WHERE e.ended_at IS NULL AND e.group_id IN (
           SELECT gs.group_id FROM engagement_groupsession gs
             JOIN engagement_groupsession_facilitators f ON f.groupsession_id = gs.id
            WHERE f.user_id = %(u)s AND gs.cancelled_at IS NULL AND gs.starts_at BETWEEN %(lo)s AND %(hi)s)
    """
    day = timezone.localdate()
    window = {  # decision 0012: sessions four weeks either side of today
        "lo": timezone.make_aware(datetime.combine(day, datetime.min.time())) - timedelta(days=28),
        "hi": timezone.make_aware(datetime.combine(day, datetime.max.time())) + timedelta(days=28),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, {"u": user_id, "d": today, **window})
        return [row[0] for row in cursor.fetchall()]


def _raw_log(user: User, person_ids: list[str], detail: str) -> None:
    rows = [
        (uuid.uuid4().hex, timezone.now().isoformat(), user.public_id.hex, user.username, user.username, pid,
         "read", json.dumps(["identity"]), "allowed", "bench", "direct care", "page", detail)
        for pid in person_ids
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO audit_accesslogentry (public_id, at, actor_public_id, actor_username, actor_name,
               person_public_id, action, parts, outcome, basis, purpose, channel, detail)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
            rows,
        )


@pytest.mark.django_db
def test_bench_people_visible_to_a_drug_and_alcohol_worker(population: int) -> None:
    user = User.objects.get(username="substance")
    assert sorted(people_visible_to(user).values_list("pk", flat=True)) == sorted(_raw_visible_ids(user.pk))
    ours = _median_seconds(lambda: list(people_visible_to(user).values_list("pk", flat=True)))
    baseline = _median_seconds(lambda: _raw_visible_ids(user.pk))
    _report(f"visible-to list over {population} people", ours, baseline)


@pytest.mark.django_db
def test_bench_single_permission_decision(population: int) -> None:
    user = User.objects.get(username="substance")
    person = people_visible_to(user).first()
    assert person is not None
    ours = _median_seconds(lambda: may(user, person, Action.READ))
    baseline = _median_seconds(lambda: person.pk in _raw_visible_ids(user.pk))
    _report("one permission decision", ours, baseline)


@pytest.mark.django_db
def test_bench_caseload_page_query_with_access_log(population: int) -> None:
    """The caseload list including writing one access log entry per person shown."""
    user = User.objects.get(username="coordinator")
    sql = """SELECT p.public_id, p.given_name, p.family_name, p.nhs_number, p.date_of_birth FROM people_person p
             JOIN care_careteammember c ON c.person_id = p.id
             WHERE c.user_id = %s AND (c.ended_on IS NULL OR c.ended_on >= %s)
             ORDER BY p.family_name, p.given_name, p.id LIMIT 50"""

    def raw() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, timezone.localdate().isoformat()])
            rows = cursor.fetchall()
        _raw_log(user, [str(row[0]) for row in rows], "caseload list")
        return rows

    ours = _median_seconds(lambda: people_find(viewer=user, query="", channel=Channel.PAGE))
    baseline = _median_seconds(raw)
    _report("caseload list (25 people), each logged", ours, baseline)


@pytest.mark.django_db
def test_bench_open_a_record(population: int) -> None:
    user = User.objects.get(username="coordinator")
    person = Person.objects.filter(care_team__user=user).first()
    assert person is not None

    def raw() -> tuple:
        assert person.pk in _raw_visible_ids(user.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_person WHERE public_id = %s", [person.public_id.hex])
            row = cursor.fetchone()
        _raw_log(user, [person.public_id.hex], "bench")
        return row

    ours = _median_seconds(
        lambda: person_open(viewer=user, public_id=person.public_id, channel=Channel.PAGE, detail="bench")
    )
    baseline = _median_seconds(raw)
    _report("open one record (check, fetch, log)", ours, baseline)
