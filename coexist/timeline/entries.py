"""The shape of a person's timeline: one `TimelineEntry`, the kinds a viewer filters by, the date window
and the viewer's scope. The sources that fill it, one small function per event, are in `sources.py`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import DateTimeField, Model, Q, TextChoices
from django.utils import timezone

from coexist.people.models import Person


class Kind(TextChoices):
    """The kinds of entry a viewer can filter the timeline by."""

    REFERRAL = "referral", "Referrals"
    EPISODE = "episode", "Episodes of care"
    ASSESSMENT = "assessment", "Joint assessments"
    MEASURE = "measure", "Measures"
    RISK_FLAG = "risk_flag", "Risk flags"
    CARE_PLAN = "care_plan", "Care plan versions"
    CARER = "carer", "Carers' assessments"
    APPOINTMENT = "appointment", "Appointments"
    FOLLOW_UP = "follow_up", "Follow-ups of missed appointments"
    LOSS_OF_CONTACT = "loss_of_contact", "Loss of contact"
    TASK = "task", "Safety tasks"
    MESSAGE = "message", "Reminders sent to the person"
    CASE_REVIEW = "case_review", "Case reviews"
    GROUP = "group", "Group sessions"
    WARD_STAY = "ward_stay", "Ward stays and leave"
    MEDICINES = "medicines", "Medicines continuity"
    ADVICE = "advice", "Advice from the addictions consultant"
    TRANSITION = "transition", "Discharges, transfers and changes of provider"


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened in a person's care, as the timeline shows it."""

    at: datetime
    kind: Kind
    title: str
    detail: str
    part: str
    """The part of the record (RecordPart) a viewer needs to read to see this entry."""
    actor: str = ""
    """Who did it, by name; empty when not recorded (or the person themselves)."""
    link: str = ""
    """The thing on its own page, when it has one."""
    date_only: bool = False
    """Recorded as a date without a time (shown without one)."""
    also_shows: tuple[str, ...] = ()
    """Other parts of the record the entry's words reveal (a reminder's phone number is contact details),
    for the access log. Only ever parts the viewer may read."""

    @property
    def day(self) -> date:
        return timezone.localdate(self.at)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


@dataclass(frozen=True)
class Window:
    """From and to dates (both inclusive, either open), in UK local time."""

    start: date | None = None
    end: date | None = None

    def _bounds(self) -> tuple[datetime | None, datetime | None]:
        start = timezone.make_aware(datetime.combine(self.start, time.min)) if self.start else None
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min)) if self.end else None
        return start, end

    def q(self, model: type[Model], field: str) -> Q:
        """Rows whose `field` falls in the window (and is set)."""
        query = Q(**{f"{field}__isnull": False})
        if isinstance(model._meta.get_field(field), DateTimeField):
            start, end = self._bounds()
            if start:
                query &= Q(**{f"{field}__gte": start})
            if end:
                query &= Q(**{f"{field}__lt": end})
        else:
            if self.start:
                query &= Q(**{f"{field}__gte": self.start})
            if self.end:
                query &= Q(**{f"{field}__lte": self.end})
        return query

    def q_moment(self, name: str) -> Q:
        """Rows whose annotated moment `name` (a datetime expression) falls in the window."""
        start, end = self._bounds()
        query = Q(**{f"{name}__isnull": False})
        if start:
            query &= Q(**{f"{name}__gte": start})
        if end:
            query &= Q(**{f"{name}__lt": end})
        return query

    def contains(self, at: datetime) -> bool:
        start, end = self._bounds()
        return (start is None or at >= start) and (end is None or at < end)


@dataclass(frozen=True)
class Scope:
    """What the viewer may read, decided once by the permission function before any source runs."""

    readable: frozenset[str]
    triage_service_ids: frozenset[int] = frozenset()
    """Services whose referrals the viewer may open (referral pages are for the service's own staff)."""

    def first_readable(self, parts: Iterable[str]) -> str | None:
        return next((p for p in parts if p in self.readable), None)


Fetch = Callable[[Person, Window, int, Scope], list[TimelineEntry]]


@dataclass(frozen=True)
class Source:
    kind: Kind
    parts: tuple[str, ...]
    """The viewer must be able to read at least one of these for the source to run."""
    fetch: Fetch
