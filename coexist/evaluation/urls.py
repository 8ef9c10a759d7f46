"""Pages for programme theories (context-mechanism-outcome configurations, issue 6 point 4)."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.evaluation import views

app_name = "evaluation"

urlpatterns: list[URLPattern] = [
    path("theories/", views.theories, name="theories"),
    path("theories/new/", views.theory_new, name="theory_new"),
    path("theories/<uuid:public_id>/", views.theory, name="theory"),
    path("theories/<uuid:public_id>/edit/", views.theory_edit, name="theory_edit"),
    path("theories/<uuid:public_id>/evidence/new/", views.evidence_new, name="evidence_new"),
]
