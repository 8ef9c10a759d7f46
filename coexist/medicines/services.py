"""Changes to the medicines continuity record (R9): opiate substitution courses and their dose history,
doses given, naloxone offers, other medicines, and the prescribing handover to the community prescriber.

Each change checks the permission function first (MEDICINES, write), validates everything before saving,
runs in one transaction and appends to the access log. A dose change is a new row, never an edit, so the
history is kept.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.medicines.models import (
    DoseChange,
    DoseGiven,
    HandoverStatus,
    NaloxoneKit,
    NaloxoneOffer,
    NaloxoneOutcome,
    OpiateSubstitution,
    OpioidSubstitute,
    OtherMedicine,
    PrescribingHandover,
)
from coexist.medicines.rules import (
    MAX_SHORT,
    PRESCRIBING_ROLES,
    date_refusal,
    describe_dose,
    dose_given_refusal,
    dose_refusal,
    first_community_dose_refusal,
    format_mg,
    may_answer_handover,
    text_refusal,
    time_refusal,
)
from coexist.medicines.selectors import current_dose, current_opiate_substitution, last_dose_given, roles_in_service
from coexist.organisations.models import Membership, Role, Service, ServiceKind, Team
from coexist.people.models import Person
from coexist.people.permissions import confirm_still_visible, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.referrals.models import Referral
from coexist.tasks.models import Priority, Task, TaskStatus
from coexist.tasks.services import task_create

PARTS = [RecordPart.MEDICINES]


def _require_change(*, by: User, person: Person, channel: Channel, detail: str) -> str:
    decision = require(user=by, person=person, action=Action.WRITE, parts=PARTS, channel=channel, detail=detail)
    return decision.basis


def _aware(at: datetime) -> datetime:
    """A time without a zone is the trust's local time."""
    return timezone.make_aware(at) if timezone.is_naive(at) else at


def _raise(errors: dict[str, str | None]) -> None:
    found = {name: message for name, message in errors.items() if message}
    if found:
        raise ValidationError(found)


def _dose_errors(*, drug: str, dose_mg: Decimal | None, supervised: object, pharmacy: str) -> dict[str, str | None]:
    return {
        "daily_dose_mg": dose_refusal(drug=drug, dose_mg=dose_mg),
        "supervised": None if isinstance(supervised, bool) else "Say whether the dose is supervised.",
        "pharmacy": text_refusal(value=pharmacy, required=None, limit=MAX_SHORT),
    }


def _is_member(user: User, service: Service) -> bool:
    return Membership.objects.current().clinical().filter(user=user, team__service=service).exists()


# --- Opiate substitution courses ----------------------------------------------------------------------


