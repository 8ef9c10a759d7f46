"""Pages for research extracts."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.research import views

app_name = "research"

urlpatterns: list[URLPattern] = [
    path("", views.projects, name="projects"),
    path("<uuid:public_id>/extract/", views.extract, name="extract"),
    path("<uuid:public_id>/log/", views.log, name="log"),
]
