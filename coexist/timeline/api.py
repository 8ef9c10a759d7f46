"""JSON API for a person's timeline: GET /api/v1/people/{person_id}/timeline. The same permission
function, filter and selector as the page; bad filter input is a 422 problem naming each field."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS
from coexist.people.models import Person
from coexist.people.permissions import require
from coexist.people.rules import Action, RecordPart
from coexist.timeline.entries import Kind
from coexist.timeline.forms import MAX_PAGE, TimelineFilterForm
from coexist.timeline.selectors import PER_PAGE, timeline_access, timeline_read
from coexist.timeline.views import filters_from

router = Router(tags=["timeline"])


class EntryOut(Schema):
    at: datetime
    date_only: bool = Field(..., description="Recorded as a date only; `at` is the start of that day, UK time.")
    kind: str = Field(..., description="One of: " + ", ".join(Kind.values) + ".")
    title: str
    detail: str
    part: str = Field(..., description="The part of the record a viewer needs to read to see this entry.")
    actor: str = Field(..., description="Who did it, by name; empty when not recorded.")
    link: str = Field(..., description="The page of the thing itself (a path on this site), or empty.")


class TimelineOut(Schema):
    person: UUID
    page: int
    per_page: int
    has_older: bool = Field(..., description="True when there is another, older page.")
    kinds: list[str] = Field(..., description="The kinds of entry you may see for this person.")
    parts_shown: list[str] = Field(..., description="The parts of the record this page shows (as logged).")
    entries: list[EntryOut] = Field(..., description="Newest first.")


@router.get(
    "/{person_id}/timeline",
    response={200: TimelineOut, **ERRORS},
    summary="A person's timeline, newest first, as you may see it",
)
def get_timeline(
    request: HttpRequest,
    person_id: UUID,
    # Declared for the OpenAPI document; the values are read from request.GET by the same form as the page,
    # so the page and the API say the same thing about bad input.
    kind: list[str] = Query(  # type: ignore[type-arg]
        [], description="Repeat to choose several kinds: " + ", ".join(Kind.values) + ". None: every kind you may see."
    ),
    from_: str = Query("", alias="from", description="First day, inclusive: YYYY-MM-DD or DD/MM/YYYY."),  # type: ignore[type-arg]
    to: str = Query("", description="Last day, inclusive: YYYY-MM-DD or DD/MM/YYYY."),  # type: ignore[type-arg]
    page: str = Query("", description=f"1 (the newest {PER_PAGE}) to {MAX_PAGE}."),  # type: ignore[type-arg]
) -> TimelineOut:
    me = staff_of(request)
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    form = TimelineFilterForm(request.GET, kinds=list(Kind))
    if not form.is_valid():
        # Refuse (logged) an unrelated viewer before saying anything about their input; nothing is shown, so
        # nothing is logged as read.
        require(
            user=me, person=person, action=Action.READ, parts=[RecordPart.IDENTITY], channel=Channel.API,
            detail="timeline",
        )  # fmt: skip
        raise form.as_validation_error()
    access = timeline_access(viewer=me, person=person, channel=Channel.API, detail="timeline")
    timeline = timeline_read(
        viewer=me, access=access, filters=filters_from(form), channel=Channel.API, detail="timeline"
    )
    return TimelineOut(
        person=person.public_id,
        page=timeline.filters.page,
        per_page=PER_PAGE,
        has_older=timeline.has_older,
        kinds=[k.value for k in access.kinds],
        parts_shown=sorted(timeline.parts_shown),
        entries=[
            EntryOut(
                at=e.at,
                date_only=e.date_only,
                kind=e.kind,
                title=e.title,
                detail=e.detail,
                part=e.part,
                actor=e.actor,
                link=e.link,
            )
            for e in timeline.entries
        ],
    )
