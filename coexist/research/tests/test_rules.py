"""De-identification rules for researcher extracts (issue 6 point 7): pure, no database."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import date

import pytest

from coexist.outcomes.rules.subgroups import Cut, PersonFacts
from coexist.research.rules import (
    NOT_SHOWN,
    OTHER_OR_NOT_STATED,
    DateHandling,
    EpisodeSource,
    ExtractKind,
    ExtractOptions,
    QuasiIdentifiers,
    class_sizes,
    coded_finish_reason,
    counts_extract,
    date_offset_days,
    episodes_extract,
    export_date,
    five_year_band,
    k_anonymise,
    pseudonym,
    to_csv,
    widen_age,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))
ID = "0b6f3c1e-8f0a-4d2e-9a57-3c1b2d4e5f60"


def test_pseudonym_is_stable_within_a_project_and_differs_across_projects() -> None:
    assert pseudonym(KEY_A, ID) == pseudonym(KEY_A, ID)
    assert pseudonym(KEY_A, ID) != pseudonym(KEY_B, ID)
    assert len(pseudonym(KEY_A, ID)) == 16
    assert ID not in pseudonym(KEY_A, ID)
    # A team pseudonym never equals the person pseudonym of the same id (purpose-separated).
    assert pseudonym(KEY_A, ID, purpose="team") != pseudonym(KEY_A, ID)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        pseudonym(b"short", ID)


def test_date_shift_is_the_same_for_all_of_a_persons_dates_and_within_180_days() -> None:
    offsets = {date_offset_days(secrets.token_bytes(32), ID) for _ in range(200)}
    assert all(-180 <= o <= 180 for o in offsets) and len(offsets) > 50
    offset = date_offset_days(KEY_A, ID)
    opened = export_date(date(2025, 3, 1), DateHandling.SHIFT, offset)
    finished = export_date(date(2025, 5, 10), DateHandling.SHIFT, offset)
    assert (date.fromisoformat(finished) - date.fromisoformat(opened)).days == 70


def test_dates_are_coarsened_to_the_month_by_default() -> None:
    assert ExtractOptions().dates is DateHandling.MONTH
    assert export_date(date(2025, 3, 17), DateHandling.MONTH, 99) == "2025-03"
    assert export_date(None, DateHandling.MONTH, 0) == ""


@pytest.mark.parametrize(
    ("born", "on", "band", "wider"),
    [
        (date(2010, 1, 1), date(2025, 1, 1), "under_18", "under_18"),
        (date(2003, 6, 1), date(2025, 6, 1), "18_24", "18_24"),
        (date(1998, 6, 2), date(2025, 6, 1), "25_29", "25_34"),
        (date(1993, 6, 1), date(2025, 6, 1), "30_34", "25_34"),
        (date(1985, 3, 14), date(2025, 6, 1), "40_44", "35_44"),
        (date(1960, 1, 1), date(2025, 6, 1), "65_69", "65_over"),
        (date(1940, 1, 1), date(2025, 6, 1), "75_over", "65_over"),
    ],
)
def test_age_is_a_five_year_band_at_the_event_that_widens_to_the_r14_band(
    born: date, on: date, band: str, wider: str
) -> None:
    assert five_year_band(born, on) == band
    assert widen_age(band) == wider


def test_a_year_of_birth_widens_to_a_five_year_span() -> None:
    assert widen_age("1987") == "1985_1989"


def test_free_text_finish_reasons_are_never_exported() -> None:
    assert coded_finish_reason(date(2025, 1, 1), "goals_met") == "goals_met"
    assert coded_finish_reason(date(2025, 1, 1), "Told us about his brother") == "other"
    assert coded_finish_reason(None, "goals_met") == ""


def _qi(age: str = "40_44", sex: str = "female", eth: str = "white") -> QuasiIdentifiers:
    return QuasiIdentifiers(age=age, sex=sex, ethnic_group=eth)


def test_k_anonymity_leaves_large_classes_alone() -> None:
    rows = [(f"p{i}", _qi()) for i in range(5)]
    assert k_anonymise(rows, k=5) == [_qi()] * 5


def test_k_anonymity_generalises_ethnic_group_first_for_small_classes() -> None:
    # Five white women 40-44, three Asian women 40-44, two Black women 40-44: the small groups merge as
    # "other or not stated" (5 people), the white group keeps its detail.
    rows = [(f"w{i}", _qi()) for i in range(5)]
    rows += [(f"a{i}", _qi(eth="asian")) for i in range(3)] + [(f"b{i}", _qi(eth="black")) for i in range(2)]
    out = k_anonymise(rows, k=5)
    assert out[:5] == [_qi()] * 5
    assert out[5:] == [_qi(eth=OTHER_OR_NOT_STATED)] * 5


def test_k_anonymity_widens_age_then_hides_it_then_drops() -> None:
    rows = [(f"a{i}", _qi(age="25_29", eth="asian")) for i in range(3)]
    rows += [(f"b{i}", _qi(age="30_34", eth="black")) for i in range(2)]
    rows += [("lone", _qi(sex="male"))]
    out = k_anonymise(rows, k=5)
    assert out[:5] == [_qi(age="25_34", eth=OTHER_OR_NOT_STATED)] * 5
    assert out[5] is None  # one man: no generalisation of age or ethnic group makes a group of 5


def test_k_anonymity_counts_people_not_rows() -> None:
    # One person with five episodes is a class of one, not five.
    rows = [("same", _qi()) for _ in range(5)]
    assert k_anonymise(rows, k=5) == [None] * 5


def test_age_not_shown_is_the_last_step_before_dropping() -> None:
    rows = [(f"p{i}", _qi(age=a)) for i, a in enumerate(["18_24", "40_44", "55_59", "65_69", "75_over"])]
    assert k_anonymise(rows, k=5) == [_qi(age=NOT_SHOWN, eth=OTHER_OR_NOT_STATED)] * 5


def _source(i: int, *, person: str | None = None, eth: str = "A", reason: str = "") -> EpisodeSource:
    return EpisodeSource(
        person_public_id=person or f"00000000-0000-4000-8000-{i:012d}",
        team_public_id="11111111-0000-4000-8000-000000000000",
        service_kind="cmht",
        opened_on=date(2025, 3, 3),
        finished_on=date(2025, 6, 1) if reason else None,
        finish_reason=reason,
        facts=PersonFacts(sex="female", date_of_birth=date(1985, 3, 14), ethnic_category=eth, referral_route="gp"),
        attended=3,
        missed=1,
        top_first=12.0,
        top_latest=15.5,
    )


def test_episode_extract_output_is_k_anonymous_and_has_only_allow_listed_columns() -> None:
    sources = [_source(i) for i in range(6)] + [_source(6, eth="H", reason="Moved in with Zebedee")]
    sources += [_source(7 + n, eth=eth) for n, eth in enumerate("MMRZ")]
    sources += [_source(20, eth="H", person="lone man")]
    sources[-1] = EpisodeSource(**{**sources[-1].__dict__, "facts": PersonFacts(sex="male")})
    table = episodes_extract(sources, key=KEY_A, options=ExtractOptions())
    reader = list(csv.DictReader(io.StringIO(to_csv(table).decode())))
    assert len(reader) == 11 and table.dropped == 1
    assert pseudonym(KEY_A, "lone man") not in to_csv(table).decode()
    sizes = class_sizes(
        [(r["person_pseudonym"], _qi(r["age_band_at_opening"], r["sex"], r["ethnic_group"])) for r in reader]
    )
    assert min(sizes.values()) >= 5
    assert {r["ethnic_group"] for r in reader} == {"white", OTHER_OR_NOT_STATED}
    assert "Zebedee" not in to_csv(table).decode()
    assert {r["finish_reason"] for r in reader} == {"", "other"}
    assert reader[0]["opened"] == "2025-03" and reader[0]["top_quality_of_life_latest"] == "15.5"


def test_counts_extract_suppresses_small_cells_including_through_the_total() -> None:
    people = [PersonFacts(sex="female")] * 7 + [PersonFacts(sex="male")] * 2
    table = counts_extract(people, on=date(2025, 6, 1), options=ExtractOptions(kind=ExtractKind.COUNTS, cut=Cut.SEX))
    counts = {row[0]: row[2] for row in table.rows}
    assert counts["male"] == "[c]"
    # 7 + 2 = 9: showing 7 and the total would give the 2 away, so one more is hidden.
    assert "[c]" in (counts["female"], counts["total"])
