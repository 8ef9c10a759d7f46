"""Forms for discharges and transfers (R8, R9)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.accounts.models import User
from coexist.engagement.rules import DischargeReason
from coexist.forms import NHSDateField, NHSForm
from coexist.organisations.models import Team
from coexist.referrals.rules import decline_reasons_for
from coexist.transitions.models import HousingSupport, TransitionKind

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")

DISCHARGE_REASONS = [(r.value, r.label) for r in DischargeReason if r != DischargeReason.TRANSFERRED]


class StartForm(NHSForm):
    kind = forms.ChoiceField(
        label="Is this a discharge or a transfer?",
        choices=TransitionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose discharge or transfer."},
    )
    discharge_reason = forms.ChoiceField(
        label="Reason for discharge (for a discharge)",
        choices=[("", "Choose a reason"), *DISCHARGE_REASONS],
        required=False,
        help_text="Not attending is never a reason for discharge.",
    )
    to_team = forms.ChoiceField(label="Receiving team (for a transfer)", required=False)
    planned_for = NHSDateField(label="Planned date (optional)", required=False, help_text="For example, 15 3 2026.")
    destination = forms.CharField(
        label="Where the person goes next (optional)", required=False, max_length=5000,
        widget=forms.Textarea({"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(t.public_id): t for t in teams}
        field = self.fields["to_team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a team")] + [
            (key, f"{t.name} ({t.service.name}, {t.service.organisation.name})") for key, t in self.teams.items()
        ]

    def chosen_team(self) -> Team | None:
        return self.teams.get(self.cleaned_data.get("to_team") or "")


class InviteForm(NHSForm):
    meeting_on = NHSDateField(label="Date of the meeting", help_text="For example, 15 3 2026.")
    meeting_time = forms.CharField(label="Time", help_text="Use the 24-hour clock, for example 14:30.", max_length=5)
    invitees = forms.MultipleChoiceField(
        label="Practitioners invited", widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Everyone in the care team, and for a transfer someone from the receiving team.",
    )  # fmt: skip

    def __init__(self, *args: Any, choices: list[tuple[User, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(u.public_id): u for u, _ in choices}
        field = self.fields["invitees"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(u.public_id), label) for u, label in choices]

    def clean_meeting_time(self) -> time:
        match = _TIME.match(self.cleaned_data["meeting_time"])
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError("Enter a time such as 09:30 or 14:00.")
        return time(int(match[1]), int(match[2]))

    def meeting_at(self) -> datetime | None:
        on, at = self.cleaned_data.get("meeting_on"), self.cleaned_data.get("meeting_time")
        if isinstance(on, date) and isinstance(at, time):
            return timezone.make_aware(datetime.combine(on, at))
        return None

    def chosen(self) -> list[User]:
        return [self.users[key] for key in self.cleaned_data.get("invitees") or []]


class HousingForm(NHSForm):
    housing_support = forms.ChoiceField(
        label="Is housing support in place?", choices=HousingSupport.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose whether housing support is in place."},
    )  # fmt: skip
    housing_note = forms.CharField(
        label="Who provides it, or why none is needed (optional)", required=False, max_length=5000,
        widget=forms.Textarea({"rows": 3}),
    )  # fmt: skip


class CompleteForm(NHSForm):
    override_reason = forms.CharField(
        label="Reason for overriding the open items (senior clinicians only)",
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 4}),
        help_text="Leave empty unless you are overriding. Overrides are reported to the team leader.",
    )


class AnswerForm(NHSForm):
    answer = forms.ChoiceField(
        label="Does your team accept this transfer?",
        choices=[("accept", "Accept: we take over care"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accept or decline."},
    )
    new_coordinator = forms.ChoiceField(label="New care coordinator (if accepting)", required=False)
    decline_code = forms.ChoiceField(label="Reason for declining (if declining)", required=False)
    decline_reason = forms.CharField(
        label="Say why (if declining)", required=False, max_length=5000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, coordinators: list[User], service_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(u.public_id): u for u in coordinators}
        field = self.fields["new_coordinator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a care coordinator")] + [(k, u.display_name) for k, u in self.users.items()]
        code = self.fields["decline_code"]
        assert isinstance(code, forms.ChoiceField)
        code.choices = [("", "Choose a reason")] + [(r.value, r.label) for r in decline_reasons_for(service_kind)]

    def coordinator(self) -> User | None:
        return self.users.get(self.cleaned_data.get("new_coordinator") or "")
