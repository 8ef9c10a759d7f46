"""Advice requests to the addictions consultant (seeds 001, 002; NG58 1.2): rules, services, pages, API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.advice import rules
from coexist.advice.models import AdviceRequest, AdviceStatus
from coexist.advice.selectors import advice_worklist
from coexist.advice.services import advice_answer, advice_ask, advice_withdraw
from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.care.models import CareTeamMember
from coexist.organisations.models import Role
from coexist.people.permissions import AccessRefused, may
from coexist.people.rules import Action, RecordPart
from coexist.tasks.models import Priority, TaskStatus
from coexist.testing.cast import Cast

Sign = Callable[[User], Client]
Bearer = Callable[[User], dict[str, str]]


def _ask(
    cast: Cast, *, urgent: bool = False, question: str = "Buprenorphine with clozapine: starting dose?"
) -> AdviceRequest:
    return advice_ask(
        person=cast.ann, consultant=cast.addictions_consultant, question=question, urgent=urgent,
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip


# --- rules ---------------------------------------------------------------------------------------------


def test_ng58_routine_advice_is_due_in_two_working_days() -> None:
    friday = datetime(2026, 3, 13, 10, 0)
    assert rules.advice_due_at(asked_at=friday, urgent=False) == datetime(2026, 3, 17, 10, 0)


def test_ng58_urgent_advice_is_due_the_same_day() -> None:
    morning = datetime(2026, 3, 10, 9, 0)
    assert rules.advice_due_at(asked_at=morning, urgent=True) == datetime(2026, 3, 10, 17, 0)
    late = datetime(2026, 3, 10, 15, 0)
    assert rules.advice_due_at(asked_at=late, urgent=True) == datetime(2026, 3, 10, 19, 0)


def test_advice_age_and_consultant_role() -> None:
    now = datetime(2026, 3, 10, 12, 0)
    assert str(rules.age(asked_at=now - timedelta(days=2, hours=3, minutes=5), now=now)) == "2 days 3 hours"
    assert str(rules.age(asked_at=now + timedelta(hours=1), now=now)) == "0 hours"
    assert rules.consultant_refusal(roles=["addictions_consultant"], is_active=True) is None
    assert rules.consultant_refusal(roles=["psychiatrist"], is_active=True)
    assert rules.ask_errors(question=" ", asker_is_consultant=True).keys() == {"question", "consultant"}


# --- services -----------------------------------------------------------------------------------------


def test_seed001_advice_question_and_answer_stay_on_the_record(cast: Cast) -> None:
    advice = _ask(cast)
    task = advice.task
    assert task is not None
    assert (task.rule, task.assigned_to, task.priority) == ("NG58", cast.addictions_consultant, Priority.SOON)
    # Asking adds the consultant to the care team, so they can read the record they advise on.
    assert (
        CareTeamMember.objects.current()
        .filter(person=cast.ann, user=cast.addictions_consultant, role=Role.ADDICTIONS_CONSULTANT)
        .exists()
    )
    assert may(cast.addictions_consultant, cast.ann, Action.READ, RecordPart.SUBSTANCE_USE).allowed
    answered = advice_answer(
        advice=advice, answer="Start low, 2 mg, review daily.", by=cast.addictions_consultant, channel=Channel.PAGE
    )
    stored = AdviceRequest.objects.get(pk=answered.pk)
    assert stored.status == AdviceStatus.ANSWERED and stored.question.startswith("Buprenorphine")
    assert stored.answer == "Start low, 2 mg, review daily." and stored.answered_by == cast.addictions_consultant
    assert stored.task is not None and stored.task.status == TaskStatus.DONE


def test_advice_only_to_an_addictions_consultant(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        advice_ask(person=cast.ann, consultant=cast.da_worker, question="?", by=cast.coordinator, channel=Channel.PAGE)
    assert "addictions consultant" in caught.value.message_dict["consultant"][0]
    assert not AdviceRequest.objects.exists()
    assert not CareTeamMember.objects.filter(user=cast.da_worker, role=Role.ADDICTIONS_CONSULTANT).exists()


def test_advice_bad_question_is_refused(cast: Cast) -> None:
    for question in ("", "   ", "x" * 10_000, "a\x00b"):
        with pytest.raises(ValidationError):
            _ask(cast, question=question)
    assert not AdviceRequest.objects.exists()


def test_advice_asking_without_a_relationship_is_refused_and_logged(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        advice_ask(
            person=cast.dan,
            consultant=cast.addictions_consultant,
            question="?",
            by=cast.ward_nurse,
            channel=Channel.API,
        )
    assert AccessLogEntry.objects.filter(
        actor_public_id=cast.ward_nurse.public_id, outcome=Outcome.REFUSED, detail="ask the addictions consultant"
    ).exists()


def test_advice_only_the_consultant_asked_answers_and_only_once(cast: Cast) -> None:
    advice = _ask(cast)
    with pytest.raises(ValidationError):
        advice_answer(advice=advice, answer="Me?", by=cast.coordinator, channel=Channel.PAGE)
    with pytest.raises(ValidationError):
        advice_answer(advice=advice, answer="  ", by=cast.addictions_consultant, channel=Channel.PAGE)
    advice_answer(advice=advice, answer="Yes.", by=cast.addictions_consultant, channel=Channel.PAGE)
    with pytest.raises(ValidationError):
        advice_answer(advice=advice, answer="Again.", by=cast.addictions_consultant, channel=Channel.PAGE)


def test_advice_the_asker_withdraws_with_a_reason(cast: Cast) -> None:
    advice = _ask(cast)
    with pytest.raises(ValidationError):
        advice_withdraw(advice=advice, reason="", by=cast.coordinator, channel=Channel.PAGE)
    with pytest.raises(ValidationError):
        advice_withdraw(advice=advice, reason="Not mine", by=cast.addictions_consultant, channel=Channel.PAGE)
    withdrawn = advice_withdraw(
        advice=advice, reason="Asked in clinic instead.", by=cast.coordinator, channel=Channel.PAGE
    )
    assert withdrawn.status == AdviceStatus.WITHDRAWN and withdrawn.question
    assert withdrawn.task is not None and withdrawn.task.status == TaskStatus.CANCELLED


def test_seed002_worklist_urgent_first_then_oldest_with_age(cast: Cast) -> None:
    start = timezone.now() - timedelta(days=3)
    with time_machine.travel(start, tick=False):
        old = _ask(cast, question="Old routine question")
    with time_machine.travel(start + timedelta(days=1), tick=False):
        urgent = _ask(cast, urgent=True, question="Urgent question")
        newer = _ask(cast, question="Newer routine question")
        done = _ask(cast, question="Answered")
        advice_answer(advice=done, answer="Done.", by=cast.addictions_consultant, channel=Channel.PAGE)
    worklist = advice_worklist(viewer=cast.addictions_consultant, channel=Channel.PAGE)
    assert [line.advice for line in worklist.open] == [urgent, old, newer]
    assert worklist.open[1].age.days == 3
    assert worklist.answered == [done]
    assert advice_worklist(viewer=cast.coordinator, channel=Channel.PAGE).open == []


# --- pages and API ------------------------------------------------------------------------------------


def test_seed001_pages_ask_answer_and_history(cast: Cast, client_for: Sign) -> None:
    client = client_for(cast.coordinator)
    ask_url = reverse("advice:ask", args=[cast.ann.public_id])
    form = client.get(ask_url).content.decode()
    assert "joins" in form and "care team" in form
    response = client.post(
        ask_url, {"consultant": str(cast.addictions_consultant.public_id), "question": "Detox plan?"}
    )
    assert response.status_code == 302
    advice = AdviceRequest.objects.get()
    consultant = client_for(cast.addictions_consultant)
    assert "ABBOTT, Ann" in consultant.get(reverse("advice:worklist")).content.decode()
    answer_url = reverse("advice:answer", args=[advice.public_id])
    assert consultant.post(answer_url, {"answer": ""}).status_code == 400
    assert consultant.post(answer_url, {"answer": "Chlordiazepoxide reducing regime."}).status_code == 302
    history = client_for(cast.coordinator).get(reverse("advice:person", args=[cast.ann.public_id])).content.decode()
    assert "Detox plan?" in history and "Chlordiazepoxide reducing regime." in history


def test_advice_pages_refuse_others(cast: Cast, client_for: Sign) -> None:
    advice = _ask(cast)
    assert client_for(cast.coordinator).get(reverse("advice:answer", args=[advice.public_id])).status_code == 403
    assert client_for(cast.da_worker).get(reverse("advice:person", args=[cast.ann.public_id])).status_code == 403
    assert (
        client_for(cast.addictions_consultant).get(reverse("advice:withdraw", args=[advice.public_id])).status_code
        == 403
    )


def test_advice_api_ask_answer_worklist_and_person(cast: Cast, client: Client, bearer: Bearer) -> None:
    asked = client.post(
        "/api/v1/advice",
        {"person": str(cast.ann.public_id), "consultant": str(cast.addictions_consultant.public_id),
         "question": "Methadone and QTc?", "urgent": True},
        content_type="application/json", **bearer(cast.coordinator),
    )  # fmt: skip
    assert asked.status_code == 201, asked.content
    advice_id = asked.json()["id"]
    consultant = bearer(cast.addictions_consultant)
    worklist = client.get("/api/v1/advice/worklist", **consultant).json()
    assert worklist["open"][0]["id"] == advice_id and worklist["open"][0]["urgent"]
    answered = client.post(
        f"/api/v1/advice/{advice_id}/answer", {"answer": "ECG first."}, content_type="application/json", **consultant
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    history = client.get(f"/api/v1/advice/people/{cast.ann.public_id}", **bearer(cast.coordinator)).json()
    assert history[0]["answer"] == "ECG first."


def test_advice_api_4xx(cast: Cast, client: Client, bearer: Bearer) -> None:
    payload = {
        "person": str(cast.ann.public_id),
        "consultant": str(cast.addictions_consultant.public_id),
        "question": "?",
    }
    assert client.post("/api/v1/advice", payload, content_type="application/json").status_code == 401
    refused = client.post("/api/v1/advice", payload, content_type="application/json", **bearer(cast.da_worker))
    assert refused.status_code == 403
    bad = client.post(
        "/api/v1/advice",
        {**payload, "question": "x" * 10_000},
        content_type="application/json",
        **bearer(cast.coordinator),
    )
    assert bad.status_code == 422
    nul = client.post(
        "/api/v1/advice",
        {**payload, "question": "a\u0000"},
        content_type="application/json",
        **bearer(cast.coordinator),
    )
    assert nul.status_code == 422
    missing = client.get("/api/v1/advice/people/00000000-0000-4000-8000-000000000000", **bearer(cast.coordinator))
    assert missing.status_code == 404
    assert not AdviceRequest.objects.exists()
