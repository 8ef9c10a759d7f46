"""Reading a person's measures: scoped to the parts of the record the viewer may read, and logged."""

from __future__ import annotations

import pytest

from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.selectors import instrument_response_open, instrument_responses_for
from coexist.instruments.services import instrument_response_record
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast


def record(cast: Cast, person_name: str, code: str) -> InstrumentResponse:
    answers = {
        "phq9": {f"phq9_{n}": 0 for n in range(1, 10)},
        "audit": {f"audit_{n}": 0 for n in range(1, 11)},
    }[code]
    return instrument_response_record(
        person=getattr(cast, person_name),
        instrument_code=code,
        answers=answers,
        by=cast.coordinator,
        channel=Channel.PAGE,
    )


def test_the_care_team_reads_every_measure_and_the_read_is_logged(cast: Cast) -> None:
    record(cast, "ann", "phq9")
    record(cast, "ann", "audit")
    found = instrument_responses_for(viewer=cast.coordinator, person=cast.ann, channel=Channel.PAGE)
    assert {r.instrument_code for r in found} == {"phq9", "audit"}
    entry = AccessLogEntry.objects.filter(action="read").get()
    assert entry.parts == ["mental_health", "substance_use"]
    assert entry.outcome == Outcome.ALLOWED


def test_consent_to_share_substance_use_shows_audit_but_not_phq9(cast: Cast) -> None:
    record(cast, "ben", "phq9")
    record(cast, "ben", "audit")
    found = instrument_responses_for(viewer=cast.da_worker, person=cast.ben, channel=Channel.API)
    assert [r.instrument_code for r in found] == ["audit"]
    assert AccessLogEntry.objects.get(actor_username="da_worker").parts == ["substance_use"]


def test_no_relationship_is_refused_and_logged(cast: Cast) -> None:
    record(cast, "ann", "phq9")
    with pytest.raises(AccessRefused):
        instrument_responses_for(viewer=cast.da_worker, person=cast.ann, channel=Channel.PAGE)
    assert AccessLogEntry.objects.get(actor_username="da_worker").outcome == Outcome.REFUSED


def test_opening_one_result_checks_its_part_of_the_record(cast: Cast) -> None:
    phq9 = record(cast, "ben", "phq9")
    audit = record(cast, "ben", "audit")
    assert instrument_response_open(viewer=cast.da_worker, public_id=audit.public_id, channel=Channel.PAGE) == audit
    with pytest.raises(AccessRefused):
        instrument_response_open(viewer=cast.da_worker, public_id=phq9.public_id, channel=Channel.PAGE)
