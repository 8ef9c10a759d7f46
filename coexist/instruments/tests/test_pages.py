"""The measures pages: the catalogue, a person's measures, the form generated from a definition, and the
result with its R15 warning. Accessible markup (NHS.UK radios and fieldsets, error summary) and no
inline script or style (strict content security policy)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.assessments.models import JointAssessment, RiskFlag
from coexist.audit.models import Channel
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.services import instrument_response_record
from coexist.tasks.models import Task
from coexist.testing.cast import Cast

SignIn = Callable[[User], Client]


def no_inline_script_or_style(html: str) -> bool:
    return not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html and "<style" not in html


def complete_url(cast: Cast, code: str, person: str = "ann") -> str:
    return reverse("instruments:complete", args=[getattr(cast, person).public_id, code])


def phq9_post(item9: int) -> dict[str, str]:
    return {**{f"phq9_{n}": "1" for n in range(1, 9)}, "phq9_9": str(item9)}


def test_catalogue_lists_every_measure(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.researcher).get(reverse("instruments:list"))
    assert response.status_code == 200
    for instrument in DEFINITIONS.values():
        assert instrument.short_name in response.content.decode()


@pytest.mark.parametrize("code", sorted(DEFINITIONS))
def test_each_measure_page_shows_version_licence_and_source(cast: Cast, client_for: SignIn, code: str) -> None:
    instrument = DEFINITIONS[code]
    response = client_for(cast.coordinator).get(reverse("instruments:detail", args=[code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert instrument.version in html and "Licence" in html and "Source" in html


def test_unknown_measure_is_404(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    assert client.get(reverse("instruments:detail", args=["k10"])).status_code == 404
    assert client.get(complete_url(cast, "k10")).status_code == 404


@pytest.mark.parametrize("code", sorted(DEFINITIONS))
def test_the_form_is_generated_from_the_definition(cast: Cast, client_for: SignIn, code: str) -> None:
    instrument = DEFINITIONS[code]
    response = client_for(cast.coordinator).get(complete_url(cast, code))
    html = response.content.decode()
    assert response.status_code == 200
    for item in instrument.items:
        if item.kind == "choice":
            assert f'type="radio" name="{item.code}"' in html
        else:
            assert f'type="number" name="{item.code}"' in html
    assert html.count('class="nhsuk-fieldset"') >= sum(1 for i in instrument.items if i.kind == "choice")
    assert no_inline_script_or_style(html)


def test_top_groups_its_questions_into_sections(cast: Cast, client_for: SignIn) -> None:
    html = client_for(cast.coordinator).get(complete_url(cast, "top")).content.decode()
    for section in ["Substance use in the past 4 weeks", "Injecting in the past 4 weeks", "Crime in the past 4 weeks"]:
        assert f'<h2 class="nhsuk-fieldset__heading">{section}</h2>' in html


def test_r15_recording_phq9_with_item_9_above_0_shows_the_risk_warning(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    response = client.post(complete_url(cast, "phq9"), phq9_post(2))
    saved = InstrumentResponse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("instruments:result", args=[saved.public_id])
    assert RiskFlag.objects.filter(person=cast.ann).count() == 1
    assert Task.objects.filter(person=cast.ann, rule="R15").count() == 1
    result = client.get(response["Location"])
    html = result.content.decode()
    assert result.status_code == 200
    assert "Risk flag raised" in html and "PHQ-9 item 9 answered 2" in html
    assert "<strong>10</strong>" in html and "Moderate depression" in html
    assert "Kroenke 2001" in html and "Pfizer" in html
    assert no_inline_script_or_style(html)


def test_result_without_an_alert_shows_no_warning(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    response = client.post(complete_url(cast, "phq9"), phq9_post(0))
    html = client.get(response["Location"]).content.decode()
    assert "Risk flag raised" not in html
    assert "Mild depression" in html


def test_invalid_answers_are_400_with_an_error_summary_linking_to_each_question(cast: Cast, client_for: SignIn) -> None:
    answers = phq9_post(1)
    del answers["phq9_3"]
    answers["phq9_4"] = "7"
    response = client_for(cast.coordinator).post(complete_url(cast, "phq9"), answers)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'href="#id_phq9_3_0">Answer this question.' in html
    assert 'href="#id_phq9_4_0">Choose one of the answers given.' in html
    assert "nhsuk-form-group--error" in html
    assert not InstrumentResponse.objects.exists()


def test_top_day_counts_are_checked_against_the_28_day_grid(cast: Cast, client_for: SignIn) -> None:
    answers = {i.code: str(i.minimum) for i in DEFINITIONS["top"].items if i.required}
    answers["top_alcohol_days"] = "29"
    response = client_for(cast.coordinator).post(complete_url(cast, "top"), answers)
    assert response.status_code == 400
    assert "Enter a whole number from 0 to 28." in response.content.decode()
    answers["top_alcohol_days"] = "12"
    response = client_for(cast.coordinator).post(complete_url(cast, "top"), answers)
    assert response.status_code == 302
    assert InstrumentResponse.objects.get().score["alcohol_days"] == 12


def test_attaches_to_the_persons_joint_assessment(cast: Cast, client_for: SignIn) -> None:
    assessment = JointAssessment.objects.create(person=cast.ann, started_by=cast.coordinator)
    url = complete_url(cast, "audit_c") + f"?assessment={assessment.public_id}"
    client = client_for(cast.coordinator)
    assert "attached to the joint assessment" in client.get(url).content.decode()
    response = client.post(url, {"audit_c_1": "2", "audit_c_2": "2", "audit_c_3": "1"})
    assert response.status_code == 302
    assert InstrumentResponse.objects.get().assessment == assessment


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-4000-8000-000000000000", "ben"])
def test_an_assessment_that_is_not_the_persons_is_404(cast: Cast, client_for: SignIn, value: str) -> None:
    if value == "ben":
        value = str(JointAssessment.objects.create(person=cast.ben, started_by=cast.coordinator).public_id)
    response = client_for(cast.coordinator).get(complete_url(cast, "audit_c") + f"?assessment={value}")
    assert response.status_code == 404


def test_da_worker_cannot_open_the_form_for_ann(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.da_worker)
    assert client.get(complete_url(cast, "phq9")).status_code == 403
    assert client.post(complete_url(cast, "phq9"), phq9_post(2)).status_code == 403
    assert not RiskFlag.objects.exists()


def test_consent_to_read_is_not_consent_to_record(cast: Cast, client_for: SignIn) -> None:
    assert client_for(cast.da_worker).get(complete_url(cast, "audit", person="ben")).status_code == 403


def test_person_measures_page_lists_results_and_the_measures_to_record(cast: Cast, client_for: SignIn) -> None:
    saved = instrument_response_record(
        person=cast.ann,
        instrument_code="audit_c",
        answers={"audit_c_1": 1, "audit_c_2": 0, "audit_c_3": 0},
        by=cast.coordinator,
        channel=Channel.PAGE,
    )
    response = client_for(cast.coordinator).get(reverse("instruments:person", args=[cast.ann.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("instruments:result", args=[saved.public_id]) in html
    assert complete_url(cast, "phq9") in html and complete_url(cast, "top") in html
    assert no_inline_script_or_style(html)


def test_consent_reader_sees_only_shared_measures_and_cannot_record(cast: Cast, client_for: SignIn) -> None:
    for code, answers in [
        ("audit_c", {"audit_c_1": 1, "audit_c_2": 0, "audit_c_3": 0}),
        ("gad7", {f"gad7_{n}": 0 for n in range(1, 8)}),
    ]:
        instrument_response_record(
            person=cast.ben, instrument_code=code, answers=answers, by=cast.coordinator, channel=Channel.PAGE
        )
    html = client_for(cast.da_worker).get(reverse("instruments:person", args=[cast.ben.public_id])).content.decode()
    assert "AUDIT-C" in html and "GAD-7" not in html
    assert "Complete a measure" not in html


def test_result_of_another_part_of_the_record_is_refused(cast: Cast, client_for: SignIn) -> None:
    saved = instrument_response_record(
        person=cast.ben,
        instrument_code="gad7",
        answers={f"gad7_{n}": 0 for n in range(1, 8)},
        by=cast.coordinator,
        channel=Channel.PAGE,
    )
    assert client_for(cast.da_worker).get(reverse("instruments:result", args=[saved.public_id])).status_code == 403
