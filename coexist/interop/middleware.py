"""Every error under /api/ is problem+json, including the ones Django or django-ninja make themselves
(405 for an unsupported method, for example), so clients parse one error shape."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from coexist.interop.problems import PROBLEM_CONTENT_TYPE, problem


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
            detail = f"Use one of: {headers['Allow']}." if headers else "Request refused."
            return problem(request, response.status_code, detail, headers=headers)
        return response
