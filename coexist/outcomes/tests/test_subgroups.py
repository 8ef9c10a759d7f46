"""R14 "for whom" cuts: every boundary and every code, worked by hand. No database."""

from __future__ import annotations

from datetime import date

import pytest

from coexist.outcomes.rules.subgroups import (
    CUTS,
    NOT_KNOWN,
    Cut,
    PersonFacts,
    age_band,
    age_on,
    category,
    cut_definition,
    data_cut,
    ethnic_group,
    housing_settled,
    recently_released,
)
from coexist.people.models import EthnicCategory, HousingStatus, Sex
from coexist.referrals.models import Route

ON = date(2025, 6, 15)


# --- age band ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(2007, 6, 16), "under_18"),  # 18 tomorrow
        (date(2007, 6, 15), "18_24"),  # 18 today: the birthday counts on the day
        (date(2000, 6, 16), "18_24"),  # 24, 25 tomorrow
        (date(2000, 6, 15), "25_34"),
        (date(1990, 6, 16), "25_34"),
        (date(1990, 6, 15), "35_44"),
        (date(1980, 6, 16), "35_44"),
        (date(1980, 6, 15), "45_54"),
        (date(1970, 6, 16), "45_54"),
        (date(1970, 6, 15), "55_64"),
        (date(1960, 6, 16), "55_64"),  # 64
        (date(1960, 6, 15), "65_over"),  # 65 today
        (date(1920, 1, 1), "65_over"),
        (date(2025, 6, 15), "under_18"),  # born today
    ],
)
def test_r14_age_band_boundaries(born: date, expected: str) -> None:
    assert age_band(born, ON) == expected


def test_r14_age_band_not_known_without_a_date_of_birth_or_with_one_in_the_future() -> None:
    assert age_band(None, ON) == NOT_KNOWN
    assert age_band(date(2025, 6, 16), ON) == NOT_KNOWN


def test_r14_born_on_leap_day_is_a_year_older_on_1_march_in_other_years() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_band(born, date(2026, 2, 28)) == "under_18"
    assert age_on(born, date(2026, 3, 1)) == 18
    assert age_band(born, date(2026, 3, 1)) == "18_24"
    # In a leap year the birthday is the day itself.
    assert age_on(date(2004, 2, 29), date(2028, 2, 28)) == 23
    assert age_on(date(2004, 2, 29), date(2028, 2, 29)) == 24


# --- ethnic group -----------------------------------------------------------------------------

EXPECTED_GROUP = {
    "A": "white",
    "B": "white",
    "C": "white",
    "D": "mixed",
    "E": "mixed",
    "F": "mixed",
    "G": "mixed",
    "H": "asian",
    "J": "asian",
    "K": "asian",
    "L": "asian",
    "M": "black",
    "N": "black",
    "P": "black",
    "R": "other",
    "S": "other",
    "Z": "not_stated",
}


@pytest.mark.parametrize(("letter", "group"), sorted(EXPECTED_GROUP.items()))
def test_r14_every_ethnic_category_letter_maps_to_its_broad_group(letter: str, group: str) -> None:
    assert ethnic_group(letter) == group
    assert category(Cut.ETHNIC_GROUP, PersonFacts(ethnic_category=letter), ON) == group


def test_r14_the_letters_mapped_are_exactly_the_record_s_ethnic_categories() -> None:
    assert set(EXPECTED_GROUP) == set(EthnicCategory.values)


@pytest.mark.parametrize("letter", ["", "a", "Q", "99", "AB"])
def test_r14_unrecognised_ethnic_letter_counts_as_not_stated(letter: str) -> None:
    assert ethnic_group(letter) == "not_stated"


# --- housing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "settled"),
    [
        (HousingStatus.SETTLED, "settled"),
        (HousingStatus.SUPPORTED, "settled"),
        (HousingStatus.TEMPORARY, "unsettled"),
        (HousingStatus.NO_FIXED_ABODE, "unsettled"),
        (HousingStatus.ROUGH_SLEEPING, "unsettled"),
        (HousingStatus.NOT_KNOWN, NOT_KNOWN),
        ("", NOT_KNOWN),
    ],
)
def test_r14_housing_status_and_settled_grouping(status: str, settled: str) -> None:
    facts = PersonFacts(housing_status=status)
    assert housing_settled(status) == settled
    assert category(Cut.HOUSING_SETTLED, facts, ON) == settled
    assert category(Cut.HOUSING_STATUS, facts, ON) == (status or NOT_KNOWN)


# --- prison release ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("released", "on", "expected"),
    [
        (date(2024, 6, 15), ON, "yes"),  # exactly 12 months before counts
        (date(2024, 6, 14), ON, "no"),  # a day more than 12 months
        (ON, ON, "yes"),  # released that day
        (date(2025, 6, 16), ON, "no"),  # not yet released on the date
        (None, ON, "no"),
        (date(2024, 2, 29), date(2025, 2, 28), "yes"),
        (date(2024, 2, 29), date(2025, 3, 1), "no"),
        (date(2023, 2, 28), date(2024, 2, 29), "yes"),  # 12 months before 29 February is 28 February
        (date(2023, 2, 27), date(2024, 2, 29), "no"),
        (date(2024, 12, 31), date(2025, 12, 31), "yes"),  # across a year end
        (date(2024, 3, 31), date(2025, 3, 31), "yes"),
        (date(2024, 3, 30), date(2025, 3, 31), "no"),
    ],
)
def test_r14_recent_prison_release_is_within_12_months_inclusive(
    released: date | None, on: date, expected: str
) -> None:
    assert recently_released(released, on) == expected
    assert category(Cut.PRISON_RELEASE, PersonFacts(released_from_prison_on=released), on) == expected


