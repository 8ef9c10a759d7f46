"""The "Episodes and care team" section of a person's page."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.care.selectors import care_team_of, episodes_of
from coexist.people.rules import RecordPart
from coexist.people.selectors import OpenedRecord

register = template.Library()


@register.inclusion_tag("care/_person_summary.html")
def episodes_and_care_team(record: OpenedRecord) -> dict[str, Any]:
    """Open episodes and the current care team, if the viewer may read them (the record is already open and logged)."""
    if not record.can_read(RecordPart.EPISODES):
        return {"show": False}
    episodes = [episode for episode in episodes_of(record) if episode.is_open]
    return {
        "show": True,
        "person": record.person,
        "episodes": episodes,
        "care_team": care_team_of(record),
        "can_change": False,
    }
