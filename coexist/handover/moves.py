"""Provider handover (R10), the reads: who and what a handover is about (`Scope`, validated by
`build_scope`), the queries that find what moves, one `Planned` move per record (`plan_moves`), and the
reconciliation counts before and after (`counts_before`, `counts_after`).

Nothing here writes. `coexist.handover.services` uses these for the dry run (`handover_plan`,
`handover_dry_run`) and the run (`handover_run`), so the plan, the move and the counts always agree on
what is in scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coexist.accounts.models import User
from coexist.care.models import CarePlan, CarePlanShare, CarePlanVersion, CareTeamMember, EpisodeOfCare
from coexist.engagement.models import Appointment, Group, GroupEnrolment, GroupSession
from coexist.engagement.rules import Attendance
from coexist.handover.models import Contract, HandoverMove, HandoverStatus, ProviderHandover
from coexist.handover.rules import CountKind, MoveKind, StaffDates, staff_transfer_dates
from coexist.medicines.models import HandoverStatus as PrescribingStatus
from coexist.medicines.models import OpiateSubstitution, PrescribingHandover
from coexist.organisations.models import Membership, Role, Service, Team
from coexist.people.models import Consent, Person
from coexist.referrals.models import OPEN_STATUSES as OPEN_REFERRAL_STATUSES
from coexist.referrals.models import Referral
from coexist.tasks.models import Task
from coexist.transitions.models import OPEN_TRANSITION_STATUSES, Transition

# --- The scope: who and what a handover is about, validated before anything is read or saved -----


@dataclass(frozen=True)
class Scope:
    """Who and what one handover is about: the two contracts and services, their teams, the receiving team
    for each old team, who transfers and who stays, the staff dates, and the moment the plan was made."""

    from_contract: Contract
    to_contract: Contract
    old: Service
    new: Service
    old_teams: dict[int, Team]
    new_teams: dict[int, Team]
    team_map: dict[int, Team]  # old team pk -> receiving team
    default_team: Team
    transferring: frozenset[int]  # user pks
    leaving: frozenset[int]  # user pks: the old service's staff who do not transfer
    leaving_team: dict[int, int]  # leaving user pk -> an old team pk they worked in
    dates: StaffDates
    now: datetime
    today: date

    @property
    def same_organisation(self) -> bool:
        return self.from_contract.provider_id == self.to_contract.provider_id

    def old_label(self, team_id: int | None = None) -> str:
        team = self.old_teams.get(team_id) if team_id is not None else None
        return f"{self.old.name} ({self.from_contract.provider.name})" + (f", {team.name}" if team else "")

    def new_label(self, team: Team | None = None) -> str:
        return f"{self.new.name} ({self.to_contract.provider.name})" + (f", {team.name}" if team else "")

    def receiving(self, old_team_id: int | None) -> Team:
        if old_team_id is None:
            return self.default_team
        return self.team_map.get(old_team_id, self.default_team)


def old_service_staff(contract: Contract, *, on: date | None = None) -> list[User]:
    """Everyone with a team membership in the contract's service on the day (not clinical content)."""
    day = min(on or timezone.localdate(), contract.ends_on)
    ids = Membership.objects.current(day).filter(team__service=contract.service).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username"))


