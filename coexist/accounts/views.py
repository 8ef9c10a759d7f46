"""Sign-in, sign-out, the lockout page and the profile page with personal API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coexist.accounts.forms import SignInForm, TokenForm
from coexist.accounts.models import ApiToken, User
from coexist.accounts.services import api_token_issue, api_token_revoke
from coexist.forms import add_service_errors
from coexist.organisations.selectors import current_memberships


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["idle_minutes"] = settings.SESSION_COOKIE_AGE // 60
        return context


class SignOutView(auth_views.LogoutView):
    pass


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this when an account is locked after repeated failed sign-ins."""
    return render(request, "accounts/locked_out.html", status=429)


def _profile(request: HttpRequest, form: TokenForm, new_token: str | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    response = render(
        request,
        "accounts/profile.html",
        {
            "memberships": current_memberships(user),
            "tokens": ApiToken.objects.filter(user=user),
            "form": form,
            "new_token": new_token,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method != "POST":
        return _profile(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, form, status=400)
    try:
        _, raw = api_token_issue(user=user, name=form.cleaned_data["name"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _profile(request, form, status=400)
    # Shown once, in this response only; only its hash is stored.
    return _profile(request, TokenForm(), new_token=raw)


@require_POST
@login_required
def token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = get_object_or_404(ApiToken, public_id=public_id, user=user)
    api_token_revoke(token=token, by=user)
    messages.success(request, f"Token '{token.name}' revoked. It no longer works.")
    return redirect("accounts:profile")
