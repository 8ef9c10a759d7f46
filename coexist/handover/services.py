"""Provider handover (R10): when a commissioned provider's contract ends, its open caseload moves to the
successor contract's service with nothing lost, with an audit row per record moved and an access-log
entry per person.

`handover_plan` reads and decides what would move (the queries, the planned moves and the counts are in
`coexist.handover.moves`); `handover_dry_run` stores that plan; `handover_run` moves everything in ONE
transaction (counts before, bulk updates, a HandoverMove per record, counts after) or, if anything fails,
nothing at all, and records the failure afterwards in its own transaction.

Who: an administrator (a current ADMINISTRATOR membership, or a Django superuser: `is_administrator`).
Administrators never read clinical content, so the plan and the report hold counts, service and team
names and record kinds only. The people whose records move get an access-log write entry each; the
permission function is not asked per person because the handover is an organisational change made
under the commissioning contract, not an act of care (see the hazard log and the final report).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.advice.models import AdviceRequest, AdviceStatus
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.engagement.models import Appointment, Group, GroupSession
from coexist.handover.models import Contract, HandoverMove, HandoverStatus, ProviderHandover
from coexist.handover.moves import (
    MOVE_ORDER,
    Planned,
    Scope,
    build_scope,
    consents_to_old,
    counts_after,
    counts_before,
    leaving_facilitators,
    plan_moves,
)
from coexist.handover.rules import MoveKind, ask_consent_due, rebook_due
from coexist.inpatient.models import Admission
from coexist.medicines.models import OpiateSubstitution, PrescribingHandover
from coexist.organisations.models import Membership, Role, Team
from coexist.organisations.selectors import is_administrator
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.referrals.models import Referral
from coexist.tasks.models import Priority, Task
from coexist.transitions.models import Transition

ADMINISTRATORS_ONLY = AccessDecision(False, "Only an administrator may prepare or run a provider handover.")
CHUNK = 1000
T = TypeVar("T")
ProgressCallback = Callable[[str, int], None]

# Which part of the person's record each kind of move changes, for the access log.
_PARTS: Mapping[str, RecordPart] = {
    MoveKind.EPISODE: RecordPart.EPISODES,
    MoveKind.REFERRAL: RecordPart.EPISODES,
    MoveKind.TASK: RecordPart.EPISODES,
    MoveKind.APPOINTMENT: RecordPart.EPISODES,
    MoveKind.APPOINTMENT_REBOOK: RecordPart.EPISODES,
    MoveKind.CARE_TEAM_ENDED: RecordPart.EPISODES,
    MoveKind.TRANSFER: RecordPart.EPISODES,
    MoveKind.OPIATE_SUBSTITUTION: RecordPart.MEDICINES,
    MoveKind.PRESCRIBING_HANDOVER: RecordPart.MEDICINES,
}


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _require_administrator(by: User) -> None:
    if not is_administrator(by):
        raise AccessRefused(ADMINISTRATORS_ONLY)


# --- The plan (dry run) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverPlan:
    """What a handover would move, in counts, service and team names and record kinds only: never names
    of people or clinical content (administrators see no clinical record)."""

    from_contract: str
    to_contract: str
    from_service: str
    to_service: str
    moves: dict[str, int]
    samples: dict[str, list[str]]
    people: int
    counts_before: dict[str, int]
    team_map: dict[str, str]  # old team public id -> receiving team public id
    team_map_names: dict[str, str]
    transferring_staff: list[str]  # user public ids
    transferring_names: list[str]
    staying_names: list[str]
    old_membership_ends_on: str
    new_membership_starts_on: str
    coordinators_cleared: int
    rebooking_people: int
    consent_people: int
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _sample(planned: list[Planned], n: int = 3) -> list[str]:
    return [f"{p.kind.replace('_', ' ')} {str(p.record_id)[:8]}: {p.moved_from} to {p.moved_to}" for p in planned[:n]]


def _warnings(s: Scope, planned: dict[MoveKind, list[Planned]], coordinators: int, consents: int) -> list[str]:
    warnings = []
    if s.today <= s.from_contract.ends_on:
        warnings.append(
            f"The contract ends on {s.from_contract.ends_on:%d %B %Y}. Records move when you run the handover; "
            f"transferring staff join their new teams on {s.dates.new_membership_starts_on:%d %B %Y}."
        )
    if coordinators:
        warnings.append(
            f"{coordinators} open episode{'s' if coordinators != 1 else ''} will have no care coordinator because "
            "theirs does not transfer. They go on the receiving team leader's list of episodes without a "
            "coordinator (R3) until one is named."
        )
    leaders = set(
        Membership.objects.current(s.dates.new_membership_starts_on)
        .filter(team_id__in=list(s.new_teams), role=Role.TEAM_LEADER)
        .values_list("team_id", flat=True)
    )
    receiving = {t.pk: t for t in s.team_map.values()}
    for team_id, team in receiving.items():
        if team_id not in leaders:
            warnings.append(f"{team.name} has no team leader on the handover date: nobody will see its R3 list.")
    rebook = planned[MoveKind.APPOINTMENT_REBOOK]
    if rebook:
        people = len({p.person_id for p in rebook})
        warnings.append(
            f"{len(rebook)} future appointment{'s are' if len(rebook) != 1 else ' is'} with staff who do not transfer: "
            f"kept and flagged for rebooking, with a task for the receiving team for each of {people} "
            f"{'people' if people != 1 else 'person'}."
        )
    if consents:
        warnings.append(
            f"{consents} {'people have' if consents != 1 else 'person has'} agreed to share with "
            f"{s.from_contract.provider.name}. Consent does not pass to {s.to_contract.provider.name}: ask again. "
            "A task per person goes to the receiving team."
        )
    caseload = {p.person_id for p in planned[MoveKind.EPISODE]}
    outside = {p.person_id for p in planned[MoveKind.CARE_TEAM_ENDED]} - caseload
    if outside:
        warnings.append(
            f"{len(outside)} {'people' if len(outside) != 1 else 'person'} outside the caseload lose a care team "
            f"member from {s.old.name} who does not transfer; their own services keep their care."
        )
    lonely = (
        GroupSession.objects.filter(
            pk__in=leaving_facilitators(s).values("groupsession_id"),
        )
        .exclude(facilitators__in=User.objects.exclude(pk__in=s.leaving))
        .count()
    )
    if lonely:
        warnings.append(f"{lonely} future group session{'s' if lonely != 1 else ''} will have no facilitator left.")
    cleared = sum(1 for p in planned[MoveKind.OPIATE_SUBSTITUTION] if p.target and p.target[0])
    if cleared:
        warnings.append(
            f"{cleared} opiate substitution course{'s' if cleared != 1 else ''} had a named prescriber who does not "
            "transfer: the new service must name one."
        )
    advice = AdviceRequest.objects.filter(status=AdviceStatus.OPEN, consultant_id__in=s.leaving).count()
    if advice:
        warnings.append(
            f"{advice} open advice request{'s are' if advice != 1 else ' is'} addressed to a consultant who does "
            "not transfer. Their tasks move to the receiving team; the asker should ask again."
        )
    admissions = Admission.objects.filter(discharged_at__isnull=True, ward_substance_worker_id__in=s.leaving).count()
    if admissions:
        warnings.append(
            f"{admissions} current admission{'s have' if admissions != 1 else ' has'} a ward substance worker who "
            "does not transfer: the ward should ask the new provider for one (R9)."
        )
    if s.leaving:
        warnings.append(
            f"{len(s.leaving)} member{'s' if len(s.leaving) != 1 else ''} of staff stay with "
            f"{s.from_contract.provider.name}: their team memberships are not changed here."
        )
    return warnings


def handover_plan(
    *,
    from_contract: Contract,
    to_contract: Contract,
    team_map: Mapping[Team, Team] | None,
    transferring_staff: Iterable[User],
) -> HandoverPlan:
    """R10: what a handover would move (a pure read). Raises ValidationError for a handover that cannot run."""
    s = build_scope(
        from_contract=from_contract, to_contract=to_contract, team_map=team_map, transferring_staff=transferring_staff
    )
    return _plan_from(s, plan_moves(s))


def _plan_from(s: Scope, planned: dict[MoveKind, list[Planned]]) -> HandoverPlan:
    coordinators = sum(1 for p in planned[MoveKind.EPISODE] if p.target[1])
    consents = consents_to_old(s).values("person_id").distinct().count()
    person_ids = {p.person_id for moves in planned.values() for p in moves if p.person_id is not None}
    users = {u.pk: u for u in User.objects.filter(pk__in=s.transferring | s.leaving)}
    return HandoverPlan(
        from_contract=str(s.from_contract),
        to_contract=str(s.to_contract),
        from_service=s.old_label(),
        to_service=s.new_label(),
        moves={kind.value: len(planned[kind]) for kind in MOVE_ORDER},
        samples={kind.value: _sample(planned[kind]) for kind in MOVE_ORDER},
        people=len(person_ids),
        counts_before=counts_before(s),
        team_map={str(s.old_teams[old].public_id): str(new.public_id) for old, new in s.team_map.items()},
        team_map_names={s.old_teams[old].name: new.name for old, new in s.team_map.items()},
        transferring_staff=sorted(str(users[pk].public_id) for pk in s.transferring if pk in users),
        transferring_names=sorted(users[pk].display_name for pk in s.transferring if pk in users),
        staying_names=sorted(users[pk].display_name for pk in s.leaving if pk in users),
        old_membership_ends_on=s.dates.old_membership_ends_on.isoformat(),
        new_membership_starts_on=s.dates.new_membership_starts_on.isoformat(),
        coordinators_cleared=coordinators,
        rebooking_people=len({p.person_id for p in planned[MoveKind.APPOINTMENT_REBOOK]}),
        consent_people=consents,
        warnings=_warnings(s, planned, coordinators, consents),
    )


def handover_dry_run(
    *,
    from_contract: Contract,
    to_contract: Contract,
    team_map: Mapping[Team, Team] | None,
    transferring_staff: Iterable[User],
    by: User,
) -> ProviderHandover:
    """R10: store what a handover would move, changing nothing else. Administrators only."""
    _require_administrator(by)
    plan = handover_plan(
        from_contract=from_contract, to_contract=to_contract, team_map=team_map, transferring_staff=transferring_staff
    )
    return ProviderHandover.objects.create(
        from_contract=from_contract,
        to_contract=to_contract,
        status=HandoverStatus.DRY_RUN,
        run_by=by,
        plan=plan.as_json(),
        counts_before=plan.counts_before,
    )


def choices_from_dry_run(dry_run: ProviderHandover) -> tuple[dict[Team, Team], list[User]]:
    """The team map and transferring staff an administrator chose for a dry run, to run it as planned."""
    stored = dry_run.plan.get("team_map", {})
    teams = {str(t.public_id): t for t in Team.objects.filter(public_id__in=[*stored, *stored.values()])}
    team_map = {teams[old]: teams[new] for old, new in stored.items() if old in teams and new in teams}
    staff = list(User.objects.filter(public_id__in=dry_run.plan.get("transferring_staff", [])))
    return team_map, staff


# --- The run -------------------------------------------------------------------------------------


def _update(model: type[models.Model], planned: list[Planned], **values: Any) -> None:
    ids = [p.pk for p in planned]
    for chunk in _chunks(ids):
        model._default_manager.filter(pk__in=chunk).update(**values)


def _by_target(planned: list[Planned]) -> dict[tuple[Any, ...], list[Planned]]:
    groups: dict[tuple[Any, ...], list[Planned]] = defaultdict(list)
    for p in planned:
        groups[p.target].append(p)
    return groups


def _history(
    model: type[models.Model], handover: ProviderHandover, kinds: Iterable[MoveKind], *, by: User, reason: str
) -> None:
    """Keep the change history (STYLE 6) of models that have one: one historical row per moved record, as
    simple-history writes it (type "~", who, when, why), in a single INSERT ... SELECT so that 10,000 rows
    cost one statement rather than 10,000 objects."""
    history = model.history.model  # type: ignore[attr-defined]
    columns = [f.column for f in model._meta.concrete_fields]
    moved = HandoverMove.objects.filter(handover=handover, kind__in=list(kinds)).values("record_id")
    select = (
        model._default_manager.filter(public_id__in=moved)
        .annotate(
            _history_date=models.Value(timezone.now(), output_field=models.DateTimeField()),
            _history_type=models.Value("~", output_field=models.CharField()),
            _history_user=models.Value(by.pk, output_field=models.IntegerField()),
            _history_reason=models.Value(reason[:100], output_field=models.CharField()),
        )
        .values_list(
            *[f.attname for f in model._meta.concrete_fields],
            "_history_date",
            "_history_type",
            "_history_user",
            "_history_reason",
        )
    )
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    targets = [*columns, "history_date", "history_type", "history_user_id", "history_change_reason"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in targets)}) {sql}",
            params,
        )


def _apply(s: Scope, kind: MoveKind, planned: list[Planned], *, by: User, reason: str) -> None:
    if kind == MoveKind.EPISODE:
        for (team_id, clear), group in _by_target(planned).items():
            extra: dict[str, Any] = {"coordinator": None, "coordinator_since": None} if clear else {}
            _update(EpisodeOfCare, group, service=s.new, team_id=team_id, **extra)
    elif kind == MoveKind.REFERRAL:
        _update(Referral, planned, to_service=s.new)
    elif kind == MoveKind.TASK:
        for (worker_id, team_id), group in _by_target(planned).items():
            _update(Task, group, assigned_to_id=worker_id, assigned_team_id=team_id)
    elif kind == MoveKind.APPOINTMENT:
        _update(Appointment, planned, service=s.new)
    elif kind == MoveKind.APPOINTMENT_REBOOK:
        why = f"R10: {s.old.name}'s contract ended and the worker did not transfer to {s.new.name}. Rebook."
        _update(Appointment, planned, rebook_flagged_at=s.now, rebook_reason=why[:300])
    elif kind == MoveKind.CARE_TEAM_ENDED:
        for (ended_on,), group in _by_target(planned).items():
            _update(CareTeamMember, group, ended_on=ended_on)
    elif kind == MoveKind.OPIATE_SUBSTITUTION:
        for (clear,), group in _by_target(planned).items():
            _update(OpiateSubstitution, group, prescribing_service=s.new, **({"prescriber": None} if clear else {}))
    elif kind == MoveKind.PRESCRIBING_HANDOVER:
        _update(PrescribingHandover, planned, to_service=s.new)
    elif kind == MoveKind.GROUP:
        _update(Group, planned, service=s.new)
    elif kind == MoveKind.FACILITATOR_REMOVED:
        through = GroupSession.facilitators.through
        for chunk in _chunks([p.pk for p in planned]):
            through.objects.filter(pk__in=chunk).delete()
    elif kind == MoveKind.TRANSFER:
        for (team_id,), group in _by_target(planned).items():
            _update(Transition, group, to_team_id=team_id)
    elif kind == MoveKind.STAFF:
        Membership.objects.bulk_create(
            [
                Membership(
                    public_id=p.record_id,
                    user_id=p.target[0],
                    team_id=p.target[1],
                    role=p.target[2],
                    started_on=s.dates.new_membership_starts_on,
                )
                for p in planned
            ]
        )
        for (_user, _team, _role, ended_on), group in _by_target(planned).items():
            _update(Membership, group, ended_on=ended_on)


def _log_people(s: Scope, planned: dict[MoveKind, list[Planned]], *, by: User, channel: Channel) -> int:
    """One access-log write entry per person whose record the handover changed (bulk; the log is append-only)."""
    parts: dict[int, set[str]] = defaultdict(set)
    for kind, moves in planned.items():
        for p in moves:
            if p.person_id is not None:
                parts[p.person_id].add(_PARTS.get(kind, RecordPart.EPISODES))
    public_ids = dict(
        row
        for chunk in _chunks(list(parts))
        for row in Person.objects.filter(pk__in=chunk).values_list("pk", "public_id")
    )
    by_parts: dict[tuple[str, ...], list[UUID]] = defaultdict(list)
    for person_id, person_parts in parts.items():
        by_parts[tuple(sorted(person_parts))].append(public_ids[person_id])
    detail = f"provider handover R10: {s.old_label()} to {s.new_label()}"
    logged = 0
    for part_names, ids in by_parts.items():
        logged += access_log_append(
            actor=by,
            person_ids=ids,
            action=Action.WRITE,
            parts=part_names,
            outcome=Outcome.ALLOWED,
            basis="provider handover (R10) run by an administrator under the commissioning contract",
            channel=channel,
            detail=detail,
            purpose="continuity of care when a provider's contract ends (R10)",
        )
    return logged


def _tasks_for_receiving_team(
    s: Scope, planned: dict[MoveKind, list[Planned]], *, consenting: set[int], by: User
) -> list[Task]:
    """R10: one task per person to rebook flagged appointments, and one per person to ask again for consent.

    Built in bulk (`task_create` makes one at a time); the fields are the ones task_create sets."""
    episode_of: dict[int, tuple[int, int]] = {}  # person pk -> (episode pk, receiving team pk)
    for p in planned[MoveKind.EPISODE]:
        episode_of.setdefault(int(p.person_id or 0), (p.pk, int(p.target[0])))
    tasks: list[Task] = []
    first: dict[int, tuple[datetime, int | None]] = {}
    for p in planned[MoveKind.APPOINTMENT_REBOOK]:
        starts_at, episode_id = p.target
        person_id = int(p.person_id or 0)
        if person_id not in first or starts_at < first[person_id][0]:
            first[person_id] = (starts_at, episode_id)
    for person_id, (starts_at, _episode) in first.items():
        episode_id, team_id = episode_of.get(person_id, (None, s.default_team.pk))
        due = rebook_due(now=s.now, first_appointment_at=starts_at)
        tasks.append(
            Task(
                person_id=person_id,
                episode_id=episode_id,
                rule="R10",
                title=f"Rebook appointments with {s.new.name}"[:200],
                detail=(
                    f"{s.old.name}'s contract ended and the worker booked does not transfer. The appointments are "
                    "kept and flagged for rebooking; rebook each with a worker of the new provider and tell the "
                    "person by their chosen contact method (R11)."
                ),
                priority=Priority.SOON if (starts_at - s.now).days < 7 else Priority.ROUTINE,
                due_at=due,
                assigned_team_id=team_id,
                created_by=by,
            )
        )
    for person_id in sorted(consenting):
        episode_id, team_id = episode_of.get(person_id, (None, s.default_team.pk))
        tasks.append(
            Task(
                person_id=person_id,
                episode_id=episode_id,
                rule="R10",
                title=f"Ask whether they agree to share their record with {s.to_contract.provider.name}"[:200],
                detail=(
                    f"They agreed to share with {s.from_contract.provider.name}, not with its successor: that "
                    f"consent does not pass to {s.to_contract.provider.name}. Ask what they agree to share now, and "
                    "whether to withdraw the old consent."
                ),
                priority=Priority.ROUTINE,
                due_at=ask_consent_due(now=s.now),
                assigned_team_id=team_id,
                created_by=by,
            )
        )
    return Task.objects.bulk_create(tasks, batch_size=CHUNK)


def handover_run(
    *,
    from_contract: Contract,
    to_contract: Contract,
    team_map: Mapping[Team, Team] | None,
    transferring_staff: Iterable[User],
    by: User,
    channel: Channel = Channel.PAGE,
    on_progress: ProgressCallback | None = None,
) -> ProviderHandover:
    """R10: move the ending contract's open caseload to its successor's service in ONE transaction.

    Counts before; bulk updates kind by kind (calling `on_progress(kind, n)` after each); a HandoverMove per
    record moved; an access-log entry per person; R10 tasks for rebooking and for asking consent again;
    counts after. If anything fails, nothing has moved: the transaction rolls back, and a separate
    ProviderHandover row with status failed and the error is written afterwards in its own transaction."""
    _require_administrator(by)
    staff = list(transferring_staff)
    s = build_scope(from_contract=from_contract, to_contract=to_contract, team_map=team_map, transferring_staff=staff)
    reason = f"provider handover R10: {s.old.name} to {s.new.name}"
    try:
        with transaction.atomic():
            # One handover of a contract at a time: a second run waits here, then finds this one completed.
            Contract.objects.select_for_update().filter(pk=from_contract.pk).get()
            if ProviderHandover.objects.filter(from_contract=from_contract, status=HandoverStatus.COMPLETED).exists():
                raise ValidationError({"from_contract": "This contract's caseload was already handed over."})
            planned = plan_moves(s)
            plan = _plan_from(s, planned)
            consenting = set(consents_to_old(s).values_list("person_id", flat=True))  # before the caseload moves
            handover = ProviderHandover.objects.create(
                from_contract=from_contract,
                to_contract=to_contract,
                status=HandoverStatus.COMPLETED,
                run_at=s.now,
                run_by=by,
                plan=plan.as_json(),
                counts_before=plan.counts_before,
            )
            for kind in MOVE_ORDER:
                moves = planned[kind]
                _apply(s, kind, moves, by=by, reason=reason)
                HandoverMove.objects.bulk_create(
                    [
                        HandoverMove(
                            handover=handover,
                            kind=kind.value,
                            record_id=p.record_id,
                            person_id=p.person_id,
                            moved_from=p.moved_from[:300],
                            moved_to=p.moved_to[:300],
                            note=p.note[:300],
                        )
                        for p in moves
                    ],
                    batch_size=CHUNK,
                )
                if kind == MoveKind.EPISODE:
                    _history(EpisodeOfCare, handover, [kind], by=by, reason=reason)
                elif kind in (MoveKind.APPOINTMENT, MoveKind.APPOINTMENT_REBOOK):
                    _history(Appointment, handover, [kind], by=by, reason=reason)
                if on_progress is not None:
                    on_progress(kind.value, len(moves))
            handover.counts_after = counts_after(s, handover)
            _log_people(s, planned, by=by, channel=channel)
            _tasks_for_receiving_team(s, planned, consenting=consenting, by=by)
            handover.save(update_fields=["counts_after"])
    except Exception as exc:
        _record_failure(from_contract=from_contract, to_contract=to_contract, by=by, error=exc)
        raise
    return handover


def _record_failure(*, from_contract: Contract, to_contract: Contract, by: User, error: Exception) -> None:
    """After the rollback, in its own transaction: the attempt and why it failed (nothing moved)."""
    message = " ".join(error.messages) if isinstance(error, ValidationError) else f"{type(error).__name__}: {error}"
    with transaction.atomic():
        ProviderHandover.objects.create(
            from_contract=from_contract,
            to_contract=to_contract,
            status=HandoverStatus.FAILED,
            run_by=by,
            failure=message[:5000] or type(error).__name__,
        )


def handover_run_dry_run(*, dry_run: ProviderHandover, by: User, channel: Channel = Channel.PAGE) -> ProviderHandover:
    """Run a handover with the choices stored on its dry run (the page's Run button)."""
    if dry_run.status != HandoverStatus.DRY_RUN:
        raise ValidationError({"handover": "Only a dry run can be run. Prepare a new dry run first."})
    team_map, staff = choices_from_dry_run(dry_run)
    return handover_run(
        from_contract=dry_run.from_contract,
        to_contract=dry_run.to_contract,
        team_map=team_map,
        transferring_staff=staff,
        by=by,
        channel=channel,
    )
