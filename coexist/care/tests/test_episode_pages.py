"""A person's episodes, one episode with its care team, and naming the care coordinator, as pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.services import episode_assign_coordinator
from coexist.organisations.models import Role
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, MembershipFactory

SignIn = Callable[[User], Client]


@pytest.fixture
def episode(cast: Cast) -> EpisodeOfCare:
    return EpisodeFactory(person=cast.ann, team=cast.north, service=cast.cmht, opened_by=cast.coordinator)


def test_the_person_page_has_an_episodes_and_care_team_section(
    cast: Cast, client_for: SignIn, episode: EpisodeOfCare
) -> None:
    page = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id])).content.decode()
    assert "<h2>Episodes and care team</h2>" in page
    assert reverse("care:episode", args=[episode.public_id]) in page
    assert "no care coordinator named" in page
    assert "Chidi Okafor" in page and "Pathways Drug and Alcohol Service" in page


def test_the_person_page_hides_the_section_from_a_consent_reader_without_episodes(
    cast: Cast, client_for: SignIn
) -> None:
    page = client_for(cast.da_worker).get(reverse("people:detail", args=[cast.ben.public_id])).content.decode()
    assert "Episodes and care team" not in page


def test_the_episodes_page_lists_episodes_and_the_care_team_with_organisation_and_since(
    cast: Cast, client_for: SignIn, episode: EpisodeOfCare
) -> None:
    response = client_for(cast.coordinator).get(reverse("care:person-episodes", args=[cast.ann.public_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Community mental health service" in page and "None named" in page
    assert "Chidi Okafor" in page and "Substance misuse worker" in page and "1 Jan 2024" in page
    assert AccessLogEntry.objects.filter(detail="episodes page", person_public_id=cast.ann.public_id).exists()


def test_the_episode_page_shows_service_team_status_and_a_way_to_name_a_coordinator(
    cast: Cast, client_for: SignIn, episode: EpisodeOfCare
) -> None:
    page = client_for(cast.coordinator).get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert "North community team" in page and "Active" in page
    assert "No care coordinator" in page
    assert reverse("care:assign-coordinator", args=[episode.public_id]) in page
    assert reverse("care:care-team-new", args=[episode.public_id]) in page


def test_the_episode_page_is_refused_to_someone_outside_and_logged(
    cast: Cast, client_for: SignIn, episode: EpisodeOfCare
) -> None:
    response = client_for(cast.da_worker).get(reverse("care:episode", args=[episode.public_id]))
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(person_public_id=cast.ann.public_id, outcome="refused").exists()


def test_an_unknown_episode_is_404(cast: Cast, client_for: SignIn) -> None:
    url = reverse("care:episode", args=["00000000-0000-4000-8000-000000000000"])
    assert client_for(cast.coordinator).get(url).status_code == 404


def test_r3_naming_a_coordinator_through_the_page(cast: Cast, client_for: SignIn, episode: EpisodeOfCare) -> None:
    client = client_for(cast.team_leader)
    url = reverse("care:assign-coordinator", args=[episode.public_id])
    form = client.get(url).content.decode()
    assert "Alex Morgan" in form and "Priya Patel" in form
    assert "Tunde Adeyemi" not in form  # a psychiatrist is not offered as coordinator
    response = client.post(url, {"coordinator": str(cast.coordinator.public_id)})
    assert response.status_code == 302
    assert EpisodeOfCare.objects.get(pk=episode.pk).coordinator == cast.coordinator
    page = client.get(response["Location"]).content.decode()
    assert "Alex Morgan is now the care coordinator" in page


def test_r3_the_coordinator_form_requires_a_choice(cast: Cast, client_for: SignIn, episode: EpisodeOfCare) -> None:
    response = client_for(cast.team_leader).post(reverse("care:assign-coordinator", args=[episode.public_id]), {})
    assert response.status_code == 400
    assert "Choose who will be the care coordinator" in response.content.decode()


def test_r3_a_peer_support_worker_is_not_offered_nor_accepted(
    cast: Cast, client_for: SignIn, episode: EpisodeOfCare
) -> None:
    MembershipFactory(user=cast.peer_worker, team=cast.north, role=Role.PEER_SUPPORT_WORKER)
    client = client_for(cast.team_leader)
    url = reverse("care:assign-coordinator", args=[episode.public_id])
    assert "Jo Reid" not in client.get(url).content.decode()
    response = client.post(url, {"coordinator": str(cast.peer_worker.public_id)})
    assert response.status_code == 400
    assert EpisodeOfCare.objects.get(pk=episode.pk).coordinator is None


def test_adding_a_peer_support_worker_through_the_page(cast: Cast, client_for: SignIn, episode: EpisodeOfCare) -> None:
    client = client_for(cast.coordinator)
    url = reverse("care:care-team-new", args=[episode.public_id])
    form = client.get(url).content.decode()
    assert '<optgroup label="Hope Peer Support">' in form
    response = client.post(
        url, {"user": str(cast.peer_worker.public_id), "role": Role.PEER_SUPPORT_WORKER, "started_on_day": ""}
    )
    assert response.status_code == 302, response.content.decode()
    member = CareTeamMember.objects.get(person=cast.ann, user=cast.peer_worker)
    assert (member.episode, member.role) == (episode, Role.PEER_SUPPORT_WORKER)
    page = client.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert "Jo Reid" in page and "Hope Peer Support" in page


def test_the_add_form_says_what_is_missing(cast: Cast, client_for: SignIn, episode: EpisodeOfCare) -> None:
    response = client_for(cast.coordinator).post(reverse("care:care-team-new", args=[episode.public_id]), {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose a member of staff" in page and "Choose their role in the care team" in page


def test_ending_a_place_through_the_page(cast: Cast, client_for: SignIn) -> None:
    member = CareTeamMember.objects.get(person=cast.ann, user=cast.da_worker_in_team)
    client = client_for(cast.coordinator)
    url = reverse("care:care-team-end", args=[member.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"] == reverse("care:person-episodes", args=[cast.ann.public_id])
    member.refresh_from_db()
    assert member.ended_on is not None


def test_r3_the_named_coordinator_row_offers_naming_another_instead_of_an_empty_action(
    cast: Cast, client_for: SignIn, episode: EpisodeOfCare
) -> None:
    episode_assign_coordinator(episode=episode, coordinator=cast.coordinator, by=cast.team_leader, channel=Channel.PAGE)
    change = reverse("care:assign-coordinator", args=[episode.public_id])
    for url in (
        reverse("care:episode", args=[episode.public_id]),
        reverse("care:person-episodes", args=[cast.ann.public_id]),
    ):
        page = client_for(cast.coordinator).get(url).content.decode()
        table = page[page.index('id="care-team"') : page.index("</table>", page.index('id="care-team"'))]
        # Alex also has an earlier place beside any episode; the one for this episode is the named coordinator's.
        rows = [row for row in table.split("<tr")[2:] if f'href="{change}"' in row]
        assert len(rows) == 1
        assert "Alex Morgan" in rows[0] and "Change by naming another coordinator" in rows[0]
        assert "/end/" not in rows[0]
    # The person page's summary changes nothing, so it offers no link.
    page = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id])).content.decode()
    assert "Change by naming another coordinator" not in page
