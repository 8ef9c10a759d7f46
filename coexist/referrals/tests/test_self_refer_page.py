"""R12: the public self-referral page at /refer-yourself/: no account, plain words, a reference, crisis
advice, clear messages for bad input, and a rate limit by address with a friendly 429 page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coexist.referrals.models import Referral
from coexist.testing.cast import Cast

from .conftest import self_referral_post

URL = "/refer-yourself/"


def test_r12_self_referral_page_needs_no_account(client: Client, cast: Cast) -> None:
    assert reverse("public:self-refer") == URL
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ask for help" in html
    assert "NHS 111" in html and "option 2" in html and "999" in html
    assert 'name="viewport"' in html  # phone-sized screens


def test_r12_a_sent_self_referral_shows_its_reference_and_what_happens_next(client: Client, cast: Cast) -> None:
    response = client.post(URL, self_referral_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("public:self-refer-sent")
    referral = Referral.objects.get(route="self")
    page = client.get(response["Location"]).content.decode()
    assert referral.reference in page
    assert "What happens next" in page
    assert "NHS 111" in page and "option 2" in page and "999" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_name": "", "family_name": "", "reason": ""}, "Enter your first name."),
        ({"reason": "x" * 10_000}, "must be 1000 characters or fewer"),
        ({"date_of_birth_year": "2100"}, "Date of birth must be in the past."),
        ({"date_of_birth_year": "1850"}, "Enter a year after 1900."),
        ({"reason": "<script>alert(1)</script>"}, "cannot contain the &lt; and &gt; characters"),
        ({"given_name": "Sam\x00"}, "hidden character"),
        ({"contact_method": "email", "email": ""}, "Enter an email address"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    client: Client, cast: Cast, changes: dict[str, str], message: str
) -> None:
    response = client.post(URL, self_referral_post(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "<script>alert(1)</script>" not in html  # echoed back escaped, never as markup
    assert not Referral.objects.filter(route="self").exists()


def test_self_referral_is_rate_limited_by_address_with_a_friendly_page(client: Client, cast: Cast) -> None:
    for _ in range(5):
        assert client.post(URL, self_referral_post()).status_code == 302
    refused = client.post(URL, self_referral_post())
    assert refused.status_code == 429
    assert "Please try again later" in refused.content.decode()
    assert "NHS 111" in refused.content.decode()
    assert Referral.objects.filter(route="self").count() == 5
    # Another address is not affected.
    assert client.post(URL, self_referral_post(), REMOTE_ADDR="203.0.113.9").status_code == 302


def test_repeated_bad_attempts_are_limited_too(client: Client, cast: Cast) -> None:
    for _ in range(30):
        client.post(URL, self_referral_post(given_name=""))
    assert client.post(URL, self_referral_post()).status_code == 429
    assert not Referral.objects.filter(route="self").exists()


def test_sent_page_without_a_referral_still_gives_crisis_advice(client: Client, cast: Cast) -> None:
    page = client.get(reverse("public:self-refer-sent"))
    assert page.status_code == 200
    assert "NHS 111" in page.content.decode()
