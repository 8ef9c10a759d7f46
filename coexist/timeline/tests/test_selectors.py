"""The timeline's reads: every source gives its entry, newest first across sources, filters, privacy by part,
one access log entry, and a query count that does not grow with the history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.people.permissions import AccessRefused
from coexist.people.rules import RecordPart
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    AppointmentFactory,
    CarePlanVersionFactory,
    ConsentFactory,
    TaskFactory,
)
from coexist.timeline.entries import Kind
from coexist.timeline.selectors import Filters, timeline_access, timeline_read
from coexist.timeline.tests.history import at, build_history, on

pytestmark = pytest.mark.django_db


def _read(cast: Cast, viewer: object, person: object, filters: Filters | None = None, per_page: int = 50) -> object:
    access = timeline_access(viewer=viewer, person=person, channel=Channel.PAGE, detail="test")  # type: ignore[arg-type]
    return timeline_read(
        viewer=viewer,  # type: ignore[arg-type]
        access=access,
        filters=filters or Filters(),
        channel=Channel.PAGE,
        detail="test",
        per_page=per_page,
    )


def test_every_source_gives_its_entry_newest_first_across_sources(cast: Cast) -> None:
    history = build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    page = _read(cast, cast.coordinator, cast.ann)
    titles = [e.title for e in page.entries]
    missing = [t for t in history.expected if t not in titles]
    assert missing == []
    ours = [t for t in titles if t in history.expected]
    assert ours == sorted(history.expected, key=lambda t: history.expected[t], reverse=True)
    stamps = [e.at for e in page.entries]
    assert stamps == sorted(stamps, reverse=True)


def test_entries_carry_their_part_actor_and_link(cast: Cast) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    by_title = {e.title: e for e in _read(cast, cast.coordinator, cast.ann).entries}
    audit = by_title["AUDIT completed"]
    assert audit.part == RecordPart.SUBSTANCE_USE
    assert audit.detail == "Band: Hazardous drinking."  # the band, as the measures list shows; no score
    assert "/measures/results/" in audit.link
    assert by_title["PHQ-9 completed"].part == RecordPart.MENTAL_HEALTH
    plan = by_title["Care plan version 2 saved"]
    assert plan.part == RecordPart.CARE_PLAN and "Crisis plan" in plan.detail and plan.link.endswith("/versions/2/")
    assert by_title["Risk flag raised: overdose"].part == RecordPart.RISK
    assert by_title["Risk flag ended: overdose"].date_only
    outcome = next(e for e in by_title.values() if e.title.endswith("attended on time"))
    assert "Plan reviewed and changed: Added a crisis line number." in outcome.detail  # R4
    assert outcome.actor == cast.coordinator.display_name
    assert by_title["Carer's assessment offered to Mo Carer"].part == RecordPart.CARERS


def test_r11_reminder_shows_the_number_only_to_readers_of_contact_details(cast: Cast) -> None:
    """Ben's care team sees the number; with consent for episodes but not contact, the reminder shows without it."""
    build_history(person=cast.ben, service=cast.cmht, team=cast.north, by=cast.coordinator)
    mine = [e.title for e in _read(cast, cast.coordinator, cast.ben).entries if e.kind == Kind.MESSAGE]
    assert mine == [f"Text reminder sent to 07700 900123 for {on(18).day} Jan 09:00"]
    ConsentFactory(person=cast.ben, organisation=cast.housing, parts=["episodes"], recorded_by=cast.coordinator)
    theirs = [e.title for e in _read(cast, cast.housing_officer, cast.ben).entries if e.kind == Kind.MESSAGE]
    assert theirs == [f"Text reminder sent for {on(18).day} Jan 09:00"]


def test_group_attendance_needs_the_groups_part(cast: Cast) -> None:
    """Group attendance is its own part of the record: consent to share episodes does not open it."""
    build_history(person=cast.ben, service=cast.cmht, team=cast.north, by=cast.coordinator)
    ConsentFactory(person=cast.ben, organisation=cast.housing, parts=["episodes"], recorded_by=cast.coordinator)
    kinds = {e.kind for e in _read(cast, cast.housing_officer, cast.ben).entries}
    assert Kind.CASE_REVIEW in kinds and Kind.GROUP not in kinds
    group = next(e for e in _read(cast, cast.coordinator, cast.ben).entries if e.kind == Kind.GROUP)
    assert group.part == RecordPart.GROUPS and "/groups/sessions/" in group.link


def test_r6_follow_up_tasks_are_not_repeated_as_tasks(cast: Cast) -> None:
    """R6 follow-ups have their own entries; their tasks (and loss-of-contact notices) would repeat them."""
    TaskFactory(person=cast.ann, rule="R6", title="Follow up missed appointment", assigned_to=cast.coordinator)
    TaskFactory(person=cast.ann, rule="R2", title="Urgent housing need", assigned_to=cast.coordinator)
    titles = [e.title for e in _read(cast, cast.coordinator, cast.ann).entries]
    assert "R2 task: Urgent housing need" in titles
    assert not any("Follow up missed appointment" in t for t in titles)


