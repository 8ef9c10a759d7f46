"""Writes for referrals. Every status change is a named transition here, in one transaction, writing
a `ReferralStatusChange` (from, to, who, when, why); no view assigns a status.

Life cycle (DOMAIN.md): received -> triaged -> accepted | declined (R1) | redirected; cancelled and
withdrawn from any open state.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.care.services import episode_open
from coexist.organisations.models import Service, Team
from coexist.people.models import Person, normalise_nhs_number, validate_nhs_number
from coexist.people.permissions import AccessRefused, may, people_visible_to, require
from coexist.people.rules import AccessDecision, Action, ContactMethod, RecordPart, contact_details_missing
from coexist.people.services import log_write, person_create
from coexist.referrals.models import (
    OPEN_STATUSES,
    DropInVisit,
    Referral,
    ReferralStatusChange,
    Route,
    Status,
    Urgency,
    new_reference,
)
from coexist.referrals.permissions import require_clinical, require_triage, services_of, teams_in
from coexist.referrals.rules import (
    REASON_MAX,
    birth_date_problem,
    decline_refused,
    self_referral_problems,
    text_problem,
)
from coexist.referrals.selectors import duplicate_candidates, self_referral_service

# Routes a member of staff may choose when entering a referral (self and drop-in have their own ways in).
STAFF_ROUTES = (Route.STAFF, Route.WARD, Route.GP, Route.CRIMINAL_JUSTICE)
# Referrers from outside with no account here: their name and organisation are needed to reply to them.
EXTERNAL_ROUTES = (Route.GP, Route.CRIMINAL_JUSTICE)


def _unique_reference() -> str:
    reference = new_reference()
    while Referral.objects.filter(reference=reference).exists():
        reference = new_reference()
    return reference


def _record_change(*, referral: Referral, from_status: str, by: User | None, note: str, at: datetime) -> None:
    ReferralStatusChange.objects.create(
        referral=referral, from_status=from_status, to_status=referral.status, by=by, at=at, note=note
    )


def _transition(
    *, referral: Referral, to: Status, by: User, note: str, fields: dict[str, object] | None = None
) -> Referral:
    """Lock the referral, check it is still open, move it (with `fields` that go with the move, saved in the
    same UPDATE) and record the step. Call inside atomic()."""
    locked = Referral.objects.select_for_update(of=("self",)).select_related("to_service", "person").get(pk=referral.pk)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            {"status": f"This referral is already {locked.get_status_display().lower()}; it cannot be changed."}
        )
    if to != Status.TRIAGED and _carries_a_transfer(locked):
        # Issue 5: a transfer of care's referral is answered on the transfer, which moves the episode; accepting
        # it here would open a second episode beside the one being transferred.
        raise ValidationError(
            {"status": "This referral carries a transfer of care: accept or decline it on the transfer's page."}
        )
    from_status = locked.status
    now = timezone.now()
    locked.status = to
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    if to != Status.TRIAGED:
        locked.decided_at = now
    if locked.triaged_at is None and to in (Status.TRIAGED, Status.ACCEPTED, Status.DECLINED, Status.REDIRECTED):
        locked.triaged_at = now
    locked.save()
    _record_change(referral=locked, from_status=from_status, by=by, note=note, at=now)
    return locked


def _carries_a_transfer(referral: Referral) -> bool:
    from coexist.transitions.models import Transition  # transitions imports referrals; read it lazily

    return Transition.objects.filter(request_referral=referral).exists()


def _log_on_person(*, referral: Referral, by: User, basis: str, channel: Channel, detail: str) -> None:
    if referral.person is not None:
        log_write(
            by=by, person=referral.person, parts=[RecordPart.EPISODES], basis=basis, channel=channel, detail=detail
        )


def _text_errors(values: dict[str, tuple[str, int, bool, str]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, (value, max_length, required, label) in values.items():
        problem = text_problem(value, max_length=max_length, required=required, label=label)
        if problem:
            errors[field] = problem
    return errors


# --- Routes in ---------------------------------------------------------------------------------


def referral_self_submit(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    contact_method: str,
    phone: str,
    email: str,
    help_kind: str,
    reason: str,
    safe_to_contact_note: str = "",
) -> Referral:
    """R12: a self-referral from the public page or API: minimal fields, no account, no person record
    yet (triage matches or creates one). Raises ValidationError (field -> message)."""
    problems = self_referral_problems(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        contact_method=contact_method,
        phone=phone,
        email=email,
        help_kind=help_kind,
        reason=reason,
        safe_to_contact_note=safe_to_contact_note,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError(problems)
    service = self_referral_service(help_kind)
    if service is None:
        raise ValidationError(
            {"help_kind": "We cannot take referrals online at the moment. Please call NHS 111 and choose option 2."}
        )
    with transaction.atomic():
        referral = Referral.objects.create(
            reference=_unique_reference(),
            to_service=service,
            route=Route.SELF,
            urgency=Urgency.ROUTINE,
            reason=reason.strip(),
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            contact_method=contact_method,
            phone=phone.strip(),
            email=email.strip(),
            safe_to_contact_note=safe_to_contact_note.strip(),
        )
        _record_change(referral=referral, from_status="", by=None, note="Self-referral", at=referral.received_at)
    return referral


def referral_create(
    *,
    by: User,
    to_service: Service,
    route: str,
    reason: str,
    urgency: str = Urgency.ROUTINE,
    person: Person | None = None,
    referrer_name: str = "",
    referrer_organisation: str = "",
    referrer_phone: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    nhs_number: str = "",
    contact_method: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    postcode: str = "",
    safe_to_contact_note: str = "",
    channel: Channel,
) -> Referral:
    """A referral entered by staff, to any service: for a person whose record they may change, or
    for someone new by the details the referrer gave (triage then matches or creates the record).
    For a GP or criminal justice referral the outside referrer's name and organisation are recorded.
    Raises ValidationError (field -> message) or AccessRefused."""
    require_clinical(by)
    errors: dict[str, str] = {}
    if route not in STAFF_ROUTES:
        errors["route"] = "Choose staff, ward, GP or criminal justice."
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose routine, soon or urgent."
    errors |= _text_errors(
        {
            "reason": (reason, REASON_MAX * 2, True, "Reason for referral"),
            "referrer_name": (referrer_name, 200, route in EXTERNAL_ROUTES, "Referrer's name"),
            "referrer_organisation": (referrer_organisation, 200, route in EXTERNAL_ROUTES, "Referrer's organisation"),
            "referrer_phone": (referrer_phone, 32, False, "Referrer's phone number"),
            "safe_to_contact_note": (safe_to_contact_note, 300, False, "Safe to contact note"),
        }
    )
    cleaned_nhs = normalise_nhs_number(nhs_number)
    if person is None:
        errors |= _text_errors(
            {
                "given_name": (given_name, 100, True, "First name"),
                "family_name": (family_name, 100, True, "Last name"),
                "phone": (phone, 32, False, "Phone number"),
                "email": (email, 254, False, "Email address"),
                "address": (address, 1000, False, "Address"),
                "postcode": (postcode, 10, False, "Postcode"),
            }
        )
        dob = birth_date_problem(date_of_birth, today=timezone.localdate(), required=False)
        if dob:
            errors["date_of_birth"] = dob
        if cleaned_nhs:
            try:
                validate_nhs_number(cleaned_nhs)
            except ValidationError as exc:
                errors["nhs_number"] = exc.messages[0]
        if contact_method and contact_method not in ContactMethod.values:
            errors["contact_method"] = "Choose a contact method from the list."
        elif contact_method:
            for field, message in contact_details_missing(
                method=contact_method, phone=phone, email=email, address=address, postcode=postcode
            ).items():
                errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)
    decision = None
    if person is not None:
        # Referring someone on is a change to their record: it needs write access to it.
        decision = require(
            user=by, person=person, action=Action.WRITE, parts=[RecordPart.EPISODES], channel=channel, detail="refer"
        )
    with transaction.atomic():
        referral = Referral(
            reference=_unique_reference(),
            person=person,
            to_service=to_service,
            route=route,
            urgency=urgency,
            reason=reason.strip(),
            referrer=by,
            referrer_name=referrer_name.strip(),
            referrer_organisation=referrer_organisation.strip(),
            referrer_phone=referrer_phone.strip(),
            safe_to_contact_note=safe_to_contact_note.strip(),
        )
        if person is None:
            referral.given_name = given_name.strip()
            referral.family_name = family_name.strip()
            referral.date_of_birth = date_of_birth
            referral.nhs_number = cleaned_nhs
            referral.contact_method = contact_method
            referral.phone = phone.strip()
            referral.email = email.strip()
            referral.address = address.strip()
            referral.postcode = postcode.strip()
        referral.save()
        _record_change(
            referral=referral, from_status="", by=by, note=referral.get_route_display(), at=referral.received_at
        )
        if person is not None and decision is not None:
            log_write(
                by=by,
                person=person,
                parts=[RecordPart.EPISODES],
                basis=decision.basis,
                channel=channel,
                detail=f"referred to {to_service.name} ({referral.reference})",
            )
    return referral


def drop_in_visit_record(
    *,
    service: Service,
    by: User,
    name_or_alias: str,
    discussed: str,
    year_of_birth: int | None = None,
    visited_at: datetime | None = None,
) -> DropInVisit:
    """R12: a drop-in visit with minimal identity (a first name or alias, perhaps a year of birth).
    Recorded by a member of the service it happened in. Raises ValidationError or AccessRefused."""
    if not services_of(by).filter(pk=service.pk).exists():
        raise AccessRefused(_not_your_service("record a drop-in visit there"))
    errors = _text_errors(
        {
            "name_or_alias": (name_or_alias, 100, True, "First name or alias"),
            "discussed": (discussed, 2000, False, "What was discussed"),
        }
    )
    this_year = timezone.localdate().year
    if year_of_birth is not None and not (1900 <= year_of_birth <= this_year):
        errors["year_of_birth"] = f"Year of birth must be between 1900 and {this_year}."
    when = visited_at or timezone.now()
    if when > timezone.now():
        errors["visited_at"] = "The visit cannot be in the future."
    if errors:
        raise ValidationError(errors)
    return DropInVisit.objects.create(
        service=service,
        visited_at=when,
        name_or_alias=name_or_alias.strip(),
        year_of_birth=year_of_birth,
        discussed=discussed.strip(),
        recorded_by=by,
    )


def drop_in_visit_convert(
    *, visit: DropInVisit, by: User, to_service: Service, reason: str, urgency: str = Urgency.ROUTINE
) -> Referral:
    """R12: turn a drop-in visit into a referral (route drop-in), linking the two. The referral holds
    the same minimal identity; triage matches it to a person or records one."""
    if not services_of(by).filter(pk=visit.service_id).exists():
        raise AccessRefused(_not_your_service("convert its drop-in visits"))
    errors = _text_errors({"reason": (reason, REASON_MAX * 2, True, "Reason for referral")})
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose routine, soon or urgent."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = DropInVisit.objects.select_for_update().get(pk=visit.pk)
        if locked.referral_id is not None:
            raise ValidationError({"visit": "This drop-in visit has already been made into a referral."})
        referral = Referral.objects.create(
            reference=_unique_reference(),
            to_service=to_service,
            route=Route.DROP_IN,
            urgency=urgency,
            reason=reason.strip(),
            referrer=by,
            given_name=locked.name_or_alias,
        )
        _record_change(
            referral=referral,
            from_status="",
            by=by,
            note=f"From a drop-in visit on {timezone.localtime(locked.visited_at):%d %b %Y}",
            at=referral.received_at,
        )
        locked.referral = referral
        locked.save(update_fields=["referral"])
    return referral


def _not_your_service(what: str) -> AccessDecision:
    return AccessDecision(False, f"Only the staff of that service may {what}.")


# --- Triage ------------------------------------------------------------------------------------


def referral_triage(*, referral: Referral, by: User, urgency: str, note: str = "", channel: Channel) -> Referral:
    """Received -> triaged: someone in the service has looked at it and set its urgency."""
    decision = require_triage(user=by, referral=referral, channel=channel, detail="triage referral")
    errors = _text_errors({"note": (note, 2000, False, "Note")})
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose routine, soon or urgent."
    if referral.status != Status.RECEIVED:
        errors["status"] = "Only a newly received referral can be marked as triaged."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _transition(referral=referral, to=Status.TRIAGED, by=by, note=note.strip())
        locked.urgency = urgency
        locked.save(update_fields=["urgency"])
        _log_on_person(referral=locked, by=by, basis=decision.basis, channel=channel, detail="triaged referral")
    return locked


def referral_link_person(*, referral: Referral, person: Person, by: User, channel: Channel) -> Referral:
    """Link an unlinked referral to an existing person's record. Never merges: the records stay as
    they are; the referral now points at the person.

    SECURITY: linking opens the person's record to the service (open referral), so the person
    must be a likely duplicate of the details given, or someone the user may already see."""
    decision = require_triage(user=by, referral=referral, channel=channel, detail="link referral to person")
    if referral.person_id is not None:
        raise ValidationError({"person": "This referral is already linked to a person."})
    if referral.status not in OPEN_STATUSES:
        raise ValidationError({"status": "Only an open referral can be linked to a person."})
    is_candidate = duplicate_candidates(referral=referral).filter(pk=person.pk).exists()
    if not is_candidate and not people_visible_to(by).filter(pk=person.pk).exists():
        raise ValidationError(
            {"person": "Link only to a person shown as a likely match, or one whose record you may already see."}
        )
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        locked.person = person
        locked.save(update_fields=["person"])
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=decision.basis,
            channel=channel,
            detail=f"linked referral {locked.reference} to this record",
        )
    return locked


def referral_create_person(
    *,
    referral: Referral,
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
) -> Person:
    """Record a new person from an unlinked referral (after the duplicate check found no match, or
    found someone else) and link the referral to them."""
    decision = require_triage(user=by, referral=referral, channel=channel, detail="create person from referral")
    if referral.person_id is not None:
        raise ValidationError({"person": "This referral is already linked to a person."})
    if referral.status not in OPEN_STATUSES:
        raise ValidationError({"status": "Only an open referral can be linked to a person."})
    with transaction.atomic():
        person = person_create(
            by=by,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            contact_method=contact_method,
            nhs_number=nhs_number,
            phone=phone,
            email=email,
            address=address,
            postcode=postcode,
            channel=channel,
            basis=decision.basis,
        )
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        locked.person = person
        locked.save(update_fields=["person"])
        # STYLE 4: the open referral is what lets the creator see the new record; confirm it does.
        visible = may(by, person, Action.READ)
        if not visible.allowed:
            raise AccessRefused(visible)
    return person


def referral_accept(
    *, referral: Referral, by: User, team: Team | None = None, note: str = "", channel: Channel
) -> EpisodeOfCare:
    """Accept the referral: the service takes responsibility, and an episode of care opens, held by
    one of the accepting member of staff's teams in the service."""
    decision = require_triage(user=by, referral=referral, channel=channel, detail="accept referral")
    errors = _text_errors({"note": (note, 2000, False, "Note")})
    if referral.person_id is None:
        errors["person"] = "Link this referral to a person's record, or record a new person, before accepting it."
    teams = list(teams_in(by, referral.to_service))
    if team is None:
        if len(teams) == 1:
            team = teams[0]
        else:
            errors["team"] = "Choose the team that will hold the episode of care."
    elif team not in teams:
        errors["team"] = "Choose one of your teams in this service."
    if errors:
        raise ValidationError(errors)
    assert team is not None
    with transaction.atomic():
        locked = _transition(referral=referral, to=Status.ACCEPTED, by=by, note=note.strip())
        assert locked.person is not None
        episode = episode_open(
            person=locked.person, team=team, by=by, channel=channel, referral=locked, basis=decision.basis
        )
    return episode


