"""What a care plan version holds (R4, NG58 1.3), as a schema: every saved version's JSON is validated by it.

Plain values only (no ORM): the rules, the service, the pages, the PDF and the API all read the same shape.
The person's own goals and the service's goals are kept apart by `owner`, as FHIR Goal.expressedBy does.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text (JSONB either); refuse it as bad input rather than fail on save.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _strip(value: str) -> str:
    return value.strip()


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


ShortText = Annotated[str, Field(max_length=200), AfterValidator(_no_nul), AfterValidator(_strip)]
Phone = Annotated[str, Field(max_length=32), AfterValidator(_no_nul), AfterValidator(_strip)]
LongText = Annotated[str, Field(max_length=4000), AfterValidator(_no_nul), AfterValidator(_strip)]
RequiredShortText = Annotated[ShortText, Field(min_length=1), AfterValidator(_not_blank)]
RequiredLongText = Annotated[LongText, Field(min_length=1), AfterValidator(_not_blank)]
GoalOwner = Literal["person", "service"]

MAX_ROWS = 30


class Goal(BaseModel):
    """A goal: the person's own, in their words, or one the service set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: GoalOwner
    text: RequiredLongText


class CarerSupport(BaseModel):
    """A carer named in the person's record (people.Carer, by id) and the support they give."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    carer: UUID
    name: ShortText = Field(
        default="", description="The carer's name when the version was saved; filled in by the service."
    )
    support: LongText = ""


class ServiceContact(BaseModel):
    """A service involved in the person's care and the named person to contact there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service: RequiredShortText
    contact_name: ShortText = ""
    phone: Phone = ""


class PlanContent(BaseModel):
    """The whole content of one care plan version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    goals: list[Goal] = Field(default_factory=list, max_length=MAX_ROWS)
    reconciliation: LongText = ""
    strengths: LongText = ""
    coping_strategies: LongText = ""
    carers: list[CarerSupport] = Field(default_factory=list, max_length=MAX_ROWS)
    services: list[ServiceContact] = Field(default_factory=list, max_length=MAX_ROWS)
    crisis_plan: LongText = ""
    contingency_mental_health: LongText = ""
    contingency_physical_health: LongText = ""
    contingency_suicide: LongText = ""
    contingency_overdose: LongText = ""
    summary_for_person: LongText = ""

    def goals_of(self, owner: GoalOwner) -> list[str]:
        return [goal.text for goal in self.goals if goal.owner == owner]

    @property
    def person_goals(self) -> list[str]:
        return self.goals_of("person")

    @property
    def service_goals(self) -> list[str]:
        return self.goals_of("service")
