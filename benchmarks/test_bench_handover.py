"""What the provider handover (R10) costs, as a ratio against hand-written SQL doing the move on the same
data in the same run. `make bench` runs this with the other benchmarks (SQLite by default; set DATABASE_URL
to run it on PostgreSQL).

The data: `generate_handover_population` makes 10,000 people in an ending contract's caseload, once, inside
this test's own transaction (so it is gone afterwards and does not touch the other benchmarks' population).
Every timed run, ours and the baseline alike, runs inside a savepoint that is rolled back, so each run moves
the same caseload from the same starting point. Runs alternate (ours, baseline, ours, ...) and the median of
each is reported. BENCH_HANDOVER_RUNS sets how many of each (default 3); with the generator that took about two
minutes on SQLite and under three on PostgreSQL on the shared 2-core machine.

The baseline covers: the ProviderHandover header row (one ORM insert); for open episodes (service, team by
the team map, coordinator cleared when they do not transfer), open referrals, open tasks (team by the map,
worker cleared when they do not transfer), future appointments (moved with transferring staff, flagged for
rebooking otherwise), care team places of staff who do not transfer (ended), current opiate substitution
(prescriber cleared when they do not transfer), pending prescribing handovers and groups: one INSERT ... SELECT
of the HandoverMove audit rows and one UPDATE per kind; and the reconciliation counts of those kinds before
and after (one SELECT each). It does NOT do what ours also does: validate the choices, read every record into
a plan (labels, notes, samples, warnings), count care plans, versions, shares, consents and enrolments, move
staff memberships and facilitators, write simple-history rows for episodes and appointments, an access-log
entry per person, or the R10 tasks for rebooking and asking consent again. The ratio is therefore an upper
bound on the ORM's overhead for the same work: part of it is work the baseline leaves out.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.engagement.models import Appointment
from coexist.handover.models import HandoverMove, HandoverStatus, ProviderHandover
from coexist.handover.population import HandoverPopulation, generate_handover_population
from coexist.handover.rules import MoveKind, staff_transfer_dates
from coexist.handover.services import handover_run
from coexist.medicines.models import OpiateSubstitution
from coexist.referrals.models import Referral
from coexist.tasks.models import Task

PEOPLE = 10_000
RUNS = int(os.environ.get("BENCH_HANDOVER_RUNS", "3"))
# What the baseline moves; ours also moves staff and facilitators (see the module docstring).
BASELINE_KINDS = (
    MoveKind.EPISODE,
    MoveKind.REFERRAL,
    MoveKind.TASK,
    MoveKind.APPOINTMENT,
    MoveKind.APPOINTMENT_REBOOK,
    MoveKind.CARE_TEAM_ENDED,
    MoveKind.OPIATE_SUBSTITUTION,
    MoveKind.PRESCRIBING_HANDOVER,
    MoveKind.GROUP,
)


def _rolled_back(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Time fn inside a savepoint, take a snapshot of the result, then roll everything back."""
    with transaction.atomic():
        start = time.perf_counter()
        handover = fn()
        elapsed = time.perf_counter() - start
        snapshot = _snapshot(handover)
        transaction.set_rollback(True)
    return elapsed, snapshot


def _ids(values: Any) -> str:
    return ", ".join(str(int(v)) for v in values) or "NULL"


