"""The assessment and risk flag pages: start, save (R2), substances, complete, flags (R13)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import AssessmentStatus, JointAssessment, RiskFlag
from coexist.assessments.rules import Domain
from coexist.assessments.services import assessment_assessor_add, assessment_complete, assessment_save
from coexist.audit.models import Channel
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.services import instrument_response_record
from coexist.tasks.models import Task
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, RiskFlagFactory

from .helpers import every_domain, start

SignIn = Callable[[User], Client]


def _all_domains(**overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {"diagnosis": "", "children_contact": "none"}
    for d in Domain.values:
        data[f"{d}_notes"] = ""
        data[f"{d}_need"] = "none"
    data.update(overrides)
    return data


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def test_start_then_complete_a_joint_assessment(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    response = client.post(reverse("assessments:start", args=[cast.ann.public_id]))
    assessment = JointAssessment.objects.get(person=cast.ann)
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessments:detail", args=[assessment.public_id]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Comprehensive assessment" in page and "Safeguarding of children" in page and "Add AUDIT" in page
    assessment_assessor_add(
        assessment=assessment, assessor=cast.da_worker_in_team, by=cast.coordinator, channel=Channel.PAGE
    )
    assert "Joint comprehensive assessment" in client.get(response["Location"]).content.decode()
    saved = client.post(response["Location"], _all_domains(housing_need="urgent", housing_notes="Evicted today"))
    assert saved.status_code == 302
    assert Task.objects.filter(person=cast.ann, rule="R2").count() == 1
    done = client.post(reverse("assessments:complete", args=[assessment.public_id]))
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    page = client.get(response["Location"]).content.decode()
    assert "Completed" in page and "Save assessment" not in page and "Urgent task" in page


def test_an_invalid_save_is_400_with_an_error_summary(cast: Cast, client_for: SignIn) -> None:
    assessment = start(cast.ann, cast.coordinator)
    response = client_for(cast.coordinator).post(
        reverse("assessments:detail", args=[assessment.public_id]), _all_domains(housing_need="urgent")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Say what the urgent housing need is." in page


def test_completing_too_soon_is_400_and_says_why(cast: Cast, client_for: SignIn) -> None:
    assessment = start(cast.ann, cast.coordinator)
    response = client_for(cast.coordinator).post(reverse("assessments:complete", args=[assessment.public_id]))
    assert response.status_code == 400
    assert "Record whether there is a need for" in response.content.decode()


def test_saving_a_completed_assessment_is_refused_with_a_message(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    assessment = start(cast.ann, cast.coordinator)
    url = reverse("assessments:detail", args=[assessment.public_id])
    client.post(url, _all_domains())
    client.post(reverse("assessments:complete", args=[assessment.public_id]))
    response = client.post(url, _all_domains(housing_need="routine"))
    assert response.status_code == 400
    assert "can no longer be changed" in response.content.decode()


def test_add_and_remove_a_substance(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    assessment = start(cast.ann, cast.coordinator)
    bad = client.post(
        reverse("assessments:substance-new", args=[assessment.public_id]),
        {"substance": "crack", "route": "injected", "frequency": "daily", "injecting": "false"},
    )
    assert bad.status_code == 400 and "answer yes to injecting" in bad.content.decode()
    ok = client.post(
        reverse("assessments:substance-new", args=[assessment.public_id]),
        {
            "substance": "crack",
            "route": "smoked",
            "frequency": "daily",
            "injecting": "false",
            **_date("last_used_on", timezone.localdate()),
        },
    )
    assert ok.status_code == 302
    row = assessment.substances.get()
    assert row.last_used_on == timezone.localdate()
    page = client.get(reverse("assessments:detail", args=[assessment.public_id])).content.decode()
    assert "Crack cocaine" in page
    removed = client.post(reverse("assessments:substance-remove", args=[assessment.public_id, row.public_id]))
    assert removed.status_code == 302 and not assessment.substances.exists()


def test_substance_reader_sees_substances_but_not_mental_health(cast: Cast, client_for: SignIn) -> None:
    assessment = start(cast.ben, cast.coordinator)
    client_for(cast.coordinator).post(
        reverse("assessments:detail", args=[assessment.public_id]),
        _all_domains(mental_health_notes="Believes he is being watched", substance_use_notes="Drinks from 8am"),
    )
    page = client_for(cast.da_worker).get(reverse("assessments:detail", args=[assessment.public_id])).content.decode()
    assert "Drinks from 8am" in page
    assert "Believes he is being watched" not in page
    assert "Save assessment" not in page


def test_r13_raise_review_and_end_a_flag_from_the_assessment(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    assessment = start(cast.ann, cast.coordinator)
    new_url = reverse("assessments:flag-new", args=[cast.ann.public_id]) + f"?assessment={assessment.public_id}"
    missing = client.post(new_url, {"kind": "overdose", "note": "Using alone"})
    assert missing.status_code == 400 and "There is a problem" in missing.content.decode()
    raised = client.post(
        new_url, {"kind": "overdose", "note": "Using alone", **_date("review_on", timezone.localdate())}
    )
    assert raised.status_code == 302
    assert raised["Location"] == reverse("assessments:detail", args=[assessment.public_id])
    flag = RiskFlag.objects.get(person=cast.ann)
    assert flag.assessment == assessment
    page = client.get(raised["Location"]).content.decode()
    assert "Risk flags" in page and "Using alone" in page
    next_review = timezone.localdate() + timedelta(days=14)
    reviewed = client.post(
        reverse("assessments:flag-review", args=[flag.public_id]),
        {"note": "Naloxone given", **_date("review_on", next_review)},
    )
    assert reviewed.status_code == 302
    flag.refresh_from_db()
    assert flag.review_on == next_review and flag.reviewed_at is not None
    ended = client.post(reverse("assessments:flag-end", args=[flag.public_id]), {"reason": "Abstinent six months"})
    assert ended.status_code == 302
    flags_page = client.get(reverse("assessments:flags", args=[cast.ann.public_id])).content.decode()
    assert "Ended flags" in flags_page and "Abstinent six months" in flags_page


def test_person_page_shows_current_flags_and_assessments(cast: Cast, client_for: SignIn) -> None:
    RiskFlagFactory(
        person=cast.ann,
        raised_by=cast.coordinator,
        note="Recent overdose",
        review_on=timezone.localdate() - timedelta(days=1),
    )
    start(cast.ann, cast.coordinator)
    page = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id])).content.decode()
    assert "Assessments and risk" in page and "Recent overdose" in page and "Review overdue" in page
    assert "Start a joint assessment" in page


def test_r13_da_worker_is_refused_ann_flags(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.da_worker).get(reverse("assessments:flags", args=[cast.ann.public_id]))
    assert response.status_code == 403


def _measure(cast: Cast, assessment: JointAssessment, code: str) -> InstrumentResponse:
    answers = {
        "phq9": {f"phq9_{n}": 1 for n in range(1, 9)} | {"phq9_9": 0},
        "audit": {f"audit_{n}": 1 for n in range(1, 9)} | {"audit_9": 0, "audit_10": 0},
        "gad7": {f"gad7_{n}": 0 for n in range(1, 8)},
    }[code]
    return instrument_response_record(
        person=assessment.person,
        instrument_code=code,
        answers=answers,
        by=cast.coordinator,
        channel=Channel.PAGE,
        assessment=assessment,
    )


def _measures_table(page: str) -> str:
    start_at = page.index('id="recorded-measures"')
    return page[start_at : page.index("</table>", start_at)]


def test_the_measures_recorded_with_an_assessment_are_listed_for_those_who_may_read_them(
    cast: Cast, client_for: SignIn
) -> None:
    assessment = start(cast.ben, cast.coordinator)
    phq9 = _measure(cast, assessment, "phq9")
    audit = _measure(cast, assessment, "audit")
    instrument_response_record(
        person=cast.ben,
        instrument_code="gad7",
        answers={f"gad7_{n}": 0 for n in range(1, 8)},
        by=cast.coordinator,
        channel=Channel.PAGE,
    )
    assessment_save(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE, domains=every_domain())
    assessment_complete(assessment=assessment, by=cast.coordinator, channel=Channel.PAGE)
    url = reverse("assessments:detail", args=[assessment.public_id])

    page = client_for(cast.coordinator).get(url).content.decode()
    assert "Validated measures recorded with this assessment" in page
    table = _measures_table(page)
    assert "PHQ-9" in table and reverse("instruments:result", args=[phq9.public_id]) in table
    assert "AUDIT" in table and reverse("instruments:result", args=[audit.public_id]) in table
    assert str(phq9.score["total"]) in table and phq9.band in table
    assert "GAD-7" not in table  # recorded, but not with this assessment

    # Consent to share substance use only: the AUDIT, never the PHQ-9.
    page = client_for(cast.da_worker).get(url).content.decode()
    table = _measures_table(page)
    assert "AUDIT" in table and reverse("instruments:result", args=[audit.public_id]) in table
    assert "PHQ-9" not in page and str(phq9.public_id) not in page


def test_listing_the_measures_recorded_with_an_assessment_takes_one_query_however_many(
    cast: Cast, client_for: SignIn
) -> None:
    assessment = start(cast.ann, cast.coordinator)
    client = client_for(cast.coordinator)
    url = reverse("assessments:detail", args=[assessment.public_id])
    _measure(cast, assessment, "phq9")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _measure(cast, assessment, "audit")
    _measure(cast, assessment, "gad7")
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert _measures_table(page).count("<tr") == 4  # the header and three measures
    assert len(three) == len(one)
    assert sum("instruments_instrumentresponse" in q["sql"] for q in three.captured_queries) == 1


def test_the_assessor_hint_links_to_the_open_episode_or_the_episodes_of_care(cast: Cast, client_for: SignIn) -> None:
    assessment = start(cast.ann, cast.coordinator)
    client = client_for(cast.coordinator)
    url = reverse("assessments:detail", args=[assessment.public_id])
    page = client.get(url).content.decode()
    assert "Only people in the care team can be added." in page
    assert reverse("care:person-episodes", args=[cast.ann.public_id]) in page
    episode = EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)
    page = client.get(url).content.decode()
    assert f'href="{reverse("care:episode", args=[episode.public_id])}"' in page
    assert "Add someone to the care team from the episode page" in page
    assessment_assessor_add(
        assessment=assessment, assessor=cast.da_worker_in_team, by=cast.coordinator, channel=Channel.PAGE
    )
    assert "Only people in the care team can be added." not in client.get(url).content.decode()
