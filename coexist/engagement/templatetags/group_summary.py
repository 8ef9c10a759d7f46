"""The "Groups" section of a person's page: their groups and when they last came."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.engagement.groups.selectors import person_groups
from coexist.people.rules import RecordPart
from coexist.people.selectors import OpenedRecord

register = template.Library()


@register.inclusion_tag("engagement/groups/_person_section.html")
def person_groups_section(record: OpenedRecord) -> dict[str, Any]:
    """Enrolments and last attendance, if the viewer may read GROUPS (the record is already open and logged)."""
    if not record.can_read(RecordPart.GROUPS):
        return {"show": False}
    return {
        "show": True,
        "person": record.person,
        "groups": person_groups(person=record.person),
        "can_change": record.can_write(RecordPart.GROUPS),
    }
