"""Care plan pages (R4): the plan and its history, the editor, the person's plain-language copy, its PDF,
and recording a copy shared. Thin: open through the selector, change through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.care.models import CarePlanVersion, ShareMethod
from coexist.care.plans.content import CarerSupport, PlanContent
from coexist.care.plans.forms import PlanEditor, ShareForm
from coexist.care.plans.pdf import care_plan_pdf, care_plan_pdf_filename
from coexist.care.plans.rules import SECTIONS, plan_gaps, section_lines
from coexist.care.plans.selectors import (
    OpenedCarePlan,
    care_plan_open,
    recipient_objects,
    share_recipients,
    shares_of,
)
from coexist.care.plans.services import CarePlanConflict, care_plan_save, care_plan_share
from coexist.forms import add_service_errors
from coexist.people.models import Carer, Person
from coexist.people.permissions import require
from coexist.people.rules import Action, RecordPart


def _open(request: HttpRequest, public_id: UUID, detail: str, *, also: tuple[str, ...] = ()) -> OpenedCarePlan:
    try:
        return care_plan_open(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=detail, also=also
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc


def _require_write(request: HttpRequest, public_id: UUID, detail: str) -> None:
    """Refuse (and log) before showing a page that changes the plan: consent lets others read it, not change it."""
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise Http404("No such person")
    require(
        user=staff_of(request), person=person, action=Action.WRITE, parts=[RecordPart.CARE_PLAN],
        channel=Channel.PAGE, detail=detail,
    )  # fmt: skip


def _version_context(opened: OpenedCarePlan, version: CarePlanVersion | None) -> dict[str, Any]:
    content = version.plan_content if version else None
    return {
        "opened": opened,
        "person": opened.person,
        "version": version,
        "content": content,
        "gaps": plan_gaps(content) if content else [],
        "history": [(v, [SECTIONS.get(s, s) for s in v.changed_sections]) for v in opened.versions()],
    }


@login_required
def plan_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The latest version, what it is missing (R4), and who changed what, when."""
    opened = _open(request, public_id, "care plan page")
    return render(request, "careplans/plan_view.html", _version_context(opened, opened.latest))


@login_required
def version_view(request: HttpRequest, public_id: UUID, number: int) -> HttpResponse:
    opened = _open(request, public_id, f"care plan version {number}")
    try:
        version = opened.version(number)
    except CarePlanVersion.DoesNotExist as exc:
        raise Http404("No such version") from exc
    return render(request, "careplans/plan_view.html", _version_context(opened, version))


@dataclass(frozen=True)
class Difference:
    """One section as the other person saved it and as this editor typed it, side by side."""

    label: str
    theirs: list[str]
    yours: list[str]
    changed_by_them: bool


def _named(content: PlanContent, carers: list[Carer]) -> PlanContent:
    names = {c.public_id: c.name for c in carers}
    return content.model_copy(
        update={
            "carers": [
                CarerSupport(carer=c.carer, name=names.get(c.carer, ""), support=c.support) for c in content.carers
            ]
        }
    )


