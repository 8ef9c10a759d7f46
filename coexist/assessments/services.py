"""Changes to assessments and risk flags. Each checks the permission function, runs in one
transaction and appends to the access log."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import RiskFlag, RiskKind
from coexist.audit.models import Channel
from coexist.people.models import Person
from coexist.people.permissions import require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write


def risk_flag_raise(
    *,
    person: Person,
    kind: RiskKind,
    source: str,
    review_on: date,
    by: User,
    channel: Channel,
    note: str = "",
) -> RiskFlag:
    """R13: raise a risk flag that the whole care team sees. It must carry a review date, today or later.

    Safe to call inside a caller's transaction (e.g. recording a PHQ-9 whose item 9 is above 0, R15)."""
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=[RecordPart.RISK], channel=channel, detail="raise risk flag"
    )
    if review_on < timezone.localdate():
        raise ValidationError({"review_on": "The review date must be today or later."})
    with transaction.atomic():
        flag = RiskFlag.objects.create(
            person=person, kind=kind, source=source[:200], note=note, review_on=review_on, raised_by=by
        )
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.RISK],
            basis=decision.basis,
            channel=channel,
            detail=f"raised {flag.get_kind_display().lower()} risk flag ({source[:100]})",
        )
    return flag
