"""R9 through the services: courses and their dose history, doses given, naloxone, other medicines and
the prescribing handover (request, accept, decline, withdraw); permission refusals are logged and a
refused change saves nothing. See world.py for who may see whom."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from coexist.audit.models import AccessLogEntry, Channel
from coexist.medicines.models import (
    DoseChange,
    DoseGiven,
    HandoverStatus,
    NaloxoneOffer,
    OpiateSubstitution,
    PrescribingHandover,
)
from coexist.medicines.selectors import (
    accepted_handover,
    current_dose,
    current_opiate_substitution,
    handover_overtaken_by,
    last_dose_given,
    naloxone_offered_since,
)
from coexist.medicines.services import (
    dose_change_record,
    naloxone_offer_record,
    opiate_substitution_start,
    opiate_substitution_stop,
    other_medicine_add,
    prescribing_handover_accept,
    prescribing_handover_decline,
    prescribing_handover_request,
    prescribing_handover_withdraw,
)
from coexist.medicines.tests.world import NOW, TODAY, TOMORROW, give, request, start
from coexist.people.permissions import AccessRefused
from coexist.tasks.models import Task, TaskStatus
from coexist.testing.cast import Cast

pytestmark = pytest.mark.usefixtures("clock")


def test_r9_start_records_the_course_and_its_first_dose(cast: Cast) -> None:
    treatment = start(cast)
    dose = current_dose(treatment)
    assert dose is not None and dose.daily_dose_mg == Decimal("60") and dose.supervised
    assert current_opiate_substitution(cast.cat) == treatment
    writes = AccessLogEntry.objects.filter(actor_username="coordinator", action="write")
    assert any("medicines" in entry.parts and "started methadone" in entry.detail for entry in writes)


def test_r9_only_one_current_course_per_person(cast: Cast) -> None:
    start(cast)
    with pytest.raises(ValidationError) as refused:
        start(cast, drug="buprenorphine", dose="8")
    assert "already has a current course" in refused.value.message_dict["drug"][0]
    assert OpiateSubstitution.objects.count() == 1


def test_r9_dose_outside_the_range_is_refused_and_nothing_is_saved(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        start(cast, dose="600")
    assert "between 1 and 300 mg a day" in refused.value.message_dict["daily_dose_mg"][0]
    assert not OpiateSubstitution.objects.exists() and not DoseChange.objects.exists()


def test_r9_dose_change_keeps_history(cast: Cast) -> None:
    treatment = start(cast)
    first = current_dose(treatment)
    change = dose_change_record(
        treatment=treatment, daily_dose_mg=Decimal("70"), supervised=False, pharmacy="Boots, High Street",
        effective_from=TODAY, reason="Still using on top; increase by 10 mg.", by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert current_dose(treatment) == change
    assert list(treatment.doses.order_by("effective_from").values_list("daily_dose_mg", flat=True)) == [
        Decimal("60"),
        Decimal("70"),
    ]
    assert first is not None and DoseChange.objects.get(pk=first.pk).daily_dose_mg == Decimal("60")


def test_r9_dose_change_needs_a_reason_and_a_date_not_before_the_last(cast: Cast) -> None:
    treatment = start(cast)
    with pytest.raises(ValidationError) as refused:
        dose_change_record(
            treatment=treatment, daily_dose_mg=Decimal("70"), supervised=True, pharmacy="",
            effective_from=TODAY + timedelta(days=1), reason=" ", by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"reason", "effective_from"}
    with pytest.raises(ValidationError) as refused:
        dose_change_record(
            treatment=treatment, daily_dose_mg=Decimal("70"), supervised=True, pharmacy="",
            effective_from=TODAY - timedelta(days=31), reason="x", by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert "before the course started" in refused.value.message_dict["effective_from"][0]
    assert treatment.doses.count() == 1


def test_r9_dose_given_in_the_future_is_refused(cast: Cast) -> None:
    start(cast)
    with pytest.raises(ValidationError) as refused:
        give(cast, at=NOW + timedelta(minutes=5))
    assert "future" in refused.value.message_dict["given_at"][0]
    assert not DoseGiven.objects.exists()


def test_r9_dose_given_without_a_current_course_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        give(cast)
    assert "no current course" in refused.value.message_dict["given_at"][0]
    treatment = start(cast)
    opiate_substitution_stop(
        treatment=treatment, stopped_on=TODAY, reason="Detoxification completed.", by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        give(cast)
    assert not DoseGiven.objects.exists()


def test_r9_last_dose_given_is_the_latest_by_time_given(cast: Cast) -> None:
    treatment = start(cast)
    give(cast, at=NOW - timedelta(hours=2))
    give(cast, at=NOW - timedelta(days=1))
    last = last_dose_given(treatment)
    assert last is not None and last.given_at == NOW - timedelta(hours=2)


def test_r9_someone_without_a_relationship_is_refused_logged_and_nothing_saved(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        opiate_substitution_start(
            person=cast.ann, drug="methadone", prescribing_service=cast.cmht, prescriber_name="Dr Who",
            started_on=TODAY, daily_dose_mg=Decimal("60"), supervised=True, pharmacy="", by=cast.da_worker,
            channel=Channel.PAGE,
        )  # fmt: skip
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").exists()
    assert not OpiateSubstitution.objects.exists()


def test_r9_consent_to_read_does_not_allow_changing_medicines(cast: Cast) -> None:
    # Ben shares substance use and care plan with Pathways, not medicines, and consent never allows writing.
    with pytest.raises(AccessRefused):
        naloxone_offer_record(
            person=cast.ben, offered_at=NOW, outcome="declined", by=cast.da_worker, channel=Channel.PAGE
        )
    assert not NaloxoneOffer.objects.exists()


def test_r9_naloxone_offer_and_selector(cast: Cast) -> None:
    assert not naloxone_offered_since(cast.cat, NOW - timedelta(days=7))
    with pytest.raises(ValidationError) as refused:
        naloxone_offer_record(
            person=cast.cat, offered_at=NOW, outcome="supplied", by=cast.coordinator, channel=Channel.PAGE
        )
    assert "kit" in refused.value.message_dict
    naloxone_offer_record(
        person=cast.cat, offered_at=NOW - timedelta(hours=1), outcome="supplied", kit="nasal", training_given=True,
        carer_trained=True, by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    assert naloxone_offered_since(cast.cat, NOW - timedelta(days=7))
    assert not naloxone_offered_since(cast.cat, NOW)


def test_r9_other_medicine_checks_its_text_and_dates(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        other_medicine_add(
            person=cast.cat, name="", dose="x" * 201, why_it_matters="a\x00b", started_on=TODAY,
            stopped_on=TODAY - timedelta(days=1), by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"name", "dose", "why_it_matters", "stopped_on"}
    medicine = other_medicine_add(
        person=cast.cat, name="Clozapine", dose="300 mg at night", why_it_matters="Levels rise if smoking stops.",
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    assert medicine.pk is not None


# --- Prescribing handover ------------------------------------------------------------------------------


def test_r9_handover_request_copies_the_facts_and_tasks_the_receiving_team(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    handover = request(cast, treatment)
    assert (handover.drug, handover.daily_dose_mg, handover.supervised, handover.pharmacy) == (
        "methadone", Decimal("60"), True, "Boots, High Street",
    )  # fmt: skip
    assert handover.last_dose_given_at == NOW - timedelta(hours=1)
    task = handover.task
    assert task is not None and task.rule == "R9" and task.assigned_team == cast.pathways_team
    assert task.priority == "soon" and task.due_at < NOW.replace(hour=23) + timedelta(days=1)


def test_r9_handover_without_a_last_dose_given_is_refused(cast: Cast) -> None:
    treatment = start(cast)
    with pytest.raises(ValidationError) as refused:
        request(cast, treatment)
    assert "Record the last dose given first" in refused.value.message_dict["first_community_dose_on"][0]
    assert not PrescribingHandover.objects.exists() and not Task.objects.exists()


def test_r9_first_community_dose_after_a_missed_day_is_refused(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    with pytest.raises(ValidationError) as refused:
        prescribing_handover_request(
            treatment=treatment, to_service=cast.pathways_service, first_community_dose_on=TOMORROW + timedelta(days=1),
            by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert "A day would be missed" in refused.value.message_dict["first_community_dose_on"][0]
    assert not PrescribingHandover.objects.exists() and not Task.objects.exists()


def test_r9_handover_to_a_service_that_cannot_see_the_person_says_refer_first(cast: Cast) -> None:
    treatment = start(cast, cast.ann)
    give(cast, cast.ann)
    with pytest.raises(ValidationError) as refused:
        request(cast, treatment)
    assert "Refer them to" in refused.value.message_dict["to_service"][0]
    assert not Task.objects.exists()


def test_r9_handover_goes_only_to_a_drug_and_alcohol_service(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    with pytest.raises(ValidationError) as refused:
        prescribing_handover_request(
            treatment=treatment, to_service=cast.ward, first_community_dose_on=TOMORROW, by=cast.coordinator,
            channel=Channel.PAGE,
        )  # fmt: skip
    assert "drug and alcohol" in refused.value.message_dict["to_service"][0]


def test_r9_only_one_open_handover_per_course(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    request(cast, treatment)
    with pytest.raises(ValidationError) as refused:
        request(cast, treatment)
    assert "already waiting" in refused.value.message_dict["to_service"][0]
    assert PrescribingHandover.objects.count() == 1 and Task.objects.count() == 1


def test_r9_handover_accepted_moves_the_prescriber(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    handover = request(cast, treatment)
    with pytest.raises(ValidationError):
        prescribing_handover_accept(
            handover=handover, confirmed=False, by=cast.addictions_consultant, channel=Channel.PAGE
        )
    accepted = prescribing_handover_accept(
        handover=handover, confirmed=True, by=cast.addictions_consultant, channel=Channel.PAGE
    )
    assert accepted.status == HandoverStatus.ACCEPTED and accepted.answered_by == cast.addictions_consultant
    treatment.refresh_from_db()
    assert treatment.prescribing_service == cast.pathways_service and treatment.prescriber == cast.addictions_consultant
    assert treatment.doses.count() == 1  # no dose change needed
    task = Task.objects.get()
    assert task.status == TaskStatus.DONE and task.completed_by == cast.addictions_consultant
    assert accepted_handover(cast.cat, since=NOW - timedelta(days=1)) == accepted
    assert accepted_handover(cast.cat, since=NOW + timedelta(minutes=1)) is None


def test_r9_a_substance_worker_cannot_answer_for_the_prescriber(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    handover = request(cast, treatment)
    with pytest.raises(ValidationError) as refused:
        prescribing_handover_accept(handover=handover, confirmed=True, by=cast.da_worker, channel=Channel.PAGE)
    assert "Only a prescriber" in refused.value.message_dict["answer"][0]
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.REQUESTED


def test_r9_a_dose_given_after_the_request_makes_acceptance_refused(cast: Cast) -> None:
    treatment = start(cast)
    give(cast, at=NOW - timedelta(days=1))
    handover = prescribing_handover_request(
        treatment=treatment, to_service=cast.pathways_service, first_community_dose_on=TODAY, by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    give(cast)  # the ward gave today's dose after all
    with pytest.raises(ValidationError) as refused:
        prescribing_handover_accept(
            handover=handover, confirmed=True, by=cast.addictions_consultant, channel=Channel.PAGE
        )
    assert "A later dose was given" in refused.value.message_dict["answer"][0]
    treatment.refresh_from_db()
    assert treatment.prescribing_service == cast.cmht


def test_r9_declined_handover_can_be_asked_again_and_withdrawn(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    first = request(cast, treatment)
    with pytest.raises(ValidationError):
        prescribing_handover_decline(handover=first, reason="", by=cast.addictions_consultant, channel=Channel.PAGE)
    declined = prescribing_handover_decline(
        handover=first, reason="No supervised pharmacy place until Monday.", by=cast.addictions_consultant,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert declined.status == HandoverStatus.DECLINED
    assert accepted_handover(cast.cat, since=NOW - timedelta(days=1)) is None
    second = request(cast, treatment)
    with pytest.raises(ValidationError):
        prescribing_handover_withdraw(handover=second, by=cast.da_worker, channel=Channel.PAGE)
    withdrawn = prescribing_handover_withdraw(
        handover=second, reason="Discharge postponed.", by=cast.coordinator, channel=Channel.PAGE
    )
    assert withdrawn.status == HandoverStatus.WITHDRAWN
    assert second.task is not None
    second.task.refresh_from_db()
    assert second.task.status == TaskStatus.CANCELLED
    with pytest.raises(ValidationError):
        prescribing_handover_accept(
            handover=second, confirmed=True, by=cast.addictions_consultant, channel=Channel.PAGE
        )


def test_r9_a_course_with_a_handover_waiting_cannot_be_stopped(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    request(cast, treatment)
    with pytest.raises(ValidationError) as refused:
        opiate_substitution_stop(
            treatment=treatment, stopped_on=TODAY, reason="x", by=cast.coordinator, channel=Channel.PAGE
        )
    assert "withdraw it" in refused.value.message_dict["stopped_on"][0]


def test_r9_overtaken_handover_is_reported_for_the_checklist(cast: Cast) -> None:
    treatment = start(cast)
    give(cast)
    handover = request(cast, treatment)
    prescribing_handover_accept(handover=handover, confirmed=True, by=cast.addictions_consultant, channel=Channel.PAGE)
    handover.refresh_from_db()
    assert handover_overtaken_by(handover) is None
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        give(cast, at=NOW + timedelta(hours=23))
        assert handover_overtaken_by(handover) is not None
