"""R10 continuity of provider: the provider handover service on the test cast (see helpers.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.care.models import CarePlanShare, CarePlanVersion, CareTeamMember, EpisodeOfCare
from coexist.engagement.models import Appointment
from coexist.handover.models import HandoverMove, HandoverStatus, ProviderHandover
from coexist.handover.rules import MoveKind
from coexist.handover.services import handover_dry_run, handover_plan, handover_run
from coexist.medicines.models import HandoverStatus as PrescribingStatus
from coexist.medicines.models import OpiateSubstitution, OpioidSubstitute, PrescribingHandover
from coexist.organisations.models import Membership
from coexist.people.models import Consent
from coexist.people.permissions import AccessRefused
from coexist.referrals.models import Referral
from coexist.tasks.models import Task
from coexist.testing.cast import Cast

from .helpers import Setting, handover_setting

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(cast: Cast) -> Setting:
    return handover_setting(cast)


def _run(cast: Cast, s: Setting, **kwargs: Any) -> ProviderHandover:
    return handover_run(
        from_contract=s.old_contract,
        to_contract=s.new_contract,
        team_map={cast.pathways_team: s.new_team},
        transferring_staff=[cast.da_worker_in_team],
        by=kwargs.pop("by", cast.admin),
        **kwargs,
    )


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Everything a handover could touch, row by row."""
    return {
        "episodes": list(
            EpisodeOfCare.objects.order_by("pk").values_list("pk", "service_id", "team_id", "coordinator_id", "status")
        ),
        "referrals": list(Referral.objects.order_by("pk").values_list("pk", "to_service_id", "status")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "assigned_to_id", "assigned_team_id", "status")),
        "appointments": list(
            Appointment.objects.order_by("pk").values_list("pk", "service_id", "staff_id", "rebook_flagged_at")
        ),
        "care_team": list(CareTeamMember.objects.order_by("pk").values_list("pk", "ended_on")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "team_id", "ended_on")),
        "consents": list(Consent.objects.order_by("pk").values_list("pk", "organisation_id", "withdrawn_on")),
        "versions": list(CarePlanVersion.objects.order_by("pk").values_list("pk", "plan_id", "number")),
        "moves": list(HandoverMove.objects.values_list("pk")),
        "log": list(AccessLogEntry.objects.filter(detail__startswith="provider handover").values_list("pk")),
    }


def test_r10_dry_run_changes_nothing(cast: Cast, setting: Setting) -> None:
    before = _snapshot()
    dry = handover_dry_run(
        from_contract=setting.old_contract,
        to_contract=setting.new_contract,
        team_map={cast.pathways_team: setting.new_team},
        transferring_staff=[cast.da_worker_in_team],
        by=cast.admin,
    )
    assert _snapshot() == before
    assert dry.status == HandoverStatus.DRY_RUN
    assert dry.plan["moves"]["episode"] == 2
    assert dry.plan["moves"]["appointment"] == 1
    assert dry.plan["moves"]["appointment_rebook"] == 1
    assert dry.plan["coordinators_cleared"] == 1
    assert any("without a coordinator" in w for w in dry.plan["warnings"])
    # Administrators see no clinical content: no person's name anywhere in the plan.
    text = str(dry.plan)
    for person in cast.people().values():
        assert person.family_name not in text


def test_r10_interrupted_handover_moves_nothing(cast: Cast, setting: Setting) -> None:
    before = _snapshot()
    seen: list[str] = []

    def fail_half_way(kind: str, count: int) -> None:
        seen.append(kind)
        if kind == MoveKind.APPOINTMENT_REBOOK:
            raise RuntimeError("power cut half-way")

    with pytest.raises(RuntimeError, match="power cut"):
        _run(cast, setting, on_progress=fail_half_way)

    assert seen[:4] == ["episode", "referral", "task", "appointment"]  # things had moved before the failure
    assert _snapshot() == before
    assert not Task.objects.filter(rule="R10").exists()
    failed = ProviderHandover.objects.get()
    assert failed.status == HandoverStatus.FAILED
    assert "power cut half-way" in failed.failure
    assert not failed.moves.exists()
    # Nothing moved, so it can be run again.
    assert _run(cast, setting).reconciled


