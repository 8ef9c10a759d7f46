"""Snapshot measures: the episodes open on the period's last day (the record as it stood at the end of that day),
in the numerator when a condition holds of them then.

Each is read two ways, and `coexist/outcomes/tests/test_tally.py` holds the two to the same answers for every
month and every cut on generated data:
- for one day, as a query with a row per episode and the condition as a column (`Snapshot.query`): the plain
  statement of the measure, used for a single period;
- for a run of months (a dashboard's run chart), by reading once and counting month by month (`Snapshot.months`):
  the episodes open at any month end in the run, grouped by the month they opened, the month they finished and
  the month from which the condition holds (for case reviews, each reviewed episode with its reviews), then
  counted for each month in Python. Asking the database the condition once per episode per month instead took
  most of the dashboard's time at 100,000 people (issue 6).

A month is compared by its first day: an episode opened before the end of month M opened in M or earlier; one
finished at or after its end finished in a later month; a condition true from a moment before its end became
true in M or earlier.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.db.models.lookups import GreaterThanOrEqual

from coexist.assessments.models import AssessmentStatus, JointAssessment
from coexist.care.models import CaseReview, CaseReviewStatus, EpisodeOfCare
from coexist.care.reviews.rules import (
    REVIEW_SERVICE_KINDS,
    HeldReview,
    ReviewState,
    review_due_on,
    review_state,
    twelve_months_after,
)
from coexist.care.rules import SECONDARY_MENTAL_HEALTH_KINDS
from coexist.engagement.models import LossOfContact
from coexist.instruments.definitions import SUBSTANCE_SCREEN_CODES
from coexist.instruments.models import InstrumentResponse
from coexist.outcomes.readers.base import EPISODE_PATHS, Query, Window, end_of, flag, in_services, midnight

Months = Sequence[tuple[date, date]]
"""Calendar months in order, each as (first day, last day)."""

MonthCounts = list[Counter[tuple[bool, Any]]]
"""For each month: how many episodes, by (in the numerator, the value of the cut's column or None)."""


def _month(expression: Any) -> TruncMonth:
    return TruncMonth(expression, output_field=DateField())


def _since(month: date | None, first: date) -> bool:
    """True at the end of the month starting `first`, for a condition true from the month starting `month`."""
    return month is not None and month <= first


@dataclass(frozen=True)
class Snapshot:
    """A snapshot measure: the kinds of service whose episodes count (None: all), the condition for a day as a
    filter on an episode, and how to count a run of months."""

    kinds: frozenset[str] | None
    holds: Callable[[date], Q]
    count_months: Callable[[QuerySet[Any], Months, list[str]], MonthCounts]

    def episodes(self, w: Window, *, open_from: date | None = None) -> QuerySet[Any]:
        """Episodes open at the end of the period or, with `open_from`, at the end of any day from then on."""
        qs = EpisodeOfCare.objects.filter(opened_at__lt=w.hi)
        qs = qs.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=end_of(open_from or w.end)))
        if self.kinds is not None:
            qs = qs.filter(service__kind__in=list(self.kinds))
        return in_services(qs, "service", w)

    def query(self, w: Window) -> Query:
        qs = self.episodes(w).annotate(m_holds=flag(self.holds(w.end)))
        return Query(qs, ("m_holds",), lambda row: (w.end, bool(row[0]), None), **EPISODE_PATHS)

    def months(self, w: Window, months: Months, by: list[str]) -> MonthCounts:
        return self.count_months(self.episodes(w, open_from=months[0][1]).order_by(), months, by)


def _count_by_month(
    rows: Sequence[tuple[Any, ...]],
    months: Months,
    width: int,
    holds: Callable[[tuple[Any, ...], date, date], bool],
) -> MonthCounts:
    """Rows of (opened month, finished month, `width` columns `holds` reads, the cut's column if any, count);
    `holds(columns, first day, last day)` says whether the condition holds at the end of that month."""
    found: MonthCounts = [Counter() for _ in months]
    firsts = [first for first, _ in months]
    for row in rows:
        opened, finished, middle, count = row[0], row[1], row[2 : 2 + width], row[-1]
        value = row[2 + width] if len(row) == width + 4 else None
        for i in _open_months(firsts, opened, finished):
            found[i][(holds(middle, firsts[i], months[i][1]), value)] += count
    return found


def _open_months(firsts: list[date], opened: date, finished: date | None) -> range:
    """The indexes of the months (by first day, in order) at whose end an episode was open, from the months it
    opened and finished in: opened in that month or before, finished after it or not at all."""
    return range(bisect_left(firsts, opened), len(firsts) if finished is None else bisect_left(firsts, finished))


