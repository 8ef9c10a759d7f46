"""Read the record into observations for each measure in `definitions.MEASURES` (issue 6 point 1).

No permission checks here and no access log: these are the raw units behind AGGREGATE figures, and the
caller decides who may see the aggregates (and must never show a person). Observations carry no name:
only the person's public id as text (to count people, never shown) and the facts the R14 cuts need.

Queries, whatever the number of units (no N+1; lists of ids never go into SQL, subqueries do):
- one query for the units of the measure (annotated with EXISTS / subqueries where the outcome needs
  another table), plus ONE query for the person facts of all units;
- the four ward-discharge measures and re-engagement read 3 more (seen appointments, doses given, accepted
  prescribing handovers of the discharged people); top_change/dialog_change read 1 more (episodes, to
  place a person in a service and team).

Dates: `start` and `end` are local days, both included. Service and team facts are public ids as text.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from coexist.assessments.models import AssessmentStatus, JointAssessment
from coexist.care.models import CaseReview, CaseReviewStatus, EpisodeOfCare, EpisodeStatus
from coexist.care.reviews.rules import REVIEW_SERVICE_KINDS, ReviewState, review_state, twelve_months_after
from coexist.care.rules import SECONDARY_MENTAL_HEALTH_KINDS
from coexist.engagement.models import Appointment, FollowUp, LossOfContact
from coexist.engagement.rules import SEEN_OUTCOMES, DischargeReason, RiskLevel, escalation_due_at
from coexist.instruments.definitions import SUBSTANCE_SCREEN_CODES
from coexist.instruments.models import InstrumentResponse
from coexist.medicines.models import DoseGiven, HandoverStatus, PrescribingHandover
from coexist.organisations.models import Service, ServiceKind
from coexist.outcomes.definitions import (
    ENGAGEMENT_WINDOW,
    MEASURES,
    REENGAGEMENT_WINDOW,
    RETENTION_FROM,
    SCORE_KEYS,
    SNAPSHOT_MEASURES,
    UPTAKE_WINDOW,
)
from coexist.outcomes.rules.measures import Figure, Observation, figure, in_period
from coexist.outcomes.rules.subgroups import PersonFacts
from coexist.people.models import Person
from coexist.referrals.models import Referral, Status
from coexist.referrals.rules import decline_reasons_for
from coexist.transitions.models import Transition, TransitionKind, TransitionStatus
from coexist.transitions.rules import FOLLOW_UP_WINDOW, NALOXONE, PRESCRIBING

# Community contacts that count as follow-up after a ward discharge (as coexist.transitions.selectors).
COMMUNITY_KINDS = frozenset({ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.DRUG_ALCOHOL})

_FACT_FIELDS = (
    "pk",
    "public_id",
    "sex",
    "date_of_birth",
    "ethnic_category",
    "housing_status",
    "released_from_prison_on",
    "has_caring_responsibilities",
)


# --- Person facts --------------------------------------------------------------------------------------


def _facts_and_keys(person_ids: Iterable[int] | QuerySet[Any]) -> dict[int, tuple[PersonFacts, str]]:
    rows = Person.objects.filter(pk__in=person_ids).values_list(*_FACT_FIELDS).order_by()
    return {
        pk: (
            PersonFacts(
                sex=sex,
                date_of_birth=dob,
                ethnic_category=ethnic,
                housing_status=housing,
                released_from_prison_on=released,
                has_caring_responsibilities=caring,
            ),
            str(public_id),
        )
        for pk, public_id, sex, dob, ethnic, housing, released, caring in rows
    }


def person_facts(person_ids: Iterable[int] | QuerySet[Any]) -> dict[int, PersonFacts]:
    """The R14 facts of these people, by pk, in one query. For many people pass a queryset of pks
    (`qs.values("person_id")`): it goes in as a subquery, with no limit on how many it covers."""
    return {pk: facts for pk, (facts, _) in _facts_and_keys(person_ids).items()}


# --- Units ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """One unit before its person's facts are joined on."""

    person_id: int | None
    at: date
    in_numerator: bool = False
    value: float | None = None
    service: str = ""
    team: str = ""
    route: str = ""


@dataclass(frozen=True)
class _Window:
    start: date
    end: date
    lo: datetime  # local midnight starting `start`
    hi: datetime  # local midnight after `end` (exclusive)
    now: datetime
    service_ids: list[int] | None


def _local(moment: datetime) -> date:
    return timezone.localdate(moment)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _in_services(qs: QuerySet[Any], field: str, window: _Window) -> QuerySet[Any]:
    return qs if window.service_ids is None else qs.filter(**{f"{field}__in": window.service_ids})


