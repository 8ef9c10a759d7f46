"""Programme theory pages (issue 6 point 4): the list, recording and changing a theory, its evidence, and the
test of the theory against the service's data.

Who: evaluators (team leaders, dual diagnosis leads, service managers, researchers) record theories and
evidence and read every theory; clinical staff with a current membership read published theories for every
service or their own; administrators read none (``rules.refusal_to_read``). The result is an aggregate,
suppressed where small, naming nobody: it opens no one's record, so no per-person access log entry is written.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.evaluation.forms import EvidenceForm, TheoryForm
from coexist.evaluation.models import ProgrammeTheory
from coexist.evaluation.rules import MINIMUM_GROUP, refusal_to_record
from coexist.evaluation.selectors import (
    may_read_any,
    standing_of,
    theories_for,
    theory_get,
    theory_history,
    theory_result,
)
from coexist.evaluation.services import evidence_add, theory_create, theory_update
from coexist.forms import add_service_errors
from coexist.outcomes.rules.suppression import DEFAULT_THRESHOLD, marker_meaning
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision
from coexist.transitions.rules import period_refusal


def parse_period(
    raw_from: str | None, raw_to: str | None, *, today: date
) -> tuple[date | None, date | None, dict[str, str]]:
    """The period from ?from=&to= (ISO dates); the last 12 months when both are absent."""
    if not raw_from and not raw_to:
        return today - timedelta(days=365), today, {}
    parsed: dict[str, date | None] = {}
    errors: dict[str, str] = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        try:
            parsed[name] = date.fromisoformat((raw or "").strip()[:10]) if raw else None
        except ValueError:
            parsed[name] = None
            errors[name] = "Enter a date as year-month-day, for example 2026-01-31."
    start, end = parsed["from"], parsed["to"]
    return start, end, period_refusal(start=start, end=end, today=today) | errors


def _require_reader(user: User) -> None:
    refusal = may_read_any(user)
    if refusal is not None:
        raise AccessRefused(AccessDecision(False, refusal))


def _require_evaluator(user: User) -> None:
    refusal = refusal_to_record(standing_of(user))
    if refusal is not None:
        raise AccessRefused(AccessDecision(False, refusal))


def _theory(request: HttpRequest, public_id: UUID) -> ProgrammeTheory:
    try:
        return theory_get(viewer=staff_of(request), public_id=public_id)
    except ProgrammeTheory.DoesNotExist as exc:
        raise Http404("No such programme theory") from exc


def _service_errors(form: TheoryForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict") and "context_filter" in error.error_dict:
        error.error_dict["context_1"] = error.error_dict.pop("context_filter")
    add_service_errors(form, error)


@login_required
def theories(request: HttpRequest) -> HttpResponse:
    """The programme theories this member of staff may read."""
    viewer = staff_of(request)
    _require_reader(viewer)
    return render(
        request,
        "evaluation/theories.html",
        {"theories": theories_for(viewer), "may_record": refusal_to_record(standing_of(viewer)) is None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def theory_new(request: HttpRequest) -> HttpResponse:
    """Record a programme theory: context, mechanism and outcome in words, bound to a measure and a subgroup."""
    viewer = staff_of(request)
    _require_evaluator(viewer)
    form = TheoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            theory = theory_create(
                **{k: form.cleaned_data[k] for k in ("title", "context", "mechanism", "outcome", "measure_key",
                                                      "expects", "status")},
                context_filter=form.context_filter(), service=form.chosen_service(), by=viewer,
            )  # fmt: skip
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "Programme theory recorded.")
            return redirect("evaluation:theory", theory.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/theory_form.html", {"form": form, "theory": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def theory_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change a programme theory; the earlier version is kept."""
    viewer = staff_of(request)
    _require_evaluator(viewer)
    theory = _theory(request, public_id)
    form = TheoryForm(request.POST or None, initial=TheoryForm.initial_for(theory))
    if request.method == "POST" and form.is_valid():
        try:
            theory_update(
                theory=theory,
                **{k: form.cleaned_data[k] for k in ("title", "context", "mechanism", "outcome", "measure_key",
                                                      "expects", "status")},
                context_filter=form.context_filter(), service=form.chosen_service(), by=viewer,
            )  # fmt: skip
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "Programme theory changed.")
            return redirect("evaluation:theory", theory.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/theory_form.html", {"form": form, "theory": theory}, status=status)


@login_required
def theory(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The theory in words, its evidence, and whether the service's data for a period bear it out."""
    viewer = staff_of(request)
    found = _theory(request, public_id)
    start, end, errors = parse_period(request.GET.get("from"), request.GET.get("to"), today=timezone.localdate())
    context: dict[str, object] = {
        "theory": found,
        "evidence": list(found.evidence.select_related("added_by")),
        "history": theory_history(found),
        "may_record": refusal_to_record(standing_of(viewer)) is None,
        "errors": errors,
        "raw_from": request.GET.get("from", ""),
        "raw_to": request.GET.get("to", ""),
        "minimum_group": MINIMUM_GROUP,
        "marker_meaning": marker_meaning(DEFAULT_THRESHOLD),
    }
    if errors or start is None or end is None:
        return render(request, "evaluation/theory.html", context, status=400)
    context |= {"result": theory_result(found, start=start, end=end), "raw_from": start.isoformat(),
                "raw_to": end.isoformat()}  # fmt: skip
    return render(request, "evaluation/theory.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def evidence_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Link evidence (literature, a stakeholder event, an interview...) with its source to a theory."""
    viewer = staff_of(request)
    _require_evaluator(viewer)
    theory = _theory(request, public_id)
    form = EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_add(theory=theory, **form.cleaned_data, by=viewer)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Evidence added.")
            return redirect("evaluation:theory", theory.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/evidence_form.html", {"form": form, "theory": theory}, status=status)