def _grouped(qs: QuerySet[Any], by: list[str], **columns: Any) -> list[tuple[Any, ...]]:
    """(opened month, finished month, *columns, cut value if any, count) for the episodes, grouped."""
    names = ["m_opened", "m_finished", *columns, *by]
    qs = qs.annotate(m_opened=_month("opened_at"), m_finished=_month("finished_at"), **columns)
    return list(qs.values_list(*names).annotate(m_count=Count("pk")))


# --- Loss of contact (R6) ----------------------------------------------------------------------------------


def _lost(day: date) -> Q:
    end = end_of(day)
    current = LossOfContact.objects.filter(person=OuterRef("person"), since__lt=end).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
    )
    return Q(Exists(current))


def _lost_months(qs: QuerySet[Any], months: Months, by: list[str]) -> MonthCounts:
    """Every open episode counts; those whose person had a loss of contact current at the month's end are in the
    numerator. Losses of contact are few: read one row per (episode, loss of contact), counted per episode."""
    everyone = _count_by_month(_grouped(qs, by), months, 0, lambda middle, first, last: False)
    losses = (
        qs.annotate(
            m_opened=_month("opened_at"),
            m_finished=_month("finished_at"),
            m_since=_month("person__losses_of_contact__since"),
            m_resolved=_month("person__losses_of_contact__resolved_at"),
        )
        .filter(m_since__isnull=False)
        .values_list("pk", "m_opened", "m_finished", "m_since", "m_resolved", *by)
    )
    per_episode: dict[int, list[tuple[Any, ...]]] = {}
    for row in losses:
        per_episode.setdefault(row[0], []).append(row[1:])
    firsts = [first for first, _ in months]
    for periods in per_episode.values():
        opened, finished = periods[0][:2]
        value = periods[0][4] if by else None
        for i in _open_months(firsts, opened, finished):
            if any(_since(p[2], firsts[i]) and (p[3] is None or p[3] > firsts[i]) for p in periods):
                everyone[i][(False, value)] -= 1
                everyone[i][(True, value)] += 1
    return everyone


def loss_of_contact(w: Window) -> Snapshot:
    return Snapshot(None, _lost, _lost_months)


# --- QS188 statement 1: asked about alcohol and drug use (R15) ------------------------------------------------


def _first_month(qs: QuerySet[Any], people: QuerySet[Any]) -> dict[int, date]:
    """The month of each of these people's earliest row of `qs` (one grouped query, no lookup per episode)."""
    first = qs.filter(person__in=people).values("person").annotate(m=_month(Min("completed_at")))
    return dict(first.values_list("person", "m").order_by())


def _asked(day: date) -> Q:
    end = end_of(day)
    screened = InstrumentResponse.objects.filter(
        person=OuterRef("person"), instrument_code__in=SUBSTANCE_SCREEN_CODES, completed_at__lt=end
    )
    assessed = JointAssessment.objects.filter(
        person=OuterRef("person"), status=AssessmentStatus.COMPLETED, completed_at__lt=end
    )
    return Q(Exists(screened)) | Q(Exists(assessed))


def _asked_months(qs: QuerySet[Any], months: Months, by: list[str]) -> MonthCounts:
    """Asked once is asked from then on: the month of each person's first substance-use screen and first completed
    joint assessment, read per person and joined to the episodes here."""
    people = qs.values("person_id")
    screened = _first_month(InstrumentResponse.objects.filter(instrument_code__in=SUBSTANCE_SCREEN_CODES), people)
    assessed = _first_month(JointAssessment.objects.filter(status=AssessmentStatus.COMPLETED), people)
    grouped: Counter[tuple[Any, ...]] = Counter()
    for person_id, opened, finished, *value in qs.annotate(
        m_opened=_month("opened_at"), m_finished=_month("finished_at")
    ).values_list("person_id", "m_opened", "m_finished", *by):
        grouped[(opened, finished, screened.get(person_id), assessed.get(person_id), *value)] += 1
    rows = [(*key, count) for key, count in grouped.items()]
    return _count_by_month(rows, months, 2, lambda m, first, last: _since(m[0], first) or _since(m[1], first))


def qs188_1(w: Window) -> Snapshot:
    return Snapshot(SECONDARY_MENTAL_HEALTH_KINDS, _asked, _asked_months)


# --- QS188 statement 3: a named care coordinator (R3) ----------------------------------------------------------


def _named(day: date) -> Q:
    return Q(coordinator__isnull=False) & (Q(coordinator_since__isnull=True) | Q(coordinator_since__lte=day))


