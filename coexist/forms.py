"""NHS.UK design system forms: one renderer, one field template, one date input.

Forms subclass `NHSForm` (settings.FORM_RENDERER is `NHSRenderer`) and render with `{{ form }}` or
`{{ form.field.as_field_group }}`; errors appear in an error summary and beside each field, in the
words and places the NHS design system uses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

_INPUT_CLASSES = {
    "text": "nhsuk-input",
    "email": "nhsuk-input",
    "password": "nhsuk-input",
    "number": "nhsuk-input",
    "tel": "nhsuk-input",
    "search": "nhsuk-input",
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
}


class NHSRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class NHSDateWidget(forms.MultiWidget):
    """The NHS.UK date input: day, month and year boxes."""

    template_name = "forms/date_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"inputmode": "numeric"}
        super().__init__(
            widgets={
                "day": forms.TextInput(
                    attrs={**base, "class": "nhsuk-input nhsuk-date-input__input nhsuk-input--width-2"}
                ),
                "month": forms.TextInput(
                    attrs={**base, "class": "nhsuk-input nhsuk-date-input__input nhsuk-input--width-2"}
                ),
                "year": forms.TextInput(
                    attrs={**base, "class": "nhsuk-input nhsuk-date-input__input nhsuk-input--width-4"}
                ),
            },
            attrs=attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class NHSDateField(forms.MultiValueField):
    widget = NHSDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        if not (day and month and year):
            raise ValidationError("Enter a day, a month and a year.", code="incomplete")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValidationError("Enter a real date, for example 15 3 1984.", code="invalid") from exc
        if value.year < 1900:
            raise ValidationError("Enter a year after 1900.", code="invalid")
        return value


class NHSFormMixin:
    """Give widgets the NHS.UK classes and mark fields in error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            css = _INPUT_CLASSES.get(getattr(widget, "input_type", "") or "", "")
            if isinstance(widget, forms.Textarea):
                css = _INPUT_CLASSES["textarea"]
            # CheckboxSelectMultiple is a subclass of RadioSelect in Django, so it is asked about first.
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "nhsuk-checkboxes__input"
            elif isinstance(widget, forms.RadioSelect):
                css = "nhsuk-radios__input"
            elif isinstance(widget, forms.Select):
                css = _INPUT_CLASSES["select"]
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if field.help_text and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.mark_errors()

    def mark_errors(self) -> None:
        """Give fields in error the NHS.UK error classes and point them at their error message."""
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                described = widget.attrs.get("aria-describedby", "")
                if f"id_{name}-error" not in described:
                    widget.attrs["aria-describedby"] = f"{described} id_{name}-error".strip()
                for sub in getattr(widget, "widgets", [widget]):
                    base = sub.attrs.get("class", "")
                    if "nhsuk-input" in base and "--error" not in base:
                        sub.attrs["class"] = base + " nhsuk-input--error"
                    elif "nhsuk-select" in base and "--error" not in base:
                        sub.attrs["class"] = base + " nhsuk-select--error"
                    elif "nhsuk-textarea" in base and "--error" not in base:
                        sub.attrs["class"] = base + " nhsuk-textarea--error"


class NHSForm(NHSFormMixin, forms.Form):
    pass


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service function's ValidationError (field -> messages) on the form it came from."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
    if isinstance(form, NHSFormMixin):
        form.mark_errors()