def _seen(**outer: Any) -> QuerySet[Appointment]:
    return Appointment.objects.filter(person=OuterRef("person"), status__in=SEEN_OUTCOMES, **outer)


_Builder = Callable[[_Window], tuple[list[_Unit], QuerySet[Any]]]


def _referrals_by_route(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    qs = _in_services(Referral.objects.filter(received_at__gte=w.lo, received_at__lt=w.hi), "to_service", w)
    rows = qs.values_list(
        "person_id", "received_at", "route", "to_service__public_id", "episode__team__public_id"
    ).order_by()
    units = [_Unit(p, _local(at), True, None, _text(s), _text(t), route) for p, at, route, s, t in rows]
    return units, qs.values("person_id")


def _uptake(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    qs = _in_services(
        Referral.objects.filter(
            status=Status.ACCEPTED,
            decided_at__gte=w.lo,
            decided_at__lt=w.hi,
            decided_at__lte=w.now - UPTAKE_WINDOW,
        ),
        "to_service",
        w,
    )
    seen = _seen(
        service=OuterRef("to_service"),
        starts_at__gte=OuterRef("decided_at"),
        starts_at__lte=OuterRef("decided_at") + UPTAKE_WINDOW,
    )
    rows = (
        qs.annotate(seen=Exists(seen))
        .values_list("person_id", "decided_at", "seen", "route", "to_service__public_id", "episode__team__public_id")
        .order_by()
    )
    units = [_Unit(p, _local(at), bool(ok), None, _text(s), _text(t), r) for p, at, ok, r, s, t in rows]
    return units, qs.values("person_id")


def _days_to_assessment(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    first_completed = (
        JointAssessment.objects.filter(
            person=OuterRef("person"), status=AssessmentStatus.COMPLETED, completed_at__gte=OuterRef("received_at")
        )
        .order_by("completed_at")
        .values("completed_at")[:1]
    )
    qs = _in_services(
        Referral.objects.filter(status=Status.ACCEPTED, person__isnull=False)
        .annotate(first_assessed=Subquery(first_completed))
        .filter(first_assessed__gte=w.lo, first_assessed__lt=w.hi),
        "to_service",
        w,
    )
    rows = qs.values_list(
        "person_id", "received_at", "first_assessed", "route", "to_service__public_id", "episode__team__public_id"
    ).order_by()
    units = [
        _Unit(p, _local(done), False, float((_local(done) - _local(got)).days), _text(s), _text(t), r)
        for p, got, done, r, s, t in rows
    ]
    return units, qs.values("person_id")


def _episode_units(
    qs: QuerySet[Any], at: Callable[[dict[str, Any]], date], numerator: Callable[[dict[str, Any]], bool]
) -> list[_Unit]:
    rows = qs.values(
        "person_id", "opened_at", "finished_at", "finish_reason", "service__public_id", "team__public_id",
        "referral__route", "coordinator_id", "coordinator_since", *list(qs.query.annotations),
    ).order_by()  # fmt: skip
    return [
        _Unit(
            row["person_id"],
            at(row),
            numerator(row),
            None,
            _text(row["service__public_id"]),
            _text(row["team__public_id"]),
            row["referral__route"] or "",
        )
        for row in rows
    ]


def _opened(w: _Window) -> QuerySet[Any]:
    return _in_services(
        EpisodeOfCare.objects.filter(opened_at__gte=w.lo, opened_at__lt=w.hi, opened_at__lte=w.now - ENGAGEMENT_WINDOW),
        "service",
        w,
    )


def _engagement_12_weeks(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    seen = _seen(
        service=OuterRef("service"),
        starts_at__gte=OuterRef("opened_at"),
        starts_at__lt=OuterRef("opened_at") + ENGAGEMENT_WINDOW,
    )
    qs = _opened(w)
    units = _episode_units(qs.annotate(seen=Exists(seen)), lambda r: _local(r["opened_at"]), lambda r: bool(r["seen"]))
    return units, qs.values("person_id")


def _retention_12_weeks(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    seen = _seen(
        service=OuterRef("service"),
        starts_at__gte=OuterRef("opened_at") + RETENTION_FROM,
        starts_at__lt=OuterRef("opened_at") + ENGAGEMENT_WINDOW,
    )
    qs = _opened(w)

    def retained(row: dict[str, Any]) -> bool:
        finished = row["finished_at"]
        still_there = finished is None or finished >= row["opened_at"] + ENGAGEMENT_WINDOW
        return bool(row["seen"]) and still_there

    units = _episode_units(qs.annotate(seen=Exists(seen)), lambda r: _local(r["opened_at"]), retained)
    return units, qs.values("person_id")


def _unplanned_endings(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    qs = _in_services(
        EpisodeOfCare.objects.filter(status=EpisodeStatus.FINISHED, finished_at__gte=w.lo, finished_at__lt=w.hi),
        "service",
        w,
    )
    units = _episode_units(
        qs,
        lambda r: _local(r["finished_at"]),
        lambda r: r["finish_reason"] == DischargeReason.PERSON_CHOSE_TO_LEAVE,
    )
    return units, qs.values("person_id")


def _open_at_end(w: _Window, kinds: Iterable[str] | None = None) -> QuerySet[Any]:
    """Episodes open on the period's last day: opened before it ended, not finished by then."""
    qs = EpisodeOfCare.objects.filter(opened_at__lt=w.hi).filter(Q(finished_at__isnull=True) | Q(finished_at__gte=w.hi))
    if kinds is not None:
        qs = qs.filter(service__kind__in=list(kinds))
    return _in_services(qs, "service", w)


def _loss_of_contact(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    lost = LossOfContact.objects.filter(person=OuterRef("person"), since__lt=w.hi).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=w.hi)
    )
    qs = _open_at_end(w)
    units = _episode_units(qs.annotate(lost=Exists(lost)), lambda r: w.end, lambda r: bool(r["lost"]))
    return units, qs.values("person_id")


def _qs188_1(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    screened = InstrumentResponse.objects.filter(
        person=OuterRef("person"), instrument_code__in=SUBSTANCE_SCREEN_CODES, completed_at__lt=w.hi
    )
    assessed = JointAssessment.objects.filter(
        person=OuterRef("person"), status=AssessmentStatus.COMPLETED, completed_at__lt=w.hi
    )
    qs = _open_at_end(w, SECONDARY_MENTAL_HEALTH_KINDS)
    units = _episode_units(
        qs.annotate(screened=Exists(screened), assessed=Exists(assessed)),
        lambda r: w.end,
        lambda r: bool(r["screened"] or r["assessed"]),
    )
    return units, qs.values("person_id")


def declined_for_coexisting_condition(*, service_kind: str, status: str, decline_reason: str) -> bool:
    """QS188 statement 2 / R1: declined for a reason this kind of service may never give (substance use
    by a mental health service, mental illness by a drug and alcohol, housing or primary care service)."""
    if status != Status.DECLINED or not decline_reason:
        return False
    return decline_reason not in {r.value for r in decline_reasons_for(service_kind)}


def _qs188_2(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    qs = _in_services(
        Referral.objects.filter(
            decided_at__gte=w.lo,
            decided_at__lt=w.hi,
            status__in=[Status.ACCEPTED, Status.DECLINED, Status.REDIRECTED],
        ),
        "to_service",
        w,
    )
    rows = qs.values_list(
        "person_id", "decided_at", "status", "decline_reason", "to_service__kind", "route", "to_service__public_id",
        "episode__team__public_id",
    ).order_by()  # fmt: skip
    units = [
        _Unit(
            p,
            _local(at),
            declined_for_coexisting_condition(service_kind=kind, status=status, decline_reason=reason),
            None,
            _text(s),
            _text(t),
            route,
        )
        for p, at, status, reason, kind, route, s, t in rows
    ]
    return units, qs.values("person_id")


def _qs188_3(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    qs = _open_at_end(w, SECONDARY_MENTAL_HEALTH_KINDS)

    def named(row: dict[str, Any]) -> bool:
        since = row["coordinator_since"]
        return row["coordinator_id"] is not None and (since is None or since <= w.end)

    units = _episode_units(qs, lambda r: w.end, named)
    return units, qs.values("person_id")


def _qs188_4(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    qs = _in_services(FollowUp.objects.filter(created_at__gte=w.lo, created_at__lt=w.hi), "appointment__service", w)
    rows = qs.values_list(
        "person_id", "created_at", "due_at", "risk_level", "completed_at", "appointment__service__public_id",
        "appointment__episode__team__public_id", "appointment__episode__referral__route",
    ).order_by()  # fmt: skip
    units = []
    for p, created, due, risk, completed, s, t, route in rows:
        deadline = escalation_due_at(due_at=due, risk=RiskLevel(risk))
        if completed is None and deadline >= w.now:
            continue  # not yet due: neither on time nor late yet
        on_time = completed is not None and completed <= deadline
        units.append(_Unit(p, _local(created), on_time, None, _text(s), _text(t), route or ""))
    return units, qs.values("person_id")


def _case_reviews_on_time(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    latest_next = (
        CaseReview.objects.filter(
            person=OuterRef("person"),
            status=CaseReviewStatus.HELD,
            held_on__gte=OuterRef("opened_on"),
            held_on__lte=w.end,
            next_review_on__isnull=False,
        )
        .order_by("-held_on", "-next_review_on")
        .values("next_review_on")[:1]
    )
    qs = _open_at_end(w, REVIEW_SERVICE_KINDS)

    def on_time(row: dict[str, Any]) -> bool:
        due_on = row["next_on"] or twelve_months_after(_local(row["opened_at"]))
        return review_state(due_on=due_on, today=w.end) != ReviewState.OVERDUE

    annotated = qs.annotate(opened_on=TruncDate("opened_at")).annotate(next_on=Subquery(latest_next))
    units = _episode_units(annotated, lambda r: w.end, on_time)
    return units, qs.values("person_id")


# --- Ward discharges (R8, R9) ----------------------------------------------------------------------------


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


def _discharges(w: _Window, *, settled: timedelta = timedelta(0)) -> tuple[list[_Discharge], QuerySet[Any]]:
    qs = _in_services(
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
    return [_Discharge(p, at, c, _text(s), _text(t), r or "") for p, at, c, s, t, r in rows], qs.values("person_id")


def _seen_after(
    w: _Window, people: QuerySet[Any], kinds: Iterable[str], within: timedelta
) -> dict[int, list[datetime]]:
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


def _discharge_unit(d: _Discharge, numerator: bool, value: float | None = None) -> _Unit:
    return _Unit(d.person_id, _local(d.at), numerator, value, d.service, d.team, d.route)


def _discharge_ost_continuity(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    found, people = _discharges(w)
    units = []
    for d in found:
        ost, accepted = _stored(d.checklist, PRESCRIBING)
        if ost:
            units.append(_discharge_unit(d, accepted))
    return units, people


def _discharge_naloxone(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    found, people = _discharges(w)
    units = []
    for d in found:
        ost, _ = _stored(d.checklist, PRESCRIBING)
        opioids, offered = _stored(d.checklist, NALOXONE)
        if opioids or ost:
            units.append(_discharge_unit(d, opioids and offered))
    return units, people


def _followed_within(w: _Window, window: timedelta, kinds: Iterable[str]) -> tuple[list[_Unit], QuerySet[Any]]:
    found, people = _discharges(w, settled=window)
    seen = _seen_after(w, people, kinds, window) if found else {}
    units = [_discharge_unit(d, any(d.at <= s <= d.at + window for s in seen.get(d.person_id, []))) for d in found]
    return units, people


def _discharge_follow_up_72h(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    return _followed_within(w, FOLLOW_UP_WINDOW, COMMUNITY_KINDS)


def _reengagement_7_days(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
    return _followed_within(w, REENGAGEMENT_WINDOW, {ServiceKind.DRUG_ALCOHOL})


def _days_to_first_community_dose(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
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
        first: date | None = _local(after[0]) if after else None
        if first is None:
            known = sorted(h for h in handovers.get(d.person_id, []) if h[0] <= d.at)
            first = known[-1][1] if known else None
        if first is not None:
            units.append(_discharge_unit(d, False, float((first - _local(d.at)).days)))
    return units, people


# --- Change in score between first and latest measurement -------------------------------------------------


def _score(score: object, key: str) -> float | None:
    value = score.get(key) if isinstance(score, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _score_change(measure_key: str) -> _Builder:
    code, key = SCORE_KEYS[measure_key]

    def build(w: _Window) -> tuple[list[_Unit], QuerySet[Any]]:
        people = (
            InstrumentResponse.objects.filter(instrument_code=code, completed_at__gte=w.lo, completed_at__lt=w.hi)
            .values("person_id")
            .order_by()
        )
        series: dict[int, list[tuple[datetime, float]]] = {}
        for person_id, at, score in (
            InstrumentResponse.objects.filter(instrument_code=code, completed_at__lt=w.hi, person__in=people)
            .values_list("person_id", "completed_at", "score")
            .order_by("person_id", "completed_at", "pk")
        ):
            value = _score(score, key)
            if value is not None:
                series.setdefault(person_id, []).append((at, value))
        episodes: dict[int, list[tuple[datetime, datetime | None, str, str, str]]] = {}
        if series:
            for person_id, opened, finished, s, t, route in (
                _in_services(EpisodeOfCare.objects.filter(person__in=people), "service", w)
                .values_list(
                    "person_id", "opened_at", "finished_at", "service__public_id", "team__public_id", "referral__route"
                )
                .order_by("person_id", "opened_at", "pk")
            ):
                episodes.setdefault(person_id, []).append((opened, finished, _text(s), _text(t), route or ""))
        units = []
        for person_id, points in series.items():
            latest_at, latest = points[-1]
            if len(points) < 2 or latest_at < w.lo:
                continue
            # The person's service and team: the episode open at the latest measurement opened last.
            open_then = [
                e for e in episodes.get(person_id, []) if e[0] <= latest_at and (e[1] is None or e[1] >= latest_at)
            ]
            if w.service_ids is not None and not open_then:
                continue
            s, t, route = open_then[-1][2:] if open_then else ("", "", "")
            units.append(_Unit(person_id, _local(latest_at), False, latest - points[0][1], s, t, route))
        return units, people

    return build


_BUILDERS: dict[str, _Builder] = {
    "referrals_by_route": _referrals_by_route,
    "uptake": _uptake,
    "days_to_assessment": _days_to_assessment,
    "engagement_12_weeks": _engagement_12_weeks,
    "retention_12_weeks": _retention_12_weeks,
    "unplanned_endings": _unplanned_endings,
    "loss_of_contact": _loss_of_contact,
    "qs188_1": _qs188_1,
    "qs188_2": _qs188_2,
    "qs188_3": _qs188_3,
    "qs188_4": _qs188_4,
    "case_reviews_on_time": _case_reviews_on_time,
    "discharge_ost_continuity": _discharge_ost_continuity,
    "discharge_naloxone": _discharge_naloxone,
    "discharge_follow_up_72h": _discharge_follow_up_72h,
    "days_to_first_community_dose": _days_to_first_community_dose,
    "reengagement_7_days": _reengagement_7_days,
    "top_change": _score_change("top_change"),
    "dialog_change": _score_change("dialog_change"),
}
assert set(_BUILDERS) == set(MEASURES), "every measure needs a reader, and every reader a definition"


# --- Public ----------------------------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def observations(
    measure_key: str,
    *,
    start: date,
    end: date,
    services: Sequence[Service] | None = None,
    now: datetime | None = None,
) -> list[Observation]:
    """One observation per unit of the measure in the period (`start` to `end`, local days, both included),
    limited to `services` if given (the service that holds the unit: the referral's service, the episode's,
    the ward discharged from, the missed appointment's). `now` (default: the current time) decides which
    outcomes are still pending. Raises KeyError for an unknown measure key."""
    builder = _BUILDERS[measure_key]
    window = _Window(
        start=start,
        end=end,
        lo=_midnight(start),
        hi=_midnight(end + timedelta(days=1)),
        now=now or timezone.now(),
        service_ids=None if services is None else [s.pk for s in services],
    )
    units, people = builder(window)
    facts = _facts_and_keys(people) if units else {}
    result = []
    for unit in units:
        base, key = facts.get(unit.person_id, (PersonFacts(), "")) if unit.person_id else (PersonFacts(), "")
        result.append(
            Observation(
                at=unit.at,
                in_numerator=unit.in_numerator,
                value=unit.value,
                facts=replace(base, referral_route=unit.route, service=unit.service, team=unit.team),
                person_key=key,
            )
        )
    return result


def _month_start(day: date, back: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - back, 12)
    return date(year, month + 1, 1)


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def monthly_series(
    measure_key: str,
    *,
    months: int,
    end: date,
    services: Sequence[Service] | None = None,
    now: datetime | None = None,
) -> list[tuple[str, Figure]]:
    """The measure's figure for each of the `months` calendar months up to and including the month of `end`
    (the last month runs to `end`), oldest first, labelled like "Jan 2026". Event measures are read once
    for the whole span and split by month; snapshot measures (`SNAPSHOT_MEASURES`) are read once per month,
    as the record stood on its last day."""
    if months < 1:
        return []
    measure = MEASURES[measure_key]
    firsts = [_month_start(end, back) for back in range(months - 1, -1, -1)]
    spans = [(first, min(_month_end(first), end)) for first in firsts]
    series: list[tuple[str, Figure]] = []
    if measure_key in SNAPSHOT_MEASURES:
        for first, last in spans:
            units = observations(measure_key, start=first, end=last, services=services, now=now)
            series.append((first.strftime("%b %Y"), figure(measure, units)))
        return series
    everything = observations(measure_key, start=spans[0][0], end=end, services=services, now=now)
    for first, last in spans:
        series.append((first.strftime("%b %Y"), figure(measure, in_period(everything, first, last))))
    return series
