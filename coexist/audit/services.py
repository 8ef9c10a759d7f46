"""Writing to the access log. The only way entries are made."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel, Outcome

DIRECT_CARE = "direct care"


def access_log_append(
    *,
    actor: User,
    person_ids: Iterable[UUID],
    action: str,
    parts: Iterable[str],
    outcome: Outcome,
    basis: str,
    channel: Channel,
    detail: str,
    purpose: str = DIRECT_CARE,
) -> int:
    """Append one entry per person (one INSERT however many people a list shows). Returns the count."""
    context = {"basis": basis, "channel": channel, "detail": detail, "purpose": purpose}
    missing = [name for name, value in context.items() if not value]
    if missing:
        raise ValueError(f"An access log entry needs its context: {', '.join(missing)} missing")
    part_list = sorted(set(parts))
    entries = [
        AccessLogEntry(
            actor_public_id=actor.public_id,
            actor_username=actor.username,
            actor_name=actor.display_name,
            person_public_id=person_id,
            action=action,
            parts=part_list,
            outcome=outcome,
            basis=basis[:2000],
            purpose=purpose,
            channel=channel,
            detail=detail[:300],
        )
        for person_id in person_ids
    ]
    AccessLogEntry.objects.bulk_create(entries)
    return len(entries)
