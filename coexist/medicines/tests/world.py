"""Shared set-up for the R9 medicines tests: a fixed clock, and Cat on methadone.

Cat (cast): in the coordinator's care team, with an open referral to the Pathways community drug and
alcohol service, where the addictions consultant (a prescriber) and the substance misuse workers work.
Ann has no referral to Pathways, so Pathways' prescriber cannot answer a handover for her."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coexist.audit.models import Channel
from coexist.medicines.models import OpiateSubstitution, PrescribingHandover
from coexist.medicines.services import dose_given_record, opiate_substitution_start, prescribing_handover_request
from coexist.people.models import Person
from coexist.testing.cast import Cast

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)
TODAY = NOW.date()
TOMORROW = TODAY + timedelta(days=1)


def start(cast: Cast, person: Person | None = None, *, dose: str = "60", drug: str = "methadone") -> OpiateSubstitution:
    return opiate_substitution_start(
        person=person or cast.cat, drug=drug, prescribing_service=cast.cmht, prescriber=cast.psychiatrist,
        started_on=TODAY - timedelta(days=30), daily_dose_mg=Decimal(dose), supervised=True,
        pharmacy="Boots, High Street", by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip


def give(cast: Cast, person: Person | None = None, *, at: datetime | None = None, dose: str = "60") -> None:
    dose_given_record(
        person=person or cast.cat, given_at=at or NOW - timedelta(hours=1), dose_mg=Decimal(dose),
        where="Willow ward", by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip


def request(cast: Cast, treatment: OpiateSubstitution) -> PrescribingHandover:
    return prescribing_handover_request(
        treatment=treatment, to_service=cast.pathways_service, first_community_dose_on=TOMORROW,
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
