"""Episodes of care, the care coordinator (R3) and the care team: everyone working with a person,
across organisations. A care team member may belong to an episode; membership outside an episode
(e.g. a peer support worker from a voluntary organisation) is allowed.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coexist.organisations.models import Role


class EpisodeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    TRANSFERRING = "transferring", "Transferring"
    FINISHED = "finished", "Finished"


# A service is responsible for the person through every status but finished (DOMAIN.md life cycle).
OPEN_EPISODE_STATUSES = frozenset(
    {EpisodeStatus.PLANNED, EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD, EpisodeStatus.TRANSFERRING}
)


class EpisodeQuerySet(models.QuerySet["EpisodeOfCare"]):
    def open(self) -> EpisodeQuerySet:
        return self.filter(status__in=OPEN_EPISODE_STATUSES)

    def without_coordinator(self) -> EpisodeQuerySet:
        """R3: accepted episodes with nobody named to coordinate them; these go on the team leader's list."""
        return self.open().filter(coordinator__isnull=True)


class EpisodeOfCare(models.Model):
    """A period in which a service is responsible for a person, with a named care coordinator (R3)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="episodes")
    service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="episodes")
    # The team that holds the episode: its members cover for the coordinator (duty, leave) and its
    # leader assigns one (R3). Narrower than the service, so a trust-wide service is not an open door.
    team = models.ForeignKey("organisations.Team", on_delete=models.PROTECT, related_name="episodes")
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="episode"
    )
    status = models.CharField(max_length=16, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_episodes"
    )
    coordinator_since = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finish_reason = models.TextField(blank=True)

    objects = EpisodeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["service", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} for {self.person} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_EPISODE_STATUSES


class CareTeamMemberQuerySet(models.QuerySet["CareTeamMember"]):
    def current(self, on: date | None = None) -> CareTeamMemberQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class CareTeamMember(models.Model):
    """A practitioner in a person's care team, in a role, for a period (CareTeam.participant in FHIR)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="care_team")
    episode = models.ForeignKey(
        EpisodeOfCare, on_delete=models.SET_NULL, null=True, blank=True, related_name="care_team"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_roles")
    role = models.CharField(max_length=32, choices=Role.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CareTeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="care_team_member_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["user", "person"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) for {self.person}"
