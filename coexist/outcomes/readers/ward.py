"""Ward discharge measures (R8, R9): each completed discharge from an inpatient ward, with the discharge checklist
as it stood at completion (`Transition.checklist_at_completion`) and what happened after: community contacts,
doses given, accepted prescribing handovers. Worked out per discharge in Python: a ward discharges few people,
and the checklist is a stored list. Queries: the discharges, then at most 3 more for all of them (seen
appointments, doses given, accepted handovers of the discharged people)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from coexist.engagement.models import Appointment
from coexist.engagement.rules import SEEN_OUTCOMES
from coexist.medicines.models import DoseGiven, HandoverStatus, PrescribingHandover
from coexist.organisations.models import ServiceKind
from coexist.outcomes.definitions import REENGAGEMENT_WINDOW
from coexist.outcomes.readers.base import Unit, Units, Window, in_services, local, text
from coexist.transitions.models import Transition, TransitionKind, TransitionStatus
from coexist.transitions.rules import FOLLOW_UP_WINDOW, NALOXONE, PRESCRIBING

# Community contacts that count as follow-up after a ward discharge (as coexist.transitions.selectors).
COMMUNITY_KINDS = frozenset({ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.DRUG_ALCOHOL})


def _stored(items: object, key: str) -> tuple[bool, bool]:
    """(applies, met) of a checklist item as stored at completion (as coexist.transitions.selectors)."""
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("key") == key:
            return bool(item.get("applies")), bool(item.get("met"))
    return False, False


@dataclass(frozen=True)
class _Discharge:
    person_id: int
    at: datetime
    checklist: object
    service: str
    team: str
    route: str


def _discharges(w: Window, *, settled: timedelta = timedelta(0)) -> tuple[list[_Discharge], QuerySet[Any]]:
    qs = in_services(
        Transition.objects.filter(
            kind=TransitionKind.DISCHARGE,
            status=TransitionStatus.COMPLETED,
            episode__service__kind=ServiceKind.INPATIENT_WARD,
            completed_at__gte=w.lo,
            completed_at__lt=w.hi,
            completed_at__lte=w.now - settled,
        ),
        "episode__service",
        w,
    )
    rows = qs.values_list(
        "person_id", "completed_at", "checklist_at_completion", "episode__service__public_id",
        "episode__team__public_id", "episode__referral__route",
    ).order_by("completed_at", "pk")  # fmt: skip
    return [_Discharge(p, at, c, text(s), text(t), r or "") for p, at, c, s, t, r in rows], qs.values("person_id")


def _seen_after(w: Window, people: QuerySet[Any], kinds: Iterable[str], within: timedelta) -> dict[int, list[datetime]]:
    seen: dict[int, list[datetime]] = {}
    for person_id, starts_at in (
        Appointment.objects.filter(
            person__in=people,
            status__in=SEEN_OUTCOMES,
            service__kind__in=list(kinds),
            starts_at__gte=w.lo,
            starts_at__lte=w.hi + within,
        )
        .values_list("person_id", "starts_at")
        .order_by()
    ):
        seen.setdefault(person_id, []).append(starts_at)
    return seen


def _discharge_unit(d: _Discharge, numerator: bool, value: float | None = None) -> Unit:
    return Unit(d.person_id, local(d.at), numerator, value, d.service, d.team, d.route)


def discharge_ost_continuity(w: Window) -> Units:
    found, people = _discharges(w)
    units = []
    for d in found:
        ost, accepted = _stored(d.checklist, PRESCRIBING)
        if ost:
            units.append(_discharge_unit(d, accepted))
    return Units(units, people)


def discharge_naloxone(w: Window) -> Units:
    found, people = _discharges(w)
    units = []
    for d in found:
        ost, _ = _stored(d.checklist, PRESCRIBING)
        opioids, offered = _stored(d.checklist, NALOXONE)
        if opioids or ost:
            units.append(_discharge_unit(d, opioids and offered))
    return Units(units, people)


def _followed_within(w: Window, window: timedelta, kinds: Iterable[str]) -> Units:
    found, people = _discharges(w, settled=window)
    seen = _seen_after(w, people, kinds, window) if found else {}
    units = [_discharge_unit(d, any(d.at <= s <= d.at + window for s in seen.get(d.person_id, []))) for d in found]
    return Units(units, people)


def discharge_follow_up_72h(w: Window) -> Units:
    return _followed_within(w, FOLLOW_UP_WINDOW, COMMUNITY_KINDS)


def reengagement_7_days(w: Window) -> Units:
    return _followed_within(w, REENGAGEMENT_WINDOW, {ServiceKind.DRUG_ALCOHOL})


def days_to_first_community_dose(w: Window) -> Units:
    found, people = _discharges(w)
    doses: dict[int, list[datetime]] = {}
    handovers: dict[int, list[tuple[datetime, date]]] = {}
    if found:
        for person_id, given_at in (
            DoseGiven.objects.filter(treatment__person__in=people, given_at__gte=w.lo)
            .values_list("treatment__person_id", "given_at")
            .order_by()
        ):
            doses.setdefault(person_id, []).append(given_at)
        for person_id, answered_at, first_on in (
            PrescribingHandover.objects.filter(
                person__in=people, status=HandoverStatus.ACCEPTED, answered_at__isnull=False
            )
            .values_list("person_id", "answered_at", "first_community_dose_on")
            .order_by()
        ):
            if answered_at is not None:  # excluded by the query; here for the type checker
                handovers.setdefault(person_id, []).append((answered_at, first_on))
    units = []
    for d in found:
        ost, _ = _stored(d.checklist, PRESCRIBING)
        if not ost:
            continue
        after = sorted(g for g in doses.get(d.person_id, []) if g >= d.at)
        first: date | None = local(after[0]) if after else None
        if first is None:
            known = sorted(h for h in handovers.get(d.person_id, []) if h[0] <= d.at)
            first = known[-1][1] if known else None
        if first is not None:
            units.append(_discharge_unit(d, False, float((first - local(d.at)).days)))
    return Units(units, people)
