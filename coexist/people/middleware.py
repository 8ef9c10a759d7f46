"""Turn a refused record access into the 'you cannot see this record' page, with the reason."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coexist.people.permissions import AccessRefused


class AccessRefusedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AccessRefused):
            return render(request, "people/refused.html", {"reason": exception.decision.basis}, status=403)
        return None
