"""Organisations, their services and teams, and who works in which team in which role."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OrganisationKind(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS trust"
    DRUG_ALCOHOL_PROVIDER = "drug_alcohol_provider", "Commissioned drug and alcohol provider"
    HOUSING = "housing", "Housing provider"
    GP_PRACTICE = "gp_practice", "GP practice"
    SOCIAL_CARE = "social_care", "Social care"
    VOLUNTARY = "voluntary", "Voluntary or peer support organisation"


class ServiceKind(models.TextChoices):
    COMMUNITY_MENTAL_HEALTH = "cmht", "Community mental health team"
    INPATIENT_WARD = "inpatient_ward", "Inpatient ward"
    DRUG_ALCOHOL = "drug_alcohol", "Drug and alcohol service"
    DROP_IN = "drop_in", "Drop-in"
    RECOVERY_COLLEGE = "recovery_college", "Recovery college"
    HOUSING_SUPPORT = "housing_support", "Housing support"
    PRIMARY_CARE = "primary_care", "Primary care"
    SOCIAL_CARE = "social_care", "Social care"


class Role(models.TextChoices):
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    SUBSTANCE_MISUSE_WORKER = "substance_misuse_worker", "Substance misuse worker"
    WARD_NURSE = "ward_nurse", "Ward nurse"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    ADDICTIONS_CONSULTANT = "addictions_consultant", "Addictions consultant"
    PEER_SUPPORT_WORKER = "peer_support_worker", "Peer support worker"
    TEAM_LEADER = "team_leader", "Team leader"
    DUAL_DIAGNOSIS_LEAD = "dual_diagnosis_lead", "Dual diagnosis lead"
    SERVICE_MANAGER = "service_manager", "Service manager"
    ADMINISTRATOR = "administrator", "Administrator"
    RESEARCHER = "researcher", "Researcher"


# Roles that never see a person's record: administrators manage accounts and services,
# researchers see de-identified aggregates only (DOMAIN.md, "Who may see what").
NON_CLINICAL_ROLES = frozenset({Role.ADMINISTRATOR, Role.RESEARCHER})


class Organisation(models.Model):
    """An NHS trust, a commissioned drug and alcohol provider, or a partner (housing, GP, social care)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    ods_code = models.CharField("ODS code", max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service an organisation runs: a ward, a community team, a drug and alcohol service, a drop-in."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=ServiceKind.choices)
    # R6: how many working days a routine missed-appointment follow-up may take in this service;
    # empty means the setting COEXIST_FOLLOW_UP_WORKING_DAYS.
    follow_up_working_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Working days to follow up a routine missed appointment; empty for the default.",
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="service_name_unique_in_organisation"),
            models.CheckConstraint(
                condition=models.Q(follow_up_working_days__isnull=True)
                | models.Q(follow_up_working_days__range=(1, 20)),
                name="service_follow_up_working_days_1_to_20",
                violation_error_message="Working days to follow up a missed appointment must be between 1 and 20.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """The people who work a service together."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="team_name_unique_in_service")]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: date | None = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))

    def clinical(self) -> MembershipQuerySet:
        return self.exclude(role__in=NON_CLINICAL_ROLES)


class Membership(models.Model):
    """A member of staff's role in a team, from one date to another."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_it_starts",
            )
        ]
        indexes = [models.Index(fields=["user", "started_on", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.team}"
