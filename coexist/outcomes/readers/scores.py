"""Change in a validated measure's score between a person's first and latest measurement (TOP and DIALOG quality
of life; `definitions.SCORE_KEYS`).

A person counts in a period when their latest measurement up to the period's end was in it and they had at least
two by then: the value is latest minus first. They are placed in the service, team and referral route of their
episode open on the day of that latest measurement (the one opened last); limited to services, a person with no
such episode there is left out.

Worked out per person in Python from one reading of the measurements in the window (each with its day, its
change since the person's first score and how many came before it, from window functions) and one of the
episodes: the latest of each month is the last measurement in it, so every month of a dashboard, and the months
together, come from the same reading. (Done in the database this took a correlated lookup per person
and month, most of a dashboard's time at 100,000 people.)
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import ExpressionWrapper, F, FloatField, Min, Q, QuerySet
from django.db.models import Window as Over  # an SQL window function; `Window` here is the period read
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, FirstValue, RowNumber, TruncDate

from coexist.care.models import EpisodeOfCare
from coexist.instruments.models import InstrumentResponse
from coexist.outcomes.definitions import SCORE_KEYS
from coexist.outcomes.readers.base import Unit, Units, Window, text

Periods = Sequence[tuple[date, date]]
_Episode = tuple[date, date | None, str, str, str]  # opened, finished, service, team, route


def _whole_month(start: date, end: date) -> bool:
    return start.day == 1 and end == start.replace(day=calendar.monthrange(start.year, start.month)[1])


def score_changes(
    measure_key: str, w: Window, periods: Periods, *, fact: str | None = None
) -> tuple[list[list[Unit]], QuerySet[Any]]:
    """The units of each period (all inside `w`), and a queryset of the people read (for their facts). With
    `fact`, the name of a field of the person, each unit carries its value."""
    code, key = SCORE_KEYS[measure_key]
    # The scoring engine writes numbers (coexist/instruments/rules.py); a response without this score is skipped.
    scored = InstrumentResponse.objects.filter(instrument_code=code, **{f"score__{key}__isnull": False})
    measured = scored.filter(completed_at__gte=w.lo, completed_at__lt=w.hi)
    episodes = EpisodeOfCare.objects.all()
    if w.service_ids is not None:
        episodes = episodes.filter(service__in=w.service_ids)
        measured = measured.filter(person__in=episodes.values("person_id"))
    people = measured.values("person_id").order_by()
    # Only the measurements in the window are read, each with what it needs from the person's whole series: the
    # first score and how many came before. The window functions see every measurement up to the window's end;
    # "m_at", a measurement's own time as a window value, lets the rows before the window be dropped after them.
    value = Cast(KeyTextTransform(key, "score"), FloatField())
    person, oldest_first = [F("person_id")], [F("completed_at").asc(), F("pk").asc()]
    series: dict[int, list[tuple[date, float, int]]] = {}  # day, change since the first, how many so far
    facts: dict[int, Any] = {}
    for person_id, day, change, nth, *person_fact in (
        scored.filter(person__in=people, completed_at__lt=w.hi)
        .annotate(
            m_first=Over(FirstValue(value), partition_by=person, order_by=oldest_first),
            m_nth=Over(RowNumber(), partition_by=person, order_by=oldest_first),
            m_at=Over(Min("completed_at"), partition_by=[F("pk")]),
        )
        .filter(m_at__gte=w.lo)
        .annotate(m_day=TruncDate("completed_at"), m_change=ExpressionWrapper(value - F("m_first"), FloatField()))
        .values_list("person_id", "m_day", "m_change", "m_nth", *([f"person__{fact}"] if fact else []))
        .order_by("person_id", "completed_at", "pk")
    ):
        series.setdefault(person_id, []).append((day, change, nth))
        facts[person_id] = person_fact[0] if person_fact else None
    held: dict[int, list[_Episode]] = {}
    overlapping = Q(opened_at__lt=w.hi) & (Q(finished_at__isnull=True) | Q(finished_at__gte=w.lo))
    for person_id, opened, finished, service_id, team_id, referral_route in (
        episodes.filter(overlapping, person__in=people)
        .annotate(m_opened=TruncDate("opened_at"), m_finished=TruncDate("finished_at"))
        .values_list("person_id", "m_opened", "m_finished", "service__public_id", "team__public_id", "referral__route")
        .order_by("person_id", "opened_at", "pk")
    ):
        held.setdefault(person_id, []).append((opened, finished, text(service_id), text(team_id), referral_route or ""))
    found: list[list[Unit]] = [[] for _ in periods]
    # Calendar months are found from each person's measurements; any other period by searching them.
    months = {i for i, (start, end) in enumerate(periods) if _whole_month(start, end)}
    month_index = {periods[i][0]: i for i in months}
    others = [(i, start, end) for i, (start, end) in enumerate(periods) if i not in months]
    for person_id, points in series.items():
        days = [day for day, _, _ in points]
        last_of_month = {day.replace(day=1): i for i, day in enumerate(days)}  # later measurements overwrite
        latest_in = [(month_index[m], last) for m, last in last_of_month.items() if m in month_index]
        for i, start, end in others:
            k = bisect_right(days, end)
            if k and days[k - 1] >= start:
                latest_in.append((i, k - 1))
        for i, latest in latest_in:
            day, change, nth = points[latest]
            if nth < 2:  # no earlier measurement to compare with
                continue
            open_then = [e for e in held.get(person_id, []) if e[0] <= day and (e[1] is None or e[1] >= day)]
            if w.service_ids is not None and not open_then:
                continue
            service, team, route = open_then[-1][2:] if open_then else ("", "", "")
            found[i].append(Unit(person_id, day, False, change, service, team, route, facts[person_id]))
    return found, people


def score_change(measure_key: str, w: Window) -> Units:
    (units,), people = score_changes(measure_key, w, [(w.start, w.end)])
    return Units(units, people)
