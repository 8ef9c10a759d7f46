"""JSON API for organisations, services and teams (not clinical: any signed-in member of staff)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from coexist.interop.problems import ERRORS
from coexist.organisations.models import Organisation
from coexist.organisations.selectors import organisations_list

router = Router(tags=["organisations"])


class TeamOut(Schema):
    id: UUID = Field(..., alias="public_id")
    name: str


class ServiceOut(Schema):
    id: UUID = Field(..., alias="public_id")
    name: str
    kind: str
    teams: list[TeamOut]

    @staticmethod
    def resolve_teams(obj: object) -> list[object]:
        return list(obj.teams.all())  # type: ignore[attr-defined]


class OrganisationOut(Schema):
    id: UUID = Field(..., alias="public_id")
    name: str
    kind: str
    ods_code: str
    services: list[ServiceOut]

    @staticmethod
    def resolve_services(obj: object) -> list[object]:
        return list(obj.services.all())  # type: ignore[attr-defined]


@router.get("", response={200: list[OrganisationOut], **ERRORS}, summary="Organisations with their services and teams")
def list_organisations(request: HttpRequest) -> list[Organisation]:
    return list(organisations_list())


@router.get("/{organisation_id}", response={200: OrganisationOut, **ERRORS}, summary="One organisation")
def get_organisation(request: HttpRequest, organisation_id: UUID) -> Organisation:
    organisation = organisations_list().filter(public_id=organisation_id).first()
    if organisation is None:
        raise Http404("No organisation with that id.")
    return organisation