# --- sex, caring, referral route --------------------------------------------------------------


@pytest.mark.parametrize("sex", Sex.values)
def test_r14_sex_keeps_the_record_s_categories(sex: str) -> None:
    assert category(Cut.SEX, PersonFacts(sex=sex), ON) == sex


def test_r14_unrecognised_sex_is_not_known() -> None:
    assert category(Cut.SEX, PersonFacts(sex=""), ON) == NOT_KNOWN


@pytest.mark.parametrize(("caring", "expected"), [(True, "yes"), (False, "no"), (None, NOT_KNOWN)])
def test_r14_caring_responsibilities(caring: bool | None, expected: str) -> None:
    assert category(Cut.CARING, PersonFacts(has_caring_responsibilities=caring), ON) == expected


@pytest.mark.parametrize("route", Route.values)
def test_r14_referral_route_keeps_the_referral_s_routes(route: str) -> None:
    assert category(Cut.REFERRAL_ROUTE, PersonFacts(referral_route=route), ON) == route


def test_r14_missing_referral_route_is_not_known() -> None:
    assert category(Cut.REFERRAL_ROUTE, PersonFacts(), ON) == NOT_KNOWN


# --- service and team from data ---------------------------------------------------------------


def test_r14_service_cut_takes_its_categories_from_the_caller() -> None:
    services = data_cut(Cut.SERVICE, [("svc-north", "North community team"), ("svc-pathways", "Pathways")])
    assert services.keys == ("svc-north", "svc-pathways", NOT_KNOWN)
    assert services.label_of("svc-pathways") == "Pathways"
    assert category(Cut.SERVICE, PersonFacts(service="svc-pathways"), ON, definition=services) == "svc-pathways"
    assert category(Cut.SERVICE, PersonFacts(service="svc-gone"), ON, definition=services) == NOT_KNOWN
    assert category(Cut.SERVICE, PersonFacts(), ON, definition=services) == NOT_KNOWN


def test_r14_team_cut_reads_the_team() -> None:
    teams = data_cut(Cut.TEAM, [("t1", "Willow ward")])
    assert category(Cut.TEAM, PersonFacts(team="t1", service="s1"), ON, definition=teams) == "t1"


def test_r14_data_cuts_refuse_to_work_without_their_categories() -> None:
    with pytest.raises(ValueError, match="data_cut"):
        category(Cut.SERVICE, PersonFacts(service="x"), ON)
    with pytest.raises(ValueError, match="data_cut"):
        category(Cut.TEAM, PersonFacts(team="x"), ON, definition=data_cut(Cut.SERVICE, [("x", "X")]))
    with pytest.raises(ValueError, match="data_cut"):
        cut_definition(Cut.SERVICE)
    with pytest.raises(ValueError, match="fixed"):
        data_cut(Cut.SEX, [("x", "X")])


@pytest.mark.parametrize("categories", [[("a", "A"), ("a", "B")], [("", "Blank")], [(NOT_KNOWN, "Clash")]])
def test_r14_data_cut_keys_must_be_unique_and_not_clash(categories: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError, match="unique"):
        data_cut(Cut.TEAM, categories)


# --- the registry -----------------------------------------------------------------------------


def test_r14_every_fixed_cut_has_a_label_and_ordered_unique_categories() -> None:
    assert set(CUTS) == set(Cut) - {Cut.SERVICE, Cut.TEAM}
    for cut, definition in CUTS.items():
        assert cut_definition(cut) is definition
        assert definition.cut is cut
        assert definition.label
        assert len(set(definition.keys)) == len(definition.keys)
    assert cut_definition(Cut.AGE_BAND).keys == (
        "under_18",
        "18_24",
        "25_34",
        "35_44",
        "45_54",
        "55_64",
        "65_over",
        NOT_KNOWN,
    )
    assert cut_definition(Cut.ETHNIC_GROUP).keys == ("white", "mixed", "asian", "black", "other", "not_stated")


def test_r14_every_person_lands_in_a_listed_category() -> None:
    odd = PersonFacts(sex="x", ethnic_category="?", housing_status="castle", referral_route="pigeon")
    typical = PersonFacts(
        sex=Sex.FEMALE,
        date_of_birth=date(1990, 1, 1),
        ethnic_category="N",
        housing_status=HousingStatus.TEMPORARY,
        released_from_prison_on=date(2025, 1, 1),
        has_caring_responsibilities=True,
        referral_route=Route.WARD,
    )
    for facts in (PersonFacts(), odd, typical):
        for cut, definition in CUTS.items():
            assert category(cut, facts, ON) in definition.keys
