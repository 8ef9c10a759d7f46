"""Programme theory pages: who may record and read them, bad input shown by field, the result on the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.evaluation.models import Evidence, ProgrammeTheory
from coexist.evaluation.planted import plant_ward_discharges
from coexist.evaluation.services import evidence_add, theory_create
from coexist.testing.cast import Cast

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]


def _theory(cast: Cast, *, status: str = "published", service: object = None) -> ProgrammeTheory:
    return theory_create(
        title="Ward in-reach for people on opiate substitution",
        context="People leaving a ward on opiate substitution.",
        mechanism="Meeting the community worker on the ward before discharge builds trust.",
        outcome="They attend the community service within 7 days.",
        measure_key="reengagement_7_days", context_filter=[["housing_settled", "unsettled"]], status=status,
        service=service, by=cast.researcher,  # type: ignore[arg-type]
    )  # fmt: skip


def _form(**changes: str) -> dict[str, str]:
    data = {
        "title": "Uptake for women", "context": "Women referred to the service.",
        "mechanism": "A women-only clinic feels safe.", "outcome": "More attend a first appointment.",
        "measure_key": "uptake", "expects": "higher", "context_1": "sex=female", "context_2": "", "context_3": "",
        "service": "", "status": "draft",
    }  # fmt: skip
    data.update(changes)
    return data


def test_team_leader_records_a_theory_and_reads_it(cast: Cast, client_for: ClientFor) -> None:
    client = client_for(cast.team_leader)
    assert client.get(reverse("evaluation:theory_new")).status_code == 200
    response = client.post(reverse("evaluation:theory_new"), _form(context_2="housing_settled=unsettled"))
    theory = ProgrammeTheory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:theory", args=[theory.public_id])
    assert theory.context_filter == [["sex", "female"], ["housing_settled", "unsettled"]]
    assert theory.created_by == cast.team_leader and theory.status == "draft"
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "A women-only clinic feels safe." in body
    assert "Sex: Female and Settled or unsettled housing: Unsettled" in body
    assert "Too few to say" in body  # no data at all
    assert not AccessLogEntry.objects.filter(actor_username=cast.team_leader.username).exists()  # aggregates log no one


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"mechanism": "x" * 10_000}, "mechanism", "The mechanism in words must be 5,000 characters or fewer."),
        ({"outcome": "more\x00attend"}, "outcome", "Null characters are not allowed."),
        ({"measure_key": "days_to_assessment"}, "measure_key", "Select a valid choice"),
        ({"context_1": ""}, "context_1", "Choose a subgroup."),
        ({"context_2": "sex=male"}, "context_1", "Choose each kind of subgroup once"),
        ({"context_1": "shoe_size=9"}, "context_1", "Select a valid choice"),
    ],
)
def test_bad_theory_input_is_shown_by_field_and_nothing_is_saved(
    cast: Cast, client_for: ClientFor, changes: dict[str, str], field: str, message: str
) -> None:
    response = client_for(cast.researcher).post(reverse("evaluation:theory_new"), _form(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ProgrammeTheory.objects.exists()


def test_clinical_staff_may_not_record_theories(cast: Cast, client_for: ClientFor) -> None:
    client = client_for(cast.coordinator)
    assert client.get(reverse("evaluation:theory_new")).status_code == 403
    assert client.post(reverse("evaluation:theory_new"), _form()).status_code == 403
    assert not ProgrammeTheory.objects.exists()


def test_edit_keeps_the_earlier_version(cast: Cast, client_for: ClientFor) -> None:
    theory = _theory(cast)
    client = client_for(cast.team_leader)
    form = client.get(reverse("evaluation:theory_edit", args=[theory.public_id]))
    assert form.status_code == 200
    assert form.context["form"].initial["context_1"] == "housing_settled=unsettled"
    response = client.post(
        reverse("evaluation:theory_edit", args=[theory.public_id]),
        _form(title="Renamed", measure_key="reengagement_7_days", context_1="housing_settled=unsettled"),
    )
    assert response.status_code == 302
    theory.refresh_from_db()
    assert theory.title == "Renamed"
    assert [h.title for h in theory.history.order_by("history_date")] == [  # type: ignore[attr-defined]
        "Ward in-reach for people on opiate substitution",
        "Renamed",
    ]


def test_evidence_is_added_with_its_source_and_shown(cast: Cast, client_for: ClientFor) -> None:
    theory = _theory(cast)
    client = client_for(cast.researcher)
    url = reverse("evaluation:evidence_new", args=[theory.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"kind": "stakeholder_event", "source": "RECO stakeholder event, Leicester, 12 March 2024",
         "summary": "Ward staff said meeting the worker first made the difference.", "dated_day": "12",
         "dated_month": "3", "dated_year": "2024"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Evidence.objects.get().added_by == cast.researcher
    body = client.get(reverse("evaluation:theory", args=[theory.public_id])).content.decode()
    assert "RECO stakeholder event, Leicester, 12 March 2024" in body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": ""}, "source"),
        ({"dated_year": "2999"}, "dated"),
        ({"dated_year": "1066"}, "dated"),
        ({"kind": "x"}, "kind"),
    ],
)
def test_bad_evidence_is_refused_by_field(
    cast: Cast, client_for: ClientFor, changes: dict[str, str], field: str
) -> None:
    theory = _theory(cast)
    data = {"kind": "literature", "source": "Hughes 2024", "summary": "Found it.", "dated_day": "1", "dated_month": "1",
            "dated_year": "2024"} | changes  # fmt: skip
    response = client_for(cast.researcher).post(reverse("evaluation:evidence_new", args=[theory.public_id]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Evidence.objects.exists()


def test_evidence_service_refuses_a_future_date(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        evidence_add(
            theory=_theory(cast), kind="interview", source="Interview 4", summary="Said so.",
            dated=timezone.localdate() + timedelta(days=30), by=cast.researcher,
        )  # fmt: skip
    assert "dated" in caught.value.message_dict


def test_who_reads_which_theory(cast: Cast, client_for: ClientFor) -> None:
    draft = _theory(cast, status="draft")
    everywhere = _theory(cast)
    pathways_only = _theory(cast, service=cast.pathways_service)
    for user, visible in (
        (cast.researcher, {draft, everywhere, pathways_only}),
        (cast.coordinator, {everywhere}),
        (cast.da_worker, {everywhere, pathways_only}),
    ):
        response = client_for(user).get(reverse("evaluation:theories"))
        assert response.status_code == 200
        assert set(response.context["theories"]) == visible
        for theory in (draft, everywhere, pathways_only):
            status = client_for(user).get(reverse("evaluation:theory", args=[theory.public_id])).status_code
            assert status == (200 if theory in visible else 403)
    assert client_for(cast.admin).get(reverse("evaluation:theories")).status_code == 403


def test_unknown_theory_is_404(cast: Cast, client_for: ClientFor) -> None:
    url = reverse("evaluation:theory", args=["00000000-0000-4000-8000-000000000000"])
    assert client_for(cast.researcher).get(url).status_code == 404


def test_result_on_the_page_with_a_period(cast: Cast, client_for: ClientFor) -> None:
    plant_ward_discharges(
        ward_team=cast.ward_team, community=cast.cmht, drug_alcohol=cast.pathways_service, by=cast.ward_nurse,
        first_day=timezone.localdate() - timedelta(days=90), days=60, in_context=100, others=100,
        follow_up_in_context=0.4, follow_up_others=0.8,
    )  # fmt: skip
    theory = _theory(cast)
    theory.measure_key, theory.expects = "discharge_follow_up_72h", "lower"
    theory.save()
    client = client_for(cast.coordinator)
    url = reverse("evaluation:theory", args=[theory.public_id])
    body = client.get(url).content.decode()
    assert "40% (95% CI 31% to 50%, 40 of 100) against 80% (95% CI 71% to 87%, 80 of 100)" in body
    assert "The data are consistent with the theory; they do not show that the mechanism caused it." in body
    assert "Planted" not in body  # an aggregate page names nobody
    # A period before the discharges: nothing to compare.
    early = client.get(url, {"from": "2020-01-01", "to": "2020-12-31"}).content.decode()
    assert "Too few to say" in early
    bad = client.get(url, {"from": "2020-13-01", "to": "2020-12-31"})
    assert bad.status_code == 400
    assert "Enter a date as year-month-day" in bad.content.decode()
    assert client.get(url, {"from": "2021-01-01", "to": "2020-01-01"}).status_code == 400