def build_scope(
    *,
    from_contract: Contract,
    to_contract: Contract,
    team_map: Mapping[Team, Team] | None,
    transferring_staff: Iterable[User],
    now: datetime | None = None,
) -> Scope:
    """Validate an administrator's choices (raising ValidationError by field) and gather the scope."""
    errors: dict[str, str] = {}
    now = now or timezone.now()
    today = timezone.localdate(now)
    if from_contract.successor_id != to_contract.pk:
        errors["to_contract"] = f"{to_contract.name} is not recorded as the successor of {from_contract.name}."
    if from_contract.service_id == to_contract.service_id:
        errors["to_contract"] = "The new contract must be for the new provider's own service, not the same service."
    done = ProviderHandover.objects.filter(from_contract=from_contract, status=HandoverStatus.COMPLETED).first()
    if done is not None:
        errors["from_contract"] = (
            f"This contract's caseload was already handed over on {timezone.localtime(done.run_at):%d %B %Y}."
        )
    old_teams = {t.pk: t for t in Team.objects.filter(service_id=from_contract.service_id).order_by("name", "pk")}
    new_teams = {t.pk: t for t in Team.objects.filter(service_id=to_contract.service_id).order_by("name", "pk")}
    if not new_teams:
        errors["team_map"] = (
            f"{to_contract.service.name} has no team yet. Add one in Manage accounts and services first."
        )
    chosen: dict[int, Team] = {}
    for old_team, new_team in (team_map or {}).items():
        if old_team.pk not in old_teams:
            errors["team_map"] = f"{old_team.name} is not a team of {from_contract.service.name}."
        elif new_team.pk not in new_teams:
            errors["team_map"] = f"{new_team.name} is not a team of {to_contract.service.name}."
        else:
            chosen[old_team.pk] = new_team
    staff_day = min(today, from_contract.ends_on)
    memberships = list(
        Membership.objects.current(staff_day)
        .filter(team__service_id=from_contract.service_id)
        .order_by("team__name", "pk")
        .values_list("user_id", "team_id")
    )
    old_staff = {user_id for user_id, _ in memberships}
    transferring = {u.pk for u in transferring_staff}
    strangers = transferring - old_staff
    if strangers:
        errors["transferring_staff"] = (
            f"Only staff of {from_contract.service.name} can transfer with its caseload; "
            f"{len(strangers)} chosen {'is' if len(strangers) == 1 else 'are'} not."
        )
    if Group.objects.filter(
        service_id=from_contract.service_id,
        name__in=Group.objects.filter(service_id=to_contract.service_id).values("name"),
    ).exists():
        errors["from_contract"] = (
            f"{to_contract.service.name} already runs a group with the same name as one of "
            f"{from_contract.service.name}'s. Rename one of them first."
        )
    if errors:
        raise ValidationError(errors)
    default_team = next(iter(new_teams.values()))
    leaving_team: dict[int, int] = {}
    for user_id, team_id in memberships:
        if user_id not in transferring:
            leaving_team.setdefault(user_id, team_id)
    return Scope(
        from_contract=from_contract,
        to_contract=to_contract,
        old=from_contract.service,
        new=to_contract.service,
        old_teams=old_teams,
        new_teams=new_teams,
        team_map={pk: chosen.get(pk, default_team) for pk in old_teams},
        default_team=default_team,
        transferring=frozenset(transferring),
        leaving=frozenset(leaving_team),
        leaving_team=leaving_team,
        dates=staff_transfer_dates(contract_ends_on=from_contract.ends_on, run_on=today),
        now=now,
        today=today,
    )


# --- What is in scope, as querysets (the same for the plan, the move and the counts) -------------


def _episodes(s: Scope) -> models.QuerySet[EpisodeOfCare]:
    return EpisodeOfCare.objects.open().filter(service=s.old)


def _people(s: Scope) -> models.QuerySet[Any]:
    """R10: the caseload is the people with an open episode in the old service."""
    return _episodes(s).values("person_id")


def _referrals(s: Scope) -> models.QuerySet[Referral]:
    return Referral.objects.open().filter(to_service=s.old)


def _tasks(s: Scope) -> models.QuerySet[Task]:
    return Task.objects.open().filter(Q(assigned_team_id__in=list(s.old_teams)) | Q(assigned_to_id__in=s.leaving))


def _appointments(s: Scope) -> models.QuerySet[Appointment]:
    return Appointment.objects.filter(
        service=s.old, status=Attendance.BOOKED, starts_at__gte=s.now, rebook_flagged_at__isnull=True
    )


def _care_team(s: Scope) -> models.QuerySet[CareTeamMember]:
    end = s.dates.old_membership_ends_on
    return CareTeamMember.objects.current(s.today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=end), user_id__in=s.leaving
    )


