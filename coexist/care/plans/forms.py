"""The care plan form: the plan's text sections, and rows (goals, carers, services) as formsets with a few
blank rows always on offer, so adding one needs no JavaScript."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.forms import BaseFormSet, formset_factory

from coexist.care.models import ShareMethod
from coexist.care.plans.content import CarerSupport, Goal, GoalOwner, PlanContent, ServiceContact
from coexist.forms import NHSForm
from coexist.people.models import Carer

BLANK_ROWS = 3


def _text(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": rows})
    )


class PlanForm(NHSForm):
    """The plan's text sections. Labels are the staff's words; the plain-language page speaks to the person."""

    based_on_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    summary_for_person = _text(
        "Summary written for the person",
        "In plain words, to the person: what the plan is for and what happens next. It heads their copy.",
    )
    reconciliation = _text(
        "How differences between the person's and the service's goals were agreed",
        "Where the goals differ, what was discussed and agreed, or what is still different.",
    )
    strengths = _text("Strengths and abilities", "What the person does well and what helps them take part in care.")
    coping_strategies = _text("Coping strategies", "What the person already does that helps in a crisis.")
    crisis_plan = _text("Crisis plan", "Early signs, what to do, who to call, day and night.")
    contingency_mental_health = _text("If mental health gets worse")
    contingency_physical_health = _text("If physical health gets worse")
    contingency_suicide = _text("If there is a risk of suicide")
    contingency_overdose = _text("If there is a risk of overdose", "Include naloxone where the person uses opioids.")


class GoalForm(NHSForm):
    text = forms.CharField(label="Goal", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class CarerRowForm(NHSForm):
    carer = forms.ChoiceField(label="Carer", required=False)
    support = forms.CharField(
        label="The support they give", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, carers: list[Carer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a carer")] + [
            (str(c.public_id), f"{c.name} ({c.get_relationship_display()})") for c in carers
        ]
        self.fields["carer"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("support") and not data.get("carer"):
            self.add_error("carer", "Choose which carer gives this support.")
        return data


class ServiceRowForm(NHSForm):
    service = forms.CharField(label="Service", required=False, max_length=200)
    contact_name = forms.CharField(label="Named contact", required=False, max_length=200)
    phone = forms.CharField(label="Phone number", required=False, max_length=32)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("contact_name") or data.get("phone")) and not data.get("service"):
            self.add_error("service", "Enter the name of the service.")
        return data


GoalFormSet = formset_factory(GoalForm, extra=BLANK_ROWS, max_num=30, absolute_max=40, validate_max=True)
CarerFormSet = formset_factory(CarerRowForm, extra=BLANK_ROWS, max_num=30, absolute_max=40, validate_max=True)
ServiceFormSet = formset_factory(ServiceRowForm, extra=BLANK_ROWS, max_num=30, absolute_max=40, validate_max=True)


class PlanEditor:
    """The whole edit page: the plan form and its four sets of rows, built and read together."""

    def __init__(
        self, *, carers: list[Carer], data: Any = None, content: PlanContent | None = None, based_on: int | None = None
    ) -> None:
        content = content or PlanContent()
        initial = {name: getattr(content, name) for name in PlanForm.base_fields if name != "based_on_version"}
        initial["based_on_version"] = based_on
        self.plan = PlanForm(data, initial=initial)
        self.person_goals = GoalFormSet(
            data, prefix="person_goals", initial=[{"text": t} for t in content.person_goals]
        )
        self.service_goals = GoalFormSet(
            data, prefix="service_goals", initial=[{"text": t} for t in content.service_goals]
        )
        self.carers = CarerFormSet(
            data,
            prefix="carers",
            initial=[{"carer": str(c.carer), "support": c.support} for c in content.carers],
            form_kwargs={"carers": carers},
        )
        self.services = ServiceFormSet(
            data,
            prefix="services",
            initial=[s.model_dump() for s in content.services],
        )
        # Each row gets its own label, so a screen reader hears "Goal 2", not "Goal" three times.
        for formset in (self.person_goals, self.service_goals):
            for number, goal in enumerate(formset.forms, start=1):
                goal.fields["text"].label = f"Goal {number}"
        for number, carer_row in enumerate(self.carers.forms, start=1):
            carer_row.fields["carer"].label = f"Carer {number}"
            carer_row.fields["support"].label = f"The support carer {number} gives"
        for number, service_row in enumerate(self.services.forms, start=1):
            service_row.fields["service"].label = f"Service {number}"
            service_row.fields["contact_name"].label = f"Named contact at service {number}"
            service_row.fields["phone"].label = f"Phone number for service {number}"

    @property
    def formsets(self) -> list[BaseFormSet[Any]]:
        return [self.person_goals, self.service_goals, self.carers, self.services]

    def is_valid(self) -> bool:
        valid = self.plan.is_valid()
        for formset in self.formsets:
            valid = formset.is_valid() and valid
        return valid

    @property
    def errors(self) -> list[tuple[str, str]]:
        """Every error as (field id, message), for the error summary."""
        found: list[tuple[str, str]] = [("", str(e)) for e in self.plan.non_field_errors()]
        for field in self.plan:
            found += [(field.id_for_label, str(e)) for e in field.errors]
        for formset in self.formsets:
            found += [("", str(e)) for e in formset.non_form_errors()]
            for form in formset.forms:
                for field in form:
                    found += [(field.id_for_label, str(e)) for e in field.errors]
        return found

    @property
    def based_on_version(self) -> int | None:
        value = self.plan.cleaned_data.get("based_on_version")
        return int(value) if value else None

    def content(self) -> PlanContent:
        """The typed plan as content. Call after is_valid(); blank rows are left out."""
        data = self.plan.cleaned_data

        def goals(formset: BaseFormSet[Any], owner: GoalOwner) -> list[Goal]:
            return [
                Goal(owner=owner, text=f.cleaned_data["text"])
                for f in formset.forms
                if f.cleaned_data.get("text", "").strip()
            ]

        return PlanContent(
            goals=goals(self.person_goals, "person") + goals(self.service_goals, "service"),
            carers=[
                CarerSupport(carer=UUID(f.cleaned_data["carer"]), support=f.cleaned_data.get("support", ""))
                for f in self.carers.forms
                if f.cleaned_data.get("carer")
            ],
            services=[
                ServiceContact(
                    service=f.cleaned_data["service"],
                    contact_name=f.cleaned_data.get("contact_name", ""),
                    phone=f.cleaned_data.get("phone", ""),
                )
                for f in self.services.forms
                if f.cleaned_data.get("service", "").strip()
            ],
            **{name: data.get(name, "") for name in PlanForm.base_fields if name != "based_on_version"},
        )


class ShareForm(NHSForm):
    """R4: record a copy of the plan given to a carer or an organisation."""

    recipient = forms.ChoiceField(label="Who was given a copy?")
    method = forms.ChoiceField(label="How", choices=ShareMethod.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, recipients: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "Choose a carer or organisation"), *recipients]  # type: ignore[attr-defined]