def referral_decline(
    *,
    referral: Referral,
    by: User,
    reason: str,
    onward_referral: str,
    onward_service: Service | None = None,
    note: str = "",
    channel: Channel,
) -> Referral:
    """R1: decline with a coded reason this kind of service may give, and an onward referral or
    signposting. Raises ValidationError naming the field when R1 refuses."""
    decision = require_triage(user=by, referral=referral, channel=channel, detail="decline referral")
    errors = decline_refused(
        service_kind=referral.to_service.kind,
        reason=reason,
        onward_referral=onward_referral,
        has_onward_service=onward_service is not None,
    )
    errors = (
        _text_errors({"onward_referral": (onward_referral, 2000, False, "Onward referral or signposting")}) | errors
    )
    errors |= _text_errors({"note": (note, 2000, False, "Note")})
    if onward_service is not None and onward_service.pk == referral.to_service_id:
        errors["onward_service"] = "Choose a different service from the one declining."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _transition(
            referral=referral,
            to=Status.DECLINED,
            by=by,
            note=note.strip(),
            fields={
                "decline_reason": reason,
                "onward_referral": onward_referral.strip(),
                "onward_service": onward_service,
            },
        )
        _log_on_person(
            referral=locked,
            by=by,
            basis=decision.basis,
            channel=channel,
            detail=f"declined referral {locked.reference} ({locked.get_decline_reason_display()})",
        )
    return locked