def _opiates(s: Scope) -> models.QuerySet[OpiateSubstitution]:
    return OpiateSubstitution.objects.filter(prescribing_service=s.old, stopped_on__isnull=True)


def _prescribing(s: Scope) -> models.QuerySet[PrescribingHandover]:
    return PrescribingHandover.objects.filter(to_service=s.old, status=PrescribingStatus.REQUESTED)


def _groups(s: Scope) -> models.QuerySet[Group]:
    return Group.objects.filter(service=s.old)


def leaving_facilitators(s: Scope) -> models.QuerySet[Any]:
    """Future group-session facilitator places held by staff who do not transfer (through-table rows)."""
    through = GroupSession.facilitators.through
    return through.objects.filter(
        groupsession__group__service=s.old,
        groupsession__starts_at__gte=s.now,
        groupsession__cancelled_at__isnull=True,
        user_id__in=s.leaving,
    )


def _transfers(s: Scope) -> models.QuerySet[Transition]:
    return Transition.objects.filter(status__in=OPEN_TRANSITION_STATUSES, to_team_id__in=list(s.old_teams))


def _staff(s: Scope) -> models.QuerySet[Membership]:
    end = s.dates.old_membership_ends_on
    return Membership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=end),
        team_id__in=list(s.old_teams),
        user_id__in=s.transferring,
        started_on__lte=min(s.today, s.from_contract.ends_on),
    )


def consents_to_old(s: Scope) -> models.QuerySet[Consent]:
    """Current consents of the caseload to share with the old provider (they do not pass to the new one)."""
    if s.same_organisation:
        return Consent.objects.none()
    return Consent.objects.current(s.today).filter(organisation_id=s.from_contract.provider_id, person__in=_people(s))


# --- What will move: one planned move per record, used by both the dry run and the run -----------


@dataclass(frozen=True)
class Planned:
    """One record the handover will change: what, whose, from where to where, and what the update sets."""

    kind: MoveKind
    pk: int
    record_id: UUID
    person_id: int | None
    moved_from: str
    moved_to: str
    note: str = ""
    target: tuple[Any, ...] = ()  # what the update sets; moves with the same target are updated together


def _plan_episodes(s: Scope) -> list[Planned]:
    planned = []
    for pk, public_id, person_id, team_id, coordinator_id in _episodes(s).values_list(
        "pk", "public_id", "person_id", "team_id", "coordinator_id"
    ):
        to = s.receiving(team_id)
        clear = coordinator_id is not None and coordinator_id in s.leaving
        note = "Care coordinator does not transfer: cleared, on the receiving team leader's list (R3)" if clear else ""
        planned.append(
            Planned(
                MoveKind.EPISODE, pk, public_id, person_id, s.old_label(team_id), s.new_label(to), note, (to.pk, clear)
            )
        )
    return planned


def _plan_referrals(s: Scope) -> list[Planned]:
    return [
        Planned(MoveKind.REFERRAL, pk, public_id, person_id, s.old_label(), s.new_label())
        for pk, public_id, person_id in _referrals(s).values_list("pk", "public_id", "person_id")
    ]


def _plan_tasks(s: Scope, episodes: list[Planned]) -> list[Planned]:
    episode_team = {p.pk: int(p.target[0]) for p in episodes}
    planned = []
    rows = _tasks(s).values_list("pk", "public_id", "person_id", "episode_id", "assigned_to_id", "assigned_team_id")
    for pk, public_id, person_id, episode_id, assigned_to_id, team_id in rows:
        worker_leaves = assigned_to_id is not None and assigned_to_id in s.leaving
        new_worker = None if worker_leaves else assigned_to_id
        note = "Assigned worker does not transfer: now the receiving team's" if worker_leaves else ""
        if team_id in s.old_teams:
            new_team_id: int | None = s.receiving(team_id).pk
        elif worker_leaves and episode_id in episode_team:
            new_team_id = episode_team[episode_id]
        elif worker_leaves and team_id is None:
            new_team_id = s.receiving(s.leaving_team.get(assigned_to_id)).pk
        else:
            new_team_id = team_id  # owned by another organisation's team: it stays theirs
        from_label = (
            s.old_label(team_id) if team_id in s.old_teams else f"a worker of {s.old.name} who does not transfer"
        )
        to_team = s.new_teams.get(new_team_id) if new_team_id is not None else None
        to_label = s.new_label(to_team) if to_team is not None else "the team that already owns it"
        planned.append(
            Planned(MoveKind.TASK, pk, public_id, person_id, from_label, to_label, note, (new_worker, new_team_id))
        )
    return planned


