"""Forms for the medicines continuity record (R9). Field names match the services' error keys, so a
refusal shows beside the field it is about; the services check everything again."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.accounts.models import User
from coexist.forms import NHSDateField, NHSForm
from coexist.medicines.models import NaloxoneKit, NaloxoneOutcome, OpioidSubstitute
from coexist.organisations.models import Service

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
_YES_NO = [("yes", "Yes"), ("no", "No")]


def _dose_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        error_messages={
            "required": "Enter the dose in mg, for example 60.",
            "invalid": "Enter the dose as a number of mg, for example 60 or 8.5.",
        },
        widget=forms.TextInput({"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
    )


def _text(
    label: str, *, required: bool = True, rows: int = 3, help_text: str = "", message: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea({"rows": rows}),
        error_messages={"required": message or "Enter some text."},
    )


def _short(label: str, *, required: bool = True, help_text: str = "", message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=200,
        help_text=help_text,
        error_messages={"required": message or "Enter some text."},
    )


def _supervised() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Is the dose supervised?",
        help_text="Taken under supervision at the pharmacy (or given on the ward).",
        choices=_YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the dose is supervised."},
    )


class _TimeMixin:
    """A day (an NHS date field named after the service's error key) and a time of day beside it."""

    when_field = ""

    def clean_time(self) -> time:
        value = self.cleaned_data["time"]  # type: ignore[attr-defined]
        match = _TIME.match(value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError("Enter a time such as 09:30 or 14:00.")
        return time(int(match[1]), int(match[2]))

    def when(self) -> datetime | None:
        day = self.cleaned_data.get(self.when_field)  # type: ignore[attr-defined]
        at = self.cleaned_data.get("time")  # type: ignore[attr-defined]
        if isinstance(day, date) and isinstance(at, time):
            return timezone.make_aware(datetime.combine(day, at))
        return None


def _time_field() -> forms.CharField:
    return forms.CharField(
        label="Time",
        help_text="Use the 24-hour clock, for example 09:30.",
        max_length=5,
        error_messages={"required": "Enter the time, for example 09:30."},
        widget=forms.TextInput({"class": "nhsuk-input--width-5"}),
    )


class StartForm(NHSForm):
    """R9: a new course of opiate substitution treatment and its first dose."""

    drug = forms.ChoiceField(
        label="Drug",
        choices=OpioidSubstitute.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the drug."},
    )
    prescribing_service = forms.ChoiceField(
        label="Prescribing service", error_messages={"required": "Choose the prescribing service."}
    )
    prescriber = forms.ChoiceField(label="Prescriber (if they have an account)", required=False)
    prescriber_name = _short(
        "Or the prescriber's name", required=False, help_text="For example a GP or a prescriber with no account."
    )
    started_on = NHSDateField(
        label="Date the course started",
        help_text="For example, 15 3 2026.",
        error_messages={"required": "Enter the date the course started."},
    )
    daily_dose_mg = _dose_field(
        "Dose (mg)", "A day; for the monthly injection, the monthly dose in mg as given. For example, 60."
    )
    supervised = _supervised()
    pharmacy = _short("Dispensing pharmacy", required=False, help_text="For example, Boots, High Street.")

    def __init__(self, *args: Any, services: list[Service], prescribers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.public_id): s for s in services}
        self.prescribers = {str(u.public_id): u for u in prescribers}
        service = self.fields["prescribing_service"]
        assert isinstance(service, forms.ChoiceField)
        service.choices = [
            ("", "Choose a service"),
            *((k, f"{s} ({s.organisation})") for k, s in self.services.items()),
        ]
        prescriber = self.fields["prescriber"]
        assert isinstance(prescriber, forms.ChoiceField)
        prescriber.choices = [("", "Not listed"), *((k, u.display_name) for k, u in self.prescribers.items())]

    def chosen_service(self) -> Service | None:
        return self.services.get(self.cleaned_data.get("prescribing_service") or "")

    def chosen_prescriber(self) -> User | None:
        return self.prescribers.get(self.cleaned_data.get("prescriber") or "")


class DoseChangeForm(NHSForm):
    """R9: a new dose from a date on (the history is kept)."""

    daily_dose_mg = _dose_field("New dose (mg)", "A day; for the monthly injection, the monthly dose in mg.")
    supervised = _supervised()
    pharmacy = _short("Dispensing pharmacy", required=False, help_text="For example, Boots, High Street.")
    effective_from = NHSDateField(
        label="Date the new dose starts",
        help_text="For example, 15 3 2026.",
        error_messages={"required": "Enter the date the new dose starts."},
    )
    reason = _text("Why is the dose changing?", message="Say why the dose is changing.")


class DoseGivenForm(_TimeMixin, NHSForm):
    """R9: a dose given or supervised (the ward records each daily dose)."""

    when_field = "given_at"

    given_at = NHSDateField(
        label="Date given", help_text="For example, 15 3 2026.", error_messages={"required": "Enter the date given."}
    )
    time = _time_field()
    dose_mg = _dose_field("Dose given (mg)", "For example, 60.")
    where = _short(
        "Where was it given?",
        help_text="The ward or the pharmacy, for example Willow ward.",
        message="Say where the dose was given: the ward or the pharmacy.",
    )


class StopForm(NHSForm):
    stopped_on = NHSDateField(
        label="Date the course stopped",
        help_text="For example, 15 3 2026.",
        error_messages={"required": "Enter the date the course stopped."},
    )
    reason = _text("Why did the course stop?", message="Say why the course is stopping.")


class NaloxoneForm(_TimeMixin, NHSForm):
    """R9: naloxone offered, and what came of it."""

    when_field = "offered_at"

    offered_at = NHSDateField(
        label="Date offered", help_text="For example, 15 3 2026.", error_messages={"required": "Enter the date."}
    )
    time = _time_field()
    outcome = forms.ChoiceField(
        label="What came of the offer?",
        choices=NaloxoneOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what came of the offer."},
    )
    kit = forms.ChoiceField(
        label="Kit supplied (or the kit they already have)",
        choices=[("", "None"), *NaloxoneKit.choices],
        required=False,
    )
    training_given = forms.BooleanField(label="Training given to the person", required=False)
    carer_trained = forms.BooleanField(label="A carer or family member was trained too", required=False)
    note = _text("Note (optional)", required=False)


class OtherMedicineForm(NHSForm):
    """R9: another medicine that matters at handover."""

    name = _short("Medicine", help_text="For example, clozapine.", message="Enter the name of the medicine.")
    dose = _short(
        "Dose and frequency",
        help_text="As prescribed, for example 300 mg at night.",
        message="Enter the dose and how often, as prescribed.",
    )
    why_it_matters = _text(
        "Why it matters at handover (optional)",
        required=False,
        help_text="For example: levels need checking if smoking stops; do not stop suddenly.",
    )
    started_on = NHSDateField(label="Date started (optional)", required=False, help_text="For example, 15 3 2026.")
    stopped_on = NHSDateField(label="Date stopped (optional)", required=False, help_text="For example, 15 3 2026.")


class HandoverRequestForm(NHSForm):
    """R9: ask the community service to take over prescribing, from the first community dose date."""

    to_service = forms.ChoiceField(
        label="Community service taking over prescribing",
        error_messages={"required": "Choose the community service taking over prescribing."},
    )
    first_community_dose_on = NHSDateField(
        label="Date of the first community dose",
        help_text="The day after the last dose given, so that no day is missed.",
        error_messages={"required": "Enter the date of the first community dose."},
    )

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.public_id): s for s in services}
        field = self.fields["to_service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a service"), *((k, f"{s} ({s.organisation})") for k, s in self.services.items())]

    def chosen_service(self) -> Service | None:
        return self.services.get(self.cleaned_data.get("to_service") or "")


class HandoverAnswerForm(NHSForm):
    """R9: the receiving prescriber accepts (confirming the four facts) or declines with a reason."""

    answer = forms.ChoiceField(
        label="Your answer",
        choices=[("accept", "Accept: we will prescribe from the first community dose date"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accept or decline."},
    )
    confirmed = forms.BooleanField(
        label="I confirm the drug, the dose, the last dose given and the date of the first community dose",
        required=False,
    )
    reason = _text("Note, or why you decline", required=False, help_text="Needed to decline.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == "accept" and not data.get("confirmed"):
            self.add_error("confirmed", "Confirm the drug, dose, last dose given and first community dose date.")
        if data.get("answer") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the handover is declined.")
        return data


class WithdrawForm(NHSForm):
    reason = _text("Why is the request withdrawn? (optional)", required=False)
