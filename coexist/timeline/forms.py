"""The timeline's filter, shared by the page and the API so both say the same thing about bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from coexist.forms import NHSForm
from coexist.timeline.entries import Kind

MAX_PAGE = 200
"""Past this, narrow the dates instead: 200 pages of 50 is ten thousand entries."""

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d.%m.%Y"]
_BAD_DATE = "Enter a real date, for example 27/3/2025."


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2025",
        error_messages={"invalid": _BAD_DATE},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "autocomplete": "off"}),
    )


class TimelineFilterForm(NHSForm):
    """GET parameters: kind (repeatable), from, to (dates, inclusive) and page (1 is the newest)."""

    kind = forms.MultipleChoiceField(
        label="Show only",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked to see everything you may see.",
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "The page must be a whole number, 1 for the newest entries.",
            "min_value": "The page must be 1 or more.",
            "max_value": f"The timeline goes back {MAX_PAGE} pages; choose dates to see older entries.",
        },
    )

    field_order = ["kind", "from", "to", "page"]

    def __init__(self, data: Any, *, kinds: list[Kind]) -> None:
        super().__init__(data)
        field = self.fields["kind"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(k.value, k.label) for k in kinds]
        allowed = ", ".join(k.value for k in kinds) or "none"
        field.error_messages["invalid_choice"] = (
            f"'%(value)s' is not a kind of entry you can see here. Choose from: {allowed}."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("from", "to"):
            value = data.get(name)
            if isinstance(value, date) and value.year < 1900:
                self.add_error(name, "Enter a year after 1900.")
        start, end = data.get("from"), data.get("to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("to", "The 'to' date must be the same as or after the 'from' date.")
        return data

    def as_validation_error(self) -> ValidationError:
        """The form's errors as field -> messages, for the API's 422 problem response."""
        return ValidationError({field: [str(m) for m in messages] for field, messages in self.errors.items()})


TimelineFilterForm.base_fields["from"] = _date_field("From")
TimelineFilterForm.base_fields["to"] = _date_field("To")
