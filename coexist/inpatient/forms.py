"""Forms for inpatient stays (R9): admission, the ward substance misuse worker, leave, return, and an
assessment by the community drug and alcohol service during leave."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.forms import NHSDateField, NHSForm
from coexist.inpatient.models import LeaveKind, LegalStatus

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
_TIME_HELP = "Use the 24-hour clock, for example 14:30."


def _clean_time(value: str) -> time:
    match = _TIME.match(value or "")
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValidationError("Enter a time such as 09:30 or 14:00.")
    return time(int(match[1]), int(match[2]))


def _time_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, help_text=_TIME_HELP, max_length=5)


def _combine(data: dict[str, Any], day: str, at: str, into: str) -> None:
    if isinstance(data.get(day), date) and isinstance(data.get(at), time):
        data[into] = timezone.make_aware(datetime.combine(data[day], data[at]))


def _narrow(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].widget.attrs["class"] += " nhsuk-input--width-5"


class AdmitForm(NHSForm):
    """R9: the ward, when, the legal status (the section when detained) and why."""

    ward = forms.ChoiceField(label="Ward", error_messages={"required": "Choose the ward."})
    admitted_on = NHSDateField(label="Date of admission", help_text="For example, 15 3 2026.")
    admitted_time = _time_field("Time of admission")
    legal_status = forms.ChoiceField(
        label="Legal status",
        choices=LegalStatus.choices,
        widget=forms.RadioSelect,
        initial=LegalStatus.INFORMAL,
        error_messages={"required": "Choose the person's legal status."},
    )
    reason = forms.CharField(
        label="Reason for admission (optional)", required=False, max_length=5000, widget=forms.Textarea({"rows": 4})
    )

    def __init__(self, *args: Any, wards: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ward = self.fields["ward"]
        assert isinstance(ward, forms.ChoiceField)
        ward.choices = wards
        if len(wards) == 1:
            ward.initial = wards[0][0]
        _narrow(self, "admitted_time")

    def clean_admitted_time(self) -> time:
        return _clean_time(self.cleaned_data["admitted_time"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _combine(data, "admitted_on", "admitted_time", "admitted_at")
        return data


class WardWorkerForm(NHSForm):
    """R9: the ward substance misuse worker, from the drug and alcohol provider."""

    worker = forms.ChoiceField(
        label="Ward substance misuse worker",
        help_text="A substance misuse worker or addictions consultant from the drug and alcohol service. "
        "They join the person's care team for this stay.",
        error_messages={"required": "Choose the ward substance misuse worker."},
    )

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        worker = self.fields["worker"]
        assert isinstance(worker, forms.ChoiceField)
        worker.choices = [("", "Choose a worker"), *workers]


class LeaveForm(NHSForm):
    """R9: a period of leave from the ward."""

    kind = forms.ChoiceField(
        label="Kind of leave",
        choices=LeaveKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of leave."},
    )
    starts_on = NHSDateField(label="Leave starts on", help_text="For example, 15 3 2026.")
    starts_time = _time_field("Leave starts at")
    ends_on = NHSDateField(label="Due back on", help_text="For example, 15 3 2026.")
    ends_time = _time_field("Due back at")
    purpose = forms.CharField(
        label="Purpose (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text="For example: home visit; assessment by the community drug and alcohol service.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow(self, "starts_time", "ends_time")

    def clean_starts_time(self) -> time:
        return _clean_time(self.cleaned_data["starts_time"])

    def clean_ends_time(self) -> time:
        return _clean_time(self.cleaned_data["ends_time"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _combine(data, "starts_on", "starts_time", "starts_at")
        _combine(data, "ends_on", "ends_time", "ends_at")
        return data


class ReturnForm(NHSForm):
    """The person came back to the ward."""

    returned_on = NHSDateField(label="Came back on", help_text="For example, 15 3 2026.")
    returned_time = _time_field("Came back at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow(self, "returned_time")

    def clean_returned_time(self) -> time:
        return _clean_time(self.cleaned_data["returned_time"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _combine(data, "returned_on", "returned_time", "returned_at")
        return data


class AssessmentForm(NHSForm):
    """R9 (seed 002): an assessment by the community drug and alcohol service during the leave."""

    worker = forms.ChoiceField(
        label="Who will assess?",
        help_text="A worker of the community drug and alcohol service.",
        error_messages={"required": "Choose who will assess."},
    )
    on = NHSDateField(label="Date", help_text="A date during the leave.")
    at = _time_field("Time")

    def __init__(self, *args: Any, workers: list[tuple[str, list[tuple[str, str]]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        worker = self.fields["worker"]
        assert isinstance(worker, forms.ChoiceField)
        worker.choices = [("", "Choose a worker"), *workers]
        _narrow(self, "at")

    def clean_at(self) -> time:
        return _clean_time(self.cleaned_data["at"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _combine(data, "on", "at", "starts_at")
        return data
