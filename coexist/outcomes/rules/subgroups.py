"""The R14 "for whom" cuts: which subgroup a person falls in, as pure functions over plain values.

R14 (PRODUCT.md): every outcome figure can be cut by sex, age, ethnicity, housing status, recent
release from prison and caring responsibilities, with small numbers suppressed (see
``suppression``); issue 6 adds service, team and referral route.

Each cut has a label and an ordered tuple of categories so tables have stable rows: a category
with nobody in it is still a row (shown as 0), and rows never reorder between periods.
``category(cut, facts, on)`` places one person; ``on`` is the date the measure is about (the
referral date, the discharge date, the end of the period) because age and "recently released"
change with time.

Service and team are cuts whose categories come from data: the caller lists the services or
teams in the table (key = the service's or team's public id as text, label = its name), builds
the cut with ``data_cut(Cut.SERVICE, [(key, label), ...])``, and puts each person's key in
``PersonFacts.service`` / ``PersonFacts.team``. A key not listed, or blank, falls in "Not known".
Referral route is a fixed list (the referral's Route choices); the caller puts the route of the
referral being counted in ``PersonFacts.referral_route``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coexist.people.models import HOMELESS_STATUSES, EthnicCategory, HousingStatus, Sex
from coexist.referrals.models import Route

NOT_KNOWN = "not_known"
YES = "yes"
NO = "no"

RECENT_RELEASE_MONTHS = 12


class Cut(StrEnum):
    """A way to divide the people a measure counts (R14 and issue 6 point 2)."""

    SEX = "sex"
    AGE_BAND = "age_band"
    ETHNIC_GROUP = "ethnic_group"
    HOUSING_STATUS = "housing_status"
    HOUSING_SETTLED = "housing_settled"
    PRISON_RELEASE = "prison_release"
    CARING = "caring"
    REFERRAL_ROUTE = "referral_route"
    SERVICE = "service"
    TEAM = "team"


@dataclass(frozen=True)
class Category:
    """One row of a cut: a stable key (for URLs and CSV) and the label a clinician reads."""

    key: str
    label: str


@dataclass(frozen=True)
class CutDefinition:
    """A cut's label and its categories in display order."""

    cut: Cut
    label: str
    categories: tuple[Category, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.categories)

    def label_of(self, key: str) -> str:
        return next(c.label for c in self.categories if c.key == key)


@dataclass(frozen=True)
class PersonFacts:
    """What a cut needs to know about a person, copied from the record (no ORM here)."""

    sex: str = Sex.NOT_KNOWN
    date_of_birth: date | None = None
    ethnic_category: str = EthnicCategory.Z
    housing_status: str = HousingStatus.NOT_KNOWN
    released_from_prison_on: date | None = None
    has_caring_responsibilities: bool | None = None
    referral_route: str = ""
    service: str = ""
    team: str = ""


# NHS Data Dictionary ethnic category letters grouped into the 5 broad groups plus "not stated".
ETHNIC_GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("white", "White", frozenset("ABC")),
    ("mixed", "Mixed or multiple ethnic groups", frozenset("DEFG")),
    ("asian", "Asian or Asian British", frozenset("HJKL")),
    ("black", "Black or Black British", frozenset("MNP")),
    ("other", "Other ethnic group", frozenset("RS")),
    ("not_stated", "Not stated", frozenset("Z")),
)

# (key, label, lowest age in the band); each band runs to the next band's lowest age minus one.
AGE_BANDS: tuple[tuple[str, str, int], ...] = (
    ("under_18", "Under 18", 0),
    ("18_24", "18 to 24", 18),
    ("25_34", "25 to 34", 25),
    ("35_44", "35 to 44", 35),
    ("45_54", "45 to 54", 45),
    ("55_64", "55 to 64", 55),
    ("65_over", "65 and over", 65),
)

_NOT_KNOWN_CATEGORY = Category(NOT_KNOWN, "Not known")


def _choices(choices: Sequence[tuple[str, str]]) -> tuple[Category, ...]:
    return tuple(Category(str(key), str(label)) for key, label in choices)


CUTS: dict[Cut, CutDefinition] = {
    Cut.SEX: CutDefinition(Cut.SEX, "Sex", _choices(Sex.choices)),
    Cut.AGE_BAND: CutDefinition(
        Cut.AGE_BAND, "Age band", (*(Category(k, lab) for k, lab, _ in AGE_BANDS), _NOT_KNOWN_CATEGORY)
    ),
    Cut.ETHNIC_GROUP: CutDefinition(
        Cut.ETHNIC_GROUP, "Ethnic group", tuple(Category(k, lab) for k, lab, _ in ETHNIC_GROUPS)
    ),
    Cut.HOUSING_STATUS: CutDefinition(Cut.HOUSING_STATUS, "Housing status", _choices(HousingStatus.choices)),
    Cut.HOUSING_SETTLED: CutDefinition(
        Cut.HOUSING_SETTLED,
        "Settled or unsettled housing",
        (
            Category("settled", "Settled (including supported)"),
            Category("unsettled", "Unsettled (temporary, no fixed abode, rough sleeping)"),
            _NOT_KNOWN_CATEGORY,
        ),
    ),
    Cut.PRISON_RELEASE: CutDefinition(
        Cut.PRISON_RELEASE,
        "Released from prison in the last 12 months",
        (Category(YES, "Yes"), Category(NO, "No release recorded")),
    ),
    Cut.CARING: CutDefinition(
        Cut.CARING, "Caring responsibilities", (Category(YES, "Yes"), Category(NO, "No"), _NOT_KNOWN_CATEGORY)
    ),
    Cut.REFERRAL_ROUTE: CutDefinition(
        Cut.REFERRAL_ROUTE, "Referral route", (*_choices(Route.choices), _NOT_KNOWN_CATEGORY)
    ),
}

