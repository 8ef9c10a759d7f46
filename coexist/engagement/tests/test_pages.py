"""The appointment pages: book, record a miss (R6 follow-up shown), follow it up, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.engagement.models import Appointment, FollowUp, Mode
from coexist.engagement.rules import Attendance
from coexist.engagement.services import appointment_book
from coexist.tasks.models import Task, TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory

SignIn = Callable[[User], Client]


def _past_appointment(cast: Cast) -> Appointment:
    return appointment_book(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=timezone.now() - timedelta(hours=2),
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip


def _booking(day: timezone.datetime, **extra: str) -> dict[str, str]:
    return {
        "on_day": str(day.day), "on_month": str(day.month), "on_year": str(day.year), "at": "14:30",
        "duration_minutes": "45", "mode": Mode.HOME_VISIT, **extra,
    }  # fmt: skip


def test_book_a_joint_appointment(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    url = reverse("engagement:book", args=[cast.ann.public_id])
    page = client.get(url).content.decode()
    assert "Book an appointment" in page and "(me)" in page
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        url,
        _booking(day, staff=str(cast.coordinator.public_id), second_staff=str(cast.da_worker_in_team.public_id)),
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(person=cast.ann)
    assert appointment.second_staff == cast.da_worker_in_team and appointment.mode == Mode.HOME_VISIT
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "14:30"
    assert appointment.service == cast.cmht and appointment.duration_minutes == 45
    listing = client.get(response["Location"]).content.decode()
    assert "Appointment booked for" in listing and "Upcoming" in listing and "(joint)" in listing


def test_bad_booking_is_400_and_saves_nothing(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    url = reverse("engagement:book", args=[cast.ann.public_id])
    day = timezone.localdate() + timedelta(days=3)
    bad = client.post(url, _booking(day, staff=str(cast.coordinator.public_id), at="25:99"))
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()
    stranger = client.post(url, _booking(day, staff=str(cast.da_worker.public_id)))
    assert stranger.status_code == 400
    same = client.post(
        url, _booking(day, staff=str(cast.coordinator.public_id), second_staff=str(cast.coordinator.public_id))
    )
    assert same.status_code == 400 and "second, different worker" in same.content.decode()
    assert not Appointment.objects.exists()


def test_a_dna_creates_the_follow_up_and_a_home_visit_that_reached_them_closes_it(
    cast: Cast, client_for: SignIn
) -> None:
    EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)
    appointment = _past_appointment(cast)
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("engagement:outcome", args=[appointment.public_id]), {"outcome": Attendance.DID_NOT_ATTEND}
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get(appointment=appointment)
    assert follow_up.task.assigned_to == cast.coordinator and follow_up.task.rule == "R6"
    listing = client.get(response["Location"]).content.decode()
    assert f"A follow-up task was created for {cast.coordinator.display_name}, due" in listing
    assert "Did not attend without warning" in listing
    assert reverse("engagement:follow-up", args=[follow_up.public_id]) in listing
    url = reverse("engagement:follow-up", args=[follow_up.public_id])
    tried = client.post(url, {"kind": "call", "result": "not_reached", "note": "No answer"})
    assert tried.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.is_open
    visited = client.post(url, {"kind": "home_visit", "result": "reached", "note": "At home, well"})
    assert visited.status_code == 302
    follow_up.refresh_from_db()
    assert not follow_up.is_open and follow_up.task.status == TaskStatus.DONE
    page = client.get(url).content.decode()
    assert "No answer" in page and "At home, well" in page and "Complete" in page and "Record what you did" not in page
    assert "No open follow-ups." in client.get(reverse("engagement:person", args=[cast.ann.public_id])).content.decode()


def test_seen_without_a_plan_review_is_400_and_saves_nothing(cast: Cast, client_for: SignIn) -> None:
    appointment = _past_appointment(cast)
    client = client_for(cast.coordinator)
    url = reverse("engagement:outcome", args=[appointment.public_id])
    response = client.post(url, {"outcome": Attendance.ATTENDED_ON_TIME})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    changed = client.post(url, {"outcome": Attendance.ATTENDED_ON_TIME, "plan_reviewed": "changed"})
    assert changed.status_code == 400 and "Say what changed" in changed.content.decode()
    nonsense = client.post(url, {"outcome": "booked"})
    assert nonsense.status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == Attendance.BOOKED and not FollowUp.objects.exists()
    ok = client.post(url, {"outcome": Attendance.ATTENDED_ON_TIME, "plan_reviewed": "unchanged"})
    assert ok.status_code == 302 and not Task.objects.filter(rule="R6").exists()


def test_bad_follow_up_action_is_400(cast: Cast, client_for: SignIn) -> None:
    appointment = _past_appointment(cast)
    client = client_for(cast.coordinator)
    client.post(reverse("engagement:outcome", args=[appointment.public_id]), {"outcome": Attendance.DID_NOT_ATTEND})
    follow_up = FollowUp.objects.get()
    response = client.post(reverse("engagement:follow-up", args=[follow_up.public_id]), {"kind": "pigeon"})
    assert response.status_code == 400 and not follow_up.actions.exists()


def test_da_worker_is_refused_ann(cast: Cast, client_for: SignIn) -> None:
    appointment = _past_appointment(cast)
    client = client_for(cast.da_worker)
    assert client.get(reverse("engagement:person", args=[cast.ann.public_id])).status_code == 403
    assert client.get(reverse("engagement:book", args=[cast.ann.public_id])).status_code == 403
    day = timezone.localdate() + timedelta(days=3)
    booked = client.post(
        reverse("engagement:book", args=[cast.ann.public_id]), _booking(day, staff=str(cast.da_worker.public_id))
    )
    assert booked.status_code == 403
    outcome = client.post(
        reverse("engagement:outcome", args=[appointment.public_id]), {"outcome": Attendance.DID_NOT_ATTEND}
    )
    assert outcome.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == Attendance.BOOKED and Appointment.objects.count() == 1


def test_person_page_links_to_appointments(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id])).content.decode()
    assert reverse("engagement:person", args=[cast.ann.public_id]) in page
