"""R4 sharing follows recorded consent: a copy of the plan goes to a carer or another organisation only when
the person's current consent to that recipient includes the care plan; each copy given is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CarePlanShare, CarePlanVersion, ShareMethod
from coexist.care.plans.content import PlanContent
from coexist.care.plans.selectors import share_recipients
from coexist.care.plans.services import care_plan_save, care_plan_share
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory, ConsentFactory, complete_care_plan_content

SignIn = Callable[[User], Client]


def _plan(cast: Cast) -> CarePlanVersion:
    content = PlanContent.model_validate(complete_care_plan_content())
    return care_plan_save(
        person=cast.ben, by=cast.coordinator, content=content, based_on_version=None, channel=Channel.PAGE
    )


def test_r4_plan_shared_with_carer_only_with_consent(cast: Cast) -> None:
    version = _plan(cast)
    sister = CarerFactory(person=cast.ben, name="Bea Baker")

    def share() -> CarePlanShare:
        return care_plan_share(
            version=version, by=cast.coordinator, method=ShareMethod.PRINTED, channel=Channel.PAGE, carer=sister
        )

    with pytest.raises(ValidationError) as refused:
        share()
    assert refused.value.message_dict["recipient"] == [
        "Ben Baker has not agreed to share their care plan with Bea Baker. "
        "Record their consent to share the care plan first, if they agree."
    ]
    # Consent to share other parts with her is not consent to share the plan.
    ConsentFactory(person=cast.ben, organisation=None, carer=sister, parts=["contact"], recorded_by=cast.coordinator)
    with pytest.raises(ValidationError):
        share()
    assert not CarePlanShare.objects.exists()

    consent = ConsentFactory(
        person=cast.ben, organisation=None, carer=sister, parts=["care_plan"], recorded_by=cast.coordinator
    )
    shared = share()
    assert (shared.carer, shared.version, shared.shared_by) == (sister, version, cast.coordinator)
    entry = AccessLogEntry.objects.get(detail__startswith="shared care plan version 1 with Bea Baker")
    assert (entry.action, entry.parts) == ("write", ["care_plan"])

    # Withdrawn consent: no more copies.
    consent.withdrawn_on = timezone.localdate()
    consent.withdrawn_by = cast.coordinator
    consent.save()
    with pytest.raises(ValidationError):
        share()
    assert CarePlanShare.objects.count() == 1


def test_r4_a_future_consent_is_not_yet_consent(cast: Cast) -> None:
    version = _plan(cast)
    sister = CarerFactory(person=cast.ben)
    ConsentFactory(
        person=cast.ben,
        organisation=None,
        carer=sister,
        parts=["care_plan"],
        given_on=timezone.localdate() + timedelta(days=3),
        recorded_by=cast.coordinator,
    )
    with pytest.raises(ValidationError):
        care_plan_share(
            version=version, by=cast.coordinator, method=ShareMethod.POST, channel=Channel.PAGE, carer=sister
        )


def test_r4_shared_with_an_organisation_the_person_agreed_to(cast: Cast) -> None:
    version = _plan(cast)
    shared = care_plan_share(
        version=version, by=cast.coordinator, method=ShareMethod.EMAIL, channel=Channel.API, organisation=cast.pathways
    )
    assert shared.recipient_name == cast.pathways.name
    with pytest.raises(ValidationError):
        care_plan_share(
            version=version,
            by=cast.coordinator,
            method=ShareMethod.EMAIL,
            channel=Channel.API,
            organisation=cast.housing,
        )


def test_r4_a_consent_reader_may_not_pass_the_plan_on(cast: Cast) -> None:
    version = _plan(cast)
    with pytest.raises(AccessRefused):
        care_plan_share(
            version=version,
            by=cast.da_worker,
            method=ShareMethod.EMAIL,
            channel=Channel.PAGE,
            organisation=cast.pathways,
        )


def test_another_persons_carer_is_refused(cast: Cast) -> None:
    version = _plan(cast)
    stranger = CarerFactory(person=cast.ann)
    with pytest.raises(ValidationError):
        care_plan_share(
            version=version, by=cast.coordinator, method=ShareMethod.POST, channel=Channel.PAGE, carer=stranger
        )


def test_recipients_list_every_carer_with_why_not_and_only_agreed_organisations(cast: Cast) -> None:
    agreed = CarerFactory(person=cast.ben, name="Al Baker")
    not_agreed = CarerFactory(person=cast.ben, name="Zed Baker")
    ConsentFactory(person=cast.ben, organisation=None, carer=agreed, parts=["care_plan"], given_on=date(2025, 1, 1))
    recipients = {r.name: r for r in share_recipients(person=cast.ben)}
    assert set(recipients) == {"Al Baker", "Zed Baker", cast.pathways.name}
    assert recipients["Al Baker"].allowed and recipients[cast.pathways.name].allowed
    assert not recipients["Zed Baker"].allowed
    assert "has not agreed" in (recipients["Zed Baker"].refusal or "")
    assert not_agreed.public_id == recipients["Zed Baker"].public_id


def test_the_share_page_refuses_a_carer_without_consent_with_the_reason(cast: Cast, client_for: SignIn) -> None:
    _plan(cast)
    sister = CarerFactory(person=cast.ben, name="Bea Baker")
    client = client_for(cast.coordinator)
    url = reverse("careplans:share", args=[cast.ben.public_id])
    page = client.get(url).content.decode()
    assert "Not agreed" in page and "Bea Baker" in page
    response = client.post(url, {"recipient": f"carer:{sister.public_id}", "method": "printed"})
    assert response.status_code == 400
    assert "Ben Baker has not agreed to share their care plan with Bea Baker" in response.content.decode()
    assert not CarePlanShare.objects.exists()
    response = client.post(
        url, {"recipient": f"organisation:{cast.pathways.public_id}", "method": "email"}, follow=True
    )
    assert "Recorded: a copy of version 1 given to Pathways Drug and Alcohol Service" in response.content.decode()
    assert CarePlanShare.objects.get().organisation == cast.pathways


def test_the_share_page_is_for_the_care_team_only(cast: Cast, client_for: SignIn) -> None:
    _plan(cast)
    response = client_for(cast.da_worker).get(reverse("careplans:share", args=[cast.ben.public_id]))
    assert response.status_code == 403
