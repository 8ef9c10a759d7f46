"""The "Ward stays" part of a person's page (R9): the current stay, earlier stays, and admitting for ward
staff. The page has opened the record and logged the read."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.accounts.models import User
from coexist.inpatient.selectors import admissions_of, wards_of
from coexist.people.rules import RecordPart
from coexist.people.selectors import OpenedRecord

register = template.Library()


@register.inclusion_tag("inpatient/_person_section.html")
def ward_stays_section(record: OpenedRecord, viewer: User) -> dict[str, Any]:
    stays = admissions_of(record)
    current = next((stay for stay in stays if stay.is_current), None)
    can_admit = current is None and record.can_write(RecordPart.EPISODES) and bool(wards_of(viewer))
    return {
        "show": bool(stays) or can_admit,
        "person": record.person,
        "current": current,
        "earlier": [stay for stay in stays if stay is not current],
        "can_admit": can_admit,
    }
