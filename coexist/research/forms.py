"""The extract form: why (required), the period and the de-identification options."""

from __future__ import annotations

from django import forms

from coexist.forms import NHSDateField, NHSForm
from coexist.outcomes.rules.subgroups import Cut, cut_definition
from coexist.outcomes.rules.suppression import DEFAULT_THRESHOLD
from coexist.research.rules import COUNT_CUTS, AgeHandling, DateHandling, ExtractKind, ExtractOptions


class ExtractForm(NHSForm):
    why = forms.CharField(
        label="Why do you need this extract?",
        widget=forms.Textarea({"rows": 3}),
        max_length=2000,
        help_text="Which analysis in the approved protocol it is for. This is kept in the project's extract log.",
        error_messages={
            "required": "Say why you need this extract, for example which analysis in the approved protocol."
        },
    )
    start = NHSDateField(
        label="First day of the period",
        help_text="Episodes of care open at any time in the period. For example, 1 4 2025.",
        error_messages={"required": "Enter the first day of the period."},
    )
    end = NHSDateField(
        label="Last day of the period",
        help_text="For example, 31 3 2026.",
        error_messages={"required": "Enter the last day of the period."},
    )
    kind = forms.ChoiceField(
        label="What kind of extract?",
        widget=forms.RadioSelect,
        initial=ExtractKind.EPISODES,
        choices=[
            (ExtractKind.EPISODES, "One row per episode of care (pseudonymised, k-anonymous)"),
            (ExtractKind.COUNTS, "Counts of people by one subgroup (small numbers suppressed)"),
        ],
    )
    dates = forms.ChoiceField(
        label="Dates",
        widget=forms.RadioSelect,
        initial=DateHandling.MONTH,
        choices=[
            (DateHandling.MONTH, "Month only (for example 2025-03)"),
            (DateHandling.SHIFT, "Shifted by up to 180 days, the same for all of one person's dates"),
        ],
    )
    age = forms.ChoiceField(
        label="Age",
        widget=forms.RadioSelect,
        initial=AgeHandling.BAND,
        choices=[
            (AgeHandling.BAND, "5-year age band when the episode opened"),
            (AgeHandling.BIRTH_YEAR, "Year of birth"),
        ],
    )
    cut = forms.ChoiceField(
        label="Subgroup, for counts",
        required=False,
        initial=Cut.SEX,
        choices=[(c.value, cut_definition(c).label) for c in COUNT_CUTS],
    )
    k = forms.IntegerField(
        label="Smallest group (k)",
        initial=DEFAULT_THRESHOLD,
        min_value=2,
        max_value=50,
        help_text=(
            "Counts under this are suppressed; every combination of age, sex and ethnic group is shared by at "
            "least this many people."
        ),
        widget=forms.NumberInput({"class": "nhsuk-input--width-3"}),
    )

    def options(self) -> ExtractOptions:
        data = self.cleaned_data
        return ExtractOptions(
            kind=ExtractKind(data["kind"]),
            dates=DateHandling(data["dates"]),
            age=AgeHandling(data["age"]),
            k=data["k"],
            cut=Cut(data.get("cut") or Cut.SEX),
        )
