"""The permission function against the full matrix: roles x relationships x read/write.

Expected answers are declared in a table, derived by hand from DOMAIN.md "Who may see what" and the
relationships stated in coexist/testing/cast.py. R = may read that part, W = may change the record.
"""

from __future__ import annotations

import pytest

from coexist.people.permissions import caseload_of, may, people_visible_to
from coexist.people.rules import Action, RecordPart
from coexist.testing.cast import Cast

ALL = {"identity": True, "contact": True, "substance_use": True, "write": True}
NONE = {"identity": False, "contact": False, "substance_use": False, "write": False}

# (staff, person) -> expected. Pairs not listed are NONE.
EXPECTED: dict[tuple[str, str], dict[str, bool]] = {
    # Care team: read and change everything.
    ("coordinator", "ann"): ALL,
    ("coordinator", "ben"): ALL,
    ("coordinator", "cat"): ALL,
    ("coordinator", "dan"): ALL,
    ("coordinator_south", "eve"): ALL,
    ("da_worker_in_team", "ann"): ALL,
    # Consent to share with Pathways (substance use and care plan): read those parts only, never change.
    ("da_worker_in_team", "ben"): {"identity": True, "contact": False, "substance_use": True, "write": False},
    ("da_worker", "ben"): {"identity": True, "contact": False, "substance_use": True, "write": False},
    # Open referral to the Pathways service: its team reads and changes the record to triage it.
    ("da_worker_in_team", "cat"): ALL,
    ("da_worker", "cat"): ALL,
    # Consent to share with Riverside Housing (contact only).
    ("housing_officer", "eve"): {"identity": True, "contact": True, "substance_use": False, "write": False},
}
# Worth naming, because each is the point of a rule:
#  - da_worker / ann: a drug and alcohol worker without consent or referral is refused.
#  - anyone / dan: withdrawn consent and a declined referral open nothing.
#  - former_coordinator / fay: an ended care-team place and an ended membership open nothing.
#  - admin, researcher / ann: in her care team, yet refused: their roles never see records.
#  - psychiatrist: same team as the coordinator, but in no care team: refused.

STAFF = ["coordinator", "coordinator_south", "psychiatrist", "da_worker_in_team", "da_worker",
         "housing_officer", "former_coordinator", "admin", "researcher"]  # fmt: skip
PEOPLE = ["ann", "ben", "cat", "dan", "eve", "fay"]


@pytest.mark.parametrize("person_name", PEOPLE)
@pytest.mark.parametrize("staff_name", STAFF)
def test_access_matrix(cast: Cast, staff_name: str, person_name: str) -> None:
    user, person = cast.staff()[staff_name], cast.people()[person_name]
    expected = EXPECTED.get((staff_name, person_name), NONE)
    actual = {
        "identity": may(user, person, Action.READ, RecordPart.IDENTITY).allowed,
        "contact": may(user, person, Action.READ, RecordPart.CONTACT).allowed,
        "substance_use": may(user, person, Action.READ, RecordPart.SUBSTANCE_USE).allowed,
        "write": may(user, person, Action.WRITE, RecordPart.CONTACT).allowed,
    }
    assert actual == expected


def test_drug_and_alcohol_worker_without_consent_is_refused_with_the_reason(cast: Cast) -> None:
    decision = may(cast.da_worker, cast.ann, Action.READ)
    assert not decision.allowed
    assert "not in this person's care team" in decision.basis
    assert "not agreed to share" in decision.basis


def test_drug_and_alcohol_worker_with_consent_reads_what_was_agreed(cast: Cast) -> None:
    decision = may(cast.da_worker, cast.ben, Action.READ, RecordPart.SUBSTANCE_USE)
    assert decision.allowed
    assert decision.basis == "consent to share with your organisation"


def test_consent_does_not_let_another_organisation_change_the_record(cast: Cast) -> None:
    decision = may(cast.da_worker, cast.ben, Action.WRITE, RecordPart.SUBSTANCE_USE)
    assert not decision.allowed
    assert "not change it" in decision.basis


def test_administrator_in_a_care_team_still_sees_no_clinical_record(cast: Cast) -> None:
    decision = may(cast.admin, cast.ann, Action.READ)
    assert not decision.allowed
    assert "Administrators and researchers" in decision.basis


def test_anonymous_user_is_refused(cast: Cast) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not may(AnonymousUser(), cast.ann, Action.READ).allowed
    assert list(people_visible_to(AnonymousUser())) == []


def test_inactive_account_is_refused(cast: Cast) -> None:
    cast.coordinator.is_active = False
    cast.coordinator.save()
    assert not may(cast.coordinator, cast.ann, Action.READ).allowed
    assert list(people_visible_to(cast.coordinator)) == []


@pytest.mark.parametrize("staff_name", STAFF)
def test_lists_agree_with_the_permission_function(cast: Cast, staff_name: str) -> None:
    """people_visible_to (lists, search) and may (one record) read the same relationships."""
    user = cast.staff()[staff_name]
    visible = set(people_visible_to(user))
    allowed = {p for p in cast.people().values() if may(user, p, Action.READ).allowed}
    assert visible == allowed


def test_caseload_is_the_care_team_only(cast: Cast) -> None:
    assert set(caseload_of(cast.coordinator)) == {cast.ann, cast.ben, cast.cat, cast.dan}
    # Cat is visible to the drug and alcohol worker through the referral, but not on their caseload.
    assert set(caseload_of(cast.da_worker_in_team)) == {cast.ann}
    assert cast.cat in set(people_visible_to(cast.da_worker_in_team))


def test_consent_given_in_the_future_is_not_yet_current(cast: Cast) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from coexist.testing.factories import ConsentFactory

    ConsentFactory(
        person=cast.ann,
        organisation=cast.pathways,
        parts=["contact"],
        given_on=timezone.localdate() + timedelta(days=3),
        recorded_by=cast.coordinator,
    )
    assert not may(cast.da_worker, cast.ann, Action.READ).allowed


def test_permission_check_costs_a_fixed_number_of_queries(cast: Cast, django_assert_max_num_queries) -> None:
    # One query per relationship (membership, care team, referral, episode, consent, group facilitator
    # (decision 0012)), whoever asks.
    with django_assert_max_num_queries(6):
        may(cast.da_worker, cast.ben, Action.READ)
