"""Episodes of care, the care coordinator (R3) and the care team: everyone working with a person,
across organisations. A care team member may belong to an episode; membership outside an episode
(e.g. a peer support worker from a voluntary organisation) is allowed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coexist.organisations.models import Role

if TYPE_CHECKING:
    from coexist.care.plans.content import PlanContent


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
            # Outcome measures read a service's episodes by the day opened or finished (issue 6).
            models.Index(fields=["service", "opened_at"]),
            models.Index(fields=["service", "finished_at"]),
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


class CarePlan(models.Model):
    """The care plan a person owns (R4): one per person, kept across episodes and providers (R10);
    its content lives in numbered versions, never changed once saved."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="care_plan")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Care plan for {self.person}"


class CarePlanVersion(models.Model):
    """One saved version of a care plan: its whole content, who saved it, when and what changed (R4)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # The episode open when it was saved, if any: which service's care it was written in.
    episode = models.ForeignKey(
        EpisodeOfCare, on_delete=models.SET_NULL, null=True, blank=True, related_name="care_plan_versions"
    )
    content = models.JSONField(help_text="The whole plan, validated by coexist.care.plans.content.PlanContent.")
    changed_sections = models.JSONField(default=list, help_text="Section keys changed since the previous version.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="care_plan_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="care_plan_version_number_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}, version {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        # DOMAIN.md: each save is a new version. A saved version is never changed in place.
        if not self._state.adding:
            raise ValueError("A saved care plan version cannot be changed; save a new version instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def plan_content(self) -> PlanContent:
        from coexist.care.plans.content import PlanContent

        return PlanContent.model_validate(self.content)


class ShareMethod(models.TextChoices):
    PRINTED = "printed", "Printed copy given"
    POST = "post", "Sent by post"
    EMAIL = "email", "Sent by secure email"


class CarePlanShare(models.Model):
    """A copy of a care plan version given to a carer or another organisation, as the person agreed (R4)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(CarePlanVersion, on_delete=models.CASCADE, related_name="shares")
    carer = models.ForeignKey("people.Carer", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=16, choices=ShareMethod.choices)
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(carer__isnull=True))
                | (Q(organisation__isnull=True) & Q(carer__isnull=False)),
                name="care_plan_share_to_exactly_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} shared with {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.organisation is not None:
            return self.organisation.name
        assert self.carer is not None
        return self.carer.name


# --- R7: multi-agency, multidisciplinary case reviews ---------------------------------------------


class CaseReviewReason(models.TextChoices):
    """Why a review is held: the yearly duty, or something that means it cannot wait (R7: "sooner when
    circumstances say so")."""

    ANNUAL = "annual", "Yearly review (at least every 12 months)"
    ADMISSION = "admission", "Admission to hospital"
    LOSS_OF_CONTACT = "loss_of_contact", "Loss of contact"
    NEW_RISK = "new_risk", "A new or increased risk"
    CHANGE_OF_SERVICE = "change_of_service", "A service joining, leaving or taking over care"
    OTHER = "other", "Another change in circumstances"


class CaseReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class CaseReview(models.Model):
    """A multi-agency, multidisciplinary case review of a person's care (R7): planned, then held or cancelled."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="case_reviews")
    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, related_name="case_reviews")
    status = models.CharField(max_length=12, choices=CaseReviewStatus.choices, default=CaseReviewStatus.SCHEDULED)
    reason = models.CharField(max_length=24, choices=CaseReviewReason.choices, default=CaseReviewReason.ANNUAL)
    reason_detail = models.TextField(blank=True)
    scheduled_for = models.DateTimeField()
    # The person's voice matters: whether they, and their carers, were asked to take part.
    person_invited = models.BooleanField(default=True)
    carers_invited = models.BooleanField(default=False)
    scheduled_at = models.DateTimeField(default=timezone.now)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The review this one was scheduled from, when recording an outcome booked the next one.
    scheduled_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_on_reviews"
    )
    held_on = models.DateField(null=True, blank=True)
    person_attended = models.BooleanField(default=False)
    carers_attended = models.BooleanField(default=False)
    outcome = models.TextField(blank=True, help_text="What was decided, and by whom.")
    next_review_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        constraints = [
            # A held review always says when, and when the next one is due, and the next is after it (R7).
            models.CheckConstraint(
                condition=~Q(status="held")
                | (
                    Q(held_on__isnull=False)
                    & Q(next_review_on__isnull=False)
                    & Q(next_review_on__gt=models.F("held_on"))
                ),
                name="case_review_held_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="case_review_cancelled_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["episode", "status"]),
        ]

    def __str__(self) -> str:
        return f"Case review for {self.person} ({self.get_status_display()}, {self.scheduled_for:%d %b %Y})"

    @property
    def is_scheduled(self) -> bool:
        return self.status == CaseReviewStatus.SCHEDULED


class CaseReviewInvitee(models.Model):
    """A practitioner asked to a case review, the organisation they come from, and whether they came."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Copied when invited: which agency they speak for at this review, even if they move on later.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="case_review_invitee_once")]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.review}"
