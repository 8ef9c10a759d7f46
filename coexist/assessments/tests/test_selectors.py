"""Reads: each part of an assessment is shown only to a viewer who may read it, and the read is logged."""

from __future__ import annotations

import pytest

from coexist.assessments.models import JointAssessment
from coexist.assessments.rules import Need
from coexist.assessments.selectors import assessment_open, risk_flags_open
from coexist.assessments.services import DomainChange, assessment_save, substance_add
from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast
from coexist.testing.factories import ConsentFactory, RiskFlagFactory

from .helpers import start


def _ben_assessment(cast: Cast) -> JointAssessment:
    assessment = start(cast.ben, cast.coordinator)
    assessment_save(
        assessment=assessment,
        by=cast.coordinator,
        channel=Channel.PAGE,
        domains={
            "mental_health": DomainChange(notes="Paranoid ideation about neighbours", need=Need.ROUTINE),
            "substance_use": DomainChange(notes="Drinking since 8am", need=Need.ROUTINE),
        },
        diagnosis="Paranoid schizophrenia",
    )
    substance_add(
        assessment=assessment, by=cast.coordinator, channel=Channel.PAGE, substance="alcohol", route="oral",
        frequency="daily", injecting=False,
    )  # fmt: skip
    RiskFlagFactory(person=cast.ben, raised_by=cast.coordinator)
    return assessment


def test_a_substance_use_reader_does_not_see_mental_health_notes(cast: Cast) -> None:
    """Ben agreed to share substance use and his care plan with Pathways, not mental health or risk."""
    assessment = _ben_assessment(cast)
    opened = assessment_open(viewer=cast.da_worker, public_id=assessment.public_id, channel=Channel.PAGE, detail="t")
    assert {f.domain for f in opened.findings} == {"substance_use"}
    assert [s.substance for s in opened.substances] == ["alcohol"]
    assert opened.diagnosis is None and opened.flags == [] and not opened.can_edit
    assert opened.withheld == ["Mental health assessments", "Risk flags"]
    entry = AccessLogEntry.objects.get(actor_username="da_worker", detail="t")
    assert set(entry.parts) == {"identity", "substance_use"}


def test_the_care_team_sees_every_part(cast: Cast) -> None:
    assessment = _ben_assessment(cast)
    opened = assessment_open(viewer=cast.coordinator, public_id=assessment.public_id, channel=Channel.PAGE, detail="t")
    assert len(opened.findings) == 11 and opened.diagnosis == "Paranoid schizophrenia"
    assert len(opened.flags) == 1 and opened.can_edit and opened.withheld == []


def test_no_relationship_is_refused_and_logged(cast: Cast) -> None:
    assessment = start(cast.ann, cast.coordinator)
    with pytest.raises(AccessRefused):
        assessment_open(viewer=cast.da_worker, public_id=assessment.public_id, channel=Channel.PAGE, detail="t")
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused", detail="t").exists()


def test_r13_consent_reader_reads_flags_only_if_risk_was_shared(cast: Cast) -> None:
    RiskFlagFactory(person=cast.eve, raised_by=cast.coordinator_south)
    # Eve shares contact only with Riverside Housing: her flags are refused.
    with pytest.raises(AccessRefused):
        risk_flags_open(viewer=cast.housing_officer, person_id=cast.eve.public_id, channel=Channel.PAGE, detail="t")
    ConsentFactory(person=cast.eve, organisation=cast.housing, parts=["risk"], recorded_by=cast.coordinator_south)
    found = risk_flags_open(viewer=cast.housing_officer, person_id=cast.eve.public_id, channel=Channel.PAGE, detail="t")
    assert len(found.current) == 1 and not found.record.can_write("risk")