def test_r10_future_appointments_with_old_staff_are_flagged_not_deleted(cast: Cast, setting: Setting) -> None:
    handover = _run(cast, setting)

    flagged = Appointment.objects.get(pk=setting.with_leaver.pk)
    assert flagged.rebook_flagged_at is not None
    assert "did not transfer" in flagged.rebook_reason
    assert flagged.status == "booked"
    assert flagged.staff == cast.da_worker
    moved = Appointment.objects.get(pk=setting.with_transferring.pk)
    assert moved.service == setting.new_service
    assert moved.rebook_flagged_at is None
    past = Appointment.objects.get(pk=setting.past_with_leaver.pk)
    assert past.service == cast.pathways_service  # history stays with the old service
    assert past.rebook_flagged_at is None
    task = Task.objects.get(rule="R10", person=cast.ann, title__startswith="Rebook")
    assert task.assigned_team == setting.new_team
    assert task.due_at <= setting.with_leaver.starts_at - timedelta(days=1)
    assert handover.moves.filter(kind=MoveKind.APPOINTMENT_REBOOK, record_id=flagged.public_id).exists()
    assert flagged.history.first().history_change_reason.startswith("provider handover R10")


def test_r10_episode_history_and_plan_kept(cast: Cast, setting: Setting) -> None:
    versions = list(CarePlanVersion.objects.filter(plan__person=cast.ann).values_list("pk", "number"))
    handover = _run(cast, setting)

    assert handover.reconciled
    ann = EpisodeOfCare.objects.get(pk=setting.ann_episode.pk)
    assert (ann.service, ann.team, ann.status) == (setting.new_service, setting.new_team, "active")
    # R3: the coordinator did not transfer, so the episode is on the receiving team leader's list.
    assert ann.coordinator is None
    assert EpisodeOfCare.objects.without_coordinator().filter(pk=ann.pk, team=setting.new_team).exists()
    ben = EpisodeOfCare.objects.get(pk=setting.ben_episode.pk)
    assert ben.coordinator == cast.da_worker_in_team
    finished = EpisodeOfCare.objects.get(pk=setting.ann_finished.pk)
    assert finished.service == cast.pathways_service  # history is history
    assert list(CarePlanVersion.objects.filter(plan__person=cast.ann).values_list("pk", "number")) == versions
    assert CarePlanShare.objects.filter(version__plan__person=cast.ann).count() == 1
    assert handover.counts_before["care_plan_versions"] == handover.counts_after["care_plan_versions"] == 2
    assert handover.counts_before["episode_history"] == 3
    # An audit row per record and an access-log write entry per person moved.
    assert handover.moves.filter(kind=MoveKind.EPISODE).count() == 2
    entries = AccessLogEntry.objects.filter(detail__startswith="provider handover R10")
    # Ann and Ben's episodes moved; Cat's open referral to Pathways moved.
    assert sorted(e.person_public_id for e in entries) == sorted(p.public_id for p in (cast.ann, cast.ben, cast.cat))
    assert all(e.action == "write" and e.actor_username == "admin" for e in entries)


def test_r10_consent_to_old_provider_is_not_carried_over(cast: Cast, setting: Setting) -> None:
    plan = handover_plan(
        from_contract=setting.old_contract,
        to_contract=setting.new_contract,
        team_map=None,
        transferring_staff=[cast.da_worker_in_team],
    )
    assert plan.consent_people == 1
    assert any("ask again" in w for w in plan.warnings)

    _run(cast, setting)

    consent = Consent.objects.get(person=cast.ben)
    assert consent.organisation == cast.pathways  # unchanged: agreed with Pathways, not its successor
    assert not Consent.objects.filter(organisation=setting.new_service.organisation).exists()
    task = Task.objects.get(rule="R10", person=cast.ben)
    assert task.title.startswith("Ask whether they agree to share")
    assert task.assigned_team == setting.new_team
    assert not Task.objects.filter(rule="R10", person=cast.ann, title__startswith="Ask").exists()  # no consent


