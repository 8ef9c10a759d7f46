"""Repeating appointments: booked together at the same clock time, each with its own outcome, and
the rest of a series cancelled without touching the past. Pages, API and service."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel
from coexist.engagement.models import Appointment, AppointmentSeries, FollowUp
from coexist.engagement.rules import Attendance
from coexist.engagement.services import appointment_book, appointment_record_outcome, series_cancel_remaining
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)  # a Monday
FIRST = datetime(2026, 11, 18, 10, 0, tzinfo=LONDON)

SignIn = Callable[[User], Client]
Bearer = Callable[[User], dict[str, str]]

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _series(cast: Cast, occurrences: int = 4) -> Appointment:
    return appointment_book(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=FIRST, every_days=7,
        occurrences=occurrences, by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip


def test_a_weekly_series_books_each_appointment_at_the_same_time(cast: Cast) -> None:
    first = _series(cast)
    booked = list(Appointment.objects.filter(person=cast.ann).order_by("starts_at"))
    assert [a.starts_at for a in booked] == [FIRST + timedelta(days=7 * n) for n in range(4)]
    assert {a.series_id for a in booked} == {first.series_id} and first.series is not None
    assert (first.series.every_days, first.series.occurrences) == (7, 4)
    assert AccessLogEntry.objects.filter(detail__contains="booked 4 appointments every 7 days").count() == 1


@pytest.mark.parametrize(
    ("every_days", "occurrences", "field"), [(0, 3, "every_days"), (7, 53, "occurrences"), (None, 3, "every_days")]
)
def test_a_series_outside_the_limits_is_refused_and_books_nothing(
    cast: Cast, every_days: int | None, occurrences: int, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        appointment_book(
            person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=FIRST, every_days=every_days,
            occurrences=occurrences, by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert field in refused.value.message_dict
    assert not Appointment.objects.exists() and not AppointmentSeries.objects.exists()


def test_r6_each_occurrence_of_a_series_is_followed_up_on_its_own(cast: Cast, frozen: time_machine.Traveller) -> None:
    _series(cast, occurrences=2)
    first, second = Appointment.objects.filter(person=cast.ann).order_by("starts_at")
    frozen.move_to(FIRST + timedelta(hours=1))
    appointment_record_outcome(
        appointment=first, outcome=Attendance.DID_NOT_ATTEND, by=cast.coordinator, channel=Channel.PAGE,
        plan_reviewed="",
    )  # fmt: skip
    assert FollowUp.objects.filter(appointment=first).exists()
    second.refresh_from_db()
    assert second.status == Attendance.BOOKED  # one miss changes nothing else in the series


def test_cancelling_the_rest_of_a_series_leaves_the_past_alone_and_creates_no_follow_up(
    cast: Cast, frozen: time_machine.Traveller
) -> None:
    _series(cast)
    first, _second, third, fourth = Appointment.objects.filter(person=cast.ann).order_by("starts_at")
    frozen.move_to(FIRST + timedelta(hours=1))
    appointment_record_outcome(
        appointment=first, outcome=Attendance.ATTENDED_ON_TIME, by=cast.coordinator, channel=Channel.PAGE,
        plan_reviewed="unchanged",
    )  # fmt: skip
    cancelled = series_cancel_remaining(
        appointment=third, outcome=Attendance.CANCELLED_BY_PERSON, by=cast.coordinator, channel=Channel.PAGE
    )
    assert cancelled == [third, fourth]
    statuses = list(Appointment.objects.filter(person=cast.ann).order_by("starts_at").values_list("status", flat=True))
    assert statuses == [Attendance.ATTENDED_ON_TIME, Attendance.BOOKED, *[Attendance.CANCELLED_BY_PERSON] * 2]
    assert not FollowUp.objects.exists()  # a cancellation is not a miss (R6)


def test_cancelling_a_series_needs_who_cancelled_and_a_series(cast: Cast) -> None:
    first = _series(cast, occurrences=2)
    with pytest.raises(ValidationError, match="who cancelled"):
        series_cancel_remaining(appointment=first, outcome=Attendance.DID_NOT_ATTEND, by=cast.coordinator,
                                channel=Channel.PAGE)  # fmt: skip
    single = appointment_book(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=FIRST + timedelta(days=1),
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="not part of a repeating series"):
        series_cancel_remaining(appointment=single, outcome=Attendance.CANCELLED_BY_PROVIDER, by=cast.coordinator,
                                channel=Channel.PAGE)  # fmt: skip


def test_cancelling_a_series_is_refused_to_someone_without_a_relationship(cast: Cast) -> None:
    first = _series(cast, occurrences=2)
    with pytest.raises(AccessRefused):
        series_cancel_remaining(appointment=first, outcome=Attendance.CANCELLED_BY_PROVIDER,
                                by=cast.coordinator_south, channel=Channel.PAGE)  # fmt: skip
    assert Appointment.objects.filter(status=Attendance.BOOKED).count() == 2


def _form(**extra: str) -> dict[str, str]:
    return {
        "on_day": "18", "on_month": "11", "on_year": "2026", "at": "10:00", "duration_minutes": "60",
        "mode": "in_person", **extra,
    }  # fmt: skip


def test_the_booking_page_books_a_fortnightly_series(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    url = reverse("engagement:book", args=[cast.ann.public_id])
    assert "Does it repeat?" in client.get(url).content.decode()
    response = client.post(url, _form(staff=str(cast.coordinator.public_id), repeat="14", occurrences="3"))
    assert response.status_code == 302
    assert [a.starts_at for a in Appointment.objects.order_by("starts_at")] == [
        FIRST, FIRST + timedelta(days=14), FIRST + timedelta(days=28),
    ]  # fmt: skip
    assert "3 appointments booked, every 14 days" in client.get(response["Location"]).content.decode()


def test_the_booking_page_asks_how_many_when_it_repeats(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    url = reverse("engagement:book", args=[cast.ann.public_id])
    response = client.post(url, _form(staff=str(cast.coordinator.public_id), repeat="7"))
    assert response.status_code == 400
    assert "Say how many appointments the series has." in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_outcome_page_cancels_the_rest_of_the_series(cast: Cast, client_for: SignIn) -> None:
    first = _series(cast, occurrences=3)
    client = client_for(cast.coordinator)
    page = client.get(reverse("engagement:outcome", args=[first.public_id])).content.decode()
    assert "Cancel the rest of the series" in page
    url = reverse("engagement:cancel-series", args=[first.public_id])
    refused = client.post(url, {})
    assert refused.status_code == 302 and Appointment.objects.filter(status=Attendance.BOOKED).count() == 3
    done = client.post(url, {"outcome": "cancelled_by_provider"})
    assert done.status_code == 302
    assert Appointment.objects.filter(status=Attendance.CANCELLED_BY_PROVIDER).count() == 3


def test_the_api_books_and_cancels_a_series(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    booked = client.post(
        f"/api/v1/appointments/people/{cast.ann.public_id}",
        data=json.dumps({"starts_at": FIRST.isoformat(), "repeat_every_days": 28, "occurrences": 3}),
        content_type="application/json",
        **headers,
    )
    assert booked.status_code == 201, booked.content
    assert booked.json()["series"] is not None and Appointment.objects.count() == 3
    bad = client.post(
        f"/api/v1/appointments/people/{cast.ann.public_id}",
        data=json.dumps({"starts_at": FIRST.isoformat(), "repeat_every_days": 7, "occurrences": 99}),
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422 and Appointment.objects.count() == 3
    cancelled = client.post(
        f"/api/v1/appointments/{booked.json()['id']}/cancel-series",
        data=json.dumps({"outcome": "cancelled_by_person"}),
        content_type="application/json",
        **headers,
    )
    assert cancelled.status_code == 200 and len(cancelled.json()) == 3
