"""The JSON API at /api/v1/: one NinjaAPI, bearer-token auth, problem+json errors, app routers mounted."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from coexist.interop.auth import PersonalToken
from coexist.interop.problems import PROBLEM_CONTENT_TYPE, problem
from coexist.people.permissions import AccessRefused

logger = logging.getLogger(__name__)


class CoexistAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Error responses are problem+json (RFC 9457), not plain JSON: say so in the document."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith(("4", "5")) and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = CoexistAPI(
    title="Coexist API",
    version="1",
    description=(
        "Shared care coordination for people with a severe mental illness who also use alcohol or drugs. "
        "Every read and write of a person's record is checked against the same permission function as the "
        "web pages and written to the access log. Errors are RFC 9457 problem details."
    ),
    auth=PersonalToken(),
    urls_namespace="api-v1",
    docs_url=None,
)


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(e.get("loc", ())), "message": str(e.get("msg", "Invalid value"))} for e in exc.errors
    ]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem(request, 422, f"Some input is not valid: {fields}.", errors=errors)


@api.exception_handler(DjangoValidationError)
def on_domain_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [{"field": field, "message": m} for field, msgs in exc.message_dict.items() for m in msgs]
    else:
        errors = [{"field": "body", "message": m} for m in exc.messages]
    return problem(request, 422, " ".join(e["message"] for e in errors), errors=errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        401,
        "Send a personal API token as 'Authorization: Bearer <token>'.",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(AccessRefused)
def on_access_refused(request: HttpRequest, exc: AccessRefused) -> HttpResponse:
    return problem(request, 403, exc.decision.basis)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, str(exc) or "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected error in the API")
    return problem(request, 500, "Something went wrong on our side. It has been logged.")


api.add_router("/people", "coexist.people.api.router")
api.add_router("/people", "coexist.notifications.api.router")  # /people/{id}/messages (R11)
api.add_router("/organisations", "coexist.organisations.api.router")
api.add_router("/me", "coexist.accounts.api.router")
api.add_router("/referrals", "coexist.referrals.api.router")
api.add_router("/care", "coexist.care.api.router")
api.add_router("/care-plans", "coexist.care.plans.api.router")
api.add_router("/case-reviews", "coexist.care.reviews.api.router")
api.add_router("/assessments", "coexist.assessments.api.router")
api.add_router("/measures", "coexist.instruments.api.router")
api.add_router("/tasks", "coexist.tasks.api.router")
api.add_router("/appointments", "coexist.engagement.api.router")
api.add_router("/people", "coexist.timeline.api.router")
api.add_router("/groups", "coexist.engagement.groups.api.router")
api.add_router("/inpatient", "coexist.inpatient.api.router")
api.add_router("/medicines", "coexist.medicines.api.router")
api.add_router("/advice", "coexist.advice.api.router")
api.add_router("/transitions", "coexist.transitions.api.router")
api.add_router("/provider-handover", "coexist.handover.api.router")
api.add_router("/outcomes", "coexist.outcomes.api.router")
api.add_router("/evaluation", "coexist.evaluation.api.router")
api.add_router("/service-survey", "coexist.survey.api.router")
api.add_router("/research", "coexist.research.api.router")
