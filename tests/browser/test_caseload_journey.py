"""Journeys through the caseload, a person's record and the contact form, in Chromium.

Who sees whom is the cast's (coexist/testing/cast.py). Every page visited is checked with axe-core
and saved as a screenshot in test-results/screenshots/. The fixtures are in conftest.py here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from coexist.audit.models import AccessLogEntry
from coexist.people.rules import ContactMethod
from coexist.testing.cast import Cast

CASELOAD = ["ABBOTT, Ann", "BAKER, Ben", "CARTER, Cat", "DUNN, Dan"]
NOT_ON_CASELOAD = ["EVANS, Eve", "FISHER, Fay"]

SignIn = Callable[..., None]
Url = Callable[[str], str]
Shot = Callable[[str], Path]
Axe = Callable[[Page], None]


def search(page: Page, query: str) -> None:
    page.fill("#id_q", query)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results")


def expect_listed(page: Page, names: list[str]) -> None:
    """The #people table lists exactly these people, in this order."""
    expect(page.locator("table#people tbody tr td:first-child a")).to_have_text(names)


def test_coordinator_finds_and_opens_a_person_on_their_caseload(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    sign_in(cast.coordinator)

    expect(page).to_have_url(live_url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    table = page.locator("table#people")
    expect(table.locator("caption")).to_have_text("People whose care team you are in (4)")
    expect_listed(page, CASELOAD)
    for name in NOT_ON_CASELOAD:
        expect(table).not_to_contain_text(name)
    screenshot("caseload")
    assert_accessible(page)

    search(page, "Carter")
    expect_listed(page, ["CARTER, Cat"])
    screenshot("caseload-search")
    assert_accessible(page)

    search(page, "943 476 5919")
    expect_listed(page, ["ABBOTT, Ann"])
    assert_accessible(page)

    search(page, "02/07/1990")
    expect_listed(page, ["CARTER, Cat"])
    assert_accessible(page)

    page.get_by_role("link", name="Clear search and show your caseload").click()
    expect_listed(page, CASELOAD)

    page.get_by_role("link", name="ABBOTT, Ann").click()
    expect(page).to_have_url(live_url(f"/people/{cast.ann.public_id}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ann Abbott")
    expect(page.locator("main")).to_contain_text("Why you can see this record: care team.")
    screenshot("person")
    assert_accessible(page)

    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id, detail="person page")
    assert (entry.actor_username, entry.action, entry.outcome, entry.channel, entry.basis) == (
        "coordinator",
        "read",
        "allowed",
        "page",
        "care team",
    )


def test_worker_outside_the_care_team_is_refused_and_the_refusal_is_logged(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    sign_in(cast.da_worker)

    response = page.goto(live_url(f"/people/{cast.ann.public_id}/"))

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this record")
    expect(page.locator("main")).to_contain_text("You are not in this person's care team")
    expect(page.locator("main")).not_to_contain_text("Abbott")
    screenshot("refused")
    assert_accessible(page)
    refused = AccessLogEntry.objects.filter(actor_username="da_worker", person_public_id=cast.ann.public_id)
    assert [(e.outcome, e.channel, e.detail) for e in refused] == [("refused", "page", "person page")]


def test_consent_shows_only_the_parts_the_person_agreed_to_share(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    """Ben agreed to share his substance use and care plan with Pathways, not his contact details."""
    sign_in(cast.da_worker)

    response = page.goto(live_url(f"/people/{cast.ben.public_id}/"))

    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Baker")
    expect(page.locator("main")).to_contain_text(
        "Why you can see this record: consent to share with your organisation."
    )
    expect(page.get_by_role("heading", name="Contact", exact=True)).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(cast.ben.phone)
    screenshot("person-consent")
    assert_accessible(page)


def test_sign_in_page_and_its_error_state_are_accessible(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    page.goto(live_url("/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Coexist")
    screenshot("sign-in")
    assert_accessible(page)

    sign_in(cast.coordinator, password="not-the-password")

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page.get_by_role("navigation", name="Account")).to_have_count(0)
    screenshot("sign-in-error")
    assert_accessible(page)


def test_r11_contact_method_needs_its_details_in_the_browser(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    ann = cast.ann
    assert (ann.contact_method, ann.email) == (ContactMethod.TEXT, "")
    sign_in(cast.coordinator)
    page.goto(live_url(f"/people/{ann.public_id}/"))
    page.get_by_role("link", name="Change contact preference and details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact preference and details")

    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Save").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(re.compile(r"^Enter an email address"))
    expect(page.locator("#id_email-error")).to_contain_text(
        "Enter an email address, because the chosen contact method is email."
    )
    expect(page.get_by_label("Email", exact=True)).to_be_checked()
    screenshot("contact-error")
    assert_accessible(page)
    ann.refresh_from_db()
    assert (ann.contact_method, ann.email) == (ContactMethod.TEXT, "")

    summary.get_by_role("link").click()
    expect(page.locator("#id_email")).to_be_focused()
    page.fill("#id_email", "ann.abbott@example.org")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(live_url(f"/people/{ann.public_id}/"))
    expect(page.get_by_role("status")).to_contain_text("Contact preference saved.")
    expect(page.locator("main")).to_contain_text("ann.abbott@example.org")
    screenshot("contact-saved")
    assert_accessible(page)
    ann.refresh_from_db()
    assert (ann.contact_method, ann.email) == (ContactMethod.EMAIL, "ann.abbott@example.org")


def test_r11_error_message_is_tied_to_its_field(page: Page, cast: Cast, sign_in: SignIn, live_url: Url) -> None:
    sign_in(cast.coordinator)
    page.goto(live_url(f"/people/{cast.ann.public_id}/contact/"))
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_email-error")).to_be_visible()

    email = page.locator("#id_email")
    assert "id_email-error" in (email.get_attribute("aria-describedby") or "").split()
    assert "nhsuk-input--error" in (email.get_attribute("class") or "").split()


def test_caseload_fits_a_phone_screen(
    page: Page, cast: Cast, sign_in: SignIn, screenshot: Shot, assert_accessible: Axe
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(cast.coordinator)

    expect_listed(page, CASELOAD)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    screenshot("caseload-phone")
    assert overflow <= 1, f"The caseload scrolls sideways by {overflow}px on a 375px-wide screen"
    assert_accessible(page)
