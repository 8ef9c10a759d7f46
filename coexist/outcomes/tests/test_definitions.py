"""Every measure issue 6 point 1 lists is defined once, in words, with a reader of the record."""

from __future__ import annotations

from coexist.outcomes import observations
from coexist.outcomes.definitions import MEASURES, SCORE_KEYS, SNAPSHOT_MEASURES
from coexist.outcomes.rules.measures import Kind
from coexist.outcomes.rules.spc import Polarity

ISSUE_6_POINT_1 = {
    "referrals_by_route", "uptake", "days_to_assessment", "engagement_12_weeks", "retention_12_weeks",
    "unplanned_endings", "loss_of_contact", "qs188_1", "qs188_2", "qs188_3", "qs188_4", "case_reviews_on_time",
    "discharge_ost_continuity", "discharge_naloxone", "discharge_follow_up_72h", "days_to_first_community_dose",
    "reengagement_7_days", "top_change", "dialog_change",
}  # fmt: skip


def test_every_measure_of_issue_6_point_1_is_defined_once_with_a_reader() -> None:
    assert set(MEASURES) == ISSUE_6_POINT_1
    assert set(observations.READERS) == set(MEASURES)
    assert all(key == m.key for key, m in MEASURES.items())


def test_every_measure_says_in_words_what_it_counts_over_what_and_when() -> None:
    for m in MEASURES.values():
        for words in (m.title, m.numerator, m.denominator, m.period, m.source):
            assert words.strip() and words.strip()[-1] not in ",;:", (m.key, words)


def test_units_and_kinds_agree() -> None:
    for m in MEASURES.values():
        expected = {Kind.PROPORTION: "%", Kind.MEDIAN: "days", Kind.MEAN: "points", Kind.COUNT: "referrals"}
        assert m.unit == expected[m.kind], m.key


def test_qs188_polarity_statement_2_is_lower_is_better_and_others_higher() -> None:
    assert MEASURES["qs188_2"].polarity == Polarity.LOWER_IS_BETTER
    for key in ("qs188_1", "qs188_3", "qs188_4"):
        assert MEASURES[key].polarity == Polarity.HIGHER_IS_BETTER


def test_snapshot_measures_and_score_keys_name_defined_measures() -> None:
    assert set(MEASURES) >= SNAPSHOT_MEASURES
    assert set(SCORE_KEYS) == {"top_change", "dialog_change"}
