"""Rate limits on the public self-referral (R12), by address, shared by the page and the API.

Two counts in the shared cache (settings.CACHES): every attempt towards a loose limit (form spam;
settings.SELF_REFERRAL_TRY_RATE), and sent referrals towards a tight one (flooding a triage queue;
settings.SELF_REFERRAL_RATE). Someone correcting a mistake in the form is not locked out by it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

TRIES = "referrals.self.tries"
SENT = "referrals.self.sent"


def _client_address(group: str, request: HttpRequest) -> str:
    """The address to count against. REMOTE_ADDR must be the client's: behind a reverse proxy the
    deployment sets it from the proxy's header (never trust X-Forwarded-For from the public)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def self_referral_attempt_limited(request: HttpRequest) -> bool:
    """Count this attempt; True if this address has tried too often or already sent its quota."""
    tries = get_usage(
        request, group=TRIES, key=_client_address, rate=settings.SELF_REFERRAL_TRY_RATE, method="POST", increment=True
    )
    sent = get_usage(
        request, group=SENT, key=_client_address, rate=settings.SELF_REFERRAL_RATE, method="POST", increment=False
    )
    over_tries = tries is not None and bool(tries["should_limit"])
    over_sent = sent is not None and int(sent["count"]) >= int(sent["limit"])
    return over_tries or over_sent


def self_referral_sent(request: HttpRequest) -> None:
    """Count a referral that was sent."""
    get_usage(request, group=SENT, key=_client_address, rate=settings.SELF_REFERRAL_RATE, method="POST", increment=True)
