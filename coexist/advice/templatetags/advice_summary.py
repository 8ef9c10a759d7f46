"""The "Advice from the addictions consultant" part of a person's page (seeds 001, 002). The page has opened
the record and logged the read."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.advice.models import AdviceStatus
from coexist.advice.selectors import advice_of
from coexist.people.rules import RecordPart
from coexist.people.selectors import OpenedRecord

register = template.Library()


@register.inclusion_tag("advice/_person_section.html")
def advice_section(record: OpenedRecord) -> dict[str, Any]:
    if not record.can_read(RecordPart.EPISODES):
        return {"show": False}
    requests = advice_of(record)
    return {
        "show": True,
        "person": record.person,
        "open": [a for a in requests if a.status == AdviceStatus.OPEN],
        "answered": sum(1 for a in requests if a.status == AdviceStatus.ANSWERED),
        "can_ask": record.can_write(RecordPart.EPISODES),
    }
