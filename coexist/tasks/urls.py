"""Pages for tasks."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.tasks import views

app_name = "tasks"

urlpatterns: list[URLPattern] = [
    path("", views.mine, name="mine"),
    path("<uuid:public_id>/complete/", views.complete, name="complete"),
]
