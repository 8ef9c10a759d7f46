"""Pages for outcome measures and dashboards."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "outcomes"

urlpatterns: list[URLPattern] = []
