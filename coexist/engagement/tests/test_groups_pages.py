"""The group pages: list, group, scheduling, the session register with its anonymous count, enrolling,
leaving, the person page's Groups section and the header link; refusals and bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.engagement.models import GroupAttendance, GroupEnrolment, GroupSession
from coexist.tasks.models import Task
from coexist.testing.cast import Cast

from .groups_world import make_world

SignIn = Callable[[User], Client]


def test_groups_list_shows_my_services_groups_and_next_session(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    response = client_for(cast.da_worker_in_team).get(reverse("groups:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Recovery group" in body and "Peer walk" not in body
    assert reverse("groups:session", args=[world.soon.public_id]) in body
    assert 'href="/groups/"' in body  # the header's Groups link


def test_group_page_names_only_people_the_viewer_may_see(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    facilitator = client_for(cast.da_worker).get(reverse("groups:detail", args=[world.recovery.public_id]))
    assert facilitator.status_code == 200
    assert cast.ann.full_name in facilitator.content.decode()
    world.soon.facilitators.clear()
    world.last_week.facilitators.clear()
    colleague = client_for(cast.da_worker).get(reverse("groups:detail", args=[world.recovery.public_id]))
    assert cast.ann.full_name not in colleague.content.decode()
    assert "1 other person is enrolled" in colleague.content.decode()


def test_group_page_is_refused_to_staff_of_other_services(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    assert (
        client_for(cast.coordinator).get(reverse("groups:detail", args=[world.recovery.public_id])).status_code == 403
    )


def test_schedule_sessions_from_the_page(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    day = timezone.localdate() + timedelta(days=5)
    response = client_for(cast.da_worker).post(
        reverse("groups:schedule", args=[world.recovery.public_id]),
        {
            "on_day": day.day, "on_month": day.month, "on_year": day.year, "at": "13:00", "duration_minutes": "90",
            "place": "Room 4", "facilitators": [str(cast.da_worker.public_id)], "occurrences": "3", "every_days": "7",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert GroupSession.objects.filter(group=world.recovery, place="Room 4").count() == 3


def test_schedule_bad_input_is_shown_by_field(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    response = client_for(cast.da_worker).post(
        reverse("groups:schedule", args=[world.recovery.public_id]),
        {"on_day": "31", "on_month": "2", "on_year": "2026", "at": "25:00", "duration_minutes": "0", "place": "",
         "occurrences": "99", "every_days": "7"},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a real date" in body
    assert "Enter a time such as" in body
    assert "Ensure this value is less than or equal to 52" in body
    assert GroupSession.objects.filter(group=world.recovery).count() == 2


def test_session_page_records_register_and_anonymous_count(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    client = client_for(cast.da_worker)
    url = reverse("groups:session", args=[world.last_week.public_id])
    page = client.get(url)
    assert page.status_code == 200 and cast.ann.full_name in page.content.decode()
    tasks = Task.objects.count()
    response = client.post(url, {f"person_{cast.ann.public_id}": "did_not_attend", "anonymous_count": "4"})
    assert response.status_code == 302
    assert GroupAttendance.objects.get(person=cast.ann).status == "did_not_attend"
    assert Task.objects.count() == tasks  # R6 does not apply to groups
    shown = client.get(url).content.decode()
    assert "4 in all: 0 named, 4 without giving a name" in shown


def test_session_page_refuses_a_negative_anonymous_count(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    response = client_for(cast.da_worker).post(
        reverse("groups:session", args=[world.last_week.public_id]), {"anonymous_count": "-2"}
    )
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    assert GroupSession.objects.get(pk=world.last_week.pk).anonymous_count == 0


def test_only_facilitators_post_the_register(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    response = client_for(cast.da_worker_in_team).post(
        reverse("groups:session", args=[world.last_week.public_id]), {"anonymous_count": "2"}
    )
    assert response.status_code == 403


def test_cancel_a_session_with_a_reason(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    client = client_for(cast.da_worker)
    url = reverse("groups:session-cancel", args=[world.soon.public_id])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Room not available"}).status_code == 302
    assert GroupSession.objects.get(pk=world.soon.pk).cancel_reason == "Room not available"


def test_edit_one_session(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    client = client_for(cast.da_worker)
    url = reverse("groups:session-edit", args=[world.soon.public_id])
    assert client.get(url).status_code == 200
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        url,
        {"on_day": day.day, "on_month": day.month, "on_year": day.year, "at": "10:00", "duration_minutes": "60",
         "place": "Garden", "facilitators": [str(cast.da_worker.public_id)]},
    )  # fmt: skip
    assert response.status_code == 302
    assert GroupSession.objects.get(pk=world.soon.pk).place == "Garden"
    assert GroupSession.objects.get(pk=world.last_week.pk).place == "Day room"


def test_person_page_shows_groups_to_those_who_may_read_them(cast: Cast, client_for: SignIn) -> None:
    make_world(cast)
    url = reverse("people:detail", args=[cast.ann.public_id])
    coordinator = client_for(cast.coordinator).get(url).content.decode()
    assert 'id="groups"' in coordinator and "Recovery group" in coordinator
    assert reverse("groups:person-enrol", args=[cast.ann.public_id]) in coordinator
    facilitator = client_for(cast.da_worker).get(url)
    assert facilitator.status_code == 200
    body = facilitator.content.decode()
    assert 'id="groups"' in body
    assert "Care plan" not in body and "Risk" not in body
    ben = client_for(cast.da_worker).get(reverse("people:detail", args=[cast.ben.public_id])).content.decode()
    assert 'id="groups"' not in ben  # consent does not share group attendance


def test_enrol_from_the_person_page_and_leave(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    client = client_for(cast.da_worker_in_team)
    url = reverse("groups:person-enrol", args=[cast.cat.public_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"choice": ""}).status_code == 400
    assert client.post(url, {"choice": str(world.recovery.public_id)}).status_code == 302
    enrolment = GroupEnrolment.objects.get(person=cast.cat)
    leave = reverse("groups:leave", args=[enrolment.public_id])
    assert client.post(leave, {"reason": ""}).status_code == 400
    assert client.post(leave, {"reason": "Finished the course"}).status_code == 302
    assert not GroupEnrolment.objects.get(pk=enrolment.pk).is_current


def test_enrol_from_the_person_page_is_refused_without_write_access(cast: Cast, client_for: SignIn) -> None:
    make_world(cast)
    assert client_for(cast.da_worker).get(reverse("groups:person-enrol", args=[cast.ben.public_id])).status_code == 403


def test_add_someone_not_enrolled_to_the_register(cast: Cast, client_for: SignIn) -> None:
    world = make_world(cast)
    world.last_week.facilitators.add(cast.coordinator)
    client = client_for(cast.coordinator)
    url = reverse("groups:session-add", args=[world.last_week.public_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"person": str(cast.ben.public_id), "status": "attended"}).status_code == 302
    assert GroupAttendance.objects.get(person=cast.ben, session=world.last_week).status == "attended"


def test_clinical_staff_set_up_a_group_for_their_service(cast: Cast, client_for: SignIn) -> None:
    from coexist.engagement.models import Group

    client = client_for(cast.da_worker)
    listing = client.get(reverse("groups:list")).content.decode()
    assert reverse("groups:new") in listing
    form = client.get(reverse("groups:new")).content.decode()
    assert cast.pathways_service.name in form
    response = client.post(
        reverse("groups:new"),
        {"service": str(cast.pathways_service.public_id), "name": "Tuesday recovery group", "kind": "programme"},
    )
    group = Group.objects.get(name="Tuesday recovery group")
    assert response.status_code == 302 and response["Location"] == reverse("groups:schedule", args=[group.public_id])
    assert (group.service, group.created_by) == (cast.pathways_service, cast.da_worker)


def test_setting_up_a_group_with_bad_input_shows_why_and_saves_nothing(cast: Cast, client_for: SignIn) -> None:
    from coexist.engagement.models import Group

    client = client_for(cast.da_worker)
    before = Group.objects.count()
    blank = client.post(reverse("groups:new"), {"service": str(cast.pathways_service.public_id), "name": ""})
    assert blank.status_code == 400 and "Enter the group&#x27;s name." in blank.content.decode()
    other = client.post(reverse("groups:new"), {"service": str(cast.cmht.public_id), "name": "X", "kind": "drop_in"})
    assert other.status_code == 400 and "Choose one of the services you work in." in other.content.decode()
    assert Group.objects.count() == before


def test_administrators_cannot_set_up_groups(cast: Cast, client_for: SignIn) -> None:
    assert client_for(cast.admin).get(reverse("groups:new")).status_code == 403
