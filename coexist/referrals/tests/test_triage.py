"""Triage: the queue, likely duplicates (logged as a duplicate check), linking or recording the
person, accepting (opens an episode of care), redirecting, closing, and the status history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import EpisodeOfCare
from coexist.organisations.models import Role
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, may
from coexist.people.rules import Action
from coexist.referrals.models import Referral, Status, Urgency
from coexist.referrals.selectors import DUPLICATE_CHECK, duplicates_for_triage, triage_queue
from coexist.referrals.services import (
    referral_accept,
    referral_cancel,
    referral_create_person,
    referral_link_person,
    referral_redirect,
    referral_triage,
    referral_withdraw,
)
from coexist.testing.cast import Cast
from coexist.testing.factories import MembershipFactory, PersonFactory, TeamFactory, UnlinkedReferralFactory


def test_queue_shows_open_referrals_to_my_services_urgent_first_then_oldest(cast: Cast) -> None:
    now = timezone.now()
    old_routine = UnlinkedReferralFactory(to_service=cast.pathways_service, received_at=now - timedelta(days=20))
    new_urgent = UnlinkedReferralFactory(to_service=cast.pathways_service, urgency=Urgency.URGENT, received_at=now)
    soon = UnlinkedReferralFactory(to_service=cast.pathways_service, urgency=Urgency.SOON, received_at=now)
    UnlinkedReferralFactory(to_service=cast.cmht)  # not Pathways
    cat = cast.cat.referrals.get()
    queue = triage_queue(viewer=cast.da_worker, channel=Channel.PAGE)
    assert queue[:2] == [new_urgent, soon]
    assert queue[2:] == [old_routine, cat]
    assert Referral.objects.get(pk=cast.dan.referrals.get().pk) not in queue  # declined: not open


def test_queue_logs_the_linked_people_it_names(cast: Cast) -> None:
    triage_queue(viewer=cast.da_worker, channel=Channel.PAGE)
    logged = set(AccessLogEntry.objects.filter(detail="triage queue").values_list("person_public_id", flat=True))
    assert logged == {cast.cat.public_id}


def test_queue_is_empty_for_staff_outside_the_service(cast: Cast) -> None:
    assert triage_queue(viewer=cast.coordinator, channel=Channel.PAGE) == []
    assert triage_queue(viewer=cast.admin, channel=Channel.PAGE) == []


def test_queue_query_count_does_not_grow_with_the_queue(cast: Cast) -> None:
    for _ in range(3):
        UnlinkedReferralFactory(to_service=cast.pathways_service, person=PersonFactory())
    with CaptureQueriesContext(connection) as few:
        triage_queue(viewer=cast.da_worker, channel=Channel.PAGE)
    for _ in range(10):
        UnlinkedReferralFactory(to_service=cast.pathways_service, person=PersonFactory())
    with CaptureQueriesContext(connection) as many:
        triage_queue(viewer=cast.da_worker, channel=Channel.PAGE)
    assert len(many) == len(few)


def test_likely_duplicates_by_name_and_date_of_birth_ignoring_case(cast: Cast, unlinked_to_pathways: Referral) -> None:
    assert duplicates_for_triage(viewer=cast.da_worker, referral=unlinked_to_pathways, channel=Channel.PAGE) == [
        cast.cat
    ]


def test_likely_duplicates_by_nhs_number(cast: Cast) -> None:
    referral = UnlinkedReferralFactory(to_service=cast.pathways_service, nhs_number="9434765919", given_name="Annie")
    assert duplicates_for_triage(viewer=cast.da_worker, referral=referral, channel=Channel.PAGE) == [cast.ann]


def test_a_different_date_of_birth_is_not_a_likely_duplicate(cast: Cast) -> None:
    referral = UnlinkedReferralFactory(
        to_service=cast.pathways_service, given_name="Cat", family_name="Carter", date_of_birth=date(1991, 7, 2)
    )
    assert duplicates_for_triage(viewer=cast.da_worker, referral=referral, channel=Channel.PAGE) == []


def test_showing_duplicates_is_logged_as_a_duplicate_check(cast: Cast, unlinked_to_pathways: Referral) -> None:
    duplicates_for_triage(viewer=cast.da_worker, referral=unlinked_to_pathways, channel=Channel.PAGE)
    entry = AccessLogEntry.objects.get(purpose=DUPLICATE_CHECK)
    assert entry.person_public_id == cast.cat.public_id
    assert entry.actor_username == "da_worker"
    assert entry.parts == ["identity"]


def test_duplicates_are_not_shown_to_staff_outside_the_service(cast: Cast, unlinked_to_pathways: Referral) -> None:
    with pytest.raises(AccessRefused):
        duplicates_for_triage(viewer=cast.coordinator, referral=unlinked_to_pathways, channel=Channel.PAGE)
    assert not AccessLogEntry.objects.filter(purpose=DUPLICATE_CHECK).exists()


def test_link_to_a_likely_duplicate_never_merges(cast: Cast, unlinked_to_pathways: Referral) -> None:
    people = Person.objects.count()
    linked = referral_link_person(
        referral=unlinked_to_pathways, person=cast.cat, by=cast.da_worker, channel=Channel.PAGE
    )
    assert linked.person == cast.cat
    assert Person.objects.count() == people
    assert linked.given_name == "Cat" and linked.family_name == "CARTER"  # what was submitted is kept


def test_link_refuses_someone_who_is_neither_a_match_nor_visible(cast: Cast, unlinked_to_pathways: Referral) -> None:
    """SECURITY: linking would open Ann's record to Pathways; she does not match and da_worker cannot see her."""
    with pytest.raises(ValidationError) as refused:
        referral_link_person(referral=unlinked_to_pathways, person=cast.ann, by=cast.da_worker, channel=Channel.PAGE)
    assert "person" in refused.value.message_dict
    assert not may(cast.da_worker, cast.ann, Action.READ).allowed


