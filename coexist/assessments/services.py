"""Changes to assessments and risk flags. Each checks the permission function, runs in one
transaction and appends to the access log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments import rules
from coexist.assessments.models import (
    AssessmentStatus,
    Assessor,
    DomainFinding,
    JointAssessment,
    RiskFlag,
    RiskFlagReview,
    RiskKind,
    SubstanceUse,
)
from coexist.assessments.rules import ChildrenContact, Domain, DomainNeed, Frequency, Need, Route, Substance
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.care.selectors import duty_owner
from coexist.organisations.models import Membership, Organisation
from coexist.people.models import Person
from coexist.people.permissions import confirm_still_visible, may, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.referrals.services import referrals_mark_assessed
from coexist.tasks.models import Priority, Task
from coexist.tasks.services import task_create

MAX_ASSESSORS = 2
"""One worker from the mental health trust and one from the drug and alcohol provider (NG58 joint working)."""

_BOTH_PARTS = [RecordPart.MENTAL_HEALTH, RecordPart.SUBSTANCE_USE]


@dataclass(frozen=True)
class DomainChange:
    """What to change in one domain; None leaves that field as it is."""

    notes: str | None = None
    need: str | None = None


def _refuse_if_completed(assessment: JointAssessment) -> None:
    if assessment.status == AssessmentStatus.COMPLETED:
        done = timezone.localtime(assessment.completed_at) if assessment.completed_at else None
        when = f" on {done:%d %B %Y}" if done else ""
        raise ValidationError(
            f"This assessment was completed{when} and can no longer be changed. "
            "Start a new assessment to record what has changed.",
            code="completed",
        )


def assessor_organisation(user: User) -> Organisation | None:
    """The organisation a worker assesses for: that of their current clinical team membership."""
    membership = (
        Membership.objects.current()
        .clinical()
        .filter(user=user)
        .select_related("team__service__organisation")
        .order_by("started_on", "pk")
        .first()
    )
    return membership.team.service.organisation if membership is not None else None


def assessment_start(
    *, person: Person, by: User, channel: Channel, episode: EpisodeOfCare | None = None
) -> JointAssessment:
    """Start a joint comprehensive assessment (NG58) with the starting worker as its first assessor.

    Every domain gets a row with no need recorded yet, so completion can tell what was not asked."""
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_BOTH_PARTS, channel=channel, detail="start assessment"
    )
    organisation = assessor_organisation(by)
    if organisation is None:
        raise ValidationError("Only a member of a clinical team can carry out an assessment.")
    if episode is not None and episode.person_id != person.pk:
        raise ValidationError({"episode": "That episode of care is not this person's."})
    with transaction.atomic():
        assessment = JointAssessment(person=person, episode=episode, started_by=by)
        assessment._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
        assessment.save()
        Assessor.objects.create(assessment=assessment, user=by, organisation=organisation, added_by=by)
        DomainFinding.objects.bulk_create(DomainFinding(assessment=assessment, domain=d) for d in Domain.values)
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=_BOTH_PARTS,
            basis=decision.basis,
            channel=channel,
            detail="started joint assessment",
        )
    return assessment


def assessment_assessor_add(*, assessment: JointAssessment, assessor: User, by: User, channel: Channel) -> Assessor:
    """Record the second assessor: typically the drug and alcohol worker beside the care coordinator.

    The assessor must themselves be allowed to change the person's record (care team, open referral or
    episode), so naming someone cannot open a record to them."""
    person = assessment.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_BOTH_PARTS, channel=channel, detail="add assessor"
    )
    _refuse_if_completed(assessment)
    if not may(assessor, person, Action.WRITE, RecordPart.MENTAL_HEALTH).allowed:
        raise ValidationError({"assessor": "That worker cannot change this person's record, so cannot assess them."})
    organisation = assessor_organisation(assessor)
    if organisation is None:
        raise ValidationError({"assessor": "That worker is not a member of a clinical team."})
    with transaction.atomic():
        locked = JointAssessment.objects.select_for_update().get(pk=assessment.pk)
        _refuse_if_completed(locked)
        current = list(locked.assessors.values_list("user_id", flat=True))
        if assessor.pk in current:
            raise ValidationError({"assessor": "That worker is already an assessor."})
        if len(current) >= MAX_ASSESSORS:
            raise ValidationError({"assessor": "This assessment already has two assessors."})
        added = Assessor.objects.create(assessment=locked, user=assessor, organisation=organisation, added_by=by)
        log_write(
            by=by,
            person=person,
            parts=_BOTH_PARTS,
            basis=decision.basis,
            channel=channel,
            detail=f"added {assessor.display_name} ({organisation.name}) as assessor",
        )
    return added


def _create_urgent_tasks(
    *, assessment: JointAssessment, findings: Iterable[DomainFinding], previous: Mapping[str, str], by: User
) -> list[Task]:
    """R2: one urgent task per newly urgent need, for the care coordinator (else the worker who found it)."""
    by_domain = {f.domain: f for f in findings}
    specs = rules.urgent_needs(
        [
            DomainNeed(
                domain=f.domain,
                need=f.need,
                notes=f.notes,
                previous_need=previous.get(f.domain, ""),
                has_open_task=f.urgent_task is not None and f.urgent_task.is_open,
            )
            for f in by_domain.values()
        ]
    )
    if not specs:
        return []
    owner, episode = duty_owner(assessment.person, otherwise=by)
    due = rules.urgent_task_due(found_at=timezone.now())
    created: list[Task] = []
    for spec in specs:
        task = task_create(
            person=assessment.person,
            rule="R2",
            title=spec.title,
            detail=spec.detail,
            due_at=due,
            priority=Priority.URGENT,
            assigned_to=owner,
            episode=episode or assessment.episode,
            by=by,
        )
        finding = by_domain[spec.domain]
        finding.urgent_task = task
        finding.save(update_fields=["urgent_task"])
        created.append(task)
    return created


def assessment_save(
    *,
    assessment: JointAssessment,
    by: User,
    channel: Channel,
    domains: Mapping[str, DomainChange],
    diagnosis: str | None = None,
    children_contact: str | None = None,
) -> list[Task]:
    """Save what the assessors found. R2: each newly urgent need creates an urgent task in the same
    transaction; saving the same urgent need again creates nothing more. Returns the tasks created.

    Refused once the assessment is completed."""
    errors: dict[str, str] = {}
    for domain, change in domains.items():
        if domain not in Domain.values:
            errors[domain] = "There is no such domain in the assessment."
        elif change.need is not None and change.need not in ("", *Need.values):
            errors[f"{domain}_need"] = "Choose none, routine or urgent."
    if children_contact is not None and children_contact not in ChildrenContact.values:
        errors["children_contact"] = "Choose whether children live with or are cared for by the person."
    if diagnosis is not None and len(diagnosis) > 200:
        errors["diagnosis"] = "Diagnosis must be 200 characters or fewer."
    if errors:
        raise ValidationError(errors)
    parts = set(rules.parts_for_domains(domains))
    if diagnosis is not None or children_contact is not None or not parts:
        parts.add(RecordPart.MENTAL_HEALTH)
    decision = require(
        user=by,
        person=assessment.person,
        action=Action.WRITE,
        parts=sorted(parts),
        channel=channel,
        detail="save assessment",
    )
    _refuse_if_completed(assessment)
    with transaction.atomic():
        locked = JointAssessment.objects.select_for_update().get(pk=assessment.pk)
        _refuse_if_completed(locked)
        findings = {f.domain: f for f in locked.findings.select_related("urgent_task")}
        previous = {domain: f.need for domain, f in findings.items()}
        changed: list[DomainFinding] = []
        for domain, change in domains.items():
            finding = findings.get(domain) or DomainFinding(assessment=locked, domain=domain)
            new_notes = finding.notes if change.notes is None else change.notes.strip()
            new_need = finding.need if change.need is None else change.need
            errors.update(rules.domain_errors(domain=domain, need=new_need, notes=new_notes))
            if finding.pk is None or (new_notes, new_need) != (finding.notes, finding.need):
                finding.notes, finding.need = new_notes, new_need
                changed.append(finding)
            findings[domain] = finding
        if errors:
            raise ValidationError(errors)
        for finding in changed:
            finding._history_user = by  # type: ignore[attr-defined]
            finding.save()
        fields: list[str] = []
        if diagnosis is not None and diagnosis.strip() != locked.diagnosis:
            locked.diagnosis = diagnosis.strip()
            fields.append("diagnosis")
        if children_contact is not None and children_contact != locked.children_contact:
            locked.children_contact = children_contact
            fields.append("children_contact")
        if fields:
            locked._history_user = by  # type: ignore[attr-defined]
            locked.save(update_fields=fields)
        tasks = _create_urgent_tasks(assessment=locked, findings=findings.values(), previous=previous, by=by)
        confirm_still_visible(user=by, person=locked.person)
        names = [Domain(f.domain).label.lower() for f in changed] + fields
        log_write(
            by=by,
            person=locked.person,
            parts=sorted(parts),
            basis=decision.basis,
            channel=channel,
            detail=("saved assessment: " + ", ".join(names) if names else "saved assessment: no change")
            + (f"; {len(tasks)} urgent task(s) created (R2)" if tasks else ""),
        )
    return tasks


def assessment_complete(*, assessment: JointAssessment, by: User, channel: Channel) -> JointAssessment:
    """Complete the assessment: every domain considered, then no more changes (named transition, STYLE 5).

    R2: urgent tasks are created as each need is saved; completing also creates one for any urgent need
    that has never had a task, so nothing urgent leaves the assessment without an owner."""
    person = assessment.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_BOTH_PARTS, channel=channel, detail="complete assessment"
    )
    _refuse_if_completed(assessment)
    with transaction.atomic():
        locked = JointAssessment.objects.select_for_update().get(pk=assessment.pk)
        _refuse_if_completed(locked)
        findings = list(locked.findings.select_related("urgent_task"))
        errors = rules.completion_errors(
            needs={f.domain: f.need for f in findings}, assessor_count=locked.assessors.count()
        )
        if errors:
            raise ValidationError(errors)
        previous = {f.domain: (f.need if f.urgent_task_id else "") for f in findings}
        _create_urgent_tasks(assessment=locked, findings=findings, previous=previous, by=by)
        locked.status = AssessmentStatus.COMPLETED
        locked.completed_at = timezone.now()
        locked.completed_by = by
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "completed_at", "completed_by"])
        referrals_mark_assessed(person=person, at=locked.completed_at)
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=_BOTH_PARTS,
            basis=decision.basis,
            channel=channel,
            detail="completed joint assessment",
        )
    return locked


def substance_add(
    *,
    assessment: JointAssessment,
    by: User,
    channel: Channel,
    substance: str,
    route: str,
    frequency: str,
    injecting: bool,
    last_used_on: date | None = None,
    substance_other: str = "",
    notes: str = "",
) -> SubstanceUse:
    """Record one substance the person uses: what, how, how often, whether injected, when last."""
    person = assessment.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.SUBSTANCE_USE],
        channel=channel,
        detail="add substance",
    )
    _refuse_if_completed(assessment)
    errors: dict[str, str] = {}
    if substance not in Substance.values:
        errors["substance"] = "Choose a substance from the list."
    if route not in Route.values:
        errors["route"] = "Choose how it is taken."
    if frequency not in Frequency.values:
        errors["frequency"] = "Choose how often it is used."
    errors.update(
        rules.substance_errors(
            substance=substance,
            substance_other=substance_other,
            route=route,
            injecting=injecting,
            last_used_on=last_used_on,
            today=timezone.localdate(),
        )
    )
    if len(substance_other) > 100:
        errors["substance_other"] = "Name the substance in 100 characters or fewer."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = JointAssessment.objects.select_for_update().get(pk=assessment.pk)
        _refuse_if_completed(locked)
        row = SubstanceUse(
            assessment=locked,
            substance=substance,
            substance_other=substance_other.strip() if substance == Substance.OTHER else "",
            route=route,
            frequency=frequency,
            injecting=injecting,
            last_used_on=last_used_on,
            notes=notes.strip(),
            recorded_by=by,
        )
        row._history_user = by  # type: ignore[attr-defined]
        row.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.SUBSTANCE_USE],
            basis=decision.basis,
            channel=channel,
            detail=f"added substance to assessment: {row.name}",
        )
    return row


def substance_remove(*, substance_use: SubstanceUse, by: User, channel: Channel) -> None:
    """Remove a substance row recorded in error, while the assessment is in progress."""
    assessment = substance_use.assessment
    person = assessment.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.SUBSTANCE_USE],
        channel=channel,
        detail="remove substance",
    )
    _refuse_if_completed(assessment)
    with transaction.atomic():
        locked = JointAssessment.objects.select_for_update().get(pk=assessment.pk)
        _refuse_if_completed(locked)
        name = substance_use.name
        substance_use._history_user = by  # type: ignore[attr-defined]
        substance_use.delete()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.SUBSTANCE_USE],
            basis=decision.basis,
            channel=channel,
            detail=f"removed substance from assessment: {name}",
        )


def risk_flag_raise(
    *,
    person: Person,
    kind: RiskKind,
    source: str,
    review_on: date,
    by: User,
    channel: Channel,
    note: str = "",
    assessment: JointAssessment | None = None,
) -> RiskFlag:
    """R13: raise a risk flag that the whole care team sees. It must carry a review date, today or later.

    Safe to call inside a caller's transaction (e.g. recording a PHQ-9 whose item 9 is above 0, R15)."""
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=[RecordPart.RISK], channel=channel, detail="raise risk flag"
    )
    errors = rules.review_date_errors(review_on=review_on, today=timezone.localdate())
    if kind not in RiskKind.values:
        errors["kind"] = "Choose the kind of risk."
    if not source.strip():
        errors["source"] = "Say where the risk came from."
    if assessment is not None and assessment.person_id != person.pk:
        errors["assessment"] = "That assessment is not this person's."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        flag = RiskFlag(
            person=person,
            kind=kind,
            source=source.strip()[:200],
            note=note.strip(),
            review_on=review_on,
            raised_by=by,
            assessment=assessment,
        )
        flag._history_user = by  # type: ignore[attr-defined]
        flag.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.RISK],
            basis=decision.basis,
            channel=channel,
            detail=f"raised {flag.get_kind_display().lower()} risk flag ({source[:100]})",
        )
    return flag


