"""Researcher extracts end to end (issue 6 point 7): pages and API, de-identification, logging, refusals."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.engagement.rules import Attendance
from coexist.organisations.models import Role
from coexist.research.models import ExtractLog, ResearchProject
from coexist.research.rules import QuasiIdentifiers, class_sizes
from coexist.testing.cast import Cast
from coexist.testing.factories import AppointmentFactory, EpisodeFactory, MembershipFactory, PersonFactory
from coexist.testing.factories_research import ResearchProjectFactory

PLANTED_NAME = "Zebedee"
PLANTED_FAMILY = "Quillfeather"
PLANTED_NHS = "6328797966"
PLANTED_NOTE = "sleeps at the Anchor hostel"

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(cast: Cast) -> list[object]:
    """Seven women of one age and group with episodes in North, one of them with planted identifiers and
    free text everywhere the record allows it, and one lone man (dropped for k-anonymity)."""
    people = [PersonFactory(sex="female", ethnic_category="A") for _ in range(6)]
    planted = PersonFactory(
        given_name=PLANTED_NAME, family_name=PLANTED_FAMILY, nhs_number=PLANTED_NHS, sex="female",
        ethnic_category="A", address=PLANTED_NOTE, postcode="LE1 7RH", email="zq@example.com",
        gender_identity=PLANTED_NOTE,
    )  # fmt: skip
    people.append(planted)
    episodes = [EpisodeFactory(person=p, team=cast.north, opened_by=cast.coordinator) for p in people]
    episodes[-1].finish_reason = PLANTED_NOTE
    episodes[-1].finished_at = timezone.now()
    episodes[-1].status = "finished"
    episodes[-1].save()
    AppointmentFactory(
        person=planted, episode=episodes[-1], service=cast.cmht, staff=cast.coordinator,
        starts_at=timezone.now() - timedelta(hours=2), status=Attendance.ATTENDED_ON_TIME,
        plan_reviewed="changed", plan_change=PLANTED_NOTE,
    )  # fmt: skip
    lone = PersonFactory(sex="male", ethnic_category="H")
    EpisodeFactory(person=lone, team=cast.north, opened_by=cast.coordinator)
    return [*people, lone]


@pytest.fixture
def project(cast: Cast) -> ResearchProject:
    return ResearchProjectFactory(researchers=[cast.researcher])


def _form(**extra: str) -> dict[str, str]:
    today = timezone.localdate()
    start = today - timedelta(days=30)
    data = {
        "why": "Protocol section 4.2: engagement by subgroup",
        "start_day": str(start.day), "start_month": str(start.month), "start_year": str(start.year),
        "end_day": str(today.day), "end_month": str(today.month), "end_year": str(today.year),
        "kind": "episodes", "dates": "month", "age": "band", "cut": "sex", "k": "5",
    }  # fmt: skip
    return {**data, **extra}


def _api_body(**extra: object) -> dict[str, object]:
    today = timezone.localdate()
    return {"why": "Protocol 4.2", "start": str(today - timedelta(days=30)), "end": str(today), **extra}


def test_extract_page_returns_a_de_identified_k_anonymous_csv_logged_first(
    cast: Cast, population: list[object], project: ResearchProject, client_for: Callable[[User], Client]
) -> None:
    response = client_for(cast.researcher).post(reverse("research:extract", args=[project.public_id]), _form())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content
    body = content.decode()
    for planted in (PLANTED_NAME, PLANTED_FAMILY, PLANTED_NHS, "632 879 7966", PLANTED_NOTE, "Anchor", "LE1", "zq@"):
        assert planted not in body
    for person in population:
        assert str(person.public_id) not in body  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    # The lone man's episode cannot be made k-anonymous and is left out; cast episodes may add rows.
    sizes = class_sizes(
        [(r["person_pseudonym"], QuasiIdentifiers(r["age_band_at_opening"], r["sex"], r["ethnic_group"])) for r in rows]
    )
    assert min(sizes.values()) >= 5
    assert "other" in {r["finish_reason"] for r in rows}
    assert all(len(r["opened"]) == 7 for r in rows)  # month only
    log = ExtractLog.objects.get()
    assert (log.project, log.by, log.by_name) == (project, cast.researcher, cast.researcher.display_name)
    assert log.why == "Protocol section 4.2: engagement by subgroup"
    assert log.sha256 == hashlib.sha256(content).hexdigest() == response["X-Content-SHA256"]
    assert log.row_count == len(rows) and log.rows_dropped >= 1
    assert log.fields[0] == "person_pseudonym" and log.options["dates"] == "month"
    # Each person in the file has an access log entry for research; the lone man, left out, has none.
    logged = set(AccessLogEntry.objects.filter(purpose="research").values_list("person_public_id", flat=True))
    assert population[6].public_id in logged  # type: ignore[attr-defined]
    assert population[-1].public_id not in logged  # type: ignore[attr-defined]


def test_pseudonyms_are_stable_within_a_project_and_differ_across_projects(
    cast: Cast, population: list[object], project: ResearchProject, client_for: Callable[[User], Client]
) -> None:
    other = ResearchProjectFactory(researchers=[cast.researcher])
    client = client_for(cast.researcher)

    def pseudonyms(p: ResearchProject) -> set[str]:
        body = client.post(reverse("research:extract", args=[p.public_id]), _form()).content.decode()
        return {r["person_pseudonym"] for r in csv.DictReader(io.StringIO(body))}

    first, again, elsewhere = pseudonyms(project), pseudonyms(project), pseudonyms(other)
    assert first == again and first
    assert not first & elsewhere


def test_non_members_and_non_researchers_are_refused_and_nothing_is_logged(
    cast: Cast, population: list[object], project: ResearchProject, client_for: Callable[[User], Client]
) -> None:
    outsider = MembershipFactory(team=cast.north, role=Role.RESEARCHER).user
    for user in (outsider, cast.coordinator, cast.admin):
        client = client_for(user)
        assert client.get(reverse("research:extract", args=[project.public_id])).status_code == 403
        assert client.post(reverse("research:extract", args=[project.public_id]), _form()).status_code == 403
        assert client.get(reverse("research:log", args=[project.public_id])).status_code == 403
    # A coordinator named on the project without a researcher role is refused too.
    project.members.add(cast.coordinator)
    assert (
        client_for(cast.coordinator).post(reverse("research:extract", args=[project.public_id]), _form()).status_code
        == 403
    )
    assert not ExtractLog.objects.exists()


def test_an_ended_project_takes_no_extracts(cast: Cast, client_for: Callable[[User], Client]) -> None:
    ended = ResearchProjectFactory(researchers=[cast.researcher], ends_on=timezone.localdate() - timedelta(days=1))
    assert (
        client_for(cast.researcher).post(reverse("research:extract", args=[ended.public_id]), _form()).status_code
        == 403
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"why": "   "},
        {"why": "x" * 10_000},
        {"why": "bad\x00byte"},
        {"end_year": "2999"},
        {"start_year": "1901"},
        {"k": "1"},
        {"kind": "everything"},
    ],
)
def test_bad_input_is_400_with_a_message_and_nothing_is_logged(
    cast: Cast, project: ResearchProject, client_for: Callable[[User], Client], bad: dict[str, str]
) -> None:
    response = client_for(cast.researcher).post(reverse("research:extract", args=[project.public_id]), _form(**bad))
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not ExtractLog.objects.exists()


def test_counts_extract_suppresses_small_cells(
    cast: Cast, population: list[object], project: ResearchProject, client_for: Callable[[User], Client]
) -> None:
    response = client_for(cast.researcher).post(
        reverse("research:extract", args=[project.public_id]), _form(kind="counts", cut="sex")
    )
    rows = {r["category"]: r["people"] for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["male"] == "[c]"
    assert ExtractLog.objects.get().options["cut"] == "sex"


def test_pages_list_projects_and_the_log(
    cast: Cast, population: list[object], project: ResearchProject, client_for: Callable[[User], Client]
) -> None:
    client = client_for(cast.researcher)
    client.post(reverse("research:extract", args=[project.public_id]), _form())
    page = client.get(reverse("research:projects")).content.decode()
    assert project.name in page and project.approval_reference in page
    log = client.get(reverse("research:log", args=[project.public_id])).content.decode()
    assert ExtractLog.objects.get().sha256 in log and "Protocol section 4.2" in log
    assert PLANTED_NAME not in log
    assert client_for(cast.coordinator).get(reverse("research:projects")).status_code == 200


def test_api_post_extract_returns_csv_and_get_log_lists_it(
    cast: Cast, population: list[object], project: ResearchProject, client: Client,
    bearer: Callable[[User], dict[str, str]],
) -> None:  # fmt: skip
    url = f"/api/v1/research/projects/{project.public_id}/extract"
    response = client.post(url, _api_body(dates="shift"), content_type="application/json", **bearer(cast.researcher))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert PLANTED_NAME not in response.content.decode()
    listed = client.get(f"/api/v1/research/projects/{project.public_id}/log", **bearer(cast.researcher)).json()
    assert len(listed) == 1 and listed[0]["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert listed[0]["why"] == "Protocol 4.2" and listed[0]["options"]["dates"] == "shift"


def test_api_refuses_non_members_and_bad_input_with_problem_json(
    cast: Cast, project: ResearchProject, client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    url = f"/api/v1/research/projects/{project.public_id}/extract"
    refused = client.post(url, _api_body(), content_type="application/json", **bearer(cast.coordinator))
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    blank = client.post(url, _api_body(why=" "), content_type="application/json", **bearer(cast.researcher))
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "why"
    assert client.get(f"/api/v1/research/projects/{project.public_id}/log").status_code == 401
    missing = client.post("/api/v1/research/projects/00000000-0000-4000-8000-000000000000/extract", _api_body(),
                          content_type="application/json", **bearer(cast.researcher))  # fmt: skip
    assert missing.status_code == 404
    assert not ExtractLog.objects.exists()
