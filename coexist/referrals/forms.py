"""Forms for referrals. They collect input; the services decide (R1, R12) and their messages are shown
on the form with `add_service_errors`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from coexist.forms import NHSDateField, NHSForm
from coexist.organisations.models import Service, Team
from coexist.people.models import Person
from coexist.people.rules import ContactMethod
from coexist.referrals.models import Referral, Urgency
from coexist.referrals.rules import (
    NOTE_MAX,
    REASON_MAX,
    SELF_REFERRAL_CONTACT_METHODS,
    DeclineReason,
    HelpKind,
    decline_reasons_for,
)
from coexist.referrals.services import STAFF_ROUTES


def _service_choices(services: Iterable[Service], empty: str | None = None) -> list[tuple[str, str]]:
    choices = [("", empty)] if empty is not None else []
    return choices + [(str(s.public_id), f"{s.name} ({s.organisation.name})") for s in services]


def all_services() -> Iterable[Service]:
    return Service.objects.select_related("organisation").order_by("organisation__name", "name")


class _LetServiceJudgeText:
    """The service gives one plain message for a NUL character or markup; drop Django's own NUL
    check so the person does not see two messages (or a technical one) for the same answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class SelfReferralForm(_LetServiceJudgeText, NHSForm):
    """R12: a self-referral in a handful of questions, in plain words."""

    given_name = forms.CharField(
        label="First name",
        error_messages={"required": "Enter your first name."},
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label="Last name",
        error_messages={"required": "Enter your last name."},
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    date_of_birth = NHSDateField(
        label="Date of birth",
        help_text="For example, 15 3 1984.",
        error_messages={"required": "Enter your date of birth."},
    )
    contact_method = forms.ChoiceField(
        label="How should we contact you?",
        choices=[(m.value, m.label) for m in SELF_REFERRAL_CONTACT_METHODS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like us to contact you."},
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        help_text="For a call or a text.",
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label="Email address",
        required=False,
        help_text="If you chose email.",
        widget=forms.TextInput({"type": "email", "autocomplete": "email", "spellcheck": "false"}),
    )
    safe_to_contact_note = forms.CharField(
        label="Is there anything we should know before we contact you? (optional)",
        required=False,
        help_text="For example, 'Only text me' or 'Do not leave a voicemail'.",
        widget=forms.TextInput({"maxlength": NOTE_MAX}),
    )
    help_kind = forms.ChoiceField(
        label="What would you like help with?",
        choices=HelpKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you would like help with."},
    )
    reason = forms.CharField(
        label="Tell us a little about what is going on",
        help_text="A few words is fine. You can tell us more when we talk.",
        widget=forms.Textarea({"rows": 4, "maxlength": REASON_MAX}),
        error_messages={"required": "Tell us a little about what you would like help with."},
    )


class StaffReferralForm(_LetServiceJudgeText, NHSForm):
    """A referral entered by staff: for a person they may see, or someone new by the details given."""

    person = forms.ChoiceField(
        label="Who is the referral for?",
        required=False,
        help_text="Choose someone whose record you can see, or leave as 'Someone new' and give their details below.",
    )
    to_service = forms.ChoiceField(label="Refer to")
    route = forms.ChoiceField(
        label="Where is the referral from?",
        choices=[(r.value, r.label) for r in STAFF_ROUTES],
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(
        label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason for referral", widget=forms.Textarea({"rows": 4}))
    referrer_name = forms.CharField(
        label="Referrer's name", required=False, help_text="Needed for a GP or criminal justice referral."
    )
    referrer_organisation = forms.CharField(label="Referrer's organisation", required=False)
    referrer_phone = forms.CharField(label="Referrer's phone number", required=False)
    given_name = forms.CharField(label="First name (someone new)", required=False)
    family_name = forms.CharField(label="Last name (someone new)", required=False)
    date_of_birth = NHSDateField(label="Date of birth (someone new, if known)", required=False)
    nhs_number = forms.CharField(label="NHS number (if known)", required=False)
    contact_method = forms.ChoiceField(
        label="How do they want to be contacted?",
        required=False,
        choices=[("", "Not known"), *ContactMethod.choices],
    )
    phone = forms.CharField(label="Phone number", required=False)
    email = forms.CharField(label="Email address", required=False)
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea({"rows": 3}))
    postcode = forms.CharField(label="Postcode", required=False)
    safe_to_contact_note = forms.CharField(label="Safe to contact note", required=False)

    def __init__(self, *args: Any, people: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.public_id): p for p in people}
        self.fields["person"].choices = [("", "Someone new")] + [  # type: ignore[attr-defined]
            (
                key,
                f"{p.family_name.upper()}, {p.given_name} ({p.date_of_birth:%d %b %Y})"
                if p.date_of_birth
                else f"{p.family_name.upper()}, {p.given_name}",
            )
            for key, p in self.people.items()
        ]
        self.services = {str(s.public_id): s for s in all_services()}
        self.fields["to_service"].choices = _service_choices(self.services.values(), "Choose a service")  # type: ignore[attr-defined]

    def chosen_person(self) -> Person | None:
        return self.people.get(self.cleaned_data["person"])

    def chosen_service(self) -> Service:
        return self.services[self.cleaned_data["to_service"]]


class TriageForm(NHSForm):
    urgency = forms.ChoiceField(label="How urgent is this referral?", choices=Urgency.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea({"rows": 2}))


class LinkForm(NHSForm):
    person = forms.ChoiceField(label="Which record is this person?", widget=forms.RadioSelect)

    def __init__(self, *args: Any, candidates: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(p.public_id): p for p in candidates}
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (key, f"{p.full_name}, born {p.date_of_birth:%d %b %Y}" if p.date_of_birth else p.full_name)
            for key, p in self.candidates.items()
        ]

    def chosen(self) -> Person:
        return self.candidates[self.cleaned_data["person"]]


class CreatePersonForm(_LetServiceJudgeText, NHSForm):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = NHSDateField(label="Date of birth", required=False)
    nhs_number = forms.CharField(label="NHS number (optional)", required=False, max_length=20)
    contact_method = forms.ChoiceField(
        label="How do they want to be contacted?", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=32)
    email = forms.EmailField(label="Email address", required=False)
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea({"rows": 3}))
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    @classmethod
    def for_referral(cls, referral: Referral) -> CreatePersonForm:
        return cls(initial={name: getattr(referral, name) for name in cls.base_fields})