def _named_months(qs: QuerySet[Any], months: Months, by: list[str]) -> MonthCounts:
    rows = _grouped(qs, by, m_named=flag(Q(coordinator__isnull=False)), m_since=_month("coordinator_since"))
    return _count_by_month(rows, months, 2, lambda m, first, last: m[0] and (m[1] is None or m[1] <= first))


def qs188_3(w: Window) -> Snapshot:
    return Snapshot(SECONDARY_MENTAL_HEALTH_KINDS, _named, _named_months)


# --- Multi-agency case reviews on time (R7) ----------------------------------------------------------------------


def opened_on_or_after_is_on_time(day: date) -> date:
    """R7: with no review held, an episode is on time on `day` when `twelve_months_after(opened)` is not before
    it, that is when it opened on or after the date returned (the rule is monotone, so one date divides them)."""
    opened = day - timedelta(days=367)
    while twelve_months_after(opened) < day:
        opened += timedelta(days=1)
    return opened


def _opened_on() -> TruncDate:
    return TruncDate(ExpressionWrapper(OuterRef("opened_at"), output_field=DateTimeField()))


def _held_since_opened(up_to: date) -> QuerySet[CaseReview]:
    return CaseReview.objects.filter(
        person=OuterRef("person"), status=CaseReviewStatus.HELD, held_on__gte=_opened_on(), held_on__lte=up_to
    )


def _on_time(day: date) -> Q:
    """R7 (as `review_due_on` and `review_state`): due on the next review date of the latest review held since the
    episode opened (up to the day), or, with none held, twelve months after it opened; overdue once passed."""
    latest_next = _held_since_opened(day).order_by("-held_on", "-next_review_on").values("next_review_on")[:1]
    unreviewed = Case(
        When(opened_at__gte=midnight(opened_on_or_after_is_on_time(day)), then=Value(day)),
        default=Value(day - timedelta(days=1)),
    )
    return Q(GreaterThanOrEqual(Coalesce(Subquery(latest_next), unreviewed, output_field=DateField()), day))


def _on_time_months(qs: QuerySet[Any], months: Months, by: list[str]) -> MonthCounts:
    """By the R7 rule functions themselves: episodes with no review held in the run, grouped by the day they
    opened; each episode with reviews, with its reviews."""
    last_day = months[-1][1]
    firsts = [first for first, _ in months]
    held = _held_since_opened(last_day)

    def on_time(due_on: date, day: date) -> bool:
        return review_state(due_on=due_on, today=day) != ReviewState.OVERDUE

    unreviewed = _grouped(qs.filter(~Exists(held)), by, m_opened_on=TruncDate("opened_at"))
    due_unreviewed = {m[2]: review_due_on(episode_opened_on=m[2], held=[]) for m in unreviewed}
    found = _count_by_month(unreviewed, months, 1, lambda m, first, last: on_time(due_unreviewed[m[0]], last))
    reviewed = (
        qs.filter(Exists(held))
        .annotate(
            m_opened=_month("opened_at"),
            m_finished=_month("finished_at"),
            m_opened_on=TruncDate("opened_at"),
            m_held_on=F("person__case_reviews__held_on"),
            m_next_on=F("person__case_reviews__next_review_on"),
            m_status=F("person__case_reviews__status"),
        )
        .filter(m_status=CaseReviewStatus.HELD, m_held_on__lte=last_day)
        .values_list("pk", "m_opened", "m_finished", "m_opened_on", "m_held_on", "m_next_on", *by)
    )
    per_episode: dict[int, list[tuple[Any, ...]]] = {}
    for row in reviewed:
        per_episode.setdefault(row[0], []).append(row[1:])
    for rows in per_episode.values():
        opened, finished, opened_on = rows[0][:3]
        value = rows[0][5] if by else None
        reviews = sorted((HeldReview(held_on=r[3], next_review_on=r[4]) for r in rows), key=lambda r: r.held_on)
        held_ons = [r.held_on for r in reviews]
        due: dict[int, date] = {}  # by how many reviews were held by the day: the rule, once per set
        for i in _open_months(firsts, opened, finished):
            last = months[i][1]
            by_then = bisect_right(held_ons, last)
            if by_then not in due:
                due[by_then] = review_due_on(episode_opened_on=opened_on, held=reviews[:by_then])
            found[i][(on_time(due[by_then], last), value)] += 1
    return found


def case_reviews_on_time(w: Window) -> Snapshot:
    return Snapshot(REVIEW_SERVICE_KINDS, _on_time, _on_time_months)
