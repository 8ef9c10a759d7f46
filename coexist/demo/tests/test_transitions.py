"""The demo's transitions (issue 5) read true through the real checklist and figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.demo.generate import generate
from coexist.handover.models import Contract
from coexist.inpatient.models import Admission
from coexist.transitions.models import Transition, TransitionStatus
from coexist.transitions.selectors import checklist_for, discharge_figures_for


@pytest.mark.django_db
def test_r9_the_discharge_under_way_waits_only_for_the_prescriber() -> None:
    generate(people=120, seed=2026)
    under_way = Transition.objects.get(status=TransitionStatus.PLANNING)
    open_items = [item.key for item in checklist_for(under_way) if item.applies and not item.met]
    assert open_items == ["prescribing_handover"]
    assert Admission.objects.current().count() == 3


@pytest.mark.django_db
def test_r9_the_ward_lead_sees_discharge_figures_with_a_gap_to_act_on() -> None:
    generate(people=120, seed=2026)
    today = timezone.localdate()
    page = discharge_figures_for(
        viewer=User.objects.get(username="wardlead"), start=today - timedelta(days=365), end=today,
        channel=Channel.PAGE,
    )  # fmt: skip
    figures = page.figures
    assert figures.discharges == 9
    # One person on methadone left before the prescriber answered (overridden), so continuity is not complete.
    assert 0 < figures.with_continuity < figures.on_opiate_substitution
    assert figures.followed_up_72h == figures.discharges - 1
    assert figures.dose_days and max(figures.dose_days) == 2
    assert len(page.overrides) == 1
    assert Contract.objects.filter(successor__isnull=False).count() == 1