def test_filter_by_kind(cast: Cast) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    page = _read(cast, cast.coordinator, cast.ann, Filters(kinds=(Kind.RISK_FLAG, Kind.CARE_PLAN)))
    assert {e.kind for e in page.entries} == {Kind.RISK_FLAG, Kind.CARE_PLAN}
    assert len(page.entries) == 5


def test_filter_by_dates_is_inclusive_of_both_days(cast: Cast) -> None:
    history = build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    page = _read(cast, cast.coordinator, cast.ann, Filters(start=on(13), end=on(15)))
    assert sorted(e.title for e in page.entries) == sorted(t for t, d in history.expected.items() if 13 <= d <= 15)


def test_paging_older_entries_without_repeats(cast: Cast) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    first = _read(cast, cast.coordinator, cast.ann, Filters(page=1), per_page=10)
    second = _read(cast, cast.coordinator, cast.ann, Filters(page=2), per_page=10)
    assert first.has_older and len(first.entries) == 10
    assert not {e.title for e in first.entries} & {e.title for e in second.entries}
    assert first.entries[-1].at >= second.entries[0].at


def test_consent_only_viewer_sees_only_consented_parts(cast: Cast) -> None:
    """Ben shares substance use and his care plan with Pathways: da_worker sees the AUDIT and plan versions,
    not the PHQ-9, risk flags, appointments or referrals."""
    build_history(person=cast.ben, service=cast.cmht, team=cast.north, by=cast.coordinator)
    page = _read(cast, cast.da_worker, cast.ben)
    kinds = {e.kind for e in page.entries}
    assert kinds == {Kind.MEASURE, Kind.CARE_PLAN, Kind.ASSESSMENT}
    titles = {e.title for e in page.entries}
    assert "AUDIT completed" in titles and "PHQ-9 completed" not in titles
    assert {e.part for e in page.entries} <= {RecordPart.SUBSTANCE_USE, RecordPart.CARE_PLAN}


def test_housing_partner_with_care_plan_consent_sees_plan_versions_not_substance_measures(cast: Cast) -> None:
    ConsentFactory(person=cast.ben, organisation=cast.housing, parts=["care_plan"], recorded_by=cast.coordinator)
    build_history(person=cast.ben, service=cast.cmht, team=cast.north, by=cast.coordinator)
    page = _read(cast, cast.housing_officer, cast.ben)
    assert {e.kind for e in page.entries} == {Kind.CARE_PLAN}
    assert set(page.access.kinds) == {Kind.CARE_PLAN}


def test_unrelated_viewer_is_refused_and_the_refusal_logged(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        timeline_access(viewer=cast.da_worker, person=cast.ann, channel=Channel.PAGE, detail="timeline page")
    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id)
    assert entry.outcome == Outcome.REFUSED and entry.actor_username == "da_worker"


def test_administrator_in_the_care_team_is_still_refused(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        timeline_access(viewer=cast.admin, person=cast.ann, channel=Channel.PAGE, detail="timeline page")


def test_one_access_log_entry_naming_the_parts_shown(cast: Cast) -> None:
    build_history(person=cast.ben, service=cast.cmht, team=cast.north, by=cast.coordinator)
    _read(cast, cast.da_worker, cast.ben)
    entry = AccessLogEntry.objects.get(person_public_id=cast.ben.public_id)
    assert entry.outcome == Outcome.ALLOWED
    assert set(entry.parts) == {RecordPart.IDENTITY, RecordPart.SUBSTANCE_USE, RecordPart.CARE_PLAN}


def test_query_count_does_not_grow_with_the_history(cast: Cast, django_assert_max_num_queries: object) -> None:
    build_history(person=cast.ann, service=cast.cmht, team=cast.north, by=cast.coordinator)
    for n in range(60):
        AppointmentFactory(person=cast.ann, service=cast.cmht, staff=cast.coordinator, created_at=at(40 + n))
        TaskFactory(person=cast.ann, rule="R2", assigned_to=cast.coordinator, created_at=at(40 + n))
    plan = CarePlanVersionFactory(plan__person=cast.ben, created_by=cast.coordinator).plan
    for n in range(2, 30):
        CarePlanVersionFactory(plan=plan, number=n, created_by=cast.coordinator)
    # The permission facts, the viewer's services, one per source (30) and the access log entry.
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        page = _read(cast, cast.coordinator, cast.ann)
    assert len(page.entries) == 50 and page.has_older
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        _read(cast, cast.coordinator, cast.ann, Filters(page=3))


def test_dates_are_uk_days(cast: Cast) -> None:
    """A measure at 23:30 UK time on a summer day belongs to that day, not the next (UTC) one."""
    from coexist.instruments.models import InstrumentResponse

    late = at(180, 23) + timedelta(minutes=30)
    InstrumentResponse.objects.create(
        person=cast.ann, instrument_code="audit", instrument_version="WHO 2001", answers={}, score={},
        completed_at=late, recorded_by=cast.coordinator,
    )  # fmt: skip
    page = _read(cast, cast.coordinator, cast.ann, Filters(start=on(180), end=on(180)))
    assert [e.title for e in page.entries] == ["AUDIT completed"]
