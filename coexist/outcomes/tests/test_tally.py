"""A tally (units grouped in the database, each group with its count) gives exactly the figures of the per-unit
observations, for every measure, every R14 cut and every month, on a generated population; and a tally reads
a number of rows that does not grow with the number of people."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from coexist.outcomes.definitions import MEASURES, SNAPSHOT_MEASURES
from coexist.outcomes.observations import READERS, monthly, observations, tally
from coexist.outcomes.population import OutcomesPopulation, generate_outcomes_population
from coexist.outcomes.readers import base
from coexist.outcomes.readers.snapshots import Snapshot
from coexist.outcomes.rules.measures import Figure, Observation, figure, figures_by, in_period
from coexist.outcomes.rules.publish import months_to
from coexist.outcomes.rules.subgroups import Cut, cut_definition, data_cut

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 7, 15, 12))
MONTHS = [(m.start, m.end) for m in months_to(date(2026, 6, 30), 6)]
START, END = MONTHS[0][0], MONTHS[-1][1]


def _same(a: Figure, b: Figure) -> bool:
    """The same figure, but for the last bits of a mean summed in another order."""
    return (a.numerator, a.denominator) == (b.numerator, b.denominator) and (
        a.value == b.value or (a.value is not None and b.value is not None and a.value == pytest.approx(b.value))
    )


def _same_by(a: dict[str, Figure], b: dict[str, Figure]) -> bool:
    return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def population(django_db_setup: None, django_db_blocker: Any) -> Iterator[OutcomesPopulation]:
    """Two areas, so that every reading limited to one area's services is seen to leave the other's out. Made
    once for the module inside a transaction rolled back at its end (the tests only read)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate_outcomes_population(
            people=400, seed=11, months=18, now=NOW, areas=(("Northfield", 2.0), ("Southmoor", 1.0))
        )
        transaction.set_rollback(True)


def _definition(cut: Cut, population: OutcomesPopulation):  # type: ignore[no-untyped-def]
    if cut is Cut.SERVICE:
        return data_cut(cut, [(str(s.public_id), s.name) for a in population.areas for s in a.services.values()])
    if cut is Cut.TEAM:
        teams = [t for a in population.areas for ts in a.teams.values() for t in ts]
        return data_cut(cut, [(str(t.public_id), f"{t.service.name}: {t.name}") for t in teams])
    return cut_definition(cut)


@pytest.mark.parametrize("key", sorted(MEASURES))
def test_tally_gives_the_figures_of_the_observations_for_every_cut(key: str, population: OutcomesPopulation) -> None:
    measure = MEASURES[key]
    services = [population.services["cmht"], population.services["ward"]]
    units = observations(key, start=START, end=END, services=services, now=NOW)
    assert units, f"the generated population should give {key} something to count"
    assert _same(figure(measure, tally(key, start=START, end=END, services=services, now=NOW)), figure(measure, units))
    for cut in Cut:
        definition = _definition(cut, population)
        grouped = tally(key, start=START, end=END, services=services, now=NOW, cut=cut)
        assert _same_by(
            figures_by(measure, grouped, cut, definition=definition),
            figures_by(measure, units, cut, definition=definition),
        ), cut


@pytest.mark.parametrize("key", sorted(MEASURES))
@pytest.mark.parametrize("cut", [None, Cut.SEX, Cut.TEAM])
@pytest.mark.parametrize("where", ["drug_alcohol", "cmht"])
def test_monthly_gives_each_month_as_its_own_period(
    key: str, cut: Cut | None, where: str, population: OutcomesPopulation
) -> None:
    measure = MEASURES[key]
    services = [population.services[where], population.services["ward"]]
    by_month, everything = monthly(key, months=MONTHS, services=services, now=NOW, cut=cut)
    for (first, last), found in zip(MONTHS, by_month, strict=True):
        one = observations(key, start=first, end=last, services=services, now=NOW)
        assert _same(figure(measure, found), figure(measure, one)), (first, last)
    # All the months together: the whole span as one period, divided by the cut.
    whole = observations(key, start=START, end=END, services=services, now=NOW)
    assert _same(figure(measure, everything), figure(measure, whole))
    if cut is not None:
        definition = _definition(cut, population)
        assert _same_by(
            figures_by(measure, everything, cut, definition=definition),
            figures_by(measure, whole, cut, definition=definition),
        )
    assert monthly(key, months=MONTHS, services=services, now=NOW, cut=cut, whole=False)[1] == []


def test_a_tally_has_a_row_per_day_and_category_not_per_unit(population: OutcomesPopulation) -> None:
    # Referrals received over six months: one row per day with referrals without a cut; per day and sex with one.
    units = observations("referrals_by_route", start=START, end=END, now=NOW)
    grouped = tally("referrals_by_route", start=START, end=END, now=NOW)
    assert sum(o.count for o in grouped) == len(units)
    assert len(grouped) == len({u.at for u in units}) < len(units)
    by_sex = tally("referrals_by_route", start=START, end=END, now=NOW, cut=Cut.SEX)
    assert len(by_sex) == len({(u.at, u.facts.sex) for u in units})
    assert {o.facts.sex for o in by_sex} <= {"female", "male", "not_known", "not_stated"}


def test_the_snapshot_measures_are_the_ones_read_as_snapshots() -> None:
    window = base.window(START, END, None, NOW)
    read_as_snapshots = {key for key, reader in READERS.items() if isinstance(reader(window), Snapshot)}
    assert read_as_snapshots == SNAPSHOT_MEASURES == {"loss_of_contact", "qs188_1", "qs188_3", "case_reviews_on_time"}


def test_weighted_figures_equal_the_figures_of_the_units_written_out() -> None:
    # Days: 3 twice, 10 once, 28 three times (6 in all): median of 3, 3, 10, 28, 28, 28 = (10 + 28) / 2 = 19;
    # mean (6 + 10 + 84) / 6 = 16.67. In the numerator: 2 + 3 = 5 of 6.
    day = date(2026, 1, 5)
    grouped = [
        Observation(at=day, in_numerator=True, value=3.0, count=2),
        Observation(at=day, in_numerator=False, value=10.0, count=1),
        Observation(at=day, in_numerator=True, value=28.0, count=3),
    ]
    written_out = [
        Observation(at=o.at, in_numerator=o.in_numerator, value=o.value) for o in grouped for _ in range(o.count)
    ]
    for key in ("days_to_assessment", "top_change", "uptake"):
        assert figure(MEASURES[key], grouped) == figure(MEASURES[key], written_out)
    assert figure(MEASURES["days_to_assessment"], grouped).value == 19.0
    assert figure(MEASURES["top_change"], grouped).value == pytest.approx(100 / 6)
    assert (figure(MEASURES["uptake"], grouped).numerator, figure(MEASURES["uptake"], grouped).denominator) == (5, 6)
    assert in_period(grouped, day, day) == grouped