def opiate_substitution_start(
    *,
    person: Person,
    drug: str,
    prescribing_service: Service | None,
    started_on: date | None,
    daily_dose_mg: Decimal | None,
    supervised: bool,
    pharmacy: str,
    by: User,
    channel: Channel,
    prescriber: User | None = None,
    prescriber_name: str = "",
) -> OpiateSubstitution:
    """R9: start a course of opiate substitution treatment with its first dose. One current course per
    person. The prescriber is named: chosen (a clinical member of the prescribing service now) or typed.
    Raises AccessRefused or ValidationError (by field)."""
    basis = _require_change(by=by, person=person, channel=channel, detail="start opiate substitution")
    today = timezone.localdate()
    prescriber_name = prescriber_name.strip()
    pharmacy = pharmacy.strip()
    errors: dict[str, str | None] = {
        "drug": None if drug in OpioidSubstitute.values else "Choose the drug.",
        "prescribing_service": None if prescribing_service is not None else "Choose the prescribing service.",
        "started_on": "Enter the date the course started."
        if started_on is None
        else date_refusal(day=started_on, today=today),
        "prescriber_name": text_refusal(value=prescriber_name, required=None, limit=MAX_SHORT),
    }
    if drug in OpioidSubstitute.values:
        errors.update(_dose_errors(drug=drug, dose_mg=daily_dose_mg, supervised=supervised, pharmacy=pharmacy))
    if prescriber is None and not prescriber_name and not errors["prescriber_name"]:
        errors["prescriber_name"] = "Name the prescriber: choose them, or type their name if they have no account."
    if prescriber is not None and prescribing_service is not None and not _is_member(prescriber, prescribing_service):
        errors["prescriber"] = f"{prescriber.display_name} does not work in {prescribing_service} now."
    _raise(errors)
    assert prescribing_service is not None
    assert started_on is not None
    assert daily_dose_mg is not None
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)  # one current course: serialise starts
        current = current_opiate_substitution(person)
        if current is not None:
            raise ValidationError(
                {
                    "drug": f"{person.full_name} already has a current course of {current.get_drug_display().lower()} "
                    f"started on {current.started_on:%d %B %Y}. Stop it before starting another, or record a "
                    "dose change."
                }
            )
        treatment = OpiateSubstitution.objects.create(
            person=person,
            drug=drug,
            prescribing_service=prescribing_service,
            prescriber=prescriber,
            prescriber_name="" if prescriber is not None else prescriber_name,
            started_on=started_on,
            recorded_by=by,
        )
        DoseChange.objects.create(
            treatment=treatment,
            daily_dose_mg=daily_dose_mg,
            supervised=supervised,
            pharmacy=pharmacy,
            effective_from=started_on,
            reason="First dose of the course.",
            recorded_by=by,
        )
        confirm_still_visible(user=by, person=person)
        figure = describe_dose(drug=drug, dose_mg=daily_dose_mg, supervised=supervised, pharmacy=pharmacy)
        log_write(
            by=by,
            person=person,
            parts=PARTS,
            basis=basis,
            channel=channel,
            detail=f"started {treatment.get_drug_display().lower()} on {started_on:%d %b %Y}: {figure}",
        )
    return treatment


def dose_change_record(
    *,
    treatment: OpiateSubstitution,
    daily_dose_mg: Decimal | None,
    supervised: bool,
    pharmacy: str,
    effective_from: date | None,
    reason: str,
    by: User,
    channel: Channel,
) -> DoseChange:
    """R9: a new dose from a date on: a new row, never an edit, so the history is kept. The date is not in
    the future, not before the course started and not before the latest change already recorded."""
    person = treatment.person
    basis = _require_change(by=by, person=person, channel=channel, detail="record dose change")
    pharmacy = pharmacy.strip()
    reason = reason.strip()
    errors: dict[str, str | None] = {
        **_dose_errors(drug=treatment.drug, dose_mg=daily_dose_mg, supervised=supervised, pharmacy=pharmacy),
        "reason": text_refusal(value=reason, required="Say why the dose is changing."),
        "effective_from": "Enter the date the new dose starts."
        if effective_from is None
        else date_refusal(
            day=effective_from,
            today=timezone.localdate(),
            not_before=treatment.started_on,
            before_text=f"The new dose cannot start before the course started ({treatment.started_on:%d %B %Y}).",
        ),
    }
    _raise(errors)
    assert daily_dose_mg is not None
    assert effective_from is not None
    with transaction.atomic():
        locked = OpiateSubstitution.objects.select_for_update().get(pk=treatment.pk)
        if not locked.is_current:
            raise ValidationError({"daily_dose_mg": "This course has stopped: start a new course instead."})
        latest = current_dose(locked)
        if latest is not None and effective_from < latest.effective_from:
            raise ValidationError(
                {
                    "effective_from": "The new dose cannot start before the latest change, which took effect on "
                    f"{latest.effective_from:%d %B %Y}."
                }
            )
        change = DoseChange.objects.create(
            treatment=locked,
            daily_dose_mg=daily_dose_mg,
            supervised=supervised,
            pharmacy=pharmacy,
            effective_from=effective_from,
            reason=reason,
            recorded_by=by,
        )
        confirm_still_visible(user=by, person=person)
        before = (
            describe_dose(
                drug=locked.drug, dose_mg=latest.daily_dose_mg, supervised=latest.supervised, pharmacy=latest.pharmacy
            )
            if latest is not None
            else "none"
        )
        after = describe_dose(drug=locked.drug, dose_mg=daily_dose_mg, supervised=supervised, pharmacy=pharmacy)
        log_write(
            by=by,
            person=person,
            parts=PARTS,
            basis=basis,
            channel=channel,
            detail=f"dose change from {effective_from:%d %b %Y}: {before} -> {after}",
        )
    return change


