"""Pages for discharges and transfers."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.transitions import views

app_name = "transitions"

urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:episode_id>/start/", views.start, name="start"),
    path("incoming/", views.incoming, name="incoming"),
    path("figures/", views.figures, name="figures"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/invite/", views.invite, name="invite"),
    path("<uuid:public_id>/housing/", views.housing, name="housing"),
    path("<uuid:public_id>/complete/", views.complete, name="complete"),
    path("<uuid:public_id>/send/", views.send, name="send"),
    path("<uuid:public_id>/answer/", views.answer, name="answer"),
]
