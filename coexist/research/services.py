"""Writes for researcher extracts: making one, which logs it first (issue 6 point 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.people.permissions import AccessRefused
from coexist.people.rules import Action, RecordPart
from coexist.research.models import ExtractLog, ResearchProject
from coexist.research.rules import (
    ExtractKind,
    ExtractOptions,
    check_k,
    counts_extract,
    episodes_extract,
    sha256_hex,
    to_csv,
)
from coexist.research.selectors import episode_sources, may_extract, people_in_period

EARLIEST = date(2000, 1, 1)
MAX_PERIOD_DAYS = 10 * 366
MAX_WHY = 2000
RESEARCH_PURPOSE = "research"
EXTRACT_PARTS = (
    RecordPart.IDENTITY,
    RecordPart.EQUALITY,
    RecordPart.EPISODES,
    RecordPart.MENTAL_HEALTH,
    RecordPart.SUBSTANCE_USE,
)


@dataclass(frozen=True)
class Extract:
    """A made extract: its log entry and the file, whose SHA-256 is in the entry."""

    log: ExtractLog
    content: bytes
    filename: str


def _validate(*, why: str, start: date | None, end: date | None, options: ExtractOptions) -> str:
    errors: dict[str, str] = {}
    reason = why.strip()
    if not reason:
        errors["why"] = "Say why you need this extract, for example which analysis in the approved protocol."
    elif len(reason) > MAX_WHY:
        errors["why"] = f"Keep the reason to {MAX_WHY} characters or fewer."
    elif "\x00" in reason:
        errors["why"] = "The reason contains a character that cannot be stored. Type it again."
    today = timezone.localdate()
    if start is None:
        errors["start"] = "Enter the first day of the period."
    if end is None:
        errors["end"] = "Enter the last day of the period."
    if start is not None and end is not None:
        if start < EARLIEST:
            errors["start"] = "The period must start in 2000 or later."
        elif end > today:
            errors["end"] = "The period cannot end after today."
        elif end < start:
            errors["end"] = "The last day must be on or after the first day."
        elif (end - start).days > MAX_PERIOD_DAYS:
            errors["end"] = "The period can be at most 10 years."
    try:
        check_k(options.k)
    except ValueError as exc:
        errors["k"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return reason


def extract_make(
    *,
    project: ResearchProject,
    by: User,
    why: str,
    start: date | None,
    end: date | None,
    options: ExtractOptions,
    channel: Channel,
) -> Extract:
    """A de-identified extract for a project, logged (who, why, what, file hash) BEFORE it is returned.

    The log entry and the access log entries for the people included are written in the same transaction
    as the file is made; if anything fails nothing is logged and no file is returned. Refused (403) unless
    the user is named on a current project and holds a current researcher role."""
    decision = may_extract(by, project)
    if not decision.allowed:
        raise AccessRefused(decision)
    reason = _validate(why=why, start=start, end=end, options=options)
    assert start is not None
    assert end is not None
    with transaction.atomic():
        if options.kind is ExtractKind.COUNTS:
            ids, facts = people_in_period(start=start, end=end)
            table = counts_extract(facts, on=end, options=options)
            people = tuple(ids)
        else:
            table = episodes_extract(episode_sources(start=start, end=end), key=bytes(project.key), options=options)
            people = table.people
        content = to_csv(table)
        log = ExtractLog.objects.create(
            project=project,
            by=by,
            by_username=by.username,
            by_name=by.display_name,
            why=reason,
            kind=options.kind.value,
            fields=list(table.columns),
            period_start=start,
            period_end=end,
            options={
                "dates": options.dates.value,
                "age": options.age.value,
                "k": options.k,
                **({"cut": options.cut.value} if options.kind is ExtractKind.COUNTS else {}),
            },
            row_count=len(table.rows),
            rows_dropped=table.dropped,
            sha256=sha256_hex(content),
        )
        # Each person whose data went into the file gets an access log entry: the record was read for
        # research, de-identified, on the server (the researcher saw no identified record).
        access_log_append(
            actor=by,
            person_ids=[UUID(p) for p in people],
            action=Action.READ,
            parts=EXTRACT_PARTS,
            outcome=Outcome.ALLOWED,
            basis=decision.basis,
            channel=channel,
            detail=f"de-identified research extract {log.public_id}",
            purpose=RESEARCH_PURPOSE,
        )
    filename = f"extract-{log.at:%Y%m%d-%H%M%S}-{str(log.public_id)[:8]}.csv"
    return Extract(log=log, content=content, filename=filename)
