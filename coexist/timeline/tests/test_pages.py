"""The timeline page, the person page's "latest" section and the API: rendering, filters, bad input, refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Outcome
from coexist.testing.cast import Cast
from coexist.testing.factories import AppointmentFactory
from coexist.timeline.tests.history import at, build_history

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
Bearer = Callable[[User], dict[str, str]]


def _url(cast: Cast) -> str:
    return reverse("timeline:person", args=[cast.ann.public_id])


def _api(person_id: object) -> str:
    return f"/api/v1/people/{person_id}/timeline"


def test_page_renders_for_the_care_team_newest_first_with_time_elements(cast: Cast, client_for: SignIn) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    response = client_for(cast.coordinator).get(_url(cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Contact regained") < html.index("Contact lost") < html.index("Referral received by")
    assert '<time datetime="2025-01-06">' in html
    assert 'name="kind"' in html and 'name="from"' in html


def test_page_url_is_under_the_person(cast: Cast) -> None:
    assert _url(cast) == f"/people/{cast.ann.public_id}/timeline/"


def test_page_filters_by_kind_and_dates_with_get_parameters(cast: Cast, client_for: SignIn) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    response = client_for(cast.coordinator).get(
        _url(cast), {"kind": "risk_flag", "from": "7/1/2025", "to": "2025-01-15"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Risk flag raised: overdose" in html and "Care plan version 1 saved" not in html
    assert 'value="risk_flag" class="nhsuk-checkboxes__input" id="id_kind_4" checked' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "31/02/2025"}, "Enter a real date"),
        ({"to": "yesterday"}, "Enter a real date"),
        ({"from": "2025-03-01", "to": "2025-02-01"}, "must be the same as or after"),
        ({"kind": "gossip"}, "is not a kind of entry you can see here"),
        ({"page": "abc"}, "whole number"),
        ({"page": "0"}, "1 or more"),
        ({"page": "100000"}, "choose dates"),
    ],
)
def test_page_bad_filter_shows_a_message_not_a_500(
    cast: Cast, client_for: SignIn, params: dict[str, str], message: str
) -> None:
    response = client_for(cast.coordinator).get(_url(cast), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html


def test_page_kind_the_viewer_cannot_see_is_an_error(cast: Cast, client_for: SignIn) -> None:
    """da_worker reads Ben by consent (substance use, care plan): appointments are not offered."""
    response = client_for(cast.da_worker).get(
        reverse("timeline:person", args=[cast.ben.public_id]), {"kind": "appointment"}
    )
    assert response.status_code == 400


def test_page_refuses_an_unrelated_viewer_and_logs_it(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.da_worker).get(_url(cast))
    assert response.status_code == 403
    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id)
    assert entry.outcome == Outcome.REFUSED


def test_page_writes_one_access_log_entry(cast: Cast, client_for: SignIn) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    client_for(cast.coordinator).get(_url(cast))
    assert AccessLogEntry.objects.filter(person_public_id=cast.ann.public_id).count() == 1


def test_page_older_link_when_there_is_more(cast: Cast, client_for: SignIn) -> None:
    for n in range(55):
        AppointmentFactory(person=cast.ann, service=cast.cmht, staff=cast.coordinator, created_at=at(n))
    client = client_for(cast.coordinator)
    html = client.get(_url(cast), {"kind": "appointment"}).content.decode()
    assert "page=2" in html and "Older" in html
    html = client.get(_url(cast), {"kind": "appointment", "page": "2"}).content.decode()
    assert "Newer" in html and "page=1" in html


def test_person_page_shows_the_latest_five_and_links_to_the_timeline(cast: Cast, client_for: SignIn) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    response = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id]))
    html = response.content.decode()
    assert "Latest in the timeline" in html and "See the whole timeline" in html
    assert "Care moved from Old Recovery Ltd to New Recovery CIC" in html  # day 46: the newest
    assert "Discharge completed from Birch ward" in html  # day 44
    assert "Recovery group: sent apologies" not in html  # day 31: not among the newest five
    assert "Contact regained" not in html  # day 24: not
    assert "Referral received by" not in html  # day 0: not


def test_api_returns_entries_newest_first(cast: Cast, client: Client, bearer: Bearer) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    response = client.get(_api(cast.ann.public_id), **bearer(cast.coordinator))
    assert response.status_code == 200
    body = response.json()
    stamps = [e["at"] for e in body["entries"]]
    assert stamps == sorted(stamps, reverse=True)
    assert body["page"] == 1 and "measure" in body["kinds"]


def test_api_filters_by_repeated_kind(cast: Cast, client: Client, bearer: Bearer) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    response = client.get(
        _api(cast.ann.public_id) + "?kind=measure&kind=carer&from=2025-01-01&to=2025-01-31", **bearer(cast.coordinator)
    )
    assert response.status_code == 200
    assert {e["kind"] for e in response.json()["entries"]} == {"measure", "carer"}


def test_api_bad_filter_is_a_422_problem_naming_the_field(cast: Cast, client: Client, bearer: Bearer) -> None:
    response = client.get(_api(cast.ann.public_id) + "?from=2025-02-30&kind=nope", **bearer(cast.coordinator))
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"from", "kind"}


def test_api_refuses_an_unrelated_viewer_even_with_bad_input(cast: Cast, client: Client, bearer: Bearer) -> None:
    for query in ("", "?from=nonsense"):
        response = client.get(_api(cast.ann.public_id) + query, **bearer(cast.da_worker))
        assert response.status_code == 403
    assert AccessLogEntry.objects.filter(person_public_id=cast.ann.public_id, outcome=Outcome.REFUSED).count() == 2


def test_api_unknown_person_is_404(cast: Cast, client: Client, bearer: Bearer) -> None:
    response = client.get(_api("00000000-0000-4000-8000-000000000000"), **bearer(cast.coordinator))
    assert response.status_code == 404
