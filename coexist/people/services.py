"""Changes to a person's record. Each checks the permission function, runs in one transaction,
keeps change history (who, before, after) and appends to the access log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.organisations.models import Organisation
from coexist.people.models import Carer, CarerAssessment, Consent, Person, normalise_nhs_number
from coexist.people.permissions import AccessRefused, confirm_still_visible, require
from coexist.people.rules import (
    SHAREABLE_PARTS,
    Action,
    RecordPart,
    carer_assessment_outcome_refused,
    contact_details_missing,
)

# Which part of the record each editable field belongs to, so a write is checked part by part.
FIELD_PARTS: Mapping[str, RecordPart] = {
    "nhs_number": RecordPart.IDENTITY,
    "given_name": RecordPart.IDENTITY,
    "family_name": RecordPart.IDENTITY,
    "preferred_name": RecordPart.IDENTITY,
    "date_of_birth": RecordPart.IDENTITY,
    "sex": RecordPart.EQUALITY,
    "gender_same_as_sex": RecordPart.EQUALITY,
    "gender_identity": RecordPart.EQUALITY,
    "ethnic_category": RecordPart.EQUALITY,
    "housing_status": RecordPart.EQUALITY,
    "released_from_prison_on": RecordPart.EQUALITY,
    "has_caring_responsibilities": RecordPart.EQUALITY,
    "childcare_barrier": RecordPart.EQUALITY,
    "transport_barrier": RecordPart.EQUALITY,
    "contact_method": RecordPart.CONTACT,
    "phone": RecordPart.CONTACT,
    "email": RecordPart.CONTACT,
    "address": RecordPart.CONTACT,
    "postcode": RecordPart.CONTACT,
}


def _by_field(error: ValidationError) -> dict[str, list[str]]:
    """Model validation's messages by field; a duplicate NHS number belongs to the NHS number field."""
    errors: dict[str, list[str]] = {}
    for field, field_errors in error.error_dict.items():
        for item in field_errors:
            target = "nhs_number" if item.code == "duplicate_nhs_number" else field
            errors.setdefault(target, []).extend(item.messages)
    return errors


def log_write(*, by: User, person: Person, parts: Iterable[str], basis: str, channel: Channel, detail: str) -> None:
    access_log_append(
        actor=by,
        person_ids=[person.public_id],
        action=Action.WRITE,
        parts=parts,
        outcome=Outcome.ALLOWED,
        basis=basis,
        channel=channel,
        detail=detail,
    )


def person_update(*, person: Person, by: User, changes: Mapping[str, Any], channel: Channel) -> Person:
    """Change fields of a person's record. Raises ValidationError (field -> message) or AccessRefused."""
    unknown = sorted(set(changes) - set(FIELD_PARTS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    parts = sorted({FIELD_PARTS[name] for name in changes}) or [RecordPart.IDENTITY]
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=parts, channel=channel, detail="update person"
    )

    cleaned = dict(changes)
    if "nhs_number" in cleaned:
        cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"] or "") or None
    changed = sorted(name for name, value in cleaned.items() if getattr(person, name) != value)
    if not changed:
        return person

    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        for name in changed:
            setattr(locked, name, cleaned[name])
        errors: dict[str, list[str]] = {}
        try:
            locked.full_clean()
        except ValidationError as exc:
            errors = _by_field(exc)
        for field, message in contact_details_missing(
            method=locked.contact_method,
            phone=locked.phone,
            email=locked.email,
            address=locked.address,
            postcode=locked.postcode,
        ).items():
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)
        locked._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
        locked.save()
        confirm_still_visible(user=by, person=locked)
        log_write(
            by=by,
            person=locked,
            parts=parts,
            basis=decision.basis,
            channel=channel,
            detail="changed " + ", ".join(changed),
        )
    return locked


def carer_add(
    *,
    person: Person,
    by: User,
    name: str,
    relationship: str,
    provides_care: bool,
    lives_with_person: bool = False,
    phone: str = "",
    email: str = "",
    channel: Channel,
) -> Carer:
    """R5: record a carer or family member. Offering them an assessment of their own needs comes next."""
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=[RecordPart.CARERS], channel=channel, detail="add carer"
    )
    carer = Carer(
        person=person,
        name=name.strip(),
        relationship=relationship,
        provides_care=provides_care,
        lives_with_person=lives_with_person,
        phone=phone.strip(),
        email=email.strip(),
    )
    carer.full_clean()
    with transaction.atomic():
        carer._history_user = by  # type: ignore[attr-defined]
        carer.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.CARERS],
            basis=decision.basis,
            channel=channel,
            detail=f"added {carer.get_relationship_display().lower()} {carer.name}",
        )
    return carer