def _plan_appointments(s: Scope) -> list[Planned]:
    planned = []
    rows = _appointments(s).values_list("pk", "public_id", "person_id", "staff_id", "starts_at", "episode_id")
    for pk, public_id, person_id, staff_id, starts_at, episode_id in rows:
        if staff_id in s.transferring:
            planned.append(
                Planned(
                    MoveKind.APPOINTMENT,
                    pk,
                    public_id,
                    person_id,
                    s.old_label(),
                    s.new_label(),
                    "",
                    (starts_at, episode_id),
                )
            )
        else:
            planned.append(
                Planned(
                    MoveKind.APPOINTMENT_REBOOK,
                    pk,
                    public_id,
                    person_id,
                    s.old_label(),
                    "flagged for rebooking with " + s.new_label(),
                    "The worker does not transfer: kept and flagged, never deleted",
                    (starts_at, episode_id),
                )
            )
    return planned


def _plan_care_team(s: Scope) -> list[Planned]:
    end = s.dates.old_membership_ends_on
    return [
        Planned(
            MoveKind.CARE_TEAM_ENDED,
            pk,
            public_id,
            person_id,
            s.old_label(),
            f"place ends on {end:%d %B %Y}",
            "The worker does not transfer",
            (max(end, started_on),),
        )
        for pk, public_id, person_id, started_on in _care_team(s).values_list(
            "pk", "public_id", "person_id", "started_on"
        )
    ]


def _plan_opiates(s: Scope) -> list[Planned]:
    planned = []
    for pk, public_id, person_id, prescriber_id in _opiates(s).values_list(
        "pk", "public_id", "person_id", "prescriber_id"
    ):
        clear = prescriber_id is not None and prescriber_id in s.leaving
        note = "Named prescriber does not transfer: the new service names one" if clear else ""
        planned.append(
            Planned(
                MoveKind.OPIATE_SUBSTITUTION, pk, public_id, person_id, s.old_label(), s.new_label(), note, (clear,)
            )
        )
    return planned


def _plan_prescribing(s: Scope) -> list[Planned]:
    return [
        Planned(MoveKind.PRESCRIBING_HANDOVER, pk, public_id, person_id, s.old_label(), s.new_label())
        for pk, public_id, person_id in _prescribing(s).values_list("pk", "public_id", "person_id")
    ]


def _plan_groups(s: Scope) -> list[Planned]:
    return [
        Planned(MoveKind.GROUP, pk, public_id, None, s.old_label(), s.new_label(), "Enrolments stay")
        for pk, public_id in _groups(s).values_list("pk", "public_id")
    ]


def _plan_facilitators(s: Scope) -> list[Planned]:
    return [
        Planned(
            MoveKind.FACILITATOR_REMOVED,
            pk,
            public_id,
            None,
            s.old_label(),
            "no longer facilitates",
            "The facilitator does not transfer",
        )
        for pk, public_id in leaving_facilitators(s).values_list("pk", "groupsession__public_id")
    ]


def _plan_transfers(s: Scope) -> list[Planned]:
    planned = []
    for pk, public_id, person_id, team_id in _transfers(s).values_list("pk", "public_id", "person_id", "to_team_id"):
        to = s.receiving(team_id)
        planned.append(
            Planned(MoveKind.TRANSFER, pk, public_id, person_id, s.old_label(team_id), s.new_label(to), "", (to.pk,))
        )
    return planned