def test_record_a_new_person_from_the_referral_and_see_them(cast: Cast) -> None:
    referral = UnlinkedReferralFactory(to_service=cast.pathways_service, given_name="Zed", family_name="Young")
    person = referral_create_person(
        referral=referral,
        by=cast.da_worker,
        given_name="Zed",
        family_name="Young",
        date_of_birth=date(1992, 5, 17),
        contact_method="text",
        phone="07700 900456",
        channel=Channel.PAGE,
    )
    referral.refresh_from_db()
    assert referral.person == person
    assert may(cast.da_worker, person, Action.READ).allowed
    assert AccessLogEntry.objects.filter(person_public_id=person.public_id, detail="recorded a new person").exists()


def test_r11_a_new_person_needs_a_usable_contact_method(cast: Cast, unlinked_to_pathways: Referral) -> None:
    with pytest.raises(ValidationError) as refused:
        referral_create_person(
            referral=unlinked_to_pathways,
            by=cast.da_worker,
            given_name="Zed",
            family_name="Young",
            date_of_birth=None,
            contact_method="email",
            email="",
            channel=Channel.PAGE,
        )
    assert "email" in refused.value.message_dict
    assert not Person.objects.filter(given_name="Zed").exists()


def test_a_new_person_with_an_nhs_number_already_recorded_is_refused(
    cast: Cast, unlinked_to_pathways: Referral
) -> None:
    with pytest.raises(ValidationError) as refused:
        referral_create_person(
            referral=unlinked_to_pathways,
            by=cast.da_worker,
            given_name="Zed",
            family_name="Young",
            date_of_birth=None,
            nhs_number="943 476 5919",
            contact_method="in_person",
            channel=Channel.PAGE,
        )
    assert "nhs_number" in refused.value.message_dict


def test_accept_opens_an_episode_held_by_my_team_and_records_history(cast: Cast) -> None:
    referral = cast.cat.referrals.get()
    referral_triage(referral=referral, by=cast.da_worker, urgency=Urgency.SOON, note="Looked at", channel=Channel.PAGE)
    episode = referral_accept(referral=referral, by=cast.da_worker, note="Joint work with CMHT", channel=Channel.PAGE)
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert episode.team == cast.pathways_team and episode.referral == referral and episode.person == cast.cat
    steps = [(c.from_status, c.to_status, c.by) for c in referral.history.all()]
    assert steps == [
        (Status.RECEIVED, Status.TRIAGED, cast.da_worker),
        (Status.TRIAGED, Status.ACCEPTED, cast.da_worker),
    ]
    assert referral.triaged_at is not None and referral.decided_at is not None
    # The team still sees Cat through the open episode once the referral is no longer open.
    assert may(cast.da_worker, cast.cat, Action.READ).allowed


def test_accept_needs_a_person(cast: Cast, unlinked_to_pathways: Referral) -> None:
    with pytest.raises(ValidationError) as refused:
        referral_accept(referral=unlinked_to_pathways, by=cast.da_worker, channel=Channel.PAGE)
    assert "person" in refused.value.message_dict
    assert not EpisodeOfCare.objects.exists()