def referral_redirect(
    *, referral: Referral, by: User, to_service: Service, note: str = "", channel: Channel
) -> Referral:
    """Send the referral to a better-placed service: this one is closed as redirected, and a new
    referral to the other service carries the same details (and points back). Returns the new one."""
    decision = require_triage(user=by, referral=referral, channel=channel, detail="redirect referral")
    errors = _text_errors({"note": (note, 2000, False, "Note")})
    if to_service.pk == referral.to_service_id:
        errors["to_service"] = "Choose a different service from the one it was sent to."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _transition(
            referral=referral, to=Status.REDIRECTED, by=by, note=f"To {to_service.name}. {note.strip()}".strip()
        )
        locked.redirected_to = to_service
        locked.save(update_fields=["redirected_to"])
        onward = Referral.objects.create(
            reference=_unique_reference(),
            person=locked.person,
            to_service=to_service,
            route=locked.route,
            urgency=locked.urgency,
            reason=locked.reason,
            referrer=locked.referrer,
            referrer_name=locked.referrer_name,
            referrer_organisation=locked.referrer_organisation,
            referrer_phone=locked.referrer_phone,
            given_name=locked.given_name,
            family_name=locked.family_name,
            date_of_birth=locked.date_of_birth,
            nhs_number=locked.nhs_number,
            contact_method=locked.contact_method,
            phone=locked.phone,
            email=locked.email,
            address=locked.address,
            postcode=locked.postcode,
            safe_to_contact_note=locked.safe_to_contact_note,
            redirected_from=locked,
        )
        _record_change(
            referral=onward,
            from_status="",
            by=by,
            note=f"Redirected from {locked.to_service.name} ({locked.reference}). {note.strip()}".strip(),
            at=onward.received_at,
        )
        _log_on_person(
            referral=locked,
            by=by,
            basis=decision.basis,
            channel=channel,
            detail=f"redirected referral {locked.reference} to {to_service.name}",
        )
    return onward


