"""R10 provider handover pages: an administrator prepares a dry run, runs it and reads the reconciliation;
no page shows a person's name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.care.models import EpisodeOfCare
from coexist.handover.models import HandoverStatus, ProviderHandover
from coexist.testing.cast import Cast

from .helpers import Setting, handover_setting

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(cast: Cast) -> Setting:
    return handover_setting(cast)


def _no_names(html: str, cast: Cast) -> None:
    for person in cast.people().values():
        assert person.family_name not in html


def test_r10_administrator_prepares_runs_and_reads_the_reconciliation(
    cast: Cast, setting: Setting, client_for: Callable[[User], Client]
) -> None:
    client = client_for(cast.admin)
    page = client.get(reverse("handover:contracts"))
    assert "Ends in 10 days" in page.content.decode()
    assert "Horizons 2026-2029" in page.content.decode()

    prepare = reverse("handover:prepare", args=[setting.old_contract.public_id])
    form = client.get(prepare)
    assert form.status_code == 200
    assert cast.da_worker_in_team.display_name in form.content.decode()
    response = client.post(
        prepare,
        {
            f"team_{cast.pathways_team.public_id}": str(setting.new_team.public_id),
            "transferring": [str(cast.da_worker_in_team.public_id)],
        },
    )
    dry = ProviderHandover.objects.get(status=HandoverStatus.DRY_RUN)
    assert response.url == reverse("handover:dry_run", args=[dry.public_id])
    html = client.get(response.url).content.decode()
    assert "Dry run: what will move" in html
    assert "Open episodes of care" in html
    _no_names(html, cast)
    assert EpisodeOfCare.objects.get(pk=setting.ann_episode.pk).service == cast.pathways_service

    unconfirmed = client.post(reverse("handover:run", args=[dry.public_id]))
    assert unconfirmed.url == reverse("handover:dry_run", args=[dry.public_id])
    assert not ProviderHandover.objects.filter(status=HandoverStatus.COMPLETED).exists()

    ran = client.post(reverse("handover:run", args=[dry.public_id]), {"confirm": "yes"})
    done = ProviderHandover.objects.get(status=HandoverStatus.COMPLETED)
    assert ran.url == reverse("handover:report", args=[done.public_id])
    report = client.get(ran.url).content.decode()
    assert "Reconciled: all counts equal" in report
    assert "Rebooking list" in report
    _no_names(report, cast)
    assert EpisodeOfCare.objects.get(pk=setting.ann_episode.pk).service == setting.new_service


def test_r10_prepare_shows_errors_by_field(cast: Cast, setting: Setting, client_for: Callable[[User], Client]) -> None:
    client = client_for(cast.admin)
    prepare = reverse("handover:prepare", args=[setting.old_contract.public_id])
    response = client.post(
        prepare, {f"team_{cast.pathways_team.public_id}": "not-a-team", "transferring": ["\x00" * 10]}
    )
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()
    assert not ProviderHandover.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "da_worker_in_team", "team_leader"])
def test_r10_clinical_staff_cannot_open_handover_pages(
    cast: Cast, setting: Setting, who: str, client_for: Callable[[User], Client]
) -> None:
    client = client_for(getattr(cast, who))
    assert client.get(reverse("handover:contracts")).status_code == 403
    assert client.get(reverse("handover:prepare", args=[setting.old_contract.public_id])).status_code == 403
