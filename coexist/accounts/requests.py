"""The signed-in member of staff behind a request, for views and API endpoints."""

from __future__ import annotations

from django.http import HttpRequest

from coexist.accounts.models import User


def staff_of(request: HttpRequest) -> User:
    """The request's user, once `login_required` or the API's token auth has let it through."""
    user = request.user
    assert isinstance(user, User)
    return user