def dose_given_record(
    *, person: Person, given_at: datetime | None, dose_mg: Decimal | None, where: str, by: User, channel: Channel
) -> DoseGiven:
    """R9: a dose given or supervised on the current course (the ward records each daily dose). Refused
    when there is no current course, for a time in the future, or before the course started."""
    basis = _require_change(by=by, person=person, channel=channel, detail="record dose given")
    treatment = current_opiate_substitution(person)
    if treatment is None:
        raise ValidationError(
            {"given_at": f"{person.full_name} has no current course of opiate substitution: start one first."}
        )
    where = where.strip()
    now = timezone.localtime()
    local = timezone.localtime(_aware(given_at)) if given_at is not None else None
    errors: dict[str, str | None] = {
        "given_at": "Enter the date and time the dose was given."
        if local is None
        else time_refusal(
            at=local,
            now=now,
            not_before=treatment.started_on,
            before_text=f"The course started on {treatment.started_on:%d %B %Y}: a dose cannot be given before it.",
        ),
        "dose_mg": dose_given_refusal(drug=treatment.drug, dose_mg=dose_mg),
        "where": text_refusal(
            value=where, required="Say where the dose was given: the ward or the pharmacy.", limit=MAX_SHORT
        ),
    }
    _raise(errors)
    assert local is not None
    assert dose_mg is not None
    with transaction.atomic():
        locked = OpiateSubstitution.objects.select_for_update().get(pk=treatment.pk)
        if not locked.is_current:
            raise ValidationError({"given_at": "This course has stopped: no dose can be recorded on it."})
        given = DoseGiven.objects.create(treatment=locked, given_at=local, dose_mg=dose_mg, where=where, recorded_by=by)
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=PARTS,
            basis=basis,
            channel=channel,
            detail=f"dose given: {format_mg(dose_mg)} mg of {locked.get_drug_display().lower()} at "
            f"{local:%d %b %Y %H:%M}, {where}",
        )
    return given


def opiate_substitution_stop(
    *, treatment: OpiateSubstitution, stopped_on: date | None, reason: str, by: User, channel: Channel
) -> OpiateSubstitution:
    """R9: stop a course on a date, with the reason. Not while a handover request is waiting for an answer
    (withdraw it first), and not before the last dose given."""
    person = treatment.person
    basis = _require_change(by=by, person=person, channel=channel, detail="stop opiate substitution")
    reason = reason.strip()
    errors: dict[str, str | None] = {
        "reason": text_refusal(value=reason, required="Say why the course is stopping."),
        "stopped_on": "Enter the date the course stopped."
        if stopped_on is None
        else date_refusal(
            day=stopped_on,
            today=timezone.localdate(),
            not_before=treatment.started_on,
            before_text=f"The course cannot stop before it started ({treatment.started_on:%d %B %Y}).",
        ),
    }
    _raise(errors)
    assert stopped_on is not None
    with transaction.atomic():
        locked = OpiateSubstitution.objects.select_for_update().get(pk=treatment.pk)
        if not locked.is_current:
            raise ValidationError({"stopped_on": f"This course already stopped on {locked.stopped_on:%d %B %Y}."})
        if locked.handovers.filter(status=HandoverStatus.REQUESTED).exists():
            raise ValidationError(
                {"stopped_on": "A prescribing handover is waiting for an answer: withdraw it before stopping."}
            )
        last = last_dose_given(locked)
        if last is not None and timezone.localdate(last.given_at) > stopped_on:
            raise ValidationError(
                {
                    "stopped_on": f"A dose was given on {timezone.localtime(last.given_at):%d %B %Y}, after that date: "
                    "the course cannot have stopped before it."
                }
            )
        locked.stopped_on = stopped_on
        locked.stop_reason = reason
        locked.save(update_fields=["stopped_on", "stop_reason"])
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=PARTS,
            basis=basis,
            channel=channel,
            detail=f"stopped {locked.get_drug_display().lower()} on {stopped_on:%d %b %Y}: {reason[:200]}",
        )
    return locked


