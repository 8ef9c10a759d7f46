"""Pages for provider handover (R10): administrators only."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.handover import views

app_name = "handover"

urlpatterns: list[URLPattern] = [
    path("", views.contracts, name="contracts"),
    path("contracts/<uuid:public_id>/prepare/", views.prepare, name="prepare"),
    path("runs/<uuid:public_id>/", views.dry_run, name="dry_run"),
    path("runs/<uuid:public_id>/run/", views.run, name="run"),
    path("runs/<uuid:public_id>/report/", views.report, name="report"),
]
