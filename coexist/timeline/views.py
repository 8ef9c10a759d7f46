"""The timeline page: everything that happened in a person's care, newest first. Thin: open, filter, render."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.people.models import Person
from coexist.timeline.forms import TimelineFilterForm
from coexist.timeline.selectors import Filters, timeline_access, timeline_identity_read, timeline_read


def _person(public_id: UUID) -> Person:
    try:
        return Person.objects.get(public_id=public_id)
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return "?" + query.urlencode()


def filters_from(form: TimelineFilterForm) -> Filters:
    """The cleaned filter (the form must be valid)."""
    data = form.cleaned_data
    return Filters(kinds=tuple(data["kind"]), start=data["from"], end=data["to"], page=data["page"] or 1)


@login_required
def person_timeline(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A person's timeline, filterable by kind and dates with plain GET parameters (no JavaScript needed)."""
    me = staff_of(request)
    access = timeline_access(viewer=me, person=_person(public_id), channel=Channel.PAGE, detail="timeline page")
    form = TimelineFilterForm(request.GET, kinds=access.kinds)
    context = {"person": access.person, "access": access, "form": form}
    if not form.is_valid():
        timeline_identity_read(viewer=me, access=access, channel=Channel.PAGE, detail="timeline page, filter not valid")
        return render(request, "timeline/person_timeline.html", {**context, "timeline": None}, status=400)
    timeline = timeline_read(
        viewer=me, access=access, filters=filters_from(form), channel=Channel.PAGE, detail="timeline page"
    )
    return render(
        request,
        "timeline/person_timeline.html",
        {
            **context,
            "timeline": timeline,
            "older_url": _page_url(request, timeline.filters.page + 1) if timeline.has_older else "",
            "newer_url": _page_url(request, timeline.filters.page - 1) if timeline.has_newer else "",
        },
    )
