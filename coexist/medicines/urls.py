"""Pages for medicines continuity (R9)."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.medicines import views

app_name = "medicines"

urlpatterns: list[URLPattern] = [
    path("people/<uuid:person_id>/", views.person_medicines, name="person"),
    path("people/<uuid:person_id>/start/", views.start, name="start"),
    path("people/<uuid:person_id>/dose-change/", views.dose_change, name="dose_change"),
    path("people/<uuid:person_id>/dose-given/", views.dose_given, name="dose_given"),
    path("people/<uuid:person_id>/stop/", views.stop, name="stop"),
    path("people/<uuid:person_id>/naloxone/", views.naloxone, name="naloxone"),
    path("people/<uuid:person_id>/other/new/", views.other_new, name="other_new"),
    path("people/<uuid:person_id>/handover/", views.handover_request, name="handover_request"),
    path("handovers/", views.handovers_waiting_list, name="handovers_waiting"),
    path("handovers/<uuid:public_id>/answer/", views.handover_answer, name="handover_answer"),
    path("handovers/<uuid:public_id>/withdraw/", views.handover_withdraw, name="handover_withdraw"),
]
