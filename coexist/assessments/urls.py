from django.urls import path

from coexist.assessments import views

app_name = "assessments"

urlpatterns = [
    path("person/<uuid:person_id>/new/", views.assessment_start, name="start"),
    path("<uuid:public_id>/", views.assessment_detail, name="detail"),
    path("<uuid:public_id>/complete/", views.assessment_complete, name="complete"),
    path("<uuid:public_id>/substances/new/", views.substance_new, name="substance-new"),
    path("<uuid:public_id>/substances/<uuid:substance_id>/remove/", views.substance_remove, name="substance-remove"),
    path("<uuid:public_id>/assessors/new/", views.assessor_new, name="assessor-new"),
    path("person/<uuid:person_id>/risk-flags/", views.risk_flags, name="flags"),
    path("person/<uuid:person_id>/risk-flags/new/", views.risk_flag_new, name="flag-new"),
    path("risk-flags/<uuid:flag_id>/review/", views.risk_flag_review, name="flag-review"),
    path("risk-flags/<uuid:flag_id>/end/", views.risk_flag_end, name="flag-end"),
]
