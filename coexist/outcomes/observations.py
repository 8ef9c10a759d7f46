"""Read the record into observations for each measure in `definitions.MEASURES` (issue 6 point 1).

No permission checks here and no access log: these are the raw units behind AGGREGATE figures, and the
caller decides who may see the aggregates (and must never show a person). Observations carry no name:
only the person's public id as text (to count people, never shown) and the facts the R14 cuts need.

Each measure has a reader in `coexist/outcomes/readers/` (events, snapshots, ward discharges, changes in score).
Three ways to read one:
- `observations`: one observation per unit with every fact of its person (one more query for the facts of all of
  them). The plain reading: programme theories (`coexist.evaluation`) and the tests use it.
- `tally`: the same units GROUPED in the database by what decides their outcome and the facts of one cut, each
  group one observation with its `count`: the rows read grow with the days and categories, not the people.
- `monthly`: a tally for each month of a run and for the whole run, reading each measure once (issue 6: a
  service's dashboard of 12 months on 100,000 people in under 2 seconds).
`coexist/outcomes/tests/test_tally.py` holds all three to the same figures for every measure, month and cut.

Queries, whatever the number of units (no N+1; lists of ids never go into SQL, subqueries do).
Dates: `start` and `end` are local days, both included. Service and team facts are public ids as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db.models import Count, QuerySet

from coexist.organisations.models import Service
from coexist.outcomes.definitions import MEASURES, SCORE_KEYS
from coexist.outcomes.readers import events, snapshots, ward
from coexist.outcomes.readers.base import EPISODE_PATHS, Query, Unit, Units, Window, text, window
from coexist.outcomes.readers.scores import score_change, score_changes
from coexist.outcomes.readers.snapshots import Snapshot
from coexist.outcomes.rules.measures import Observation, in_period
from coexist.outcomes.rules.subgroups import Cut, PersonFacts
from coexist.people.models import Person

# Re-exported: the QS188 statement 2 rule and the R7 boundary are tested where the measures are.
declined_for_coexisting_condition = events.declined_for_coexisting_condition
opened_on_or_after_is_on_time = snapshots.opened_on_or_after_is_on_time

Reader = Callable[[Window], "Query | Units | Snapshot"]

READERS: dict[str, Reader] = {
    "referrals_by_route": events.referrals_by_route,
    "uptake": events.uptake,
    "days_to_assessment": events.days_to_assessment,
    "engagement_12_weeks": events.engagement_12_weeks,
    "retention_12_weeks": events.retention_12_weeks,
    "unplanned_endings": events.unplanned_endings,
    "loss_of_contact": snapshots.loss_of_contact,
    "qs188_1": snapshots.qs188_1,
    "qs188_2": events.qs188_2,
    "qs188_3": snapshots.qs188_3,
    "qs188_4": events.qs188_4,
    "case_reviews_on_time": snapshots.case_reviews_on_time,
    "discharge_ost_continuity": ward.discharge_ost_continuity,
    "discharge_naloxone": ward.discharge_naloxone,
    "discharge_follow_up_72h": ward.discharge_follow_up_72h,
    "days_to_first_community_dose": ward.days_to_first_community_dose,
    "reengagement_7_days": ward.reengagement_7_days,
    "top_change": lambda w: score_change("top_change", w),
    "dialog_change": lambda w: score_change("dialog_change", w),
}
assert set(READERS) == set(MEASURES), "every measure needs a reader, and every reader a definition"

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

# The person's field each R14 cut reads (a tally groups by it); route, service and team come from the unit.
_CUT_PERSON_FIELD: dict[Cut, str] = {
    Cut.SEX: "sex",
    Cut.AGE_BAND: "date_of_birth",
    Cut.ETHNIC_GROUP: "ethnic_category",
    Cut.HOUSING_STATUS: "housing_status",
    Cut.HOUSING_SETTLED: "housing_status",
    Cut.PRISON_RELEASE: "released_from_prison_on",
    Cut.CARING: "has_caring_responsibilities",
}
_CUT_UNIT_FACT: dict[Cut, str] = {Cut.REFERRAL_ROUTE: "referral_route", Cut.SERVICE: "service", Cut.TEAM: "team"}


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


@lru_cache(maxsize=4096)
def _fact(cut: Cut, value: Any) -> PersonFacts:
    """Person facts holding only what `cut` reads (a blank in the record reads as the default: not known). The
    same few values come back again and again: each is made once."""
    if cut in _CUT_PERSON_FIELD:
        person_fact: dict[str, Any] = {} if value is None else {_CUT_PERSON_FIELD[cut]: value}
        return PersonFacts(**person_fact)
    unit_fact: dict[str, Any] = {_CUT_UNIT_FACT[cut]: text(value)}
    return PersonFacts(**unit_fact)


def _group_by(cut: Cut | None, paths: dict[str, str]) -> list[str]:
    """The column a tally groups by for a cut: the person's field, or the unit's route, service or team."""
    if cut is None:
        return []
    if cut in _CUT_PERSON_FIELD:
        return [f"person__{_CUT_PERSON_FIELD[cut]}"]
    return [paths[{Cut.REFERRAL_ROUTE: "route", Cut.SERVICE: "service", Cut.TEAM: "team"}[cut]]]


# --- Reading ---------------------------------------------------------------------------------------------


def _read(measure_key: str, w: Window) -> Query | Units:
    reading = READERS[measure_key](w)
    return reading.query(w) if isinstance(reading, Snapshot) else reading


def _with_facts(units: list[Unit], people: QuerySet[Any]) -> list[Observation]:
    facts = _facts_and_keys(people) if units else {}
    result = []
    for unit in units:
        base, key = facts.get(unit.person_id, (PersonFacts(), "")) if unit.person_id else (PersonFacts(), "")
        facts_of_unit = PersonFacts(
            sex=base.sex,
            date_of_birth=base.date_of_birth,
            ethnic_category=base.ethnic_category,
            housing_status=base.housing_status,
            released_from_prison_on=base.released_from_prison_on,
            has_caring_responsibilities=base.has_caring_responsibilities,
            referral_route=unit.route,
            service=unit.service,
            team=unit.team,
        )
        result.append(Observation(unit.at, unit.in_numerator, unit.value, facts_of_unit, key))
    return result


def _with_cut(units: list[Unit], cut: Cut | None) -> list[Observation]:
    """Observations holding only the fact `cut` reads: the unit's route, service or team, or the person's field
    the reader read with it (`Unit.fact`)."""
    if cut is None:
        return [Observation(u.at, u.in_numerator, u.value) for u in units]
    on_unit = {Cut.REFERRAL_ROUTE: "route", Cut.SERVICE: "service", Cut.TEAM: "team"}
    return [
        Observation(u.at, u.in_numerator, u.value, _fact(cut, getattr(u, on_unit[cut]) if cut in on_unit else u.fact))
        for u in units
    ]


def _units(query: Query) -> list[Unit]:
    units = []
    width = len(query.columns)
    for row in query.qs.values_list("person_id", *query.columns, query.route, query.service, query.team).order_by():
        decision = query.decide(row[1 : 1 + width])
        if decision is not None:
            route, service, team = row[1 + width :]
            units.append(Unit(row[0], *decision, text(service), text(team), route or ""))
    return units


def _grouped(query: Query, cut: Cut | None) -> list[Observation]:
    by = _group_by(cut, {"route": query.route, "service": query.service, "team": query.team})
    width = len(query.columns)
    found = []
    for row in query.qs.order_by().values_list(*query.columns, *by).annotate(m_count=Count("pk")):
        decision = query.decide(row[:width])
        if decision is not None:
            facts = PersonFacts() if cut is None else _fact(cut, row[width])
            found.append(Observation(*decision, facts=facts, count=row[-1]))
    return found


def _tally(reading: Query | Units, cut: Cut | None) -> list[Observation]:
    return _with_facts(reading.units, reading.people) if isinstance(reading, Units) else _grouped(reading, cut)


def _ids(services: Sequence[Service] | None) -> list[int] | None:
    return None if services is None else [s.pk for s in services]


def observations(
    measure_key: str,
    *,
    start: date,
    end: date,
    services: Sequence[Service] | None = None,
    now: datetime | None = None,
) -> list[Observation]:
    """One observation per unit of the measure in the period (`start` to `end`, local days, both included),
    with every fact of its person, limited to `services` if given (the service that holds the unit: the
    referral's service, the episode's, the ward discharged from, the missed appointment's). `now` (default: the
    current time) decides which outcomes are still pending. Raises KeyError for an unknown measure key."""
    reading = _read(measure_key, window(start, end, _ids(services), now))
    if isinstance(reading, Units):
        return _with_facts(reading.units, reading.people)
    return _with_facts(_units(reading), reading.qs.values("person_id"))


def tally(
    measure_key: str,
    *,
    start: date,
    end: date,
    services: Sequence[Service] | None = None,
    now: datetime | None = None,
    cut: Cut | None = None,
) -> list[Observation]:
    """The measure's observations in the period GROUPED: units alike in their day, outcome, value and the facts
    `cut` reads are one observation with their `count` (no facts at all without a cut). The same figures as
    `observations`, in a number of rows that does not grow with the number of people. Raises KeyError."""
    return _tally(_read(measure_key, window(start, end, _ids(services), now)), cut)


def _snapshot_months(
    snapshot: Snapshot, span: Window, months: Sequence[tuple[date, date]], cut: Cut | None
) -> list[list[Observation]]:
    by = _group_by(cut, EPISODE_PATHS)
    return [
        [
            Observation(last, in_numerator, facts=PersonFacts() if cut is None else _fact(cut, value), count=count)
            for (in_numerator, value), count in counted.items()
            if count
        ]
        for counted, (_, last) in zip(snapshot.months(span, months, by), months, strict=True)
    ]


def monthly(
    measure_key: str,
    *,
    months: Sequence[tuple[date, date]],
    services: Sequence[Service] | None = None,
    now: datetime | None = None,
    cut: Cut | None = None,
    whole: bool = True,
) -> tuple[list[list[Observation]], list[Observation]]:
    """Tallies for each of `months` (whole calendar months in order, as first and last day) and, when `whole`, for
    all of them together as one period, with the facts of `cut` (without `whole`, the second is empty). Each month
    is its own period: event measures are read once for the whole run and split by day; snapshot measures count
    the episodes open at each month's end from one reading; a change in score takes each person's latest
    measurement in each month, and in the run as one period, from one reading of the measurements."""
    if not months:
        return [], []
    span = window(months[0][0], months[-1][1], _ids(services), now)
    if measure_key in SCORE_KEYS:
        periods = [*months, *([(span.start, span.end)] if whole else [])]
        per_period, _ = score_changes(measure_key, span, periods, fact=_CUT_PERSON_FIELD.get(cut) if cut else None)
        found = [_with_cut(units, cut) for units in per_period]
        return found[: len(months)], found[len(months)] if whole else []
    reading = READERS[measure_key](span)
    if isinstance(reading, Snapshot):
        found = _snapshot_months(reading, span, months, cut)
        return found, found[-1] if whole else []
    everything = _tally(reading, cut)
    return [in_period(everything, first, last) for first, last in months], everything if whole else []
