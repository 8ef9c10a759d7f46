"""Pages for inpatient stays (R9, R15)."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.inpatient import views

app_name = "inpatient"

urlpatterns: list[URLPattern] = [
    path("people/<uuid:person_id>/admit/", views.admit, name="admit"),
    path("wards/<uuid:service_id>/", views.ward, name="ward"),
    path("leaves/<uuid:public_id>/return/", views.leave_return, name="leave_return"),
    path("leaves/<uuid:public_id>/assessment/", views.leave_assessment, name="leave_assessment"),
    path("<uuid:public_id>/", views.admission, name="admission"),
    path("<uuid:public_id>/ward-worker/", views.assign_worker, name="assign_worker"),
    path("<uuid:public_id>/leave/", views.leave_new, name="leave_new"),
]
