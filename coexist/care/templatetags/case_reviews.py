"""The "Case reviews" section of a person's page (R7)."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.care.reviews.selectors import reviews_of
from coexist.people.rules import RecordPart
from coexist.people.selectors import OpenedRecord

register = template.Library()


@register.inclusion_tag("care/reviews/_person_section.html")
def case_reviews_section(record: OpenedRecord) -> dict[str, Any]:
    """When the next review is due, what is booked and what was held, if the viewer may read the episodes
    of care (the record is already open and its read logged)."""
    if not record.can_read(RecordPart.EPISODES):
        return {"show": False}
    return {"show": True, "person": record.person, "reviews": reviews_of(record)}
