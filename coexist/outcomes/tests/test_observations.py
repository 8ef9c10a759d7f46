"""Each measure on hand-built data; the right answer is worked out by hand in each test's comment.

Periods are January 2025 (local days) unless a test says otherwise; `now` is passed explicitly so that
outcome windows (28 days, 12 weeks, 72 hours, 7 days) are closed or open as the test needs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from coexist.assessments.models import AssessmentStatus
from coexist.care.models import EpisodeStatus
from coexist.engagement.models import LossOfContact
from coexist.instruments.models import InstrumentResponse
from coexist.medicines.models import DoseGiven, HandoverStatus
from coexist.organisations.models import ServiceKind
from coexist.outcomes.definitions import MEASURES
from coexist.outcomes.observations import (
    declined_for_coexisting_condition,
    monthly,
    observations,
    opened_on_or_after_is_on_time,
    person_facts,
)
from coexist.outcomes.rules.measures import figure
from coexist.people.models import HousingStatus, Sex
from coexist.referrals.models import Route, Status
from coexist.testing.factories import (
    AppointmentFactory,
    CaseReviewFactory,
    EpisodeFactory,
    FollowUpFactory,
    JointAssessmentFactory,
    PersonFactory,
    ReferralFactory,
    ServiceFactory,
    TeamFactory,
    UnlinkedReferralFactory,
    UserFactory,
)
from coexist.testing.factories_transitions import handover, methadone
from coexist.transitions.models import Transition
from coexist.transitions.rules import NALOXONE, PRESCRIBING

pytestmark = pytest.mark.django_db

JAN = {"start": date(2025, 1, 1), "end": date(2025, 1, 31)}
LATER = timezone.make_aware(datetime(2025, 9, 1, 12))  # every window for January has closed


def at(day: int, month: int = 1, year: int = 2025, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def result(key: str, **kwargs: object) -> tuple[int, int, float | None]:
    kwargs = {**JAN, "now": LATER, **kwargs}
    units = observations(key, **kwargs)  # type: ignore[arg-type]
    f = figure(MEASURES[key], units)
    return f.numerator, f.denominator, None if f.value is None else round(f.value, 1)


def seen(person: object, service: object, when: datetime, status: str = "attended_on_time") -> object:
    return AppointmentFactory(person=person, service=service, starts_at=when, status=status)


# --- Referrals ---------------------------------------------------------------------------------------


def test_referrals_by_route_counts_referrals_received_in_the_period_with_route_and_person_facts() -> None:
    # 2 self-referrals and 1 GP referral in January, 1 staff referral on 1 February: count 3.
    service = ServiceFactory()
    someone = PersonFactory(sex=Sex.FEMALE, housing_status=HousingStatus.NO_FIXED_ABODE)
    ReferralFactory(person=someone, to_service=service, route=Route.SELF, received_at=at(1))
    UnlinkedReferralFactory(to_service=service, received_at=at(31, hour=23))  # self, nobody linked yet
    ReferralFactory(to_service=service, route=Route.GP, received_at=at(15))
    ReferralFactory(to_service=service, route=Route.STAFF, received_at=at(1, month=2, hour=0))
    units = observations("referrals_by_route", **JAN)
    assert figure(MEASURES["referrals_by_route"], units).value == 3
    assert sorted(u.facts.referral_route for u in units) == [Route.GP, Route.SELF, Route.SELF]
    mine = next(u for u in units if u.person_key == str(someone.public_id))
    assert mine.facts.sex == Sex.FEMALE
    assert mine.facts.housing_status == HousingStatus.NO_FIXED_ABODE
    assert mine.facts.service == str(service.public_id)
    unlinked = next(u for u in units if u.person_key == "")
    assert unlinked.facts.sex == Sex.NOT_KNOWN  # no person yet: every cut says "not known"


def test_uptake_counts_first_attendance_up_to_day_28_but_not_day_29() -> None:
    # Accepted 10 January at noon. A seen day 3, B seen at exactly 28 days, C seen at 29 days,
    # D "did not attend" on day 5, E seen on day 2 by ANOTHER service. Uptake = 2 of 5 = 40.0%.
    # F accepted on 20 January is left out when "now" is 15 February: its 28 days have not passed.
    service, other = ServiceFactory(), ServiceFactory()
    accepted = at(10)
    referrals = [ReferralFactory(to_service=service, status=Status.ACCEPTED, decided_at=accepted) for _ in range(5)]
    a, b, c, d, e = (r.person for r in referrals)
    seen(a, service, accepted + timedelta(days=3))
    seen(b, service, accepted + timedelta(days=28))
    seen(c, service, accepted + timedelta(days=29))
    seen(d, service, accepted + timedelta(days=5), status="did_not_attend")
    seen(e, other, accepted + timedelta(days=2))
    assert result("uptake") == (2, 5, 40.0)
    f = ReferralFactory(to_service=service, status=Status.ACCEPTED, decided_at=at(20))
    seen(f.person, service, at(21))
    assert result("uptake", now=at(15, month=2)) == (2, 5, 40.0)
    assert result("uptake") == (3, 6, 50.0)


def test_days_to_assessment_is_the_median_days_from_referral_received_to_joint_assessment_completed() -> None:
    # Received 1 Jan → assessed 11 Jan: 10 days; 5 Jan → 8 Jan: 3; 2 Jan → 30 Jan: 28. Median 10.
    # An assessment completed in February, and one completed BEFORE its referral, are not counted.
    user = UserFactory()
    for received, completed in ((at(1), at(11)), (at(5), at(8)), (at(2), at(30)), (at(3), at(2, month=2))):
        r = ReferralFactory(status=Status.ACCEPTED, received_at=received)
        JointAssessmentFactory(
            person=r.person, started_by=user, status=AssessmentStatus.COMPLETED, completed_at=completed
        )
    early = ReferralFactory(status=Status.ACCEPTED, received_at=at(20))
    JointAssessmentFactory(person=early.person, status=AssessmentStatus.COMPLETED, completed_at=at(19))
    units = observations("days_to_assessment", **JAN)
    assert sorted(u.value for u in units) == [3, 10, 28]
    assert figure(MEASURES["days_to_assessment"], units).value == 10


# --- Episodes ----------------------------------------------------------------------------------------


def test_engagement_and_retention_at_12_weeks() -> None:
    # Four episodes opened 1 January at noon (12 weeks = 84 days):
    #   E1 seen day 10                      → engaged, not retained (not seen in weeks 9 to 12)
    #   E2 seen day 60, still open          → engaged and retained
    #   E3 seen only at exactly day 84      → neither (12 weeks are days 0 to 83)
    #   E4 seen day 60, finished day 70     → engaged, not retained (left before 12 weeks)
    # Engagement 3 of 4 = 75.0%; retention 1 of 4 = 25.0%.
    team = TeamFactory()
    opened = at(1)
    episodes = [EpisodeFactory(team=team, opened_at=opened) for _ in range(4)]
    for episode, day in zip(episodes, (10, 60, 84, 60), strict=True):
        seen(episode.person, team.service, opened + timedelta(days=day))
    episodes[3].status, episodes[3].finished_at = EpisodeStatus.FINISHED, opened + timedelta(days=70)
    episodes[3].save()
    assert result("engagement_12_weeks") == (3, 4, 75.0)
    assert result("retention_12_weeks") == (1, 4, 25.0)
    # On 1 March the 12 weeks have not passed: nothing to say yet.
    assert result("engagement_12_weeks", now=at(1, month=3)) == (0, 0, None)


def test_unplanned_endings_are_the_share_of_finished_episodes_where_the_person_chose_to_leave() -> None:
    # Finished in January: 1 chose to leave, 2 goals met, 1 transferred → 1 of 4 = 25.0%.
    # One who chose to leave in February is outside the period.
    for reason, when in (
        ("person_chose_to_leave", at(5)),
        ("goals_met", at(6)),
        ("goals_met", at(7)),
        ("transferred", at(8)),
        ("person_chose_to_leave", at(3, month=2)),
    ):
        EpisodeFactory(status=EpisodeStatus.FINISHED, finished_at=when, finish_reason=reason, opened_at=at(1, 6, 2024))
    assert result("unplanned_endings") == (1, 4, 25.0)


def test_loss_of_contact_is_the_share_of_open_episodes_with_a_current_loss_of_contact_at_the_period_end() -> None:
    # Open on 31 January: P1 (lost since 10 Jan, unresolved), P2 (lost 5 Jan, resolved 20 Jan),
    # P3 (lost from 2 Feb), P4 (never lost). P5's episode finished on 15 Jan: not counted.
    # 1 of 4 = 25.0%.
    user = UserFactory()
    eps = [EpisodeFactory(opened_at=at(1, 6, 2024)) for _ in range(5)]
    LossOfContact.objects.create(person=eps[0].person, since=at(10), reason="two missed", marked_by=user)
    LossOfContact.objects.create(
        person=eps[1].person, since=at(5), reason="missed", marked_by=user,
        resolved_at=at(20), resolved_by=user, resolved_how="seen",
    )  # fmt: skip
    LossOfContact.objects.create(person=eps[2].person, since=at(2, month=2), reason="missed", marked_by=user)
    LossOfContact.objects.create(person=eps[4].person, since=at(10), reason="missed", marked_by=user)
    eps[4].status, eps[4].finished_at = EpisodeStatus.FINISHED, at(15)
    eps[4].save()
    units = observations("loss_of_contact", **JAN, now=LATER)
    assert {u.at for u in units} == {date(2025, 1, 31)}
    assert result("loss_of_contact") == (1, 4, 25.0)


# --- QS188 -------------------------------------------------------------------------------------------


def _response(person: object, code: str, when: datetime, score: dict[str, float] | None = None) -> None:
    InstrumentResponse.objects.create(
        person=person, instrument_code=code, instrument_version="1", answers={}, score=score or {},
        completed_at=when, recorded_by=UserFactory(),
    )  # fmt: skip


def test_qs188_statement_1_share_of_open_secondary_care_episodes_whose_person_was_asked() -> None:
    # Community mental health episodes open on 31 Jan: P1 AUDIT on 5 Jan (asked), P2 joint assessment
    # completed 20 Jan (asked), P3 AUDIT on 3 Feb (not yet asked on 31 Jan), P4 PHQ-9 only (not a substance
    # screen). A drug and alcohol episode without a screen is not secondary mental health care.
    # 2 of 4 = 50.0%.
    cmht = TeamFactory(service__kind=ServiceKind.COMMUNITY_MENTAL_HEALTH)
    eps = [EpisodeFactory(team=cmht, opened_at=at(1, 6, 2024)) for _ in range(4)]
    _response(eps[0].person, "audit", at(5))
    JointAssessmentFactory(person=eps[1].person, status=AssessmentStatus.COMPLETED, completed_at=at(20))
    _response(eps[2].person, "audit", at(3, month=2))
    _response(eps[3].person, "phq9", at(5))
    EpisodeFactory(team__service__kind=ServiceKind.DRUG_ALCOHOL, opened_at=at(1, 6, 2024))
    assert result("qs188_1") == (2, 4, 50.0)


def test_qs188_statement_2_declines_for_the_coexisting_condition() -> None:
    # Decided in January: mental health team declined for substance use (counts), drug and alcohol service
    # declined for mental illness (counts), mental health team declined as outside the area (does not),
    # one accepted (does not). A cancelled referral was never decided. 2 of 4 = 50.0%.
    cmht = ServiceFactory(kind=ServiceKind.COMMUNITY_MENTAL_HEALTH)
    da = ServiceFactory(kind=ServiceKind.DRUG_ALCOHOL)
    ReferralFactory(
        to_service=cmht, status=Status.DECLINED, decline_reason="substance_use", onward_referral="GP", decided_at=at(3)
    )
    ReferralFactory(
        to_service=da, status=Status.DECLINED, decline_reason="mental_illness", onward_referral="GP", decided_at=at(4)
    )
    ReferralFactory(
        to_service=cmht, status=Status.DECLINED, decline_reason="outside_area", onward_referral="GP", decided_at=at(5)
    )
    ReferralFactory(to_service=cmht, status=Status.ACCEPTED, decided_at=at(6))
    ReferralFactory(to_service=cmht, status=Status.CANCELLED, decided_at=at(7))
    assert result("qs188_2") == (2, 4, 50.0)


def test_qs188_statement_2_rule_names_only_reasons_r1_forbids() -> None:
    rule = declined_for_coexisting_condition
    assert rule(service_kind=ServiceKind.INPATIENT_WARD, status=Status.DECLINED, decline_reason="substance_use")
    assert not rule(service_kind=ServiceKind.DRUG_ALCOHOL, status=Status.DECLINED, decline_reason="substance_use")
    assert rule(service_kind=ServiceKind.HOUSING_SUPPORT, status=Status.DECLINED, decline_reason="mental_illness")
    assert not rule(service_kind=ServiceKind.COMMUNITY_MENTAL_HEALTH, status=Status.ACCEPTED, decline_reason="")


def test_qs188_statement_3_share_of_open_secondary_care_episodes_with_a_named_coordinator() -> None:
    # Open on 31 Jan in a ward: one coordinated since 1 Jan (counts), one named only from 10 Feb (not yet on
    # 31 Jan), one with nobody named. 1 of 3 = 33.3%.
    ward = TeamFactory(service__kind=ServiceKind.INPATIENT_WARD)
    coordinator = UserFactory()
    EpisodeFactory(team=ward, opened_at=at(1, 6, 2024), coordinator=coordinator, coordinator_since=date(2025, 1, 1))
    EpisodeFactory(team=ward, opened_at=at(1, 6, 2024), coordinator=coordinator, coordinator_since=date(2025, 2, 10))
    EpisodeFactory(team=ward, opened_at=at(1, 6, 2024))
    assert result("qs188_3") == (1, 3, 33.3)


def test_qs188_statement_4_follow_ups_done_by_their_deadline() -> None:
    # Follow-ups created in January (risk "none": no grace): done before due (on time), done an hour late
    # (not), still open and past due (not, but counted), still open and not yet due on "now" (left out).
    # 1 of 3 = 33.3%.
    now = at(20, hour=9)
    FollowUpFactory(created_at=at(2), due_at=at(5), completed_at=at(4))
    FollowUpFactory(created_at=at(3), due_at=at(6), completed_at=at(6, hour=13))
    FollowUpFactory(created_at=at(4), due_at=at(7))
    FollowUpFactory(created_at=at(19), due_at=at(22))
    assert result("qs188_4", now=now) == (1, 3, 33.3)


def test_case_reviews_on_time_r7_at_the_period_end() -> None:
    # Period ends 30 June 2025. Drug and alcohol episodes, open:
    #   opened 1 Mar 2024, no review           → due 1 Mar 2025, overdue
    #   opened 1 Mar 2024, held 1 Feb 2025 with next review 1 Feb 2026 → on time
    #   opened 15 Jul 2024, no review          → due 15 Jul 2025, on time
    #   opened 30 Jun 2024, no review          → due 30 Jun 2025: due on the day, not overdue
    #   opened 29 Jun 2024, no review          → due 29 Jun 2025, overdue
    # 3 of 5 = 60.0%.
    team = TeamFactory(service__kind=ServiceKind.DRUG_ALCOHOL)
    EpisodeFactory(team=team, opened_at=at(1, 3, 2024))
    held = EpisodeFactory(team=team, opened_at=at(1, 3, 2024))
    CaseReviewFactory(
        episode=held, status="held", scheduled_for=at(1, 2), held_on=date(2025, 2, 1),
        next_review_on=date(2026, 2, 1),
    )  # fmt: skip
    EpisodeFactory(team=team, opened_at=at(15, 7, 2024))
    EpisodeFactory(team=team, opened_at=at(30, 6, 2024))
    EpisodeFactory(team=team, opened_at=at(29, 6, 2024))
    assert result("case_reviews_on_time", start=date(2025, 6, 1), end=date(2025, 6, 30)) == (3, 5, 60.0)


# --- Ward discharges ---------------------------------------------------------------------------------


def _discharge(
    when: datetime, *, ost: bool = False, accepted: bool = False, opioids: bool = False, offered: bool = False
) -> Transition:
    ward = TeamFactory(service__kind=ServiceKind.INPATIENT_WARD)
    episode = EpisodeFactory(team=ward, opened_at=when - timedelta(days=20))
    return Transition.objects.create(
        person=episode.person, episode=episode, kind="discharge", status="completed", started_by=episode.opened_by,
        completed_at=when, discharge_reason="goals_met",
        checklist_at_completion=[
            {"key": PRESCRIBING, "applies": ost, "met": accepted},
            {"key": NALOXONE, "applies": opioids, "met": offered},
        ],
    )  # fmt: skip


def test_discharge_ost_continuity_counts_accepted_handovers_of_people_on_opiate_substitution() -> None:
    # D1 on OST, handover accepted; D2 on OST, not accepted; D3 not on OST (not counted). 1 of 2 = 50.0%.
    _discharge(at(5), ost=True, accepted=True)
    _discharge(at(6), ost=True)
    _discharge(at(7))
    assert result("discharge_ost_continuity") == (1, 2, 50.0)


def test_discharge_naloxone_offered_to_people_who_use_opioids_or_are_on_opiate_substitution() -> None:
    # D1 uses opioids, offered; D2 on OST (so counts as an opioid user), not offered; D3 uses opioids,
    # offered; D4 neither (not counted). 2 of 3 = 66.7%.
    _discharge(at(5), opioids=True, offered=True)
    _discharge(at(6), ost=True)
    _discharge(at(7), opioids=True, offered=True)
    _discharge(at(8))
    assert result("discharge_naloxone") == (2, 3, 66.7)


def test_discharge_follow_up_72h_seen_by_a_community_service_up_to_72_hours() -> None:
    # D1 seen by a community mental health team at exactly 72 hours (counts); D2 seen at 73 hours (not);
    # D3 did not attend on day 1 (not). D4, discharged 31 Jan at 20:00, is left out when "now" is 2 Feb:
    # its 72 hours have not passed. 1 of 3 = 33.3%.
    cmht = ServiceFactory(kind=ServiceKind.COMMUNITY_MENTAL_HEALTH)
    for when, after, status in (
        (at(5), 72, "attended_on_time"),
        (at(6), 73, "arrived_late_seen"),
        (at(7), 24, "did_not_attend"),
    ):
        d = _discharge(when)
        seen(d.person, cmht, when + timedelta(hours=after), status=status)
    _discharge(at(31, hour=20))
    assert result("discharge_follow_up_72h", now=at(2, month=2)) == (1, 3, 33.3)
    assert result("discharge_follow_up_72h") == (1, 4, 25.0)


def test_reengagement_7_days_seen_by_a_drug_and_alcohol_service_within_7_days_of_discharge() -> None:
    # D1 seen by drug and alcohol service at exactly 7 days (counts); D2 seen only by a community mental
    # health team on day 1 (not); D3 seen by drug and alcohol on day 8 (not). 1 of 3 = 33.3%.
    da = ServiceFactory(kind=ServiceKind.DRUG_ALCOHOL)
    cmht = ServiceFactory(kind=ServiceKind.COMMUNITY_MENTAL_HEALTH)
    for when, service, days in ((at(5), da, 7), (at(6), cmht, 1), (at(7), da, 8)):
        d = _discharge(when)
        seen(d.person, service, when + timedelta(days=days))
    assert result("reengagement_7_days") == (1, 3, 33.3)


def test_days_to_first_community_dose_median_from_dose_given_or_accepted_handover() -> None:
    # D1 on OST, a dose given 2 days after discharge → 2; D2 on OST, no dose, handover accepted before
    # discharge with first community dose the day after → 1; D3 on OST with nothing known (left out);
    # D4 not on OST (left out). Median of [1, 2] = 1.5.
    user = UserFactory()
    da = ServiceFactory(kind=ServiceKind.DRUG_ALCOHOL)
    d1 = _discharge(at(5), ost=True, accepted=True)
    course = methadone(d1.person, service=da, by=user)
    DoseGiven.objects.create(treatment=course, given_at=at(7), dose_mg=60, where="pharmacy", recorded_by=user)
    DoseGiven.objects.create(treatment=course, given_at=at(4), dose_mg=60, where="ward", recorded_by=user)
    d2 = _discharge(at(10), ost=True, accepted=True)
    h = handover(
        methadone(d2.person, service=da, by=user), to_service=da, by=user, status=HandoverStatus.ACCEPTED,
        answered_by=user, first_community_dose_on=date(2025, 1, 11), requested_at=at(8),
    )  # fmt: skip
    h.answered_at = at(9)
    h.save()
    _discharge(at(12), ost=True)
    d4 = _discharge(at(13))
    DoseGiven.objects.create(
        treatment=methadone(d4.person, service=da, by=user), given_at=at(14), dose_mg=60, where="x", recorded_by=user
    )
    units = observations("days_to_first_community_dose", **JAN)
    assert sorted(u.value for u in units) == [1, 2]
    assert figure(MEASURES["days_to_first_community_dose"], units).value == 1.5


# --- Change in scores --------------------------------------------------------------------------------


def test_top_change_is_the_mean_of_latest_minus_first_quality_of_life() -> None:
    # P1: 8 (Nov 2024) → 12 (Jan): +4. P2: 10 (Oct), 9 (Dec), 16 (Jan): +6. P3: one measurement only.
    # P4: two measurements, the latest in December (outside January). Mean of [4, 6] = 5.0.
    p1, p2, p3, p4 = (PersonFactory() for _ in range(4))
    _response(p1, "top", at(10, 11, 2024), {"quality_of_life": 8})
    _response(p1, "top", at(10), {"quality_of_life": 12})
    _response(p2, "top", at(10, 10, 2024), {"quality_of_life": 10})
    _response(p2, "top", at(10, 12, 2024), {"quality_of_life": 9})
    _response(p2, "top", at(20), {"quality_of_life": 16})
    _response(p3, "top", at(20), {"quality_of_life": 3})
    _response(p4, "top", at(1, 11, 2024), {"quality_of_life": 3})
    _response(p4, "top", at(1, 12, 2024), {"quality_of_life": 13})
    _response(p1, "dialog", at(2), {"quality_of_life": 7})  # another instrument: not mixed in
    assert result("top_change") == (0, 2, 5.0)


def test_dialog_change_is_the_mean_of_latest_minus_first_quality_of_life_in_the_episode_service() -> None:
    # P1: 3.0 → 4.5 = +1.5; P2: 5.0 → 4.0 = -1.0. Mean 0.25. P1 has an episode in the team's service open
    # at the latest measurement; limited to that service, only P1 counts: +1.5.
    team = TeamFactory()
    p1, p2 = PersonFactory(), PersonFactory()
    EpisodeFactory(person=p1, team=team, opened_at=at(1, 6, 2024))
    _response(p1, "dialog", at(1, 12, 2024), {"quality_of_life": 3.0})
    _response(p1, "dialog", at(15), {"quality_of_life": 4.5})
    _response(p2, "dialog", at(1, 12, 2024), {"quality_of_life": 5.0})
    _response(p2, "dialog", at(16), {"quality_of_life": 4.0})
    units = observations("dialog_change", **JAN)
    assert figure(MEASURES["dialog_change"], units).value == pytest.approx(0.25)
    only = observations("dialog_change", **JAN, services=[team.service])
    assert [u.value for u in only] == [1.5]
    assert only[0].facts.team == str(team.public_id)


# --- Interface: services, facts, queries, series -------------------------------------------------------


def test_services_limit_the_units_to_those_the_services_hold() -> None:
    # 2 referrals to North, 1 to South in January: North alone counts 2.
    north, south = ServiceFactory(), ServiceFactory()
    ReferralFactory(to_service=north, received_at=at(3))
    ReferralFactory(to_service=north, received_at=at(4))
    ReferralFactory(to_service=south, received_at=at(5))
    assert len(observations("referrals_by_route", **JAN, services=[north])) == 2
    assert len(observations("referrals_by_route", **JAN, services=[])) == 0


def test_person_facts_reads_every_r14_fact_in_one_query(django_assert_num_queries: object) -> None:
    person = PersonFactory(
        sex=Sex.MALE, date_of_birth=date(1990, 2, 3), ethnic_category="M",
        housing_status=HousingStatus.TEMPORARY, released_from_prison_on=date(2024, 12, 1),
        has_caring_responsibilities=True,
    )  # fmt: skip
    other = PersonFactory()
    with django_assert_num_queries(1):  # type: ignore[operator]
        facts = person_facts([person.pk, other.pk])
    f = facts[person.pk]
    assert (f.sex, f.date_of_birth, f.ethnic_category, f.housing_status) == (
        Sex.MALE, date(1990, 2, 3), "M", HousingStatus.TEMPORARY,
    )  # fmt: skip
    assert f.released_from_prison_on == date(2024, 12, 1)
    assert f.has_caring_responsibilities is True
    assert facts[other.pk].has_caring_responsibilities is None


@pytest.mark.parametrize(
    ("key", "queries"),
    [("referrals_by_route", 2), ("uptake", 2), ("engagement_12_weeks", 2), ("discharge_follow_up_72h", 3)],
)
def test_a_fixed_number_of_queries_however_many_units(
    key: str, queries: int, django_assert_num_queries: object
) -> None:
    # One query for the units, one for all their people's facts (plus seen appointments for discharges).
    service = ServiceFactory(kind=ServiceKind.COMMUNITY_MENTAL_HEALTH)
    team = TeamFactory(service=service)
    for day in range(1, 8):
        r = ReferralFactory(to_service=service, status=Status.ACCEPTED, received_at=at(day), decided_at=at(day))
        EpisodeFactory(person=r.person, team=team, referral=r, opened_at=at(day))
        seen(r.person, service, at(day) + timedelta(days=2))
        _discharge(at(day))
    with django_assert_num_queries(queries):  # type: ignore[operator]
        units = observations(key, **JAN, now=LATER)
    assert len(units) == 7


NOV_TO_JAN = [
    (date(2024, 11, 1), date(2024, 11, 30)),
    (date(2024, 12, 1), date(2024, 12, 31)),
    (JAN["start"], JAN["end"]),
]


def test_monthly_splits_events_by_month_and_gives_the_whole_span() -> None:
    # Referrals: 2 in November 2024, none in December, 1 in January 2025 → 2, 0, 1; 3 in all.
    service = ServiceFactory()
    for when in (at(3, 11, 2024), at(30, 11, 2024), at(31, 1, 2025)):
        ReferralFactory(to_service=service, received_at=when)
    by_month, everything = monthly("referrals_by_route", months=NOV_TO_JAN)
    measure = MEASURES["referrals_by_route"]
    assert [figure(measure, m).value for m in by_month] == [2.0, 0.0, 1.0]
    assert figure(measure, everything).value == 3.0


def test_monthly_reads_snapshot_measures_at_each_month_end() -> None:
    # One open episode from 1 Dec; loss of contact from 10 Jan. December: 0 of 1; January: 1 of 1; all the
    # months together: the record at the end of January, 1 of 1.
    episode = EpisodeFactory(opened_at=at(1, 12, 2024))
    LossOfContact.objects.create(person=episode.person, since=at(10), reason="missed", marked_by=UserFactory())
    by_month, everything = monthly("loss_of_contact", months=NOV_TO_JAN[1:], now=LATER)
    measure = MEASURES["loss_of_contact"]
    assert [(figure(measure, m).numerator, figure(measure, m).denominator) for m in by_month] == [(0, 1), (1, 1)]
    assert (figure(measure, everything).numerator, figure(measure, everything).denominator) == (1, 1)


def test_monthly_score_change_takes_the_latest_measurement_in_each_month() -> None:
    # TOP: 8 on 10 Nov, 12 on 10 Dec, 15 on 10 Jan. November: one measurement, nothing; December: 12 - 8 = +4;
    # January: 15 - 8 = +7. All three months as one period: the latest, +7, once.
    person = PersonFactory()
    for when, score in ((at(10, 11, 2024), 8), (at(10, 12, 2024), 12), (at(10), 15)):
        _response(person, "top", when, {"quality_of_life": score})
    by_month, everything = monthly("top_change", months=NOV_TO_JAN)
    assert [[o.value for o in m] for m in by_month] == [[], [4.0], [7.0]]
    assert [o.value for o in everything] == [7.0]


def test_r7_the_day_that_divides_on_time_from_overdue_when_no_review_was_held() -> None:
    # Twelve months after 29 Feb 2024 is 28 Feb 2025, so on 1 Mar 2025 only episodes opened from 1 Mar 2024 are
    # on time; on 28 Feb 2025 those opened from 28 Feb 2024 (29 Feb 2024 included).
    assert opened_on_or_after_is_on_time(date(2025, 3, 1)) == date(2024, 3, 1)
    assert opened_on_or_after_is_on_time(date(2025, 2, 28)) == date(2024, 2, 28)
    assert opened_on_or_after_is_on_time(date(2025, 6, 30)) == date(2024, 6, 30)
