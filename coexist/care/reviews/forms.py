"""Forms for multi-agency case reviews (R7): booking one, recording what it decided, cancelling it."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.accounts.models import User
from coexist.care.models import CaseReviewReason
from coexist.care.reviews.rules import outcome_refusals
from coexist.care.reviews.selectors import Practitioner
from coexist.forms import NHSDateField, NHSForm

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _label(p: Practitioner) -> str:
    role = f", {p.role.replace('_', ' ')}" if p.role else ""
    return f"{p.user.display_name} ({p.organisation_name}{role})"


class ScheduleForm(NHSForm):
    """R7: when, why and who. The care team is ticked already; everyone from each agency may be added."""

    on = NHSDateField(label="Date of the review", help_text="For example, 15 3 2026.")
    at = forms.CharField(label="Time", help_text="Use the 24-hour clock, for example 14:30.", max_length=5)
    reason = forms.ChoiceField(
        label="Why is the review being held?",
        choices=CaseReviewReason.choices,
        widget=forms.RadioSelect,
        initial=CaseReviewReason.ANNUAL,
        error_messages={"required": "Choose why the review is being held."},
    )
    reason_detail = forms.CharField(
        label="What has changed? (optional for a yearly review)",
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text="For example: admitted to hospital on 3 March; not seen for six weeks; new overdose risk.",
    )
    invitees = forms.MultipleChoiceField(
        label="Practitioners to invite",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Invite at least one practitioner from every organisation in the care team.",
    )
    extra = forms.ChoiceField(
        label="Also invite (optional)",
        required=False,
        help_text="Someone outside the care team, for example from housing or the GP practice.",
    )
    person_invited = forms.BooleanField(label="The person is invited", required=False, initial=True)
    carers_invited = forms.BooleanField(label="Their carers are invited", required=False)

    def __init__(
        self,
        *args: Any,
        care_team: list[Practitioner],
        others: list[tuple[str, list[User]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.users: dict[str, User] = {str(p.user.public_id): p.user for p in care_team}
        invitees = self.fields["invitees"]
        assert isinstance(invitees, forms.MultipleChoiceField)
        invitees.choices = [(str(p.user.public_id), _label(p)) for p in care_team]
        invitees.initial = list(self.users)
        in_team = set(self.users)
        grouped = []
        for organisation, users in others:
            choices = [(str(u.public_id), u.display_name) for u in users if str(u.public_id) not in in_team]
            self.users.update({str(u.public_id): u for u in users})
            if choices:
                grouped.append((organisation, choices))
        extra = self.fields["extra"]
        assert isinstance(extra, forms.ChoiceField)
        extra.choices = [("", "Nobody else"), *grouped]
        self.fields["at"].widget.attrs["class"] += " nhsuk-input--width-5"

    def clean_at(self) -> time:
        match = _TIME.match(self.cleaned_data["at"])
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError("Enter a time such as 09:30 or 14:00.")
        return time(int(match[1]), int(match[2]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if isinstance(data.get("on"), date) and isinstance(data.get("at"), time):
            data["scheduled_for"] = timezone.make_aware(datetime.combine(data["on"], data["at"]))
        return data

    def chosen(self) -> list[User]:
        keys = list(self.cleaned_data.get("invitees") or [])
        if self.cleaned_data.get("extra"):
            keys.append(self.cleaned_data["extra"])
        return [self.users[key] for key in dict.fromkeys(keys)]


class OutcomeForm(NHSForm):
    """R7: when it was held, who came, what was decided and when the next review is due."""

    held_on = NHSDateField(label="Date it was held", help_text="For example, 15 3 2026.")
    attended = forms.MultipleChoiceField(
        label="Practitioners who took part", widget=forms.CheckboxSelectMultiple, required=False
    )
    person_attended = forms.BooleanField(label="The person took part", required=False)
    carers_attended = forms.BooleanField(label="Their carers took part", required=False)
    outcome = forms.CharField(
        label="What was decided",
        max_length=5000,
        widget=forms.Textarea({"rows": 6}),
        help_text="The decisions, who will do what, and what the person said they want.",
        error_messages={"required": "Say what the review decided."},
    )
    next_review_on = NHSDateField(
        label="Date of the next review",
        help_text="No later than 12 months after this one; sooner if circumstances say so.",
        error_messages={"required": "Enter the date of the next review: R7 needs one within 12 months."},
    )
    schedule_next = forms.BooleanField(
        label="Book the next review now, on that date, with the care team as it is now", required=False
    )

    def __init__(self, *args: Any, invitees: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(u.public_id): u for u in invitees}
        attended = self.fields["attended"]
        assert isinstance(attended, forms.MultipleChoiceField)
        attended.choices = [(key, u.display_name) for key, u in self.users.items()]

    def clean(self) -> dict[str, Any]:
        """R7: check the dates here too, so every problem shows at once (the service checks them again)."""
        data = super().clean() or {}
        held_on, next_on = data.get("held_on"), data.get("next_review_on")
        if isinstance(held_on, date) and isinstance(next_on, date):
            for name, message in outcome_refusals(
                held_on=held_on, next_review_on=next_on, today=timezone.localdate()
            ).items():
                self.add_error(name, message)
        return data

    def chosen(self) -> list[User]:
        return [self.users[key] for key in self.cleaned_data.get("attended") or []]


class CancelForm(NHSForm):
    reason = forms.CharField(
        label="Why is the review cancelled?",
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text="The review is still due: book another if it is needed.",
        error_messages={"required": "Say why the review is cancelled."},
    )
