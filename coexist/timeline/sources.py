"""The timeline's sources: one small function per event, each a single query that reads another app's
models (the other apps never import this one), and the registry that says which part of the record each
needs.

A source takes the person, the date window, how many of its newest entries are wanted and the
viewer's scope, and returns at most that many entries, newest first. Sources whose rows are
plentiful over years (appointments, measures, tasks...) ask the database for only the newest `limit`
rows of one date column, so paging a long history stays cheap. Sources whose rows are few for any
one person (episodes, joint assessments, risk flags, carers' assessments, loss of contact, case
reviews) read the person's rows touching the window once and give every event on them.

Privacy is decided before a source runs: `SOURCES` names the parts of the record each needs, and
`collect` runs a source only when the viewer may read one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from coexist.accounts.models import User
from coexist.advice.models import AdviceRequest
from coexist.assessments.models import JointAssessment, RiskFlag, RiskFlagReview
from coexist.care.models import CarePlanVersion, CareTeamMember, CaseReview, EpisodeOfCare
from coexist.care.plans.rules import SECTIONS
from coexist.engagement.models import Appointment, FollowUp, FollowUpAction, GroupAttendance, LossOfContact
from coexist.engagement.rules import PlanReview
from coexist.handover.models import HandoverMove
from coexist.handover.models import HandoverStatus as ProviderHandoverStatus
from coexist.handover.rules import MOVE_LABELS
from coexist.inpatient.models import Admission, Leave
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.medicines.models import DoseChange, HandoverStatus, NaloxoneOffer, PrescribingHandover
from coexist.notifications.models import Message
from coexist.notifications.rules import MessageStatus
from coexist.organisations.models import Role
from coexist.people.models import CarerAssessment, Person
from coexist.people.rules import RecordPart
from coexist.referrals.models import Referral, ReferralStatusChange, Status
from coexist.tasks.models import Task
from coexist.timeline.entries import Kind, Scope, Source, TimelineEntry, Window
from coexist.transitions.models import Transition, TransitionKind

M = TypeVar("M", bound=Model)

DETAIL_MAX = 300
"""Free text is cut to this many characters: the timeline points to the record, it does not copy it."""


# --- helpers -------------------------------------------------------------------------------------


def _newest(qs: QuerySet[M], field: str, window: Window, limit: int) -> list[M]:
    """The newest `limit` rows by one date column, within the window: one query."""
    return list(qs.filter(window.q(qs.model, field)).order_by(f"-{field}", "-pk")[:limit])


def _newest_moment(qs: QuerySet[M], moment: Any, window: Window, limit: int) -> list[M]:
    """The newest `limit` rows by a datetime expression (annotated as `moment`), within the window: one query."""
    annotated = qs.annotate(moment=moment)
    return list(annotated.filter(window.q_moment("moment")).order_by("-moment", "-pk")[:limit])


def _touching(qs: QuerySet[M], fields: Iterable[str], window: Window) -> list[M]:
    """Every row with any of these date columns in the window: one query, for models with few rows a person."""
    query = Q()
    for field in fields:
        query |= window.q(qs.model, field)
    return list(qs.filter(query))


def _day(value: date) -> datetime:
    """A date-only event, placed at the start of its day (it sorts after that day's timed events)."""
    return timezone.make_aware(datetime.combine(value, time.min))


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _cut(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(DETAIL_MAX)


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y at %H:%M}"


def _sentence(*parts: str) -> str:
    return " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in parts if p)


def _newest_first(entries: list[TimelineEntry], window: Window, limit: int) -> list[TimelineEntry]:
    inside = [e for e in entries if window.contains(e.at)]
    return sorted(inside, key=lambda e: e.at, reverse=True)[:limit]


# --- referrals -----------------------------------------------------------------------------------


def _referral_link(referral: Referral, scope: Scope) -> str:
    if referral.to_service_id in scope.triage_service_ids:
        return reverse("referrals:detail", args=[referral.public_id])
    return ""


def referrals_received(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _newest(
        Referral.objects.filter(person=person).select_related("to_service", "referrer"), "received_at", window, limit
    )
    return [
        TimelineEntry(
            at=r.received_at,
            kind=Kind.REFERRAL,
            title=f"Referral received by {r.to_service.name}",
            detail=_sentence(r.get_route_display(), f"Urgency: {r.get_urgency_display().lower()}"),
            part=RecordPart.EPISODES,
            actor=r.referrer_label,
            link=_referral_link(r, scope),
        )
        for r in rows
    ]


def referral_status_changes(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """Every step after receipt (the first step, 'received', is the referral itself, above)."""
    rows = _newest(
        ReferralStatusChange.objects.filter(referral__person=person)
        .exclude(from_status="")
        .select_related("referral__to_service", "by"),
        "at",
        window,
        limit,
    )
    entries = []
    for change in rows:
        referral = change.referral
        reason = referral.get_decline_reason_display() if change.to_status == Status.DECLINED else ""
        entries.append(
            TimelineEntry(
                at=change.at,
                kind=Kind.REFERRAL,
                title=f"Referral to {referral.to_service.name} {change.get_to_status_display().lower()}",
                detail=_cut(_sentence(reason, change.note)),
                part=RecordPart.EPISODES,
                actor=_name(change.by),
                link=_referral_link(referral, scope),
            )
        )
    return entries


# --- episodes of care ----------------------------------------------------------------------------


def episodes(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _touching(
        EpisodeOfCare.objects.filter(person=person).select_related("service", "opened_by", "finished_by"),
        ["opened_at", "finished_at"],
        window,
    )
    entries = []
    for e in rows:
        link = reverse("care:episode", args=[e.public_id])
        entries.append(
            TimelineEntry(
                at=e.opened_at,
                kind=Kind.EPISODE,
                title=f"Episode of care opened with {e.service.name}",
                detail="",
                part=RecordPart.EPISODES,
                actor=_name(e.opened_by),
                link=link,
            )
        )
        if e.finished_at is not None:
            entries.append(
                TimelineEntry(
                    at=e.finished_at,
                    kind=Kind.EPISODE,
                    title=f"Episode of care with {e.service.name} finished",
                    detail=_cut(_sentence(e.finish_reason)),
                    part=RecordPart.EPISODES,
                    actor=_name(e.finished_by),
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


def coordinators_named(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R3: each care coordinator named for an episode, from their care-team place (one per naming)."""
    rows = _newest(
        CareTeamMember.objects.filter(person=person, role=Role.CARE_COORDINATOR, episode__isnull=False).select_related(
            "user", "added_by", "episode__service"
        ),
        "started_on",
        window,
        limit,
    )
    return [
        TimelineEntry(
            at=_day(m.started_on),
            kind=Kind.EPISODE,
            title=f"{m.user.display_name} named care coordinator",
            detail=f"Episode of care with {m.episode.service.name}." if m.episode else "",
            part=RecordPart.EPISODES,
            actor=_name(m.added_by),
            link=reverse("care:episode", args=[m.episode.public_id]) if m.episode else "",
            date_only=True,
        )
        for m in rows
    ]


# --- assessments, measures and risk --------------------------------------------------------------


# As the person page lists assessments (assessments.selectors.assessments_of): for a reader of either
# assessment part. Only that the assessment was started and completed: what it found is on its page.
_ASSESSMENT_LIST_PARTS = (RecordPart.MENTAL_HEALTH, RecordPart.SUBSTANCE_USE)


def joint_assessments(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    part = scope.first_readable(_ASSESSMENT_LIST_PARTS) or RecordPart.MENTAL_HEALTH
    rows = _touching(
        JointAssessment.objects.filter(person=person).select_related("started_by", "completed_by"),
        ["started_at", "completed_at"],
        window,
    )
    entries = []
    for a in rows:
        link = reverse("assessments:detail", args=[a.public_id])
        entries.append(
            TimelineEntry(
                at=a.started_at,
                kind=Kind.ASSESSMENT,
                title="Joint assessment started",
                detail="",
                part=part,
                actor=_name(a.started_by),
                link=link,
            )
        )
        if a.completed_at is not None:
            entries.append(
                TimelineEntry(
                    at=a.completed_at,
                    kind=Kind.ASSESSMENT,
                    title="Joint assessment completed",
                    detail="",
                    part=part,
                    actor=_name(a.completed_by),
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


def measures(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """Measure and band only, as the person's measures list shows: no answers, no scores.

    SECURITY: only measures in a part the viewer may read (a substance use reader sees the AUDIT, not
    the PHQ-9); a measure no longer shipped could be either kind, so it is left out."""
    codes = sorted(code for code, ins in DEFINITIONS.items() if ins.record_part in scope.readable)
    if not codes:
        return []
    rows = _newest(
        InstrumentResponse.objects.filter(person=person, instrument_code__in=codes).select_related("recorded_by"),
        "completed_at",
        window,
        limit,
    )
    entries = []
    for r in rows:
        instrument = DEFINITIONS[r.instrument_code]
        entries.append(
            TimelineEntry(
                at=r.completed_at,
                kind=Kind.MEASURE,
                title=f"{instrument.short_name} completed",
                detail=f"Band: {r.band}." if r.band else "No bands for this measure.",
                part=instrument.record_part,
                actor=_name(r.recorded_by),
                link=reverse("instruments:result", args=[r.public_id]),
            )
        )
    return entries


def risk_flags(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R13: flags raised and ended (reviews are their own source: a flag may be reviewed many times)."""
    rows = _touching(
        RiskFlag.objects.filter(person=person).select_related("raised_by", "ended_by"),
        ["raised_at", "ended_on"],
        window,
    )
    link = reverse("assessments:flags", args=[person.public_id])
    entries = []
    for f in rows:
        entries.append(
            TimelineEntry(
                at=f.raised_at,
                kind=Kind.RISK_FLAG,
                title=f"Risk flag raised: {f.get_kind_display().lower()}",
                detail=_cut(_sentence(f.source, f"Review by {f.review_on:%-d %b %Y}")),
                part=RecordPart.RISK,
                actor=_name(f.raised_by),
                link=link,
            )
        )
        if f.ended_on is not None:
            entries.append(
                TimelineEntry(
                    at=_day(f.ended_on),
                    kind=Kind.RISK_FLAG,
                    title=f"Risk flag ended: {f.get_kind_display().lower()}",
                    detail=_cut(_sentence(f.end_reason)),
                    part=RecordPart.RISK,
                    actor=_name(f.ended_by),
                    link=link,
                    date_only=True,
                )
            )
    return _newest_first(entries, window, limit)


def risk_flag_reviews(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _newest(
        RiskFlagReview.objects.filter(flag__person=person).select_related("flag", "reviewed_by"),
        "reviewed_at",
        window,
        limit,
    )
    link = reverse("assessments:flags", args=[person.public_id])
    return [
        TimelineEntry(
            at=r.reviewed_at,
            kind=Kind.RISK_FLAG,
            title=f"Risk flag reviewed: {r.flag.get_kind_display().lower()}",
            detail=_cut(_sentence(f"Next review by {r.next_review_on:%-d %b %Y}", r.note)),
            part=RecordPart.RISK,
            actor=_name(r.reviewed_by),
            link=link,
        )
        for r in rows
    ]


# --- care plan and carers ------------------------------------------------------------------------


def care_plan_versions(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R4: each saved version and the sections it changed (not the content: that is on the plan)."""
    rows = _newest(
        CarePlanVersion.objects.filter(plan__person=person).select_related("created_by").defer("content"),
        "created_at",
        window,
        limit,
    )
    entries = []
    for v in rows:
        changed = [SECTIONS.get(s, s) for s in v.changed_sections]
        if v.number == 1:
            detail = "First version of the plan."
        elif changed:
            detail = "Changed: " + "; ".join(changed) + "."
        else:
            detail = "Saved with no section changed."
        entries.append(
            TimelineEntry(
                at=v.created_at,
                kind=Kind.CARE_PLAN,
                title=f"Care plan version {v.number} saved",
                detail=detail,
                part=RecordPart.CARE_PLAN,
                actor=_name(v.created_by),
                link=reverse("careplans:version", args=[person.public_id, v.number]),
            )
        )
    return entries


_CARER_STEPS = (
    ("offered_on", "Carer's assessment offered to {name}"),
    ("accepted_on", "{name} accepted a carer's assessment"),
    ("declined_on", "{name} declined a carer's assessment"),
    ("completed_on", "Carer's assessment completed for {name}"),
)


def carer_assessments(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R5: offers of a carer's assessment and what came of them (recorded as dates)."""
    rows = _touching(
        CarerAssessment.objects.filter(carer__person=person).select_related("carer", "offered_by"),
        [field for field, _ in _CARER_STEPS],
        window,
    )
    entries = []
    for offer in rows:
        for field, title in _CARER_STEPS:
            on = getattr(offer, field)
            if on is None:
                continue
            entries.append(
                TimelineEntry(
                    at=_day(on),
                    kind=Kind.CARER,
                    title=title.format(name=offer.carer.name),
                    detail=f"{offer.carer.get_relationship_display()}.",
                    part=RecordPart.CARERS,
                    actor=_name(offer.offered_by) if field == "offered_on" else "",
                    date_only=True,
                )
            )
    return _newest_first(entries, window, limit)


# --- appointments, follow-ups and loss of contact (R4, R6) ---------------------------------------

_APPOINTMENT_RELATED = ("service", "staff", "second_staff", "created_by", "outcome_recorded_by")


def appointments_booked(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _newest(
        Appointment.objects.filter(person=person).select_related(*_APPOINTMENT_RELATED), "created_at", window, limit
    )
    return [
        TimelineEntry(
            at=a.created_at,
            kind=Kind.APPOINTMENT,
            title=f"Appointment booked for {_when(a.starts_at)}",
            detail=_sentence(
                f"{a.get_mode_display()} with {a.staff.display_name}"
                + (f" and {a.second_staff.display_name}" if a.second_staff else ""),
                a.service.name,
            ),
            part=RecordPart.EPISODES,
            actor=_name(a.created_by),
            link=reverse("engagement:outcome", args=[a.public_id]),
        )
        for a in rows
    ]


def appointment_outcomes(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """The attendance outcome and, when the person was seen, R4's plan review: unchanged or what changed."""
    rows = _newest(
        Appointment.objects.filter(person=person).select_related(*_APPOINTMENT_RELATED),
        "outcome_recorded_at",
        window,
        limit,
    )
    entries = []
    for a in rows:
        review = ""
        if a.plan_reviewed == PlanReview.CHANGED:
            review = f"Plan reviewed and changed: {a.plan_change}"
        elif a.plan_reviewed:
            review = a.get_plan_reviewed_display()
        assert a.outcome_recorded_at is not None
        entries.append(
            TimelineEntry(
                at=a.outcome_recorded_at,
                kind=Kind.APPOINTMENT,
                title=f"Appointment on {timezone.localtime(a.starts_at):%-d %b %Y}: {a.get_status_display().lower()}",
                detail=_cut(_sentence(f"{a.get_mode_display()} with {a.staff.display_name}", review)),
                part=RecordPart.EPISODES,
                actor=_name(a.outcome_recorded_by),
                link=reverse("engagement:outcome", args=[a.public_id]),
            )
        )
    return entries


def follow_ups_created(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R6: a missed appointment's follow-up, with when it is due and whose duty it is."""
    rows = _newest(
        FollowUp.objects.filter(person=person).select_related("task__assigned_to"), "created_at", window, limit
    )
    return [
        TimelineEntry(
            at=f.created_at,
            kind=Kind.FOLLOW_UP,
            title=f"Missed appointment: follow-up due by {_when(f.due_at)}",
            detail=(f"Duty of {f.task.assigned_to.display_name}." if f.task.assigned_to else ""),
            part=RecordPart.EPISODES,
            actor="",
            link=reverse("engagement:follow-up", args=[f.public_id]),
        )
        for f in rows
    ]


def follow_up_actions(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _newest(
        FollowUpAction.objects.filter(follow_up__person=person).select_related("follow_up", "by"), "at", window, limit
    )
    return [
        TimelineEntry(
            at=a.at,
            kind=Kind.FOLLOW_UP,
            title=f"Follow-up: {a.get_kind_display().lower()}",
            detail=_cut(_sentence(a.get_result_display(), a.note)),
            part=RecordPart.EPISODES,
            actor=_name(a.by),
            link=reverse("engagement:follow-up", args=[a.follow_up.public_id]),
        )
        for a in rows
    ]


def follow_ups_completed(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _newest(FollowUp.objects.filter(person=person).select_related("completed_by"), "completed_at", window, limit)
    entries = []
    for f in rows:
        assert f.completed_at is not None
        entries.append(
            TimelineEntry(
                at=f.completed_at,
                kind=Kind.FOLLOW_UP,
                title="Follow-up of missed appointment completed",
                detail="On time." if f.completed_at <= f.due_at else "After the time it was due.",
                part=RecordPart.EPISODES,
                actor=_name(f.completed_by),
                link=reverse("engagement:follow-up", args=[f.public_id]),
            )
        )
    return entries


def losses_of_contact(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _touching(
        LossOfContact.objects.filter(person=person).select_related("marked_by", "resolved_by"),
        ["since", "resolved_at"],
        window,
    )
    link = reverse("engagement:person", args=[person.public_id])
    entries = []
    for loss in rows:
        entries.append(
            TimelineEntry(
                at=loss.since,
                kind=Kind.LOSS_OF_CONTACT,
                title="Contact lost",
                detail=_cut(_sentence(loss.reason)),
                part=RecordPart.EPISODES,
                actor=_name(loss.marked_by),
                link=link,
            )
        )
        if loss.resolved_at is not None:
            entries.append(
                TimelineEntry(
                    at=loss.resolved_at,
                    kind=Kind.LOSS_OF_CONTACT,
                    title="Contact regained",
                    detail=_cut(_sentence(loss.resolved_how)),
                    part=RecordPart.EPISODES,
                    actor=_name(loss.resolved_by),
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


# --- tasks ---------------------------------------------------------------------------------------


def _safety_tasks(person: Person) -> QuerySet[Task]:
    """Duties a clinical rule created (R2 urgent needs, R15 self-harm signals, R7...). Not R6's: a
    follow-up and a loss of contact have their own entries, and loss-of-contact notices go to every
    member of the care team, so showing their tasks would repeat each event several times. Not an
    escalation's copy either: the escalation is shown once, on the duty escalated."""
    return (
        Task.objects.filter(person=person, escalates__isnull=True)
        .exclude(rule="R6")
        .select_related("assigned_to", "assigned_team", "created_by", "completed_by")
    )


def _task_link(task: Task) -> str:
    return reverse("tasks:complete", args=[task.public_id]) if task.is_open else ""


def _owner(task: Task) -> str:
    if task.assigned_to is not None:
        return task.assigned_to.display_name
    return task.assigned_team.name if task.assigned_team is not None else ""


def tasks_created(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _newest(_safety_tasks(person), "created_at", window, limit)
    return [
        TimelineEntry(
            at=t.created_at,
            kind=Kind.TASK,
            title=f"{t.rule} task: {t.title}",
            detail=_sentence(f"{t.get_priority_display()}, due by {_when(t.due_at)}", f"For {_owner(t)}"),
            part=RecordPart.EPISODES,
            actor=_name(t.created_by) or "Created automatically",
            link=_task_link(t),
        )
        for t in rows
    ]


def tasks_finished(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    rows = _newest(_safety_tasks(person), "completed_at", window, limit)
    return [
        TimelineEntry(
            at=t.completed_at,  # type: ignore[arg-type]  # filtered to set
            kind=Kind.TASK,
            title=f"{t.rule} task {t.get_status_display().lower()}: {t.title}",
            detail=_cut(_sentence(t.outcome)),
            part=RecordPart.EPISODES,
            actor=_name(t.completed_by),
            link="",
        )
        for t in rows
    ]


def tasks_escalated(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """Any overdue duty raised with a team leader, including R6 follow-ups: that is a safety event."""
    rows = _newest(
        Task.objects.filter(person=person, escalates__isnull=True).select_related("assigned_to", "assigned_team"),
        "escalated_at",
        window,
        limit,
    )
    return [
        TimelineEntry(
            at=t.escalated_at,  # type: ignore[arg-type]  # filtered to set
            kind=Kind.TASK,
            title=f"Overdue {t.rule} task escalated to the team leader: {t.title}",
            detail=_sentence(f"It was due by {_when(t.due_at)}", f"For {_owner(t)}"),
            part=RecordPart.EPISODES,
            actor="",
            link=_task_link(t),
        )
        for t in rows
    ]


# --- reminders, case reviews and groups ----------------------------------------------------------


def messages(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R11: reminders sent, failed, or that could not go, when it happened. The number or address is
    shown only to a viewer who may read contact details. Reminders still waiting to go are left out."""
    rows = _newest_moment(
        Message.objects.filter(person=person).exclude(status=MessageStatus.QUEUED).select_related("appointment"),
        Coalesce("sent_at", "failed_at", "created_at"),
        window,
        limit,
    )
    show_recipient = RecordPart.CONTACT in scope.readable
    return [
        TimelineEntry(
            at=m.moment,  # type: ignore[attr-defined]  # annotated
            kind=Kind.MESSAGE,
            title=m.summary_for(show_recipient=show_recipient),
            detail="",
            part=RecordPart.EPISODES,
            actor="",
            link=reverse("engagement:outcome", args=[m.appointment.public_id]) if m.appointment else "",
            also_shows=(RecordPart.CONTACT,) if show_recipient and m.recipient else (),
        )
        for m in rows
    ]


def case_reviews(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R7: reviews scheduled, held (with the next one's date) and cancelled."""
    rows = _touching(
        CaseReview.objects.filter(person=person).select_related("scheduled_by", "recorded_by", "cancelled_by"),
        ["scheduled_at", "held_on", "cancelled_at"],
        window,
    )
    entries = []
    for r in rows:
        link = reverse("casereviews:detail", args=[r.public_id])
        entries.append(
            TimelineEntry(
                at=r.scheduled_at,
                kind=Kind.CASE_REVIEW,
                title=f"Case review arranged for {_when(r.scheduled_for)}",
                detail=_sentence(r.get_reason_display()),
                part=RecordPart.EPISODES,
                actor=_name(r.scheduled_by),
                link=link,
            )
        )
        if r.held_on is not None:
            entries.append(
                TimelineEntry(
                    at=_day(r.held_on),
                    kind=Kind.CASE_REVIEW,
                    title="Case review held",
                    detail=_cut(
                        _sentence(f"Next review by {r.next_review_on:%-d %b %Y}" if r.next_review_on else "", r.outcome)
                    ),
                    part=RecordPart.EPISODES,
                    actor=_name(r.recorded_by),
                    link=link,
                    date_only=True,
                )
            )
        if r.cancelled_at is not None:
            entries.append(
                TimelineEntry(
                    at=r.cancelled_at,
                    kind=Kind.CASE_REVIEW,
                    title="Case review cancelled",
                    detail=_cut(_sentence(r.cancel_reason)),
                    part=RecordPart.EPISODES,
                    actor=_name(r.cancelled_by),
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


def group_attendance(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """The register: attended, did not attend (no R6 follow-up: a group is not an appointment) or apologies,
    at the time of the session."""
    rows = _newest_moment(
        GroupAttendance.objects.filter(person=person).select_related("session__group", "recorded_by"),
        F("session__starts_at"),
        window,
        limit,
    )
    return [
        TimelineEntry(
            at=a.session.starts_at,
            kind=Kind.GROUP,
            title=f"{a.session.group.name}: {a.get_status_display().lower()}",
            detail=_sentence(a.session.place),
            part=RecordPart.GROUPS,
            actor=_name(a.recorded_by),
            link=reverse("groups:session", args=[a.session.public_id]),
        )
        for a in rows
    ]


def ward_stays(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R9: admissions to a ward (with legal status), the ward substance misuse worker, and discharge."""
    rows = _touching(
        Admission.objects.filter(person=person).select_related("ward", "recorded_by", "ward_substance_worker"),
        ["admitted_at", "ward_substance_worker_since", "discharged_at"],
        window,
    )
    entries = []
    for a in rows:
        link = reverse("inpatient:admission", args=[a.public_id])
        entries.append(
            TimelineEntry(
                at=a.admitted_at,
                kind=Kind.WARD_STAY,
                title=f"Admitted to {a.ward.name}",
                detail=_sentence(a.get_legal_status_display()),
                part=RecordPart.EPISODES,
                actor=_name(a.recorded_by),
                link=link,
            )
        )
        if a.ward_substance_worker is not None and a.ward_substance_worker_since is not None:
            entries.append(
                TimelineEntry(
                    at=a.ward_substance_worker_since,
                    kind=Kind.WARD_STAY,
                    title=f"Ward substance misuse worker: {_name(a.ward_substance_worker)}",
                    detail="",
                    part=RecordPart.EPISODES,
                    link=link,
                )
            )
        if a.discharged_at is not None:
            entries.append(
                TimelineEntry(
                    at=a.discharged_at,
                    kind=Kind.WARD_STAY,
                    title=f"Discharged from {a.ward.name}",
                    detail="",
                    part=RecordPart.EPISODES,
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


def leaves(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """Leave from the ward, when it started and what it was for."""
    rows = _newest(
        Leave.objects.filter(admission__person=person).select_related("admission", "recorded_by"),
        "starts_at",
        window,
        limit,
    )
    return [
        TimelineEntry(
            at=leave.starts_at,
            kind=Kind.WARD_STAY,
            title=f"{leave.get_kind_display()} until {_when(leave.ends_at)}",
            detail=_cut(_sentence(leave.purpose)),
            part=RecordPart.EPISODES,
            actor=_name(leave.recorded_by),
            link=reverse("inpatient:admission", args=[leave.admission.public_id]),
        )
        for leave in rows
    ]


def dose_changes(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """Opiate substitution: each daily dose from the day it applied, with who recorded it."""
    rows = _newest(
        DoseChange.objects.filter(treatment__person=person).select_related("treatment", "recorded_by"),
        "recorded_at",
        window,
        limit,
    )
    link = reverse("medicines:person", args=[person.public_id])
    return [
        TimelineEntry(
            at=d.recorded_at,
            kind=Kind.MEDICINES,
            title=f"{d.treatment.get_drug_display()}: {d.daily_dose_mg.normalize():f} mg a day"
            f"{', supervised' if d.supervised else ''} from {d.effective_from:%-d %b %Y}",
            detail=_cut(_sentence(d.reason)),
            part=RecordPart.MEDICINES,
            actor=_name(d.recorded_by),
            link=link,
        )
        for d in rows
    ]


def naloxone_offers(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R9: naloxone offered, and what came of it."""
    rows = _newest(
        NaloxoneOffer.objects.filter(person=person).select_related("recorded_by"), "offered_at", window, limit
    )
    link = reverse("medicines:person", args=[person.public_id])
    return [
        TimelineEntry(
            at=n.offered_at,
            kind=Kind.MEDICINES,
            title=f"Naloxone: {n.get_outcome_display().lower()}",
            detail=_sentence("Training given" if n.training_given else "", n.get_kit_display() if n.kit else ""),
            part=RecordPart.MEDICINES,
            actor=_name(n.recorded_by),
            link=link,
        )
        for n in rows
    ]


def prescribing_handovers(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R9: a handover of opiate substitution asked of a community prescriber, and their answer."""
    rows = _touching(
        PrescribingHandover.objects.filter(person=person).select_related("to_service", "requested_by", "answered_by"),
        ["requested_at", "answered_at"],
        window,
    )
    link = reverse("medicines:person", args=[person.public_id])
    entries = []
    for h in rows:
        entries.append(
            TimelineEntry(
                at=h.requested_at,
                kind=Kind.MEDICINES,
                title=f"Prescribing handover asked of {h.to_service.name}",
                detail=_sentence(
                    f"{h.get_drug_display()} {h.daily_dose_mg.normalize():f} mg a day",
                    f"last dose given {_when(h.last_dose_given_at)}",
                    f"first community dose {h.first_community_dose_on:%-d %b %Y}",
                ),
                part=RecordPart.MEDICINES,
                actor=_name(h.requested_by),
                link=link,
            )
        )
        if h.answered_at is not None and h.status in (HandoverStatus.ACCEPTED, HandoverStatus.DECLINED):
            entries.append(
                TimelineEntry(
                    at=h.answered_at,
                    kind=Kind.MEDICINES,
                    title=f"Prescribing handover {h.get_status_display().lower()} by {h.to_service.name}",
                    detail=_cut(_sentence(h.answer_note)),
                    part=RecordPart.MEDICINES,
                    actor=_name(h.answered_by),
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


def advice_requests(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """Seeds 001, 002: a question to the addictions consultant, and the answer."""
    rows = _touching(
        AdviceRequest.objects.filter(person=person).select_related("consultant", "asked_by", "answered_by"),
        ["asked_at", "answered_at"],
        window,
    )
    link = reverse("advice:person", args=[person.public_id])
    entries = []
    for a in rows:
        entries.append(
            TimelineEntry(
                at=a.asked_at,
                kind=Kind.ADVICE,
                title=f"Advice asked of {_name(a.consultant)}",
                detail=_cut(_sentence(a.question)),
                part=RecordPart.EPISODES,
                actor=_name(a.asked_by),
                link=link,
            )
        )
        if a.answered_at is not None:
            entries.append(
                TimelineEntry(
                    at=a.answered_at,
                    kind=Kind.ADVICE,
                    title="Advice given",
                    detail=_cut(_sentence(a.answer)),
                    part=RecordPart.EPISODES,
                    actor=_name(a.answered_by),
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


def transitions(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R8, R9: a discharge or transfer planned and completed, with any senior override of the checklist."""
    rows = _touching(
        Transition.objects.filter(person=person).select_related(
            "episode__service", "to_team__service", "started_by", "completed_by", "override_by"
        ),
        ["started_at", "completed_at"],
        window,
    )
    entries = []
    for t in rows:
        link = reverse("transitions:detail", args=[t.public_id])
        where = (
            f"from {t.episode.service.name} to {t.to_team.service.name}, {t.to_team.name}"
            if t.kind == TransitionKind.TRANSFER and t.to_team is not None
            else f"from {t.episode.service.name}"
        )
        entries.append(
            TimelineEntry(
                at=t.started_at,
                kind=Kind.TRANSITION,
                title=f"{t.get_kind_display()} planned {where}",
                detail="",
                part=RecordPart.EPISODES,
                actor=_name(t.started_by),
                link=link,
            )
        )
        if t.completed_at is not None:
            override = f"Checklist overridden by {_name(t.override_by)}: {t.override_reason}" if t.override_by else ""
            entries.append(
                TimelineEntry(
                    at=t.completed_at,
                    kind=Kind.TRANSITION,
                    title=f"{t.get_kind_display()} completed {where}",
                    detail=_cut(_sentence(override)),
                    part=RecordPart.EPISODES,
                    actor=_name(t.completed_by),
                    link=link,
                )
            )
    return _newest_first(entries, window, limit)


def provider_handovers(person: Person, window: Window, limit: int, scope: Scope) -> list[TimelineEntry]:
    """R10: the person's care moved to a new provider when a contract ended; one entry per handover, saying what
    moved (the audit rows hold each record)."""
    rows = list(
        HandoverMove.objects.filter(person=person, handover__status=ProviderHandoverStatus.COMPLETED)
        .filter(window.q_moment("handover__run_at"))
        .select_related("handover__from_contract__provider", "handover__to_contract__provider", "handover__run_by")
        .order_by("-handover__run_at", "handover_id", "kind")
    )
    by_handover: dict[int, list[HandoverMove]] = {}
    for move in rows:
        by_handover.setdefault(move.handover_id, []).append(move)
    entries = []
    for moves in by_handover.values():
        handover = moves[0].handover
        kinds: dict[str, int] = {}
        for move in moves:
            label = MOVE_LABELS.get(move.kind, move.kind)
            kinds[label] = kinds.get(label, 0) + 1
        entries.append(
            TimelineEntry(
                at=handover.run_at,
                kind=Kind.TRANSITION,
                title=f"Care moved from {handover.from_contract.provider.name} to {handover.to_contract.provider.name} "
                "(provider handover)",
                detail=_cut(_sentence(*(f"{label}: {n}" for label, n in kinds.items()))),
                part=RecordPart.EPISODES,
                actor=_name(handover.run_by),
            )
        )
    return _newest_first(entries, window, limit)


# --- the registry --------------------------------------------------------------------------------

_E = (RecordPart.EPISODES,)

SOURCES: list[Source] = [
    Source(Kind.REFERRAL, _E, referrals_received),
    Source(Kind.REFERRAL, _E, referral_status_changes),
    Source(Kind.EPISODE, _E, episodes),
    Source(Kind.EPISODE, _E, coordinators_named),
    Source(Kind.ASSESSMENT, _ASSESSMENT_LIST_PARTS, joint_assessments),
    Source(Kind.MEASURE, (RecordPart.SUBSTANCE_USE, RecordPart.MENTAL_HEALTH), measures),
    Source(Kind.RISK_FLAG, (RecordPart.RISK,), risk_flags),
    Source(Kind.RISK_FLAG, (RecordPart.RISK,), risk_flag_reviews),
    Source(Kind.CARE_PLAN, (RecordPart.CARE_PLAN,), care_plan_versions),
    Source(Kind.CARER, (RecordPart.CARERS,), carer_assessments),
    Source(Kind.APPOINTMENT, _E, appointments_booked),
    Source(Kind.APPOINTMENT, _E, appointment_outcomes),
    Source(Kind.FOLLOW_UP, _E, follow_ups_created),
    Source(Kind.FOLLOW_UP, _E, follow_up_actions),
    Source(Kind.FOLLOW_UP, _E, follow_ups_completed),
    Source(Kind.LOSS_OF_CONTACT, _E, losses_of_contact),
    Source(Kind.TASK, _E, tasks_created),
    Source(Kind.TASK, _E, tasks_finished),
    Source(Kind.TASK, _E, tasks_escalated),
    Source(Kind.MESSAGE, _E, messages),
    Source(Kind.CASE_REVIEW, _E, case_reviews),
    Source(Kind.GROUP, (RecordPart.GROUPS,), group_attendance),
    Source(Kind.WARD_STAY, _E, ward_stays),
    Source(Kind.WARD_STAY, _E, leaves),
    Source(Kind.MEDICINES, (RecordPart.MEDICINES,), dose_changes),
    Source(Kind.MEDICINES, (RecordPart.MEDICINES,), naloxone_offers),
    Source(Kind.MEDICINES, (RecordPart.MEDICINES,), prescribing_handovers),
    Source(Kind.ADVICE, _E, advice_requests),
    Source(Kind.TRANSITION, _E, transitions),
    Source(Kind.TRANSITION, _E, provider_handovers),
]


def parts_of(kind: str) -> frozenset[str]:
    """Every part of the record any source of this kind may need."""
    return frozenset(p for s in SOURCES if s.kind == kind for p in s.parts)


DISPLAY_PARTS = frozenset({RecordPart.CONTACT})
"""Parts that change how an entry reads (a reminder's number), not whether it shows."""


def all_parts() -> frozenset[str]:
    """Every part the timeline asks the permission function about."""
    return frozenset(p for s in SOURCES for p in s.parts) | DISPLAY_PARTS


def visible_kinds(readable: frozenset[str]) -> list[Kind]:
    """The kinds of entry this viewer may see, in the order of `Kind`."""
    return [k for k in Kind if any(s.kind == k and readable & set(s.parts) for s in SOURCES)]


def collect(*, person: Person, scope: Scope, kinds: Iterable[str], window: Window, limit: int) -> list[TimelineEntry]:
    """The newest `limit` entries across every source of these kinds the viewer may read, newest first.
    One query per source that runs, however long the history."""
    wanted = set(kinds)
    found: list[TimelineEntry] = []
    for source in SOURCES:
        if source.kind in wanted and scope.first_readable(source.parts) is not None:
            # SECURITY: a source runs only when the viewer may read one of its parts; every entry it
            # gives carries a part the viewer may read (measures filter by part themselves).
            found.extend(e for e in source.fetch(person, window, limit, scope) if e.part in scope.readable)
    found.sort(key=_order)
    return found[:limit]


def _order(entry: TimelineEntry) -> tuple[Any, ...]:
    # Newest first; ties in a stable order so paging never shows an entry twice or skips one.
    return (-entry.at.timestamp(), entry.kind, entry.title, entry.link)