def test_accept_asks_which_team_when_i_am_in_two(cast: Cast) -> None:
    second = TeamFactory(service=cast.pathways_service, name="Pathways outreach")
    MembershipFactory(user=cast.da_worker, team=second, role=Role.SUBSTANCE_MISUSE_WORKER)
    referral = cast.cat.referrals.get()
    with pytest.raises(ValidationError) as refused:
        referral_accept(referral=referral, by=cast.da_worker, channel=Channel.PAGE)
    assert "team" in refused.value.message_dict
    with pytest.raises(ValidationError):
        referral_accept(referral=referral, by=cast.da_worker, team=cast.north, channel=Channel.PAGE)
    assert referral_accept(referral=referral, by=cast.da_worker, team=second, channel=Channel.PAGE).team == second


def test_only_the_service_referred_to_may_accept(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        referral_accept(referral=cast.cat.referrals.get(), by=cast.coordinator, channel=Channel.PAGE)


def test_redirect_makes_a_new_referral_and_keeps_history(cast: Cast) -> None:
    referral = cast.cat.referrals.get()
    onward = referral_redirect(
        referral=referral, by=cast.da_worker, to_service=cast.cmht, note="Needs CMHT first", channel=Channel.PAGE
    )
    referral.refresh_from_db()
    assert referral.status == Status.REDIRECTED and referral.redirected_to == cast.cmht
    assert onward.to_service == cast.cmht and onward.person == cast.cat and onward.redirected_from == referral
    assert onward.status == Status.RECEIVED and onward.reference != referral.reference
    assert referral.history.get().to_status == Status.REDIRECTED
    assert "Redirected from" in onward.history.get().note
    assert onward in triage_queue(viewer=cast.coordinator, channel=Channel.PAGE)


def test_redirect_to_the_same_service_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        referral_redirect(
            referral=cast.cat.referrals.get(), by=cast.da_worker, to_service=cast.pathways_service, channel=Channel.PAGE
        )


def test_withdraw_and_cancel_close_an_open_referral_with_a_note(cast: Cast, unlinked_to_pathways: Referral) -> None:
    withdrawn = referral_withdraw(
        referral=cast.cat.referrals.get(), by=cast.da_worker, note="Cat said no", channel=Channel.PAGE
    )
    assert withdrawn.status == Status.WITHDRAWN
    with pytest.raises(ValidationError):
        referral_cancel(referral=unlinked_to_pathways, by=cast.da_worker, note="", channel=Channel.PAGE)
    cancelled = referral_cancel(
        referral=unlinked_to_pathways, by=cast.da_worker, note="Duplicate", channel=Channel.PAGE
    )
    assert cancelled.status == Status.CANCELLED
    assert cancelled.history.get().note == "Duplicate"


def test_the_referrer_may_cancel_a_referral_they_made(cast: Cast) -> None:
    """The coordinator referred Cat to Pathways; they do not work there, but made it in error."""
    cancelled = referral_cancel(
        referral=cast.cat.referrals.get(), by=cast.coordinator, note="Wrong person", channel=Channel.PAGE
    )
    assert cancelled.status == Status.CANCELLED
    with pytest.raises(AccessRefused):
        referral_withdraw(referral=cancelled, by=cast.coordinator, note="x", channel=Channel.PAGE)


def test_triage_only_from_received(cast: Cast) -> None:
    referral = cast.cat.referrals.get()
    referral_triage(referral=referral, by=cast.da_worker, urgency=Urgency.URGENT, channel=Channel.PAGE)
    referral.refresh_from_db()
    assert referral.urgency == Urgency.URGENT and referral.status == Status.TRIAGED
    with pytest.raises(ValidationError):
        referral_triage(referral=referral, by=cast.da_worker, urgency=Urgency.ROUTINE, channel=Channel.PAGE)


def test_an_open_referral_to_my_service_still_opens_the_record(cast: Cast) -> None:
    """The permission module's 'open referral' relationship survives the nullable person."""
    UnlinkedReferralFactory(to_service=cast.pathways_service)
    assert may(cast.da_worker, cast.cat, Action.READ).allowed
    referral_withdraw(referral=cast.cat.referrals.get(), by=cast.da_worker, note="No", channel=Channel.PAGE)
    assert not may(cast.da_worker, cast.cat, Action.READ).allowed
