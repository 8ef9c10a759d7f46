"""The whole journey, in Chromium: a self-referral from a phone, triage, a joint assessment with measures,
naming the care coordinator, and the care plan with the person's plain-language copy (issue 3).

Every page is checked with axe-core and saved as a screenshot in test-results/screenshots/. With
COEXIST_SAVE_DOC_SCREENSHOTS=1 the journey's screenshots are also copied, numbered in journey order, into
docs/screenshots/journey-NN-<name>.png (off by default, so a test run does not rewrite the docs).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coexist.assessments.models import AssessmentStatus, JointAssessment, RiskFlag, RiskKind
from coexist.assessments.rules import Domain
from coexist.care.models import EpisodeOfCare
from coexist.people.models import Person
from coexist.referrals.models import Referral, Status
from coexist.tasks.models import Task
from coexist.testing.cast import Cast

SignIn = Callable[..., None]
Url = Callable[[str], str]
Shot = Callable[[str], Path]
Axe = Callable[[Page], None]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 720}

# Every domain needs a need before the assessment can be completed (R2). None urgent here: the urgent
# task in this journey comes from PHQ-9 item 9 (R15).
NEEDS = {
    Domain.MENTAL_HEALTH: "routine",
    Domain.SUBSTANCE_USE: "routine",
    Domain.PHYSICAL_HEALTH: "none",
    Domain.HOUSING: "routine",
    Domain.BENEFITS_MONEY: "routine",
    Domain.SOCIAL_ISOLATION: "routine",
    Domain.SAFEGUARDING_PERSON: "none",
    Domain.SAFEGUARDING_CARERS: "none",
    Domain.SAFEGUARDING_CHILDREN: "none",
    Domain.STRENGTHS: "none",
    Domain.RISKS: "routine",
}


class Journey:
    """Screenshots of the journey's pages: each saved by the `screenshot` fixture and, when asked, copied
    into docs/screenshots/ with its place in the journey."""

    def __init__(self, page: Page, screenshot: Shot, assert_accessible: Axe) -> None:
        self.page = page
        self.screenshot = screenshot
        self.assert_accessible = assert_accessible
        self.number = 0
        self.to_docs = os.environ.get("COEXIST_SAVE_DOC_SCREENSHOTS") == "1"

    def check(self, name: str) -> None:
        """Screenshot this page as the journey's next step, then check it with axe."""
        self.number += 1
        saved = self.screenshot(f"journey-{self.number:02d}-{name}")
        if self.to_docs:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(saved, DOCS_SCREENSHOTS / saved.name)
        self.assert_accessible(self.page)


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    width = page.viewport_size["width"] if page.viewport_size else "?"
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px on a {width}px-wide screen"


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("navigation", name="Account")).to_have_count(0)


def answer_measure(page: Page, answers: dict[str, int]) -> None:
    for code, value in answers.items():
        page.locator(f"input[name='{code}'][value='{value}']").check()
    page.get_by_role("button", name="Save and score").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"result$"))


@pytest.fixture
def journey(page: Page, screenshot: Shot, assert_accessible: Axe) -> Journey:
    return Journey(page, screenshot, assert_accessible)