# --- Naloxone and other medicines ---------------------------------------------------------------------


def naloxone_offer_record(
    *,
    person: Person,
    offered_at: datetime | None,
    outcome: str,
    by: User,
    channel: Channel,
    kit: str = "",
    training_given: bool = False,
    carer_trained: bool = False,
    note: str = "",
) -> NaloxoneOffer:
    """R9: naloxone offered, and what came of it (supplied with a named kit, declined, already has one)."""
    basis = _require_change(by=by, person=person, channel=channel, detail="record naloxone offer")
    note = note.strip()
    local = timezone.localtime(_aware(offered_at)) if offered_at is not None else None
    errors: dict[str, str | None] = {
        "offered_at": "Enter when naloxone was offered."
        if local is None
        else time_refusal(at=local, now=timezone.localtime()),
        "outcome": None if outcome in NaloxoneOutcome.values else "Choose what came of the offer.",
        "kit": None if kit in ("", *NaloxoneKit.values) else "Choose the kit.",
        "note": text_refusal(value=note, required=None),
    }
    if outcome == NaloxoneOutcome.SUPPLIED and not kit:
        errors["kit"] = "Say which kit was supplied."
    _raise(errors)
    assert local is not None
    with transaction.atomic():
        offer = NaloxoneOffer.objects.create(
            person=person,
            offered_at=local,
            outcome=outcome,
            kit=kit,
            training_given=training_given,
            carer_trained=carer_trained,
            note=note,
            recorded_by=by,
        )
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=PARTS,
            basis=basis,
            channel=channel,
            detail=f"naloxone {offer.get_outcome_display().lower()} on {local:%d %b %Y}",
        )
    return offer


def other_medicine_add(
    *,
    person: Person,
    name: str,
    dose: str,
    by: User,
    channel: Channel,
    why_it_matters: str = "",
    started_on: date | None = None,
    stopped_on: date | None = None,
) -> OtherMedicine:
    """R9: another medicine the next service must know about at handover (clozapine, a depot, a benzodiazepine)."""
    basis = _require_change(by=by, person=person, channel=channel, detail="add other medicine")
    name, dose, why_it_matters = name.strip(), dose.strip(), why_it_matters.strip()
    today = timezone.localdate()
    errors: dict[str, str | None] = {
        "name": text_refusal(value=name, required="Enter the name of the medicine.", limit=MAX_SHORT),
        "dose": text_refusal(value=dose, required="Enter the dose and how often, as prescribed.", limit=MAX_SHORT),
        "why_it_matters": text_refusal(value=why_it_matters, required=None),
        "started_on": date_refusal(day=started_on, today=today) if started_on is not None else None,
        "stopped_on": date_refusal(
            day=stopped_on,
            today=today,
            not_before=started_on,
            before_text="The date it stopped cannot be before the date it started.",
        )
        if stopped_on is not None
        else None,
    }
    _raise(errors)
    with transaction.atomic():
        medicine = OtherMedicine.objects.create(
            person=person,
            name=name,
            dose=dose,
            why_it_matters=why_it_matters,
            started_on=started_on,
            stopped_on=stopped_on,
            recorded_by=by,
        )
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by, person=person, parts=PARTS, basis=basis, channel=channel, detail=f"added other medicine: {name}"
        )
    return medicine


# --- Prescribing handover (R9) ------------------------------------------------------------------------


def _receiving_team(*, person: Person, service: Service) -> Team | None:
    """The team holding the person's open episode in the service, otherwise the service's first team."""
    episode = (
        EpisodeOfCare.objects.open()
        .filter(person=person, service=service)
        .select_related("team")
        .order_by("-opened_at")
        .first()
    )
    if episode is not None:
        return episode.team
    return service.teams.order_by("name", "pk").first()


