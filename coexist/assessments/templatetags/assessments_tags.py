"""Template tags other apps' pages use to show assessments and risk flags from an opened record."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.assessments.selectors import assessments_of, risk_flags_current
from coexist.people.rules import RecordPart
from coexist.people.selectors import OpenedRecord

register = template.Library()


@register.simple_tag
def assessments_and_risk(record: OpenedRecord) -> dict[str, Any]:
    """For a record already opened (and its read logged) by `person_open`: the person's assessments and
    current risk flags, each only if the viewer may read that part, and what the viewer may start."""
    return {
        "assessments": assessments_of(record),
        "flags": risk_flags_current(record),
        "can_read_risk": record.can_read(RecordPart.RISK),
        "can_raise_flags": record.can_write(RecordPart.RISK),
        "can_start": record.can_write(RecordPart.MENTAL_HEALTH) and record.can_write(RecordPart.SUBSTANCE_USE),
    }
