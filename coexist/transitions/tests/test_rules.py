"""R8/R9 checklist rules and the discharge figures, as pure functions with hand-worked numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from coexist.transitions.rules import (
    AppointmentFact,
    ChecklistFacts,
    DischargeFact,
    HandoverFact,
    PractitionerFact,
    checklist,
    completion_refusal,
    discharge_figures,
    housing_refusal,
    period_refusal,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ERIN = PractitionerFact(key="7", name="Erin Walsh", organisation="Pathways Drug and Alcohol Service")
ALEX = PractitionerFact(key="3", name="Alex Morgan", organisation="Northfield Partnership NHS Foundation Trust")


def _facts(**changes: object) -> ChecklistFacts:
    base: dict[str, object] = {
        "kind": "discharge", "person_name": "Ann Abbott", "from_ward": False, "now": NOW, "meeting_at": NOW,
        "care_team": (ALEX, ERIN), "invited": frozenset({"3", "7"}), "housing_support": "in_place",
        "housing_status": "settled", "housing_status_label": "Settled accommodation", "has_plan": True,
        "coping_strategies": True, "crisis_plan": True, "contingencies_present": 4,
        "service_with_phone": "North community team",
    }  # fmt: skip
    base.update(changes)
    return ChecklistFacts(**base)  # type: ignore[arg-type]


def _item(facts: ChecklistFacts, key: str):  # type: ignore[no-untyped-def]
    return next(i for i in checklist(facts) if i.key == key)


def test_r8_invite_names_each_practitioner_missing_and_the_meeting_time() -> None:
    item = _item(_facts(invited=frozenset({"3"}), meeting_at=None), "invite")
    assert not item.met and item.applies
    assert "Invite Erin Walsh (Pathways Drug and Alcohol Service): they are in the care team." in item.explanation
    assert "Set the date and time of the meeting." in item.explanation
    met = _item(_facts(), "invite")
    assert met.met and "Erin Walsh" in met.explanation and "02 March 2026" in met.explanation


def test_r8_transfer_needs_the_receiving_team_invited() -> None:
    item = _item(_facts(kind="transfer", receiving_team="South community team"), "invite")
    assert not item.met and "South community team" in item.explanation
    assert _item(_facts(kind="transfer", receiving_team="South", receiving_team_invited=True), "invite").met


def test_r8_housing_not_needed_is_refused_for_someone_homeless() -> None:
    homeless = _facts(housing_support="not_needed", housing_status="rough_sleeping",
                      housing_status_label="Rough sleeping", homeless=True)  # fmt: skip
    item = _item(homeless, "housing")
    assert not item.met and "cannot be the answer" in item.explanation and "rough sleeping" in item.explanation
    assert _item(_facts(housing_support="not_needed"), "housing").met
    assert not _item(_facts(housing_support="not_arranged"), "housing").met
    assert housing_refusal(support="not_needed", housing_status="temporary", housing_status_label="Temporary",
                           homeless=True)  # fmt: skip
    assert (
        housing_refusal(support="in_place", housing_status="temporary", housing_status_label="T", homeless=True) is None
    )


def test_r8_care_plan_items_name_what_is_missing() -> None:
    facts = _facts(coping_strategies=False, contingencies_present=0, crisis_plan=False,
                   contingencies_missing=("if there is a risk of overdose",), service_with_phone="")  # fmt: skip
    assert not _item(facts, "risk_safety").met
    crisis = _item(facts, "crisis_contingency")
    assert not crisis.met and "a crisis plan" in crisis.explanation and "overdose" in crisis.explanation
    assert not _item(facts, "recontact").met
    assert _item(_facts(service_with_phone="", summary_gives_number=True), "recontact").met
    no_plan = _item(_facts(has_plan=False), "crisis_contingency")
    assert not no_plan.met and "no care plan" in no_plan.explanation


def test_r9_referral_applies_only_when_substances_are_used() -> None:
    assert not _item(_facts(), "drug_alcohol_referral").applies
    needed = _item(_facts(substances=("Alcohol",)), "drug_alcohol_referral")
    assert needed.applies and not needed.met and "Refer them" in needed.explanation
    made = _item(_facts(substances=("Alcohol",), da_referral="referred to Pathways on 1 March 2026 (received)"),
                 "drug_alcohol_referral")  # fmt: skip
    assert made.met and "Pathways" in made.explanation


def test_r9_prescribing_handover_shows_the_four_facts() -> None:
    assert not _item(_facts(), "prescribing_handover").applies
    handover = HandoverFact(status="requested", drug="Methadone oral solution", daily_dose_mg="60",
                            last_dose_given_at=NOW, first_community_dose_on=date(2026, 3, 3),
                            to_service="Community drug and alcohol service")  # fmt: skip
    waiting = _item(_facts(on_opiate_substitution=True, handover=handover), "prescribing_handover")
    assert waiting.applies and not waiting.met and "not yet accepted" in waiting.explanation
    accepted = _item(
        _facts(on_opiate_substitution=True, handover=HandoverFact(**{**handover.__dict__, "status": "accepted",
                                                                      "answered_by": "Rosa Ibarra"})),
        "prescribing_handover",
    )  # fmt: skip
    assert accepted.met
    for fact in ("Methadone oral solution", "60 mg a day", "last dose given 02 March 2026 at 10:00",
                 "first community dose 03 March 2026", "Rosa Ibarra"):  # fmt: skip
        assert fact in accepted.explanation
    none = _item(_facts(on_opiate_substitution=True, opiate_substitution="methadone"), "prescribing_handover")
    assert not none.met and "Send the handover" in none.explanation


def test_r9_naloxone_for_opioid_users() -> None:
    assert not _item(_facts(), "naloxone").applies
    assert not _item(_facts(uses_opioids=True), "naloxone").met
    assert _item(_facts(uses_opioids=True, naloxone_offer="Offered and declined on 1 March 2026."), "naloxone").met


def test_r9_follow_up_within_72_hours_of_leaving_a_ward() -> None:
    assert not _item(_facts(), "follow_up_72h").applies
    ward = {"from_ward": True, "discharge_at": NOW}
    late = AppointmentFact(starts_at=NOW + timedelta(hours=73), worker="Alex", service="CMHT", community=True,
                           booked=True)  # fmt: skip
    ward_only = AppointmentFact(starts_at=NOW + timedelta(hours=5), worker="Kim", service="Ward", community=False,
                                booked=True)  # fmt: skip
    item = _item(_facts(**ward, appointments=(late, ward_only)), "follow_up_72h")
    assert not item.met and "05 March 2026 at 10:00" in item.explanation
    on_time = AppointmentFact(starts_at=NOW + timedelta(hours=72), worker="Alex Morgan", service="CMHT",
                              community=True, booked=True)  # fmt: skip
    assert _item(_facts(**ward, appointments=(on_time,)), "follow_up_72h").met


def test_r8_completion_refusal_names_each_item_and_needs_a_senior_reason() -> None:
    items = checklist(_facts(housing_support="not_arranged", meeting_at=None))
    refused = completion_refusal(items=items, override_reason="", senior=True)
    assert len(refused["checklist"]) == 3 and "R8" in refused["checklist"][0]
    assert "override_reason" in completion_refusal(items=items, override_reason="x" * 30, senior=False)
    assert (
        "at least 20" in completion_refusal(items=items, override_reason="too short", senior=True)["override_reason"][0]
    )
    assert completion_refusal(items=items, override_reason="Housing agreed by phone with the hostel today.",
                              senior=True) == {}  # fmt: skip
    assert completion_refusal(items=checklist(_facts()), override_reason="", senior=False) == {}


def test_discharge_figures_worked_by_hand() -> None:
    """Four discharges on 1 March 2026 at 12:00:
    A on methadone, handover accepted, offered naloxone, seen 48 h later, first dose 2 March -> 1 day;
    B on methadone, overridden (not accepted), not offered naloxone, seen 80 h later (late), dose 4 March -> 3;
    C uses heroin (no substitution), offered naloxone, never seen;
    D no opioids, seen 10 h later.
    Continuity 1 of 2 = 50%; naloxone 2 of 3 = 67%; follow-up 2 of 4 = 50%; days median 2, range 1 to 3."""
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    facts = [
        DischargeFact(at, True, True, True, True, (at + timedelta(hours=48),), date(2026, 3, 2)),
        DischargeFact(at, True, False, True, False, (at + timedelta(hours=80),), date(2026, 3, 4)),
        DischargeFact(at, False, False, True, True, ()),
        DischargeFact(at, False, False, False, False, (at + timedelta(hours=10),)),
    ]
    f = discharge_figures(facts)
    assert (f.discharges, f.on_opiate_substitution, f.with_continuity, f.continuity_share) == (4, 2, 1, 50)
    assert (f.opioid_users, f.naloxone_offered, f.naloxone_share) == (3, 2, 67)
    assert (f.followed_up_72h, f.follow_up_share) == (2, 50)
    assert (f.dose_days_median, f.dose_days_min, f.dose_days_max) == (2, 1, 3)
    empty = discharge_figures([])
    assert (empty.discharges, empty.continuity_share, empty.dose_days_median) == (0, None, None)


def test_figures_period_bad_input() -> None:
    today = date(2026, 3, 2)
    assert period_refusal(start=date(2026, 1, 1), end=date(2026, 3, 1), today=today) == {}
    assert "to" in period_refusal(start=date(2026, 3, 1), end=date(2026, 1, 1), today=today)
    assert "from" in period_refusal(start=date(1900, 1, 1), end=date(2026, 1, 1), today=today)
    assert "to" in period_refusal(start=date(2026, 1, 1), end=date(9999, 1, 1), today=today)
    assert "from" in period_refusal(start=None, end=date(2026, 1, 1), today=today)
