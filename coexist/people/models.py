"""The person who uses services, the people around them, and what they agree to share."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from nhs_number.validate import is_valid as nhs_number_is_valid
from simple_history.models import HistoricalRecords

from coexist.people.rules import ContactMethod, RecordPart


def validate_nhs_number(value: str) -> None:
    """An NHS number is ten digits with a valid check digit (checked by the `nhs-number` package)."""
    if not (len(value) == 10 and value.isdigit() and nhs_number_is_valid(value)):
        raise ValidationError(
            "Enter a valid 10-digit NHS number, like 999 123 4560. Check the digits: the last one did not match.",
            code="invalid_nhs_number",
        )


def normalise_nhs_number(raw: str) -> str:
    """Strip the spaces and dashes people type in NHS numbers ('943 476 5919' -> '9434765919')."""
    return "".join(ch for ch in raw if ch.isalnum())


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"
    NOT_STATED = "not_stated", "Prefers not to say"


class GenderSameAsSex(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_STATED = "not_stated", "Prefers not to say"


class EthnicCategory(models.TextChoices):
    """NHS Data Dictionary ethnic category codes, so figures match national returns (R14)."""

    A = "A", "White: British"
    B = "B", "White: Irish"
    C = "C", "White: any other White background"
    D = "D", "Mixed: White and Black Caribbean"
    E = "E", "Mixed: White and Black African"
    F = "F", "Mixed: White and Asian"
    G = "G", "Mixed: any other mixed background"
    H = "H", "Asian or Asian British: Indian"
    J = "J", "Asian or Asian British: Pakistani"
    K = "K", "Asian or Asian British: Bangladeshi"
    L = "L", "Asian or Asian British: any other Asian background"
    M = "M", "Black or Black British: Caribbean"
    N = "N", "Black or Black British: African"
    P = "P", "Black or Black British: any other Black background"
    R = "R", "Other ethnic groups: Chinese"
    S = "S", "Other ethnic groups: any other ethnic group"
    Z = "Z", "Not stated"


class HousingStatus(models.TextChoices):
    SETTLED = "settled", "Settled accommodation"
    SUPPORTED = "supported", "Supported accommodation"
    TEMPORARY = "temporary", "Temporary accommodation (hostel, B&B, refuge)"
    NO_FIXED_ABODE = "no_fixed_abode", "No fixed abode (sofa surfing)"
    ROUGH_SLEEPING = "rough_sleeping", "Rough sleeping"
    NOT_KNOWN = "not_known", "Not known"


# R14: housing statuses counted as homeless in subgroup cuts.
HOMELESS_STATUSES = frozenset({HousingStatus.TEMPORARY, HousingStatus.NO_FIXED_ABODE, HousingStatus.ROUGH_SLEEPING})


class Person(models.Model):
    """Someone who uses services: identity, the equality fields of R14 and their chosen contact (R11)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Optional: a drop-in visitor or self-referrer may not give one. Unique when present.
    # NULL, not "", when absent, so uniqueness applies only to real numbers.
    nhs_number = models.CharField(  # noqa: DJ001
        "NHS number", max_length=10, null=True, blank=True, validators=[validate_nhs_number]
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)

    # R14 "for whom": what the evaluation needs to cut every outcome by.
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.NOT_KNOWN)
    gender_same_as_sex = models.CharField(
        "Gender the same as sex registered at birth",
        max_length=16,
        choices=GenderSameAsSex.choices,
        default=GenderSameAsSex.NOT_STATED,
    )
    gender_identity = models.CharField("Gender, in their own words", max_length=100, blank=True)
    ethnic_category = models.CharField(max_length=1, choices=EthnicCategory.choices, default=EthnicCategory.Z)
    housing_status = models.CharField(max_length=20, choices=HousingStatus.choices, default=HousingStatus.NOT_KNOWN)
    released_from_prison_on = models.DateField("Date released from prison", null=True, blank=True)
    has_caring_responsibilities = models.BooleanField(null=True, blank=True)
    childcare_barrier = models.BooleanField("Childcare makes attending hard", null=True, blank=True)
    transport_barrier = models.BooleanField("Transport makes attending hard", null=True, blank=True)

    # R11: every person has a chosen contact method, and reminders use it.
    contact_method = models.CharField(max_length=16, choices=ContactMethod.choices)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=Q(nhs_number__isnull=False),
                name="person_nhs_number_unique",
                violation_error_code="duplicate_nhs_number",
                violation_error_message=(
                    "This NHS number is already recorded for another person. Search for them rather than "
                    "recording the same person twice."
                ),
            ),
            # An empty NHS number is stored as NULL, never "", so uniqueness holds only for real numbers.
            models.CheckConstraint(condition=~Q(nhs_number=""), name="person_nhs_number_null_not_blank"),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def formatted_nhs_number(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}" if n else ""

    def age_on(self, day: date) -> int | None:
        dob = self.date_of_birth
        if dob is None:
            return None
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    PARTNER = "partner", "Partner or spouse"
    CHILD = "child", "Son or daughter"
    SIBLING = "sibling", "Brother or sister"
    OTHER_RELATIVE = "other_relative", "Other relative"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    OTHER = "other", "Other"


class Carer(models.Model):
    """A carer or family member around the person (R5); carers are offered an assessment of their own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="carers")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    provides_care = models.BooleanField(
        default=True, help_text="A carer gives unpaid support; a family member may not."
    )
    lives_with_person = models.BooleanField(default=False)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class CarerAssessmentStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"


class CarerAssessment(models.Model):
    """R5: an offer to a carer of an assessment of their own needs, and what came of it, with dates."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="assessments")
    status = models.CharField(
        max_length=12, choices=CarerAssessmentStatus.choices, default=CarerAssessmentStatus.OFFERED
    )
    offered_on = models.DateField()
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_on = models.DateField(null=True, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="What the carer said, who will assess, what came of it.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_on", "-pk"]

    def __str__(self) -> str:
        return f"Carer's assessment for {self.carer.name}: {self.get_status_display()}"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def current(self, on: date | None = None) -> ConsentQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(given_on__lte=day), Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


class Consent(models.Model):
    """What the person agreed to share, with which organisation or carer, from when; withdrawable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    carer = models.ForeignKey(Carer, on_delete=models.PROTECT, null=True, blank=True, related_name="consents")
    parts = models.JSONField(help_text="Which parts of the record, as RecordPart values.")
    given_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True)

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(carer__isnull=True))
                | (Q(organisation__isnull=True) & Q(carer__isnull=False)),
                name="consent_shares_with_exactly_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent to share with {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.organisation is not None:
            return self.organisation.name
        assert self.carer is not None
        return self.carer.name

    @property
    def part_labels(self) -> list[str]:
        return [RecordPart(p).label for p in self.parts]

    def is_current(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.given_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)
