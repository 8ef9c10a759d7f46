"""Pages for outcome measures and dashboards (issue 6 point 3)."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.outcomes import views

app_name = "outcomes"

urlpatterns: list[URLPattern] = [
    path("", views.commissioner, name="commissioner"),
    path("services.csv", views.commissioner_csv, name="commissioner_csv"),
    path("services/<uuid:service_id>/", views.service, name="service"),
    path("services/<uuid:service_id>/outcomes.csv", views.service_csv, name="service_csv"),
]