def _plan_staff(s: Scope) -> list[Planned]:
    end, starts = s.dates.old_membership_ends_on, s.dates.new_membership_starts_on
    planned = []
    for pk, user_id, team_id, role, started_on in _staff(s).values_list(
        "pk", "user_id", "team_id", "role", "started_on"
    ):
        to = s.receiving(team_id)
        planned.append(
            Planned(
                MoveKind.STAFF,
                pk,
                uuid4(),
                None,
                f"{s.old_label(team_id)} until {end:%d %B %Y}",
                f"{s.new_label(to)} from {starts:%d %B %Y}",
                Role(role).label,
                (user_id, to.pk, role, max(end, started_on)),
            )
        )
    return planned


MOVE_ORDER: tuple[MoveKind, ...] = (
    MoveKind.EPISODE,
    MoveKind.REFERRAL,
    MoveKind.TASK,
    MoveKind.APPOINTMENT,
    MoveKind.APPOINTMENT_REBOOK,
    MoveKind.CARE_TEAM_ENDED,
    MoveKind.OPIATE_SUBSTITUTION,
    MoveKind.PRESCRIBING_HANDOVER,
    MoveKind.GROUP,
    MoveKind.FACILITATOR_REMOVED,
    MoveKind.TRANSFER,
    MoveKind.STAFF,
)


def plan_moves(s: Scope) -> dict[MoveKind, list[Planned]]:
    """Every planned move, by kind (every kind present, possibly empty). Reads only."""
    episodes = _plan_episodes(s)
    appointments = _plan_appointments(s)
    return {
        MoveKind.EPISODE: episodes,
        MoveKind.REFERRAL: _plan_referrals(s),
        MoveKind.TASK: _plan_tasks(s, episodes),
        MoveKind.APPOINTMENT: [p for p in appointments if p.kind == MoveKind.APPOINTMENT],
        MoveKind.APPOINTMENT_REBOOK: [p for p in appointments if p.kind == MoveKind.APPOINTMENT_REBOOK],
        MoveKind.CARE_TEAM_ENDED: _plan_care_team(s),
        MoveKind.OPIATE_SUBSTITUTION: _plan_opiates(s),
        MoveKind.PRESCRIBING_HANDOVER: _plan_prescribing(s),
        MoveKind.GROUP: _plan_groups(s),
        MoveKind.FACILITATOR_REMOVED: _plan_facilitators(s),
        MoveKind.TRANSFER: _plan_transfers(s),
        MoveKind.STAFF: _plan_staff(s),
    }


# --- Counts before and after: equal when nothing was lost (R10) ----------------------------------


def counts_before(s: Scope) -> dict[str, int]:
    """The reconciliation counts by CountKind, where the records are before the move."""
    people = _people(s)
    return {
        CountKind.PEOPLE: Person.objects.filter(pk__in=people).count(),
        CountKind.EPISODES: _episodes(s).count(),
        CountKind.EPISODE_HISTORY: EpisodeOfCare.objects.filter(person__in=people).count(),
        CountKind.REFERRALS: _referrals(s).count(),
        CountKind.CLOSED_REFERRALS: _closed_referrals(s).count(),
        CountKind.TASKS: _tasks(s).count(),
        CountKind.APPOINTMENTS: _appointments(s).count(),
        CountKind.CARE_TEAM: _care_team(s).count(),
        **_document_counts(people),
        CountKind.OPIATE_SUBSTITUTIONS: _opiates(s).count(),
        CountKind.PRESCRIBING_HANDOVERS: _prescribing(s).count(),
        CountKind.GROUPS: _groups(s).count(),
        CountKind.GROUP_ENROLMENTS: GroupEnrolment.objects.current().filter(group__in=_groups(s)).count(),
        CountKind.TRANSFERS: _transfers(s).count(),
        CountKind.STAFF: _staff(s).count(),
    }


def _closed_referrals(s: Scope) -> models.QuerySet[Referral]:
    """History stays with the old service: closed referrals are counted to show they did not move."""
    return Referral.objects.filter(to_service=s.old).exclude(status__in=OPEN_REFERRAL_STATUSES)


