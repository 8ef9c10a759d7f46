"""Forms for episodes of care and the care team."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from coexist.accounts.models import User
from coexist.care.rules import CARE_TEAM_ROLES
from coexist.forms import NHSDateField, NHSForm
from coexist.organisations.models import Role


class CoordinatorForm(NHSForm):
    """R3: name the care coordinator from the staff who may be one."""

    coordinator = forms.ChoiceField(
        label="Who will be the care coordinator?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who will be the care coordinator."},
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.public_id): user for user in candidates}
        field = self.fields["coordinator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, user.display_name) for key, user in self.candidates.items()]

    def chosen(self) -> User:
        return self.candidates[self.cleaned_data["coordinator"]]


class CareTeamAddForm(NHSForm):
    """Add a worker from any organisation to the care team, in a role, from a date."""

    user = forms.ChoiceField(
        label="Member of staff",
        help_text=(
            "Anyone working in a team of any organisation, for example a drug and alcohol worker "
            "or a peer support worker."
        ),
        error_messages={"required": "Choose a member of staff."},
    )
    role = forms.ChoiceField(
        label="Their role in the care team",
        choices=[("", "Choose a role")] + [(role, Role(role).label) for role in CARE_TEAM_ROLES],
        error_messages={"required": "Choose their role in the care team."},
    )
    started_on = NHSDateField(label="From", required=False, help_text="Leave blank for today. For example, 15 3 2025.")

    def __init__(self, *args: Any, candidates: list[tuple[str, list[User]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.public_id): user for _, users in candidates for user in users}
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a member of staff")] + [
            (organisation, [(str(user.public_id), user.display_name) for user in users])
            for organisation, users in candidates
        ]

    def chosen(self) -> User:
        return self.candidates[self.cleaned_data["user"]]


class CareTeamEndForm(NHSForm):
    ended_on = NHSDateField(
        label="Last day in the care team",
        required=False,
        help_text="Leave blank for today. For example, 15 3 2025.",
    )

    def end_date(self) -> date | None:
        value = self.cleaned_data.get("ended_on")
        return value if isinstance(value, date) else None