def _receiver_can_see(*, person: Person, service: Service) -> bool:
    """R9: the receiving service's prescribers can open the record through an open referral to the service
    or an open episode of care it holds (DOMAIN "Who may see what"); consent would let them read, not answer."""
    # SECURITY: the same relationships the permission function uses for a service, not a looser test.
    return (
        Referral.objects.open().filter(person=person, to_service=service).exists()
        or EpisodeOfCare.objects.open().filter(person=person, team__service=service).exists()
    )


def _due_at(first_dose_on: date) -> datetime:
    """Answered by 17:00 the day before the first community dose, and never due in the past."""
    due = timezone.make_aware(datetime.combine(first_dose_on - timedelta(days=1), time(17, 0)))
    return max(due, timezone.now())


def prescribing_handover_request(
    *,
    treatment: OpiateSubstitution,
    to_service: Service | None,
    first_community_dose_on: date | None,
    by: User,
    channel: Channel,
) -> PrescribingHandover:
    """R9: ask a community drug and alcohol service to take over prescribing the current course.

    Copies the drug, the dose in force, supervision, pharmacy and the LAST DOSE GIVEN, so the acceptance is
    of exactly these facts. The first community dose must be the day after the last dose given (the depot:
    within 28 days, after it). Creates an R9 task for the receiving team, due before the first community dose.
    One open request per course. Refused when the receiving service cannot see the person: refer them first.
    """
    person = treatment.person
    basis = _require_change(by=by, person=person, channel=channel, detail="request prescribing handover")
    errors: dict[str, str | None] = {}
    if to_service is None:
        errors["to_service"] = "Choose the community service taking over prescribing."
    elif to_service.kind != ServiceKind.DRUG_ALCOHOL:
        errors["to_service"] = "A prescribing handover goes to a community drug and alcohol service."
    elif to_service.pk == treatment.prescribing_service_id:
        errors["to_service"] = f"{to_service} already prescribes this course."
    if first_community_dose_on is None:
        errors["first_community_dose_on"] = "Enter the date of the first community dose."
    _raise(errors)
    assert to_service is not None
    assert first_community_dose_on is not None
    with transaction.atomic():
        locked = OpiateSubstitution.objects.select_for_update().select_related("person").get(pk=treatment.pk)
        if not locked.is_current:
            raise ValidationError({"to_service": "This course has stopped: there is nothing to hand over."})
        if locked.handovers.filter(status=HandoverStatus.REQUESTED).exists():
            raise ValidationError(
                {"to_service": "A handover of this course is already waiting for an answer: withdraw it first."}
            )
        dose = current_dose(locked)
        last = last_dose_given(locked)
        if dose is None:
            raise ValidationError({"to_service": "Record the current dose before asking for a handover."})
        if last is None:
            raise ValidationError(
                {
                    "first_community_dose_on": "Record the last dose given first: the community prescriber needs to "
                    "know when the last dose was, so that no day is missed."
                }
            )
        last_at = timezone.localtime(last.given_at)
        refusal = first_community_dose_refusal(
            drug=locked.drug, last_dose_at=last_at, first_dose_on=first_community_dose_on, today=timezone.localdate()
        )
        if refusal:
            raise ValidationError({"first_community_dose_on": refusal})
        if not _receiver_can_see(person=person, service=to_service):
            raise ValidationError(
                {
                    "to_service": f"{to_service} cannot see {person.full_name}'s record yet. Refer them to "
                    f"{to_service} first (R9 needs the referral anyway), then ask for the handover."
                }
            )
        team = _receiving_team(person=person, service=to_service)
        if team is None:
            raise ValidationError({"to_service": f"{to_service} has no team to answer the request."})
        from_episode = (
            EpisodeOfCare.objects.open()
            .filter(person=person, service_id=locked.prescribing_service_id)
            .order_by("-opened_at")
            .first()
        )
        figure = describe_dose(
            drug=locked.drug, dose_mg=dose.daily_dose_mg, supervised=dose.supervised, pharmacy=dose.pharmacy
        )
        task = task_create(
            person=person,
            rule="R9",
            title=f"Prescribing handover for {person.full_name}: accept or decline",
            detail=(
                f"{locked.prescribing_service} asks {to_service} to take over prescribing "
                f"{locked.get_drug_display().lower()}, {figure}. Last dose given {last_at:%d %B %Y at %H:%M}; "
                f"first community dose {first_community_dose_on:%d %B %Y}. A prescriber confirms or declines "
                "on the person's medicines page."
            ),
            due_at=_due_at(first_community_dose_on),
            priority=Priority.SOON,
            assigned_to=None,
            assigned_team=team,
            episode=from_episode,
            by=by,
        )
        handover = PrescribingHandover.objects.create(
            treatment=locked,
            person=person,
            from_episode=from_episode,
            to_service=to_service,
            drug=locked.drug,
            daily_dose_mg=dose.daily_dose_mg,
            supervised=dose.supervised,
            pharmacy=dose.pharmacy,
            last_dose_given_at=last.given_at,
            first_community_dose_on=first_community_dose_on,
            requested_by=by,
            task=task,
        )
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.MEDICINES, RecordPart.EPISODES],
            basis=basis,
            channel=channel,
            detail=f"requested prescribing handover to {to_service}: {figure}; last dose {last_at:%d %b %Y %H:%M}; "
            f"first community dose {first_community_dose_on:%d %b %Y}; R9 task for {team}",
        )
    return handover


