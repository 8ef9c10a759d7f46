"""Reads for discharges and transfers (R8, R9), scoped to the viewer and written to the access log.

`checklist_facts` and `checklist_for` are for callers that have already opened the record (the pages,
through `transition_get`) or act under the duty itself (the services, inside their transaction); they log
nothing. The inpatient and medicines models are read directly here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import Substance, SubstanceUse
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.care.models import CarePlanVersion, EpisodeOfCare
from coexist.care.plans.rules import CONTINGENCIES, SECTIONS, plan_gaps
from coexist.care.reviews.selectors import care_team_practitioners
from coexist.care.selectors import led_teams
from coexist.engagement.models import Appointment
from coexist.engagement.rules import SEEN_OUTCOMES, Attendance
from coexist.inpatient.models import Admission
from coexist.medicines.models import (
    DoseGiven,
    HandoverStatus,
    NaloxoneOffer,
    OpiateSubstitution,
    PrescribingHandover,
)
from coexist.medicines.selectors import handover_overtaken_by
from coexist.organisations.models import Membership, ServiceKind
from coexist.people.models import HOMELESS_STATUSES, Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord, person_open
from coexist.referrals.models import Referral, Status
from coexist.transitions.models import Transition, TransitionKind, TransitionStatus
from coexist.transitions.rules import (
    PRESCRIBING,
    AppointmentFact,
    ChecklistFacts,
    ChecklistItem,
    DischargeFact,
    DischargeFigures,
    HandoverFact,
    PractitionerFact,
    checklist,
    discharge_figures,
    summary_gives_number,
)

COMMUNITY_KINDS = frozenset({ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.DRUG_ALCOHOL})
CLOSED_REFERRAL = (Status.DECLINED, Status.CANCELLED, Status.WITHDRAWN)


def since_of(transition: Transition) -> datetime:
    """R9: what counts as "during this stay": since the admission for a ward episode, else since the transition
    started (a handover or naloxone offer before then belongs to an earlier move)."""
    admission = Admission.objects.filter(episode_id=transition.episode_id).first()
    if admission is not None:
        return admission.admitted_at
    return min(transition.started_at, transition.episode.opened_at)


def planned_discharge_at(transition: Transition, *, now: datetime) -> datetime:
    """When the person leaves: now, or the start of the planned day if that is later."""
    if transition.planned_for is not None and transition.planned_for > timezone.localdate(now):
        return timezone.make_aware(datetime.combine(transition.planned_for, time.min))
    return now


def _plan_facts(person: Person) -> dict[str, object]:
    latest = CarePlanVersion.objects.filter(plan__person=person).order_by("-number").first()
    if latest is None:
        return {"has_plan": False}
    content = latest.plan_content
    gaps = {gap.section for gap in plan_gaps(content)}
    with_phone = next((s.service for s in content.services if s.phone), "")
    return {
        "has_plan": True,
        "coping_strategies": bool(content.coping_strategies),
        "crisis_plan": "crisis_plan" not in gaps,
        "contingencies_missing": tuple(SECTIONS[s].lower() for s in CONTINGENCIES if s in gaps),
        "contingencies_present": sum(1 for s in CONTINGENCIES if s not in gaps),
        "service_with_phone": with_phone,
        "summary_gives_number": summary_gives_number(content.summary_for_person),
    }


def _handover_fact(handover: PrescribingHandover) -> HandoverFact:
    return HandoverFact(
        status=handover.status,
        drug=handover.get_drug_display(),
        daily_dose_mg=f"{handover.daily_dose_mg.normalize():f}",
        last_dose_given_at=timezone.localtime(handover.last_dose_given_at),
        first_community_dose_on=handover.first_community_dose_on,
        to_service=handover.to_service.name,
        answered_by=handover.answered_by.display_name if handover.answered_by else "",
        overtaken_at=timezone.localtime(later.given_at) if (later := handover_overtaken_by(handover)) else None,
    )


def checklist_facts(transition: Transition, *, now: datetime | None = None) -> ChecklistFacts:
    """Gather the R8/R9 facts for this transition from the person's record, at `now` (default: now)."""
    moment = now or timezone.now()
    episode = EpisodeOfCare.objects.select_related("service", "team").get(pk=transition.episode_id)
    person = Person.objects.get(pk=transition.person_id)
    since = since_of(transition)
    from_ward = transition.kind == TransitionKind.DISCHARGE and episode.service.kind == ServiceKind.INPATIENT_WARD
    # (a) the care team and who is invited
    care_team = tuple(
        PractitionerFact(key=str(p.user.pk), name=p.user.display_name, organisation=p.organisation_name)
        for p in care_team_practitioners(person, on=timezone.localdate(moment))
    )
    invited = frozenset(str(pk) for pk in transition.invitees.values_list("user_id", flat=True))
    receiving_invited = False
    receiving = ""
    if transition.to_team_id is not None:
        receiving = str(transition.to_team)
        members = Membership.objects.current().clinical().filter(team_id=transition.to_team_id)
        receiving_invited = transition.invitees.filter(user__in=members.values("user_id")).exists()
    # (d)-(f) substance use and medicines
    substance_rows = list(SubstanceUse.objects.filter(assessment__person=person).order_by("recorded_at", "pk"))
    # Named as in a sentence: "alcohol, crack cocaine"; a substance named in the person's own words keeps its case.
    substances = tuple(
        dict.fromkeys(row.name if row.substance == Substance.OTHER else row.name.lower() for row in substance_rows)
    )
    ost = OpiateSubstitution.objects.filter(person=person, stopped_on__isnull=True).order_by("-started_on").first()
    handover = None
    if ost is not None:
        handovers = PrescribingHandover.objects.filter(treatment=ost, requested_at__gte=since).select_related(
            "to_service", "answered_by"
        )
        chosen = handovers.filter(status=HandoverStatus.ACCEPTED).order_by("-answered_at").first() or (
            handovers.order_by("-requested_at").first()
        )
        handover = _handover_fact(chosen) if chosen is not None else None
    uses_opioids = ost is not None or any(row.substance == Substance.OPIOIDS for row in substance_rows)
    offer = NaloxoneOffer.objects.filter(person=person, offered_at__gte=since).order_by("-offered_at").first()
    naloxone = ""
    if offer is not None:
        naloxone = f"{offer.get_outcome_display()} on {timezone.localtime(offer.offered_at):%d %B %Y}" + (
            "; training given." if offer.training_given else "."
        )
    referral = (
        Referral.objects.filter(person=person, to_service__kind=ServiceKind.DRUG_ALCOHOL, received_at__lte=moment)
        .exclude(status__in=CLOSED_REFERRAL)
        .select_related("to_service")
        .order_by("-received_at")
        .first()
    )
    da_episode = (
        EpisodeOfCare.objects.open()
        .filter(person=person, service__kind=ServiceKind.DRUG_ALCOHOL)
        .select_related("service")
        .first()
    )
    # (g) appointments that might be the 72-hour follow-up
    discharge_at = planned_discharge_at(transition, now=moment) if from_ward else None
    appointments: tuple[AppointmentFact, ...] = ()
    if discharge_at is not None:
        appointments = tuple(
            AppointmentFact(
                starts_at=timezone.localtime(a.starts_at),
                worker=a.staff.display_name,
                service=a.service.name,
                community=a.service.kind in COMMUNITY_KINDS,
                booked=a.status == Attendance.BOOKED,
            )
            for a in Appointment.objects.filter(person=person, starts_at__gte=discharge_at)
            .select_related("staff", "service")
            .order_by("starts_at")[:50]
        )
    return ChecklistFacts(
        kind=transition.kind,
        person_name=person.full_name,
        from_ward=from_ward,
        now=moment,
        meeting_at=timezone.localtime(transition.meeting_at) if transition.meeting_at else None,
        care_team=care_team,
        invited=invited,
        receiving_team=receiving,
        receiving_team_invited=receiving_invited,
        housing_support=transition.housing_support,
        housing_status=person.housing_status,
        housing_status_label=person.get_housing_status_display(),
        homeless=person.housing_status in HOMELESS_STATUSES,
        substances=substances,
        da_referral=(
            f"referred to {referral.to_service.name} on {timezone.localtime(referral.received_at):%d %B %Y} "
            f"({referral.get_status_display().lower()})"
            if referral is not None
            else ""
        ),
        da_episode=f"open episode of care with {da_episode.service.name}" if da_episode is not None else "",
        on_opiate_substitution=ost is not None,
        opiate_substitution=ost.get_drug_display().lower() if ost is not None else "",
        handover=handover,
        uses_opioids=uses_opioids,
        naloxone_offer=naloxone,
        discharge_at=timezone.localtime(discharge_at) if discharge_at is not None else None,
        appointments=appointments,
        **_plan_facts(person),  # type: ignore[arg-type]
    )


