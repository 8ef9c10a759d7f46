"""Forms for booking appointments, recording their outcome (R4) and following up missed ones (R6)."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.engagement.models import ActionKind, ActionResult, Mode
from coexist.engagement.rules import SERIES_MAX_OCCURRENCES, Attendance, PlanReview
from coexist.engagement.selectors import check_starts_at
from coexist.forms import NHSDateField, NHSForm

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")

REPEAT_CHOICES = [("", "No, just once"), ("7", "Every week"), ("14", "Every 2 weeks"), ("28", "Every 4 weeks")]


class BookForm(NHSForm):
    """A new appointment. The worker is the person booking unless another is chosen."""

    on = NHSDateField(label="Date", help_text="For example, 15 3 2026.")
    at = forms.CharField(label="Time", help_text="Use the 24-hour clock, for example 14:30.", max_length=5)
    duration_minutes = forms.IntegerField(
        label="How long, in minutes", min_value=5, max_value=480, initial=60, widget=forms.NumberInput
    )
    mode = forms.ChoiceField(label="How will it take place?", choices=Mode.choices, widget=forms.RadioSelect)
    staff = forms.ChoiceField(label="Worker")
    second_staff = forms.ChoiceField(
        label="Second worker (optional)",
        required=False,
        help_text="For a joint appointment, someone else from the person's care team.",
    )
    repeat = forms.ChoiceField(
        label="Does it repeat?",
        choices=REPEAT_CHOICES,
        initial="",
        required=False,
        widget=forms.RadioSelect,
        help_text="A repeating series books each appointment at the same time of day.",
    )
    occurrences = forms.IntegerField(
        label="How many appointments in the series?",
        required=False,
        min_value=2,
        max_value=SERIES_MAX_OCCURRENCES,
        widget=forms.NumberInput,
        help_text=f"Only if it repeats: 2 to {SERIES_MAX_OCCURRENCES}, counting the first.",
    )

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = workers  # type: ignore[attr-defined]
        self.fields["second_staff"].choices = [("", "No second worker"), *workers]  # type: ignore[attr-defined]
        self.fields["at"].widget.attrs["class"] += " nhsuk-input--width-5"
        self.fields["duration_minutes"].widget.attrs["class"] += " nhsuk-input--width-3"
        self.fields["occurrences"].widget.attrs["class"] += " nhsuk-input--width-3"

    def clean_at(self) -> time:
        match = _TIME.match(self.cleaned_data["at"])
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError("Enter a time such as 09:30 or 14:00.")
        return time(int(match[1]), int(match[2]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        staff, second = data.get("staff"), data.get("second_staff")
        if staff and second and staff == second:
            self.add_error("second_staff", "A joint appointment needs a second, different worker.")
        data["every_days"] = int(data["repeat"]) if data.get("repeat") else None
        if data["every_days"] and not data.get("occurrences") and "occurrences" not in self.errors:
            self.add_error("occurrences", "Say how many appointments the series has.")
        if not data["every_days"]:
            data["occurrences"] = 1
        if data.get("on") and data.get("at"):
            starts = timezone.make_aware(datetime.combine(data["on"], data["at"]))
            try:
                data["starts_at"] = check_starts_at(starts)
            except ValidationError as exc:
                self.add_error("on", exc.messages)
        return data


_OUTCOMES = [(value, label) for value, label in Attendance.choices if value != Attendance.BOOKED]


class OutcomeForm(NHSForm):
    """What happened, in the NHS Data Dictionary's attendance categories, and the plan review (R4)."""

    outcome = forms.ChoiceField(label="What happened?", choices=_OUTCOMES, widget=forms.RadioSelect)
    plan_reviewed = forms.ChoiceField(
        label="Care plan review",
        choices=PlanReview.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=(
            "Required when the person was seen: every contact reviews the plan. "
            "Leave unanswered if they were not seen; there was no review."
        ),
    )
    plan_change = forms.CharField(
        label="What changed in the care plan?",
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text="Only if the plan changed.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].stacked = True  # type: ignore[attr-defined]


class FollowUpActionForm(NHSForm):
    """R6: one attempt to reach the person."""

    kind = forms.ChoiceField(label="What did you do?", choices=ActionKind.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label="What came of it?", choices=ActionResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].stacked = True  # type: ignore[attr-defined]
        self.fields["result"].stacked = True  # type: ignore[attr-defined]