def _raw_handover(pop: HandoverPopulation) -> ProviderHandover:
    """The move in hand-written SQL: audit rows by INSERT ... SELECT, then one UPDATE per kind, counts either side."""
    now = timezone.now()
    today = timezone.localdate(now)
    end = staff_transfer_dates(contract_ends_on=pop.old_contract.ends_on, run_on=today).old_membership_ends_on
    at = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value(today)
    end_day = connection.ops.adapt_datefield_value(end)
    old, new = pop.old_service.pk, pop.new_service.pk
    old_teams = _ids(t.pk for t in pop.old_teams)
    team_case = " ".join(f"WHEN {o.pk} THEN {n.pk}" for o, n in zip(pop.old_teams, pop.new_teams, strict=True))
    default_team = pop.new_teams[0].pk
    leaving = _ids(u.pk for u in pop.staying)
    transferring = _ids(u.pk for u in pop.transferring)
    # The old team each leaving worker worked in, for their personal tasks (ours: the first membership by team name).
    worker_team = " ".join(
        f"WHEN {u.pk} THEN (SELECT CASE m.team_id {team_case} ELSE {default_team} END FROM organisations_membership m"
        f" JOIN organisations_team t ON t.id = m.team_id WHERE m.user_id = {u.pk} AND t.service_id = {old}"
        " ORDER BY t.name, m.id LIMIT 1)"
        for u in pop.staying
    )
    handover = ProviderHandover.objects.create(
        from_contract=pop.old_contract,
        to_contract=pop.new_contract,
        status=HandoverStatus.COMPLETED,
        run_at=now,
        run_by=pop.admin,
    )
    h = handover.pk
    open_episode = "status IN ('planned', 'active', 'on_hold', 'transferring')"
    future = f"service_id = {old} AND status = 'booked' AND starts_at >= %(at)s AND rebook_flagged_at IS NULL"
    scopes: dict[str, tuple[str, str]] = {  # kind: (table, which rows)
        "episode": ("care_episodeofcare", f"service_id = {old} AND {open_episode}"),
        "referral": ("referrals_referral", f"to_service_id = {old} AND status IN ('received', 'triaged')"),
        "task": (
            "tasks_task",
            f"status IN ('open', 'in_progress')"
            f" AND (assigned_team_id IN ({old_teams}) OR assigned_to_id IN ({leaving}))",
        ),
        "appointment": ("engagement_appointment", f"{future} AND staff_id IN ({transferring})"),
        "appointment_rebook": (
            "engagement_appointment",
            f"{future} AND (staff_id IS NULL OR staff_id NOT IN ({transferring}))",
        ),
        "care_team_ended": (
            "care_careteammember",
            f"user_id IN ({leaving}) AND started_on <= %(day)s AND (ended_on IS NULL OR ended_on > %(end)s)"
            " AND (ended_on IS NULL OR ended_on >= %(day)s)",
        ),
        "opiate_substitution": (
            "medicines_opiatesubstitution",
            f"prescribing_service_id = {old} AND stopped_on IS NULL",
        ),
        "prescribing_handover": ("medicines_prescribinghandover", f"to_service_id = {old} AND status = 'requested'"),
        "group": ("engagement_group", f"service_id = {old}"),
    }
    person = {"group": "NULL"}
    notes = {
        "episode": ("coordinator_id", "Care coordinator does not transfer"),
        "task": ("assigned_to_id", "Assigned worker does not transfer"),
        "opiate_substitution": ("prescriber_id", "Named prescriber does not transfer"),
    }

    def note_of(kind: str) -> str:
        if kind not in notes:
            return "''"
        column, text = notes[kind]
        return f"CASE WHEN {column} IN ({leaving}) THEN '{text}' ELSE '' END"

    moved_episodes = (
        "SELECT e.id FROM care_episodeofcare e JOIN handover_handovermove m ON m.record_id = e.public_id"
        f" WHERE m.handover_id = {h} AND m.kind = 'episode'"
    )
    updates = {
        "episode": f"""service_id = {new},
              team_id = CASE team_id {team_case} ELSE {default_team} END,
              coordinator_since = CASE WHEN coordinator_id IN ({leaving}) THEN NULL ELSE coordinator_since END,
              coordinator_id = CASE WHEN coordinator_id IN ({leaving}) THEN NULL ELSE coordinator_id END""",
        "referral": f"to_service_id = {new}",
        "task": f"""assigned_team_id = CASE
                WHEN assigned_team_id IN ({old_teams}) THEN CASE assigned_team_id {team_case} END
                WHEN episode_id IN ({moved_episodes})
                  THEN (SELECT e.team_id FROM care_episodeofcare e WHERE e.id = tasks_task.episode_id)
                WHEN assigned_team_id IS NULL THEN CASE assigned_to_id {worker_team} END
                ELSE assigned_team_id END,
              assigned_to_id = CASE WHEN assigned_to_id IN ({leaving}) THEN NULL ELSE assigned_to_id END""",
        "appointment": f"service_id = {new}",
        "appointment_rebook": "rebook_flagged_at = %(at)s, rebook_reason = 'R10: the worker did not transfer. Rebook.'",
        "care_team_ended": "ended_on = CASE WHEN started_on > %(end)s THEN started_on ELSE %(end)s END",
        "opiate_substitution": f"prescribing_service_id = {new},"
        f" prescriber_id = CASE WHEN prescriber_id IN ({leaving}) THEN NULL ELSE prescriber_id END",
        "prescribing_handover": f"to_service_id = {new}",
        "group": f"service_id = {new}",
    }
    params = {"at": at, "day": day, "end": end_day}
    labels = {"from": pop.old_service.name, "to": pop.new_service.name}
    with connection.cursor() as cursor:
        counts = ", ".join(f"(SELECT COUNT(*) FROM {table} WHERE {where})" for table, where in scopes.values())
        cursor.execute(f"SELECT {counts}", params)
        before = cursor.fetchone()
        for kind, (table, where) in scopes.items():
            cursor.execute(
                "INSERT INTO handover_handovermove"
                " (handover_id, kind, record_id, person_id, moved_from, moved_to, note)"
                f" SELECT {h}, '{kind}', public_id, {person.get(kind, 'person_id')}, %(from)s, %(to)s, {note_of(kind)}"
                f" FROM {table} WHERE {where}",
                {**params, **labels},
            )
            cursor.execute(f"UPDATE {table} SET {updates[kind]} WHERE {where}", params)
        counts = ", ".join(
            f"(SELECT COUNT(*) FROM {table} JOIN handover_handovermove m ON m.record_id = {table}.public_id"
            f" WHERE m.handover_id = {h} AND m.kind = '{kind}')"
            for kind, (table, _where) in scopes.items()
        )
        cursor.execute(f"SELECT {counts}")
        after = cursor.fetchone()
    handover.counts_before = dict(zip(scopes, before, strict=True))
    handover.counts_after = dict(zip(scopes, after, strict=True))
    handover.save(update_fields=["counts_before", "counts_after"])
    return handover


