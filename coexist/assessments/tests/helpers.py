"""Shared set-up for the assessment tests: a started assessment and a fully-considered set of domains."""

from __future__ import annotations

from coexist.accounts.models import User
from coexist.assessments.models import JointAssessment
from coexist.assessments.rules import Domain, Need
from coexist.assessments.services import DomainChange, assessment_start
from coexist.audit.models import Channel
from coexist.people.models import Person


def start(person: Person, by: User) -> JointAssessment:
    return assessment_start(person=person, by=by, channel=Channel.PAGE)


def every_domain(need: str = Need.NONE, **overrides: DomainChange) -> dict[str, DomainChange]:
    """Every domain considered (need none unless overridden), as the page sends it."""
    changes = {d: DomainChange(notes="", need=need) for d in Domain.values}
    changes.update(overrides)
    return changes
