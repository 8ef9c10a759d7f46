"""The timeline page, under the person's own address: /people/<public_id>/timeline/."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.timeline import views

app_name = "timeline"

urlpatterns: list[URLPattern] = [
    path("<uuid:public_id>/timeline/", views.person_timeline, name="person"),
]
