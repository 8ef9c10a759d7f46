"""Pages for the service survey (RECO stage 2), staff training, recovery college sessions and service-user
feedback (issue 6 points 5 and 6), under /service-survey/."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.survey import views

app_name = "survey"

urlpatterns: list[URLPattern] = [
    path("", views.compare, name="compare"),
    path("comparison.csv", views.compare_csv, name="compare-csv"),
    path("services/<uuid:public_id>/", views.service_page, name="service"),
    path("services/<uuid:public_id>/surveys.csv", views.service_csv, name="service-csv"),
    path("services/<uuid:public_id>/new/", views.survey_new, name="new"),
    path("services/<uuid:public_id>/training/", views.training, name="training"),
    path("services/<uuid:public_id>/recovery-college/", views.sessions, name="sessions"),
    path("services/<uuid:public_id>/feedback/", views.feedback, name="feedback"),
    path("<uuid:public_id>/", views.survey_detail, name="detail"),
]
