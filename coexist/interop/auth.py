"""Bearer token authentication for the JSON API (personal tokens from the profile page or issue_token)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from coexist.accounts.models import User
from coexist.accounts.services import api_token_authenticate


class PersonalToken(HttpBearer):
    openapi_description = "A personal API token, created on your profile page or with `manage.py issue_token`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user