@pytest.mark.parametrize("who", ["coordinator", "da_worker_in_team", "team_leader", "researcher"])
def test_r10_only_an_administrator_may_run_a_handover(cast: Cast, setting: Setting, who: str) -> None:
    before = _snapshot()
    with pytest.raises(AccessRefused):
        _run(cast, setting, by=getattr(cast, who))
    with pytest.raises(AccessRefused):
        handover_dry_run(
            from_contract=setting.old_contract,
            to_contract=setting.new_contract,
            team_map=None,
            transferring_staff=[],
            by=getattr(cast, who),
        )
    assert _snapshot() == before
    assert not ProviderHandover.objects.exists()
    assert _run(cast, setting).status == HandoverStatus.COMPLETED  # cast.admin holds an administrator membership


def test_r10_transferring_staff_join_the_new_team_the_day_after_the_contract_ends(cast: Cast, setting: Setting) -> None:
    _run(cast, setting)
    ends = setting.old_contract.ends_on
    old = Membership.objects.get(user=cast.da_worker_in_team, team=cast.pathways_team)
    new = Membership.objects.get(user=cast.da_worker_in_team, team=setting.new_team)
    assert (old.ended_on, new.started_on, new.role) == (ends, ends + timedelta(days=1), old.role)
    assert Membership.objects.get(user=cast.da_worker, team=cast.pathways_team).ended_on is None  # stays with Pathways
    # Ann's care team: da_worker_in_team transfers and stays; da_worker's places end on the contract's last day.
    assert CareTeamMember.objects.get(person=cast.ann, user=cast.da_worker_in_team).ended_on is None
    ann_places = CareTeamMember.objects.filter(user=cast.da_worker)
    assert all(p.ended_on == ends for p in ann_places)


def test_r10_tasks_of_staff_who_stay_go_to_the_receiving_team(cast: Cast, setting: Setting) -> None:
    leaving = Task.objects.create(
        person=cast.ann,
        episode=setting.ann_episode,
        rule="R6",
        title="Follow up",
        due_at=timezone.now(),
        assigned_to=cast.da_worker,
    )
    team_task = Task.objects.create(
        person=cast.cat, rule="R2", title="Triage", due_at=timezone.now(), assigned_team=cast.pathways_team
    )
    staying = Task.objects.create(
        person=cast.ben, rule="R6", title="Call", due_at=timezone.now(), assigned_to=cast.da_worker_in_team
    )
    _run(cast, setting)
    leaving.refresh_from_db()
    team_task.refresh_from_db()
    staying.refresh_from_db()
    assert (leaving.assigned_to, leaving.assigned_team) == (None, setting.new_team)
    assert team_task.assigned_team == setting.new_team
    assert (staying.assigned_to, staying.assigned_team) == (cast.da_worker_in_team, None)
    assert Referral.objects.get(person=cast.cat).to_service == setting.new_service  # cat's open referral moves


def test_r10_a_contract_is_handed_over_once_and_only_to_its_successor(cast: Cast, setting: Setting) -> None:
    with pytest.raises(ValidationError) as refused:
        handover_run(
            from_contract=setting.new_contract,
            to_contract=setting.old_contract,
            team_map=None,
            transferring_staff=[],
            by=cast.admin,
        )
    assert "to_contract" in refused.value.message_dict
    _run(cast, setting)
    with pytest.raises(ValidationError) as again:
        _run(cast, setting)
    assert "already handed over" in again.value.message_dict["from_contract"][0]


