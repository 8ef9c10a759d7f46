"""R10 on a generated population of 10,000 people: the counts before and after are equal, and a
HandoverMove exists for every record moved."""

from __future__ import annotations

import time

import pytest

from coexist.care.models import EpisodeOfCare
from coexist.engagement.models import Appointment
from coexist.handover.models import HandoverMove, HandoverStatus
from coexist.handover.population import generate_handover_population
from coexist.handover.rules import MoveKind
from coexist.handover.services import handover_run
from coexist.referrals.models import Referral
from coexist.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_r10_handover_of_10000_people_reconciles() -> None:
    started = time.perf_counter()
    pop = generate_handover_population(people=10_000)
    generated = time.perf_counter()

    handover = handover_run(
        from_contract=pop.old_contract,
        to_contract=pop.new_contract,
        team_map=dict(zip(pop.old_teams, pop.new_teams, strict=True)),
        transferring_staff=pop.transferring,
        by=pop.admin,
    )
    moved = time.perf_counter()
    print(f"\ngenerate {generated - started:.1f}s, handover {moved - generated:.1f}s")

    assert handover.status == HandoverStatus.COMPLETED
    assert handover.counts_before["people"] == 10_000
    assert handover.counts_before["episodes"] == 10_000
    assert handover.counts_before == handover.counts_after
    assert handover.reconciled
    # Nothing of the caseload is left with the old service; history (finished episodes) stays with it.
    assert not EpisodeOfCare.objects.open().filter(service=pop.old_service).exists()
    assert EpisodeOfCare.objects.filter(service=pop.old_service, status="finished").count() == 2_500
    assert not Referral.objects.open().filter(to_service=pop.old_service).exists()
    # A HandoverMove per record moved.
    moves = HandoverMove.objects.filter(handover=handover)
    assert moves.filter(kind=MoveKind.EPISODE).count() == 10_000
    assert moves.filter(kind=MoveKind.REFERRAL).count() == 5_000
    assert (
        moves.filter(kind=MoveKind.TASK).count()
        == Task.objects.filter(public_id__in=moves.filter(kind=MoveKind.TASK).values("record_id")).count()
        == 5_000 + 3_334
    )
    flagged = Appointment.objects.filter(rebook_flagged_at__isnull=False).count()
    assert flagged == moves.filter(kind=MoveKind.APPOINTMENT_REBOOK).count() == 5_000
    assert moves.filter(kind=MoveKind.APPOINTMENT).count() == 5_000
    assert sum(handover.plan["moves"].values()) == moves.count()
