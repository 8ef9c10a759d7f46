"""Research extract pages: the researcher's projects, the extract form (returns a CSV) and the extract log.

Aggregate and de-identified only: these pages show no one's record and write no per-person entry on view;
the extract itself writes one access log entry per person included (see services.extract_make)."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.outcomes.rules.suppression import DEFAULT_THRESHOLD
from coexist.people.permissions import AccessRefused
from coexist.research.forms import ExtractForm
from coexist.research.models import ResearchProject
from coexist.research.selectors import extract_log, may_extract, may_read_log, projects_for
from coexist.research.services import extract_make


def _project(public_id: UUID) -> ResearchProject:
    try:
        return ResearchProject.objects.get(public_id=public_id)
    except ResearchProject.DoesNotExist as exc:
        raise Http404("No such research project") from exc


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    """The research projects the signed-in researcher is named on."""
    return render(request, "research/projects.html", {"projects": list(projects_for(staff_of(request)))})


@login_required
@require_http_methods(["GET", "POST"])
def extract(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The extract form; a valid POST returns the CSV file, already logged."""
    project = _project(public_id)
    user = staff_of(request)
    decision = may_extract(user, project)
    if not decision.allowed:
        raise AccessRefused(decision)
    form = ExtractForm(request.POST or None, initial={"k": DEFAULT_THRESHOLD})
    context = {"project": project}
    if request.method != "POST":
        return render(request, "research/extract.html", {**context, "form": form})
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = extract_make(
                project=project, by=user, why=data["why"], start=data["start"], end=data["end"],
                options=form.options(), channel=Channel.PAGE,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            response = HttpResponse(made.content, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
            response["X-Content-SHA256"] = made.log.sha256
            return response
    return render(request, "research/extract.html", {**context, "form": form}, status=400)


@login_required
def log(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Every extract made for the project: who, when, why, what and the file's SHA-256."""
    project = _project(public_id)
    decision = may_read_log(staff_of(request), project)
    if not decision.allowed:
        raise AccessRefused(decision)
    return render(request, "research/log.html", {"project": project, "entries": list(extract_log(project))})
