from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from coexist.assessments.models import DomainFinding, JointAssessment, RiskKind
from coexist.assessments.rules import ChildrenContact, Domain, Frequency, Need, Route, Substance
from coexist.assessments.services import DomainChange
from coexist.forms import NHSDateField, NHSForm

# What each domain asks, in the words on the page (NG58 first contact and comprehensive assessment).
DOMAIN_QUESTIONS: dict[str, tuple[str, str]] = {
    Domain.MENTAL_HEALTH: ("Presentation", "How they are now: mood, psychosis, thoughts, what they tell you."),
    Domain.SUBSTANCE_USE: (
        "Alcohol and drug use overall",
        "Patterns, harms, withdrawal, treatment so far. Record each substance below.",
    ),
    Domain.PHYSICAL_HEALTH: ("Physical health", "Conditions, injuries, injecting sites, medication, GP contact."),
    Domain.HOUSING: ("Housing", "Where they live, whether it is safe and stable, any risk of losing it."),
    Domain.BENEFITS_MONEY: ("Benefits and money", "Income, benefits claimed or stopped, debts."),
    Domain.SOCIAL_ISOLATION: ("Social isolation", "Who they see, who they can call on, what they do in the day."),
    Domain.SAFEGUARDING_PERSON: ("Safeguarding of the person", "Abuse, neglect, exploitation, cuckooing."),
    Domain.SAFEGUARDING_CARERS: ("Safeguarding of carers", "Whether carers or family are at risk or need support."),
    Domain.SAFEGUARDING_CHILDREN: ("Safeguarding of children", "Any concern for children in their life."),
    Domain.STRENGTHS: ("Strengths", "What they are good at, what has helped before, what they want."),
    Domain.RISKS: ("Risks summary", "Self-harm or suicide, overdose, harm to others, exploitation."),
}


@dataclass(frozen=True)
class Section:
    domain: str
    label: str
    notes: forms.BoundField
    need: forms.BoundField
    extras: list[forms.BoundField]


class AssessmentForm(NHSForm):
    """Every domain of the joint assessment: notes and the need identified. Blank need: not yet assessed."""

    diagnosis = forms.CharField(
        label="Diagnosis (if known)", required=False, max_length=200, help_text="Leave blank if there is none yet."
    )
    children_contact = forms.ChoiceField(
        label="Do children live with them, or do they care for any?",
        choices=ChildrenContact.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    @classmethod
    def for_assessment(cls, assessment: JointAssessment, findings: list[DomainFinding]) -> AssessmentForm:
        initial: dict[str, Any] = {
            "diagnosis": assessment.diagnosis,
            "children_contact": assessment.children_contact,
        }
        for f in findings:
            initial[f"{f.domain}_notes"] = f.notes
            initial[f"{f.domain}_need"] = f.need
        return cls(initial=initial)

    def sections(self) -> list[Section]:
        extras: dict[str, list[str]] = {
            Domain.MENTAL_HEALTH: ["diagnosis"],
            Domain.SAFEGUARDING_CHILDREN: ["children_contact"],
        }
        return [
            Section(
                domain=domain,
                label=Domain(domain).label,
                notes=self[f"{domain}_notes"],
                need=self[f"{domain}_need"],
                extras=[self[name] for name in extras.get(domain, [])],
            )
            for domain in Domain.values
        ]

    def domain_changes(self) -> dict[str, DomainChange]:
        data = self.cleaned_data
        return {d: DomainChange(notes=data[f"{d}_notes"], need=data[f"{d}_need"]) for d in Domain.values}


# One notes box and one need question per domain, added to the class so NHSForm styles them.
for _domain in Domain.values:
    _question, _hint = DOMAIN_QUESTIONS[_domain]
    AssessmentForm.base_fields[f"{_domain}_notes"] = forms.CharField(
        label=_question, help_text=_hint, required=False, max_length=10000, widget=forms.Textarea({"rows": 4})
    )
    AssessmentForm.base_fields[f"{_domain}_need"] = forms.ChoiceField(
        label="Need identified", choices=Need.choices, widget=forms.RadioSelect, required=False
    )


_YES_NO = [("true", "Yes"), ("false", "No")]


class SubstanceForm(NHSForm):
    """One substance the person uses."""

    substance = forms.ChoiceField(label="Substance", choices=[("", "Choose a substance"), *Substance.choices])
    substance_other = forms.CharField(label="If other, what is it?", required=False, max_length=100)
    route = forms.ChoiceField(label="How is it taken?", choices=Route.choices, widget=forms.RadioSelect)
    frequency = forms.ChoiceField(
        label="How often, in the last 28 days?", choices=Frequency.choices, widget=forms.RadioSelect
    )
    injecting = forms.TypedChoiceField(
        label="Do they inject it?", choices=_YES_NO, coerce=lambda v: v == "true", widget=forms.RadioSelect
    )
    last_used_on = NHSDateField(label="Date last used (optional)", required=False, help_text="For example, 15 3 2026.")
    notes = forms.CharField(
        label="Notes (optional)", required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )


class AssessorForm(NHSForm):
    assessor = forms.ChoiceField(
        label="Second assessor",
        help_text="Someone in the person's care team, usually from the other organisation.",
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].choices = [("", "Choose a worker"), *candidates]  # type: ignore[attr-defined]


class RiskFlagForm(NHSForm):
    """R13: a new risk flag. The review date is required."""

    kind = forms.ChoiceField(label="Kind of risk", choices=RiskKind.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="What is the risk?", required=False, max_length=2000, widget=forms.Textarea({"rows": 4})
    )
    review_on = NHSDateField(label="Review by", help_text="Today or later. For example, 15 3 2026.")


class RiskFlagReviewForm(NHSForm):
    review_on = NHSDateField(label="Next review by", help_text="Today or later. For example, 15 3 2026.")
    note = forms.CharField(label="What did the review find?", max_length=2000, widget=forms.Textarea({"rows": 4}))


class RiskFlagEndForm(NHSForm):
    reason = forms.CharField(
        label="Why is the flag no longer needed?", max_length=2000, widget=forms.Textarea({"rows": 4})
    )
