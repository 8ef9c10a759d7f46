"""Pages for multi-agency case reviews (R7)."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.care.reviews import views

app_name = "casereviews"

urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:public_id>/schedule/", views.review_schedule, name="schedule"),
    path("<uuid:public_id>/", views.review_detail, name="detail"),
    path("<uuid:public_id>/outcome/", views.review_outcome, name="outcome"),
    path("<uuid:public_id>/cancel/", views.review_cancel, name="cancel"),
]
