"""Pages for inpatient stays."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "inpatient"

urlpatterns: list[URLPattern] = []
