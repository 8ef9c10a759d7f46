"""The "Leaving this service" part of an episode's page: the discharge or transfer under way, or the way to
start one, and earlier ones (R8, R9). The record is already open and logged by the page."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.care.models import EpisodeOfCare
from coexist.transitions.models import Transition

register = template.Library()


@register.inclusion_tag("transitions/_episode_section.html")
def episode_transitions(episode: EpisodeOfCare, can_change: bool) -> dict[str, Any]:
    moves = list(
        Transition.objects.filter(episode=episode).select_related("to_team__service").order_by("-started_at", "-pk")
    )
    under_way = next((t for t in moves if t.is_open), None)
    return {
        "episode": episode,
        "under_way": under_way,
        "earlier": [t for t in moves if t is not under_way],
        "can_start": can_change and episode.is_open and under_way is None,
    }