def _check_answerer(*, handover: PrescribingHandover, by: User) -> None:
    if not may_answer_handover(roles_in_receiving_service=roles_in_service(by, handover.to_service)):
        roles = ", ".join(sorted(Role(r).label.lower() for r in PRESCRIBING_ROLES))
        raise ValidationError(
            {"answer": f"Only a prescriber in {handover.to_service} ({roles}) can answer a prescribing handover."}
        )


def _close_task(*, task: Task | None, status: TaskStatus, by: User, outcome: str) -> None:
    if task is None:
        return
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if not locked.is_open:
        return
    locked.status = status
    locked.completed_at = timezone.now()
    locked.completed_by = by
    locked.outcome = outcome
    locked.save(update_fields=["status", "completed_at", "completed_by", "outcome"])


def _lock_open(handover: PrescribingHandover, field: str) -> PrescribingHandover:
    locked = (
        PrescribingHandover.objects.select_for_update().select_related("treatment", "to_service").get(pk=handover.pk)
    )
    if locked.status != HandoverStatus.REQUESTED:
        raise ValidationError({field: f"This handover is already {locked.get_status_display().lower()}."})
    return locked


def prescribing_handover_accept(
    *, handover: PrescribingHandover, confirmed: bool, by: User, channel: Channel, note: str = ""
) -> PrescribingHandover:
    """R9: a prescriber of the receiving service accepts, confirming the drug, dose, last dose given and
    first community dose date. The course's prescribing service and prescriber move to them; the task is done.

    Refused when the stated facts are no longer true: a dose given after the stated last dose, a dose
    change since the request, or a first community dose date that no longer keeps every day covered."""
    person = handover.person
    basis = _require_change(by=by, person=person, channel=channel, detail="accept prescribing handover")
    _check_answerer(handover=handover, by=by)
    note = note.strip()
    _raise(
        {
            "confirmed": None
            if confirmed is True
            else "Confirm the drug, dose, last dose given and first community dose date.",
            "note": text_refusal(value=note, required=None),
        }
    )
    with transaction.atomic():
        locked = _lock_open(handover, "answer")
        treatment = OpiateSubstitution.objects.select_for_update().get(pk=locked.treatment_id)
        stale = "The facts have changed since the request: ask the sender to withdraw it and ask again. "
        last = last_dose_given(treatment)
        dose = current_dose(treatment)
        if not treatment.is_current:
            raise ValidationError({"answer": "This course has stopped."})
        if last is None or last.given_at != locked.last_dose_given_at:
            when = timezone.localtime(last.given_at) if last else None
            raise ValidationError(
                {"answer": stale + (f"A later dose was given at {when:%d %B %Y %H:%M}." if when else "")}
            )
        if dose is None or (dose.daily_dose_mg, dose.supervised, dose.pharmacy) != (
            locked.daily_dose_mg,
            locked.supervised,
            locked.pharmacy,
        ):
            raise ValidationError({"answer": stale + "The dose has changed."})
        refusal = first_community_dose_refusal(
            drug=locked.drug,
            last_dose_at=timezone.localtime(locked.last_dose_given_at),
            first_dose_on=locked.first_community_dose_on,
            today=timezone.localdate(),
        )
        if refusal:
            raise ValidationError({"answer": stale + refusal})
        now = timezone.now()
        locked.status = HandoverStatus.ACCEPTED
        locked.answered_at = now
        locked.answered_by = by
        locked.answer_note = note
        locked.save(update_fields=["status", "answered_at", "answered_by", "answer_note"])
        treatment.prescribing_service = locked.to_service
        treatment.prescriber = by
        treatment.prescriber_name = ""
        treatment.save(update_fields=["prescribing_service", "prescriber", "prescriber_name"])
        _close_task(
            task=locked.task,
            status=TaskStatus.DONE,
            by=by,
            outcome=f"Accepted by {by.display_name}: first community dose {locked.first_community_dose_on:%d %B %Y}.",
        )
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.MEDICINES, RecordPart.EPISODES],
            basis=basis,
            channel=channel,
            detail=f"accepted prescribing handover to {locked.to_service}; first community dose "
            f"{locked.first_community_dose_on:%d %b %Y}; prescriber now {by.display_name}",
        )
    return locked