def consent_record(
    *,
    person: Person,
    by: User,
    parts: Iterable[str],
    given_on: date,
    channel: Channel,
    organisation: Organisation | None = None,
    carer: Carer | None = None,
) -> Consent:
    """Record what the person agreed to share, with one organisation or one carer, from a date."""
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.CONSENT],
        channel=channel,
        detail="record consent",
    )
    chosen = sorted(set(parts))
    errors: dict[str, str] = {}
    if (organisation is None) == (carer is None):
        errors["recipient"] = "Choose one organisation or one carer to share with."
    if carer is not None and carer.person_id != person.pk:
        errors["recipient"] = "That carer is not recorded for this person."
    if not chosen:
        errors["parts"] = "Choose at least one part of the record to share."
    elif not set(chosen) <= set(SHAREABLE_PARTS):
        errors["parts"] = "Choose only from the parts of the record that can be shared."
    if given_on > timezone.localdate():
        errors["given_on"] = "The date consent was given cannot be in the future."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent(
            person=person, organisation=organisation, carer=carer, parts=chosen, given_on=given_on, recorded_by=by
        )
        consent._history_user = by  # type: ignore[attr-defined]
        consent.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.CONSENT],
            basis=decision.basis,
            channel=channel,
            detail=f"recorded consent to share {', '.join(chosen)} with {consent.recipient_name}",
        )
    return consent


def consent_withdraw(*, consent: Consent, by: User, withdrawn_on: date, note: str, channel: Channel) -> Consent:
    """The person withdraws consent. From that date the recipient organisation no longer sees the record."""
    person = consent.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.CONSENT],
        channel=channel,
        detail="withdraw consent",
    )
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": "Consent cannot be withdrawn before the date it was given."})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": "The date consent was withdrawn cannot be in the future."})
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_on is not None:
            raise ValidationError({"withdrawn_on": "This consent has already been withdrawn."})
        locked.withdrawn_on = withdrawn_on
        locked.withdrawn_by = by
        locked.withdrawal_note = note
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.CONSENT],
            basis=decision.basis,
            channel=channel,
            detail=f"withdrew consent to share with {locked.recipient_name}",
        )
    return locked


def carer_assessment_offer(
    *, carer: Carer, by: User, offered_on: date, note: str = "", channel: Channel
) -> CarerAssessment:
    """R5: record that a carer was offered an assessment of their own needs."""
    person = carer.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.CARERS],
        channel=channel,
        detail="offer carer's assessment",
    )
    if offered_on > timezone.localdate():
        raise ValidationError({"offered_on": "The date of the offer cannot be in the future."})
    with transaction.atomic():
        offer = CarerAssessment(carer=carer, offered_on=offered_on, offered_by=by, note=note.strip())
        offer._history_user = by  # type: ignore[attr-defined]
        offer.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.CARERS],
            basis=decision.basis,
            channel=channel,
            detail=f"offered {carer.name} a carer's assessment",
        )
    return offer


def carer_assessment_record_outcome(
    *, offer: CarerAssessment, by: User, outcome: str, on: date, note: str = "", channel: Channel
) -> CarerAssessment:
    """R5: the carer accepted, declined or completed the assessment, on a date."""
    person = offer.carer.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.CARERS],
        channel=channel,
        detail="carer's assessment outcome",
    )
    with transaction.atomic():
        locked = CarerAssessment.objects.select_for_update(of=("self",)).select_related("carer").get(pk=offer.pk)
        errors = carer_assessment_outcome_refused(
            current=locked.status, outcome=outcome, offered_on=locked.offered_on, on=on, today=timezone.localdate()
        )
        if errors:
            raise ValidationError(errors)
        locked.status = outcome
        setattr(locked, f"{outcome}_on", on)
        if note.strip():
            locked.note = f"{locked.note}\n{note.strip()}".strip()
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.CARERS],
            basis=decision.basis,
            channel=channel,
            detail=f"carer's assessment for {locked.carer.name}: {outcome}",
        )
    return locked


def person_create(
    *,
    by: User,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    contact_method: str,
    nhs_number: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    postcode: str = "",
    channel: Channel,
    basis: str,
) -> Person:
    """Record a new person: from triage of a referral nobody could match to an existing record.

    R11: the chosen contact method must be usable. Only clinical staff record people. The caller
    gives the creator a relationship to the new person in the same transaction (an open referral
    to their service) and then confirms they can see them: a record nobody may open is lost.
    Raises ValidationError (field -> messages) or AccessRefused."""
    from coexist.organisations.models import Membership  # here, to keep this module's imports as they were
    from coexist.people.rules import AccessDecision

    if not Membership.objects.current().clinical().filter(user=by).exists():
        raise AccessRefused(AccessDecision(False, "Only clinical staff record a new person."))
    person = Person(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        nhs_number=normalise_nhs_number(nhs_number) or None,
        contact_method=contact_method,
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        postcode=postcode.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        person.full_clean()
    except ValidationError as exc:
        errors = _by_field(exc)
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        errors.setdefault("date_of_birth", []).append("Date of birth must be in the past.")
    for field, message in contact_details_missing(
        method=contact_method, phone=person.phone, email=person.email, address=person.address, postcode=person.postcode
    ).items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person._history_user = by  # type: ignore[attr-defined]
        person.save()
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.IDENTITY, RecordPart.CONTACT],
            basis=basis,
            channel=channel,
            detail="recorded a new person",
        )
    return person