def checklist_for(transition: Transition, *, now: datetime | None = None) -> list[ChecklistItem]:
    """R8/R9: the checklist for this transition as it stands now."""
    return checklist(checklist_facts(transition, now=now))


def follow_up_appointment_for(transition: Transition, *, now: datetime | None = None) -> Appointment | None:
    """The booked appointment that meets the 72-hour item, if any (the earliest fitting one)."""
    from coexist.transitions.rules import follow_up_appointment

    facts = checklist_facts(transition, now=now)
    found = follow_up_appointment(facts)
    if found is None:
        return None
    return (
        Appointment.objects.filter(person_id=transition.person_id, starts_at=found.starts_at, status=Attendance.BOOKED)
        .select_related("staff")
        .first()
    )


# --- Opening one transition ----------------------------------------------------------------------


def _refuse_episodes(*, viewer: User, person: Person, channel: Channel, detail: str) -> None:
    decision = AccessDecision(
        False, "The person has not agreed to share their episodes of care with your organisation."
    )
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=[RecordPart.EPISODES],
        outcome=Outcome.REFUSED,
        basis=decision.basis,
        channel=channel,
        detail=detail,
    )
    raise AccessRefused(decision)


def transition_get(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> tuple[OpenedRecord, Transition]:
    """Open one discharge or transfer: opens (and logs a read of) the person's record, then refuses, logged,
    unless the viewer may read episodes of care. Raises Transition.DoesNotExist or AccessRefused."""
    transition = Transition.objects.select_related(
        "person", "episode__service__organisation", "episode__team", "episode__coordinator", "to_team__service",
        "started_by", "completed_by", "override_by", "answered_by", "new_coordinator", "follow_up_task__assigned_to",
        "follow_up_task__assigned_team", "follow_up_appointment__staff", "request_referral",
    ).get(public_id=public_id)  # fmt: skip
    record = person_open(viewer=viewer, public_id=transition.person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        _refuse_episodes(viewer=viewer, person=transition.person, channel=channel, detail=detail)
    return record, transition


def transitions_of(record: OpenedRecord) -> list[Transition]:
    """The person's discharges and transfers, newest first, for the person page (the viewer opened the record)."""
    if not record.can_read(RecordPart.EPISODES):
        return []
    return list(
        Transition.objects.filter(person=record.person)
        .select_related("episode__service", "to_team")
        .order_by("-started_at", "-pk")
    )


def open_transition_for(episode: EpisodeOfCare) -> Transition | None:
    return Transition.objects.filter(
        episode=episode, status__in=[TransitionStatus.PLANNING, TransitionStatus.AWAITING_ACCEPTANCE]
    ).first()


# --- The receiving team's incoming list ------------------------------------------------------------


def incoming_for(*, viewer: User, channel: Channel) -> list[Transition]:
    """Transfers waiting for an answer from a team the viewer works in (clinical roles). Each listed person's
    identity and episodes are a read, logged once per person."""
    teams = Membership.objects.current().clinical().filter(user=viewer).values("team_id")
    found = list(
        Transition.objects.filter(status=TransitionStatus.AWAITING_ACCEPTANCE, to_team__in=teams)
        .select_related("person", "episode__service", "episode__team", "to_team", "started_by")
        .order_by("requested_at", "pk")
    )
    if found:
        access_log_append(
            actor=viewer,
            person_ids=sorted({t.person.public_id for t in found}, key=str),
            action=Action.READ,
            parts=[RecordPart.IDENTITY, RecordPart.EPISODES],
            outcome=Outcome.ALLOWED,
            basis="listed: transfer of care waiting for the viewer's team to answer",
            channel=channel,
            detail="incoming transfers",
        )
    return found


# --- The team leader's discharge figures -------------------------------------------------------------


@dataclass(frozen=True)
class OverrideRow:
    transition: Transition
    person_name: str
    service: str
    completed_at: datetime
    by: str
    reason: str
    items: list[str]


@dataclass(frozen=True)
class FiguresPage:
    start: date
    end: date
    services: list[str]
    figures: DischargeFigures
    overrides: list[OverrideRow]


def _stored(items: list[dict[str, object]], key: str) -> tuple[bool, bool]:
    for item in items:
        if item.get("key") == key:
            return bool(item.get("applies")), bool(item.get("met"))
    return False, False


def discharge_figures_for(*, viewer: User, start: date, end: date, channel: Channel) -> FiguresPage:
    """Ward discharges completed from `start` to `end` (local dates, inclusive) in the ward services the viewer
    leads. Counts name nobody and log no one; the overrides list names people, so each is logged."""
    services = {team.service for team in led_teams(viewer) if team.service.kind == ServiceKind.INPATIENT_WARD}
    period_start = timezone.make_aware(datetime.combine(start, time.min))
    period_end = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    completed = list(
        Transition.objects.filter(
            kind=TransitionKind.DISCHARGE,
            status=TransitionStatus.COMPLETED,
            episode__service__in=[s.pk for s in services],
            completed_at__gte=period_start,
            completed_at__lt=period_end,
        )
        .select_related("person", "episode__service", "override_by")
        .order_by("completed_at", "pk")
    )
    person_ids = {t.person_id for t in completed}
    seen: dict[int, list[datetime]] = {}
    for person_id, starts_at in Appointment.objects.filter(
        person_id__in=person_ids, status__in=SEEN_OUTCOMES, service__kind__in=COMMUNITY_KINDS
    ).values_list("person_id", "starts_at"):
        seen.setdefault(person_id, []).append(starts_at)
    doses: dict[int, list[datetime]] = {}
    for person_id, given_at in DoseGiven.objects.filter(treatment__person_id__in=person_ids).values_list(
        "treatment__person_id", "given_at"
    ):
        doses.setdefault(person_id, []).append(given_at)
    handovers: dict[int, list[tuple[datetime | None, date]]] = {}
    for person_id, answered_at, first_on in PrescribingHandover.objects.filter(
        person_id__in=person_ids, status=HandoverStatus.ACCEPTED
    ).values_list("person_id", "answered_at", "first_community_dose_on"):
        handovers.setdefault(person_id, []).append((answered_at, first_on))
    facts = []
    local_dates: dict[datetime, date] = {}
    for t in completed:
        assert t.completed_at is not None
        at = t.completed_at
        local_dates[at] = timezone.localdate(at)
        ost, accepted = _stored(t.checklist_at_completion, PRESCRIBING)
        opioids, offered = _stored(t.checklist_at_completion, "naloxone")
        first_dose: date | None = None
        after = sorted(d for d in doses.get(t.person_id, []) if d >= at)
        if after:
            first_dose = timezone.localdate(after[0])
        else:
            known = sorted((h[0], h[1]) for h in handovers.get(t.person_id, []) if h[0] is not None and h[0] <= at)
            if known:
                first_dose = known[-1][1]
        facts.append(
            DischargeFact(
                discharged_at=at,
                on_opiate_substitution=ost,
                handover_accepted=ost and accepted,
                uses_opioids=opioids,
                naloxone_offered=opioids and offered,
                seen_at=tuple(seen.get(t.person_id, [])),
                first_dose_on=first_dose if ost else None,
            )
        )
    overrides = [
        OverrideRow(
            transition=t,
            person_name=t.person.full_name,
            service=t.episode.service.name,
            completed_at=t.completed_at or t.started_at,
            by=t.override_by.display_name if t.override_by else "",
            reason=t.override_reason,
            items=[
                str(item.get("title", ""))
                for item in t.checklist_at_completion
                if item.get("key") in set(t.overridden_items)
            ],
        )
        for t in completed
        if t.override_by_id is not None
    ]
    if overrides:
        access_log_append(
            actor=viewer,
            person_ids=sorted({row.transition.person.public_id for row in overrides}, key=str),
            action=Action.READ,
            parts=[RecordPart.IDENTITY, RecordPart.EPISODES],
            outcome=Outcome.ALLOWED,
            basis="listed: discharge checklist override in a ward the viewer leads",
            channel=channel,
            detail="discharge figures: overrides",
        )
    return FiguresPage(
        start=start,
        end=end,
        services=sorted(s.name for s in services),
        figures=discharge_figures(facts, local_date=local_dates),
        overrides=overrides,
    )