def _methadone_with_pending_handover(cast: Cast, s: Setting, prescriber: User) -> tuple[Any, Any]:
    """Ann on methadone prescribed by Pathways with a named prescriber, and a pending prescribing handover
    (R9) from the ward to Pathways, waiting for an answer when the contract ends."""
    course = OpiateSubstitution.objects.create(
        person=cast.ann,
        drug=OpioidSubstitute.METHADONE,
        prescribing_service=cast.pathways_service,
        prescriber=prescriber,
        started_on=timezone.localdate() - timedelta(days=200),
        recorded_by=prescriber,
    )
    pending = PrescribingHandover.objects.create(
        treatment=course,
        person=cast.ann,
        to_service=cast.pathways_service,
        drug=OpioidSubstitute.METHADONE,
        daily_dose_mg=Decimal("60"),
        supervised=True,
        pharmacy="High Street Pharmacy",
        last_dose_given_at=timezone.now() - timedelta(hours=3),
        first_community_dose_on=timezone.localdate() + timedelta(days=1),
        requested_by=cast.ward_nurse,
    )
    return course, pending


def _prepare_and_run(cast: Cast, s: Setting, transferring: list[User]) -> tuple[ProviderHandover, ProviderHandover]:
    choices: dict[str, Any] = {
        "from_contract": s.old_contract,
        "to_contract": s.new_contract,
        "team_map": {cast.pathways_team: s.new_team},
        "transferring_staff": transferring,
        "by": cast.admin,
    }
    return handover_dry_run(**choices), handover_run(**choices)


def test_r10_current_opiate_substitution_and_pending_handovers_move_to_the_new_service(
    cast: Cast, setting: Setting
) -> None:
    # The addictions consultant, Ann's named prescriber, stays with Pathways: only da_worker_in_team transfers.
    course, pending = _methadone_with_pending_handover(cast, setting, cast.addictions_consultant)

    dry, handover = _prepare_and_run(cast, setting, [cast.da_worker_in_team])

    assert dry.plan["moves"]["opiate_substitution"] == 1
    assert dry.plan["moves"]["prescribing_handover"] == 1
    assert any("named prescriber who does not transfer" in w for w in dry.plan["warnings"])
    assert handover.reconciled
    course.refresh_from_db()
    assert course.prescribing_service == setting.new_service
    assert course.prescriber is None  # the new service must name one; nobody is left named who has gone
    assert course.stopped_on is None  # still current: no day of methadone is lost
    pending.refresh_from_db()
    assert pending.to_service == setting.new_service
    assert pending.status == PrescribingStatus.REQUESTED  # still waiting, now for the new service's answer
    opiate_move = handover.moves.get(kind=MoveKind.OPIATE_SUBSTITUTION, record_id=course.public_id)
    assert opiate_move.person_id == cast.ann.pk
    assert "Named prescriber does not transfer" in opiate_move.note
    assert handover.moves.get(kind=MoveKind.PRESCRIBING_HANDOVER, record_id=pending.public_id).person_id == cast.ann.pk
    assert handover.counts_before["opiate_substitutions"] == handover.counts_after["opiate_substitutions"] == 1
    assert handover.counts_before["prescribing_handovers"] == handover.counts_after["prescribing_handovers"] == 1
    entry = AccessLogEntry.objects.get(detail__startswith="provider handover R10", person_public_id=cast.ann.public_id)
    assert "medicines" in entry.parts


def test_r10_a_named_prescriber_who_transfers_stays_named(cast: Cast, setting: Setting) -> None:
    course, pending = _methadone_with_pending_handover(cast, setting, cast.addictions_consultant)

    dry, handover = _prepare_and_run(cast, setting, [cast.da_worker_in_team, cast.addictions_consultant])

    assert not any("named prescriber" in w for w in dry.plan["warnings"])
    assert handover.reconciled
    course.refresh_from_db()
    assert (course.prescribing_service, course.prescriber) == (setting.new_service, cast.addictions_consultant)
    pending.refresh_from_db()
    assert pending.to_service == setting.new_service
    assert handover.moves.get(kind=MoveKind.OPIATE_SUBSTITUTION, record_id=course.public_id).note == ""
    assert handover.moves.filter(kind=MoveKind.PRESCRIBING_HANDOVER, record_id=pending.public_id).exists()
