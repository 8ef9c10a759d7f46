"""The pages and the API for discharges and transfers: the same services, 4xx as problem+json, figures by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.engagement.models import Appointment
from coexist.medicines.models import DoseGiven, HandoverStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import MembershipFactory
from coexist.testing.factories_transitions import handover, methadone, ready_discharge
from coexist.transitions.models import Transition

from .conftest import book_follow_up, offer_naloxone, refer_to_pathways

API = "/api/v1/transitions"
Bearer = Callable[[User], dict[str, str]]


def test_pages_walk_a_discharge(cast: Cast, client_for: Callable[[User], Client], ward_episode: EpisodeOfCare) -> None:
    client = client_for(cast.ward_nurse)
    start = reverse("transitions:start", args=[ward_episode.public_id])
    assert client.get(start).status_code == 200
    bad = client.post(start, {"kind": "discharge", "discharge_reason": ""})
    assert bad.status_code == 400 and "Choose why the person is being discharged" in bad.content.decode()
    response = client.post(start, {"kind": "discharge", "discharge_reason": "goals_met"})
    transition = Transition.objects.get()
    assert response.status_code == 302 and response.url == reverse("transitions:detail", args=[transition.public_id])
    page = client.get(response.url).content.decode()
    assert "<h1>" in page and "Invite Alex Morgan" in page and "Does not apply" in page
    assert reverse("transitions:invite", args=[transition.public_id]) in page
    for name in ("invite", "housing", "complete"):
        assert client.get(reverse(f"transitions:{name}", args=[transition.public_id])).status_code == 200
    refused = client.post(reverse("transitions:complete", args=[transition.public_id]), {"override_reason": ""})
    assert refused.status_code == 400 and "cannot go ahead" in refused.content.decode()
    housing = client.post(reverse("transitions:housing", args=[transition.public_id]),
                          {"housing_support": "in_place", "housing_note": "Hostel key worker"})  # fmt: skip
    assert housing.status_code == 302
    invite = client.post(reverse("transitions:invite", args=[transition.public_id]), {
        "meeting_on_0": "1", "meeting_on_1": "1", "meeting_on_2": "2026", "meeting_time": "25:00"})  # fmt: skip
    assert invite.status_code == 400


def test_pages_refuse_strangers(cast: Cast, client_for: Callable[[User], Client], ward_episode: EpisodeOfCare) -> None:
    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    client = client_for(cast.da_worker)
    assert client.get(reverse("transitions:detail", args=[transition.public_id])).status_code == 403
    assert client.get(reverse("transitions:start", args=[ward_episode.public_id])).status_code == 403
    assert client.get(reverse("transitions:incoming")).status_code == 200
    assert client.get(reverse("transitions:figures") + "?from=2026-13-01&to=x").status_code == 400


def test_api_discharge_with_4xx(cast: Cast, client: Client, bearer: Bearer, ward_episode: EpisodeOfCare) -> None:
    nurse = bearer(cast.ward_nurse)
    assert client.post(f"{API}/episodes/{ward_episode.public_id}/start", {"kind": "discharge"},
                       content_type="application/json").status_code == 401  # fmt: skip
    bad = client.post(f"{API}/episodes/{ward_episode.public_id}/start", {"kind": "discharge", "destination": "x" * 10_000},
                      content_type="application/json", **nurse)  # fmt: skip
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    refused = client.post(f"{API}/episodes/{ward_episode.public_id}/start", {"kind": "discharge", "discharge_reason": "goals_met"},
                          content_type="application/json", **bearer(cast.da_worker))  # fmt: skip
    assert refused.status_code == 403
    missing = client.post(f"{API}/episodes/00000000-0000-4000-8000-000000000000/start", {"kind": "discharge"},
                          content_type="application/json", **nurse)  # fmt: skip
    assert missing.status_code == 404
    made = client.post(f"{API}/episodes/{ward_episode.public_id}/start", {"kind": "discharge", "discharge_reason": "goals_met"},
                       content_type="application/json", **nurse)  # fmt: skip
    assert made.status_code == 201
    tid = made.json()["id"]
    got = client.get(f"{API}/{tid}", **nurse).json()
    assert {i["key"] for i in got["checklist"]} >= {"invite", "housing", "naloxone", "follow_up_72h"}
    assert all(i["explanation"] for i in got["checklist"])
    complete = client.post(f"{API}/{tid}/complete", {}, content_type="application/json", **nurse)
    assert complete.status_code == 422 and any(e["field"] == "checklist" for e in complete.json()["errors"])
    housing = client.post(f"{API}/{tid}/housing", {"housing_support": "in_place"}, content_type="application/json",
                          **nurse)  # fmt: skip
    assert housing.status_code == 200 and housing.json()["housing_support"] == "in_place"
    invite = client.post(f"{API}/{tid}/invite", {"meeting_at": "2999-01-01T10:00:00Z", "invitees": [str(cast.coordinator.public_id)]},
                         content_type="application/json", **nurse)  # fmt: skip
    assert invite.status_code == 422
    assert client.get(f"{API}/incoming", **nurse).status_code == 200
    assert client.get(f"{API}/figures?from=2026-02-01&to=2026-01-01", **nurse).status_code == 422


def test_figures_from_stored_data_by_hand(
    cast: Cast, client: Client, bearer: Bearer, ward_episode: EpisodeOfCare
) -> None:
    """One ward discharge today: on methadone with the handover accepted, naloxone offered, seen 24 hours later,
    first community dose the day after (a dose given 26 hours after discharge): continuity 1 of 1, naloxone 1 of
    1, follow-up 1 of 1, days to first dose 1. The team leader of the ward sees it; North's leader alone would
    lead no ward."""
    from coexist.transitions.services import transition_complete

    MembershipFactory(user=cast.team_leader, team=cast.ward_team, role="team_leader")
    course = methadone(cast.ann, service=cast.ward, by=cast.ward_nurse)
    handover(course, to_service=cast.pathways_service, by=cast.ward_nurse, status=HandoverStatus.ACCEPTED,
             answered_by=cast.addictions_consultant)  # fmt: skip
    refer_to_pathways(cast)
    offer_naloxone(cast)
    appointment = book_follow_up(cast, hours=24)
    done = transition_complete(transition=ready_discharge(ward_episode, by=cast.ward_nurse), by=cast.ward_nurse,
                               channel=Channel.PAGE)  # fmt: skip
    assert done.completed_at is not None
    Appointment.objects.filter(pk=appointment.pk).update(status="attended_on_time")  # type: ignore[attr-defined]
    DoseGiven.objects.create(treatment=course, given_at=done.completed_at + timedelta(hours=26), dose_mg=60,
                             where="High Street Pharmacy", recorded_by=cast.da_worker)  # fmt: skip
    today = timezone.localdate()
    body = client.get(f"{API}/figures?from={today - timedelta(days=7)}&to={today}", **bearer(cast.team_leader)).json()
    first_dose_day = timezone.localdate(done.completed_at + timedelta(hours=26))
    expected_days = (first_dose_day - timezone.localdate(done.completed_at)).days
    assert (body["discharges"], body["with_continuity"], body["on_opiate_substitution"]) == (1, 1, 1)
    assert (body["naloxone_offered"], body["opioid_users"], body["followed_up_72h"]) == (1, 1, 1)
    assert body["dose_days_min"] == body["dose_days_max"] == expected_days and body["overrides"] == []
    page = client.get(reverse("transitions:figures"))
    assert page.status_code in (200, 302)
    assert client.get(f"{API}/figures", **bearer(cast.coordinator)).json()["discharges"] == 0


def test_r9_ward_staff_who_lose_sight_of_the_person_at_discharge_land_on_their_home_page(
    cast: Cast, client_for: Callable[[User], Client], ward_episode: EpisodeOfCare
) -> None:
    """The ward team saw the person through the ward episode; once it finishes, the checklist page would refuse
    them, so the completed discharge says so on their home page instead of a refusal."""
    transition = ready_discharge(ward_episode, by=cast.ward_nurse)
    book_follow_up(cast, hours=30)
    client = client_for(cast.ward_nurse)
    response = client.post(reverse("transitions:complete", args=[transition.public_id]), {"override_reason": ""})
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(response.url).content.decode()
    assert "Discharge completed. Group places are kept" in home
    transition.refresh_from_db()
    assert transition.status == "completed"
