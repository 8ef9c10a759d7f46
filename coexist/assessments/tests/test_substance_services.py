"""Substance rows on a joint assessment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.assessments.models import SubstanceUse
from coexist.assessments.services import substance_add, substance_remove
from coexist.audit.models import AccessLogEntry, Channel
from coexist.testing.cast import Cast

from .helpers import start


def test_a_substance_row_is_recorded_and_logged(cast: Cast) -> None:
    assessment = start(cast.ann, cast.da_worker_in_team)
    row = substance_add(
        assessment=assessment,
        by=cast.da_worker_in_team,
        channel=Channel.PAGE,
        substance="opioids",
        route="injected",
        frequency="daily",
        injecting=True,
        last_used_on=timezone.localdate(),
    )
    assert row.name == "Opioids or heroin"
    entry = AccessLogEntry.objects.get(detail__startswith="added substance")
    assert entry.parts == ["substance_use"]


def test_injected_route_without_injecting_is_refused(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    with pytest.raises(ValidationError) as raised:
        substance_add(
            assessment=assessment, by=cast.coordinator, channel=Channel.PAGE,
            substance="crack", route="injected", frequency="weekly", injecting=False,
            last_used_on=timezone.localdate() + timedelta(days=1),
        )  # fmt: skip
    assert set(raised.value.message_dict) == {"injecting", "last_used_on"}


def test_a_row_can_be_removed_while_in_progress(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    row = substance_add(
        assessment=assessment, by=cast.coordinator, channel=Channel.PAGE,
        substance="other", substance_other="Ketamine", route="snorted", frequency="less_than_weekly", injecting=False,
    )  # fmt: skip
    assert row.name == "Ketamine"
    substance_remove(substance_use=row, by=cast.coordinator, channel=Channel.PAGE)
    assert not SubstanceUse.objects.exists()
