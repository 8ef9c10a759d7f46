"""R9 pages: the person's medicines page shows the figure, the history and the handovers; forms show the
services' refusals by field (400) and save nothing; the receiving prescriber answers from the waiting list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.medicines.models import DoseGiven, HandoverStatus, OpiateSubstitution, PrescribingHandover
from coexist.medicines.tests.world import NOW, TODAY, TOMORROW, give, request, start
from coexist.testing.cast import Cast

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.usefixtures("clock")


def _date(prefix: str, day) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def test_r9_medicines_page_shows_the_figure_history_and_last_dose(cast: Cast, client_for: ClientFor) -> None:
    treatment = start(cast)
    give(cast)
    request(cast, treatment)
    page = client_for(cast.coordinator).get(reverse("medicines:person", args=[cast.cat.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "60 mg a day, supervised, at Boots, High Street" in html
    assert "Dose history" in html and "Willow ward" in html and "Requested" in html


def test_r9_start_page_refuses_a_dose_outside_the_range_by_field(cast: Cast, client_for: ClientFor) -> None:
    client = client_for(cast.coordinator)
    url = reverse("medicines:start", args=[cast.cat.public_id])
    assert client.get(url).status_code == 200
    body = {
        "drug": "methadone", "prescribing_service": str(cast.cmht.public_id), "prescriber_name": "Dr Shah",
        "daily_dose_mg": "600", "supervised": "yes", "pharmacy": "Boots", **_date("started_on", TODAY),
    }  # fmt: skip
    response = client.post(url, body)
    assert response.status_code == 400
    assert "between 1 and 300 mg a day" in response.content.decode()
    assert not OpiateSubstitution.objects.exists()
    response = client.post(url, {**body, "daily_dose_mg": "60"})
    assert response.status_code == 302 and OpiateSubstitution.objects.count() == 1


def test_r9_dose_given_page_refuses_a_future_time(cast: Cast, client_for: ClientFor) -> None:
    start(cast)
    client = client_for(cast.coordinator)
    url = reverse("medicines:dose_given", args=[cast.cat.public_id])
    body = {**_date("given_at", TODAY), "time": "23:00", "dose_mg": "60", "where": "Willow ward"}
    response = client.post(url, body)
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    assert client.post(url, {**body, "time": "08:30"}).status_code == 302
    assert DoseGiven.objects.count() == 1


def test_r9_dose_given_page_offers_the_current_dose_as_written(cast: Cast, client_for: ClientFor) -> None:
    """60, not 6E+1: a normalised Decimal prints in scientific notation, which a nurse would have to retype."""
    start(cast)
    html = client_for(cast.coordinator).get(reverse("medicines:dose_given", args=[cast.cat.public_id])).content.decode()
    assert 'value="60"' in html and "6E+1" not in html


def test_r9_handover_request_page_refuses_a_missed_day(cast: Cast, client_for: ClientFor) -> None:
    start(cast)
    give(cast)
    client = client_for(cast.coordinator)
    url = reverse("medicines:handover_request", args=[cast.cat.public_id])
    assert client.get(url).status_code == 200
    body = {
        "to_service": str(cast.pathways_service.public_id),
        **_date("first_community_dose_on", TOMORROW + timedelta(days=1)),
    }
    response = client.post(url, body)
    assert response.status_code == 400 and "A day would be missed" in response.content.decode()
    body.update(_date("first_community_dose_on", TOMORROW))
    assert client.post(url, body).status_code == 302
    assert PrescribingHandover.objects.get().status == HandoverStatus.REQUESTED


def test_r9_prescriber_sees_the_waiting_list_and_accepts(cast: Cast, client_for: ClientFor) -> None:
    treatment = start(cast)
    give(cast)
    handover = request(cast, treatment)
    client = client_for(cast.addictions_consultant)
    listing = client.get(reverse("medicines:handovers_waiting"))
    assert listing.status_code == 200 and "Cat Carter" in listing.content.decode()
    url = reverse("medicines:handover_answer", args=[handover.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 400 and "Confirm the drug" in response.content.decode()
    assert client.post(url, {"answer": "accept", "confirmed": "on"}).status_code == 302
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.ACCEPTED
    assert handover.answered_at == NOW


def test_r9_someone_without_a_relationship_gets_403(cast: Cast, client_for: ClientFor) -> None:
    client = client_for(cast.da_worker)
    assert client.get(reverse("medicines:person", args=[cast.ann.public_id])).status_code == 403
    assert client.get(reverse("medicines:naloxone", args=[cast.ann.public_id])).status_code == 403
    assert client.get(reverse("medicines:handovers_waiting")).status_code == 200