def _document_counts(people: models.QuerySet[Any]) -> dict[str, int]:
    return {
        CountKind.CARE_PLANS: CarePlan.objects.filter(person__in=people).count(),
        CountKind.CARE_PLAN_VERSIONS: CarePlanVersion.objects.filter(plan__person__in=people).count(),
        CountKind.CARE_PLAN_SHARES: CarePlanShare.objects.filter(version__plan__person__in=people).count(),
        CountKind.CONSENTS: Consent.objects.filter(person__in=people).count(),
    }


def counts_after(s: Scope, handover: ProviderHandover) -> dict[str, int]:
    """The same kinds, counted where the move says each record now is (through its HandoverMove rows)."""

    def moved(*kinds: MoveKind) -> models.QuerySet[Any]:
        return HandoverMove.objects.filter(handover=handover, kind__in=kinds).values("record_id")

    people = HandoverMove.objects.filter(handover=handover, kind=MoveKind.EPISODE).values("person_id")
    new_teams = list(s.new_teams)
    end = s.dates.old_membership_ends_on
    return {
        CountKind.PEOPLE: Person.objects.filter(pk__in=people).count(),
        CountKind.EPISODES: EpisodeOfCare.objects.open()
        .filter(public_id__in=moved(MoveKind.EPISODE), service=s.new, team_id__in=new_teams)
        .exclude(coordinator_id__in=s.leaving)
        .count(),
        CountKind.EPISODE_HISTORY: EpisodeOfCare.objects.filter(person__in=people).count(),
        CountKind.REFERRALS: Referral.objects.open()
        .filter(public_id__in=moved(MoveKind.REFERRAL), to_service=s.new)
        .count(),
        CountKind.CLOSED_REFERRALS: _closed_referrals(s).count(),
        CountKind.TASKS: Task.objects.open()
        .filter(public_id__in=moved(MoveKind.TASK))
        .exclude(assigned_to_id__in=s.leaving)
        .exclude(assigned_team_id__in=list(s.old_teams))
        .count(),
        CountKind.APPOINTMENTS: Appointment.objects.filter(status=Attendance.BOOKED)
        .filter(
            Q(public_id__in=moved(MoveKind.APPOINTMENT), service=s.new)
            | Q(public_id__in=moved(MoveKind.APPOINTMENT_REBOOK), service=s.old, rebook_flagged_at__isnull=False)
        )
        .count(),
        CountKind.CARE_TEAM: CareTeamMember.objects.filter(
            public_id__in=moved(MoveKind.CARE_TEAM_ENDED), ended_on__isnull=False
        )
        .filter(Q(ended_on=end) | Q(ended_on=models.F("started_on")))
        .count(),
        **_document_counts(people),
        CountKind.OPIATE_SUBSTITUTIONS: OpiateSubstitution.objects.filter(
            public_id__in=moved(MoveKind.OPIATE_SUBSTITUTION), prescribing_service=s.new, stopped_on__isnull=True
        ).count(),
        CountKind.PRESCRIBING_HANDOVERS: PrescribingHandover.objects.filter(
            public_id__in=moved(MoveKind.PRESCRIBING_HANDOVER), to_service=s.new, status=PrescribingStatus.REQUESTED
        ).count(),
        CountKind.GROUPS: Group.objects.filter(public_id__in=moved(MoveKind.GROUP), service=s.new).count(),
        CountKind.GROUP_ENROLMENTS: GroupEnrolment.objects.current()
        .filter(group__public_id__in=moved(MoveKind.GROUP), group__service=s.new)
        .count(),
        CountKind.TRANSFERS: Transition.objects.filter(
            public_id__in=moved(MoveKind.TRANSFER), status__in=OPEN_TRANSITION_STATUSES, to_team_id__in=new_teams
        ).count(),
        CountKind.STAFF: Membership.objects.filter(
            public_id__in=moved(MoveKind.STAFF),
            team_id__in=new_teams,
            started_on=s.dates.new_membership_starts_on,
        ).count(),
    }
