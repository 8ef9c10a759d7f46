from __future__ import annotations

from django import forms

from coexist.forms import NHSForm


class TaskCompleteForm(NHSForm):
    outcome = forms.CharField(
        label="What was done?",
        help_text="For example, who you spoke to, what was agreed and what happens next.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was done."},
    )
