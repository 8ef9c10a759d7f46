"""Staff pages: the queue, making a referral, the triage page (duplicates, link, accept) and R1 on the
decline form."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.care.models import EpisodeOfCare
from coexist.referrals.models import Referral, Status
from coexist.referrals.rules import DeclineReason
from coexist.referrals.selectors import DUPLICATE_CHECK
from coexist.testing.cast import Cast
from coexist.testing.factories import ReferralFactory

SignIn = Callable[[User], Client]


def test_referrals_link_in_the_header_for_clinical_staff_only(cast: Cast, client_for: SignIn, client: Client) -> None:
    assert 'href="/referrals/"' not in client.get("/refer-yourself/").content.decode()
    assert 'href="/referrals/"' in client_for(cast.coordinator).get(reverse("home")).content.decode()


def test_queue_page_lists_open_referrals_with_their_age(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.da_worker).get(reverse("referrals:queue")).content.decode()
    assert cast.cat.referrals.get().reference in page
    assert "Cat Carter" in page and "today" in page


def test_triage_page_shows_likely_duplicates_and_links_one(
    cast: Cast, client_for: SignIn, unlinked_to_pathways: Referral
) -> None:
    client = client_for(cast.da_worker)
    url = reverse("referrals:detail", args=[unlinked_to_pathways.public_id])
    page = client.get(url).content.decode()
    assert "Who is this?" in page and "Cat Carter, born 02 Jul 1990" in page
    assert AccessLogEntry.objects.filter(purpose=DUPLICATE_CHECK, person_public_id=cast.cat.public_id).exists()
    response = client.post(
        reverse("referrals:link", args=[unlinked_to_pathways.public_id]), {"person": str(cast.cat.public_id)}
    )
    assert response.status_code == 302
    unlinked_to_pathways.refresh_from_db()
    assert unlinked_to_pathways.person == cast.cat


def test_accept_flow_on_the_page_opens_an_episode(cast: Cast, client_for: SignIn) -> None:
    referral = cast.cat.referrals.get()
    client = client_for(cast.da_worker)
    form = client.get(reverse("referrals:accept", args=[referral.public_id]))
    assert form.status_code == 200
    response = client.post(
        reverse("referrals:accept", args=[referral.public_id]), {"team": str(cast.pathways_team.public_id), "note": ""}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert EpisodeOfCare.objects.get(referral=referral).team == cast.pathways_team


def test_r1_decline_form_offers_only_reasons_the_service_may_give(cast: Cast, client_for: SignIn) -> None:
    to_cmht = ReferralFactory(person=cast.ben, to_service=cast.cmht)
    cmht_form = (
        client_for(cast.coordinator).get(reverse("referrals:decline", args=[to_cmht.public_id])).content.decode()
    )
    assert 'value="substance_use"' not in cmht_form and 'value="mental_illness"' in cmht_form
    pathways = cast.cat.referrals.get()
    da_form = client_for(cast.da_worker).get(reverse("referrals:decline", args=[pathways.public_id])).content.decode()
    assert 'value="mental_illness"' not in da_form and 'value="substance_use"' in da_form


def test_r1_decline_page_shows_why_without_onward_referral(cast: Cast, client_for: SignIn) -> None:
    referral = cast.cat.referrals.get()
    response = client_for(cast.da_worker).post(
        reverse("referrals:decline", args=[referral.public_id]),
        {"reason": DeclineReason.OUTSIDE_AREA, "onward_service": "", "onward_referral": "", "note": ""},
    )
    assert response.status_code == 400
    assert "Nobody is declined without somewhere to go" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_staff_referral_page_for_someone_new(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    assert "Someone new" in client.get(reverse("referrals:new")).content.decode()
    response = client.post(
        reverse("referrals:new"),
        {
            "person": "",
            "to_service": str(cast.pathways_service.public_id),
            "route": "gp",
            "urgency": "soon",
            "reason": "Drinking and low mood",
            "referrer_name": "Dr Jones",
            "referrer_organisation": "Elm Street Surgery",
            "given_name": "Lee",
            "family_name": "Nash",
        },
    )
    assert response.status_code == 302, response.content.decode()
    referral = Referral.objects.get(given_name="Lee")
    assert referral.route == "gp" and referral.urgency == "soon" and referral.person is None


def test_drop_in_pages_record_and_convert(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.da_worker)
    response = client.post(
        reverse("referrals:drop-in-new"),
        {
            "service": str(cast.pathways_service.public_id),
            "name_or_alias": "Jay",
            "year_of_birth": "",
            "discussed": "Cutting down",
        },
    )
    assert response.status_code == 302
    visit = cast.pathways_service.drop_in_visits.get()
    assert "Jay" in client.get(reverse("referrals:drop-in-list")).content.decode()
    response = client.post(
        reverse("referrals:drop-in-convert", args=[visit.public_id]),
        {"to_service": str(cast.cmht.public_id), "urgency": "routine", "reason": "Low mood too"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.referral is not None and visit.referral.route == "drop_in"


def _tag_line(page: str) -> str:
    start = page.index('id="referral-tags"')
    return re.sub(r"<[^>]+>", " ", page[start : page.index("</p>", start)])


def test_triage_page_says_received_once_and_asks_for_urgency_under_its_own_heading(
    cast: Cast, client_for: SignIn
) -> None:
    referral = cast.cat.referrals.get()
    assert referral.status == Status.RECEIVED
    client = client_for(cast.da_worker)
    url = reverse("referrals:detail", args=[referral.public_id])
    page = client.get(url).content.decode()
    received = f"{timezone.localtime(referral.received_at):%-d %b %Y}"
    line = _tag_line(page)
    assert line.count("Received") == 1 and f"on {received}" in line
    assert page.index("<h2>Urgency</h2>") < page.index("Mark as triaged") < page.index("<h2>Decide</h2>")
    assert page.index("<h2>Decide</h2>") < page.index("Accept referral")

    client.post(reverse("referrals:triage", args=[referral.public_id]), {"urgency": "soon", "note": ""})
    page = client.get(url).content.decode()
    line = _tag_line(page)
    assert "Soon" in line and "Triaged" in line and f"Received {received}" in line
    assert "<h2>Urgency</h2>" not in page and "<h2>Decide</h2>" in page
