"""R5: every carer is offered an assessment of their own needs; the offer and its outcome are dated."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.models import CarerAssessmentStatus
from coexist.people.permissions import AccessRefused
from coexist.people.rules import carer_assessment_outcome_refused
from coexist.people.services import carer_assessment_offer, carer_assessment_record_outcome
from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory

TODAY = date(2026, 11, 22)


def test_r5_offer_can_be_accepted_then_completed() -> None:
    assert not carer_assessment_outcome_refused(
        current="offered", outcome="accepted", offered_on=TODAY, on=TODAY, today=TODAY
    )
    assert not carer_assessment_outcome_refused(
        current="accepted", outcome="completed", offered_on=TODAY, on=TODAY, today=TODAY
    )


@pytest.mark.parametrize(
    ("current", "outcome"),
    [("offered", "completed"), ("declined", "accepted"), ("completed", "declined"), ("offered", "offered")],
)
def test_r5_outcomes_follow_the_life_cycle(current: str, outcome: str) -> None:
    errors = carer_assessment_outcome_refused(current=current, outcome=outcome, offered_on=TODAY, on=TODAY, today=TODAY)
    assert set(errors) == {"outcome"}


def test_r5_outcome_dates_are_not_future_nor_before_the_offer() -> None:
    future = carer_assessment_outcome_refused(
        current="offered", outcome="declined", offered_on=TODAY, on=TODAY + timedelta(days=1), today=TODAY
    )
    before = carer_assessment_outcome_refused(
        current="offered", outcome="declined", offered_on=TODAY, on=TODAY - timedelta(days=1), today=TODAY
    )
    assert future == {"on": "The date cannot be in the future."}
    assert before == {"on": "The date cannot be before the assessment was offered."}


def test_r5_care_team_records_offer_and_outcomes_with_dates(cast: Cast) -> None:
    carer = CarerFactory(person=cast.ann, name="Maya Abbott")
    today = timezone.localdate()
    offer = carer_assessment_offer(carer=carer, by=cast.coordinator, offered_on=today, channel=Channel.PAGE)
    offer = carer_assessment_record_outcome(
        offer=offer, by=cast.coordinator, outcome="accepted", on=today, channel=Channel.PAGE
    )
    offer = carer_assessment_record_outcome(
        offer=offer, by=cast.da_worker_in_team, outcome="completed", on=today, note="Respite discussed",
        channel=Channel.API,
    )  # fmt: skip
    assert offer.status == CarerAssessmentStatus.COMPLETED
    assert (offer.offered_on, offer.accepted_on, offer.completed_on) == (today, today, today)
    assert offer.note == "Respite discussed"
    assert offer.history.count() == 3
    details = list(AccessLogEntry.objects.filter(action="write").order_by("pk").values_list("detail", flat=True))
    assert details == [
        "offered Maya Abbott a carer's assessment",
        "carer's assessment for Maya Abbott: accepted",
        "carer's assessment for Maya Abbott: completed",
    ]


def test_r5_refused_outcome_changes_nothing(cast: Cast) -> None:
    carer = CarerFactory(person=cast.ann)
    offer = carer_assessment_offer(
        carer=carer, by=cast.coordinator, offered_on=timezone.localdate(), channel=Channel.PAGE
    )
    with pytest.raises(ValidationError):
        carer_assessment_record_outcome(
            offer=offer, by=cast.coordinator, outcome="completed", on=timezone.localdate(), channel=Channel.PAGE
        )
    offer.refresh_from_db()
    assert offer.status == CarerAssessmentStatus.OFFERED
    assert offer.completed_on is None


def test_r5_offer_cannot_be_dated_in_the_future(cast: Cast) -> None:
    carer = CarerFactory(person=cast.ann)
    with pytest.raises(ValidationError) as caught:
        carer_assessment_offer(
            carer=carer, by=cast.coordinator, offered_on=timezone.localdate() + timedelta(days=1), channel=Channel.PAGE
        )
    assert set(caught.value.message_dict) == {"offered_on"}
    assert not carer.assessments.exists()


def test_r5_consent_reader_cannot_record_an_offer(cast: Cast) -> None:
    carer = CarerFactory(person=cast.ben)
    with pytest.raises(AccessRefused):
        carer_assessment_offer(carer=carer, by=cast.da_worker, offered_on=timezone.localdate(), channel=Channel.API)


def test_r5_person_page_shows_a_carer_not_yet_offered_an_assessment(cast: Cast, client_for) -> None:
    CarerFactory(person=cast.ann, name="Maya Abbott", provides_care=True)
    page = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id]))
    assert "Not yet offered" in page.content.decode()


def test_r5_offer_page_records_an_offer_and_shows_it(cast: Cast, client_for) -> None:
    carer = CarerFactory(person=cast.ann, name="Maya Abbott")
    url = reverse("people:carer-assessment", args=[cast.ann.public_id, carer.public_id])
    today = timezone.localdate()
    client = client_for(cast.coordinator)
    response = client.post(
        url, {"offered_on_day": today.day, "offered_on_month": today.month, "offered_on_year": today.year}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Offered" in page and "Record what happened" in page


def test_r5_offer_page_shows_errors_and_saves_nothing(cast: Cast, client_for) -> None:
    carer = CarerFactory(person=cast.ann)
    url = reverse("people:carer-assessment", args=[cast.ann.public_id, carer.public_id])
    response = client_for(cast.coordinator).post(url, {"offered_on_day": "31", "offered_on_month": "2"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not carer.assessments.exists()
