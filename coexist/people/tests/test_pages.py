"""The caseload, search, a person's page and the forms that change it, as pages."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.testing.cast import Cast
from coexist.testing.factories import CareTeamMemberFactory, PersonFactory

SignIn = Callable[[User], Client]


def test_caseload_lists_the_care_team_people_and_logs_each_as_read(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.coordinator).get(reverse("home")).content.decode()
    for name in ("ABBOTT", "BAKER", "CARTER", "DUNN"):
        assert name in page
    assert "EVANS" not in page and "FISHER" not in page
    logged = set(AccessLogEntry.objects.filter(detail="caseload list").values_list("person_public_id", flat=True))
    assert logged == {cast.ann.public_id, cast.ben.public_id, cast.cat.public_id, cast.dan.public_id}


def test_search_reaches_people_visible_through_a_referral(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.da_worker).get(reverse("home"), {"q": "Carter"}).content.decode()
    assert "CARTER" in page
    assert AccessLogEntry.objects.filter(detail="search: Carter", person_public_id=cast.cat.public_id).exists()


def test_search_never_reveals_someone_the_viewer_may_not_see(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.da_worker).get(reverse("home"), {"q": "Abbott"}).content.decode()
    assert "ABBOTT" not in page
    assert "No one you may see matches" in page


def test_search_by_nhs_number_and_date_of_birth(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    assert "ABBOTT" in client.get(reverse("home"), {"q": "943 476 5919"}).content.decode()
    by_dob = client.get(reverse("home"), {"q": "02/07/1990"}).content.decode()
    assert "CARTER" in by_dob and "ABBOTT" not in by_dob


def test_opening_a_person_writes_an_access_log_entry(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id]))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(detail="person page")
    assert (entry.actor_username, entry.person_public_id, entry.action, entry.outcome, entry.channel) == (
        "coordinator", cast.ann.public_id, "read", "allowed", "page",
    )  # fmt: skip
    assert "contact" in entry.parts and "substance_use" in entry.parts


def test_a_refused_person_page_says_why_and_is_logged(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.da_worker).get(reverse("people:detail", args=[cast.ann.public_id]))
    assert response.status_code == 403
    assert "You cannot see this record" in response.content.decode()
    assert "not in this person&#x27;s care team" in response.content.decode()
    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id)
    assert (entry.actor_username, entry.outcome) == ("da_worker", "refused")


def test_consent_shows_only_the_shared_parts(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.da_worker).get(reverse("people:detail", args=[cast.ben.public_id])).content.decode()
    assert "Ben Baker" in page
    assert "<h2>Contact</h2>" not in page
    assert "<h2>Consent to share</h2>" not in page
    assert "consent to share with your organisation" in page


def test_r11_contact_form_refuses_email_without_an_address(cast: Cast, client_for: SignIn) -> None:
    url = reverse("people:edit-contact", args=[cast.ann.public_id])
    response = client_for(cast.coordinator).post(url, {"contact_method": "email", "email": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter an email address" in page
    cast.ann.refresh_from_db()
    assert cast.ann.contact_method == "text"


def test_contact_form_saves_and_returns_to_the_person(cast: Cast, client_for: SignIn) -> None:
    url = reverse("people:edit-contact", args=[cast.ann.public_id])
    response = client_for(cast.coordinator).post(
        url, {"contact_method": "email", "email": "ann@example.com", "phone": "", "address": "", "postcode": ""}
    )
    assert response.status_code == 302
    cast.ann.refresh_from_db()
    assert (cast.ann.contact_method, cast.ann.email) == ("email", "ann@example.com")


def test_equality_form_saves_r14_fields(cast: Cast, client_for: SignIn) -> None:
    url = reverse("people:edit-equality", args=[cast.ann.public_id])
    response = client_for(cast.coordinator).post(
        url,
        {
            "sex": "female", "gender_identity": "", "ethnic_category": "N", "housing_status": "rough_sleeping",
            "released_from_prison_on_day": "1", "released_from_prison_on_month": "10", "released_from_prison_on_year": "2025",
            "has_caring_responsibilities": "true", "childcare_barrier": "true", "transport_barrier": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    cast.ann.refresh_from_db()
    assert cast.ann.housing_status == "rough_sleeping"
    assert cast.ann.released_from_prison_on.isoformat() == "2025-10-01"
    assert cast.ann.has_caring_responsibilities is True
    assert cast.ann.transport_barrier is None


def test_an_impossible_date_gets_a_clear_message(cast: Cast, client_for: SignIn) -> None:
    url = reverse("people:edit-equality", args=[cast.ann.public_id])
    response = client_for(cast.coordinator).post(
        url,
        {"sex": "female", "ethnic_category": "A", "housing_status": "settled", "released_from_prison_on_day": "31",
         "released_from_prison_on_month": "2", "released_from_prison_on_year": "2025"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Enter a real date" in response.content.decode()


def test_a_consent_reader_cannot_open_the_change_form(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.da_worker).get(reverse("people:edit-contact", args=[cast.ben.public_id]))
    assert response.status_code == 403


def test_record_and_withdraw_consent_through_the_pages(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    today = timezone.localdate()
    response = client.post(
        reverse("people:consent-new", args=[cast.ann.public_id]),
        {"recipient": f"org:{cast.pathways.public_id}", "parts": ["substance_use", "care_plan"],
         "given_on_day": today.day, "given_on_month": today.month, "given_on_year": today.year},
    )  # fmt: skip
    assert response.status_code == 302
    consent = cast.ann.consents.get()
    assert sorted(consent.parts) == ["care_plan", "substance_use"]
    response = client.post(
        reverse("people:consent-withdraw", args=[cast.ann.public_id, consent.public_id]),
        {"withdrawn_on_day": today.day, "withdrawn_on_month": today.month, "withdrawn_on_year": today.year, "note": ""},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == today


def test_consent_form_needs_a_recipient_and_a_part(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.coordinator).post(reverse("people:consent-new", args=[cast.ann.public_id]), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("This field is required.") >= 3
    assert not cast.ann.consents.exists()


def test_administrator_home_has_no_records(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.admin).get(reverse("home")).content.decode()
    assert "You do not see people's records" in page
    assert "ABBOTT" not in page


def test_researcher_home_has_no_records(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.researcher).get(reverse("home")).content.decode()
    assert "de-identified" in page
    assert "ABBOTT" not in page


def test_caseload_page_queries_do_not_grow_with_the_caseload(
    cast: Cast, client_for: SignIn, django_assert_max_num_queries
) -> None:
    client = client_for(cast.coordinator)
    client.get(reverse("home"))  # warm the session
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("home"))
    for _ in range(20):
        CareTeamMemberFactory(person=PersonFactory(), user=cast.coordinator)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))
