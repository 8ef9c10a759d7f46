"""JSON API: who the token belongs to, and their current roles."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from coexist.accounts.models import User
from coexist.interop.problems import ERRORS
from coexist.organisations.selectors import current_memberships

router = Router(tags=["me"])


class RoleOut(Schema):
    role: str
    team: str
    service: str
    organisation: str


class MeOut(Schema):
    id: UUID
    username: str
    name: str
    roles: list[RoleOut]


@router.get("", response={200: MeOut, **ERRORS}, summary="The member of staff this token belongs to")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    return MeOut(
        id=user.public_id,
        username=user.username,
        name=user.display_name,
        roles=[
            RoleOut(
                role=m.role,
                team=m.team.name,
                service=m.team.service.name,
                organisation=m.team.service.organisation.name,
            )
            for m in current_memberships(user)
        ],
    )