def _differences(conflict: CarePlanConflict, yours: PlanContent) -> list[Difference]:
    theirs = conflict.latest.plan_content
    return [
        Difference(SECTIONS[s], section_lines(theirs, s), section_lines(yours, s), s in conflict.changed)
        for s in SECTIONS
        if section_lines(theirs, s) != section_lines(yours, s)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Write a new version. Saving over a version the editor did not load is refused, the differences are
    shown side by side and everything they typed is kept (DOMAIN.md, ARCHITECTURE "Data that never leaves quietly")."""
    _require_write(request, public_id, "edit care plan form")
    opened = _open(request, public_id, "edit care plan form", also=(RecordPart.CARERS,))
    person = opened.person
    carers = list(person.carers.all())
    context: dict[str, Any] = {"opened": opened, "person": person, "latest": opened.latest}
    if request.method != "POST":
        content = opened.latest.plan_content if opened.latest else None
        editor = PlanEditor(carers=carers, content=content, based_on=opened.latest_number)
        return render(request, "careplans/plan_edit.html", {**context, "editor": editor})

    editor = PlanEditor(carers=carers, data=request.POST)
    if not editor.is_valid():
        return render(request, "careplans/plan_edit.html", {**context, "editor": editor}, status=400)
    typed = editor.content()
    try:
        version = care_plan_save(
            person=person, by=staff_of(request), content=typed, based_on_version=editor.based_on_version,
            channel=Channel.PAGE,
        )  # fmt: skip
    except CarePlanConflict as conflict:
        # Keep every word typed; start the next save from the version now latest, once they have looked.
        data = request.POST.copy()
        data["based_on_version"] = str(conflict.latest.number)
        editor = PlanEditor(carers=carers, data=data)
        editor.is_valid()
        return render(
            request,
            "careplans/plan_edit.html",
            {
                **context,
                "editor": editor,
                "latest": conflict.latest,
                "conflict": conflict,
                "differences": _differences(conflict, _named(typed, carers)),
            },
            status=409,
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "unchanged":
            messages.info(request, exc.messages[0])
            return redirect("careplans:view", public_id=person.public_id)
        add_service_errors(editor.plan, exc)
        return render(request, "careplans/plan_edit.html", {**context, "editor": editor}, status=400)
    gaps = plan_gaps(version.plan_content)
    note = f" It is incomplete: {len(gaps)} required part{'s' if len(gaps) != 1 else ''} still missing." if gaps else ""
    messages.success(request, f"Care plan saved as version {version.number}.{note}")
    return redirect("careplans:view", public_id=person.public_id)


def _latest_or_404(opened: OpenedCarePlan) -> CarePlanVersion:
    if opened.latest is None:
        raise Http404("There is no care plan yet")
    return opened.latest


@login_required
def plan_plain(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The person's own copy in plain language, large and clear, to read on screen or print."""
    opened = _open(request, public_id, "care plan, plain-language copy")
    if opened.latest is None:
        return render(request, "careplans/plan_view.html", _version_context(opened, None))
    version = opened.latest
    return render(
        request,
        "careplans/plan_plain.html",
        {"opened": opened, "person": opened.person, "version": version, "content": version.plan_content},
    )


@login_required
def plan_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The plain-language copy as a PDF download."""
    opened = _open(request, public_id, "care plan PDF")
    version = _latest_or_404(opened)
    response = HttpResponse(care_plan_pdf(person=opened.person, version=version), content_type="application/pdf")
    filename = care_plan_pdf_filename(person=opened.person, version=version)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def plan_share(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R4: who may have a copy (carers and organisations the person agreed to share the plan with), and a
    record of each copy given. Only the care team shares: a consent reader may not pass the plan on."""
    _require_write(request, public_id, "share care plan page")
    opened = _open(request, public_id, "share care plan page", also=(RecordPart.CARERS, RecordPart.CONSENT))
    person = opened.person
    recipients = share_recipients(person=person)
    choices = [(r.key, f"{r.name} (carer)" if r.kind == "carer" else r.name) for r in recipients]
    form = ShareForm(request.POST or None, recipients=choices)
    context = {
        "opened": opened,
        "person": person,
        "version": opened.latest,
        "recipients": recipients,
        "shares": list(shares_of(plan=opened.plan)),
        "form": form,
    }
    if request.method != "POST":
        return render(request, "careplans/plan_share.html", context)
    if opened.latest is None:
        form.add_error(None, "There is no care plan to share yet.")
    elif form.is_valid():
        try:
            carer, organisation = recipient_objects(person=person, key=form.cleaned_data["recipient"])
            share = care_plan_share(
                version=opened.latest, by=staff_of(request), method=ShareMethod(form.cleaned_data["method"]),
                channel=Channel.PAGE, carer=carer, organisation=organisation,
            )  # fmt: skip
        except LookupError:
            form.add_error("recipient", "Choose a carer or organisation from the list.")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Recorded: a copy of version {share.version.number} given to {share.recipient_name}."
            )
            return redirect("careplans:share", public_id=person.public_id)
    return render(request, "careplans/plan_share.html", context, status=400)