def self_refer_from_a_phone(page: Page, live_url: Url, journey: Journey) -> str:
    """1. Someone asks for help with their mental health on the public form, from a phone. Returns the reference."""
    page.set_viewport_size(PHONE)
    page.goto(live_url("/refer-yourself/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for help with your mental health, drugs or alcohol")
    expect(page.get_by_role("navigation", name="Account")).to_have_count(0)

    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("1991")
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("Is there anything we should know").fill("Only text me, please.")
    page.get_by_label("My mental health").check()
    page.get_by_label("Tell us a little about what is going on").fill(
        "I have been hearing voices again and drinking most days to cope."
    )
    no_sideways_scroll(page)
    journey.check("self-referral-phone")

    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(live_url("/refer-yourself/sent/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("We have your request")
    reference = page.locator("#reference").inner_text().strip()
    assert reference
    no_sideways_scroll(page)
    journey.check("self-referral-sent")
    page.set_viewport_size(DESKTOP)
    return reference


def test_referral_to_care_plan(page: Page, cast: Cast, sign_in: SignIn, live_url: Url, journey: Journey) -> None:
    # 1. The self-referral, on a phone, with no account.
    reference = self_refer_from_a_phone(page, live_url, journey)
    referral = Referral.objects.get(reference=reference)
    assert referral.to_service == cast.cmht
    assert referral.person is None

    # 2. A North team member triages it: records the person and accepts the referral into North.
    sign_in(cast.coordinator)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals to triage")
    row = page.locator("table#referrals tbody tr", has_text=reference)
    expect(row).to_contain_text("Jordan Lee")
    expect(row).to_contain_text("Not linked")
    journey.check("triage-queue")

    row.get_by_role("link", name=reference).click()
    expect(page).to_have_url(live_url(f"/referrals/{referral.public_id}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Lee")
    expect(page.locator("main")).to_contain_text("No existing record has the same NHS number")
    journey.check("referral-detail")

    page.get_by_role("link", name="Record a new person from these details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a new person")
    expect(page.get_by_label("First name")).to_have_value("Jordan")
    expect(page.get_by_label("Last name")).to_have_value("Lee")
    journey.check("record-person")
    page.get_by_role("button", name="Record person and link referral").click()
    expect(page.get_by_role("status")).to_contain_text("Jordan Lee recorded and linked to this referral.")
    person = Person.objects.get(given_name="Jordan", family_name="Lee")

    page.get_by_role("link", name="Accept referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept referral")
    page.get_by_label("North community team").check()
    journey.check("accept")
    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Referral accepted. An episode of care is open with North community team."
    )
    referral.refresh_from_db()
    assert (referral.status, referral.person) == (Status.ACCEPTED, person)
    episode = EpisodeOfCare.objects.get(person=person, referral=referral)
    assert (episode.team, episode.coordinator) == (cast.north, None)

    # 3. The joint assessment: the drug and alcohol worker joins the care team and assesses with Alex.
    page.goto(live_url(f"/care/episodes/{episode.public_id}/care-team/new/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add someone to the care team")
    page.get_by_label("Member of staff").select_option(label="Chidi Okafor")
    page.get_by_label("Their role in the care team").select_option(label="Substance misuse worker")
    page.get_by_role("button", name="Add to care team").click()
    expect(page.get_by_role("status")).to_contain_text("Chidi Okafor added to the care team.")

    page.goto(live_url(f"/assessments/person/{person.public_id}/new/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a joint comprehensive assessment")
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("status")).to_contain_text("Assessment started.")
    assessment = JointAssessment.objects.get(person=person)
    assessment_url = live_url(f"/assessments/{assessment.public_id}/")
    expect(page).to_have_url(assessment_url)

    page.get_by_role("link", name="Add the second assessor").click()
    page.get_by_label("Second assessor").select_option(label="Chidi Okafor (Substance misuse worker)")
    page.get_by_role("button", name="Add assessor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joint comprehensive assessment")
    expect(page.locator("main")).to_contain_text("Chidi Okafor, Pathways Drug and Alcohol Service")
    journey.check("assessment")

    # AUDIT, from the assessment page.
    page.get_by_role("link", name="Add AUDIT").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^AUDIT: "))
    expect(page.locator("main")).to_contain_text("This will be attached to the joint assessment")
    journey.check("audit")
    answer_measure(
        page,
        {"audit_1": 4, "audit_2": 3, "audit_3": 3, "audit_4": 2, "audit_5": 1}
        | {"audit_6": 1, "audit_7": 2, "audit_8": 1, "audit_9": 0, "audit_10": 2},
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("AUDIT result")
    expect(page.locator(".nhsuk-warning-callout")).to_have_count(0)
    journey.check("audit-result")

    # PHQ-9, with item 9 above 0: a self-harm or suicide risk flag and an urgent task (R15).
    page.get_by_role("link", name="Back to the joint assessment").click()
    expect(page).to_have_url(assessment_url)
    page.get_by_role("link", name="Add PHQ-9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^PHQ-9: "))
    answer_measure(
        page,
        {f"phq9_{n}": value for n, value in enumerate([2, 2, 3, 2, 1, 2, 1, 0, 1], start=1)} | {"phq9_difficulty": 2},
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9 result")
    flag_callout = page.locator(".nhsuk-warning-callout")
    expect(flag_callout).to_contain_text("Risk flag raised")
    expect(flag_callout).to_contain_text("PHQ-9 item 9 answered 1")
    expect(flag_callout).to_contain_text("self-harm or suicide risk flag has been raised")
    expect(page.locator("#answers")).to_contain_text("Several days")
    journey.check("phq9-result-flag")
    phq9_result_url = page.url
    flag = RiskFlag.objects.get(person=person)
    assert flag.kind == RiskKind.SELF_HARM_SUICIDE
    urgent = Task.objects.get(person=person, priority="urgent", rule="R15")
    assert urgent.assigned_to == cast.coordinator

    page.goto(live_url("/tasks/"))
    tasks = page.locator("table#tasks tbody tr", has_text="LEE, Jordan")
    expect(tasks).to_have_count(1)
    expect(tasks).to_contain_text("Respond to self-harm or suicide risk")
    expect(tasks).to_contain_text("Urgent")
    journey.check("tasks")

    # Every domain: notes and a need. Save, then complete.
    page.goto(assessment_url)
    expect(page.locator(".coexist-risk-flags")).to_contain_text("Self-harm or suicide")
    page.get_by_label("Diagnosis (if known)").fill("Schizophrenia")
    for domain, need in NEEDS.items():
        section = page.locator(f"#domain-{domain}")
        section.get_by_role("textbox").last.fill(f"Discussed {Domain(domain).label.lower()} with Jordan.")
        section.locator(f"input[name='{domain}_need'][value='{need}']").check()
    page.locator("#domain-safeguarding_children").get_by_label(
        "No children live with them or are cared for by them"
    ).check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("status")).to_contain_text("Assessment saved.")
    page.get_by_role("button", name="Complete assessment").click()
    expect(page.get_by_role("status")).to_contain_text("Assessment completed.")
    expect(page.locator("main")).to_contain_text("Completed")
    journey.check("assessment-completed")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.assessors.count() == 2
    sign_out(page)

    # 4. The team leader names Alex Morgan as care coordinator.
    sign_in(cast.team_leader)
    page.goto(live_url("/care/team/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Team leader's list")
    waiting = page.locator(f"table#no-coordinator-{cast.north.public_id} tbody tr", has_text="LEE, Jordan")
    expect(waiting).to_have_count(1)
    journey.check("team-leader")
    waiting.get_by_role("link", name="Name a care coordinator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Name a care coordinator")
    page.get_by_label("Alex Morgan").check()
    journey.check("assign-coordinator")
    page.get_by_role("button", name="Save care coordinator").click()
    expect(page.get_by_role("status")).to_contain_text("Alex Morgan is now the care coordinator.")
    episode.refresh_from_db()
    assert episode.coordinator == cast.coordinator
    sign_out(page)

    # 5. Alex writes the care plan with Jordan, then gives Jordan their plain-language copy.
    sign_in(cast.coordinator)
    page.goto(live_url(f"/care-plans/{person.public_id}/edit/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the care plan")
    page.get_by_label("Summary written for the person").fill(
        "We will meet every week. Together we will work on the voices, your drinking and your flat."
    )
    own_goals = page.get_by_role("group", name="Jordan's own goals, in their words")
    own_goals.get_by_label("Goal 1").fill("Sleep through the night.")
    own_goals.get_by_label("Goal 2").fill("Drink less, and not in the mornings.")
    service_goals = page.get_by_role("group", name="The service's goals")
    service_goals.get_by_label("Goal 1").fill("Review antipsychotic medication with the psychiatrist.")
    service_goals.get_by_label("Goal 2").fill("Alcohol detox assessment with Pathways.")
    page.get_by_label("How differences between the person's and the service's goals were agreed").fill(
        "Jordan wants to cut down rather than stop; we agreed to start there."
    )
    page.get_by_label("Strengths and abilities").fill("Keeps in touch with their sister. Good at cooking.")
    page.get_by_label("Coping strategies").fill("Walks by the river; headphones and music when the voices are loud.")
    page.get_by_label("Service 1", exact=True).fill("North community team")
    page.get_by_label("Named contact at service 1").fill("Alex Morgan")
    page.get_by_label("Phone number for service 1").fill("0113 496 0000")
    page.get_by_label("Service 2", exact=True).fill("Pathways Drug and Alcohol Service")
    page.get_by_label("Named contact at service 2").fill("Chidi Okafor")
    page.get_by_label("Phone number for service 2").fill("0113 496 0001")
    page.get_by_label("Crisis plan").fill(
        "Early signs: not sleeping, voices saying to self-harm. Call the crisis line on 0800 123 4567, day or night."
    )
    page.get_by_label("If mental health gets worse").fill("Alex visits within 2 days; medical review.")
    page.get_by_label("If physical health gets worse").fill("See the GP; withdrawal seizures mean calling 999.")
    page.get_by_label("If there is a risk of suicide").fill("Crisis team same day; remove means with their agreement.")
    page.get_by_label("If there is a risk of overdose").fill("Do not drink with sleeping tablets; naloxone kit held.")
    journey.check("care-plan-edit")
    page.get_by_role("button", name="Save the care plan").click()

    expect(page).to_have_url(live_url(f"/care-plans/{person.public_id}/"))
    expect(page.get_by_role("status")).to_contain_text("Care plan saved as version 1.")
    expect(page.get_by_role("status")).not_to_contain_text("incomplete")
    expect(page.locator("main")).to_contain_text("Sleep through the night.")
    journey.check("care-plan")

    page.get_by_role("link", name=re.compile(r"^Plain-language copy")).click()
    expect(page).to_have_url(live_url(f"/care-plans/{person.public_id}/plain/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your care plan, Jordan")
    expect(page.locator("main")).to_contain_text("Drink less, and not in the mornings.")
    journey.check("plain-language")

    page.evaluate("() => { window.__printed = false; window.print = () => { window.__printed = true; }; }")
    page.get_by_role("button", name="Print this plan").click()
    assert page.evaluate("() => window.__printed") is True

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-"), pdf[:20]

    # The same pages on a phone: nothing scrolls sideways, not even the tables.
    page.set_viewport_size(PHONE)
    for name, path in [
        ("queue", "/referrals/"),
        ("referral", f"/referrals/{referral.public_id}/"),
        ("assessment", f"/assessments/{assessment.public_id}/"),
        ("phq9-result", phq9_result_url.removeprefix(live_url(""))),
        ("tasks", "/tasks/"),
        ("episode", f"/care/episodes/{episode.public_id}/"),
        ("care-plan", f"/care-plans/{person.public_id}/"),
        ("plain-language", f"/care-plans/{person.public_id}/plain/"),
    ]:
        page.goto(live_url(path))
        journey.screenshot(f"journey-phone-{name}")
        no_sideways_scroll(page)


def test_self_referral_errors_on_a_phone_are_accessible(
    page: Page, cast: Cast, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    referrals_before = Referral.objects.count()
    page.set_viewport_size(PHONE)
    page.goto(live_url("/refer-yourself/"))
    page.get_by_role("button", name="Send").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter your first name.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    no_sideways_scroll(page)
    screenshot("self-referral-phone-errors")
    assert_accessible(page)
    assert Referral.objects.count() == referrals_before
