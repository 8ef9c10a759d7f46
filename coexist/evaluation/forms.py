"""Forms for programme theories and their evidence. The services validate; these shape the page."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from coexist.evaluation.models import EvidenceKind, ExpectsChoice, ProgrammeTheory, TheoryStatus
from coexist.evaluation.rules import MAX_CONTEXT_PAIRS, context_choices
from coexist.evaluation.selectors import proportion_measures
from coexist.forms import NHSDateField, NHSForm
from coexist.organisations.models import Service

CONTEXT_FIELDS = [f"context_{n}" for n in range(1, MAX_CONTEXT_PAIRS + 1)]


class TheoryForm(NHSForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title."},
        help_text="A short name, for example: Ward in-reach for people on opiate substitution.",
    )  # fmt: skip
    context = forms.CharField(
        label="Context: for whom, in what circumstances", widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Enter the context in words."},
        help_text="For example: people leaving a ward on opiate substitution.",
    )  # fmt: skip
    mechanism = forms.CharField(
        label="Mechanism: what makes the difference", widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Enter the mechanism in words."},
        help_text="For example: meeting the community worker on the ward before discharge builds trust.",
    )  # fmt: skip
    outcome = forms.CharField(
        label="Outcome: what happens", widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Enter the outcome in words."},
        help_text="For example: they attend the community service within 7 days.",
    )  # fmt: skip
    measure_key = forms.ChoiceField(
        label="Measure the outcome is bound to", error_messages={"required": "Choose a measure."},
        help_text="Only measures that are a share of a group (a percentage) can be compared.",
    )  # fmt: skip
    expects = forms.ChoiceField(
        label="The theory expects the outcome to be", choices=ExpectsChoice.choices, widget=forms.RadioSelect,
        initial=ExpectsChoice.HIGHER, error_messages={"required": "Choose higher or lower."},
    )  # fmt: skip
    context_1 = forms.ChoiceField(
        label="Subgroup the context is bound to", error_messages={"required": "Choose a subgroup."},
        help_text="The comparison group is everyone else in the same measure.",
    )  # fmt: skip
    context_2 = forms.ChoiceField(label="And also in (optional)", required=False)
    context_3 = forms.ChoiceField(label="And also in (optional)", required=False)
    service = forms.ChoiceField(
        label="Service (optional)", required=False, help_text="Leave blank to use every service's data.",
    )  # fmt: skip
    status = forms.ChoiceField(
        label="Status", choices=TheoryStatus.choices, widget=forms.RadioSelect, initial=TheoryStatus.DRAFT,
        help_text="Only evaluators read drafts; clinical staff may read published theories.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("measure_key").choices = [("", "Choose a measure")] + [
            (key, m.title) for key, m in proportion_measures().items()
        ]
        pairs = context_choices()
        self._choice("context_1").choices = [("", "Choose a subgroup"), *pairs]
        for name in CONTEXT_FIELDS[1:]:
            self._choice(name).choices = [("", "None"), *pairs]
        self._choice("service").choices = [("", "All services")] + [
            (str(s.public_id), f"{s.name} ({s.organisation.name})")
            for s in Service.objects.select_related("organisation").order_by("name")
        ]

    def _choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    @staticmethod
    def initial_for(theory: ProgrammeTheory) -> dict[str, object]:
        initial: dict[str, object] = {
            "title": theory.title, "context": theory.context, "mechanism": theory.mechanism,
            "outcome": theory.outcome, "measure_key": theory.measure_key, "expects": theory.expects,
            "service": str(theory.service.public_id) if theory.service else "", "status": theory.status,
        }  # fmt: skip
        for name, (cut, key) in zip(CONTEXT_FIELDS, theory.context_filter, strict=False):
            initial[name] = f"{cut}={key}"
        return initial

    def context_filter(self) -> list[list[str]]:
        """The chosen subgroups as [cut, key] pairs (the service checks them)."""
        chosen = [self.cleaned_data.get(name) or "" for name in CONTEXT_FIELDS]
        return [value.split("=", 1) for value in chosen if value]

    def chosen_service(self) -> Service | None:
        value = self.cleaned_data.get("service") or ""
        return Service.objects.filter(public_id=value).first() if value else None


class EvidenceForm(NHSForm):
    kind = forms.ChoiceField(
        label="Kind of evidence", choices=EvidenceKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of evidence this is."},
    )  # fmt: skip
    source = forms.CharField(
        label="Source", widget=forms.Textarea({"rows": 2}),
        error_messages={"required": "Enter the source."},
        help_text="A citation (authors, title, year), or the event or interview and who took part (no names of "
        "people who use services).",
    )  # fmt: skip
    summary = forms.CharField(
        label="What it says about the theory", widget=forms.Textarea({"rows": 4}),
        error_messages={"required": "Enter a summary."},
    )  # fmt: skip
    dated = NHSDateField(
        label="Date published or held", help_text="For example, 15 3 2024.",
        error_messages={"required": "Enter the date it was published or took place."},
    )  # fmt: skip
