"""Issue 6 "Done when": a CMO configuration on generated data shows a difference the generator was told to
plant, and shows none where none was planted. The data go through the other apps' models and the real
`coexist.outcomes.observations.observations`; nothing of ours is mocked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coexist.evaluation.models import ProgrammeTheory
from coexist.evaluation.planted import Planted, plant_ward_discharges
from coexist.evaluation.rules import VerdictKind
from coexist.evaluation.selectors import theory_result
from coexist.evaluation.services import theory_create
from coexist.testing.cast import Cast

pytestmark = pytest.mark.django_db

UNSETTLED = [["housing_settled", "unsettled"]]


def _plant(cast: Cast, **kwargs: object) -> Planted:
    return plant_ward_discharges(
        ward_team=cast.ward_team, community=cast.cmht, drug_alcohol=cast.pathways_service, by=cast.ward_nurse,
        first_day=timezone.localdate() - timedelta(days=90), days=60, **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def _theory(cast: Cast, measure_key: str, *, expects: str = "lower", service: object = None) -> ProgrammeTheory:
    return theory_create(
        title="Unsettled housing and follow-up after a ward",
        context="People leaving a ward with nowhere settled to live.",
        mechanism="Without an address, the community team cannot arrange to meet them, and trust is not built.",
        outcome="Fewer are seen by the community team after leaving the ward.",
        measure_key=measure_key, context_filter=UNSETTLED, expects=expects, service=service,  # type: ignore[arg-type]
        status="published", by=cast.team_leader,
    )  # fmt: skip


def _period() -> dict[str, object]:
    today = timezone.localdate()
    return {"start": today - timedelta(days=100), "end": today}


def test_planted_difference_in_72_hour_follow_up_is_found(cast: Cast) -> None:
    # Planted: 40 of 100 with unsettled housing followed up within 72 hours, against 80 of 100 others.
    planted = _plant(cast, in_context=100, others=100, follow_up_in_context=0.4, follow_up_others=0.8)
    assert (planted.followed_up_in_context, planted.followed_up_others) == (40, 80)
    result = theory_result(_theory(cast, "discharge_follow_up_72h"), **_period())  # type: ignore[arg-type]
    assert result.verdict is not None and result.verdict.difference is not None
    difference = result.verdict.difference
    assert result.verdict.kind == VerdictKind.CONSISTENT
    assert difference.interval.upper < 0  # the interval excludes no difference
    assert difference.interval.contains(planted.follow_up_difference)  # and contains the planted -0.40
    assert difference.estimate == pytest.approx(-0.40)
    assert "40% (95% CI 31% to 50%, 40 of 100) against 80% (95% CI 71% to 87%, 80 of 100)" in result.verdict.text
    assert "they do not show that the mechanism caused it" in result.verdict.text
    assert result.rows == [
        ("In this context", "40", "100", "40%", "31% to 50%"),
        ("Everyone else", "80", "100", "80%", "71% to 87%"),
    ]


def test_no_difference_is_found_where_none_was_planted(cast: Cast) -> None:
    # Planted: re-engagement with drug and alcohol services within 7 days at 50% in both groups.
    planted = _plant(cast, in_context=100, others=100, reengagement=0.5)
    assert (planted.reengaged_in_context, planted.reengaged_others) == (50, 50)
    result = theory_result(_theory(cast, "reengagement_7_days"), **_period())  # type: ignore[arg-type]
    assert result.verdict is not None and result.verdict.difference is not None
    assert result.verdict.kind == VerdictKind.NO_CLEAR_DIFFERENCE
    assert result.verdict.difference.interval.contains(0.0)
    assert "No clear difference" in result.verdict.text


def test_a_smaller_planted_difference_on_a_service_bound_theory(cast: Cast) -> None:
    # 30 of 60 against 48 of 60: a difference of -30 points; bound to the ward it was planted on.
    _plant(cast, in_context=60, others=60, follow_up_in_context=0.5, follow_up_others=0.8)
    result = theory_result(_theory(cast, "discharge_follow_up_72h", service=cast.ward), **_period())  # type: ignore[arg-type]
    assert result.verdict is not None and result.verdict.difference is not None
    assert result.verdict.kind == VerdictKind.CONSISTENT
    assert result.verdict.difference.interval.contains(-0.30)
    assert result.verdict.difference.interval.upper < 0
    # Bound to another service, the same data hold no discharge at all: too few to say.
    other = theory_result(_theory(cast, "discharge_follow_up_72h", service=cast.cmht), **_period())  # type: ignore[arg-type]
    assert other.verdict is not None and other.verdict.kind == VerdictKind.TOO_FEW


def test_theory_expecting_the_other_direction_is_not_borne_out(cast: Cast) -> None:
    _plant(cast, in_context=100, others=100, follow_up_in_context=0.4, follow_up_others=0.8)
    result = theory_result(_theory(cast, "discharge_follow_up_72h", expects="higher"), **_period())  # type: ignore[arg-type]
    assert result.verdict is not None and result.verdict.kind == VerdictKind.OPPOSITE


def test_too_few_people_in_the_context_say_so_and_hide_nothing_wrongly(cast: Cast) -> None:
    # 10 unsettled (4 followed up) against 100 others: under 20 in the context.
    _plant(cast, in_context=10, others=100, follow_up_in_context=0.4, follow_up_others=0.8)
    result = theory_result(_theory(cast, "discharge_follow_up_72h"), **_period())  # type: ignore[arg-type]
    assert result.verdict is not None and result.verdict.kind == VerdictKind.TOO_FEW
    assert result.difference == ""
    assert result.rows[0][1] == "[c]"  # 4 followed up: under the threshold of 5, hidden
    assert "4" not in result.verdict.text
