"""Reads for a person's timeline, scoped by the one permission function and written to the access log once.

Two steps, so the page can show its filter (and any mistake in it) with the person's name:
`timeline_access` decides every part the timeline could show in one gathering of facts and refuses
(logged) a viewer who may not open the person at all; `timeline_read` gathers the entries of the parts
the viewer may read and logs one read naming exactly the parts shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, decide_parts
from coexist.people.rules import Action, RecordPart
from coexist.people.selectors import OpenedRecord
from coexist.referrals.permissions import services_of
from coexist.timeline.entries import Kind, Scope, TimelineEntry, Window
from coexist.timeline.sources import all_parts, collect, visible_kinds

PER_PAGE = 50
LATEST = 5
"""How many entries the person's page shows before 'See the whole timeline'."""


@dataclass(frozen=True)
class TimelineAccess:
    """What this viewer may read of this person, decided once."""

    person: Person
    readable: frozenset[str]
    basis: str

    @property
    def kinds(self) -> list[Kind]:
        return visible_kinds(self.readable)


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    """Empty: every kind the viewer may see."""
    start: date | None = None
    end: date | None = None
    page: int = 1

    @property
    def window(self) -> Window:
        return Window(start=self.start, end=self.end)

    @property
    def is_filtered(self) -> bool:
        return bool(self.kinds or self.start or self.end)

    def describe(self) -> str:
        """For the access log: what was asked for."""
        bits = [f"page {self.page}"]
        if self.kinds:
            bits.append("kinds " + ",".join(self.kinds))
        if self.start or self.end:
            bits.append(f"from {self.start or 'start'} to {self.end or 'now'}")
        return "; ".join(bits)


@dataclass(frozen=True)
class TimelinePage:
    access: TimelineAccess
    filters: Filters
    entries: list[TimelineEntry]
    has_older: bool
    parts_shown: frozenset[str] = field(default_factory=frozenset)

    @property
    def person(self) -> Person:
        return self.access.person

    @property
    def has_newer(self) -> bool:
        return self.filters.page > 1


def timeline_access(*, viewer: User, person: Person, channel: Channel, detail: str) -> TimelineAccess:
    """Decide identity and every part a timeline entry can need, from one gathering of facts. Refuses
    (and logs) a viewer who may not open the person's record at all; logs nothing when allowed."""
    wanted = [RecordPart.IDENTITY, *sorted(all_parts())]
    decisions = decide_parts(viewer, person, Action.READ, wanted)
    identity = decisions[RecordPart.IDENTITY]
    if not identity.allowed:
        access_log_append(
            actor=viewer,
            person_ids=[person.public_id],
            action=Action.READ,
            parts=[RecordPart.IDENTITY],
            outcome=Outcome.REFUSED,
            basis=identity.basis,
            channel=channel,
            detail=detail,
        )
        raise AccessRefused(identity)
    readable = frozenset(part for part, decision in decisions.items() if decision.allowed)
    return TimelineAccess(person=person, readable=readable, basis=identity.basis)


def timeline_read(
    *, viewer: User, access: TimelineAccess, filters: Filters, channel: Channel, detail: str, per_page: int = PER_PAGE
) -> TimelinePage:
    """One page of the timeline, newest first, and ONE access log entry naming the parts it shows.

    Kinds the viewer may not read are left out (a housing partner with consent for the care plan sees
    its versions, not the substance use measures). One query per source that runs, plus one for the
    services whose referral pages the viewer may open: the count does not grow with the history."""
    scope = Scope(
        readable=access.readable,
        triage_service_ids=frozenset(services_of(viewer).values_list("pk", flat=True)),
    )
    kinds = filters.kinds or tuple(k.value for k in access.kinds)
    newest = collect(
        person=access.person, scope=scope, kinds=kinds, window=filters.window, limit=filters.page * per_page + 1
    )
    entries = newest[(filters.page - 1) * per_page : filters.page * per_page]
    # SECURITY: the log names identity and the parts of the entries shown, not every part the viewer could open.
    shown = frozenset({RecordPart.IDENTITY, *(e.part for e in entries), *(p for e in entries for p in e.also_shows)})
    access_log_append(
        actor=viewer,
        person_ids=[access.person.public_id],
        action=Action.READ,
        parts=shown,
        outcome=Outcome.ALLOWED,
        basis=access.basis,
        channel=channel,
        detail=f"{detail}: {filters.describe()}",
    )
    return TimelinePage(
        access=access,
        filters=filters,
        entries=entries,
        has_older=len(newest) > filters.page * per_page,
        parts_shown=shown,
    )


def timeline_identity_read(*, viewer: User, access: TimelineAccess, channel: Channel, detail: str) -> None:
    """The page with a mistake in its filter shows the person's name and the filter, no entries: log that."""
    access_log_append(
        actor=viewer,
        person_ids=[access.person.public_id],
        action=Action.READ,
        parts=[RecordPart.IDENTITY],
        outcome=Outcome.ALLOWED,
        basis=access.basis,
        channel=channel,
        detail=detail,
    )


def latest_entries(record: OpenedRecord, count: int = LATEST) -> list[TimelineEntry]:
    """The newest few entries for the person's page. The record is already open and its read of every
    readable part logged, so this logs nothing more; referral pages are not linked from here."""
    scope = Scope(readable=record.readable)
    return collect(
        person=record.person,
        scope=scope,
        kinds=[k.value for k in visible_kinds(record.readable)],
        window=Window(),
        limit=count,
    )