DATA_CUT_LABELS: dict[Cut, str] = {Cut.SERVICE: "Service", Cut.TEAM: "Team"}


def data_cut(cut: Cut, categories: Sequence[tuple[str, str]]) -> CutDefinition:
    """A service or team cut from the caller's (key, label) pairs, in the caller's order, plus "Not known"."""
    if cut not in DATA_CUT_LABELS:
        raise ValueError(f"{cut.value} has fixed categories; use cut_definition().")
    keys = [key for key, _ in categories]
    if len(set(keys)) != len(keys) or NOT_KNOWN in keys or "" in keys:
        raise ValueError("Category keys must be unique, not blank and not 'not_known'.")
    return CutDefinition(cut, DATA_CUT_LABELS[cut], (*_choices(categories), _NOT_KNOWN_CATEGORY))


def cut_definition(cut: Cut) -> CutDefinition:
    """The fixed categories of a cut (service and team need ``data_cut``)."""
    if cut in DATA_CUT_LABELS:
        raise ValueError(f"{cut.value} categories come from data; use data_cut().")
    return CUTS[cut]


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years on a date; the birthday counts on the day. Born 29 February: a year older on
    1 March in a year without one (as in English law)."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def age_band(date_of_birth: date | None, on: date) -> str:
    """The R14 age band on a date; not known without a date of birth or with one after ``on``."""
    if date_of_birth is None or date_of_birth > on:
        return NOT_KNOWN
    age = age_on(date_of_birth, on)
    return [key for key, _, lowest in AGE_BANDS if age >= lowest][-1]


def ethnic_group(ethnic_category: str) -> str:
    """The broad group of an NHS ethnic category letter; an unrecognised or blank letter is not stated."""
    return next((key for key, _, letters in ETHNIC_GROUPS if ethnic_category in letters), "not_stated")


def housing_settled(housing_status: str) -> str:
    """Settled (settled or supported), unsettled (the homeless statuses) or not known."""
    if housing_status in HOMELESS_STATUSES:
        return "unsettled"
    if housing_status in (HousingStatus.SETTLED, HousingStatus.SUPPORTED):
        return "settled"
    return NOT_KNOWN


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier; a day the earlier month lacks (29 to 31) becomes its last day."""
    year, month = divmod(day.month - 1 - months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def recently_released(released_on: date | None, on: date) -> str:
    """Released from prison in the 12 months up to ``on``, counting exactly 12 months before.

    The record holds only the latest release, so a release after ``on`` (or none recorded) is
    "no": the person had not been released by then, or no earlier release is known.
    """
    if released_on is None or released_on > on:
        return NO
    return YES if released_on >= _months_before(on, RECENT_RELEASE_MONTHS) else NO


def _known(value: str, definition: CutDefinition) -> str:
    return value if value in definition.keys else NOT_KNOWN


def category(cut: Cut, facts: PersonFacts, on: date, *, definition: CutDefinition | None = None) -> str:
    """The key of the category a person falls in for a cut, on the date the measure is about.

    ``definition`` is needed for service and team (from ``data_cut``); it is ignored otherwise.
    """
    match cut:
        case Cut.SEX:
            return _known(facts.sex, CUTS[cut])
        case Cut.AGE_BAND:
            return age_band(facts.date_of_birth, on)
        case Cut.ETHNIC_GROUP:
            return ethnic_group(facts.ethnic_category)
        case Cut.HOUSING_STATUS:
            return _known(facts.housing_status, CUTS[cut])
        case Cut.HOUSING_SETTLED:
            return housing_settled(facts.housing_status)
        case Cut.PRISON_RELEASE:
            return recently_released(facts.released_from_prison_on, on)
        case Cut.CARING:
            return (
                NOT_KNOWN
                if facts.has_caring_responsibilities is None
                else (YES if facts.has_caring_responsibilities else NO)
            )
        case Cut.REFERRAL_ROUTE:
            return _known(facts.referral_route, CUTS[cut])
        case Cut.SERVICE | Cut.TEAM:
            if definition is None or definition.cut is not cut:
                raise ValueError(f"The {cut.value} cut needs its categories from data_cut().")
            return _known(facts.service if cut is Cut.SERVICE else facts.team, definition)
    raise ValueError(f"Unknown cut {cut!r}")  # pragma: no cover
