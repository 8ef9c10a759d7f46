"""Pages for programme theories."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "evaluation"

urlpatterns: list[URLPattern] = []
