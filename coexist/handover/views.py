"""Provider handover pages (R10), for administrators: the contracts, preparing a dry run, the dry run with
its Run button, and the reconciliation report. Thin: reads through the selectors, writes through the services."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.handover.forms import PrepareForm
from coexist.handover.models import Contract, HandoverStatus, ProviderHandover
from coexist.handover.moves import old_service_staff
from coexist.handover.rules import COUNT_LABELS, MOVE_LABELS
from coexist.handover.selectors import contract_get, contracts_list, handover_get, handover_report
from coexist.handover.services import handover_dry_run, handover_run_dry_run
from coexist.organisations.models import Team


@login_required
def contracts(request: HttpRequest) -> HttpResponse:
    """Commissioning contracts, soonest ending first, with their successors and handovers."""
    return render(request, "handover/contracts.html", {"rows": contracts_list(viewer=staff_of(request))})


@login_required
@require_http_methods(["GET", "POST"])
def prepare(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Choose where each old team's work goes and who transfers, then make a dry run."""
    try:
        contract = contract_get(viewer=staff_of(request), public_id=public_id)
    except Contract.DoesNotExist as exc:
        raise Http404("No such contract") from exc
    successor = contract.successor
    context: dict[str, object] = {"contract": contract, "successor": successor}
    if successor is None:
        return render(request, "handover/prepare.html", context)
    form = PrepareForm(
        request.POST or None,
        old_teams=list(Team.objects.filter(service=contract.service).order_by("name")),
        new_teams=list(Team.objects.filter(service=successor.service).order_by("name")),
        staff=old_service_staff(contract),
    )
    if request.method == "POST" and form.is_valid():
        try:
            dry_run = handover_dry_run(
                from_contract=contract,
                to_contract=successor,
                team_map=form.team_map(),
                transferring_staff=form.transferring_staff(),
                by=staff_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("handover:dry_run", dry_run.public_id)
    return render(request, "handover/prepare.html", {**context, "form": form})


def _handover(request: HttpRequest, public_id: UUID) -> ProviderHandover:
    try:
        return handover_get(viewer=staff_of(request), public_id=public_id)
    except ProviderHandover.DoesNotExist as exc:
        raise Http404("No such handover") from exc


@login_required
def dry_run(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """What a handover will move (counts, kinds, samples by reference only), its warnings, and the Run button."""
    handover = _handover(request, public_id)
    plan = handover.plan
    rows = [
        {
            "kind": k,
            "label": label,
            "count": plan.get("moves", {}).get(k, 0),
            "samples": plan.get("samples", {}).get(k, []),
        }
        for k, label in MOVE_LABELS.items()
    ]
    kept = [(COUNT_LABELS[k], n) for k, n in plan.get("counts_before", {}).items() if k in COUNT_LABELS]
    return render(
        request,
        "handover/dry_run.html",
        {
            "handover": handover,
            "plan": plan,
            "rows": rows,
            "kept": kept,
            "is_dry_run": handover.status == HandoverStatus.DRY_RUN,
        },
    )


@require_POST
@login_required
def run(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Run the handover as its dry run planned. One transaction: everything moves, or nothing does."""
    dry = _handover(request, public_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm you want to move the caseload.")
        return redirect("handover:dry_run", dry.public_id)
    try:
        done = handover_run_dry_run(dry_run=dry, by=staff_of(request), channel=Channel.PAGE)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("handover:dry_run", dry.public_id)
    except Exception:  # the run recorded the failure after its rollback; show it rather than a server error
        failed = ProviderHandover.objects.filter(from_contract=dry.from_contract, status=HandoverStatus.FAILED).first()
        messages.error(request, "The handover failed and nothing moved. The error is recorded below.")
        return redirect("handover:dry_run", (failed or dry).public_id)
    return redirect("handover:report", done.public_id)


@login_required
def report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """R10 reconciliation: counts before and after, by kind; equal means nothing was lost."""
    try:
        result = handover_report(viewer=staff_of(request), public_id=public_id)
    except ProviderHandover.DoesNotExist as exc:
        raise Http404("No such handover") from exc
    return render(request, "handover/report.html", {"report": result, "handover": result.handover})
