"""A provider handover set up on the test cast: Pathways' contract ends in ten days and Horizons takes over.

Pathways staff: da_worker_in_team transfers (TUPE); da_worker and addictions_consultant stay with Pathways.
Ann: open Pathways episode coordinated by da_worker (who stays), a finished Pathways episode, a care plan with
two versions and a copy shared, a future appointment with da_worker and one with da_worker_in_team, a past one.
Ben: open Pathways episode coordinated by da_worker_in_team (who transfers); consents to share with Pathways.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from coexist.care.models import CarePlanShare, EpisodeOfCare, ShareMethod
from coexist.engagement.models import Appointment
from coexist.handover.models import Contract
from coexist.organisations.models import OrganisationKind, Service, ServiceKind, Team
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    AppointmentFactory,
    CarePlanVersionFactory,
    EpisodeFactory,
    OrganisationFactory,
    ServiceFactory,
    TeamFactory,
)
from coexist.testing.factories_handover import ContractFactory


@dataclass
class Setting:
    old_contract: Contract
    new_contract: Contract
    new_service: Service
    new_team: Team
    ann_episode: EpisodeOfCare
    ann_finished: EpisodeOfCare
    ben_episode: EpisodeOfCare
    with_leaver: Appointment
    with_transferring: Appointment
    past_with_leaver: Appointment


def handover_setting(cast: Cast) -> Setting:
    today = timezone.localdate()
    horizons = OrganisationFactory(name="Horizons Recovery Partnership", kind=OrganisationKind.DRUG_ALCOHOL_PROVIDER)
    new_service = ServiceFactory(
        organisation=horizons, name="Community recovery service", kind=ServiceKind.DRUG_ALCOHOL
    )
    new_team = TeamFactory(service=new_service, name="Recovery team")
    new_contract = ContractFactory(
        name="Horizons 2026-2029",
        service=new_service,
        starts_on=today + timedelta(days=11),
        ends_on=today + timedelta(days=1000),
    )
    old_contract = ContractFactory(
        name="Pathways 2023-2026",
        service=cast.pathways_service,
        starts_on=date(2023, 4, 1),
        ends_on=today + timedelta(days=10),
        successor=new_contract,
    )
    now = timezone.now()
    ann_episode = EpisodeFactory(
        person=cast.ann, team=cast.pathways_team, opened_by=cast.da_worker, coordinator=cast.da_worker
    )
    ann_finished = EpisodeFactory(
        person=cast.ann,
        team=cast.pathways_team,
        opened_by=cast.da_worker,
        status="finished",
        finished_at=now - timedelta(days=400),
        finished_by=cast.da_worker,
        finish_reason="Goals met",
    )
    ben_episode = EpisodeFactory(
        person=cast.ben, team=cast.pathways_team, opened_by=cast.da_worker_in_team, coordinator=cast.da_worker_in_team
    )
    CarePlanVersionFactory(plan__person=cast.ann, number=1, created_by=cast.da_worker)
    version = CarePlanVersionFactory(plan=cast.ann.care_plan, number=2, created_by=cast.da_worker)
    CarePlanShare.objects.create(
        version=version, organisation=cast.pathways, method=ShareMethod.EMAIL, shared_by=cast.da_worker
    )
    service = cast.pathways_service
    with_leaver = AppointmentFactory(
        person=cast.ann, episode=ann_episode, service=service, staff=cast.da_worker, starts_at=now + timedelta(days=3)
    )
    with_transferring = AppointmentFactory(
        person=cast.ben,
        episode=ben_episode,
        service=service,
        staff=cast.da_worker_in_team,
        starts_at=now + timedelta(days=4),
    )
    past_with_leaver = AppointmentFactory(
        person=cast.ann,
        episode=ann_episode,
        service=service,
        staff=cast.da_worker,
        starts_at=now - timedelta(days=5),
        status="attended_on_time",
    )
    return Setting(
        old_contract=old_contract,
        new_contract=new_contract,
        new_service=new_service,
        new_team=new_team,
        ann_episode=ann_episode,
        ann_finished=ann_finished,
        ben_episode=ben_episode,
        with_leaver=with_leaver,
        with_transferring=with_transferring,
        past_with_leaver=past_with_leaver,
    )
