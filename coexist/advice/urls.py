"""Pages for advice requests to the addictions consultant (seeds 001, 002)."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.advice import views

app_name = "advice"

urlpatterns: list[URLPattern] = [
    path("", views.worklist, name="worklist"),
    path("people/<uuid:person_id>/", views.person, name="person"),
    path("people/<uuid:person_id>/ask/", views.ask, name="ask"),
    path("<uuid:public_id>/answer/", views.answer, name="answer"),
    path("<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
]
