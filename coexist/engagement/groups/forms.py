"""Forms for groups and drop-in sessions: scheduling, changing and cancelling sessions, the register with
its anonymous count (R12), enrolling and leaving."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.engagement.groups.rules import (
    MAX_ANONYMOUS_COUNT,
    MAX_EVERY_DAYS,
    MAX_OCCURRENCES,
    GroupAttendanceStatus,
    GroupKind,
)
from coexist.forms import NHSDateField, NHSForm

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _clean_time(value: str) -> time:
    match = _TIME.match(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValidationError("Enter a time such as 09:30 or 14:00.")
    return time(int(match[1]), int(match[2]))


class SessionForm(NHSForm):
    """When and where one session is, and who runs it."""

    on = NHSDateField(label="Date", help_text="For example, 15 3 2026.")
    at = forms.CharField(label="Start time", help_text="Use the 24-hour clock, for example 14:30.", max_length=5)
    duration_minutes = forms.IntegerField(label="How long, in minutes", min_value=15, max_value=480, initial=90)
    place = forms.CharField(label="Where", max_length=200, help_text="For example, Willow Ward day room.")
    facilitators = forms.MultipleChoiceField(
        label="Facilitators",
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "At least one. Facilitators see the names of people enrolled in the group, "
            "and nothing else of their record."
        ),
    )

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].choices = staff  # type: ignore[attr-defined]
        self.fields["at"].widget.attrs["class"] += " nhsuk-input--width-5"
        self.fields["duration_minutes"].widget.attrs["class"] += " nhsuk-input--width-3"

    def clean_at(self) -> time:
        return _clean_time(self.cleaned_data["at"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("on") and data.get("at"):
            data["starts_at"] = timezone.make_aware(datetime.combine(data["on"], data["at"]))
        return data


class ScheduleForm(SessionForm):
    """One session, or a set repeating every so many days."""

    occurrences = forms.IntegerField(
        label="How many sessions",
        min_value=1,
        max_value=MAX_OCCURRENCES,
        initial=1,
        help_text="1 for a single session.",
    )
    every_days = forms.IntegerField(
        label="Repeat every how many days", min_value=1, max_value=MAX_EVERY_DAYS, initial=7, help_text="7 for weekly."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("occurrences", "every_days"):
            self.fields[name].widget.attrs["class"] += " nhsuk-input--width-3"


class CancelForm(NHSForm):
    reason = forms.CharField(
        label="Why is the session cancelled?", max_length=2000, widget=forms.Textarea({"rows": 3}),
        help_text="People on the register and staff will read this.",
    )  # fmt: skip


_MARKS = [("", "Not recorded"), *GroupAttendanceStatus.choices]


class RegisterForm(NHSForm):
    """A mark for each person on the register the viewer may see, and the anonymous count (R12)."""

    anonymous_count = forms.IntegerField(
        label="People who came without giving their name",
        min_value=0,
        max_value=MAX_ANONYMOUS_COUNT,
        initial=0,
        help_text="Confidential drop-in visits are counted, not named.",
    )

    def __init__(self, *args: Any, people: list[tuple[str, str, str]], **kwargs: Any) -> None:
        """`people`: (public id, name, current mark) for each line the viewer may change."""
        super().__init__(*args, **kwargs)
        self.people = people
        for public_id, name, mark in people:
            field = forms.ChoiceField(
                label=name, choices=_MARKS, required=False, widget=forms.RadioSelect, initial=mark
            )
            field.widget.attrs["class"] = "nhsuk-radios__input"
            self.fields[f"person_{public_id}"] = field
        self.fields["anonymous_count"].widget.attrs["class"] += " nhsuk-input--width-3"
        self.order_fields([f"person_{p[0]}" for p in people] + ["anonymous_count"])

    def marks(self) -> dict[str, str]:
        """person public id -> mark, for the people given a mark."""
        return {
            public_id: self.cleaned_data[f"person_{public_id}"]
            for public_id, _, _ in self.people
            if self.cleaned_data.get(f"person_{public_id}")
        }


class AddToRegisterForm(NHSForm):
    person = forms.ChoiceField(
        label="Who came?",
        help_text="People in your caseload. Enrolling someone changes their record, so you need to be allowed to.",
    )
    status = forms.ChoiceField(
        label="Mark them as", choices=GroupAttendanceStatus.choices, widget=forms.RadioSelect, initial="attended"
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Choose a person"), *people]  # type: ignore[attr-defined]


class EnrolForm(NHSForm):
    choice = forms.ChoiceField(label="Enrol")

    def __init__(self, *args: Any, label: str, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].label = label
        self.fields["choice"].choices = [("", "Choose"), *choices]  # type: ignore[attr-defined]


class LeaveForm(NHSForm):
    reason = forms.CharField(
        label="Why are they leaving the group?", max_length=2000, widget=forms.Textarea({"rows": 3}),
        help_text="For example, they have finished the programme or no longer want to come. "
        "Leaving a ward or service is not a reason: groups stay open after discharge.",
    )  # fmt: skip


class GroupForm(NHSForm):
    """A new group programme or drop-in, run by one of the services the viewer works in."""

    service = forms.ChoiceField(
        label="Which service runs it?", error_messages={"invalid_choice": "Choose one of the services you work in."}
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, Thursday drop-in.",
        error_messages={"required": "Enter the group's name."},
    )
    kind = forms.ChoiceField(
        label="What kind is it?",
        choices=GroupKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a group programme or a drop-in."},
    )
    description = forms.CharField(
        label="What happens there (optional)", required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = services  # type: ignore[attr-defined]