class AcceptForm(NHSForm):
    team = forms.ChoiceField(label="Which team will hold the episode of care?", widget=forms.RadioSelect)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, teams: Iterable[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(t.public_id): t for t in teams}
        self.fields["team"].choices = [(k, t.name) for k, t in self.teams.items()]  # type: ignore[attr-defined]
        if len(self.teams) == 1:
            self.fields["team"].initial = next(iter(self.teams))

    def chosen(self) -> Team:
        return self.teams[self.cleaned_data["team"]]


class DeclineForm(_LetServiceJudgeText, NHSForm):
    """R1: only the reasons this kind of service may give, and somewhere onward to go."""

    reason = forms.ChoiceField(label="Why is the service declining?", widget=forms.RadioSelect)
    onward_service = forms.ChoiceField(label="Referred on to (if a service here)", required=False)
    onward_referral = forms.CharField(
        label="Onward referral or signposting",
        required=False,
        help_text="Where the person has been referred on or signposted to, and how they were told.",
        widget=forms.Textarea({"rows": 3}),
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons: list[DeclineReason] = decline_reasons_for(service.kind)
        self.fields["reason"].choices = [(r.value, r.label) for r in reasons]  # type: ignore[attr-defined]
        self.services = {str(s.public_id): s for s in all_services() if s.pk != service.pk}
        self.fields["onward_service"].choices = _service_choices(self.services.values(), "None")  # type: ignore[attr-defined]

    def chosen_service(self) -> Service | None:
        return self.services.get(self.cleaned_data["onward_service"])


class RedirectForm(_LetServiceJudgeText, NHSForm):
    to_service = forms.ChoiceField(label="Send the referral to")
    note = forms.CharField(label="Why (optional)", required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.public_id): s for s in all_services() if s.pk != service.pk}
        self.fields["to_service"].choices = _service_choices(self.services.values(), "Choose a service")  # type: ignore[attr-defined]

    def chosen_service(self) -> Service:
        return self.services[self.cleaned_data["to_service"]]


class CloseForm(_LetServiceJudgeText, NHSForm):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[
            ("withdrawn", "The person no longer wants it (withdrawn)"),
            ("cancelled", "Made in error or a duplicate (cancelled)"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Why", widget=forms.Textarea({"rows": 2}))


class DropInVisitForm(_LetServiceJudgeText, NHSForm):
    """R12: minimal identity, for confidentiality."""

    service = forms.ChoiceField(label="Drop-in")
    name_or_alias = forms.CharField(label="First name or alias", help_text="Whatever the person is happy to give.")
    year_of_birth = forms.IntegerField(
        label="Year of birth (optional)", required=False, widget=forms.TextInput({"inputmode": "numeric"})
    )
    discussed = forms.CharField(label="What was discussed", required=False, widget=forms.Textarea({"rows": 4}))

    def __init__(self, *args: Any, services: Iterable[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.public_id): s for s in services}
        self.fields["service"].choices = _service_choices(self.services.values())  # type: ignore[attr-defined]

    def chosen_service(self) -> Service:
        return self.services[self.cleaned_data["service"]]


class DropInConvertForm(_LetServiceJudgeText, NHSForm):
    to_service = forms.ChoiceField(label="Refer to")
    urgency = forms.ChoiceField(
        label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason for referral", widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.public_id): s for s in all_services()}
        self.fields["to_service"].choices = _service_choices(self.services.values(), "Choose a service")  # type: ignore[attr-defined]

    def chosen_service(self) -> Service:
        return self.services[self.cleaned_data["to_service"]]
