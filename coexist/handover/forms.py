"""The form an administrator fills in to prepare a provider handover (R10): where each old team's work goes,
and which staff transfer with the contract."""

from __future__ import annotations

from typing import Any

from django import forms

from coexist.accounts.models import User
from coexist.forms import NHSForm
from coexist.organisations.models import Membership, Team


class PrepareForm(NHSForm):
    transferring = forms.MultipleChoiceField(
        label="Staff transferring to the new provider",
        help_text=(
            "Tick everyone whose employment transfers with the contract (TUPE). Their appointments and care team "
            "places move with them. Work of everyone else goes to the receiving team."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, old_teams: list[Team], new_teams: list[Team], staff: list[User], **kwargs: Any):
        self.old_teams = old_teams
        self.new_teams = {str(t.public_id): t for t in new_teams}
        self.staff = {str(u.public_id): u for u in staff}
        super().__init__(*args, **kwargs)
        choices = [(key, team.name) for key, team in self.new_teams.items()]
        for team in old_teams:
            self.fields[f"team_{team.public_id}"] = forms.ChoiceField(
                label=f"Receiving team for {team.name}",
                choices=choices,
                initial=choices[0][0] if choices else None,
            )
        roles = self._roles(staff, old_teams)
        self.fields["transferring"].choices = [  # type: ignore[attr-defined]
            (key, f"{user.display_name} ({roles.get(user.pk, '')})") for key, user in self.staff.items()
        ]
        # Field order: teams first, then staff.
        self.order_fields([*(f"team_{t.public_id}" for t in old_teams), "transferring"])

    @staticmethod
    def _roles(staff: list[User], teams: list[Team]) -> dict[int, str]:
        found: dict[int, str] = {}
        for m in Membership.objects.filter(user__in=staff, team__in=teams).select_related("team"):
            found.setdefault(m.user_id, f"{m.get_role_display()}, {m.team.name}")
        return found

    def team_map(self) -> dict[Team, Team]:
        return {t: self.new_teams[self.cleaned_data[f"team_{t.public_id}"]] for t in self.old_teams}

    def transferring_staff(self) -> list[User]:
        return [self.staff[key] for key in self.cleaned_data["transferring"]]
