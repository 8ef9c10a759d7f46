"""The "Latest in the timeline" section of a person's page."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.people.selectors import OpenedRecord
from coexist.timeline.selectors import latest_entries

register = template.Library()


@register.inclusion_tag("timeline/_latest.html")
def latest_timeline(record: OpenedRecord) -> dict[str, Any]:
    """The newest five entries the viewer may read (the record is already open and its read logged)."""
    return {"show": True, "person": record.person, "entries": latest_entries(record)}