def prescribing_handover_decline(
    *, handover: PrescribingHandover, reason: str, by: User, channel: Channel
) -> PrescribingHandover:
    """R9: a prescriber of the receiving service declines, saying why. The sender may ask again (here or
    elsewhere); the course stays with the current prescriber, and the discharge checklist stays open."""
    person = handover.person
    basis = _require_change(by=by, person=person, channel=channel, detail="decline prescribing handover")
    _check_answerer(handover=handover, by=by)
    reason = reason.strip()
    _raise({"reason": text_refusal(value=reason, required="Say why the handover is declined.")})
    with transaction.atomic():
        locked = _lock_open(handover, "answer")
        locked.status = HandoverStatus.DECLINED
        locked.answered_at = timezone.now()
        locked.answered_by = by
        locked.answer_note = reason
        locked.save(update_fields=["status", "answered_at", "answered_by", "answer_note"])
        _close_task(task=locked.task, status=TaskStatus.DONE, by=by, outcome=f"Declined: {reason}")
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.MEDICINES, RecordPart.EPISODES],
            basis=basis,
            channel=channel,
            detail=f"declined prescribing handover to {locked.to_service}: {reason[:200]}",
        )
    return locked


def prescribing_handover_withdraw(
    *, handover: PrescribingHandover, by: User, channel: Channel, reason: str = ""
) -> PrescribingHandover:
    """R9: the sender withdraws a request still waiting for an answer (to correct the facts, or because
    plans changed). The sender is whoever asked, or a clinical member of the service prescribing now
    (cover for leave); the task is cancelled."""
    person = handover.person
    basis = _require_change(by=by, person=person, channel=channel, detail="withdraw prescribing handover")
    reason = reason.strip()
    errors: dict[str, str | None] = {"reason": text_refusal(value=reason, required=None)}
    treatment = handover.treatment
    if by.pk != handover.requested_by_id and not _is_member(by, treatment.prescribing_service):
        errors["reason"] = (
            f"Only the person who asked ({handover.requested_by.display_name}) or a member of "
            f"{treatment.prescribing_service} can withdraw this request."
        )
    _raise(errors)
    with transaction.atomic():
        locked = _lock_open(handover, "reason")
        locked.status = HandoverStatus.WITHDRAWN
        locked.answer_note = reason
        locked.save(update_fields=["status", "answer_note"])
        _close_task(
            task=locked.task,
            status=TaskStatus.CANCELLED,
            by=by,
            outcome=f"Withdrawn by {by.display_name}" + (f": {reason}" if reason else "."),
        )
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.MEDICINES, RecordPart.EPISODES],
            basis=basis,
            channel=channel,
            detail=f"withdrew prescribing handover to {locked.to_service}" + (f": {reason[:200]}" if reason else ""),
        )
    return locked
