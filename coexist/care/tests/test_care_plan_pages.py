"""Care plan pages (R4): the plan with its gaps and history, the editor, and the conflict page that keeps
everything typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CarePlanVersion
from coexist.care.plans.content import PlanContent
from coexist.care.plans.services import care_plan_save
from coexist.organisations.models import Role
from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory, CareTeamMemberFactory, complete_care_plan_content

SignIn = Callable[[User], Client]


def rows(prefix: str, items: list[dict[str, str]], total: int = 3) -> dict[str, str]:
    """A formset's POST data: management form and rows."""
    data = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}
    for i, item in enumerate(items):
        data.update({f"{prefix}-{i}-{key}": value for key, value in item.items()})
    return data


def plan_post(based_on: int | None = None, **fields: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "based_on_version": "" if based_on is None else str(based_on),
        "summary_for_person": "We will work on your home first.",
        "crisis_plan": "Call Alex in the day, the crisis line at night.",
        "contingency_mental_health": "Earlier appointment.",
        "contingency_physical_health": "GP the same day.",
        "contingency_suicide": "Crisis team.",
        "contingency_overdose": "Naloxone at home.",
        **rows("person_goals", [{"text": "Get my own flat"}]),
        **rows("service_goals", [{"text": "Reduce drinking"}]),
        **rows("carers", []),
        **rows(
            "services", [{"service": "North community team", "contact_name": "Alex Morgan", "phone": "0300 555 0101"}]
        ),
    }
    data.update(fields)
    return data


def save(
    cast: Cast, person: Any, by: User | None = None, based_on: int | None = None, **changes: object
) -> CarePlanVersion:
    content = PlanContent.model_validate({**complete_care_plan_content(), **changes})
    return care_plan_save(
        person=person, by=by or cast.coordinator, content=content, based_on_version=based_on, channel=Channel.PAGE
    )


def test_a_person_without_a_plan_is_offered_one(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.coordinator).get(reverse("careplans:view", args=[cast.ann.public_id])).content.decode()
    assert "There is no care plan for Ann yet" in page
    assert reverse("careplans:edit", args=[cast.ann.public_id]) in page


