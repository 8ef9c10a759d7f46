"""Forms for the service survey, staff training, recovery college sessions and service-user feedback. They
check shape; the services check the rules again (score bounds, dates, text limits)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from coexist.accounts.models import User
from coexist.forms import NHSDateField, NHSForm
from coexist.survey.rules import (
    ANCHORS,
    ANSWER_LABELS,
    DIMENSION_LABELS,
    MAX_ATTENDEES,
    MAX_NAME,
    MAX_NOTE,
    MAX_RESPONSES,
    MAX_TEXT,
    PROVISION_LABELS,
    QUESTION_LABELS,
    Dimension,
    Question,
)

SCORE_CHOICES = [(str(score), f"{score}: {anchor}") for score, anchor in ANCHORS.items()]


class SurveyForm(NHSForm):
    """RECO stage 2: the form of provision, then each dimension scored 1 to 5 against the anchors, with a note."""

    completed_on = NHSDateField(label="Date the survey was completed", help_text="For example, 15 3 2026.")
    provision = forms.ChoiceField(
        label="Form of dual diagnosis provision",
        choices=list(PROVISION_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the form of dual diagnosis provision."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension in Dimension:
            label = DIMENSION_LABELS[dimension]
            self.fields[dimension.value] = forms.TypedChoiceField(
                label=f"{label}: score",
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "nhsuk-radios__input"}),
                error_messages={"required": f"Choose a score from 1 to 5 for {label.lower()}."},
            )
            self.fields[f"{dimension.value}_note"] = forms.CharField(
                label=f"{label}: note (optional)",
                required=False,
                max_length=MAX_NOTE,
                widget=forms.Textarea({"rows": 2, "class": "nhsuk-textarea"}),
                help_text="What the score rests on, and what would raise it.",
            )
            self.fields[f"{dimension.value}_note"].widget.attrs["aria-describedby"] = f"id_{dimension.value}_note-hint"

    def dimensions(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [(d.value, DIMENSION_LABELS[d], self[d.value], self[f"{d.value}_note"]) for d in Dimension]

    def scores(self) -> dict[str, object]:
        return {d.value: self.cleaned_data.get(d.value) for d in Dimension}

    def notes(self) -> dict[str, str]:
        return {d.value: self.cleaned_data.get(f"{d.value}_note") or "" for d in Dimension}


class TrainingForm(NHSForm):
    staff = forms.ChoiceField(label="Member of staff", error_messages={"required": "Choose the member of staff."})
    course = forms.CharField(label="Course", max_length=MAX_NAME, help_text="For example, Dual diagnosis awareness.")
    provider = forms.CharField(label="Who ran it", max_length=MAX_NAME, help_text="For example, the recovery college.")
    completed_on = NHSDateField(label="Date completed", help_text="For example, 15 3 2026.")
    hours = forms.DecimalField(
        label="Hours", max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal("500"),
        help_text="To one decimal place, for example 3.5.",
    )  # fmt: skip
    certificate = forms.BooleanField(label="A certificate was awarded", required=False)

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(u.public_id): u for u in staff}
        field = self.fields["staff"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose"), *((key, u.display_name) for key, u in self.users.items())]
        self.fields["hours"].widget.attrs["class"] += " nhsuk-input--width-5"

    def chosen(self) -> User:
        return self.users[self.cleaned_data["staff"]]


class SessionForm(NHSForm):
    course = forms.CharField(label="Course", max_length=MAX_NAME, help_text="For example, Understanding recovery.")
    session_on = NHSDateField(label="Date of the session", help_text="For example, 15 3 2026.")
    attendees = forms.IntegerField(
        label="How many came", min_value=0, max_value=MAX_ATTENDEES,
        help_text="A count only: do not record names.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].widget.attrs["class"] += " nhsuk-input--width-5"


class FeedbackForm(NHSForm):
    """How many people gave each answer to each question; no one's own answers."""

    collected_on = NHSDateField(label="Date the feedback was collected", help_text="For example, 15 3 2026.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in Question:
            for answer, label in enumerate(ANSWER_LABELS, start=1):
                field = forms.IntegerField(label=label, min_value=0, max_value=MAX_RESPONSES, required=False, initial=0)
                field.widget.attrs["class"] = "nhsuk-input nhsuk-input--width-4"
                self.fields[f"{question.value}_{answer}"] = field
        self.fields["you_said"] = forms.CharField(
            label="You said", required=False, max_length=MAX_TEXT,
            widget=forms.Textarea({"rows": 4, "class": "nhsuk-textarea"}),
            help_text="What people told the service, in their words where possible.",
        )  # fmt: skip
        self.fields["we_did"] = forms.CharField(
            label="We did", required=False, max_length=MAX_TEXT,
            widget=forms.Textarea({"rows": 4, "class": "nhsuk-textarea"}),
            help_text="What the service changed, or will change, because of it.",
        )  # fmt: skip
        for name in ("you_said", "we_did"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def questions(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [(q.value, QUESTION_LABELS[q], [self[f"{q.value}_{a}"] for a in range(1, 6)]) for q in Question]

    def counts(self) -> dict[str, list[object]]:
        return {q.value: [self.cleaned_data.get(f"{q.value}_{a}") or 0 for a in range(1, 6)] for q in Question}
