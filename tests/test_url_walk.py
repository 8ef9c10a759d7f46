"""Every page URL, as every kind of user, against a declared table of expected answers (STYLE 10).

Ann: in the coordinator's care team. The drug and alcohol worker (da_worker) has no relationship
with Ann and reads Ben by consent only. Admin and researcher are in Ann's care team and still refused.
A new URL without a row here fails `test_every_url_is_in_the_table`.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coexist.organisations.models import Role
from coexist.people.models import CarerAssessment
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    CarePlanVersionFactory,
    CarerFactory,
    CareTeamMemberFactory,
    DropInVisitFactory,
    EpisodeFactory,
    TaskFactory,
)

ROLES = ["anonymous", "coordinator", "da_worker", "admin", "researcher"]

# url name -> expected status for each role, in ROLES order.
TABLE: dict[str, tuple[int, int, int, int, int]] = {
    "home": (302, 200, 200, 200, 200),
    "accounts:sign-in": (200, 302, 302, 302, 302),
    "accounts:sign-out": (405, 405, 405, 405, 405),
    "accounts:profile": (302, 200, 200, 200, 200),
    "accounts:token-revoke": (405, 405, 405, 405, 405),
    "people:detail": (302, 200, 403, 403, 403),
    "people:detail/consent-only": (302, 200, 200, 403, 403),
    "people:edit-contact": (302, 200, 403, 403, 403),
    "people:edit-contact/consent-only": (302, 200, 403, 403, 403),
    "people:edit-equality": (302, 200, 403, 403, 403),
    "people:carer-new": (302, 200, 403, 403, 403),
    "people:carer-assessment": (302, 200, 403, 403, 403),
    "people:carer-assessment-outcome": (302, 200, 403, 403, 403),
    "people:consent-new": (302, 200, 403, 403, 403),
    "people:consent-withdraw": (302, 200, 403, 403, 403),
    "care:team-leader": (302, 200, 200, 200, 200),
    "care:person-episodes": (302, 200, 403, 403, 403),
    "care:episode": (302, 200, 403, 403, 403),
    "care:assign-coordinator": (302, 200, 403, 403, 403),
    "care:care-team-new": (302, 200, 403, 403, 403),
    "care:care-team-end": (302, 200, 403, 403, 403),
    "tasks:mine": (302, 200, 200, 200, 200),
    "tasks:complete": (302, 200, 403, 403, 403),
    "careplans:view": (302, 200, 403, 403, 403),
    "careplans:view/consent-only": (302, 200, 200, 403, 403),
    "careplans:version": (302, 200, 403, 403, 403),
    "careplans:edit": (302, 200, 403, 403, 403),
    "careplans:edit/consent-only": (302, 200, 403, 403, 403),
    "careplans:plain": (302, 200, 403, 403, 403),
    "careplans:plain/consent-only": (302, 200, 200, 403, 403),
    "careplans:pdf": (302, 200, 403, 403, 403),
    "careplans:pdf/consent-only": (302, 200, 200, 403, 403),
    "careplans:share": (302, 200, 403, 403, 403),
    "careplans:share/consent-only": (302, 200, 403, 403, 403),
    # Measures: any member of staff may read the catalogue; ann's measures are her care team's; ben shares
    # substance use with Pathways, so da_worker reads his measures list but cannot record one.
    "instruments:list": (302, 200, 200, 200, 200),
    "instruments:detail": (302, 200, 200, 200, 200),
    "instruments:person": (302, 200, 403, 403, 403),
    "instruments:person/consent-only": (302, 200, 200, 403, 403),
    "instruments:complete": (302, 200, 403, 403, 403),
    "instruments:complete/consent-only": (302, 200, 403, 403, 403),
    "instruments:result": (302, 200, 403, 403, 403),
    "admin:index": (302, 302, 302, 200, 302),
    "api-openapi": (200, 200, 200, 200, 200),
    # Referrals: cat's open referral is to Pathways, where da_worker triages; the coordinator is not in Pathways.
    "referrals:queue": (302, 200, 200, 200, 200),
    "referrals:new": (302, 200, 200, 403, 403),
    "referrals:detail": (302, 403, 200, 403, 403),
    "referrals:triage": (405, 405, 405, 405, 405),
    "referrals:link": (405, 405, 405, 405, 405),
    "referrals:create-person": (302, 403, 200, 403, 403),
    "referrals:accept": (302, 403, 200, 403, 403),
    "referrals:decline": (302, 403, 200, 403, 403),
    "referrals:redirect": (302, 403, 200, 403, 403),
    "referrals:close": (302, 403, 200, 403, 403),
    "referrals:drop-in-list": (302, 200, 200, 200, 200),
    "referrals:drop-in-new": (302, 200, 200, 403, 403),
    "referrals:drop-in-convert": (302, 404, 200, 404, 404),
    # R12: the self-referral needs no account.
    "public:self-refer": (200, 200, 200, 200, 200),
    "public:self-refer-sent": (200, 200, 200, 200, 200),
    # Assessments and risk (R2, R13): ann is the coordinator's; ben shares substance use (not risk) with Pathways.
    "assessments:start": (302, 200, 403, 403, 403),
    "assessments:detail": (302, 200, 403, 403, 403),
    "assessments:detail/consent-only": (302, 200, 200, 403, 403),
    "assessments:complete": (405, 405, 405, 405, 405),
    "assessments:substance-new": (302, 200, 403, 403, 403),
    "assessments:substance-new/consent-only": (302, 200, 403, 403, 403),
    "assessments:substance-remove": (302, 200, 403, 403, 403),
    "assessments:assessor-new": (302, 200, 403, 403, 403),
    "assessments:flags": (302, 200, 403, 403, 403),
    "assessments:flags/consent-only": (302, 200, 403, 403, 403),
    "assessments:flag-new": (302, 200, 403, 403, 403),
    "assessments:flag-review": (302, 200, 403, 403, 403),
    "assessments:flag-end": (302, 200, 403, 403, 403),
    # Appointments (R4, R6): part of the episodes of care; ann is the coordinator's, ben shares no episodes.
    "engagement:person": (302, 200, 403, 403, 403),
    "engagement:person/consent-only": (302, 200, 403, 403, 403),
    "engagement:book": (302, 200, 403, 403, 403),
    "engagement:outcome": (302, 200, 403, 403, 403),
    "engagement:follow-up": (302, 200, 403, 403, 403),
    # POST only: cancelling the rest of a repeating series.
    "engagement:cancel-series": (405, 405, 405, 405, 405),
    # Case reviews (R7): part of the episodes of care; ann is the coordinator's.
    "casereviews:schedule": (302, 200, 403, 403, 403),
    "casereviews:detail": (302, 200, 403, 403, 403),
    "casereviews:outcome": (302, 200, 403, 403, 403),
    "casereviews:cancel": (302, 200, 403, 403, 403),
    # Groups (seed 002, decision 0012): Pathways runs the group, da_worker facilitates a session in two days,
    # ann is enrolled. The coordinator is not Pathways staff, so sees the list but not the group; da_worker,
    # as facilitator, may change ann's group attendance (enrol, leave) but nothing else of her record.
    "groups:list": (302, 200, 200, 200, 200),
    # Setting up a group is for clinical staff of a service; administrators and researchers are refused.
    "groups:new": (302, 200, 200, 403, 403),
    "groups:detail": (302, 403, 200, 403, 403),
    "groups:schedule": (302, 403, 200, 403, 403),
    "groups:enrol": (302, 403, 200, 403, 403),
    "groups:session": (302, 403, 200, 403, 403),
    "groups:session-add": (302, 403, 200, 403, 403),
    "groups:session-edit": (302, 403, 200, 403, 403),
    "groups:session-cancel": (302, 403, 200, 403, 403),
    "groups:person-enrol": (302, 200, 200, 403, 403),
    "groups:leave": (302, 200, 200, 403, 403),
    # Timeline: ann is the coordinator's; da_worker reads ben by consent and sees only the consented parts.
    "timeline:person": (302, 200, 403, 403, 403),
    "timeline:person/consent-only": (302, 200, 200, 403, 403),
    # Provider handover (R10): administrators only (admin holds an administrator membership); no clinical content.
    "handover:contracts": (302, 403, 403, 200, 403),
    "handover:prepare": (302, 403, 403, 200, 403),
    "handover:dry_run": (302, 403, 403, 200, 403),
    "handover:run": (405, 405, 405, 405, 405),
    "handover:report": (302, 403, 403, 200, 403),
    # Inpatient stays (R9): ann is on Willow ward, held by the ward team; the coordinator, in her care team, may
    # see and change the stay but works on no ward, so may not admit anyone or see the ward list.
    "inpatient:admit": (302, 403, 403, 403, 403),
    "inpatient:admission": (302, 200, 403, 403, 403),
    "inpatient:assign_worker": (302, 200, 403, 403, 403),
    "inpatient:leave_new": (302, 200, 403, 403, 403),
    "inpatient:leave_return": (302, 200, 403, 403, 403),
    "inpatient:leave_assessment": (302, 200, 403, 403, 403),
    "inpatient:ward": (302, 403, 403, 403, 403),
    # Advice (seeds 001, 002): the coordinator asked the addictions consultant about ann; only the consultant
    # answers, only the asker withdraws. Everyone has a (possibly empty) worklist.
    "advice:worklist": (302, 200, 200, 200, 200),
    "advice:person": (302, 200, 403, 403, 403),
    "advice:ask": (302, 200, 403, 403, 403),
    "advice:answer": (302, 403, 403, 403, 403),
    "advice:withdraw": (302, 200, 403, 403, 403),
    # Medicines (R9): ann (the coordinator's) on methadone with a dose given; the handover pages use cat, whose open
    # referral to Pathways lets da_worker read and change her medicines (only a prescriber may answer, on POST).
    "medicines:person": (302, 200, 403, 403, 403),
    "medicines:start": (302, 200, 403, 403, 403),
    "medicines:dose_change": (302, 200, 403, 403, 403),
    "medicines:dose_given": (302, 200, 403, 403, 403),
    "medicines:stop": (302, 200, 403, 403, 403),
    "medicines:naloxone": (302, 200, 403, 403, 403),
    "medicines:other_new": (302, 200, 403, 403, 403),
    "medicines:handover_request": (302, 200, 403, 403, 403),
    "medicines:handover_answer": (302, 200, 200, 403, 403),
    "medicines:handover_withdraw": (302, 200, 200, 403, 403),
    "medicines:handovers_waiting": (302, 200, 200, 200, 200),
    # Discharges and transfers (R8, R9): an episode of Ann's held by North, a discharge and a transfer (to South,
    # sent) of it. Pathways is not involved, so da_worker is refused; lists and figures are anyone's to open.
    "transitions:start": (302, 200, 403, 403, 403),
    "transitions:detail": (302, 200, 403, 403, 403),
    "transitions:invite": (302, 200, 403, 403, 403),
    "transitions:housing": (302, 200, 403, 403, 403),
    "transitions:complete": (302, 200, 403, 403, 403),
    "transitions:send": (302, 200, 403, 403, 403),
    "transitions:answer": (302, 200, 403, 403, 403),
    "transitions:incoming": (302, 200, 200, 200, 200),
    "transitions:figures": (302, 200, 200, 200, 200),
    # Outcome dashboards (issue 6): aggregates only. The community mental health service's dashboard is for its
    # own staff in any role (coordinator, admin and researcher are North members) or a leader; da_worker is at
    # Pathways. Comparing services is for leaders and researchers only.
    "outcomes:service": (302, 200, 403, 200, 200),
    "outcomes:service_csv": (302, 200, 403, 200, 200),
    "outcomes:commissioner": (302, 403, 403, 403, 200),
    "outcomes:commissioner_csv": (302, 403, 403, 403, 200),
    # Service survey, training and feedback (issue 6): the community mental health service's pages are for its
    # clinical members (the coordinator works in North); recording is for its leaders (none in ROLES); the
    # comparison across services is for leaders and researchers. Admin and researcher are North members, refused.
    "survey:compare": (302, 403, 403, 403, 200),
    "survey:compare-csv": (302, 403, 403, 403, 200),
    "survey:service": (302, 200, 403, 403, 403),
    "survey:service-csv": (302, 200, 403, 403, 403),
    "survey:new": (302, 403, 403, 403, 403),
    "survey:training": (302, 200, 403, 403, 403),
    "survey:sessions": (302, 200, 403, 403, 403),
    "survey:feedback": (302, 200, 403, 403, 403),
    "survey:detail": (302, 200, 403, 403, 403),
    # Research extracts (issue 6 point 7): a current project naming the researcher; only they may extract or
    # read its log. Everyone may open their (possibly empty) list of projects.
    "research:projects": (302, 200, 200, 200, 200),
    "research:extract": (302, 403, 403, 403, 200),
    "research:log": (302, 403, 403, 403, 200),
    # Programme theories (issue 6 point 4): a published theory for all services, recorded by the team leader.
    # Evaluators (the researcher here) record and read all; clinical staff read published ones; the administrator
    # (no clinical role) reads none.
    "evaluation:theories": (302, 200, 200, 403, 200),
    "evaluation:theory_new": (302, 403, 403, 403, 200),
    "evaluation:theory": (302, 200, 200, 403, 200),
    "evaluation:theory_edit": (302, 403, 403, 403, 200),
    "evaluation:evidence_new": (302, 403, 403, 403, 200),
}


def _assessment_url(name: str, cast: Cast) -> str:
    from coexist.assessments.models import RiskKind
    from coexist.assessments.services import assessment_start, risk_flag_raise, substance_add
    from coexist.audit.models import Channel

    base, _, variant = name.partition("/")
    person = cast.ben if variant == "consent-only" else cast.ann
    if base in ("assessments:start", "assessments:flags", "assessments:flag-new"):
        return reverse(base, args=[person.public_id])
    if base in ("assessments:flag-review", "assessments:flag-end"):
        flag = risk_flag_raise(
            person=person, kind=RiskKind.OVERDOSE, source="url walk", review_on=date.fromordinal(date.today().toordinal() + 7),
            by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
        return reverse(base, args=[flag.public_id])
    assessment = assessment_start(person=person, by=cast.coordinator, channel=Channel.PAGE)
    if base == "assessments:substance-remove":
        row = substance_add(
            assessment=assessment, by=cast.coordinator, channel=Channel.PAGE, substance="alcohol", route="oral",
            frequency="daily", injecting=False,
        )  # fmt: skip
        return reverse(base, args=[assessment.public_id, row.public_id])
    return reverse(base, args=[assessment.public_id])


def _engagement_url(name: str, cast: Cast) -> str:
    """An appointment of ann's an hour ago, made here; for the follow-up page, recorded as missed."""
    from datetime import timedelta

    from django.utils import timezone

    from coexist.audit.models import Channel
    from coexist.engagement.services import appointment_book, appointment_record_outcome

    base, _, variant = name.partition("/")
    person = cast.ben if variant == "consent-only" else cast.ann
    if base in ("engagement:person", "engagement:book"):
        return reverse(base, args=[person.public_id])
    appointment = appointment_book(
        person=person, service=cast.cmht, staff=cast.coordinator, starts_at=timezone.now() - timedelta(hours=1),
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    if base in ("engagement:outcome", "engagement:cancel-series"):
        return reverse(base, args=[appointment.public_id])
    missed = appointment_record_outcome(
        appointment=appointment, outcome="did_not_attend", plan_reviewed="", by=cast.coordinator, channel=Channel.PAGE
    )
    return reverse(base, args=[missed.follow_up.public_id])


_REFERRAL_PAGES = ["detail", "triage", "link", "create-person", "accept", "decline", "redirect", "close"]


def _referrals_url(name: str, cast: Cast) -> str:
    """Cat's open referral to Pathways; a drop-in visit at Pathways recorded by da_worker, made here."""
    page = name.split(":")[1]
    if page in _REFERRAL_PAGES:
        return reverse(name, args=[cast.cat.referrals.get().public_id])
    if page == "drop-in-convert":
        visit = DropInVisitFactory(service=cast.pathways_service, recorded_by=cast.da_worker)
        return reverse(name, args=[visit.public_id])
    return reverse(name)


def _carer_offer(cast: Cast) -> CarerAssessment:
    offer = CarerAssessment.objects.filter(carer__person=cast.ann).first()
    if offer is None:
        offer = CarerAssessment.objects.create(
            carer=CarerFactory(person=cast.ann), offered_on=date(2026, 1, 5), offered_by=cast.coordinator
        )
    return offer


def _instruments_url(name: str, cast: Cast) -> str:
    from coexist.instruments.models import InstrumentResponse

    base, _, variant = name.partition("/")
    person = cast.ben if variant == "consent-only" else cast.ann
    if base == "instruments:detail":
        return reverse(base, args=["phq9"])
    if base == "instruments:person":
        return reverse(base, args=[person.public_id])
    if base == "instruments:complete":
        return reverse(base, args=[person.public_id, "audit"])
    if base == "instruments:result":
        response = InstrumentResponse.objects.create(
            person=person, instrument_code="phq9", instrument_version="Kroenke 2001",
            answers={f"phq9_{n}": 0 for n in range(1, 10)}, score={"total": 0}, recorded_by=cast.coordinator,
        )  # fmt: skip
        return reverse(base, args=[response.public_id])
    return reverse(base)


def _groups_url(name: str, cast: Cast) -> str:
    """A Pathways group with ann enrolled and a session in two days run by da_worker, made here."""
    from datetime import timedelta

    from django.utils import timezone

    from coexist.testing.factories import GroupEnrolmentFactory, GroupFactory, GroupSessionFactory

    group = GroupFactory(service=cast.pathways_service, created_by=cast.da_worker)
    session = GroupSessionFactory(
        group=group, starts_at=timezone.now() + timedelta(days=2), facilitators=[cast.da_worker]
    )
    enrolment = GroupEnrolmentFactory(group=group, person=cast.ann, enrolled_by=cast.coordinator)
    if name in ("groups:list", "groups:new"):
        return reverse(name)
    if name == "groups:person-enrol":
        return reverse(name, args=[cast.ann.public_id])
    if name == "groups:leave":
        return reverse(name, args=[enrolment.public_id])
    if name.startswith("groups:session"):
        return reverse(name, args=[session.public_id])
    return reverse(name, args=[group.public_id])


def _case_review_url(name: str, cast: Cast) -> str:
    """An open episode of Ann's held by North and a review booked on it for tomorrow, made here."""
    from datetime import timedelta

    from django.utils import timezone

    from coexist.audit.models import Channel
    from coexist.care.reviews.services import case_review_schedule

    episode = EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)
    if name == "casereviews:schedule":
        return reverse(name, args=[episode.public_id])
    review = case_review_schedule(
        episode=episode, scheduled_for=timezone.now() + timedelta(days=1), reason="annual", by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    return reverse(name, args=[review.public_id])


def _transitions_url(name: str, cast: Cast) -> str:
    """An open episode of Ann's held by North with a discharge being planned; for send and answer, a transfer."""
    from coexist.audit.models import Channel
    from coexist.transitions.services import transition_start

    if name in ("transitions:incoming", "transitions:figures"):
        return reverse(name)
    episode = EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)
    if name == "transitions:start":
        return reverse(name, args=[episode.public_id])
    kind = "transfer" if name in ("transitions:send", "transitions:answer") else "discharge"
    transition = transition_start(
        episode=episode, kind=kind, discharge_reason="goals_met" if kind == "discharge" else "",
        to_team=cast.south if kind == "transfer" else None, by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    if name == "transitions:answer":
        # Waiting for South (the GET shows the answer form to anyone who may change the record).
        from coexist.transitions.models import Transition, TransitionStatus

        Transition.objects.filter(pk=transition.pk).update(status=TransitionStatus.AWAITING_ACCEPTANCE)
    return reverse(name, args=[transition.public_id])


def _medicines_url(name: str, cast: Cast) -> str:
    """Ann on methadone with a dose given an hour ago (no course for the start page); for the handover pages, cat
    likewise, with a handover to Pathways requested. Made here, not in the cast."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from coexist.audit.models import Channel
    from coexist.medicines.rules import first_community_dose_latest
    from coexist.medicines.services import dose_given_record, opiate_substitution_start, prescribing_handover_request

    if name == "medicines:handovers_waiting":
        return reverse(name)
    handover = name in ("medicines:handover_answer", "medicines:handover_withdraw")
    person = cast.cat if handover else cast.ann
    if name == "medicines:start":
        return reverse(name, args=[person.public_id])
    treatment = opiate_substitution_start(
        person=person, drug="methadone", prescribing_service=cast.ward, prescriber_name="Dr Shah",
        started_on=timezone.localdate() - timedelta(days=30), daily_dose_mg=Decimal("60"), supervised=True,
        pharmacy="Boots, High Street", by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    given = timezone.now() - timedelta(hours=1)
    dose_given_record(
        person=person, given_at=given, dose_mg=Decimal("60"), where="Willow ward", by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    if not handover:
        return reverse(name, args=[person.public_id])
    request = prescribing_handover_request(
        treatment=treatment, to_service=cast.pathways_service, by=cast.coordinator, channel=Channel.PAGE,
        first_community_dose_on=first_community_dose_latest(drug="methadone", last_dose_on=timezone.localdate(given)),
    )  # fmt: skip
    return reverse(name, args=[request.public_id])


def _inpatient_advice_url(name: str, cast: Cast) -> str:
    """Ann on Willow ward (held by the ward team) with leave under way, and a question about her asked by the
    coordinator of the addictions consultant, made here."""
    from datetime import timedelta

    from django.utils import timezone

    from coexist.advice.services import advice_ask
    from coexist.audit.models import Channel
    from coexist.inpatient.models import Leave
    from coexist.testing.factories_inpatient import AdmissionFactory

    if name == "inpatient:admit":
        return reverse(name, args=[cast.ann.public_id])
    if name == "inpatient:ward":
        return reverse(name, args=[cast.ward.public_id])
    if name.startswith("advice:"):
        if name in ("advice:person", "advice:ask"):
            return reverse(name, args=[cast.ann.public_id])
        if name == "advice:worklist":
            return reverse(name)
        advice = advice_ask(
            person=cast.ann, consultant=cast.addictions_consultant, question="Detox on the ward?", by=cast.coordinator,
            channel=Channel.PAGE,
        )  # fmt: skip
        return reverse(name, args=[advice.public_id])
    now = timezone.now()
    admission = AdmissionFactory(
        person=cast.ann, episode__team=cast.ward_team, episode__opened_by=cast.ward_nurse,
        admitted_at=now - timedelta(days=2), recorded_by=cast.ward_nurse,
    )  # fmt: skip
    if name.startswith("inpatient:leave_") and name != "inpatient:leave_new":
        leave = Leave.objects.create(
            admission=admission, kind="unescorted", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5),
            recorded_by=cast.ward_nurse,
        )  # fmt: skip
        return reverse(name, args=[leave.public_id])
    return reverse(name, args=[admission.public_id])


def _handover_url(name: str, cast: Cast) -> str:
    """Pathways' contract with a successor, and a dry run of its handover made by the admin, made here."""
    from coexist.handover.services import handover_dry_run
    from coexist.testing.factories import ServiceFactory, TeamFactory
    from coexist.testing.factories_handover import ContractFactory

    if name == "handover:contracts":
        return reverse(name)
    team = TeamFactory(service=ServiceFactory(name="Successor service"))
    successor = ContractFactory(service=team.service, starts_on=date(2026, 4, 1), ends_on=date(2029, 3, 31))
    contract = ContractFactory(service=cast.pathways_service, successor=successor)
    if name == "handover:prepare":
        return reverse(name, args=[contract.public_id])
    dry = handover_dry_run(
        from_contract=contract, to_contract=successor, team_map=None, transferring_staff=[], by=cast.admin
    )
    return reverse(name, args=[dry.public_id])


def _survey_url(name: str, cast: Cast) -> str:
    """A survey of the community mental health service submitted by its team leader, made here."""
    from coexist.testing.factories_survey import ServiceSurveyFactory

    if name in ("survey:compare", "survey:compare-csv"):
        ServiceSurveyFactory(service=cast.cmht, submitted_by=cast.team_leader)
        return reverse(name)
    if name == "survey:detail":
        return reverse(name, args=[ServiceSurveyFactory(service=cast.cmht, submitted_by=cast.team_leader).public_id])
    return reverse(name, args=[cast.cmht.public_id])


def _research_url(name: str, cast: Cast) -> str:
    """A current research project naming the researcher, made here."""
    from coexist.testing.factories_research import ResearchProjectFactory

    if name == "research:projects":
        return reverse(name)
    return reverse(name, args=[ResearchProjectFactory(researchers=[cast.researcher]).public_id])


def _evaluation_url(name: str, cast: Cast) -> str:
    """A published programme theory for all services, recorded by the team leader, made here."""
    from coexist.evaluation.services import theory_create

    if name in ("evaluation:theories", "evaluation:theory_new"):
        return reverse(name)
    theory = theory_create(
        title="Ward in-reach", context="People leaving a ward.", mechanism="Meeting the worker first.",
        outcome="Seen within 7 days.", measure_key="reengagement_7_days",
        context_filter=[["housing_settled", "unsettled"]], status="published", by=cast.team_leader,
    )  # fmt: skip
    return reverse(name, args=[theory.public_id])


def _url(name: str, cast: Cast) -> str:
    if name.startswith("evaluation:"):
        return _evaluation_url(name, cast)
    if name.startswith("research:"):
        return _research_url(name, cast)
    if name in ("outcomes:service", "outcomes:service_csv"):
        return reverse(name, args=[cast.cmht.public_id]) + "?cut=sex"
    if name.startswith("survey:"):
        return _survey_url(name, cast)
    if name.startswith("handover:"):
        return _handover_url(name, cast)
    if name.startswith("medicines:"):
        return _medicines_url(name, cast)
    if name.startswith("transitions:"):
        return _transitions_url(name, cast)
    if name.startswith(("inpatient:", "advice:")):
        return _inpatient_advice_url(name, cast)
    if name.startswith("casereviews:"):
        return _case_review_url(name, cast)
    if name.startswith("groups:"):
        return _groups_url(name, cast)
    if name.startswith("assessments:"):
        return _assessment_url(name, cast)
    if name.startswith("instruments:"):
        return _instruments_url(name, cast)
    if name.startswith("referrals:"):
        return _referrals_url(name, cast)
    if name.startswith("engagement:"):
        return _engagement_url(name, cast)
    ann, ben = cast.ann.public_id, cast.ben.public_id
    consent = cast.ben.consents.get().public_id
    urls = {
        "accounts:token-revoke": reverse("accounts:token-revoke", args=["00000000-0000-4000-8000-000000000000"]),
        "people:detail": reverse("people:detail", args=[ann]),
        "people:detail/consent-only": reverse("people:detail", args=[ben]),
        "care:person-episodes": reverse("care:person-episodes", args=[ann]),
        "people:edit-contact": reverse("people:edit-contact", args=[ann]),
        "people:edit-contact/consent-only": reverse("people:edit-contact", args=[ben]),
        "people:edit-equality": reverse("people:edit-equality", args=[ann]),
        "people:carer-new": reverse("people:carer-new", args=[ann]),
        "people:carer-assessment": reverse("people:carer-assessment", args=[ann, _carer_offer(cast).carer.public_id]),
        "people:carer-assessment-outcome": reverse(
            "people:carer-assessment-outcome",
            args=[ann, _carer_offer(cast).carer.public_id, _carer_offer(cast).public_id],
        ),
        "people:consent-new": reverse("people:consent-new", args=[ann]),
        "people:consent-withdraw": reverse("people:consent-withdraw", args=[ben, consent]),
        "api-openapi": "/api/v1/openapi.json",
        "timeline:person": reverse("timeline:person", args=[ann]),
        "timeline:person/consent-only": reverse("timeline:person", args=[ben]),
    }
    if name in _NEEDS_EPISODE:
        urls.update(_episode_urls(cast))
    if name.startswith("careplans:"):
        urls.update(_care_plan_urls(cast))
    return urls.get(name) or reverse(name)


_NEEDS_EPISODE = {
    "care:episode",
    "care:assign-coordinator",
    "care:care-team-new",
    "care:care-team-end",
    "tasks:complete",
}


def _episode_urls(cast: Cast) -> dict[str, str]:
    """An open episode of Ann's held by North, a care team place on it and a task, made here, not in the cast."""
    episode = EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)
    member = CareTeamMemberFactory(person=cast.ann, episode=episode, user=cast.psychiatrist, role=Role.PSYCHIATRIST)
    task = TaskFactory(person=cast.ann, episode=episode, assigned_to=cast.coordinator)
    return {
        "care:episode": reverse("care:episode", args=[episode.public_id]),
        "care:assign-coordinator": reverse("care:assign-coordinator", args=[episode.public_id]),
        "care:care-team-new": reverse("care:care-team-new", args=[episode.public_id]),
        "care:care-team-end": reverse("care:care-team-end", args=[member.public_id]),
        "tasks:complete": reverse("tasks:complete", args=[task.public_id]),
    }


def _care_plan_urls(cast: Cast) -> dict[str, str]:
    """A saved care plan for Ann (care team only) and Ben (Pathways may read it by consent), made here."""
    urls: dict[str, str] = {}
    for person, suffix in ((cast.ann, ""), (cast.ben, "/consent-only")):
        CarePlanVersionFactory(plan__person=person, created_by=cast.coordinator)
        for page in ("view", "edit", "plain", "pdf", "share"):
            urls[f"careplans:{page}{suffix}"] = reverse(f"careplans:{page}", args=[person.public_id])
    urls["careplans:version"] = reverse("careplans:version", args=[cast.ann.public_id, 1])
    return urls


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(TABLE))
def test_url_answers_as_declared(cast: Cast, client: Client, name: str, role: str) -> None:
    if role != "anonymous":
        user = getattr(cast, role)
        if role == "admin":
            user.is_staff = True
            user.save()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(_url(name, cast))
    assert response.status_code == TABLE[name][ROLES.index(role)]


def _page_url_names(patterns: list, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "api-v1"):
                continue  # Django's admin and the API have their own tests
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _page_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_is_in_the_table() -> None:
    declared = {name.split("/")[0] for name in TABLE}
    assert _page_url_names(get_resolver().url_patterns) <= declared
