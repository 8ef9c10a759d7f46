"""The outcome dashboards in Chromium (issue 6 point 3): a service's dashboard divided by sex, and the commissioner's
view, each checked with axe-core (no serious or critical violation) and saved as a screenshot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from coexist.testing.cast import Cast

SignIn = Callable[..., None]
Url = Callable[[str], str]
Shot = Callable[[str], Path]
Axe = Callable[[Page], None]


def test_service_dashboard_with_a_cut_is_accessible(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    sign_in(cast.coordinator)
    page.goto(live_url(reverse("outcomes:service", args=[cast.cmht.public_id]) + "?months=12"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes: Community mental health service")
    page.select_option("#cut", "sex")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "cut=sex" in page.url
    expect(page.locator("caption").filter(has_text="by sex").first).to_be_visible()
    assert_accessible(page)
    screenshot("outcomes-service-by-sex")


def test_commissioner_view_is_accessible(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    sign_in(cast.team_leader)
    page.goto(live_url(reverse("outcomes:commissioner")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes across services")
    assert_accessible(page)
    screenshot("outcomes-commissioner")
