"""What the readers share: the period being read, the three shapes a reading takes, and small query helpers.

A reader takes a `Window` and returns one of:
- `Query`: one query with a row per unit; `decide` turns a few of its columns into the unit's day, whether it is
  in the numerator and its value, by the same rule functions the services use. It can be read one unit at a
  time or grouped in the database (a tally).
- `Units`: units worked out in Python (few of them), with a queryset of their people.
- `snapshots.Snapshot`: episodes open on the period's last day, with a condition for any day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from coexist.engagement.models import Appointment
from coexist.engagement.rules import SEEN_OUTCOMES

Decision = tuple[date, bool, float | None]
"""A unit's day, whether it is in the numerator, and its value (days, a change in score) or None."""


@dataclass(frozen=True)
class Window:
    """The period read: local days `start` to `end` (both included), as the record stood at `now`."""

    start: date
    end: date
    lo: datetime  # local midnight starting `start`
    hi: datetime  # local midnight after `end` (exclusive)
    now: datetime
    service_ids: list[int] | None


@dataclass(frozen=True)
class Unit:
    """One unit before its person's facts are joined on."""

    person_id: int | None
    at: date
    in_numerator: bool = False
    value: float | None = None
    service: str = ""
    team: str = ""
    route: str = ""
    fact: Any = None
    """The value of the one person's field a tally asked for, when the reader read it with the unit."""


@dataclass(frozen=True)
class Query:
    """A measure read as one query, a row per unit. `decide` takes the values of `columns` (fields and
    annotations of `qs`) and gives the unit's `Decision`; None leaves the unit out (its outcome is not known
    yet). `route`, `service` and `team` are the paths to the unit's referral route and its service's and team's
    public ids."""

    qs: QuerySet[Any]
    columns: tuple[str, ...]
    decide: Callable[[tuple[Any, ...]], Decision | None]
    route: str
    service: str
    team: str


@dataclass(frozen=True)
class Units:
    """A measure worked out per unit in Python, and a queryset of its people's pks (for their facts)."""

    units: list[Unit]
    people: QuerySet[Any]


# Where the referral route, service and team of each kind of unit are.
REFERRAL_PATHS = {"route": "route", "service": "to_service__public_id", "team": "episode__team__public_id"}
EPISODE_PATHS = {"route": "referral__route", "service": "service__public_id", "team": "team__public_id"}
FOLLOW_UP_PATHS = {
    "route": "appointment__episode__referral__route",
    "service": "appointment__service__public_id",
    "team": "appointment__episode__team__public_id",
}


def midnight(day: date) -> datetime:
    """Local midnight starting `day`."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of(day: date) -> datetime:
    """Local midnight after `day`: the record "on" a day is the record as it stood at the end of it."""
    return midnight(day + timedelta(days=1))


def window(start: date, end: date, service_ids: list[int] | None, now: datetime | None) -> Window:
    return Window(start, end, midnight(start), end_of(end), now or timezone.now(), service_ids)


def local(moment: datetime) -> date:
    return timezone.localdate(moment)


def text(value: object) -> str:
    return "" if value is None else str(value)


def in_services(qs: QuerySet[Any], field: str, w: Window) -> QuerySet[Any]:
    return qs if w.service_ids is None else qs.filter(**{f"{field}__in": w.service_ids})


def seen(**outer: Any) -> QuerySet[Appointment]:
    """The outer unit's person's appointments at which they were seen, with more conditions."""
    return Appointment.objects.filter(person=OuterRef("person"), status__in=SEEN_OUTCOMES, **outer)


def flag(condition: Q) -> ExpressionWrapper[Q]:
    """A condition on the unit's own row, as a true/false column."""
    return ExpressionWrapper(condition, output_field=BooleanField())


def on_day(row: tuple[Any, ...]) -> Decision:
    """The unit's day and, when there is a second column, whether it is in the numerator."""
    return row[0], bool(row[1]) if len(row) > 1 else True, None
