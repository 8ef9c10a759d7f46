"""R6 in Chromium: a care coordinator records a missed appointment, finds the follow-up task on
their worklist, records a home visit that reached the person, and the task clears.

Every page visited is checked with axe-core and saved in test-results/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from coexist.audit.models import Channel
from coexist.engagement.models import FollowUp
from coexist.engagement.services import appointment_book
from coexist.tasks.models import TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory

SignIn = Callable[..., None]
Url = Callable[[str], str]
Shot = Callable[[str], Path]
Axe = Callable[[Page], None]


def test_r6_coordinator_records_a_miss_follows_it_up_with_a_home_visit_and_the_task_clears(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)
    appointment = appointment_book(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=timezone.now() - timedelta(hours=2),
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    sign_in(cast.coordinator)
    header_tasks = page.get_by_role("navigation", name="Menu").get_by_role("link", name=re.compile("Tasks"))
    expect(header_tasks).to_have_text("Tasks (0)")

    # Record that Ann did not come.
    page.goto(live_url(f"/appointments/people/{cast.ann.public_id}/"))
    page.get_by_role("link", name=re.compile("Record outcome")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the outcome")
    assert_accessible(page)
    page.get_by_label("Did not attend without warning").check()
    screenshot("r6-01-record-did-not-attend")
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator("main [role=status]").first).to_contain_text("A follow-up task was created for Alex Morgan")
    screenshot("r6-02-appointments-after-miss")
    assert_accessible(page)

    # The task is on the coordinator's worklist, and the row leads to the follow-up.
    expect(header_tasks).to_have_text("Tasks (1)")
    header_tasks.click()
    tasks = page.locator("table#tasks")
    expect(tasks).to_contain_text("Follow up missed appointment")
    expect(tasks).to_contain_text("ABBOTT, Ann")
    screenshot("r6-03-tasks-with-follow-up")
    assert_accessible(page)
    tasks.get_by_role("link", name=re.compile("Record follow-up")).click()

    # A home visit that reached Ann completes the follow-up.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow")
    page.get_by_label("Home visit").check()
    page.get_by_label("Reached the person").check()
    page.get_by_label("Note (optional)").fill("Ann was at home and well; rebooked for Tuesday.")
    screenshot("r6-04-follow-up-home-visit")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Record")).click()
    expect(page.locator("main")).to_contain_text("The follow-up is complete and its task is closed.")
    screenshot("r6-05-follow-up-complete")
    assert_accessible(page)

    # The worklist is clear.
    expect(header_tasks).to_have_text("Tasks (0)")
    header_tasks.click()
    expect(page.locator("main")).to_contain_text("You have no open tasks.")
    follow_up = FollowUp.objects.select_related("task").get(appointment=appointment)
    assert follow_up.completed_at is not None and follow_up.task.status == TaskStatus.DONE