def _refuse_if_ended(flag: RiskFlag) -> None:
    if flag.ended_on is not None:
        raise ValidationError(f"This flag was ended on {flag.ended_on:%d %B %Y}; raise a new flag if the risk returns.")


def risk_flag_review(*, flag: RiskFlag, review_on: date, note: str, by: User, channel: Channel) -> RiskFlag:
    """R13: review a current flag: say what was decided and set the next review date (today or later)."""
    person = flag.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=[RecordPart.RISK], channel=channel, detail="review risk flag"
    )
    _refuse_if_ended(flag)
    errors = rules.review_date_errors(review_on=review_on, today=timezone.localdate())
    if not note.strip():
        errors["note"] = "Say what the review found."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = RiskFlag.objects.select_for_update().get(pk=flag.pk)
        _refuse_if_ended(locked)
        RiskFlagReview.objects.create(
            flag=locked,
            reviewed_by=by,
            previous_review_on=locked.review_on,
            next_review_on=review_on,
            note=note.strip(),
        )
        locked.review_on = review_on
        locked.reviewed_at = timezone.now()
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["review_on", "reviewed_at"])
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.RISK],
            basis=decision.basis,
            channel=channel,
            detail=f"reviewed {locked.get_kind_display().lower()} risk flag; next review {review_on:%d %b %Y}",
        )
    return locked


def risk_flag_end(*, flag: RiskFlag, reason: str, by: User, channel: Channel) -> RiskFlag:
    """R13: end a flag when the risk has gone, with the reason. It stays in the record, no longer current."""
    person = flag.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=[RecordPart.RISK], channel=channel, detail="end risk flag"
    )
    _refuse_if_ended(flag)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the flag is no longer needed."})
    with transaction.atomic():
        locked = RiskFlag.objects.select_for_update().get(pk=flag.pk)
        _refuse_if_ended(locked)
        locked.ended_on = timezone.localdate()
        locked.ended_by = by
        locked.end_reason = reason.strip()
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["ended_on", "ended_by", "end_reason"])
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.RISK],
            basis=decision.basis,
            channel=channel,
            detail=f"ended {locked.get_kind_display().lower()} risk flag",
        )
    return locked
