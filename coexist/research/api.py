"""API endpoints for research extracts, under /api/v1/research: the same selectors, services and permission
checks as the pages.

- POST /projects/{id}/extract returns the CSV (text/csv), logged before it is returned; 403 problem+json
  when the user is not a named researcher on a current project; 422 for a blank reason, a bad period or
  bad options, with nothing logged.
- GET /projects/{id}/log lists the project's extracts (who, when, why, what, SHA-256).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS
from coexist.outcomes.rules.subgroups import Cut
from coexist.outcomes.rules.suppression import DEFAULT_THRESHOLD
from coexist.people.permissions import AccessRefused
from coexist.research.models import ResearchProject
from coexist.research.rules import AgeHandling, DateHandling, ExtractKind, ExtractOptions
from coexist.research.selectors import extract_log, may_read_log
from coexist.research.services import extract_make

router = Router(tags=["research extracts"])


class ExtractIn(Schema):
    why: str = Field(..., max_length=2000, description="Why the extract is needed; required, kept in the log.")
    start: date
    end: date
    kind: Literal["episodes", "counts"] = "episodes"
    dates: Literal["month", "shift"] = "month"
    age: Literal["band", "birth_year"] = "band"
    k: int = Field(DEFAULT_THRESHOLD, ge=2, le=50)
    cut: Literal["sex", "age_band", "ethnic_group", "housing_status", "prison_release", "caring"] = "sex"


class ExtractLogOut(Schema):
    id: UUID
    at: datetime
    by: str
    why: str
    kind: str
    fields: list[str]
    period_start: date
    period_end: date
    options: dict[str, str | int]
    row_count: int
    rows_dropped: int
    sha256: str


def _project(project_id: UUID) -> ResearchProject:
    try:
        return ResearchProject.objects.get(public_id=project_id)
    except ResearchProject.DoesNotExist as exc:
        raise Http404("No research project with that id.") from exc


@router.post(
    "/projects/{project_id}/extract",
    response={200: None, **ERRORS},
    openapi_extra={"responses": {200: {"description": "The extract as CSV", "content": {"text/csv": {}}}}},
)
def extract(request: HttpRequest, project_id: UUID, payload: ExtractIn) -> HttpResponse:
    made = extract_make(
        project=_project(project_id), by=staff_of(request), why=payload.why, start=payload.start, end=payload.end,
        options=ExtractOptions(
            kind=ExtractKind(payload.kind), dates=DateHandling(payload.dates), age=AgeHandling(payload.age),
            k=payload.k, cut=Cut(payload.cut),
        ),
        channel=Channel.API,
    )  # fmt: skip
    response = HttpResponse(made.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["X-Content-SHA256"] = made.log.sha256
    return response


@router.get("/projects/{project_id}/log", response={200: list[ExtractLogOut], **ERRORS})
def log(request: HttpRequest, project_id: UUID) -> list[ExtractLogOut]:
    project = _project(project_id)
    decision = may_read_log(staff_of(request), project)
    if not decision.allowed:
        raise AccessRefused(decision)
    return [
        ExtractLogOut(
            id=e.public_id,
            at=e.at,
            by=e.by_name,
            why=e.why,
            kind=e.kind,
            fields=e.fields,
            period_start=e.period_start,
            period_end=e.period_end,
            options=e.options,
            row_count=e.row_count,
            rows_dropped=e.rows_dropped,
            sha256=e.sha256,
        )
        for e in extract_log(project)
    ]
