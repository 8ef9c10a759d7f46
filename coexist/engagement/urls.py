from django.urls import path

from coexist.engagement import views

app_name = "engagement"

urlpatterns = [
    path("people/<uuid:person_id>/", views.person_appointments, name="person"),
    path("people/<uuid:person_id>/book/", views.appointment_book, name="book"),
    path("<uuid:public_id>/outcome/", views.appointment_outcome, name="outcome"),
    path("<uuid:public_id>/cancel-series/", views.series_cancel, name="cancel-series"),
    path("follow-ups/<uuid:public_id>/", views.follow_up_detail, name="follow-up"),
]
