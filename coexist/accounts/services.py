"""Personal API tokens: issued once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import ApiToken, User

TOKEN_PREFIX = "cx_"  # noqa: S105 (a marker that makes leaked tokens easy to scan for, not a secret)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns the stored token and the raw value, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter what the token is for, for example 'reporting script'."})
    if not user.is_active:
        raise ValidationError({"user": "Tokens cannot be issued to an account that is not active."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], token_hash=hash_token(raw), last_four=raw[-4:])
    return token, raw


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token: it stops working at once. Only its owner or an administrator may."""
    if token.user_id != by.pk and not by.has_perm("accounts.change_apitoken"):
        raise PermissionError("You can revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw token belongs to, or None. Records when the token was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write at most once a minute per token, so API reads do not each cost a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


SYSTEM_USERNAME = "coexist-system"


def system_user() -> User:
    """The actor that background jobs (reminders, escalation sweeps) act and are logged as.

    It cannot sign in (no usable password, inactive) and belongs to no team, so the permission
    function gives it nothing; jobs write only what their rule creates and log it as this actor."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "Coexist", "last_name": "(automatic)", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
