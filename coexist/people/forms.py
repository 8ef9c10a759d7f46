from __future__ import annotations

from typing import Any

from django import forms

from coexist.forms import NHSDateField, NHSForm
from coexist.organisations.models import Organisation
from coexist.people.models import Carer, EthnicCategory, HousingStatus, Person, Relationship, Sex
from coexist.people.rules import SHAREABLE_PARTS, ContactMethod

_YES_NO_UNKNOWN = [("", "Not asked"), ("true", "Yes"), ("false", "No")]


def _optional_bool(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


class SearchForm(NHSForm):
    q = forms.CharField(
        label="Search by name, NHS number or date of birth",
        required=False,
        max_length=100,
        help_text="For example, 'Jordan Smith', '943 476 5919' or '14/03/1985'.",
    )


class ContactForm(NHSForm):
    """R11: how the person wants to be contacted, and the details that method needs."""

    contact_method = forms.ChoiceField(
        label="How does the person want to be contacted?", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=32)
    email = forms.EmailField(label="Email address", required=False)
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    @classmethod
    def for_person(cls, person: Person) -> ContactForm:
        return cls(initial={name: getattr(person, name) for name in cls.base_fields})


class EqualityForm(NHSForm):
    """R14: what the evaluation needs to say for whom the service works."""

    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    gender_identity = forms.CharField(label="Gender, in their own words", required=False, max_length=100)
    ethnic_category = forms.ChoiceField(label="Ethnic group", choices=EthnicCategory.choices)
    housing_status = forms.ChoiceField(label="Housing", choices=HousingStatus.choices)
    released_from_prison_on = NHSDateField(
        label="Date released from prison",
        required=False,
        help_text="Leave blank if not released in the last few years.",
    )
    has_caring_responsibilities = forms.TypedChoiceField(
        label="Caring responsibilities (children or adults)",
        choices=_YES_NO_UNKNOWN,
        coerce=_optional_bool,
        empty_value=None,
        required=False,
    )
    childcare_barrier = forms.TypedChoiceField(
        label="Does childcare make attending hard?",
        choices=_YES_NO_UNKNOWN,
        coerce=_optional_bool,
        empty_value=None,
        required=False,
    )
    transport_barrier = forms.TypedChoiceField(
        label="Does transport make attending hard?",
        choices=_YES_NO_UNKNOWN,
        coerce=_optional_bool,
        empty_value=None,
        required=False,
    )

    @classmethod
    def for_person(cls, person: Person) -> EqualityForm:
        initial: dict[str, Any] = {}
        for name in cls.base_fields:
            value = getattr(person, name)
            initial[name] = {True: "true", False: "false", None: ""}[value] if name in _BOOL_FIELDS else value
        return cls(initial=initial)


_BOOL_FIELDS = {"has_caring_responsibilities", "childcare_barrier", "transport_barrier"}


class CarerForm(NHSForm):
    """R5: a carer or family member."""

    name = forms.CharField(label="Full name", max_length=200)
    relationship = forms.ChoiceField(label="Relationship to the person", choices=Relationship.choices)
    provides_care = forms.TypedChoiceField(
        label="Do they give the person unpaid care or support?",
        choices=[("true", "Yes, they are a carer"), ("false", "No, family or friend only")],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    lives_with_person = forms.BooleanField(label="They live with the person", required=False)
    phone = forms.CharField(label="Phone number (optional)", required=False, max_length=32)
    email = forms.EmailField(label="Email address (optional)", required=False)


class ConsentForm(NHSForm):
    recipient = forms.ChoiceField(label="Who may see it?", help_text="An organisation, or a carer named in the record.")
    parts = forms.MultipleChoiceField(
        label="Which parts of the record?",
        choices=[(p.value, p.label) for p in SHAREABLE_PARTS],
        widget=forms.CheckboxSelectMultiple,
        help_text="Their name, date of birth and NHS number go with any part, so the recipient knows whose it is.",
    )
    given_on = NHSDateField(label="Date the person agreed", help_text="For example, 15 3 2026.")

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        choices: list[tuple[str, str]] = [("", "Choose an organisation or carer")]
        choices += [(f"org:{o.public_id}", o.name) for o in Organisation.objects.order_by("name")]
        choices += [(f"carer:{c.public_id}", f"{c.name} (carer)") for c in person.carers.all()]
        self.fields["recipient"].choices = choices  # type: ignore[attr-defined]

    def recipient_objects(self) -> tuple[Organisation | None, Carer | None]:
        kind, _, public_id = self.cleaned_data["recipient"].partition(":")
        if kind == "org":
            return Organisation.objects.get(public_id=public_id), None
        return None, Carer.objects.get(public_id=public_id, person=self.person)


class ConsentWithdrawForm(NHSForm):
    withdrawn_on = NHSDateField(label="Date the person withdrew consent")
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CarerAssessmentOfferForm(NHSForm):
    """R5: a carer is offered an assessment of their own needs."""

    offered_on = NHSDateField(label="Date the assessment was offered", help_text="For example, 15 3 2026.")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, who will do the assessment, or how the carer would like to be contacted.",
    )


class CarerAssessmentOutcomeForm(NHSForm):
    """R5: what came of the offer."""

    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[
            ("accepted", "The carer accepted the assessment"),
            ("declined", "The carer declined the assessment"),
            ("completed", "The assessment was completed"),
        ],
        widget=forms.RadioSelect,
    )
    on = NHSDateField(label="Date", help_text="For example, 15 3 2026.")
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
