"""The form for a measure, generated from its definition: radios for answer options, a number box for
counts such as TOP's days of use. The answers are checked again by the scoring engine in the service."""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms

from coexist.forms import NHSForm
from coexist.instruments.rules import Instrument, Item


class AnswerField(forms.TypedChoiceField):
    """A question's answers, always one under another (forms/field.html puts three or fewer side by side
    otherwise): answers such as "Yes, but not in the last year" are too long to sit in a row."""

    stacked = True


def _field(item: Item) -> forms.Field:
    if item.kind == "choice":
        return AnswerField(
            label=item.text,
            help_text=item.hint,
            choices=[(str(option.value), option.label) for option in item.options],
            coerce=int,
            empty_value=None,
            required=item.required,
            widget=forms.RadioSelect,
            error_messages={"required": "Answer this question.", "invalid_choice": "Choose one of the answers given."},
        )
    between = f"Enter a whole number from {item.minimum} to {item.maximum}."
    return forms.IntegerField(
        label=item.text,
        help_text=item.hint,
        min_value=item.minimum,
        max_value=item.maximum,
        required=item.required,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Answer this question.",
            "invalid": between,
            "min_value": between,
            "max_value": between,
        },
    )


class MeasureForm(NHSForm):
    """One field per item, named by the item's code, in the definition's order. Make one with `measure_form`."""

    instrument: Instrument

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Fields grouped by the definition's sections (e.g. TOP's substance use, injecting, crime, health)."""
        grouped: list[tuple[str, list[forms.BoundField]]] = []
        for item in self.instrument.items:
            if not grouped or grouped[-1][0] != item.section:
                grouped.append((item.section, []))
            grouped[-1][1].append(self[item.code])
        return grouped

    def answers(self) -> dict[str, object]:
        return {code: value for code, value in self.cleaned_data.items() if value is not None}


@cache
def _form_class(instrument: Instrument) -> type[MeasureForm]:
    attrs: dict[str, Any] = {item.code: _field(item) for item in instrument.items}
    attrs["instrument"] = instrument
    return type(f"MeasureForm_{instrument.code}", (MeasureForm,), attrs)


def measure_form(instrument: Instrument, data: Any = None) -> MeasureForm:
    """The form for this measure, bound to `data` (e.g. request.POST) if given."""
    return _form_class(instrument)(data)
