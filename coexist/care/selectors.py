"""Reads about episodes and care teams. Callers have already opened the person's record."""

from __future__ import annotations

from coexist.accounts.models import User
from coexist.care.models import EpisodeOfCare
from coexist.people.models import Person


def coordinating_episode(person: Person) -> EpisodeOfCare | None:
    """The person's open episode with a named care coordinator, most recently opened first (R3)."""
    return (
        EpisodeOfCare.objects.open()
        .filter(person=person, coordinator__isnull=False)
        .select_related("coordinator", "team")
        .order_by("-opened_at")
        .first()
    )


def duty_owner(person: Person, *, otherwise: User) -> tuple[User, EpisodeOfCare | None]:
    """Who a new duty about this person goes to: the care coordinator, or else the worker who found it.

    R3: the coordinator holds everything together; when there is none yet, the worker who raised the
    duty keeps it rather than it landing nowhere."""
    episode = coordinating_episode(person)
    if episode is not None and episode.coordinator is not None:
        return episode.coordinator, episode
    return otherwise, None