def _ours(pop: HandoverPopulation) -> ProviderHandover:
    return handover_run(
        from_contract=pop.old_contract,
        to_contract=pop.new_contract,
        team_map=dict(zip(pop.old_teams, pop.new_teams, strict=True)),
        transferring_staff=pop.transferring,
        by=pop.admin,
    )


def _snapshot(handover: ProviderHandover) -> dict[str, Any]:
    """Where the moved records ended up, and the audit rows by kind (outside the timing)."""
    moves = Counter(
        HandoverMove.objects.filter(handover=handover, kind__in=BASELINE_KINDS).values_list("kind", flat=True)
    )
    return {
        "moves": dict(moves),
        "episodes": list(
            EpisodeOfCare.objects.order_by("pk").values_list("pk", "service_id", "team_id", "coordinator_id")
        ),
        "referrals": list(Referral.objects.order_by("pk").values_list("pk", "to_service_id")),
        "tasks": list(
            Task.objects.exclude(rule="R10").order_by("pk").values_list("pk", "assigned_to_id", "assigned_team_id")
        ),
        "appointments": list(Appointment.objects.order_by("pk").values_list("pk", "service_id")),
        "flagged": list(Appointment.objects.filter(rebook_flagged_at__isnull=False).order_by("pk").values_list("pk")),
        "care_team": list(CareTeamMember.objects.order_by("pk").values_list("pk", "ended_on")),
        "opiates": list(
            OpiateSubstitution.objects.order_by("pk").values_list("pk", "prescribing_service_id", "prescriber_id")
        ),
        "reconciled": handover.counts_before == handover.counts_after,
    }


@pytest.mark.django_db
def test_bench_provider_handover_of_10000_people() -> None:
    started = time.perf_counter()
    pop = generate_handover_population(people=PEOPLE, prefix="bench")
    generated = time.perf_counter() - started

    ours: list[float] = []
    baseline: list[float] = []
    snapshots: dict[str, dict[str, Any]] = {}
    for _ in range(RUNS):
        elapsed, snapshot = _rolled_back(lambda: _ours(pop))
        ours.append(elapsed)
        snapshots.setdefault("ours", snapshot)
        elapsed, snapshot = _rolled_back(lambda: _raw_handover(pop))
        baseline.append(elapsed)
        snapshots.setdefault("baseline", snapshot)

    # Both sides did the same moves: the same records in the same places, the same audit rows by kind.
    assert snapshots["ours"] == snapshots["baseline"]
    assert snapshots["ours"]["moves"][MoveKind.EPISODE] == PEOPLE
    assert snapshots["ours"]["reconciled"]
    assert not ProviderHandover.objects.exists()  # every run was rolled back

    ours_s, baseline_s = statistics.median(ours), statistics.median(baseline)
    moved = sum(snapshots["ours"]["moves"].values())
    print(
        f"\nprovider handover of {PEOPLE} people ({moved} records moved, {connection.vendor}; generated in "
        f"{generated:.1f} s; median of {RUNS}, each rolled back): ours {ours_s * 1000:.0f} ms, "
        f"hand-written SQL {baseline_s * 1000:.0f} ms, ratio {ours_s / baseline_s:.1f}x"
        "\n  baseline: audit rows (INSERT ... SELECT) and one UPDATE per kind for episodes, referrals, tasks,"
        " appointments (moved or flagged), care team places, opiate substitution, prescribing handovers and"
        " groups, with counts before and after; ours also validates, plans, writes history, an access-log entry"
        " per person and the R10 tasks (see the module docstring)"
    )