def test_r4_writing_a_plan_keeps_the_persons_goals_apart_and_lists_what_is_missing(
    cast: Cast, client_for: SignIn
) -> None:
    client = client_for(cast.coordinator)
    url = reverse("careplans:edit", args=[cast.ann.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, plan_post(crisis_plan="", contingency_overdose=""))
    assert response.status_code == 302
    version = CarePlanVersion.objects.get(plan__person=cast.ann)
    assert version.plan_content.person_goals == ["Get my own flat"]
    assert version.plan_content.service_goals == ["Reduce drinking"]
    page = client.get(reverse("careplans:view", args=[cast.ann.public_id])).content.decode()
    assert "Care plan saved as version 1. It is incomplete: 2 required parts still missing." in page
    assert "This plan is incomplete" in page
    assert "Add a crisis plan" in page and "if there is a risk of overdose" in page


def test_the_plan_page_shows_history_with_who_and_what_changed_and_any_version(cast: Cast, client_for: SignIn) -> None:
    save(cast, cast.ann)
    save(cast, cast.ann, based_on=1, crisis_plan="Call the crisis line first.")
    client = client_for(cast.coordinator)
    page = client.get(reverse("careplans:view", args=[cast.ann.public_id])).content.decode()
    assert "Version 2, saved on" in page and "Alex Morgan" in page
    assert "Crisis plan" in page and "Call the crisis line first." in page
    old = client.get(reverse("careplans:version", args=[cast.ann.public_id, 1])).content.decode()
    assert "This is an earlier version" in old
    assert "Call Alex in the day, the crisis line at night." in old
    assert client.get(reverse("careplans:version", args=[cast.ann.public_id, 9])).status_code == 404
    assert client.get(reverse("careplans:version", args=[cast.ann.public_id, 10**30])).status_code == 404
    assert AccessLogEntry.objects.filter(detail="care plan version 1", parts=["care_plan", "identity"]).exists()


def test_the_editor_starts_from_the_latest_version_with_blank_rows_to_add_more(cast: Cast, client_for: SignIn) -> None:
    carer = CarerFactory(person=cast.ann, name="Sue Abbott")
    save(cast, cast.ann, carers=[{"carer": str(carer.public_id), "support": "Daily call"}])
    page = client_for(cast.coordinator).get(reverse("careplans:edit", args=[cast.ann.public_id])).content.decode()
    assert 'name="based_on_version" value="1"' in page
    assert "Get my own flat and keep it" in page
    assert 'name="person_goals-TOTAL_FORMS" value="4"' in page  # one goal and three blank rows
    assert "Sue Abbott (Parent)" in page and "Daily call" in page
    assert "<script>" not in page and "style=" not in page  # strict CSP: nothing inline


def test_r4_saving_over_a_version_you_did_not_load_shows_the_differences_and_keeps_your_text(
    cast: Cast, client_for: SignIn
) -> None:
    CareTeamMemberFactory(person=cast.ann, user=cast.psychiatrist, role=Role.PSYCHIATRIST)
    save(cast, cast.ann)
    save(cast, cast.ann, by=cast.psychiatrist, based_on=1, contingency_overdose="Naloxone with his sister too.")
    client = client_for(cast.coordinator)
    url = reverse("careplans:edit", args=[cast.ann.public_id])
    response = client.post(url, plan_post(based_on=1, strengths="Cooks for friends"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this plan while you were editing" in page
    assert "Tunde Adeyemi saved version 2" in page
    assert "Naloxone with his sister too." in page  # theirs, side by side
    assert "Cooks for friends" in page  # yours, still in the form
    assert 'name="based_on_version" value="2"' in page
    assert CarePlanVersion.objects.filter(plan__person=cast.ann).count() == 2
    # Having looked, saving again is based on version 2 and makes version 3.
    assert client.post(url, plan_post(based_on=2, strengths="Cooks for friends")).status_code == 302
    assert CarePlanVersion.objects.filter(plan__person=cast.ann).count() == 3


def test_saving_with_no_change_says_so_and_makes_no_version(cast: Cast, client_for: SignIn) -> None:
    client = client_for(cast.coordinator)
    url = reverse("careplans:edit", args=[cast.ann.public_id])
    client.post(url, plan_post())
    response = client.post(url, plan_post(based_on=1), follow=True)
    assert "Nothing has changed since version 1" in response.content.decode()
    assert CarePlanVersion.objects.count() == 1


def test_a_row_with_a_contact_but_no_service_is_an_error_on_that_row(cast: Cast, client_for: SignIn) -> None:
    data = plan_post(**{"services-1-contact_name": "Dr Shah"})
    response = client_for(cast.coordinator).post(reverse("careplans:edit", args=[cast.ann.public_id]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_services-1-service"' in page
    assert not CarePlanVersion.objects.exists()


def test_r4_consent_reader_sees_the_plan_page_without_change_links(cast: Cast, client_for: SignIn) -> None:
    save(cast, cast.ben)
    page = client_for(cast.da_worker).get(reverse("careplans:view", args=[cast.ben.public_id])).content.decode()
    assert "Get my own flat and keep it" in page
    assert reverse("careplans:edit", args=[cast.ben.public_id]) not in page
    assert reverse("careplans:share", args=[cast.ben.public_id]) not in page


def test_the_persons_page_links_to_their_care_plan(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id])).content.decode()
    assert reverse("careplans:view", args=[cast.ann.public_id]) in page
    assert reverse("careplans:edit", args=[cast.ann.public_id]) in page
    assert reverse("careplans:plain", args=[cast.ann.public_id]) in page


def test_a_consent_readers_person_page_links_to_the_plan_but_not_the_editor(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.da_worker).get(reverse("people:detail", args=[cast.ben.public_id])).content.decode()
    assert reverse("careplans:view", args=[cast.ben.public_id]) in page
    assert reverse("careplans:edit", args=[cast.ben.public_id]) not in page