def referral_cancel(*, referral: Referral, by: User, note: str, channel: Channel) -> Referral:
    """The referrer or service cancels an open referral (made in error, a duplicate). Needs a note."""
    return _close(referral=referral, by=by, note=note, channel=channel, to=Status.CANCELLED)


def referral_withdraw(*, referral: Referral, by: User, note: str, channel: Channel) -> Referral:
    """The person no longer wants the referral; staff record it. Needs a note."""
    return _close(referral=referral, by=by, note=note, channel=channel, to=Status.WITHDRAWN)


def _close(*, referral: Referral, by: User, note: str, channel: Channel, to: Status) -> Referral:
    if to == Status.CANCELLED and referral.referrer_id == by.pk:
        # Whoever made a referral may cancel it, even if they do not work in the service.
        decision = AccessDecision(True, "referrer of this referral")
    else:
        decision = require_triage(user=by, referral=referral, channel=channel, detail=f"{to} referral")
    errors = _text_errors({"note": (note, 2000, True, "Why")})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _transition(referral=referral, to=to, by=by, note=note.strip())
        _log_on_person(
            referral=locked, by=by, basis=decision.basis, channel=channel, detail=f"{to} referral {locked.reference}"
        )
    return locked


def referrals_mark_assessed(*, person: Person, at: datetime) -> int:
    """Record when accepted referrals were assessed: the completion of the person's first joint assessment
    after acceptance. Time from referral to assessment is an outcome the service reports (001, issue 6).
    Called inside the assessment's transaction; the caller has checked permission and logs the write."""
    return Referral.objects.filter(person=person, status=Status.ACCEPTED, assessed_at__isnull=True).update(
        assessed_at=at
    )
