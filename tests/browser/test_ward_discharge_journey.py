"""R8 and R9 in Chromium (issue 5): Ben, on methadone, is admitted to Willow ward; the ward substance misuse
worker from Pathways sees him (AUDIT screen, naloxone, a place in a Pathways group); during leave he is referred
to the community drug and alcohol service and assessed; the discharge checklist blocks discharge until the
community prescriber accepts the prescribing handover; the discharge completes; the care coordinator finds the
72-hour follow-up task; and a week later Ben is on the group's register as attended.

Every page visited is checked with axe-core and saved in test-results/screenshots/ as r9-NN-<name>.png. Set-up
with no page of its own (the ward referral, the community episode, a complete care plan, the group and its
session) is done with factories; everything else goes through the real pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import time_machine
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from coexist.care.models import EpisodeOfCare
from coexist.engagement.models import GroupAttendance, GroupEnrolment
from coexist.inpatient.models import Admission
from coexist.instruments.models import InstrumentResponse
from coexist.medicines.models import DoseGiven, HandoverStatus, NaloxoneOffer, PrescribingHandover
from coexist.referrals.models import Referral
from coexist.tasks.models import TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    CarePlanVersionFactory,
    EpisodeFactory,
    GroupFactory,
    GroupSessionFactory,
    ReferralFactory,
)
from coexist.transitions.models import Transition, TransitionStatus
from coexist.transitions.rules import FOLLOW_UP_WINDOW

SignIn = Callable[..., None]
Url = Callable[[str], str]
Shot = Callable[[str], Path]
Axe = Callable[[Page], None]


def fill_date(page: Page, name: str, day: date) -> None:
    """Fill an NHS.UK date input (day, month and year boxes) of the form field `name`."""
    page.fill(f"input[name='{name}_day']", str(day.day))
    page.fill(f"input[name='{name}_month']", str(day.month))
    page.fill(f"input[name='{name}_year']", str(day.year))


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("navigation", name="Account")).to_have_count(0)


def row(page: Page, text: str) -> Locator:
    """The checklist table row whose item title contains `text`."""
    return page.locator("table tr", has_text=text)


def test_r8_r9_person_on_methadone_admitted_discharged_with_continuity_and_back_at_group(
    page: Page, cast: Cast, sign_in: SignIn, live_url: Url, screenshot: Shot, assert_accessible: Axe
) -> None:
    ben = cast.ben
    main = page.locator("main")
    now = timezone.localtime()
    admitted = (now - timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    # Set-up with no page: the referral that brings Ben to the ward, his community episode with the care
    # coordinator (who owns the 72-hour follow-up), a complete care plan (risk, crisis and contingency plans and
    # a number to call), and a Pathways group with a session a week from now, run by the ward worker.
    ReferralFactory(person=ben, to_service=cast.ward, referrer=cast.coordinator)
    EpisodeFactory(person=ben, team=cast.north, coordinator=cast.coordinator, opened_by=cast.coordinator)
    CarePlanVersionFactory(plan__person=ben, created_by=cast.coordinator)
    group = GroupFactory(
        service=cast.pathways_service, name="Staying well: substance misuse group", created_by=cast.da_worker
    )
    session_at = timezone.make_aware(datetime.combine(now.date() + timedelta(days=7), time(14, 0)))
    session = GroupSessionFactory(
        group=group, starts_at=session_at, place="Pathways hub, room 2", facilitators=[cast.da_worker]
    )

    # 1. The ward nurse admits Ben, detained under section 2.
    sign_in(cast.ward_nurse)
    page.goto(live_url(f"/inpatient/people/{ben.public_id}/admit/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Admit to a ward")
    fill_date(page, "admitted_on", admitted.date())
    page.fill("#id_admitted_time", f"{admitted:%H:%M}")
    page.get_by_label("Detained: section 2 (assessment)").check()
    page.get_by_label("Reason for admission (optional)").fill(
        "Relapse of psychosis; using heroin on top of his methadone."
    )
    screenshot("r9-01-admit")
    assert_accessible(page)
    page.get_by_role("button", name="Admit").click()
    expect(main).to_contain_text("Ben Baker is admitted to Willow ward.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stay on Willow ward")
    expect(main).to_contain_text("Detained: section 2 (assessment)")
    expect(page.locator("#screen + *")).to_contain_text("Not done yet")
    screenshot("r9-02-admission")
    assert_accessible(page)
    admission_url = page.url

    # 2. The ward nurse names the ward substance misuse worker from Pathways.
    page.get_by_role("link", name="Assign the ward substance misuse worker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward substance misuse worker")
    page.get_by_label("Ward substance misuse worker").select_option(label="Erin Walsh")
    screenshot("r9-03-ward-worker")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Erin Walsh is the ward substance misuse worker.")

    # 3. The methadone course the ward prescribes, started on admission.
    page.goto(live_url(f"/medicines/people/{ben.public_id}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Medicines continuity")
    page.get_by_role("link", name="Start opiate substitution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start opiate substitution treatment")
    page.get_by_label("Methadone oral solution").check()
    expect(page.get_by_label("Prescribing service")).to_have_value(str(cast.ward.public_id))
    page.get_by_label("Or the prescriber's name").fill("Dr Hana Lee, ward doctor")
    fill_date(page, "started_on", admitted.date())
    page.get_by_label("Dose (mg)").fill("60")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Dispensing pharmacy").fill("Boots, High Street")
    screenshot("r9-04-start-methadone")
    assert_accessible(page)
    page.get_by_role("button", name="Start the course").click()
    expect(main).to_contain_text("Methadone oral solution started.")
    sign_out(page)

    # The ward worker sees Ben: the AUDIT screen within 24 hours of admission (R9, R15), naloxone, a group.
    sign_in(cast.da_worker)
    page.goto(admission_url)
    expect(main).to_contain_text("Erin Walsh")
    expect(main).to_contain_text("Staying well: substance misuse group")
    page.get_by_role("link", name=re.compile("Complete an AUDIT")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^AUDIT: "))
    answers = {"audit_1": 4, "audit_2": 3, "audit_3": 3, "audit_4": 2, "audit_5": 1}
    answers |= {"audit_6": 1, "audit_7": 2, "audit_8": 1, "audit_9": 0, "audit_10": 2}
    for code, value in answers.items():
        page.locator(f"input[name='{code}'][value='{value}']").check()
    screenshot("r9-05-audit")
    assert_accessible(page)
    page.get_by_role("button", name="Save and score").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AUDIT result")
    screenshot("r9-06-audit-result")
    assert_accessible(page)
    page.goto(admission_url)
    expect(page.locator("#screen + *")).to_contain_text("Done")

    page.goto(live_url(f"/medicines/people/{ben.public_id}/"))
    page.get_by_role("link", name="Record a naloxone offer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a naloxone offer")
    page.get_by_label("Offered and supplied").check()
    page.get_by_label("Kit supplied (or the kit they already have)").select_option(label="Nasal spray (Nyxoid)")
    page.get_by_label("Training given to the person").check()
    screenshot("r9-07-naloxone")
    assert_accessible(page)
    page.get_by_role("button", name="Record the offer").click()
    expect(main).to_contain_text("Naloxone offer recorded: offered and supplied.")

    page.goto(admission_url)
    page.get_by_role("link", name="Enrol Ben in a group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol Ben Baker in a group")
    page.get_by_label("Which group?").select_option(label=f"{group.name} ({cast.pathways_service.name})")
    screenshot("r9-08-enrol-in-group")
    assert_accessible(page)
    page.get_by_role("button", name="Enrol").click()
    expect(main).to_contain_text("Staying well: substance misuse group")
    sign_out(page)

    # 4. Leave. During it the ward nurse refers Ben to the community drug and alcohol service, and books the
    # assessment Pathways did while he was out. Then he is back, and today's dose is given on the ward.
    leave_from = (timezone.localtime() - timedelta(hours=3)).replace(second=0, microsecond=0)
    leave_until = leave_from + timedelta(hours=4)
    sign_in(cast.ward_nurse)
    page.goto(admission_url)
    page.get_by_role("link", name="Record leave").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record leave from the ward")
    page.get_by_label("Unescorted leave").check()
    fill_date(page, "starts_on", leave_from.date())
    page.fill("#id_starts_time", f"{leave_from:%H:%M}")
    fill_date(page, "ends_on", leave_until.date())
    page.fill("#id_ends_time", f"{leave_until:%H:%M}")
    page.get_by_label("Purpose (optional)").fill("Home visit; assessment by the community drug and alcohol service.")
    screenshot("r9-09-leave")
    assert_accessible(page)
    page.get_by_role("button", name="Record leave").click()
    expect(main).to_contain_text("Leave recorded.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Book an assessment by the community drug and alcohol service"
    )
    expect(main).to_contain_text("Ben has not been referred to a drug and alcohol service.")
    screenshot("r9-10-assessment-not-referred")
    assert_accessible(page)
    assessment_url = page.url

    page.goto(live_url(f"/referrals/new/?person={ben.public_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral")
    expect(page.get_by_label("Who is the referral for?")).to_have_value(str(ben.public_id))
    page.get_by_label("Refer to").select_option(
        label="Community drug and alcohol service (Pathways Drug and Alcohol Service)"
    )
    page.get_by_label("Ward", exact=True).check()
    page.get_by_label("Reason for referral").fill(
        "On methadone 60 mg prescribed on the ward; uses heroin on top. Discharge planned: please assess on "
        "leave and take over prescribing."
    )
    screenshot("r9-11-referral")
    assert_accessible(page)
    page.get_by_role("button", name="Send referral").click()
    expect(main).to_contain_text(re.compile(r"Referral \S+ sent to Community drug and alcohol service\."))

    page.goto(admission_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("On leave now")
    screenshot("r9-12-admission-on-leave")
    assert_accessible(page)
    page.goto(assessment_url)
    expect(main).not_to_contain_text("has not been referred")
    assessed_at = leave_from + timedelta(hours=1)
    page.get_by_label("Who will assess?").select_option(label="Chidi Okafor")
    fill_date(page, "on", assessed_at.date())
    page.fill("#id_at", f"{assessed_at:%H:%M}")
    screenshot("r9-13-book-assessment")
    assert_accessible(page)
    page.get_by_role("button", name="Book the assessment").click()
    expect(main).to_contain_text(f"Assessment booked with Chidi Okafor on {assessed_at:%d %B %Y at %H:%M}.")

    page.get_by_role("link", name=re.compile("^Record return")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record return from leave")
    screenshot("r9-14-return")
    assert_accessible(page)
    page.get_by_role("button", name="Record return").click()
    expect(main).to_contain_text("Return to the ward recorded.")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("On leave now")

    page.goto(live_url(f"/medicines/people/{ben.public_id}/"))
    page.get_by_role("link", name="Record a dose given").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a dose given")
    expect(page.get_by_label("Dose given (mg)")).to_have_value("60")
    page.get_by_label("Where was it given?").fill("Willow ward")
    screenshot("r9-15-dose-given")
    assert_accessible(page)
    page.get_by_role("button", name="Record the dose").click()
    expect(main).to_contain_text(re.compile(r"Dose given at .+ recorded\."))
    expect(main).to_contain_text("60 mg, Willow ward")
    screenshot("r9-16-medicines")
    assert_accessible(page)

    # 5. Discharge planning: the checklist shows the prescribing handover open, and completing is refused.
    page.goto(admission_url)
    page.get_by_role("link", name="Plan a discharge or transfer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a discharge or transfer")
    page.get_by_label("Discharge", exact=True).check()
    page.get_by_label("Reason for discharge (for a discharge)").select_option(label="Goals in the care plan met")
    page.get_by_label("Where the person goes next (optional)").fill("Home, with tenancy support from Riverside.")
    screenshot("r9-17-start-discharge")
    assert_accessible(page)
    page.get_by_role("button", name="Start the checklist").click()
    expect(main).to_contain_text("Discharge started. Work through the checklist.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge: planning")
    checklist_url = page.url
    prescribing = row(page, "The community prescriber has accepted the opiate substitution handover")
    expect(prescribing).to_contain_text("Open")
    expect(prescribing).to_contain_text("Send the handover to the community prescriber")
    expect(row(page, "Referral to the community drug and alcohol service")).to_contain_text("Met")
    expect(row(page, "Naloxone offered")).to_contain_text("Met")
    expect(row(page, "The care plan holds crisis and contingency plans")).to_contain_text("Met")
    expect(row(page, "A follow-up contact is booked within 72 hours")).to_contain_text("Open")
    screenshot("r9-18-checklist-open")
    assert_accessible(page)

    page.get_by_role("link", name="Complete the discharge", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete the discharge")
    screenshot("r9-19-complete-with-open-items")
    assert_accessible(page)
    page.get_by_role("button", name="Complete the discharge").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The discharge cannot go ahead while an item on the checklist is open (R8).")
    expect(summary).to_contain_text("The community prescriber has accepted the opiate substitution handover (R9)")
    expect(summary).to_contain_text("Everyone involved is invited to the discharge meeting")
    expect(summary).to_contain_text("A follow-up contact is booked within 72 hours of leaving the ward")
    screenshot("r9-20-complete-refused")
    assert_accessible(page)

    # The ward nurse sends the prescribing handover: first community dose the day after today's dose.
    page.goto(live_url(f"/medicines/people/{ben.public_id}/"))
    page.get_by_role("link", name="Ask for a prescribing handover").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the community prescriber to take over")
    page.get_by_label("Community service taking over prescribing").select_option(
        label="Community drug and alcohol service (Pathways Drug and Alcohol Service)"
    )
    # The day after the dose given on the ward (read back, so a run across midnight still agrees with the page).
    last_dose = DoseGiven.objects.filter(treatment__person=ben).latest("given_at")
    tomorrow = timezone.localdate(last_dose.given_at) + timedelta(days=1)
    expect(page.locator("input[name='first_community_dose_on_day']")).to_have_value(str(tomorrow.day))
    screenshot("r9-21-handover-request")
    assert_accessible(page)
    page.get_by_role("button", name="Ask for the handover").click()
    expect(main).to_contain_text(
        "Handover requested: Community drug and alcohol service has a task to accept or decline."
    )
    page.goto(checklist_url)
    expect(prescribing).to_contain_text("not yet accepted")
    expect(prescribing).to_contain_text("Open")
    screenshot("r9-22-checklist-waiting-for-prescriber")
    assert_accessible(page)
    sign_out(page)

    # The community prescriber finds the handover on their task list and accepts it.
    sign_in(cast.addictions_consultant)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=re.compile("Tasks")).click()
    tasks = page.locator("table#tasks")
    expect(tasks).to_contain_text("Prescribing handover for Ben Baker: accept or decline")
    screenshot("r9-23-prescriber-tasks")
    assert_accessible(page)
    tasks.get_by_role("link", name=re.compile("Accept or decline")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer the prescribing handover")
    expect(main).to_contain_text("Methadone oral solution")
    expect(main).to_contain_text(f"{tomorrow:%-d %B %Y}")
    page.get_by_label("Accept: we will prescribe from the first community dose date").check()
    page.get_by_label(
        "I confirm the drug, the dose, the last dose given and the date of the first community dose"
    ).check()
    page.get_by_label("Note, or why you decline").fill("First community dose supervised at Boots, High Street.")
    screenshot("r9-24-handover-answer")
    assert_accessible(page)
    page.get_by_role("button", name="Send the answer").click()
    expect(main).to_contain_text("Handover accepted: Community drug and alcohol service now prescribes.")
    expect(main).to_contain_text("Accepted")
    screenshot("r9-25-handover-accepted")
    assert_accessible(page)
    sign_out(page)

    # Back on the ward: the prescribing item is met; the meeting, housing and the 72-hour follow-up remain.
    sign_in(cast.ward_nurse)
    page.goto(checklist_url)
    expect(prescribing).to_contain_text("Met")
    expect(prescribing).to_contain_text("Accepted by Rosa Ibarra")

    page.get_by_role("link", name="Meeting and invitations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The discharge meeting")
    fill_date(page, "meeting_on", timezone.localdate())
    page.get_by_label("Time").fill("09:00")
    expect(page.get_by_label(re.compile("^Erin Walsh"))).to_be_checked()
    expect(page.get_by_label(re.compile("^Alex Morgan"))).to_be_checked()
    screenshot("r9-26-invite")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Meeting and invitations saved.")

    page.get_by_role("link", name="Housing support", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Housing support")
    page.get_by_label("Housing support is in place").check()
    page.get_by_label("Who provides it, or why none is needed (optional)").fill(
        "Riverside Housing tenancy support, weekly visits."
    )
    screenshot("r9-27-housing")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Housing support recorded.")

    follow_up_at = timezone.make_aware(datetime.combine(tomorrow, time(10, 0)))
    page.get_by_role("link", name=re.compile(r"Clear this\s*: A follow-up contact is booked within 72 hours")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Book")
    fill_date(page, "on", follow_up_at.date())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Home visit").check()
    page.get_by_label("Worker", exact=True).select_option(label="Alex Morgan")
    screenshot("r9-28-book-follow-up")
    assert_accessible(page)
    page.get_by_role("button", name="Book appointment").click()
    expect(main).to_contain_text("Appointment booked for")

    page.goto(checklist_url)
    expect(main).to_contain_text("Every item that applies is met.")
    expect(row(page, "A follow-up contact is booked within 72 hours")).to_contain_text("Booked with Alex Morgan")
    screenshot("r9-29-checklist-met")
    assert_accessible(page)
    page.get_by_role("link", name="Complete the discharge", exact=True).click()
    expect(main).to_contain_text("Every item that applies is met.")
    page.get_by_role("button", name="Complete the discharge").click()
    # The discharge finished the ward episode, the ward nurse's only relationship with Ben: they land on their
    # home page, not on a checklist page that would now refuse them.
    expect(main).to_contain_text("Discharge completed. Group places are kept: the person can keep attending.")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("You cannot see this record")
    screenshot("r9-30-discharged-ward-nurse-home")
    assert_accessible(page)
    sign_out(page)

    # 6. The community care coordinator sees the completed discharge and has the 72-hour follow-up task (R9).
    transition = Transition.objects.select_related("follow_up_task", "episode").get(person=ben)
    assert transition.follow_up_task is not None
    due = timezone.localtime(transition.follow_up_task.due_at)
    sign_in(cast.coordinator)
    page.goto(checklist_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge: completed")
    expect(main).to_contain_text("Group places are not ended")
    follow_up_card = page.locator(".nhsuk-card", has_text="72-hour follow-up task")
    expect(follow_up_card).to_contain_text(f"Due {due:%-d %B %Y, %H:%M}, for Alex Morgan.")
    expect(row(page, "The community prescriber has accepted")).to_contain_text("Met")
    screenshot("r9-31-discharged-checklist")
    assert_accessible(page)
    page.goto(admission_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Discharged")
    expect(main).to_contain_text("Left the ward on")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=re.compile("Tasks")).click()
    follow_up_row = page.locator("table#tasks tr", has_text="Follow-up contact within 72 hours of leaving Willow ward")
    expect(follow_up_row).to_contain_text("BAKER, Ben")
    expect(follow_up_row).to_contain_text(f"{due:%-d %b %Y %H:%M}")
    expect(follow_up_row).to_contain_text("Urgent")
    expect(follow_up_row).to_contain_text("R9")
    screenshot("r9-32-coordinator-tasks")
    assert_accessible(page)
    sign_out(page)

    # 7. A week later Ben comes to the group; the facilitator (the former ward worker) records the register.
    with time_machine.travel(session_at + timedelta(minutes=90), tick=True):
        sign_in(cast.da_worker)
        page.goto(live_url(f"/groups/sessions/{session.public_id}/"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{session_at:%-d %B %Y}")
        page.get_by_role("group", name="Ben Baker").get_by_label("Attended", exact=True).check()
        screenshot("r9-33-group-register")
        assert_accessible(page)
        page.get_by_role("button", name="Save the register").click()
        expect(main).to_contain_text("Register saved.")
        expect(page.get_by_role("group", name="Ben Baker").get_by_label("Attended", exact=True)).to_be_checked()
        expect(page.locator("#totals")).to_contain_text("1 in all: 1 named")
        screenshot("r9-34-group-register-saved")
        assert_accessible(page)

    # And in the database.
    admission = Admission.objects.select_related("episode").get(person=ben)
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.COMPLETED and transition.override_by is None
    assert admission.discharged_at is not None and admission.discharged_at == transition.completed_at
    assert admission.episode.finished_at is not None
    assert admission.episode_id == transition.episode_id
    assert admission.ward_substance_worker == cast.da_worker
    assert admission.screen_task is not None and admission.screen_task.status == TaskStatus.DONE
    assert InstrumentResponse.objects.filter(person=ben, instrument_code="audit").exists()
    assert NaloxoneOffer.objects.filter(person=ben, outcome="supplied").exists()
    assert Referral.objects.open().filter(person=ben, to_service=cast.pathways_service).exists()
    handover = PrescribingHandover.objects.get(person=ben)
    assert handover.status == HandoverStatus.ACCEPTED and handover.answered_by == cast.addictions_consultant
    assert handover.first_community_dose_on == tomorrow
    assert handover.treatment.prescribing_service == cast.pathways_service
    task = transition.follow_up_task
    task.refresh_from_db()
    assert task.rule == "R9" and task.assigned_to == cast.coordinator and task.is_open
    assert transition.completed_at is not None and task.due_at <= transition.completed_at + FOLLOW_UP_WINDOW
    assert transition.follow_up_appointment is not None
    assert transition.follow_up_appointment.staff == cast.coordinator
    assert EpisodeOfCare.objects.open().filter(person=ben, coordinator=cast.coordinator).exists()
    assert GroupEnrolment.objects.current().filter(person=ben, group=group).exists()
    attendance = GroupAttendance.objects.get(session=session, person=ben)
    assert attendance.status == "attended" and attendance.recorded_by == cast.da_worker
