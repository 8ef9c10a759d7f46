"""Service survey, training and feedback pages: who may open and record, errors by field, CSV export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.survey.models import FeedbackRound, RecoveryCollegeSession, ServiceSurvey, StaffTraining
from coexist.survey.rules import Dimension
from coexist.testing.cast import Cast
from coexist.testing.factories import ServiceFactory
from coexist.testing.factories_survey import ServiceSurveyFactory

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _date(prefix: str) -> dict[str, str]:
    today = timezone.localdate()
    return {f"{prefix}_day": str(today.day), f"{prefix}_month": str(today.month), f"{prefix}_year": str(today.year)}


def test_new_survey_form_shows_the_anchors_and_saves(cast: Cast, client_for: ClientFor) -> None:
    client = client_for(cast.team_leader)
    url = reverse("survey:new", args=[cast.cmht.public_id])
    page = client.get(url).content.decode()
    assert "Dual diagnosis capable: both conditions are routinely addressed" in page
    assert "From the record:" in page  # evidence beside staffing and training
    data = {**_date("completed_on"), "provision": "consultancy", **{d.value: "3" for d in Dimension}}
    response = client.post(url, {**data, "staffing": "5", "staffing_note": "Two link workers"})
    assert response.status_code == 302
    survey = ServiceSurvey.objects.get()
    assert survey.scores.get(dimension="staffing").score == 5


def test_a_missing_score_is_shown_by_field_and_nothing_saved(cast: Cast, client_for: ClientFor) -> None:
    data = {**_date("completed_on"), "provision": "network", **{d.value: "3" for d in Dimension}}
    del data["milieu"]
    data["treatment"] = "9"
    response = client_for(cast.team_leader).post(reverse("survey:new", args=[cast.cmht.public_id]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a score from 1 to 5 for milieu" in page
    assert "Select a valid choice" in page
    assert not ServiceSurvey.objects.exists()


def test_service_page_shows_scores_over_time_and_csv(cast: Cast, client_for: ClientFor) -> None:
    today = timezone.localdate()
    later, earlier = today - timedelta(days=1), today - timedelta(days=400)
    ServiceSurveyFactory(service=cast.cmht, completed_on=later, scores={"staffing": 4}, submitted_by=cast.team_leader)
    ServiceSurveyFactory(service=cast.cmht, completed_on=earlier, scores={"staffing": 2}, submitted_by=cast.team_leader)
    client = client_for(cast.coordinator)
    page = client.get(reverse("survey:service", args=[cast.cmht.public_id])).content.decode()
    assert "Dimension scores by date" in page and "Evidence from the record" in page
    assert "Complete a new survey" not in page  # the coordinator views, does not record
    csv = client.get(reverse("survey:service-csv", args=[cast.cmht.public_id]))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().strip().splitlines()
    assert lines[0].startswith("Completed on,Form of provision,Programme structure")
    assert [line.split(",")[7] for line in lines[1:]] == ["2", "4"]  # oldest first


def test_comparison_is_for_researchers_and_csv_escapes_formulas(cast: Cast, client_for: ClientFor) -> None:
    ServiceSurveyFactory(service=cast.cmht, submitted_by=cast.team_leader)
    ServiceSurveyFactory(service=ServiceFactory(name="=HYPERLINK(1)"), submitted_by=cast.team_leader)
    client = client_for(cast.researcher)
    page = client.get(reverse("survey:compare")).content.decode()
    assert "Community mental health service" in page
    assert cast.team_leader.last_name not in page  # no staff names on the comparison
    csv = client.get(reverse("survey:compare-csv")).content.decode()
    assert "'=HYPERLINK(1)" in csv


def test_training_page_records_for_leaders_and_refuses_members(cast: Cast, client_for: ClientFor) -> None:
    url = reverse("survey:training", args=[cast.cmht.public_id])
    data = {
        "staff": str(cast.coordinator.public_id), "course": "Dual diagnosis awareness", "provider": "Recovery college",
        **_date("completed_on"), "hours": "6.5", "certificate": "on",
    }  # fmt: skip
    assert client_for(cast.coordinator).post(url, data).status_code == 403
    assert not StaffTraining.objects.exists()
    client = client_for(cast.team_leader)
    assert client.post(url, {**data, "hours": "0"}).status_code == 400
    assert client.post(url, {**data, "course": "a\x00b"}).status_code == 400
    assert client.post(url, data).status_code == 302
    assert StaffTraining.objects.get().hours == 6.5
    assert "Alex Morgan" in client.get(url).content.decode()


def test_sessions_and_feedback_pages_record_counts(cast: Cast, client_for: ClientFor) -> None:
    client = client_for(cast.team_leader)
    sessions = reverse("survey:sessions", args=[cast.cmht.public_id])
    assert client.post(sessions, {"course": "Recovery", **_date("session_on"), "attendees": "-3"}).status_code == 400
    assert client.post(sessions, {"course": "Recovery", **_date("session_on"), "attendees": "7"}).status_code == 302
    assert RecoveryCollegeSession.objects.get().attendees == 7
    feedback = reverse("survey:feedback", args=[cast.cmht.public_id])
    data = {**_date("collected_on"), "listened_4": "3", "listened_5": "4", "you_said": "Evenings", "we_did": ""}
    response = client.post(feedback, data)
    assert response.status_code == 400
    assert "Say what the service did" in response.content.decode()
    assert client.post(feedback, {**data, "we_did": "Tuesday evening group"}).status_code == 302
    assert FeedbackRound.objects.get().counts["listened"] == [0, 0, 0, 3, 4]
    page = client.get(feedback).content.decode()
    assert "Tuesday evening group" in page and "[c]" in page  # 7 answers: shown; others 0: hidden mean


def test_unknown_service_is_404(cast: Cast, client_for: ClientFor) -> None:
    url = reverse("survey:service", args=["00000000-0000-4000-8000-000000000000"])
    assert client_for(cast.coordinator).get(url).status_code == 404
