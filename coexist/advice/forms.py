"""Forms for advice requests: ask, answer, withdraw."""

from __future__ import annotations

from typing import Any

from django import forms

from coexist.forms import NHSForm


class AskForm(NHSForm):
    consultant = forms.ChoiceField(
        label="Which addictions consultant?",
        help_text="The consultant joins the person's care team so they can read the record and advise.",
        error_messages={"required": "Choose the addictions consultant."},
    )
    episode = forms.ChoiceField(label="About which episode of care? (optional)", required=False)
    question = forms.CharField(
        label="Your question",
        max_length=5000,
        widget=forms.Textarea({"rows": 6}),
        help_text="For example: starting dose of buprenorphine alongside clozapine; alcohol detox on the ward.",
        error_messages={"required": "Enter your question."},
    )
    urgent = forms.BooleanField(label="Urgent: an answer is needed today", required=False)

    def __init__(
        self, *args: Any, consultants: list[tuple[str, str]], episodes: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        consultant = self.fields["consultant"]
        assert isinstance(consultant, forms.ChoiceField)
        consultant.choices = [("", "Choose a consultant"), *consultants]
        episode = self.fields["episode"]
        assert isinstance(episode, forms.ChoiceField)
        episode.choices = [("", "No particular episode"), *episodes]


class AnswerForm(NHSForm):
    answer = forms.CharField(
        label="Your answer",
        max_length=5000,
        widget=forms.Textarea({"rows": 8}),
        help_text="It stays on the person's record with the question.",
        error_messages={"required": "Enter your answer."},
    )


class WithdrawForm(NHSForm):
    reason = forms.CharField(
        label="Why are you withdrawing the question?",
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Enter the reason."},
    )
