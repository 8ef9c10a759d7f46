"""R13: risk flags carry a review date; review and end them; who may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.assessments.models import RiskFlag, RiskKind
from coexist.assessments.services import risk_flag_end, risk_flag_raise, risk_flag_review
from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast
from coexist.testing.factories import RiskFlagFactory

TODAY = timezone.localdate


def _raise(cast: Cast, **kwargs: object) -> RiskFlag:
    defaults: dict[str, object] = {
        "person": cast.ann, "kind": RiskKind.OVERDOSE, "source": "tests", "review_on": TODAY() + timedelta(days=7),
        "by": cast.coordinator, "channel": Channel.PAGE,
    }  # fmt: skip
    defaults.update(kwargs)
    return risk_flag_raise(**defaults)  # type: ignore[arg-type]


def test_r13_flag_needs_review_date(cast: Cast) -> None:
    with pytest.raises(ValidationError) as raised:
        _raise(cast, review_on=TODAY() - timedelta(days=1))
    assert "review_on" in raised.value.message_dict
    assert not RiskFlag.objects.exists()
    assert _raise(cast, review_on=TODAY()).review_on == TODAY()


def test_r13_expired_flag_is_review_overdue(cast: Cast) -> None:
    flag = RiskFlagFactory(person=cast.ann, raised_by=cast.coordinator, review_on=TODAY() - timedelta(days=1))
    assert list(RiskFlag.objects.review_overdue()) == [flag]
    assert flag.is_review_overdue
    assert list(RiskFlag.objects.current()) == [flag]  # overdue is still current: it needs review, not forgetting


def test_r13_review_sets_a_new_date_and_records_the_review(cast: Cast) -> None:
    flag = RiskFlagFactory(person=cast.ann, raised_by=cast.coordinator, review_on=TODAY() - timedelta(days=3))
    reviewed = risk_flag_review(
        flag=flag, review_on=TODAY() + timedelta(days=28), note="Still using alone", by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert reviewed.reviewed_at is not None and not reviewed.is_review_overdue
    review = reviewed.reviews.get()
    assert (review.previous_review_on, review.note) == (TODAY() - timedelta(days=3), "Still using alone")
    assert not RiskFlag.objects.review_overdue().exists()


def test_r13_review_needs_a_note_and_a_future_date(cast: Cast) -> None:
    flag = _raise(cast)
    with pytest.raises(ValidationError) as raised:
        risk_flag_review(
            flag=flag, review_on=TODAY() - timedelta(days=1), note="", by=cast.coordinator, channel=Channel.PAGE
        )
    assert set(raised.value.message_dict) == {"review_on", "note"}


def test_r13_ending_a_flag_takes_it_off_current_with_the_reason(cast: Cast) -> None:
    flag = _raise(cast)
    ended = risk_flag_end(flag=flag, reason="Moved to residential rehab", by=cast.coordinator, channel=Channel.PAGE)
    assert ended.ended_on == TODAY() and ended.ended_by == cast.coordinator
    assert not RiskFlag.objects.current().exists()
    with pytest.raises(ValidationError):
        risk_flag_end(flag=ended, reason="again", by=cast.coordinator, channel=Channel.PAGE)
    with pytest.raises(ValidationError):
        risk_flag_review(flag=ended, review_on=TODAY(), note="x", by=cast.coordinator, channel=Channel.PAGE)


def test_r13_ending_needs_a_reason(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        risk_flag_end(flag=_raise(cast), reason=" ", by=cast.coordinator, channel=Channel.PAGE)


def test_r13_da_worker_without_relationship_cannot_raise_a_flag_on_ann_and_it_is_logged(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        _raise(cast, by=cast.da_worker)
    assert AccessLogEntry.objects.filter(
        actor_username="da_worker", outcome="refused", detail="raise risk flag"
    ).exists()


def test_r13_consent_never_allows_changing_flags(cast: Cast) -> None:
    flag = RiskFlagFactory(person=cast.ben, raised_by=cast.coordinator)
    with pytest.raises(AccessRefused):
        risk_flag_end(flag=flag, reason="not mine to end", by=cast.da_worker, channel=Channel.API)
