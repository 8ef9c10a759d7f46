from django.urls import path

from coexist.engagement.groups import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_new, name="new"),
    path("<uuid:public_id>/", views.group_detail, name="detail"),
    path("<uuid:public_id>/schedule/", views.group_schedule, name="schedule"),
    path("<uuid:public_id>/enrol/", views.group_enrol, name="enrol"),
    path("sessions/<uuid:public_id>/", views.session_detail, name="session"),
    path("sessions/<uuid:public_id>/add/", views.session_add, name="session-add"),
    path("sessions/<uuid:public_id>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<uuid:public_id>/cancel/", views.session_cancel, name="session-cancel"),
    path("people/<uuid:person_id>/enrol/", views.person_enrol, name="person-enrol"),
    path("enrolments/<uuid:public_id>/leave/", views.enrolment_end, name="leave"),
]
