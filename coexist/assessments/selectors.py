"""Reads of assessments and risk flags, scoped to the viewer part by part and written to the access log.

A joint assessment holds three parts of the record (rules.DOMAIN_PARTS): mental health, substance use
and risk. A viewer sees only the parts they may read; the rest is withheld, not blanked by a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from coexist.accounts.models import User
from coexist.assessments.models import (
    Assessor,
    DomainFinding,
    JointAssessment,
    RiskFlag,
    RiskFlagReview,
    SubstanceUse,
)
from coexist.assessments.rules import ASSESSMENT_PARTS, DOMAIN_PARTS, ChildrenContact, is_joint
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import DIRECT_CARE, access_log_append
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, access_facts
from coexist.people.rules import AccessDecision, Action, RecordPart, decide_access
from coexist.people.selectors import OpenedRecord
from coexist.tasks.models import Task


def open_parts(
    *, viewer: User, person: Person, parts: Sequence[str], channel: Channel, detail: str, purpose: str = DIRECT_CARE
) -> OpenedRecord:
    """Decide identity and the given parts for this viewer; refuse (and log) if identity or every one of
    the parts is closed; otherwise log a read of exactly the parts that will be shown."""
    facts = access_facts(viewer, person)
    wanted = [RecordPart.IDENTITY, *parts]
    reads = {part: decide_access(facts=facts, action=Action.READ, part=part) for part in wanted}
    refused: AccessDecision | None = None
    if not reads[RecordPart.IDENTITY].allowed:
        refused = reads[RecordPart.IDENTITY]
    elif parts and not any(reads[p].allowed for p in parts):
        refused = reads[parts[0]]
    if refused is not None:
        access_log_append(
            actor=viewer,
            person_ids=[person.public_id],
            action=Action.READ,
            parts=[p for p in wanted if not reads[p].allowed],
            outcome=Outcome.REFUSED,
            basis=refused.basis,
            channel=channel,
            detail=detail,
            purpose=purpose,
        )
        raise AccessRefused(refused)
    readable = frozenset(p for p, d in reads.items() if d.allowed)
    writable = frozenset(p for p in wanted if decide_access(facts=facts, action=Action.WRITE, part=p).allowed)
    # SECURITY: the log names only the parts this read shows, not every part the viewer could open.
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=readable,
        outcome=Outcome.ALLOWED,
        basis=reads[RecordPart.IDENTITY].basis,
        channel=channel,
        detail=detail,
        purpose=purpose,
    )
    return OpenedRecord(person=person, readable=readable, writable=writable, basis=reads[RecordPart.IDENTITY].basis)


@dataclass(frozen=True)
class OpenedAssessment:
    """A joint assessment as one viewer may see it. Withheld parts are absent, not hidden."""

    assessment: JointAssessment
    record: OpenedRecord
    assessors: list[Assessor]
    findings: list[DomainFinding]
    substances: list[SubstanceUse]
    flags: list[RiskFlag]
    withheld: list[str] = field(default_factory=list)

    @property
    def person(self) -> Person:
        return self.record.person

    @property
    def is_joint(self) -> bool:
        return is_joint(a.organisation_id for a in self.assessors)

    @property
    def can_edit(self) -> bool:
        """Changing the assessment needs both assessment parts; consent to share never allows it."""
        return not self.assessment.is_completed and all(
            self.record.can_write(p) for p in (RecordPart.MENTAL_HEALTH, RecordPart.SUBSTANCE_USE)
        )

    @property
    def can_raise_flags(self) -> bool:
        return self.record.can_write(RecordPart.RISK)

    @property
    def mental_health_readable(self) -> bool:
        return self.record.can_read(RecordPart.MENTAL_HEALTH)

    @property
    def substance_use_readable(self) -> bool:
        return self.record.can_read(RecordPart.SUBSTANCE_USE)

    @property
    def risk_readable(self) -> bool:
        return self.record.can_read(RecordPart.RISK)

    @property
    def diagnosis(self) -> str | None:
        return self.assessment.diagnosis if self.mental_health_readable else None

    @property
    def children_contact(self) -> str | None:
        return self.assessment.children_contact if self.mental_health_readable else None

    @property
    def children_contact_label(self) -> str:
        value = self.children_contact
        return ChildrenContact(value).label if value else ""

    @property
    def needs(self) -> list[DomainFinding]:
        """The readable domains with a routine or urgent need, urgent first: the summary of needs."""
        found = [f for f in self.findings if f.need in ("routine", "urgent")]
        return sorted(found, key=lambda f: (f.need != "urgent", f.pk))

    @property
    def tasks(self) -> list[Task]:
        """R2 tasks created from the readable domains."""
        return [f.urgent_task for f in self.findings if f.urgent_task is not None]


def assessment_open(
    *, viewer: User, public_id: UUID, channel: Channel, detail: str, purpose: str = DIRECT_CARE
) -> OpenedAssessment:
    """Open an assessment for a viewer. Raises JointAssessment.DoesNotExist, or AccessRefused when the
    viewer may read none of mental health, substance use or risk for this person."""
    assessment = JointAssessment.objects.select_related("person", "started_by", "completed_by").get(public_id=public_id)
    record = open_parts(
        viewer=viewer,
        person=assessment.person,
        parts=ASSESSMENT_PARTS,
        channel=channel,
        detail=detail,
        purpose=purpose,
    )
    # SECURITY: each domain is shown only if its part is readable (a substance-use reader never sees
    # mental health notes).
    findings = [
        f
        for f in assessment.findings.select_related("urgent_task__assigned_to").order_by("pk")
        if record.can_read(DOMAIN_PARTS[f.domain])
    ]
    substances = (
        list(assessment.substances.select_related("recorded_by")) if record.can_read(RecordPart.SUBSTANCE_USE) else []
    )
    flags = (
        list(RiskFlag.objects.filter(person=assessment.person).current().select_related("raised_by"))
        if record.can_read(RecordPart.RISK)
        else []
    )
    withheld = [p.label for p in ASSESSMENT_PARTS if not record.can_read(p)]
    return OpenedAssessment(
        assessment=assessment,
        record=record,
        assessors=list(assessment.assessors.select_related("user", "organisation")),
        findings=findings,
        substances=substances,
        flags=flags,
        withheld=withheld,
    )


def assessment_measures(opened: OpenedAssessment) -> list[InstrumentResponse]:
    """The validated measures recorded with this assessment, oldest first, in one query.

    SECURITY: only measures in a part of the record the viewer may read (a measure's part is its
    definition's `record_part`, as in `instruments.services.record_part_for`): a substance use reader
    sees the AUDIT, not the PHQ-9. A measure no longer shipped could be either kind, so it is left out.
    The read is covered by the assessment's own access-log entry, which names these parts."""
    codes = sorted(code for code, instrument in DEFINITIONS.items() if opened.record.can_read(instrument.record_part))
    if not codes:
        return []
    return list(
        InstrumentResponse.objects.filter(assessment=opened.assessment, instrument_code__in=codes).order_by(
            "completed_at", "pk"
        )
    )


def assessments_of(record: OpenedRecord) -> list[JointAssessment]:
    """A person's assessments, newest first, for a viewer who has already opened the record and may
    read mental health or substance use assessments."""
    if not (record.can_read(RecordPart.MENTAL_HEALTH) or record.can_read(RecordPart.SUBSTANCE_USE)):
        return []
    return list(record.person.assessments.order_by("-started_at"))


def risk_flags_current(record: OpenedRecord) -> list[RiskFlag]:
    """The person's current risk flags (R13), if the viewer may read risk; soonest review first."""
    if not record.can_read(RecordPart.RISK):
        return []
    return list(RiskFlag.objects.filter(person=record.person).current().select_related("raised_by"))


@dataclass(frozen=True)
class PersonFlags:
    record: OpenedRecord
    current: list[RiskFlag]
    ended: list[RiskFlag]


def risk_flags_open(*, viewer: User, person_id: UUID, channel: Channel, detail: str) -> PersonFlags:
    """All of a person's risk flags, current and ended. Raises Person.DoesNotExist or AccessRefused."""
    person = Person.objects.get(public_id=person_id)
    record = open_parts(viewer=viewer, person=person, parts=[RecordPart.RISK], channel=channel, detail=detail)
    flags = list(
        RiskFlag.objects.filter(person=person).select_related("raised_by", "ended_by").order_by("review_on", "pk")
    )
    current_ids = set(RiskFlag.objects.filter(person=person).current().values_list("pk", flat=True))
    return PersonFlags(
        record=record,
        current=[f for f in flags if f.pk in current_ids],
        ended=[f for f in flags if f.pk not in current_ids],
    )


@dataclass(frozen=True)
class OpenedFlag:
    flag: RiskFlag
    record: OpenedRecord
    reviews: list[RiskFlagReview]


def risk_flag_open(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> OpenedFlag:
    """One risk flag with its reviews. Raises RiskFlag.DoesNotExist or AccessRefused."""
    flag = RiskFlag.objects.select_related("person", "raised_by", "ended_by").get(public_id=public_id)
    record = open_parts(viewer=viewer, person=flag.person, parts=[RecordPart.RISK], channel=channel, detail=detail)
    return OpenedFlag(flag=flag, record=record, reviews=list(flag.reviews.select_related("reviewed_by")))
