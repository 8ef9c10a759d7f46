"""Changes to care plans (R4): saving a new version and recording a copy shared. Each checks the permission
function first, runs in one transaction and appends to the access log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import CarePlan, CarePlanShare, CarePlanVersion, EpisodeOfCare, ShareMethod
from coexist.care.plans.content import CarerSupport, PlanContent
from coexist.care.plans.rules import SECTIONS, changed_sections, share_refusal, version_conflict
from coexist.organisations.models import Organisation
from coexist.people.models import Carer, Consent, Person
from coexist.people.permissions import AccessRefused, may, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write


class CarePlanConflict(Exception):
    """Someone else saved the plan after the editor loaded it (DOMAIN.md: refused, with the difference shown).

    Carries the latest version and the sections it changed since the version the editor loaded, so the page
    can show both side by side and the API can name the version to start again from.
    """

    def __init__(self, *, latest: CarePlanVersion, based_on: int | None, changed: list[str]) -> None:
        loaded = f"version {based_on}" if based_on is not None else "a new plan"
        super().__init__(
            f"Someone else saved this care plan while you were editing: you started from {loaded}, "
            f"the latest is version {latest.number}."
        )
        self.latest = latest
        self.based_on = based_on
        self.changed = changed


def _with_carer_names(*, person: Person, content: PlanContent) -> PlanContent:
    """Carers in the plan must be carers recorded for this person; each keeps their name as it was when saved."""
    wanted = {c.carer for c in content.carers}
    carers = {c.public_id: c for c in Carer.objects.filter(person=person, public_id__in=wanted)}
    missing = wanted - set(carers)
    if missing:
        raise ValidationError(
            {"carers": "Choose carers recorded for this person; add a new carer to their record first."}
        )
    return content.model_copy(
        update={
            "carers": [
                CarerSupport(carer=c.carer, name=carers[c.carer].name, support=c.support) for c in content.carers
            ]
        }
    )


def care_plan_save(
    *, person: Person, by: User, content: PlanContent, based_on_version: int | None, channel: Channel
) -> CarePlanVersion:
    """R4: save the plan as a new numbered version. Never updates a version in place.

    `based_on_version` is the version the editor loaded (None for a new plan). If anyone saved since,
    raises CarePlanConflict rather than overwrite their work. An incomplete plan is saved as a draft
    (the gaps are shown, not enforced). Raises AccessRefused, ValidationError or CarePlanConflict.
    """
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.CARE_PLAN],
        channel=channel,
        detail="save care plan",
    )
    content = _with_carer_names(person=person, content=content)
    with transaction.atomic():
        plan, _ = CarePlan.objects.get_or_create(person=person)
        # Lock the plan row: two saves from the same version queue here, and the second sees the first.
        plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
        latest = plan.versions.order_by("-number").first()
        latest_number = latest.number if latest else None
        if based_on_version is not None and (latest_number is None or based_on_version > latest_number):
            raise ValidationError({"based_on_version": f"This plan has no version {based_on_version}."})
        if version_conflict(based_on_version, latest_number):
            assert latest is not None
            loaded = plan.versions.filter(number=based_on_version).first() if based_on_version else None
            raise CarePlanConflict(
                latest=latest,
                based_on=based_on_version,
                changed=changed_sections(loaded.plan_content if loaded else None, latest.plan_content),
            )
        changed = changed_sections(latest.plan_content if latest else None, content)
        if latest is not None and not changed:
            raise ValidationError(
                f"Nothing has changed since version {latest.number}, so no new version was saved.", code="unchanged"
            )
        version = CarePlanVersion.objects.create(
            plan=plan,
            number=(latest_number or 0) + 1,
            episode=EpisodeOfCare.objects.open().filter(person=person).order_by("-opened_at").first(),
            content=content.model_dump(mode="json"),
            changed_sections=changed,
            created_at=timezone.now(),
            created_by=by,
            channel=channel,
        )
        # STYLE 4: inside the transaction, the writer may still see what they wrote.
        still = may(by, person, Action.READ, RecordPart.CARE_PLAN)
        if not still.allowed:
            raise AccessRefused(still)
        labels = ", ".join(SECTIONS[s].lower() for s in changed) or "nothing"
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.CARE_PLAN],
            basis=decision.basis,
            channel=channel,
            detail=f"saved care plan version {version.number}; changed: {labels}",
        )
    return version


def care_plan_share(
    *,
    version: CarePlanVersion,
    by: User,
    method: ShareMethod,
    channel: Channel,
    carer: Carer | None = None,
    organisation: Organisation | None = None,
) -> CarePlanShare:
    """R4 (NG58 1.3.6): record a copy of a plan version given to a carer or another organisation.

    Only the care team may share (a consent reader may not pass the plan on), and only to a recipient
    with a current consent from the person that includes the care plan. Raises AccessRefused or
    ValidationError with the reason.
    """
    person = version.plan.person
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[RecordPart.CARE_PLAN],
        channel=channel,
        detail="share care plan",
    )
    if (carer is None) == (organisation is None):
        raise ValidationError({"recipient": "Choose one carer or one organisation to share the plan with."})
    if carer is not None and carer.person_id != person.pk:
        raise ValidationError({"recipient": "That carer is not recorded for this person."})
    with transaction.atomic():
        # Lock the consents relied on, so a withdrawal cannot slip in between the check and the record.
        consents = Consent.objects.select_for_update().current().filter(person=person)
        consents = consents.filter(carer=carer) if carer is not None else consents.filter(organisation=organisation)
        recipient_name = carer.name if carer is not None else organisation.name if organisation else ""
        refusal = share_refusal(
            person_name=person.full_name,
            recipient_name=recipient_name,
            consented_parts=[list(c.parts) for c in consents],
        )
        if refusal is not None:
            raise ValidationError({"recipient": refusal})
        share = CarePlanShare.objects.create(
            version=version, carer=carer, organisation=organisation, method=method, shared_by=by
        )
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.CARE_PLAN],
            basis=decision.basis,
            channel=channel,
            detail=f"shared care plan version {version.number} with {recipient_name} ({share.get_method_display()})",
        )
    return share
