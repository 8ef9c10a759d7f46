"""API endpoints for care plans (R4): the same selector, services and permission function as the pages.

A new version names the version it was based on; if someone saved since, the answer is 409 with the
latest version number and the sections they changed, and nothing is overwritten.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Path, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.care.models import CarePlanVersion
from coexist.care.plans.content import PlanContent
from coexist.care.plans.pdf import care_plan_pdf, care_plan_pdf_filename
from coexist.care.plans.rules import SECTIONS, plan_gaps
from coexist.care.plans.selectors import OpenedCarePlan, care_plan_open
from coexist.care.plans.services import CarePlanConflict, care_plan_save
from coexist.interop.problems import ERRORS, PROBLEM_CONTENT_TYPE, TITLES, Problem
from coexist.people.models import Person

router = Router(tags=["care plans"])


class GapOut(Schema):
    section: str
    message: str


class VersionSummary(Schema):
    number: int
    created_at: datetime
    created_by: str = Field(..., description="The display name of who saved it.")
    changed_sections: list[str] = Field(..., description="Section keys changed since the previous version.")


class VersionOut(VersionSummary):
    person: UUID
    content: PlanContent
    complete: bool = Field(..., description="R4: holds every required section.")
    gaps: list[GapOut] = Field(..., description="R4: the required sections still missing.")
    latest_number: int


class VersionIn(Schema):
    """A new version of the whole plan. `based_on_version` is the version you loaded (null for a new plan)."""

    model_config = ConfigDict(extra="forbid")

    based_on_version: int | None = Field(..., ge=1, le=1_000_000)
    content: PlanContent


class ConflictProblem(Problem):
    """409: someone saved a newer version. Load it, merge your changes and send again based on it."""

    latest_version: int
    changed_sections: list[str]


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The person's plain-language copy as a PDF (an attachment).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _open(request: HttpRequest, person_id: UUID, detail: str) -> OpenedCarePlan:
    try:
        return care_plan_open(viewer=staff_of(request), public_id=person_id, channel=Channel.API, detail=detail)
    except Person.DoesNotExist as exc:
        raise Http404("No person with that id.") from exc


def _latest(opened: OpenedCarePlan) -> CarePlanVersion:
    if opened.latest is None:
        raise Http404("This person has no care plan yet.")
    return opened.latest


def _summary(version: CarePlanVersion) -> VersionSummary:
    return VersionSummary(
        number=version.number,
        created_at=version.created_at,
        created_by=version.created_by.display_name,
        changed_sections=list(version.changed_sections),
    )


def _version_out(opened: OpenedCarePlan, version: CarePlanVersion) -> VersionOut:
    content = version.plan_content
    gaps = plan_gaps(content)
    return VersionOut(
        **_summary(version).model_dump(),
        person=opened.person.public_id,
        content=content,
        complete=not gaps,
        gaps=[GapOut(section=g.section, message=g.message) for g in gaps],
        latest_number=opened.latest_number or version.number,
    )


@router.get("/{person_id}", response={200: VersionOut, **ERRORS}, summary="The latest version of a person's care plan")
def get_latest(request: HttpRequest, person_id: UUID) -> VersionOut:
    opened = _open(request, person_id, "GET care plan")
    return _version_out(opened, _latest(opened))


@router.get(
    "/{person_id}/versions", response={200: list[VersionSummary], **ERRORS}, summary="Every version, newest first"
)
def list_versions(request: HttpRequest, person_id: UUID) -> list[VersionSummary]:
    opened = _open(request, person_id, "GET care plan versions")
    return [_summary(v) for v in opened.versions()]


@router.get("/{person_id}/versions/{number}", response={200: VersionOut, **ERRORS}, summary="One version of the plan")
def get_version(
    request: HttpRequest,
    person_id: UUID,
    number: int = Path(..., ge=1, le=1_000_000),  # type: ignore[type-arg]
) -> VersionOut:
    opened = _open(request, person_id, f"GET care plan version {number}")
    try:
        version = opened.version(number)
    except CarePlanVersion.DoesNotExist as exc:
        raise Http404("This care plan has no version with that number.") from exc
    return _version_out(opened, version)


@router.post(
    "/{person_id}/versions",
    response={201: VersionOut, 409: ConflictProblem, **ERRORS},
    summary="Save a new version (409 if someone saved since the version you loaded)",
)
def create_version(request: HttpRequest, person_id: UUID, payload: VersionIn) -> Status[VersionOut] | JsonResponse:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    try:
        version = care_plan_save(
            person=person,
            by=staff_of(request),
            content=payload.content,
            based_on_version=payload.based_on_version,
            channel=Channel.API,
        )
    except CarePlanConflict as conflict:
        return _conflict(request, conflict)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "unchanged":
            raise ValidationError({"content": exc.messages}) from exc
        raise
    opened = _open(request, person_id, "POST care plan version (response)")
    return Status(201, _version_out(opened, version))


def _conflict(request: HttpRequest, conflict: CarePlanConflict) -> JsonResponse:
    changed = ", ".join(SECTIONS[s].lower() for s in conflict.changed) or "nothing"
    body = ConflictProblem(
        title=TITLES[409],
        status=409,
        detail=f"{conflict} Nothing was saved. Sections changed: {changed}. Send your changes again based on "
        f"version {conflict.latest.number}.",
        instance=request.path,
        latest_version=conflict.latest.number,
        changed_sections=conflict.changed,
    )
    return JsonResponse(body.model_dump(), status=409, content_type=PROBLEM_CONTENT_TYPE)


@router.get(
    "/{person_id}/pdf",
    response={200: None, **ERRORS},
    summary="The latest version as the person's plain-language PDF",
    openapi_extra=PDF_RESPONSE,
)
def get_pdf(request: HttpRequest, person_id: UUID) -> HttpResponse:
    opened = _open(request, person_id, "GET care plan PDF")
    version = _latest(opened)
    response = HttpResponse(care_plan_pdf(person=opened.person, version=version), content_type="application/pdf")
    filename = care_plan_pdf_filename(person=opened.person, version=version)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
